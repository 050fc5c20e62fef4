"""In-place view ops: ``t_``, ``transpose_``, ``squeeze_``, ``unsqueeze_``.

PyTorch's in-place view ops change a tensor's shape, not its data: the tensor becomes
the view its out-of-place twin would return (same memory, same version counter), its
version is bumped, and while a graph is recorded its history is rebased onto the
in-place op's own node (``TBackward1``, ``TransposeBackward1``, ``SqueezeBackward3/4/5``,
``UnsqueezeBackward1``). The tensor takes the view's Storage; tensors that shared the
old one (``detach()``, ``.data``) keep their shape, as in PyTorch. A tensor that was
not a view stays one that is not (``_base`` None); a view stays a view of its base,
re-derived from it by the composed view steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import dual
from ..tensor import Tensor
from .inplace import check_inplace, check_inplace_allowed_for_inference, rebases_base
from .record import SHAPE, OpRecord
from .shape import (
    SQUEEZE_DIM_,
    _reshaped,
    squeeze_with,
    t_with,
    transpose_with,
    unsqueeze_with,
)

T_ = OpRecord("t_", SHAPE, "TBackward1", "permute_dims", grads=(lambda g: g.t(),),
              jvp=lambda us, out: us[0].t())  # fmt: skip
TRANSPOSE_ = OpRecord(
    "transpose_", SHAPE, "TransposeBackward1", "permute_dims", save=("dim0", "dim1"),
    grads=(lambda g, d0, d1: g.transpose(d0, d1),),
    jvp=lambda us, out, d0, d1: us[0].transpose(d0, d1),
)  # fmt: skip
UNSQUEEZE_ = OpRecord(
    "unsqueeze_", SHAPE, "UnsqueezeBackward1", "expand_dims", save=("dim",),
    grads=(lambda g, dim: g.squeeze(dim),), jvp=lambda us, out, dim: us[0].unsqueeze(dim),
)  # fmt: skip
# squeeze_() -> 3, squeeze_(int) -> 4 (shape.SQUEEZE_DIM_, which matmul also records),
# squeeze_(tuple) -> 5: PyTorch's overload numbers.
SQUEEZE_, SQUEEZE_DIMS_ = (
    OpRecord(name, SHAPE, grad_fn, "reshape", save=("self.shape",),
             grads=(lambda g, shape: g.reshape(shape),), jvp=_reshaped)
    for name, grad_fn in (("squeeze_", "SqueezeBackward3"), ("squeeze_dims_", "SqueezeBackward5"))
)  # fmt: skip

RECORDS = (T_, TRANSPOSE_, UNSQUEEZE_, SQUEEZE_, SQUEEZE_DIMS_)


def _adopt(self: Tensor, view: Tensor) -> Tensor:
    """Make ``self`` the ``view`` of itself just computed: its Storage, its node (with
    an edge to ``self``'s previous history), a bumped version."""
    storage = view._storage
    storage.bump_version()
    self._storage = storage
    if view._grad_fn is not None:
        self._grad_fn, self._output_nr = view._grad_fn, view._output_nr
    if self._base is not None and self._view_fn is not None:
        self._view_fn, self._view_version = view._view_fn, storage.version
    if dual.STATE.active:
        for index in dual.active_indices():
            tangent = dual.get_tangent(view, index)
            if tangent is not None:
                dual.set_tangent(self, tangent, index)
    return self


def _in_place(name: str, compute: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def method(self: Tensor, *args: Any) -> Tensor:
        view = compute(self, *args)  # first: a bad argument changes nothing
        if rebases_base(self, ()):  # no data is written: the base's history stays
            check_inplace_allowed_for_inference(self, name)
        else:
            check_inplace(self, name)
        return _adopt(self, view)

    method.__name__ = method.__qualname__ = name
    method.__wrapped__ = compute  # type: ignore[attr-defined] # its signature is compute's
    return method


def _t_(self: Tensor) -> Tensor:
    return t_with(T_, self)


def _transpose_(self: Tensor, dim0: int, dim1: int) -> Tensor:
    return transpose_with(TRANSPOSE_, self, dim0, dim1)


def _unsqueeze_(self: Tensor, dim: int) -> Tensor:
    return unsqueeze_with(UNSQUEEZE_, self, dim)


def _squeeze_(self: Tensor, dim: Any = None) -> Tensor:
    return squeeze_with((SQUEEZE_, SQUEEZE_DIM_, SQUEEZE_DIMS_), self, dim)


METHODS = {
    "t_": _in_place("t_", _t_),
    "transpose_": _in_place("transpose_", _transpose_),
    "swapaxes_": _in_place("swapaxes_", _transpose_),
    "swapdims_": _in_place("swapdims_", _transpose_),
    "unsqueeze_": _in_place("unsqueeze_", _unsqueeze_),
    "squeeze_": _in_place("squeeze_", _squeeze_),
}
