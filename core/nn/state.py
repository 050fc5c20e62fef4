"""``Module.state_dict`` and ``Module.load_state_dict`` with PyTorch's keys, order and
error text. Unlike PyTorch (which copies the entries that fit before it raises), a load
that raises changes nothing: every key and shape is checked before anything is copied."""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping
from typing import Any

from ..grad_mode import no_grad
from ..tensor import Tensor


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it did not find and did not expect."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _local_state(module: Any) -> dict[str, Tensor]:
    """The module's own parameters and persistent buffers that are not None."""
    persistent = {
        k: v
        for k, v in module._buffers.items()
        if k not in module._non_persistent_buffers_set and v is not None
    }
    return {**{k: v for k, v in module._parameters.items() if v is not None}, **persistent}


def save_to_state_dict(self: Any, destination: dict, prefix: str, keep_vars: bool) -> None:
    """Put this module's own entries (not its children's) into ``destination``."""
    for name, value in _local_state(self).items():
        destination[prefix + name] = value if keep_vars else value.detach()


def state_dict(
    self: Any, *args: Any, destination: Any = None, prefix: str = "", keep_vars: bool = False
) -> dict[str, Tensor]:
    """Every parameter and persistent buffer, by dotted name, detached (the same memory
    as the module's), in registration order; ``_metadata`` holds each module's version."""
    if args:  # PyTorch's deprecated positional form: (destination, prefix, keep_vars)
        destination, prefix, keep_vars = (*args, prefix, keep_vars)[:3]
    if destination is None:
        destination = OrderedDict()
        destination._metadata = OrderedDict()  # type: ignore[attr-defined]
    metadata = getattr(destination, "_metadata", None)
    if metadata is not None:
        metadata[prefix[:-1]] = {"version": self._version}
    self._save_to_state_dict(destination, prefix, keep_vars)
    for name, module in self._modules.items():
        if module is not None:
            module.state_dict(
                destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
            )
    return destination


def _checked(key: str, target: Tensor, value: Any) -> tuple[Any, str | None]:
    """``value`` as it will be copied into ``target``, or PyTorch's error for it."""
    if not isinstance(value, Tensor):
        return None, (
            f'While copying the parameter named "{key}", expected torch.Tensor or '
            f"Tensor-like object from checkpoint but received {type(value)}"
        )
    if target.dim() == 0 and value.dim() == 1 and value.shape[0] == 1:
        value = value[0]  # PyTorch's backward compatibility for 0-d entries
    if value.shape != target.shape:
        return None, (
            f"size mismatch for {key}: copying a param with shape {value.shape} from "
            f"checkpoint, the shape in current model is {target.shape}."
        )
    return value, None


def _unexpected(module: Any, source: Mapping, prefix: str, local: dict) -> list[str]:
    """Keys under ``prefix`` naming neither an entry of ``module`` nor a child of it."""
    keys = []
    for key in source:
        if key.startswith(prefix):
            head, dot, _ = key[len(prefix) :].partition(".")
            if (dot and head not in module._modules) or (not dot and head not in local):
                keys.append(key)
    return keys


def _plan(module: Any, source: Mapping, prefix: str, found: dict) -> tuple[list, list, list]:
    """Walk the module tree: (missing keys, unexpected keys, error messages); fill
    ``found`` with the ``(target, value)`` copies to make if nothing is wrong."""
    missing, errors = [], []
    local = _local_state(module)
    for name, target in local.items():
        key = prefix + name
        if key not in source:
            missing.append(key)
            continue
        value, error = _checked(key, target, source[key])
        if error is None:
            found[key] = (target, value)
        else:
            errors.append(error)
    unexpected = _unexpected(module, source, prefix, local)
    for name, child in module._modules.items():
        if child is not None:
            sub = _plan(child, source, prefix + name + ".", found)
            for mine, theirs in zip((missing, unexpected, errors), sub):
                mine.extend(theirs)
    return missing, unexpected, errors


def load_state_dict(
    self: Any, state_dict: Mapping, strict: bool = True, assign: bool = False
) -> _IncompatibleKeys:
    """Copy ``state_dict``'s tensors into this module's parameters and buffers.

    With ``strict`` (default) a missing or unexpected key raises PyTorch's
    ``RuntimeError`` naming them all; a shape mismatch always raises. Nothing is
    copied when it raises. Returns ``(missing_keys, unexpected_keys)``.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
    found: dict[str, tuple] = {}
    missing, unexpected, errors = _plan(self, state_dict, "", found)
    if strict:
        if unexpected:
            names = ", ".join(f'"{k}"' for k in unexpected)
            errors.insert(0, f"Unexpected key(s) in state_dict: {names}. ")
        if missing:
            errors.insert(
                0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing))
            )
    if errors:
        raise RuntimeError(
            "Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)
            )
        )
    with no_grad():
        for target, value in found.values():
            if assign:
                target.data = value.detach()
            else:
                target.copy_(
                    value.to(target.backend) if value.backend is not target.backend else value
                )
    return _IncompatibleKeys(missing, unexpected)
