"""The ``retrograd`` command line (also ``python -m retrograd``).

``retrograd tutorial [--backend NAME] [--lang {es,en}] [--seed N]`` replays the seed
autograd tutorial and prints it the way the notebook shows it. Exit status: 0 when every
cell ran, 1 when a cell raised, 2 for a usage error or an unknown/unusable backend.
"""

from __future__ import annotations

import argparse
import os
import sys

from .plugins.registry import UnknownBackendError
from .tutorial import runner


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="retrograd", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    tutorial = commands.add_parser(
        "tutorial", help="replay the seed autograd tutorial, printing it like the notebook"
    )
    tutorial.add_argument(
        "--backend", metavar="NAME", help="backend to run on (default: the default)"
    )
    tutorial.add_argument("--lang", choices=runner.LANGS, default="es", help="prose language")
    tutorial.add_argument("--seed", type=int, help="call retrograd.manual_seed(N) first")
    return parser


def _tutorial(args: argparse.Namespace) -> int:
    try:
        replay = runner.run(backend=args.backend, lang=args.lang, seed=args.seed)
    except UnknownBackendError as exc:
        print(f"retrograd tutorial: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader left (`| head`): stop quietly, and keep Python's exit-time flush of
        # stdout from raising again (the recipe in the `signal` module's docs).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    for number, error in replay.errors.items():
        print(f"retrograd tutorial: In [{number}] raised {error}", file=sys.stderr)
    return 1 if replay.errors else 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the status."""
    args = _parser().parse_args(argv)
    return {"tutorial": _tutorial}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
