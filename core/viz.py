"""``retrograd.viz``: pictures of the backward graph, the way torchviz draws them.

``make_dot(output, params=None, show_attrs=False, show_saved=False)`` walks the graph
behind ``output`` (a tensor or a tuple of tensors) and returns a ``graphviz.Digraph``
where the ``graphviz`` package is installed, DOT source text otherwise. The drawing
follows torchviz: one grey box per node (``MulBackward0``...), edges in the forward
direction, the output in green (``darkolivegreen1``; the base of a view in
``darkolivegreen3``, dotted), leaves in blue (``lightblue``) labelled with their name in
``params`` and their shape, and, with ``show_saved``, the tensors each node saved in
orange with their shapes. ``show_attrs`` adds the other values a node saved to its box.

:func:`write_tutorial_graphs` replays the seed tutorial and writes the graph of each cell
that builds one (the ``tutorial --graph DIR`` command of the CLI can call it).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .graph import AccumulateGrad, Node
from .saved_tensors import PackedSaved
from .tensor import Tensor
from .tutorial import runner

try:
    import graphviz
except ImportError:  # optional: the `docs` extra installs it; DOT text without it
    graphviz = None

__all__ = ["make_dot", "write_tutorial_graphs"]

NODE_ATTR = {
    "style": "filled",
    "shape": "box",
    "align": "left",
    "fontsize": "10",
    "ranksep": "0.1",
    "height": "0.2",
    "fontname": "monospace",
}
OUTPUT, VIEW_BASE, LEAF, SAVED = "darkolivegreen1", "darkolivegreen3", "lightblue", "orange"


def size_to_str(shape: Any) -> str:
    """A shape as torchviz prints it: ``(2, 3)``."""
    return "(" + ", ".join(str(int(v)) for v in shape) + ")"


@dataclass
class GraphPicture:
    """Nodes ``(id, label, attrs)`` and edges ``(tail, head, attrs)`` of one drawing."""

    nodes: list[tuple[str, str, dict]] = field(default_factory=list)
    edges: list[tuple[str, str, dict]] = field(default_factory=list)
    ids: dict[Any, str] = field(default_factory=dict)

    def key(self, obj: Any) -> str:
        """A node id per object (or per ``SavedSlot``), numbered in drawing order."""
        ident = obj if type(obj) is SavedSlot else id(obj)
        return self.ids.setdefault(ident, str(len(self.ids)))

    def node(self, obj: Any, label: str, **attrs: str) -> None:
        self.nodes.append((self.key(obj), label, attrs))

    def edge(self, tail: Any, head: Any, **attrs: str) -> None:
        self.edges.append((self.key(tail), self.key(head), attrs))


@dataclass(frozen=True)
class SavedSlot:
    """One saved value of one node: its own box, even when the tensor is drawn elsewhere
    too (a leaf a node saved is both a blue leaf and an orange saved tensor)."""

    node_id: int
    index: int


class _Drawer:
    """Walks the graph once (iteratively: any depth) and records the picture."""

    def __init__(self, params: dict | None, show_attrs: bool, show_saved: bool) -> None:
        self.names = {id(v): k for k, v in (params or {}).items()}
        self.show_attrs, self.show_saved = show_attrs, show_saved
        self.picture, self.seen = GraphPicture(), set()
        # Objects drawn are kept alive while drawing, so their ids stay unique.
        self.alive: list[Any] = []

    def tensor_label(self, t: Tensor, name: str | None = None) -> str:
        name = self.names.get(id(t), "") if name is None else name
        return f"{name}\n {size_to_str(t.shape)}"

    def output(self, t: Tensor, color: str = OUTPUT) -> None:
        if id(t) in self.seen:
            return
        self.seen.add(id(t))
        self.alive.append(t)
        self.picture.node(t, self.tensor_label(t), fillcolor=color)
        if t.grad_fn is not None:
            self.graph(t.grad_fn)
            self.picture.edge(t.grad_fn, t)
        if t._base is not None:
            self.output(t._base, VIEW_BASE)
            self.picture.edge(t._base, t, style="dotted")

    def graph(self, root: Node) -> None:
        stack = [root]
        while stack:
            fn = stack.pop()
            if id(fn) in self.seen:
                continue
            self.seen.add(id(fn))
            self.alive.append(fn)
            self.one_node(fn)
            for child, _ in fn.next_functions:
                if child is not None:
                    self.picture.edge(child, fn)
                    stack.append(child)

    def one_node(self, fn: Node) -> None:
        tensors, values = _saved_of(fn)
        if self.show_saved:
            for i, (name, t) in enumerate(tensors):
                slot = SavedSlot(id(fn), i)
                self.picture.edge(fn, slot, dir="none")
                self.picture.node(slot, self.tensor_label(t, name), fillcolor=SAVED)
        if type(fn) is AccumulateGrad:
            leaf = fn.variable
            self.seen.add(id(leaf))
            self.alive.append(leaf)
            self.picture.node(leaf, self.tensor_label(leaf), fillcolor=LEAF)
            self.picture.edge(leaf, fn)
        self.picture.node(fn, self.fn_label(fn, values))

    def fn_label(self, fn: Node, values: list[tuple[str, Any]], width: int = 50) -> str:
        name = type(fn).__name__
        if not self.show_attrs or not values:
            return name
        lines = [f"{k}: {_short(v, width)}" for k, v in values]
        rule = "-" * max(len(line) for line in [name, *lines])
        return "\n".join([name, rule, *lines])


def _short(value: Any, width: int) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _saved_of(fn: Node) -> tuple[list[tuple[str, Tensor]], list[tuple[str, Any]]]:
    """The tensors (name, tensor) and other values (name, value) a node saved, as far as
    it still holds them (backward frees them unless ``retain_graph``)."""
    saved = getattr(fn, "_saved", None) or ()
    record = getattr(fn, "record", None)
    names = list(record.save) if record is not None else []
    tensors, values = [], []
    for i, value in enumerate(saved):
        name = names[i] if i < len(names) else f"saved_tensors[{i}]"
        if type(value) is PackedSaved:
            value = value.packed if isinstance(value.packed, Tensor) else None
        if isinstance(value, Tensor):
            tensors.append((name, value))
        elif value is not None:
            values.append((name, value))
    return tensors, values


def _picture(output: Any, params: dict | None, show_attrs: bool, show_saved: bool):
    drawer = _Drawer(params, show_attrs, show_saved)
    for t in output if isinstance(output, (tuple, list)) else (output,):
        drawer.output(t)
    return drawer.picture


def _graph_size(picture: GraphPicture) -> str:
    """torchviz's sizing: 0.15 inch per line of the body, at least 12 inches."""
    size = max(12.0, (len(picture.nodes) + len(picture.edges)) * 0.15)
    return f"{size},{size}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot_source(picture: GraphPicture) -> str:
    """The picture as DOT text (what ``graphviz.Digraph.source`` would hold)."""
    lines = ["digraph {", f"\tgraph [size={_quote(_graph_size(picture))}]"]
    attrs = " ".join(f"{k}={_quote(v)}" for k, v in NODE_ATTR.items())
    lines.append(f"\tnode [{attrs}]")
    for key, label, extra in picture.nodes:
        more = "".join(f" {k}={_quote(v)}" for k, v in extra.items())
        lines.append(f"\t{key} [label={_quote(label)}{more}]")
    for tail, head, extra in picture.edges:
        more = " ".join(f"{k}={_quote(v)}" for k, v in extra.items())
        lines.append(f"\t{tail} -> {head}" + (f" [{more}]" if more else ""))
    return "\n".join([*lines, "}"]) + "\n"


def to_digraph(picture: GraphPicture) -> Any:
    """The picture as a ``graphviz.Digraph`` (needs the ``graphviz`` package)."""
    dot = graphviz.Digraph(node_attr=dict(NODE_ATTR), graph_attr={"size": _graph_size(picture)})
    for key, label, extra in picture.nodes:
        dot.node(key, label, **extra)
    for tail, head, extra in picture.edges:
        dot.edge(tail, head, **extra)
    return dot


def make_dot(
    var: Any,
    params: dict[str, Tensor] | None = None,
    show_attrs: bool = False,
    show_saved: bool = False,
    max_attr_chars: int = 50,
) -> Any:
    """The backward graph of ``var`` (a tensor or a tuple of them), torchviz style: a
    ``graphviz.Digraph`` where ``graphviz`` is installed, else its DOT source (str).
    ``params`` names leaves (e.g. ``dict(model.named_parameters())``)."""
    picture = _picture(var, params, show_attrs, show_saved)
    return to_dot_source(picture) if graphviz is None else to_digraph(picture)


# -- the tutorial's graphs ---------------------------------------------------------------
def write_tutorial_graphs(directory: str | Path, backend: str | None = None) -> list[Path]:
    """Replay the seed tutorial; for each cell that leaves tensors with a ``grad_fn``
    bound to names it assigned, write ``cell_NN.dot`` (leaves labelled with their
    variable names), and ``cell_NN.svg`` too where the ``graphviz`` package and its
    ``dot`` program are installed. Returns the paths written."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    env, replay, written = runner.namespace(), runner.Replay(), []
    with runner._backend(backend):
        for cell in runner.load().cells:
            before = dict(env)  # the objects themselves: an id can be reused once freed
            runner.run_cell(cell, env, replay)
            picture = _cell_picture(env, before)
            if picture is not None:
                written += _write(picture, out / f"cell_{cell.number:02d}")
    return written


def _cell_picture(env: dict, before: dict) -> GraphPicture | None:
    tensors = {k: v for k, v in env.items() if isinstance(v, Tensor)}
    made = [v for k, v in tensors.items() if before.get(k) is not v and v.grad_fn is not None]
    if not made:
        return None
    return _picture(tuple(made), tensors, False, True)  # every box named after its variable


def _write(picture: GraphPicture, stem: Path) -> list[Path]:
    dot_path = stem.with_suffix(".dot")
    dot_path.write_text(to_dot_source(picture), encoding="utf-8")
    if graphviz is None or shutil.which("dot") is None:
        return [dot_path]
    svg = to_digraph(picture).pipe(format="svg")
    svg_path = stem.with_suffix(".svg")
    svg_path.write_bytes(svg)
    return [dot_path, svg_path]
