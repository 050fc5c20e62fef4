"""``retrograd.func``'s helpers for modules under transforms: ``stack_module_state``
(ensembling with ``vmap``) and ``replace_all_batch_norm_modules_`` (BatchNorm without
running statistics, so ``vmap`` does not write to shared buffers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .nn.modules.normalization import _BatchNorm, _InstanceNorm
from .ops.joining import stack
from .tensor import Tensor

__all__ = ["replace_all_batch_norm_modules_", "stack_module_state"]


def _stacked_leaf(tensors: Sequence[Tensor], name: str) -> Tensor:
    """``stack(tensors)``, a new leaf that requires grad if every one does."""
    flags = {t.requires_grad for t in tensors}
    if len(flags) > 1:
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = stack(list(tensors))
    return result.detach().requires_grad_() if flags == {True} else result


def stack_module_state(models: Sequence[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(params, buffers)``: each parameter and buffer of ``models`` (modules of one
    class, in one mode) stacked along a new first dimension, by ``named_parameters`` /
    ``named_buffers`` name. Stacked parameters are new leaves (an optimizer can take
    them), unrelated to the models' own."""
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) > 1:
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    if any(type(m) is not type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    states = []
    for method in ("named_parameters", "named_buffers"):
        all_state = [dict(getattr(model, method)()) for model in models]
        states.append({k: _stacked_leaf([s[k] for s in all_state], k) for k in all_state[0]})
    return states[0], states[1]


def replace_all_batch_norm_modules_(root: Any) -> Any:
    """In place: every BatchNorm module in ``root`` (InstanceNorm excluded, as in
    PyTorch, where it is no BatchNorm) that tracks running statistics stops tracking them,
    its ``running_mean``, ``running_var`` and ``num_batches_tracked`` set to None.
    Returns ``root``."""
    for module in root.modules():
        is_batch_norm = isinstance(module, _BatchNorm) and not isinstance(module, _InstanceNorm)
        if is_batch_norm and module.track_running_stats:
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root
