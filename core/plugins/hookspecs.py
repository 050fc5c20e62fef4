"""The hooks a retrograd plugin may implement (pytest style: documented stubs).

A plugin is any module or object with functions marked ``@retrograd.plugins.hookimpl``,
announced by an entry point in the group ``retrograd`` of its distribution::

    [project.entry-points.retrograd]
    mybackend = "my_package.plugin"

pluggy validates every implementation against these specs when it registers, and
``check_pending()`` rejects a hook name that matches no spec (a misspelling).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("retrograd")


@hookspec
def retrograd_register_backends() -> list[Any]:
    """Return the backends this plugin provides, as ``retrograd.backend.BackendSpec``.

    Called once, when retrograd first needs its list of backends. The array library
    must not be imported here: put that in ``BackendSpec.load``. Two plugins returning
    the same backend name is an error that names both.
    """


@hookspec
def retrograd_kernels(backend: Any) -> dict[str, Callable[..., Any]] | None:
    """Return kernels that replace or add to ``backend.kernels``, or None.

    Called when ``backend`` (a ``retrograd.backend.Backend``) is first loaded and again
    whenever a plugin is registered or unregistered, so removing the plugin restores
    the original kernels. When several plugins override one kernel, the one registered
    last wins.
    """


@hookspec(firstresult=True)
def retrograd_lower_program(
    backend: Any,
    function: Callable[..., tuple],
    example_args: tuple,
    donate_argnums: tuple[int, ...],
    mutated_argnums: tuple[int, ...],
    mode: str,
) -> Callable[..., tuple] | None:
    """Return a faster equivalent of ``function``, a compiled step's kernel calls on
    ``backend``, or None to keep it (``retrograd.compile`` asks once per recording).

    ``function`` takes arrays of ``backend`` and Python floats and returns a tuple of
    arrays; it calls only ``backend``'s kernels (host reads and host kernels run outside
    it). On an immutable backend it is pure; on a mutable one it writes into the
    arguments at ``mutated_argnums`` (an optimizer's in-place update), and nothing else.
    ``example_args`` are arguments of the right shapes and dtypes, to trace with.
    ``donate_argnums``: the positions of arguments the step replaces (parameters,
    optimizer state), each with an output of its shape and dtype; the caller never uses
    them after the call, so the returned function may reuse their memory for its
    outputs (an implementation may ignore this). ``mode`` is ``retrograd.compile``'s:
    ``"reduce-overhead"`` where the user asked for device graphs, else ``"default"`` (or
    the other mode named). The JAX backend returns ``jax.jit(function,
    donate_argnums=donate_argnums)``; the CuPy backend, in ``"reduce-overhead"`` mode, a
    :class:`retrograd.compiler.graphs.GraphedBody` that launches a captured CUDA graph.
    An implementation may take only the arguments it reads. The first implementation
    that returns a function wins; one that cannot lower this function returns None.
    """


@hookspec(firstresult=True)
def retrograd_elementwise_fusion(backend: Any) -> Any:
    """Return a ``retrograd.compiler.fusion.ElementwiseFusion`` for ``backend``, or None.

    It names the formula of each of the backend's elementwise kernels (``"multiply"``:
    inputs ``("a", "b")``, expression ``"a * b"``, in the expression language of
    :mod:`retrograd_backends.cupy_fused`) and builds one kernel from an expression
    composed of them. ``retrograd.compile`` then replays a run of such calls, where each
    intermediate has one reader, as one built kernel (the CuPy backend: one
    ``cupy.ElementwiseKernel``). A backend whose kernels are as fast one at a time
    (NumPy) returns None, and its replay runs the recorded kernels themselves.
    """
