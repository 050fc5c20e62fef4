"""``python bench/hot_path.py``: the hot path alone (op call and backward step, per op).

Now a view of the suite's W2 workload (a chain of 20,000 multiplies on 16 floats,
forward and backward per op, interleaved with the NumPy limit and PyTorch, one thread):
the same as ``python -m bench --only W2 --quick``. Add ``--repeats N`` for more samples.
"""

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.suite import main  # noqa: E402  (bench pins threads before NumPy loads)

if __name__ == "__main__":
    main(["--only", "W2", "--quick", *sys.argv[1:]])
