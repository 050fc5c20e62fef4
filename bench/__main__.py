"""``python -m bench``: the whole suite (see :mod:`bench.suite`)."""

from .suite import main

main()
