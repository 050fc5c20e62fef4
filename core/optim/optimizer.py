"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad`` and PyTorch's
``state_dict`` format (state keyed by the parameter's position across groups)."""

from __future__ import annotations

import copy
import functools
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ..creation import tensor
from ..grad_mode import enable_grad, no_grad
from ..legacy import typename
from ..scalar_reads import step_count
from ..tensor import Tensor
from . import inplace_math as math


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def check_non_negative(*options: tuple[str, float], allow_nan: bool = False) -> None:
    """Raise PyTorch's ``ValueError("Invalid <name>: <value>")`` for the first option
    below zero, e.g. ``("learning rate", lr)``. NaN is invalid too unless ``allow_nan``
    (PyTorch's SGD checks ``value < 0`` and so lets NaN through)."""
    for name, value in options:
        if value < 0.0 or (not allow_nan and value != value):
            raise ValueError(f"Invalid {name}: {value}")


class Optimizer:
    """Base class: subclasses set ``defaults`` and implement ``step`` over
    ``param_groups``; ``state[p]`` is a dict per parameter."""

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {typename(params)}"
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}"
            for key in sorted(group):
                if key != "params":
                    text += f"\n    {key}: {group[key]}"
        return text + "\n)"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (the defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        param_group["params"] = params = list(params)
        self._check_params(params)
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)
        if len(params) != len(set(params)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        seen = {p for group in self.param_groups for p in group["params"]}
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def _check_params(self, params: list) -> None:
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + typename(param)
                )
            leaf = param.is_leaf or param.retains_grad
            if not self.defaults.get("differentiable") and not leaf:
                raise ValueError("can't optimize a non-leaf Tensor")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad = p.grad.detach()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        raise NotImplementedError

    def _closure_loss(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None

        with enable_grad():
            return closure()

    # -- state_dict ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``;
        an index is the parameter's position over all groups, in order."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        params = {id(p): p for g in self.param_groups for p in g["params"]}
        state = {index[key]: value for key, value in _by_id(self.state).items() if key in params}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore state and group options saved by :meth:`state_dict` (tensors are
        copied to each parameter's backend, floating ones cast to its dtype)."""
        state_dict = copy.deepcopy(state_dict)
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for mine, theirs in zip(self.param_groups, saved):
            if len(mine["params"]) != len(theirs["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    "of optimizer's group"
                )
        by_index = {
            i: p
            for mine, theirs in zip(self.param_groups, saved)
            for i, p in zip(theirs["params"], mine["params"])
        }
        self.state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in by_index:
                param = by_index[key]
                self.state[param] = {k: _cast(param, k, v) for k, v in value.items()}
        self.param_groups = [
            {**theirs, "params": mine["params"]} for mine, theirs in zip(self.param_groups, saved)
        ]


def _by_id(state: dict) -> dict[int, Any]:
    return {id(p): v for p, v in state.items()}


def _cast(param: Tensor, key: str, value: Any) -> Any:
    """A saved state tensor on ``param``'s backend; ``step`` keeps its own dtype."""
    if not isinstance(value, Tensor):
        return value
    if value.backend is not param.backend:
        value = value.to(param.backend.name)
    if key != "step" and value.is_floating_point():
        value = value.to(param.dtype)
    return value


def no_grad_step(step: Callable[..., Any]) -> Callable[..., Any]:
    """Run an optimizer's ``step`` with gradient recording off (the closure, if any,
    runs with it on)."""

    @functools.wraps(step)
    def wrapper(self: Optimizer, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        with no_grad():
            step(self)
        return loss

    return wrapper


def params_with_grad(group: dict[str, Any]) -> Iterable[Tensor]:
    """The group's parameters that have a gradient (the ones a step updates)."""
    return (p for p in group["params"] if p.grad is not None)


class ScratchMixin:
    """One reusable scratch tensor per parameter and slot, outside ``state`` (so
    ``state_dict`` keeps PyTorch's keys): a step's temporaries live there instead of
    in fresh allocations."""

    def _scratch(self, param: Tensor, slot: int = 0) -> Tensor:
        buffers = self.__dict__.setdefault("_scratch_buffers", {})
        key = (id(param), slot)
        buf = buffers.get(key)
        if buf is None or buf.shape != param.shape or buf.backend is not param.backend:
            buf = buffers[key] = math.empty_like(param)
        return buf

    def _effective_grad(self, param: Tensor, maximize: bool, weight_decay: float) -> Tensor:
        """``(-grad if maximize else grad) + weight_decay * param`` (PyTorch's L2
        penalty), in scratch slot 0 unless it is the gradient itself."""
        grad = param.grad
        if weight_decay != 0:
            out = self._scratch(param)
            math.mul(out, param, weight_decay)
            return (math.sub if maximize else math.add)(out, out, grad)
        if maximize:
            return math.mul(self._scratch(param), grad, -1.0)
        return grad

    def _zero_state(self, param: Tensor) -> Tensor:
        return math.zeros_like(param)

    def _lazy_state(self, param: Tensor, *buffers: str) -> dict[str, Any]:
        """``state[param]``, made on the first step: ``step`` then a zero tensor for
        each name in ``buffers`` (PyTorch's keys, in its order)."""
        state = self.state[param]
        if not state:
            state["step"] = self._step_tensor()
            for name in buffers:
                state[name] = self._zero_state(param)
        return state

    def _step_tensor(self) -> Tensor:
        """PyTorch's ``state["step"]``: a 0-d float32 tensor on the host backend."""

        return tensor(0.0)

    def _increment(self, step: Tensor) -> float:
        math.add(step, step, 1.0)
        return step_count(step)  # a program value, not a graph break, under compile

    def _free_scratch(self, param: Tensor, grad: Tensor) -> Tensor:
        """The first scratch tensor that ``grad`` (from :meth:`_effective_grad`) leaves free."""
        return self._scratch(param, 0 if grad is param.grad else 1)


class PerParameterOptimizer(ScratchMixin, Optimizer):
    """An optimizer whose step updates each parameter that has a gradient on its own:
    subclasses implement ``_update(p, group)``."""

    @no_grad_step
    def step(self) -> None:
        for group in self.param_groups:
            for p in params_with_grad(group):
                self._update(p, group)

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        raise NotImplementedError
