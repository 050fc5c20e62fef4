"""Misuse cases of creation functions, Tensor methods and nn.functional (see
tests/misuse_cases.py)."""

from __future__ import annotations

import math
from typing import Any

from misuse_cases import Case, tensor


def creation_cases() -> list[Case]:
    calls = {
        "ones('a')": lambda L: L.ones("a"),
        "ones(-1)": lambda L: L.ones(-1),
        "ones(2.5)": lambda L: L.ones(2.5),
        "ones(None)": lambda L: L.ones(None),
        "ones(2, dtype=1)": lambda L: L.ones(2, dtype=1),
        "zeros((2,), 3)": lambda L: L.zeros((2,), 3),
        "full(2, 1.0)": lambda L: L.full(2, 1.0),
        "full((2,), 'a')": lambda L: L.full((2,), "a"),
        "full((2,), 1.5, dtype=int64)": lambda L: L.full((2,), 1.5, dtype=L.int64),
        "empty(-2)": lambda L: L.empty(-2),
        "arange(0, 5, 0)": lambda L: L.arange(0, 5, 0),
        "arange(5, 0)": lambda L: L.arange(5, 0),
        "arange('a')": lambda L: L.arange("a"),
        "arange(nan)": lambda L: L.arange(math.nan),
        "arange(inf)": lambda L: L.arange(math.inf),
        "linspace(0, 1, -1)": lambda L: L.linspace(0, 1, -1),
        "linspace(0, 1)": lambda L: L.linspace(0, 1),
        "eye(-1)": lambda L: L.eye(-1),
        "eye('a')": lambda L: L.eye("a"),
        "randint(5)": lambda L: L.randint(5),
        "randint(5, 1, (2,))": lambda L: L.randint(5, 1, (2,)),
        "randint(0, (2,))": lambda L: L.randint(0, (2,)),
        "randn('a')": lambda L: L.randn("a"),
        "rand(2, dtype=int64)": lambda L: L.rand(2, dtype=L.int64),
        "randn(2, dtype=int64)": lambda L: L.randn(2, dtype=L.int64),
        "randperm(-1)": lambda L: L.randperm(-1),
        "normal(0, -1, (2,))": lambda L: L.normal(0.0, -1.0, (2,)),
        "bernoulli(str)": lambda L: L.bernoulli("a"),
        "bernoulli(p>1)": lambda L: L.bernoulli(L.tensor([2.0])),
        "tensor([[1], [1, 2]])": lambda L: L.tensor([[1.0], [1.0, 2.0]]),
        "tensor('a')": lambda L: L.tensor("a"),
        "tensor([1, 'a'])": lambda L: L.tensor([1, "a"]),
        "tensor(None)": lambda L: L.tensor(None),
        "tensor(nan, dtype=int64)": lambda L: L.tensor(math.nan, dtype=L.int64),
        "tensor(inf, dtype=int64)": lambda L: L.tensor(math.inf, dtype=L.int64),
        "tensor(300, dtype=uint8)": lambda L: L.tensor(300, dtype=L.uint8),
        "tensor(-1, dtype=uint8)": lambda L: L.tensor([-1], dtype=L.uint8),
        "tensor([1.5], dtype=bool)": lambda L: L.tensor([1.5], dtype=L.bool),
        "zeros_like('a')": lambda L: L.zeros_like("a"),
        "ones_like(list)": lambda L: L.ones_like([1.0]),
        "full_like(x, 'a')": lambda L: L.full_like(L.ones(2), "a"),
        "rand_like(int)": lambda L: L.rand_like(L.ones(2, dtype=L.int64)),
        "randn_like(int)": lambda L: L.randn_like(L.ones(2, dtype=L.int64)),
        "randint_like(x, 0)": lambda L: L.randint_like(L.ones(2), 0),
        "as_tensor('a')": lambda L: L.as_tensor("a"),
        "numel(list)": lambda L: L.numel([1]),
        "is_tensor()": lambda L: L.is_tensor(),
        "manual_seed('a')": lambda L: L.manual_seed("a"),
        "manual_seed(-1)": lambda L: L.manual_seed(-(2**64)),
        "set_default_dtype(int64)": lambda L: L.set_default_dtype(L.int64),
        "set_grad_enabled('a')": lambda L: L.set_grad_enabled("a"),
        "set_printoptions(precision='a')": lambda L: L.set_printoptions(precision="a"),
        "Size(['a'])": lambda L: L.Size(["a"]),
    }
    return [Case(label, lambda L: (), lambda L, _c=c: _c(L)) for label, c in calls.items()]


def _modify_saved(x: Any, modify: Any) -> Any:
    """Backward through a graph whose saved tensor was modified in place (the version
    counter error): ``modify(y)`` on the input of ``sin``, or (None) ``sin_`` on the
    output that ``exp`` saved."""
    if modify is None:
        y = x.exp()
        y.sin_()
        return y.sum().backward()
    y = x * 1
    z = y.sin()
    modify(y)
    return z.sum().backward()


def method_cases() -> list[Case]:
    t = tensor
    specs = {
        "item() many": (lambda L: (t(L, 2),), lambda L, x: x.item()),
        "item() empty": (lambda L: (t(L, 0),), lambda L, x: x.item()),
        "float() many": (lambda L: (t(L, 2),), lambda L, x: float(x)),
        "int() empty": (lambda L: (t(L, 0),), lambda L, x: int(x)),
        "bool() many": (lambda L: (t(L, 2),), lambda L, x: bool(x)),
        "index() float": (lambda L: (L.tensor(2.0),), lambda L, x: [1, 2, 3][x]),
        "index() many": (lambda L: (L.tensor([1, 2]),), lambda L, x: [1, 2, 3][x]),
        "len(0-d)": (lambda L: (L.tensor(2.0),), lambda L, x: len(x)),
        "iter(0-d)": (lambda L: (L.tensor(2.0),), lambda L, x: iter(x)),
        "numpy() requires_grad": (lambda L: (t(L, 2).requires_grad_(),), lambda L, x: x.numpy()),
        "tolist(1)": (lambda L: (t(L, 2),), lambda L, x: x.tolist(1)),
        "size(2)": (lambda L: (t(L, 2, 3),), lambda L, x: x.size(2)),
        "size('a')": (lambda L: (t(L, 2, 3),), lambda L, x: x.size("a")),
        "size(-3)": (lambda L: (t(L, 2, 3),), lambda L, x: x.size(-3)),
        "shape[2]": (lambda L: (t(L, 2, 3),), lambda L, x: x.shape[2]),
        "dim(1)": (lambda L: (t(L, 2, 3),), lambda L, x: x.dim(1)),
        "numel(1)": (lambda L: (t(L, 2, 3),), lambda L, x: x.numel(1)),
        "to('a')": (lambda L: (t(L, 2),), lambda L, x: x.to("a")),
        "to(1.5)": (lambda L: (t(L, 2),), lambda L, x: x.to(1.5)),
        "type_as(str)": (lambda L: (t(L, 2),), lambda L, x: x.type_as("a")),
        "float(1)": (lambda L: (t(L, 2),), lambda L, x: x.float(1)),
        "contiguous(1)": (lambda L: (t(L, 2),), lambda L, x: x.contiguous(1)),
        "x[5]": (lambda L: (t(L, 3),), lambda L, x: x[5]),
        "x[-4]": (lambda L: (t(L, 3),), lambda L, x: x[-4]),
        "x[0, 0]": (lambda L: (t(L, 3),), lambda L, x: x[0, 0]),
        "x['a']": (lambda L: (t(L, 3),), lambda L, x: x["a"]),
        "x[1.5]": (lambda L: (t(L, 3),), lambda L, x: x[1.5]),
        "x[float tensor]": (lambda L: (t(L, 3),), lambda L, x: x[L.tensor([0.0])]),
        "x[bool mask 4]": (lambda L: (t(L, 3),), lambda L, x: x[L.tensor([True] * 4)]),
        "x[[5]]": (lambda L: (t(L, 3),), lambda L, x: x[[5]]),
        "0-d[0]": (lambda L: (L.tensor(2.0),), lambda L, x: x[0]),
        "x[::-1]": (lambda L: (t(L, 3),), lambda L, x: x[::-1]),
        "x[::0]": (lambda L: (t(L, 3),), lambda L, x: x[::0]),
        "backward() non-scalar": (
            lambda L: (t(L, 3).requires_grad_(),),
            lambda L, x: (x * 2).backward(),
        ),
        "backward() no grad": (lambda L: (t(L, 3),), lambda L, x: x.sum().backward()),
        "backward(bad shape)": (
            lambda L: (t(L, 3).requires_grad_(),),
            lambda L, x: (x * 2).backward(L.ones(2)),
        ),
        "backward(str)": (
            lambda L: (t(L, 3).requires_grad_(),),
            lambda L, x: (x * 2).backward("a"),
        ),
        "backward(int gradient)": (
            lambda L: (t(L, 3).requires_grad_(),),
            lambda L, x: (x * 2).backward(L.ones(3, dtype=L.int64)),
        ),
        "modified saved input": (
            lambda L: (t(L, 3).requires_grad_(),),
            lambda L, x: _modify_saved(x, lambda y: y.mul_(2)),
        ),
        "modified saved output": (
            lambda L: (t(L, 3).requires_grad_(),),
            lambda L, x: _modify_saved(x, None),
        ),
        "modified saved slice": (
            lambda L: (t(L, 3).requires_grad_(),),
            lambda L, x: _modify_saved(x, lambda y: y.__setitem__(0, 5.0)),
        ),
        "nonleaf.grad": (lambda L: (t(L, 3).requires_grad_(),), lambda L, x: (x * 2).grad),
        "x.grad = str": (lambda L: (t(L, 3),), lambda L, x: setattr(x, "grad", "a")),
        "x.grad = wrong shape": (lambda L: (t(L, 3),), lambda L, x: setattr(x, "grad", L.ones(2))),
        "x.grad = int": (
            lambda L: (t(L, 3),),
            lambda L, x: setattr(x, "grad", L.ones(3, dtype=L.int64)),
        ),
        "x.requires_grad = str": (
            lambda L: (t(L, 3),),
            lambda L, x: setattr(x, "requires_grad", "a"),
        ),
        "nonleaf.requires_grad = False": (
            lambda L: (t(L, 3).requires_grad_() * 2,),
            lambda L, x: setattr(x, "requires_grad", False),
        ),
        "int.requires_grad = True": (
            lambda L: (t(L, 3, dtype="int64"),),
            lambda L, x: setattr(x, "requires_grad", True),
        ),
        "retain_grad() no grad": (lambda L: (t(L, 3),), lambda L, x: x.retain_grad()),
        "register_hook no grad": (lambda L: (t(L, 3),), lambda L, x: x.register_hook(print)),
        "register_hook(str)": (
            lambda L: (t(L, 3).requires_grad_(),),
            lambda L, x: x.register_hook("a"),
        ),
        "x.foo": (lambda L: (t(L, 3),), lambda L, x: x.foo),
        "hash in set": (lambda L: (t(L, 3),), lambda L, x: {x: 1}[x]),
        "x < 'a'": (lambda L: (t(L, 3),), lambda L, x: x < "a"),
        "x + 'a'": (lambda L: (t(L, 3),), lambda L, x: x + "a"),
        "'a' * x": (lambda L: (t(L, 3),), lambda L, x: "a" * x),
        "x + None": (lambda L: (t(L, 3),), lambda L, x: x + None),
        "x ** 'a'": (lambda L: (t(L, 3),), lambda L, x: x ** "a"),
        "x & float": (lambda L: (t(L, 3),), lambda L, x: x & x),
        "~float": (lambda L: (t(L, 3),), lambda L, x: ~x),
        "-bool": (lambda L: (t(L, 3, dtype="bool"),), lambda L, x: -x),
        "bool - bool": (lambda L: (t(L, 3, dtype="bool"),), lambda L, x: x - x),
        "int // 0": (lambda L: (t(L, 3, dtype="int64"),), lambda L, x: x // 0),
        "int % 0": (lambda L: (t(L, 3, dtype="int64"),), lambda L, x: x % 0),
        "x.div(y, rounding_mode='x')": (
            lambda L: (t(L, 3),),
            lambda L, x: x.div(x, rounding_mode="x"),
        ),
        "x.max(y, 0)": (lambda L: (t(L, 3),), lambda L, x: x.max(x, 0)),
        "x.std(correction='a')": (lambda L: (t(L, 3),), lambda L, x: x.std(correction="a")),
        "x.norm(p='a')": (lambda L: (t(L, 3),), lambda L, x: x.norm(p="a")),
        "x.expand_as(str)": (lambda L: (t(L, 3),), lambda L, x: x.expand_as("a")),
        "x.view_as(4)": (lambda L: (t(L, 3),), lambda L, x: x.view_as(t(L, 4))),
        "x.T 3-d": (lambda L: (t(L, 2, 3, 4),), lambda L, x: x.T),
        "x.mT 1-d": (lambda L: (t(L, 3),), lambda L, x: x.mT),
        "x.detach(1)": (lambda L: (t(L, 3),), lambda L, x: x.detach(1)),
        "x.clone(memory_format=1)": (lambda L: (t(L, 3),), lambda L, x: x.clone(memory_format=1)),
        "x.repeat()": (lambda L: (t(L, 3),), lambda L, x: x.repeat()),
        "x.where(str)": (lambda L: (t(L, 3),), lambda L, x: x.where("a", x)),
        "x.long(1)": (lambda L: (t(L, 3),), lambda L, x: x.long(1)),
        "x.new_ones('a')": (lambda L: (t(L, 3),), lambda L, x: x.new_ones("a")),
        "x.new_zeros(-1)": (lambda L: (t(L, 3),), lambda L, x: x.new_zeros(-1)),
        "x.new_tensor('a')": (lambda L: (t(L, 3),), lambda L, x: x.new_tensor("a")),
        "x.new_full((2,), 'a')": (lambda L: (t(L, 3),), lambda L, x: x.new_full((2,), "a")),
    }
    return [Case(label, make, call) for label, (make, call) in specs.items()]


def functional_cases() -> list[Case]:
    t = tensor
    F = lambda L: L.nn.functional  # noqa: E731
    specs = {
        "F.relu(str)": (lambda L: ("a",), lambda L, x: F(L).relu(x)),
        "F.softmax no dim": (lambda L: (t(L, 2, 3),), lambda L, x: F(L).softmax(x)),
        "F.log_softmax no dim": (lambda L: (t(L, 2, 3),), lambda L, x: F(L).log_softmax(x)),
        "F.softmax dim out": (lambda L: (t(L, 2, 3),), lambda L, x: F(L).softmax(x, 2)),
        "F.softmax int": (lambda L: (t(L, 2, 3, dtype="int64"),), lambda L, x: F(L).softmax(x, 1)),
        "F.linear shapes": (lambda L: (t(L, 2, 3), t(L, 4, 4)), lambda L, x, w: F(L).linear(x, w)),
        "F.linear bias": (
            lambda L: (t(L, 2, 3), t(L, 4, 3), t(L, 3)),
            lambda L, x, w, b: F(L).linear(x, w, b),
        ),
        "F.linear dtypes": (
            lambda L: (t(L, 2, 3), t(L, 4, 3, dtype="float64")),
            lambda L, x, w: F(L).linear(x, w),
        ),
        "F.mse_loss shapes": (lambda L: (t(L, 2, 3), t(L, 4)), lambda L, x, y: F(L).mse_loss(x, y)),
        "F.mse_loss reduction": (
            lambda L: (t(L, 3), t(L, 3)),
            lambda L, x, y: F(L).mse_loss(x, y, reduction="x"),
        ),
        "F.l1_loss shapes": (lambda L: (t(L, 2, 3), t(L, 4)), lambda L, x, y: F(L).l1_loss(x, y)),
        "F.cross_entropy int target float": (
            lambda L: (t(L, 2, 3), L.tensor([0.5, 1.0])),
            lambda L, x, y: F(L).cross_entropy(x, y),
        ),
        "F.cross_entropy target out": (
            lambda L: (t(L, 2, 3), L.tensor([0, 5])),
            lambda L, x, y: F(L).cross_entropy(x, y),
        ),
        "F.cross_entropy batch": (
            lambda L: (t(L, 2, 3), L.tensor([0, 1, 2])),
            lambda L, x, y: F(L).cross_entropy(x, y),
        ),
        "F.nll_loss 1-d": (
            lambda L: (t(L, 3), L.tensor([0, 1, 2])),
            lambda L, x, y: F(L).nll_loss(x, y),
        ),
        "F.nll_loss target float": (
            lambda L: (t(L, 2, 3), L.tensor([0.0, 1.0])),
            lambda L, x, y: F(L).nll_loss(x, y),
        ),
        "F.binary_cross_entropy shapes": (
            lambda L: (t(L, 3) / 10, t(L, 4) / 10),
            lambda L, x, y: F(L).binary_cross_entropy(x, y),
        ),
        "F.binary_cross_entropy range": (
            lambda L: (t(L, 3), t(L, 3) / 10),
            lambda L, x, y: F(L).binary_cross_entropy(x, y),
        ),
        "F.bce_with_logits shapes": (
            lambda L: (t(L, 3), t(L, 4)),
            lambda L, x, y: F(L).binary_cross_entropy_with_logits(x, y),
        ),
        "F.one_hot float": (lambda L: (L.tensor([0.0, 1.0]),), lambda L, x: F(L).one_hot(x)),
        "F.one_hot classes": (lambda L: (L.tensor([0, 5]),), lambda L, x: F(L).one_hot(x, 3)),
        "F.one_hot negative": (lambda L: (L.tensor([-1, 1]),), lambda L, x: F(L).one_hot(x)),
        "F.embedding out": (
            lambda L: (L.tensor([0, 9]), t(L, 4, 2)),
            lambda L, i, w: F(L).embedding(i, w),
        ),
        "F.embedding float": (
            lambda L: (L.tensor([0.0]), t(L, 4, 2)),
            lambda L, i, w: F(L).embedding(i, w),
        ),
        "F.dropout p": (lambda L: (t(L, 3),), lambda L, x: F(L).dropout(x, 1.5)),
        "F.dropout int": (lambda L: (t(L, 3, dtype="int64"),), lambda L, x: F(L).dropout(x, 0.5)),
        "F.leaky_relu str": (lambda L: (t(L, 3),), lambda L, x: F(L).leaky_relu(x, "a")),
        "F.gelu approximate": (lambda L: (t(L, 3),), lambda L, x: F(L).gelu(x, approximate="x")),
        "F.gelu int": (lambda L: (t(L, 3, dtype="int64"),), lambda L, x: F(L).gelu(x)),
        "F.silu int": (lambda L: (t(L, 3, dtype="int64"),), lambda L, x: F(L).silu(x)),
        "F.elu int": (lambda L: (t(L, 3, dtype="int64"),), lambda L, x: F(L).elu(x)),
        "F.softplus int": (lambda L: (t(L, 3, dtype="int64"),), lambda L, x: F(L).softplus(x)),
        "F.sigmoid int": (lambda L: (t(L, 3, dtype="int64"),), lambda L, x: F(L).sigmoid(x)),
        "F.layer_norm shape": (lambda L: (t(L, 2, 3),), lambda L, x: F(L).layer_norm(x, (4,))),
        "F.layer_norm weight": (
            lambda L: (t(L, 2, 3), t(L, 4)),
            lambda L, x, w: F(L).layer_norm(x, (3,), w),
        ),
        "F.normalize dim": (lambda L: (t(L, 2, 3),), lambda L, x: F(L).normalize(x, dim=2)),
        "F.pad odd": (lambda L: (t(L, 2, 3),), lambda L, x: F(L).pad(x, (1,))),
        "F.pad mode": (lambda L: (t(L, 2, 3),), lambda L, x: F(L).pad(x, (1, 1), mode="x")),
        "F.conv1d shapes": (
            lambda L: (t(L, 1, 2, 5), t(L, 3, 4, 2)),
            lambda L, x, w: F(L).conv1d(x, w),
        ),
        "F.conv2d 2-d": (
            lambda L: (t(L, 5, 5), t(L, 1, 1, 2, 2)),
            lambda L, x, w: F(L).conv2d(x, w),
        ),
        "F.conv2d kernel": (
            lambda L: (t(L, 1, 1, 2, 2), t(L, 1, 1, 3, 3)),
            lambda L, x, w: F(L).conv2d(x, w),
        ),
        "F.max_pool2d kernel": (lambda L: (t(L, 1, 1, 2, 2),), lambda L, x: F(L).max_pool2d(x, 3)),
        "F.avg_pool1d 1-d": (lambda L: (t(L, 4),), lambda L, x: F(L).avg_pool1d(x, 2)),
        "F.batch_norm shapes": (
            lambda L: (t(L, 2, 3), t(L, 4), t(L, 4)),
            lambda L, x, m, v: F(L).batch_norm(x, m, v),
        ),
    }
    return [Case(label, make, call) for label, (make, call) in specs.items()]
