"""``python -m retrograd`` run from the folder that holds a checkout named ``retrograd``.

With an editable install (found through an import hook, which Python asks only after
the current directory), ``retrograd`` there is this checkout's root folder (a namespace
package: the package's code lives in ``core/``), and this file runs as
``retrograd.__main__``. It steps aside: it takes the current directory off ``sys.path``,
imports the installed retrograd and runs its command line, which notes what happened on
stderr. (A plain ``import retrograd`` in that directory still finds the folder, and
``retrograd.ones`` does not exist there; the note says so.) Not part of the installed
package.
"""

import os
import sys

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(here)]
    for name in [m for m in sys.modules if m == "retrograd" or m.startswith("retrograd.")]:
        del sys.modules[name]
    try:
        from retrograd.__main__ import main
    except ImportError:
        sys.exit(
            "retrograd: 'python -m retrograd' found the folder ./retrograd (a checkout), and "
            "no installed retrograd: install it first (pip install ./retrograd)"
        )
    sys.exit(main())
