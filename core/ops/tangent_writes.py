"""Forward mode and in-place writes: the tangent follows the value into the tensor.

PyTorch keeps a tangent per tensor and writes an in-place op's tangent into it in place,
so the tangents of views of that tensor (themselves views of its tangent) see the write,
and a write through a view lands in its base's tangent. retrograd does the same where
the tangent can be written (it does not require grad); where it cannot (reverse over
forward: the tangent has a history), the tensor gets a new tangent instead.
"""

from __future__ import annotations

from .. import dual
from ..tensor import Tensor


def write_tangents(t: Tensor, result: Tensor) -> None:
    """``t`` now holds ``result``'s value: give it ``result``'s tangent at each active
    level (zeros where ``result`` has none but ``t`` had one)."""
    for index in dual.active_indices():
        u = dual.get_tangent(result, index)
        old = dual.get_tangent(t, index)
        if u is None and old is None:
            continue
        base = t._base if t._view_fn is not None and t._base.dtype.is_floating_point else None
        base_old = None if base is None else dual.get_tangent(base, index)
        whole = None
        with dual.below(index):
            u = u if u is not None else t.detach().mul(0)
            if base_old is not None or (base is not None and old is None):
                whole, u = _through_view(t, base_old, u)  # the base's tangent holds it
            elif _writable(old, u):  # its own tangent (a dual view: make_dual's)
                old.copy_(u.clone() if u._storage is old._storage else u)
                u = old
        if whole is not None:
            dual.set_tangent(base, whole, index)
        dual.set_tangent(t, u, index)


def _writable(old: Tensor | None, u: Tensor) -> bool:
    return (
        old is not None
        and not old.requires_grad
        and not u.requires_grad
        and old.shape == u.shape
        and old.dtype is u.dtype
    )


def _through_view(view: Tensor, base_tangent: Tensor | None, u: Tensor) -> tuple:
    """``(the base's new tangent or None if written in place, the view's tangent)``:
    ``u`` written into the view's region of the base's tangent."""
    if base_tangent is not None and _writable(base_tangent, base_tangent):
        region = view._view_fn(base_tangent)
        if not u.requires_grad:
            region.copy_(u.clone() if u._storage is base_tangent._storage else u)
            return None, region
    whole = view._base.detach().mul(0) if base_tangent is None else base_tangent.clone()
    view._view_fn(whole).copy_(u)
    return whole, view._view_fn(whole)
