"""retrograd.viz.make_dot: torchviz-style pictures of the backward graph."""

from __future__ import annotations

import re

import pytest
import retrograd
from retrograd import viz

torch = pytest.importorskip("torch")


def _model(m):
    w = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = m.tensor([0.5, -0.5], requires_grad=True)
    x = m.tensor([[1.0, -1.0], [2.0, 0.0]])
    loss = (x.matmul(w) + b).tanh().pow(2).mean()
    return loss, {"weight": w, "bias": b}


def _torch_node_names(t):
    """Names of every node of torch's graph behind ``t`` (the oracle's structure)."""
    names, stack, seen = [], [t.grad_fn], set()
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        names.append(type(fn).__name__)
        stack.extend(child for child, _ in fn.next_functions)
    return sorted(names)


def _dot_text(*args, **kwargs):
    return viz.to_dot_source(viz._picture(*args, **kwargs))


def _labels(dot):
    return re.findall(r'\[label="([^"]*)"(?: fillcolor="(\w+)")?', dot)


def _torch_edge_count(t):
    """Edges torchviz draws for ``t``: one per non-None next_functions entry, one per
    leaf into its AccumulateGrad, one into the output."""
    count, stack, seen = 1, [t.grad_fn], set()
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        count += hasattr(fn, "variable")
        children = [child for child, _ in fn.next_functions if child is not None]
        count += len(children)
        stack.extend(children)
    return count


def test_nodes_and_edges_match_torch_graph():
    loss, params = _model(retrograd)
    dot = _dot_text(loss, params, False, False)
    boxes = sorted(label for label, color in _labels(dot) if not color)
    assert boxes == _torch_node_names(_model(torch)[0])
    edges = re.findall(r"\t(\d+) -> (\d+)", dot)
    assert len(edges) == _torch_edge_count(_model(torch)[0])


def test_leaves_are_blue_and_named_output_green():
    loss, params = _model(retrograd)
    labels = dict((label, color) for label, color in _labels(_dot_text(loss, params, False, False)))
    assert labels["weight\n (2, 2)"] == "lightblue"
    assert labels["bias\n (2)"] == "lightblue"
    assert labels["\n ()"] == "darkolivegreen1"


def test_saved_tensors_show_their_shapes():
    loss, params = _model(retrograd)
    saved = [
        label for label, color in _labels(_dot_text(loss, params, False, True)) if color == "orange"
    ]
    # PowBackward0 keeps its base, TanhBackward0 its output, MmBackward0 the input x
    # (w's gradient needs x; x needs no gradient, so w is not kept), as PyTorch saves.
    assert saved == ["self\n (2, 2)", "result\n (2, 2)", "self\n (2, 2)"]


def test_show_attrs_lists_saved_values():
    x = retrograd.ones(3, requires_grad=True)
    dot = _dot_text(x.pow(3), None, True, False)
    assert "PowBackward0\n" in dot and "exponent: 3" in dot


def test_view_base_is_dotted():
    base = retrograd.ones(4, requires_grad=True) * 2
    view = base[1:]
    dot = _dot_text(view, None, False, False)
    assert 'fillcolor="darkolivegreen3"' in dot and 'style="dotted"' in dot


def test_tuple_of_outputs_and_deep_chain():
    x = retrograd.ones(2, requires_grad=True)
    y = x
    for _ in range(3000):  # iterative walk: no recursion limit
        y = y * 1.0
    dot = _dot_text((y, x.exp()), {"x": x}, False, False)
    assert dot.count("MulBackward0") == 3000 and dot.count("ExpBackward0") == 1
    assert dot.count('label="x\n (2)"') == 1  # one leaf box, shared


def test_make_dot_returns_text_without_graphviz(monkeypatch):
    loss, params = _model(retrograd)
    monkeypatch.setattr(viz, "graphviz", None)
    dot = viz.make_dot(loss, params=params)
    assert isinstance(dot, str) and dot.startswith("digraph {")


def test_make_dot_returns_a_digraph_with_graphviz():
    graphviz = pytest.importorskip("graphviz")
    loss, params = _model(retrograd)
    dot = viz.make_dot(loss, params=params, show_saved=True)
    assert isinstance(dot, graphviz.Digraph)
    text = _dot_text(loss, params, False, True)
    for label, _ in _labels(text):
        assert label.split("\n")[0] in dot.source
    assert dot.source.count("->") == text.count("->")


def test_tutorial_graphs_are_written(tmp_path):
    paths = viz.write_tutorial_graphs(tmp_path)
    dots = sorted(p.name for p in paths if p.suffix == ".dot")
    assert dots and all(re.fullmatch(r"cell_\d\d\.dot", n) for n in dots)
    text = (tmp_path / dots[0]).read_text()
    assert text.startswith("digraph {") and "AccumulateGrad" in text
    assert 'label="x\n (2, 2)" fillcolor="lightblue"' in text  # named after its variable
