"""The ``retrograd`` command line (also ``python -m retrograd``).

- ``retrograd tutorial [--backend NAME] [--lang {es,en}] [--seed N] [--graph DIR]``
  replays the seed autograd tutorial and prints it the way the notebook shows it (with
  ``--graph``, it also writes each cell's backward graph to DIR);
- ``retrograd graph DIR [--backend NAME]`` writes the tutorial's backward graphs (DOT
  files, and SVG pictures where the ``graphviz`` package and its ``dot`` program are
  installed), as ``retrograd.viz.make_dot`` draws them;
- ``retrograd backends`` prints the installed backends as a table (the default marked);
- ``retrograd conformance BACKEND [PYTEST ARGS]`` runs the conformance plugin on a
  backend, as a third-party backend's author would, and writes its report;
- ``retrograd --version``.

Exit status: 0 on success, 1 when a tutorial cell raised or a conformance test failed
(pytest's own status otherwise), 2 for a usage error or an unknown or unusable backend
(also one named by ``$RETROGRAD_BACKEND``, which the command line refuses rather than
replacing, because a person asked for it: see ``retrograd.plugins.environment``).
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from . import __version__, viz
from .plugins import environment
from .plugins.registry import ENV_VAR, UnknownBackendError, backends
from .tutorial import runner

DESCRIPTION = "retrograd: PyTorch's autograd on the array library of your choice."
EPILOG = """\
exit status: 0 success; 1 a tutorial cell raised or a conformance test failed;
2 a usage error or an unknown or unusable backend."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="retrograd",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"retrograd {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    tutorial = commands.add_parser(
        "tutorial", help="replay the seed autograd tutorial, printing it like the notebook"
    )
    tutorial.add_argument(
        "--backend", metavar="NAME", help="backend to run on (default: the default backend)"
    )
    tutorial.add_argument("--lang", choices=runner.LANGS, default="es", help="prose language")
    tutorial.add_argument("--seed", type=int, help="call retrograd.manual_seed(N) first")
    tutorial.add_argument("--graph", metavar="DIR", help="also write each cell's graph to DIR")
    graph = commands.add_parser(
        "graph", help="write the tutorial's backward graphs (DOT, and SVG where graphviz is)"
    )
    graph.add_argument("directory", metavar="DIR", help="where to write cell_NN.dot/.svg")
    graph.add_argument("--backend", metavar="NAME", help="backend to run the tutorial on")
    commands.add_parser(
        "backends", help="list the installed backends, whether each runs here (default marked *)"
    )
    conformance = commands.add_parser(
        "conformance",
        help="run the conformance suite on a backend (needs pytest: the 'test' extra)",
        description="Run the conformance plugin on BACKEND; PYTEST_ARGS go to pytest "
        "(e.g. -n 2, -x, -k sin). The report is written to "
        "retrograd-conformance-BACKEND.json and .md unless --retrograd-report is given.",
    )
    conformance.add_argument("backend", metavar="BACKEND", help="the backend to check")
    conformance.add_argument("pytest_args", nargs=argparse.REMAINDER, metavar="PYTEST_ARGS")
    return parser


def _error(command: str, message: str) -> int:
    print(f"retrograd {command}: {message}", file=sys.stderr)
    return 2


def _environment_refused(command: str) -> int | None:
    """Status 2 if ``$RETROGRAD_BACKEND`` was bad (import warned, with the list)."""
    problem = environment.problem()
    if problem is None:
        return None
    head = problem.splitlines()[0].partition("; retrograd uses")[0]
    return _error(command, f"{head}; unset {ENV_VAR} or pass --backend NAME")


def _tutorial(args: argparse.Namespace) -> int:
    if args.backend is None and (refused := _environment_refused("tutorial")) is not None:
        return refused
    try:
        replay = runner.run(backend=args.backend, lang=args.lang, seed=args.seed)
    except UnknownBackendError as exc:
        return _error("tutorial", str(exc))
    for number, error in replay.errors.items():
        print(f"retrograd tutorial: In [{number}] raised {error}", file=sys.stderr)
    if args.graph is not None:
        _write_graphs(args.graph, args.backend)
    return 1 if replay.errors else 0


def _write_graphs(directory: str, backend: str | None) -> None:
    for path in viz.write_tutorial_graphs(directory, backend=backend):
        print(f"wrote {path}", file=sys.stderr)


def _graph(args: argparse.Namespace) -> int:
    if args.backend is None and (refused := _environment_refused("graph")) is not None:
        return refused
    try:
        _write_graphs(args.directory, args.backend)
    except UnknownBackendError as exc:
        return _error("graph", str(exc))
    return 0


def _backends(args: argparse.Namespace) -> int:
    print(backends())
    return 0


def _conformance_command(backend: str, pytest_args: list[str]) -> list[str]:
    command = [sys.executable, "-m", "pytest", "-p", "retrograd_conformance", "--pyargs",
               "retrograd_conformance", "--retrograd-backend", backend]  # fmt: skip
    if not any(a.startswith("--retrograd-report") for a in pytest_args):
        command += ["--retrograd-report", f"retrograd-conformance-{backend}.json"]
    return [*command, *pytest_args]


def _conformance(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("pytest") is None:
        return _error("conformance", "needs pytest: pip install 'retrograd[test]'")
    rows = {row.name: row for row in backends()}
    if args.backend not in rows:
        return _error("conformance", f"unknown backend '{args.backend}'; installed:\n{backends()}")
    if not rows[args.backend].usable:
        return _error("conformance", f"backend '{args.backend}' {rows[args.backend].state}")
    command = _conformance_command(args.backend, args.pytest_args)
    print(f"retrograd conformance: checking backend '{args.backend}':", " ".join(command[1:]))
    sys.stdout.flush()
    return subprocess.run(command).returncode


def _shadowed() -> bool:
    """Whether ``python`` run here would import a folder ``./retrograd`` instead of the
    installed package: an editable install is found through an import hook, which
    Python asks only after the current directory; a regular install wins over a folder."""
    folder = Path.cwd() / "retrograd"
    if not folder.is_dir() or (folder / "__init__.py").exists():
        return False
    here = {"", ".", os.getcwd()}
    entries = [p for p in sys.path if p not in here]
    spec = importlib.machinery.PathFinder.find_spec("retrograd", entries)
    return spec is None or spec.origin is None


def _shadow_note() -> None:
    """Say it when ``./retrograd`` hides the installed package from ``python`` run here
    (e.g. the folder a clone was made in); this command itself is not affected."""
    if _shadowed():
        print(
            "retrograd: note: the folder ./retrograd hides the installed retrograd from "
            "'python' run in this directory: 'import retrograd' there gets the folder, "
            "and retrograd.ones and the rest do not exist (AttributeError); run Python from "
            "another directory",
            file=sys.stderr,
        )


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the status."""
    _shadow_note()
    args = _parser().parse_args(argv)
    commands = {
        "tutorial": _tutorial, "graph": _graph, "backends": _backends, "conformance": _conformance,
    }  # fmt: skip
    try:
        return commands[args.command](args)
    except BrokenPipeError:
        # The reader left (`| head`): stop quietly, and keep Python's exit-time flush of
        # stdout from raising again (the recipe in the `signal` module's docs).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
