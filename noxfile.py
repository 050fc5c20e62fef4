"""Cross-backend test sessions (uv-backed virtual environments).

``nox -s tests`` runs the whole test suite once per backend, with that backend as the
default (``RETROGRAD_BACKEND``): ``tests(backend='numpy')``, ``tests(backend='jax')`` and
``tests(backend='cupy')``. The CuPy session skips, before installing anything, on a
machine without an NVIDIA GPU. ``nox -s conformance`` runs the conformance plugin per
backend, ``nox -s bench`` the benchmarks, ``nox -s lint`` ruff, ``nox -s docs`` the
documentation (Sphinx, warnings as errors, every example executed), ``nox -s gpu`` the
one-command GPU check (in the current environment, where CuPy is installed).

uv does not read pip's configuration: ``PIP_FIND_LINKS`` (where this machine keeps its
local wheels, e.g. the CPU build of torch) is handed to uv as ``UV_FIND_LINKS``, so the
test oracle comes from local disk instead of a multi-GB CUDA download.
"""

from __future__ import annotations

import glob
import os
import shutil

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "tests"]

BACKENDS = ["numpy", "jax", "cupy"]
EXTRAS = {"numpy": "test", "jax": "test,jax", "cupy": "test,cupy"}
EXAMPLE = "examples/retrograd-array-api-strict"  # the third-party plugin the tests install
# Dask has its own session (nox -s dask): the whole suite targets eager backends.
EXTRAS["dask"] = "test,dask"


def _no_gpu_reason() -> str | None:
    """Why CuPy cannot run here (None if an NVIDIA GPU seems present); cheap, no imports."""
    if shutil.which("nvidia-smi") or glob.glob("/dev/nvidia[0-9]*"):
        return None
    return "no GPU is present (no nvidia-smi, no /dev/nvidia*): CuPy needs an NVIDIA GPU"


def _uv_env() -> dict[str, str]:
    links = os.environ.get("UV_FIND_LINKS") or os.environ.get("PIP_FIND_LINKS")
    return {"UV_FIND_LINKS": links} if links else {}


@nox.session
@nox.parametrize("backend", BACKENDS)
def tests(session: nox.Session, backend: str) -> None:
    """The pytest suite with ``backend`` as the default backend."""
    if backend == "cupy" and (reason := _no_gpu_reason()):
        session.skip(reason)
    env = _uv_env()
    # setuptools: tests/test_third_party.py builds its plugin packages offline with it.
    session.install("-e", f".[{EXTRAS[backend]}]", "setuptools", env=env)
    session.install("-e", EXAMPLE, env=env)
    session.run("pytest", *session.posargs, env={"RETROGRAD_BACKEND": backend})


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
@nox.parametrize("backend", BACKENDS)
def conformance(session: nox.Session, backend: str) -> None:
    """The conformance plugin run on ``backend`` (the same command a third party uses)."""
    if backend == "cupy" and (reason := _no_gpu_reason()):
        session.skip(reason)
    session.install("-e", f".[{EXTRAS[backend]}]", env=_uv_env())
    session.run(
        "pytest", "-p", "retrograd_conformance", "--pyargs", "retrograd_conformance",
        "--retrograd-backend", backend, *session.posargs,
    )  # fmt: skip


@nox.session
def docs(session: nox.Session) -> None:
    """The site into docs/_build/html: warnings are errors, every example is executed
    (a drifting one fails the build); posargs go to sphinx-build. Graphviz's ``dot``
    program, a system package, must be installed: the tutorial's graphs are drawn."""
    session.install("-e", ".[docs]", env=_uv_env())
    session.run("sphinx-build", "-W", "--keep-going", "-E", "-b", "html", "docs",
                "docs/_build/html", *session.posargs)  # fmt: skip


@nox.session(venv_backend="virtualenv")  # pip: torch==2.13.0 installs from local disk
def bench(session: nox.Session) -> None:
    """The benchmark suite (bench/): markdown tables on stdout; posargs go to it."""
    session.install("-e", ".[test,jax]", "threadpoolctl")
    session.run("python", "-m", "bench", *session.posargs)


@nox.session(venv_backend="virtualenv")  # pip: torch==2.13.0 installs from local disk
def dask(session: nox.Session) -> None:
    """The Dask backend: its tests (a LocalCluster included), its conformance run on
    chunks of two elements, and ``--bench`` its workloads (bench/dask_workloads.py)."""
    session.install("-e", f".[{EXTRAS['dask']}]")
    if "--bench" in session.posargs:
        session.run("python", "-m", "bench.dask_workloads")
        return
    session.run("pytest", "tests/test_dask.py", "tests/test_dask_distributed.py")
    session.run("pytest", "-p", "retrograd_conformance", "--pyargs", "retrograd_conformance",
                "--retrograd-backend", "dask", "--retrograd-chunks", "2",
                *session.posargs)  # fmt: skip


@nox.session(venv_backend="none")  # the current environment: CuPy comes preinstalled there
def gpu(session: nox.Session) -> None:
    """The one-command GPU check (``python -m bench.gpu_check``, under 5 minutes): the
    GPU, the suite and the conformance plugin on CuPy, the GPU benchmark; a markdown
    report in ``gpu-report/`` (posargs: ``--out DIR``). Skips without an NVIDIA GPU."""
    if reason := _no_gpu_reason():
        session.skip(reason)
    session.run("python", "-m", "bench.gpu_check", *session.posargs)
