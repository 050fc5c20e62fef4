"""Start-up traps a newcomer meets: a shadowing folder, unknown devices, CUDA without a
GPU, and NumPy's RuntimeWarnings escaping retrograd's filter."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import retrograd

ROOT = Path(__file__).resolve().parents[1]


def _python(*args: str, cwd: Path | None = None, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RETROGRAD_BACKEND"} | extra
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)  # fmt: skip


# --- a folder named retrograd in the current directory -----------------------------------


@pytest.fixture
def parent_of_a_checkout(tmp_path: Path) -> Path:
    """A directory holding a folder ``retrograd`` laid out like a checkout's root."""
    checkout = tmp_path / "retrograd"
    (checkout / "core").mkdir(parents=True)
    (checkout / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    return tmp_path


# An editable install (this checkout's core/ is the package) is found through an import
# hook, which Python asks after the current directory; a regular install is not shadowed.
EDITABLE = Path(retrograd.__file__).resolve().parent == ROOT / "core"


def test_the_folder_shadows_a_plain_import_of_an_editable_install(parent_of_a_checkout):
    """What can not be helped: Python imports the folder (a namespace package)."""
    code = "import retrograd; print(retrograd.__file__, hasattr(retrograd, 'ones'))"
    result = _python("-c", code, cwd=parent_of_a_checkout)
    shadowed = ["None", "False"]
    assert (result.stdout.split() == shadowed) == EDITABLE, result.stdout + result.stderr


def test_python_m_retrograd_runs_the_installed_one_and_says_what_happened(parent_of_a_checkout):
    result = _python("-m", "retrograd", "--version", cwd=parent_of_a_checkout)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"retrograd {retrograd.__version__}\n"
    note = "the folder ./retrograd hides the installed retrograd"
    assert (note in result.stderr and "AttributeError" in result.stderr) == EDITABLE


def test_no_note_without_the_folder(tmp_path):
    result = _python("-m", "retrograd", "--version", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


# --- devices -------------------------------------------------------------------------------


def _error(call) -> BaseException:
    try:
        call()
    except Exception as exc:
        return exc
    raise AssertionError("no error raised")


@pytest.mark.parametrize("how", ["device", "factory", "to"])
def test_an_unknown_device_type_is_pytorchs_error(how):
    torch = pytest.importorskip("torch")
    calls = {
        "device": (lambda m: m.device("tpu")),
        "factory": (lambda m: m.ones(1, device="tpu")),
        "to": (lambda m: m.ones(1).to("tpu")),
    }
    theirs, ours = _error(lambda: calls[how](torch)), _error(lambda: calls[how](retrograd))
    assert type(theirs) is RuntimeError and isinstance(ours, RuntimeError)
    assert str(ours).startswith(str(theirs))
    assert all(b.name in str(ours) for b in retrograd.backends())


def _cuda_usable() -> bool:
    return {b.name: b for b in retrograd.backends()}["cupy"].usable


@pytest.mark.skipif("_cuda_usable()", reason="CuPy runs here")
@pytest.mark.parametrize("how", ["device=", "to", "cuda()"])
def test_cuda_without_a_usable_cupy_is_pytorchs_error_and_says_why(how):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this PyTorch has CUDA: its error is not the one of a machine without")
    calls = {
        "device=": (lambda m: m.ones(1, device="cuda")),
        "to": (lambda m: m.ones(1).to("cuda:0")),
        "cuda()": (lambda m: m.ones(1).cuda()),
    }
    theirs, ours = _error(lambda: calls[how](torch)), _error(lambda: calls[how](retrograd))
    assert isinstance(ours, type(theirs)), (type(ours), type(theirs))
    assert str(ours).startswith(str(theirs))
    reason = {b.name: b for b in retrograd.backends()}["cupy"].reason
    assert reason in str(ours)
    assert isinstance(ours, retrograd.plugins.UnknownBackendError)


# --- NumPy's RuntimeWarnings ------------------------------------------------------------------

_WARNING_OPS = """
import warnings, retrograd
{setup}
x = retrograd.tensor([2.0, -3.0, 0.0], requires_grad=True, backend="numpy")
ys = [x.arcsin(), x.arccos(), 1 / x, x.log(), x.sqrt()]
sum(y.sum() for y in ys).backward()
print([y.tolist()[0] for y in ys])
"""


@pytest.mark.parametrize(
    "setup",
    [
        "warnings.simplefilter('error')",  # after import: ahead of retrograd's filter
        "warnings.catch_warnings().__enter__(); warnings.simplefilter('error')",
        "warnings.resetwarnings(); warnings.simplefilter('error')",
    ],
)
def test_ops_raise_no_runtime_warning_whatever_the_filters(setup):
    result = _python("-W", "error", "-c", _WARNING_OPS.format(setup=setup))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[nan, nan, 0.5, 0.6931471824645996, 1.4142135381698608]"


def test_under_pytest_dash_w_error_no_warning_escapes(tmp_path):
    """pytest runs collection and each test inside catch_warnings blocks: a filter
    installed when a test module imports retrograd was gone by the time tests ran."""
    test_file = tmp_path / "test_warns.py"
    test_file.write_text(
        textwrap.dedent("""
        import retrograd

        X = retrograd.tensor([2.0, -2.0], backend="numpy")

        def test_out_of_domain():
            assert X.arcsin().isnan().all() and X.arccos().isnan().all()
            assert (X / 0).isinf().all()
    """)
    )
    # Without the environment's other pytest plugins: their own warnings are not the point.
    result = _python("-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider",
                     str(test_file), cwd=tmp_path, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"\b1 passed\b", result.stdout) and "warning" not in result.stdout


def test_the_users_own_numpy_still_warns():
    code = "import warnings, numpy as np, retrograd\nwarnings.simplefilter('error')\n"
    code += "try:\n    np.log(np.array([-1.0]))\nexcept RuntimeWarning as w:\n    print(w)"
    result = _python("-c", code)
    assert result.stdout.strip() == "invalid value encountered in log", result.stderr
