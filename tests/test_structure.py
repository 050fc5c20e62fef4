"""The package's structure: layers, no import cycle, imports at the top of each file.

Covers the ``retrograd`` package (``core/``), read from the source (the AST of each
module), not by importing it: a cycle Python happens to survive still fails here.

- An import graph from each module's module-level imports (``if``/``try`` blocks at
  module level included, ``if TYPE_CHECKING:`` left out). Importing ``a.b.c`` from a
  module outside package ``a.b`` first runs ``a/b/__init__.py``, so that is an edge too
  (the root package ``retrograd``, the public namespace on top of everything, excepted).
- The graph has no cycle, and every edge goes down or across the layers of
  :data:`LAYERS` (``docs/design.md`` draws them); a module not listed counts as the top
  layer, so nothing below may import it.
- Imports inside functions and classes are only the lazy ones of heavy optional array
  libraries (JAX, CuPy), which importing retrograd must not load.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import retrograd

ROOT = Path(retrograd.__file__).parent
PACKAGE = "retrograd"

# Lowest first. A module belongs to the layer of its longest listed prefix.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", (
        "retrograd.constants", "retrograd.dtypes", "retrograd.layouts", "retrograd.size",
        "retrograd.hooks",
        "retrograd.grad_mode", "retrograd.backend", "retrograd.plugins",
        "retrograd.device", "retrograd.storage", "retrograd.printing",
        "retrograd.anomaly_mode", "retrograd.ieee", "retrograd.spacing",
        "retrograd.mt19937", "retrograd.simd_math",
        "retrograd.saved_tensors", "retrograd.pytree", "retrograd.dual", "retrograd.scalar_reads",
        "retrograd.batching", "retrograd.batching_rules", "retrograd.batching_indexing",
        "retrograd.batching_random",
    )),
    ("tensor/graph", (
        "retrograd.tensor", "retrograd.graph", "retrograd.creation", "retrograd.legacy",
        "retrograd.interop", "retrograd.arguments", "retrograd.signatures",
        "retrograd.materialize",
        "retrograd.generator", "retrograd.sampling", "retrograd.torch_pickle",
    )),
    ("ops", ("retrograd.ops", "retrograd.random")),
    ("engine", (
        "retrograd.engine", "retrograd.hook_results", "retrograd.autograd",
        "retrograd.commit", "retrograd.reentrant", "retrograd.vmap",
    )),
    ("nn", ("retrograd.nn", "retrograd.optim", "retrograd.utils", "retrograd.serialization")),
    ("public namespace", (
        "retrograd", "retrograd.ops.catalog", "retrograd._stubgen", "retrograd.cuda",
        "retrograd.tutorial", "retrograd.__main__", "retrograd.compiler",
    )),
)  # fmt: skip

# Libraries a function may import: heavy, optional, and loaded on first use only.
LAZY_LIBRARIES = {"jax", "jaxlib", "cupy"}
# Function-level imports allowed for now, each with the reason (none today): an entry that
# no longer matches an import fails test_pending_exceptions_still_exist.
PENDING: set[tuple[str, str]] = set()


def module_names(root: Path, package: str) -> dict[str, tuple[Path, bool]]:
    """Every module under ``root`` as ``{dotted name: (path, is_package)}``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports run when the module loads: at module level, in ``if``/``try`` blocks
    there, but not under ``if TYPE_CHECKING:``."""
    found, pending = [], list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            pending += [n for h in node.handlers for n in h.body]
    return found


def _targets(node: ast.AST, module: str, is_package: bool, modules: dict) -> set[str]:
    """The modules of the package an import statement runs, explicit and implied."""
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    else:
        base = _absolute(node, module, is_package)
        names = {f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names}
    found = set()
    for name in names:
        if not name.startswith(module.split(".")[0] + "."):
            continue  # outside the package
        parts = name.split(".")
        for i in range(2, len(parts) + 1):  # the root package is the top layer: skipped
            target = ".".join(parts[:i])
            inside = module == target or module.startswith(target + ".")
            if target in modules and (i == len(parts) or not inside):
                found.add(target)
    found.discard(module)
    return found


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    """``{module: modules it imports when it loads}`` for the package under ``root``."""
    modules = module_names(root, package)
    graph = {}
    for module, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        graph[module] = set().union(
            *(_targets(n, module, is_package, modules) for n in _top_level_imports(tree))
        )
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as ``[a, b, ..., a]``, or None (iterative DFS)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if start in state:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(child) == 1:
                return path[path.index(child) :] + [child]
            elif child not in state and child in graph:
                state[child] = 1
                path.append(child)
                stack.append(iter(sorted(graph[child])))
    return None


def layer_of(module: str) -> int:
    best, rank = -1, len(LAYERS) - 1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    return rank


def function_level_imports(root: Path = ROOT, package: str = PACKAGE) -> list[tuple]:
    """``(module, imported name, line)`` for each import inside a function or class."""
    found = []
    for module, (path, is_package) in module_names(root, package).items():
        tree = ast.parse(path.read_text(), str(path))
        top = {id(n) for n in _top_level_imports(tree)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top:
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    base = _absolute(node, module, is_package)
                    names = [f"{base}.{a.name}" for a in node.names]
                if _under_type_checking(tree, node):
                    continue
                found += [(module, name, node.lineno) for name in names]
    return found


def _under_type_checking(tree: ast.Module, target: ast.AST) -> bool:
    for node in tree.body:
        if (
            isinstance(node, ast.If)
            and "TYPE_CHECKING" in ast.unparse(node.test)
            and any(child is target for child in ast.walk(node))
        ):
            return True
    return False


# -- the checks --------------------------------------------------------------------------
def test_no_module_level_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_imports_go_down_the_layers():
    graph = import_graph()
    upward = [
        f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
        for m, targets in sorted(graph.items())
        for t in sorted(targets)
        if layer_of(t) > layer_of(m)
    ]
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def test_function_level_imports_are_only_lazy_optional_libraries():
    bad = [
        f"{module}:{line} imports {name}"
        for module, name, line in function_level_imports()
        if name.split(".")[0] not in LAZY_LIBRARIES and (module, name) not in PENDING
    ]
    assert not bad, "imports inside functions (move them to the top):\n" + "\n".join(bad)


def test_pending_exceptions_still_exist():
    """An exception that no longer matches anything must be removed from PENDING."""
    found = {(module, name) for module, name, _ in function_level_imports()}
    assert found >= PENDING, f"stale PENDING entries: {sorted(PENDING - found)}"


@pytest.fixture
def cyclic_package(tmp_path: Path) -> Path:
    """A package ``pkg`` where a imports b, b imports c lazily, c imports a through the
    package ``__init__``: one module-level cycle (pkg.a -> pkg.sub.b -> pkg.a)."""
    (tmp_path / "sub").mkdir()
    files = {
        "__init__.py": "",
        "a.py": "from .sub import b\n",
        "sub/__init__.py": "from . import b\n",
        "sub/b.py": "from .. import a\n\ndef f():\n    from .. import c\n",
        "c.py": "import os\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_checks_can_fail(cyclic_package: Path):
    graph = import_graph(cyclic_package, "pkg")
    assert graph["pkg.a"] == {"pkg.sub", "pkg.sub.b"}
    assert find_cycle(graph) in (
        ["pkg.a", "pkg.sub", "pkg.sub.b", "pkg.a"],
        ["pkg.a", "pkg.sub.b", "pkg.a"],
    )
    assert function_level_imports(cyclic_package, "pkg") == [("pkg.sub.b", "pkg.c", 4)]
    assert find_cycle({"x": {"y"}, "y": set()}) is None
