"""Lazy modules: ``LazyLinear``, ``LazyConv1d/2d/3d``, ``LazyConvTranspose1d/2d/3d``,
``LazyBatchNorm1d/2d/3d`` and ``LazyInstanceNorm1d/2d/3d``. Each is built without its
input size (shown as 0) and holds :class:`~retrograd.nn.UninitializedParameter`\\ s (and
``UninitializedBuffer``\\ s for running statistics); its first forward reads the size from
the input (the last dim for ``Linear``, the channel dim otherwise), materializes the
placeholders in place, initializes them as the ordinary layer does, and the module
becomes that layer (``type(m)`` is then ``Linear``, ``Conv2d``...), as in PyTorch."""

from __future__ import annotations

from typing import Any

from ...grad_mode import no_grad
from ...tensor import Tensor
from ..uninitialized import UninitializedBuffer, UninitializedParameter
from .conv import Conv1d, Conv2d, Conv3d
from .conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear
from .normalization import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
)


class LazyModuleMixin:
    """A module whose first forward completes it: ``initialize_parameters(input)`` sets
    its sizes and materializes its placeholders, then it becomes ``cls_to_become``."""

    cls_to_become: type | None = None

    def has_uninitialized_params(self) -> bool:
        """Whether some parameter or buffer is still a placeholder."""
        held = [*self._parameters.values(), *self._buffers.values()]  # type: ignore[attr-defined]
        return any(isinstance(t, (UninitializedParameter, UninitializedBuffer)) for t in held)

    def initialize_parameters(self, input: Tensor) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _materialize(self, shapes: dict[str, Any]) -> None:
        """Materialize each placeholder named in ``shapes``, then initialize as the
        ordinary layer does."""
        for table in (self._parameters, self._buffers):  # type: ignore[attr-defined]
            for name, value in table.items():
                if isinstance(value, (UninitializedParameter, UninitializedBuffer)):
                    value.materialize(shapes[name])
        self.reset_parameters()  # type: ignore[attr-defined]

    def forward(self, input: Tensor, *args: Any, **kwargs: Any) -> Any:
        if self.has_uninitialized_params():
            with no_grad():
                self.initialize_parameters(input)
        self.__class__ = self.cls_to_become  # type: ignore[assignment]
        return self.forward(input, *args, **kwargs)

    def _placeholders(self, names: tuple[str, ...], device: Any, dtype: Any) -> None:
        """Replace the parameters ``names`` (those not None) by placeholders."""
        for name in names:
            if getattr(self, name, None) is not None:
                setattr(self, name, UninitializedParameter(device=device, dtype=dtype))


class LazyLinear(LazyModuleMixin, Linear):
    """``Linear`` whose ``in_features`` is the last dim of its first input."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(1, out_features, bias, device, dtype)
        self.in_features = 0
        self._placeholders(("weight", "bias"), device, dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        self.in_features = input.shape[-1]
        self._materialize({"weight": (self.out_features, self.in_features),
                           "bias": (self.out_features,)})  # fmt: skip


class _LazyConv(LazyModuleMixin):
    """A convolution whose ``in_channels`` is its first input's channel dim."""

    _dims = 0

    def _lazy(self, device: Any, dtype: Any) -> None:
        self.in_channels = 0
        self._placeholders(("weight", "bias"), device, dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor) -> None:
        unbatched = input.dim() == self._dims + 1
        self.in_channels = input.shape[0 if unbatched else 1]
        if self.in_channels % self.groups:
            raise ValueError("in_channels must be divisible by groups")
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        else:
            shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self._materialize({"weight": shape, "bias": (self.out_channels,)})


def _lazy_conv(base: type, dims: int) -> type:
    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        base.__init__(self, groups, out_channels, kernel_size, stride, padding, dilation, groups,
                      bias, padding_mode, device, dtype)  # fmt: skip
        self._lazy(device, dtype)

    doc = f"``{base.__name__}`` whose ``in_channels`` is its first input's channel dim."
    return type(f"Lazy{base.__name__}", (_LazyConv, base),
                {"__init__": __init__, "cls_to_become": base, "_dims": dims, "__doc__": doc,
                 "__module__": __name__})  # fmt: skip


def _lazy_conv_transpose(base: type, dims: int) -> type:
    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        base.__init__(self, groups, out_channels, kernel_size, stride, padding, output_padding,
                      groups, bias, dilation, padding_mode, device, dtype)  # fmt: skip
        self._lazy(device, dtype)

    doc = f"``{base.__name__}`` whose ``in_channels`` is its first input's channel dim."
    return type(f"Lazy{base.__name__}", (_LazyConv, base),
                {"__init__": __init__, "cls_to_become": base, "_dims": dims, "__doc__": doc,
                 "__module__": __name__})  # fmt: skip


LazyConv1d = _lazy_conv(Conv1d, 1)
LazyConv2d = _lazy_conv(Conv2d, 2)
LazyConv3d = _lazy_conv(Conv3d, 3)
LazyConvTranspose1d = _lazy_conv_transpose(ConvTranspose1d, 1)
LazyConvTranspose2d = _lazy_conv_transpose(ConvTranspose2d, 2)
LazyConvTranspose3d = _lazy_conv_transpose(ConvTranspose3d, 3)


class _LazyNorm(LazyModuleMixin):
    """A batch or instance norm whose ``num_features`` is its first input's channel dim."""

    def _lazy(self, device: Any, dtype: Any) -> None:
        self.num_features = 0
        self._placeholders(("weight", "bias"), device, dtype)
        if self.track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor) -> None:
        # dim 1 even for an instance norm's input without a batch dim, as PyTorch reads it
        # (whose forward then refuses that input)
        self.num_features = input.shape[1]
        shape = (self.num_features,)
        names = ("weight", "bias", "running_mean", "running_var")
        self._materialize(dict.fromkeys(names, shape))


def _lazy_norm(base: type) -> type:
    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        base.__init__(self, 1, eps, momentum, affine, track_running_stats, device, dtype)
        self._lazy(device, dtype)

    doc = f"``{base.__name__}`` whose ``num_features`` is its first input's channel dim."
    return type(f"Lazy{base.__name__}", (_LazyNorm, base),
                {"__init__": __init__, "cls_to_become": base,
                 "__doc__": doc, "__module__": __name__})  # fmt: skip


# PyTorch's lazy instance norms default to affine and tracked statistics, unlike the
# eager ones: all of these do.
LazyBatchNorm1d = _lazy_norm(BatchNorm1d)
LazyBatchNorm2d = _lazy_norm(BatchNorm2d)
LazyBatchNorm3d = _lazy_norm(BatchNorm3d)
LazyInstanceNorm1d = _lazy_norm(InstanceNorm1d)
LazyInstanceNorm2d = _lazy_norm(InstanceNorm2d)
LazyInstanceNorm3d = _lazy_norm(InstanceNorm3d)
