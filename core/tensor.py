"""The Tensor: a Storage on one backend, plus autograd metadata.

This module holds what every tensor is (data, dtype, backend, autograd state, conversion
to Python). It sits low in the layers (storage -> tensor/graph -> ops -> engine -> public
namespace), so the methods whose work is done higher up are attached to the class by
the public namespace when ``retrograd`` is imported: the op methods and operators
generated from the op records (``retrograd.ops.install``), ``backward`` (the engine) and
the legacy constructor ``Tensor(data)`` (the factories). ``retrograd/tensor.pyi``
declares them all for type checkers and editors.
"""

from __future__ import annotations

import inspect
import textwrap
import warnings
import weakref
from collections.abc import Callable
from typing import Any

from . import dtypes
from .batching import CONTROL_FLOW_MESSAGE, BatchedArray, depth
from .device import device as _device
from .device import device_of
from .grad_mode import enable_grad, no_grad
from .grad_mode import state as _grad_state
from .hooks import POST_ACCUMULATE_GRAD, RemovableHandle, add_hook
from .plugins import UnknownBackendError, get_backend
from .printing import tensor_repr
from .size import Size, new_size
from .storage import Storage, element_strides


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Construct tensors with ``retrograd.tensor(data)`` and the factories; ``Tensor(data)``
    and ``Tensor(*sizes)`` are PyTorch's legacy float constructors.
    """

    __slots__ = (
        "_storage",
        "_dtype",
        "_backend",
        "_requires_grad",
        "_grad_fn",
        "_output_nr",
        "_grad",
        "_hooks",
        "_retains_grad",
        "_accumulator",
        "_is_inference",
        "_base",
        "_view_fn",
        "_view_version",
        "_fw_grads",  # forward-mode tangents by dual level (retrograd.dual); unset if none
        "__weakref__",
    )

    @classmethod
    def _make(cls, array: Any, dtype: dtypes.dtype, backend: Any, storage: Any = None) -> Tensor:
        """Wrap a backend array (internal; no copy, no checks)."""
        t = object.__new__(cls)
        t._storage = Storage(array) if storage is None else storage
        t._dtype = dtype
        t._backend = backend
        t._requires_grad = False
        t._grad_fn = None
        t._output_nr = 0
        t._grad = None
        t._hooks = None
        t._retains_grad = False
        t._accumulator = None
        t._is_inference = _grad_state.inference
        t._base = None
        t._view_fn = None
        return t

    # -- data and metadata ---------------------------------------------------------------
    @property
    def _data(self) -> Any:
        return self._storage.array

    @property
    def dtype(self) -> dtypes.dtype:
        return self._dtype

    @property
    def backend(self) -> Any:
        """The backend (array library) this tensor's data lives on."""
        return self._backend

    @property
    def device(self) -> _device:
        return device_of(self._backend)

    @property
    def shape(self) -> Size:
        return new_size(Size, self._storage.array.shape)

    def size(self, dim: int | None = None) -> Size | int:
        shape = self._storage.array.shape
        if dim is None:
            return new_size(Size, shape)
        return shape[_layout_dim(dim, len(shape), "size")]

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """PyTorch's strides, in elements (see :func:`retrograd.storage.element_strides`)."""
        strides = element_strides(self._storage, tuple(self._storage.array.shape))
        if dim is None:
            return strides
        return strides[_layout_dim(dim, len(strides), "stride")]

    def dim(self, *extra: Any) -> int:
        if extra:
            raise _no_arguments("dim", extra)
        return self._storage.array.ndim

    ndim = property(dim)

    def numel(self, *extra: Any) -> int:
        if extra:
            raise _no_arguments("numel", extra)
        n = 1
        for d in self._storage.array.shape:
            n *= d
        return n

    nelement = numel

    def element_size(self) -> int:
        return self._dtype.itemsize

    @property
    def itemsize(self) -> int:
        """The size of one element in bytes (``element_size()``)."""
        return self._dtype.itemsize

    @property
    def nbytes(self) -> int:
        """``numel() * itemsize``: what the elements would take, whatever the layout (an
        expanded tensor counts every element, as in PyTorch)."""
        return self.numel() * self._dtype.itemsize

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def is_inference(self) -> bool:
        return self._is_inference

    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's memory has seen."""
        return self._storage.version

    def __len__(self) -> int:
        shape = self._storage.array.shape
        if not shape:
            raise TypeError("len() of a 0-d tensor")
        return shape[0]

    def __iter__(self):
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self)))

    __hash__ = object.__hash__  # identity, as PyTorch (== is elementwise)

    # -- autograd state ------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        if self._base is not None:
            refresh_view(self)
        return self._requires_grad or self._grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if not isinstance(value, bool):  # the attribute's words, not requires_grad_()'s
            raise RuntimeError("requires_grad must be a bool")
        if value and self._grad_fn is None and not self._dtype.is_floating_point:
            raise RuntimeError(  # the attribute's words differ from requires_grad_()'s
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether autograd records operations on this leaf; returns self."""
        if not isinstance(requires_grad, bool):
            raise TypeError(
                "requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                f"{type(requires_grad).__name__}"
            )
        if self._grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to "
                "use a computed variable in a subgraph that doesn't require differentiation "
                "use var_no_grad = var.detach()."
            )
        if requires_grad and not self._dtype.is_floating_point:
            raise RuntimeError(
                "only Tensors of floating point dtype can require gradients "
                f"(got dtype {self._dtype})"
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad_fn(self) -> Any:
        if self._base is not None:
            refresh_view(self)
        return self._grad_fn

    @property
    def grad(self) -> Tensor | None:
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            _check_assigned_grad(self, value)
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (no-op on leaves)."""
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        # The engine accumulates the gradient into the tensor, while it lives.
        self._grad_fn._register_retains_grad(self._output_nr, weakref.ref(self))
        self._retains_grad = True

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """``hook(grad)`` runs when the gradient w.r.t. this tensor is computed; it may
        return a replacement gradient. Returns a handle whose ``remove()`` undoes it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._register_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = {}
        return add_hook(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> RemovableHandle:
        """``hook(tensor)`` runs after ``backward`` accumulated a gradient into this
        leaf's ``.grad`` (not for ``autograd.grad``); it must return None."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if self._hooks is None:
            self._hooks = {}
        return add_hook(self._hooks.setdefault(POST_ACCUMULATE_GRAD, {}), hook)

    def detach(self, *extra: Any) -> Tensor:
        """A new leaf sharing this tensor's storage (and version counter), without history."""
        if extra:
            raise _no_arguments("detach", extra)
        return Tensor._make(self._storage.array, self._dtype, self._backend, self._storage)

    def detach_(self) -> Tensor:
        """Detach this tensor from its graph in place; it becomes a leaf."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self._grad_fn = None
        self._output_nr = 0
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        """A leaf sharing this tensor's memory but not its version counter (as in PyTorch:
        writes through ``.data`` are invisible to autograd's checks; ``detach()`` is the
        safe alias)."""
        storage = _DataAlias(self._storage)
        return Tensor._make(storage.array, self._dtype, self._backend, storage)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._storage, self._dtype, self._backend = value._storage, value._dtype, value._backend

    # -- conversion to Python ------------------------------------------------------------
    def tolist(self, *extra: Any) -> Any:
        if extra:
            raise _no_arguments("tolist", extra)
        return self._backend.kernels["tolist"](self._storage.array)

    def item(self) -> Any:
        n = self.numel()
        if n != 1:
            raise RuntimeError(f"a Tensor with {n} elements cannot be converted to Scalar")
        value = self.tolist()
        while isinstance(value, list):
            value = value[0]
        return value

    def numpy(self, *, force: bool = False) -> Any:
        """The data as a NumPy array (sharing memory on the NumPy backend)."""
        if self.requires_grad and not force:
            raise RuntimeError(NUMPY_REQUIRES_GRAD)
        return self._backend.kernels["to_numpy"](self._storage.array)

    # -- NumPy and DLPack protocols -------------------------------------------------------
    # NumPy defers its binary operators to a tensor (``np.float64(2) * t`` is a tensor).
    __array_priority__ = 1000

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        """The data as a NumPy array: this memory on the NumPy backend, a copy elsewhere."""
        if self.requires_grad:
            raise RuntimeError(NUMPY_REQUIRES_GRAD)
        array = self._backend.kernels["to_numpy"](self._storage.array)
        if dtype is not None:
            array = array.astype(dtype, copy=False)
        if copy or not array.flags.writeable:  # e.g. JAX's read-only host buffer
            array = array.copy()
        return array

    def __array_wrap__(self, array: Any, context: Any = None, return_scalar: bool = False) -> Any:
        """A ufunc's result (``np.exp(t)``) as a tensor, bool results as uint8 (PyTorch)."""
        if array.dtype == bool:
            array = array.astype("uint8")
        backend = self._backend
        native = backend.kernels["from_numpy"](array)
        return Tensor._make(native, backend.dtype_of(native), backend)

    def __dlpack__(self, *args: Any, **kwargs: Any) -> Any:
        if self.requires_grad:
            raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
        return self._storage.array.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self) -> tuple:
        return self._storage.array.__dlpack_device__()

    def __bool__(self) -> bool:
        if type(self._storage.array) is BatchedArray:  # inside vmap: one value per sample
            raise RuntimeError(CONTROL_FLOW_MESSAGE)
        n = self.numel()
        if n != 1:
            amount = "no values" if n == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
        return bool(self.item())

    def __float__(self) -> float:
        return float(self._one_element())

    def __int__(self) -> int:
        return int(self._one_element())

    def _one_element(self) -> Any:
        """The single element, for Python's conversions (PyTorch's ValueError otherwise)."""
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __contains__(self, element: Any) -> bool:
        """``element in t``: whether any element equals it (a tensor or a number)."""
        if not isinstance(element, (Tensor, int, float, bool)):
            raise RuntimeError(
                "Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                f"{type(element)}."
            )
        return bool((element == self).any().item())

    def __index__(self) -> int:
        if self._dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __repr__(self) -> str:
        array = self._storage.array
        if type(array) is BatchedArray:  # inside vmap: the whole batch, as PyTorch shows it
            whole = Tensor._make(array.value, self._dtype, self._backend)
            whole._requires_grad, whole._grad_fn = self._requires_grad, self._grad_fn
            body = textwrap.indent(repr(whole), "    ")
            return f"BatchedTensor(lvl={depth(array.level)}, bdim=0, value=\n{body}\n)"
        return tensor_repr(self, Tensor)

    def __format__(self, spec: str) -> str:
        if self.dim() == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol: int) -> Any:
        # A host copy keeps the shape (empty dims too); a non-leaf comes back a leaf that
        # requires grad, and ``.grad`` is not pickled, as in PyTorch.
        host = self._backend.kernels["to_numpy"](self._storage.array).copy()
        return (_rebuild, (host, self._dtype, self.requires_grad, self._backend.name))

    def __deepcopy__(self, memo: dict) -> Tensor:
        """A copy with its own memory, ``requires_grad`` and a copy of ``.grad``; views
        of one memory copied in one ``deepcopy`` stay views of one copy (PyTorch's memo)."""
        if self.grad_fn is not None:
            raise RuntimeError(DEEPCOPY_NON_LEAF)
        if id(self) in memo:
            return memo[id(self)]
        if self._base is not None and self._view_fn is not None:
            base = self._base.__deepcopy__(memo)
            with no_grad():
                out = self._view_fn(base)
        else:
            storage = memo.get(id(self._storage))
            if storage is None:
                storage = Storage(self._backend.kernels["copy"](self._storage.array))
                memo[id(self._storage)] = storage
                memo.setdefault(id(memo), []).append(self._storage)  # keeps the id valid
            out = type(self)._make(storage.array, self._dtype, self._backend, storage)
        out._requires_grad = self._requires_grad
        if self._grad is not None:
            out._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = out
        return out


NUMPY_REQUIRES_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)
DEEPCOPY_NON_LEAF = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
    "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
    "because of a torch.nn.utils.weight_norm usage, see "
    "https://github.com/pytorch/pytorch/pull/103001"
)


def _rebuild(
    values: Any, dtype: dtypes.dtype, requires_grad: bool, backend_name: str | None = None
) -> Tensor:
    """Unpickle a tensor: a host array on its backend (the default one when the pickle
    names none, or names one this process lacks)."""
    try:
        backend = get_backend(backend_name)
    except UnknownBackendError:  # a backend this process lacks: load on the default one
        backend = get_backend()
    array = backend.kernels["copy"](backend.kernels["from_numpy"](values))
    if backend.dtype_of(array) is not dtype:
        array = backend.kernels["asarray"](array, backend.native_dtype(dtype))
    return Tensor._make(array, dtype, backend).requires_grad_(requires_grad)


class _DataAlias(Storage):
    """The storage of ``tensor.data``: reads and writes go to the tensor's own storage
    (so a backend that rebinds arrays on write, such as JAX, is seen by both), while
    in-place writes count on a version counter of its own."""

    __slots__ = ("_target",)

    def __init__(self, target: Storage) -> None:
        self._target = target._target if isinstance(target, _DataAlias) else target
        self._version, self._counter = 0, None

    @property  # type: ignore[override]
    def array(self) -> Any:
        return self._target.array

    @array.setter
    def array(self, value: Any) -> None:
        self._target.array = value


# PyTorch's warning when ``.grad`` of a non-leaf tensor is read (it stays None).
_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)


def _layout_dim(dim: Any, ndim: int, op: str) -> int:
    """``size(dim)``/``stride(dim)``'s dim as an index, with PyTorch's errors: an int only
    (not a bool), and none at all for a 0-d tensor."""
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(
            f"{op}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(dim, ndim, op)


def _wrap_dim(dim: int, ndim: int, op: str) -> int:
    """Turn a possibly negative dim into an index, with PyTorch's IndexError. A 0-d
    tensor accepts dims 0 and -1, both meaning 0, as in PyTorch."""
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not lo <= dim <= hi:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
        )
    return dim + max(ndim, 1) if dim < 0 else dim


def _hide_extra(cls: type, *names: str) -> None:
    """Show methods ``names`` without the ``*extra`` that only catches a bad call."""
    for name in names:
        fn = getattr(cls, name)
        sig = inspect.signature(fn)
        kept = [p for p in sig.parameters.values() if p.kind is not p.VAR_POSITIONAL]
        fn.__signature__ = sig.replace(parameters=kept)


_hide_extra(Tensor, "dim", "numel", "detach", "tolist")


def _no_arguments(name: str, extra: tuple) -> TypeError:
    """PyTorch's TypeError for an argument to one of its C methods without parameters."""
    return TypeError(f"TensorBase.{name}() takes no arguments ({len(extra)} given)")


def _check_assigned_grad(tensor: Tensor, grad: Any) -> None:
    """PyTorch's refusals of a ``.grad`` assignment: the dtype first, then the size."""
    if not isinstance(grad, Tensor):
        raise TypeError(
            "assigned grad expected to be a Tensor or None but got grad of type "
            f"{type(grad).__name__}"
        )
    if grad.dtype is not tensor.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient with dtype '{dtypes.cpp_name(grad.dtype)}' to a "
            f"tensor with grad_dtype '{dtypes.kind_name(tensor.dtype)}'. The gradient must "
            "match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
            "tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. "
            "Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may "
            "break downstream systems that assume they match."
        )
    if grad.shape != tensor.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of size '{list(grad.shape)}' to a tensor of "
            f"size '{list(tensor.shape)}'. Please ensure that the gradient and the tensor are "
            "the same size"
        )


def refresh_view(view: Tensor) -> None:
    """Re-derive a view's ``grad_fn`` from its base after an in-place write to their
    shared memory (PyTorch regenerates views the same way), so the view's history
    includes the write. Views made by multi-output functions have no view function and
    are left as they are."""
    replay = view._view_fn
    version = view._storage.version
    if replay is None or view._view_version == version:
        return
    view._view_version = version
    base = view._base
    if base.requires_grad:
        with enable_grad():
            fresh = replay(base)
        view._grad_fn, view._output_nr = fresh._grad_fn, fresh._output_nr
