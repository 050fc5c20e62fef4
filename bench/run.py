"""``python bench/run.py [options]``: the same as ``python -m bench [options]``."""

import sys
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself: put the repository root there instead,
# so ``bench`` is a package and its modules do not shadow top-level names.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.suite import main  # noqa: E402  (bench pins threads before NumPy loads)

if __name__ == "__main__":
    main()
