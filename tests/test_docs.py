"""The docs: examples executed (the mechanism the Sphinx build uses), generated pages
complete, and a drifting example fails the build."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import retrograd

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS / "_ext"))
import doc_examples  # noqa: E402 - docs/_ext is not a package
import generated_pages  # noqa: E402

PAGES = sorted(p for p in DOCS.glob("*.md") if doc_examples.has_examples(p.read_text("utf-8")))


def test_docs_have_executed_examples():
    assert {p.name for p in PAGES} >= {"quickstart.md", "plugins.md"}


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples_run_as_shown(page: Path):
    text = page.read_text(encoding="utf-8")
    missing = doc_examples.missing_backends(text)
    if missing:
        pytest.skip(f"{page.name} needs backends {missing}, unusable here")
    outcome = doc_examples.run(text, page.name)
    assert outcome.attempted > 0
    assert outcome.failed == 0, f"examples in {page.name} drifted:\n{outcome.report}"


def test_every_page_is_in_the_toctree():
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    toctree = index.split("```{toctree}")[1].split("```")[0].split()
    assert {p.stem for p in DOCS.glob("*.md")} - {"index"} == set(toctree) - {":maxdepth:", "1"}


# --- generated pages -----------------------------------------------------------------------


def test_every_public_name_is_on_the_api_and_from_pytorch_pages():
    api, from_pytorch = generated_pages.api_reference(), generated_pages.from_pytorch()
    for title, names in generated_pages.all_public().items():
        prefix = generated_pages.NAMESPACES[title][0]
        assert names, title
        for name in names:
            assert f"| `{name}` |" in api, f"{title}.{name} is not in the API reference"
            assert f"`{prefix}{name}`" in from_pytorch, f"{prefix}{name} is not listed"


def test_the_op_functions_are_documented_from_their_records():
    api = generated_pages.api_reference()
    for record in retrograd.ops.RECORDS:
        if record.name in retrograd.ops.FUNCTIONS and record.grad_fn:
            assert f"op record `{record.name}` ({record.kind}), `{record.grad_fn}`" in api


def _exists(qualified: str) -> bool:
    head, *rest = qualified.split(".")
    value = {"torch": retrograd, "Tensor": retrograd.Tensor}[head]
    for part in rest:
        if not hasattr(value, part):
            return False
        value = getattr(value, part)
    return True


def test_nothing_listed_as_unsupported_exists():
    for entries in generated_pages.not_supported().values():
        for name in entries:
            assert not _exists(name), f"{name} exists now: take it off not_supported.toml"


TENSOR_AUTOGRAD = ["requires_grad", "grad", "grad_fn", "is_leaf", "retain_grad", "retains_grad",
                   "register_hook", "register_post_accumulate_grad_hook", "backward", "detach",
                   "detach_", "requires_grad_", "data", "output_nr"]  # fmt: skip


def test_every_pytorch_autograd_name_is_on_the_from_pytorch_page():
    torch = pytest.importorskip("torch")
    page = generated_pages.from_pytorch()
    names = [f"torch.autograd.{n}" for n in torch.autograd.__all__]
    names += [f"Tensor.{n}" for n in TENSOR_AUTOGRAD if hasattr(torch.Tensor, n)]
    missing = [n for n in names if f"`{n}`" not in page]
    assert not missing, f"add these to docs/_ext/not_supported.toml or implement them: {missing}"


def test_the_tutorial_pages_come_from_running_it():
    for lang in ("es", "en"):
        text, problems = generated_pages.tutorial(lang)
        assert problems == []
        assert "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)" in text
        assert text.count("# In [") == len(retrograd.tutorial.load().cells)


# --- the Sphinx build -----------------------------------------------------------------------

_BAD_PAGE = """
# Page

```pycon
>>> import retrograd
>>> retrograd.ones(2).tolist()
[1.0, 2.0]

```
"""


def test_a_drifting_example_fails_the_sphinx_build(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    (tmp_path / "conf.py").write_text(
        textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(DOCS / "_ext")!r})
        extensions = ["myst_parser", "retrograd_sphinx"]
    """)
    )
    (tmp_path / "index.md").write_text(_BAD_PAGE)
    command = [sys.executable, "-m", "sphinx", "-W", "-E", "-q", "-b", "html", str(tmp_path),
               str(tmp_path / "_build")]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "1 of 2 example(s) drifted" in result.stderr and "[1.0, 1.0]" in result.stderr
    (tmp_path / "index.md").write_text(_BAD_PAGE.replace("[1.0, 2.0]", "[1.0, 1.0]"))
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_the_tutorial_graphs_section_shows_each_cells_graph(tmp_path):
    """Each tutorial cell that builds a graph gets its code and its picture (the DOT text
    where Graphviz is missing, with the missing program reported)."""
    text, problems = generated_pages.tutorial_graphs(tmp_path, "pictures")
    dots = sorted(p.name for p in tmp_path.glob("cell_*.dot"))
    assert dots, "the seed tutorial builds graphs: none was drawn"
    for name in dots:
        number = int(name[5:7])
        assert f"**In [{number}]**" in text
    svgs = sorted(tmp_path.glob("cell_*.svg"))
    if svgs:
        assert problems == []
        assert text.count("](pictures/cell_") == len(dots) == len(svgs)
        assert all(p.read_text("utf-8").lstrip().startswith("<?xml") for p in svgs)
    else:
        assert problems and "dot" in problems[0]
        assert text.count("digraph {") == len(dots)
