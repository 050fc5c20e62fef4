"""The generated pages' markdown: API reference, "From PyTorch", the executed tutorial.

Everything here is computed from retrograd itself (its public namespaces, the op
records, the docstrings) or, for the tutorial, by running its cells; the only hand-kept
data is ``not_supported.toml`` beside this file (what PyTorch has and retrograd does
not, with the reason). ``retrograd_sphinx.py`` turns the markdown into pages;
``tests/test_docs.py`` checks that every public name is on them.
"""

from __future__ import annotations

import inspect
import io
import re
import types
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import retrograd
from retrograd import ops, viz
from retrograd.nn import functional
from retrograd.tutorial import runner

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as a package
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
_ROLE = re.compile(r":\w+:`~?([^`]+)`")  # a reST role in a docstring: its text as code

# --- public names -----------------------------------------------------------------------


def _is_own(value: Any) -> bool:
    """A retrograd object (function, class, dtype...), not a module or an import."""
    if isinstance(value, types.ModuleType):
        return False
    owner = getattr(value, "__module__", None) or type(value).__module__
    return isinstance(owner, str) and owner.split(".")[0] in ("retrograd", "retrograd_backends")


def public_names(namespace: Any) -> list[str]:
    """``__all__`` where the namespace has one, else its public retrograd objects."""
    names = getattr(namespace, "__all__", None)
    if names is None:
        names = [n for n in dir(namespace) if not n.startswith("_")]
        names = [n for n in names if _is_own(getattr(namespace, n))]
    return sorted(names)


def tensor_names() -> list[str]:
    """Public Tensor methods and attributes."""
    return sorted(n for n in dir(retrograd.Tensor) if not n.startswith("_"))


NAMESPACES = {  # title -> (prefix shown, namespace)
    "retrograd": ("torch.", retrograd),
    "Tensor": ("Tensor.", None),
    "retrograd.autograd": ("torch.autograd.", retrograd.autograd),
    "retrograd.nn.functional": ("torch.nn.functional.", functional),
}


def all_public() -> dict[str, list[str]]:
    """Every public name, by namespace title (see :data:`NAMESPACES`)."""
    return {
        title: tensor_names() if ns is None else public_names(ns)
        for title, (_, ns) in NAMESPACES.items()
    }


# --- helpers ---------------------------------------------------------------------------


def _summary(value: Any) -> str:
    """The docstring's first paragraph on one line, with ``|`` escaped for tables."""
    doc = inspect.getdoc(value) if not isinstance(value, (str, int, float)) else None
    if not doc or doc == inspect.getdoc(type(value)) and not inspect.isclass(value):
        return ""
    text = " ".join(doc.split("\n\n")[0].split())
    return _ROLE.sub(r"`\1`", text).replace("|", "\\|")


def _records() -> dict[str, Any]:
    return {r.name: r for r in ops.RECORDS}


def _record_of(name: str, value: Any) -> Any:
    records = _records()
    return records.get(name) or records.get(getattr(value, "__name__", ""))


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _kind(value: Any) -> str:
    if inspect.isclass(value):
        return "class"
    if isinstance(value, property) or not callable(value):
        return "attribute"
    return "function"


# --- the API reference ------------------------------------------------------------------


def _function_row(name: str, value: Any) -> list[str]:
    record = _record_of(name, value)
    if record is not None:
        grad = f"`{record.grad_fn}`" if record.grad_fn else "not differentiable"
        what = f"op record `{record.name}` ({record.kind}), {grad}"
        note = record.doc or _summary(value)
    else:
        what, note = _kind(value), _summary(value)
    return [f"`{name}`", what, note.replace("|", "\\|") or "-"]


def api_reference() -> str:
    """The API reference: each namespace's public names, with what the op record says
    (kind, ``grad_fn``) for the ops and the docstring's summary for everything."""
    lines = []
    for title, names in all_public().items():
        owner = retrograd.Tensor if title == "Tensor" else NAMESPACES[title][1]
        lines += ["", f"## {title}", ""]
        values = {n: inspect.getattr_static(owner, n, None) for n in names}
        values = {n: getattr(owner, n) if not isinstance(v, property) else v
                  for n, v in values.items()}  # fmt: skip
        lines += _table(
            ["name", "what", "summary"], (_function_row(n, v) for n, v in values.items())
        )
    return "\n".join(lines) + "\n"


# --- From PyTorch -----------------------------------------------------------------------


def not_supported() -> dict[str, dict[str, str]]:
    """Group title -> {PyTorch name: why retrograd lacks it} (``not_supported.toml``)."""
    with (HERE / "not_supported.toml").open("rb") as f:
        return tomllib.load(f)["group"]


def from_pytorch() -> str:
    """What of PyTorch runs under ``import retrograd as torch``, and what does not."""
    lines = ["", "## Supported", ""]
    for title, names in all_public().items():
        prefix = NAMESPACES[title][0]
        lines += ["", f"### `{prefix.rstrip('.')}`", "", f"{len(names)} names: "
                  + ", ".join(f"`{prefix}{n}`" for n in names)]  # fmt: skip
    lines += ["", "## Not supported", ""]
    for group, entries in not_supported().items():
        lines += ["", f"### {group}", ""]
        lines += _table(
            ["PyTorch", "why / what to use"], ([f"`{n}`", w] for n, w in entries.items())
        )
    return "\n".join(lines) + "\n"


# --- the executed tutorial --------------------------------------------------------------


def tutorial(lang: str, seed: int = 0) -> tuple[str, list[str]]:
    """The seed tutorial in ``lang`` with every cell's output from running it now, and
    the problems (a cell that raised, an output that differs from the recorded one)."""
    replay = runner.run(lang=lang, out=io.StringIO(), seed=seed)
    parts = []
    for block in runner.load().blocks:
        if isinstance(block, runner.Prose):
            parts.append(block.render(lang))
            continue
        parts.append(f"```python\n# In [{block.number}]\n{block.code}\n```")
        output = replay.outputs.get(block.number, "")
        if output:
            parts.append(f"```text\n{output.rstrip()}\n```")
    problems = [f"In [{n}] raised {e}" for n, e in replay.errors.items()]
    return "\n\n".join(parts) + "\n", problems + runner.compare(replay.outputs)


# --- the tutorial's graphs, as pictures -------------------------------------------------


def tutorial_graphs(directory: Path, link_prefix: str) -> tuple[str, list[str]]:
    """Markdown showing the backward graph each seed-tutorial cell builds, as an SVG
    picture rendered now into ``directory`` (linked as ``link_prefix/cell_NN.svg``), and
    the problems. Without Graphviz's ``dot`` program the DOT text is shown instead and the
    missing program is the one problem: the docs set-up installs it."""
    written = viz.write_tutorial_graphs(directory)
    cells = {c.number: c for c in runner.load().cells}
    parts, problems = [], []
    for dot_path in sorted(p for p in written if p.suffix == ".dot"):
        number = int(dot_path.stem.split("_")[1])
        parts.append(f"**In [{number}]**\n\n```python\n{cells[number].code}\n```")
        svg = dot_path.with_suffix(".svg")
        if svg in written:
            parts.append(f"![The graph after In [{number}]]({link_prefix}/{svg.name})")
        else:
            parts.append(f"```text\n{dot_path.read_text(encoding='utf-8').rstrip()}\n```")
    if not any(p.suffix == ".svg" for p in written):
        problems.append("Graphviz's `dot` program (or the graphviz package) is missing")
    return "\n\n".join(parts) + "\n", problems
