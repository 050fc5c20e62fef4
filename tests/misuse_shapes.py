"""Misuse cases of linalg, shape, indexing and in-place ops (see tests/misuse_cases.py)."""

from __future__ import annotations

from typing import Any

from misuse_cases import Case, tensor


def linalg_cases() -> list[Case]:
    t = tensor
    specs = {
        "mm 3x4 3x4": ("mm", lambda L: (t(L, 3, 4), t(L, 3, 4))),
        "mm 1-d": ("mm", lambda L: (t(L, 3), t(L, 3))),
        "mm 3-d": ("mm", lambda L: (t(L, 2, 3, 4), t(L, 4, 2))),
        "mm int/float": ("mm", lambda L: (t(L, 2, 2, dtype="int64"), t(L, 2, 2))),
        "mm float16": ("mm", lambda L: (t(L, 2, 2, dtype="float16"), t(L, 2, 2, dtype="float16"))),
        "mm bool": ("mm", lambda L: (t(L, 2, 2, dtype="bool"), t(L, 2, 2, dtype="bool"))),
        "mm str": ("mm", lambda L: (t(L, 2, 2), "a")),
        "mm empty": ("mm", lambda L: (t(L, 0, 3), t(L, 3, 0))),
        "bmm 2-d": ("bmm", lambda L: (t(L, 3, 4), t(L, 4, 3))),
        "bmm batch": ("bmm", lambda L: (t(L, 2, 3, 4), t(L, 3, 4, 3))),
        "bmm inner": ("bmm", lambda L: (t(L, 2, 3, 4), t(L, 2, 3, 4))),
        "bmm dtypes": ("bmm", lambda L: (t(L, 2, 3, 4), t(L, 2, 4, 3, dtype="float16"))),
        "mv 2x3 2": ("mv", lambda L: (t(L, 2, 3), t(L, 2))),
        "mv 1-d": ("mv", lambda L: (t(L, 3), t(L, 3))),
        "mv vec 2-d": ("mv", lambda L: (t(L, 2, 3), t(L, 3, 1))),
        "dot sizes": ("dot", lambda L: (t(L, 3), t(L, 4))),
        "dot 2-d": ("dot", lambda L: (t(L, 2, 3), t(L, 2, 3))),
        "dot dtypes": ("dot", lambda L: (t(L, 3), t(L, 3, dtype="int64"))),
        "dot 0-d": ("dot", lambda L: (L.tensor(2.0), L.tensor(3.0))),
        "dot empty": ("dot", lambda L: (t(L, 0), t(L, 0))),
        "matmul 0-d": ("matmul", lambda L: (L.tensor(2.0), t(L, 3))),
        "matmul 3 4": ("matmul", lambda L: (t(L, 3), t(L, 4))),
        "matmul 2x3 4": ("matmul", lambda L: (t(L, 2, 3), t(L, 4))),
        "matmul 3 4x2": ("matmul", lambda L: (t(L, 3), t(L, 4, 2))),
        "matmul 2x3 2x3": ("matmul", lambda L: (t(L, 2, 3), t(L, 2, 3))),
        "matmul batch": ("matmul", lambda L: (t(L, 2, 2, 3), t(L, 3, 3, 2))),
        "matmul dtypes": ("matmul", lambda L: (t(L, 2, 3), t(L, 3, 2, dtype="float64"))),
        "matmul int": ("matmul", lambda L: (t(L, 2, 3, dtype="int64"), t(L, 3, 2, dtype="int64"))),
        "matmul list": ("matmul", lambda L: (t(L, 2, 3), [1.0, 2.0, 3.0])),
        "outer 2-d": ("outer", lambda L: (t(L, 2, 3), t(L, 3))),
        "outer str": ("outer", lambda L: (t(L, 3), "a")),
        "outer dtypes": ("outer", lambda L: (t(L, 3), t(L, 3, dtype="int64"))),
        "ger 2-d": ("ger", lambda L: (t(L, 2, 3), t(L, 3))),
        "addmm shapes": ("addmm", lambda L: (t(L, 2, 2), t(L, 2, 3), t(L, 2, 3))),
        "addmm bias": ("addmm", lambda L: (t(L, 4), t(L, 2, 3), t(L, 3, 2))),
        "addmm 1-d": ("addmm", lambda L: (t(L, 2), t(L, 3), t(L, 3, 2))),
        "einsum bad": ("einsum", lambda L: ("ij,jk->ik", t(L, 2, 3), t(L, 2, 3))),
        "einsum operands": ("einsum", lambda L: ("ij,jk->ik", t(L, 2, 3))),
        "einsum subscript": ("einsum", lambda L: ("ij->k", t(L, 2, 3))),
        "einsum dims": ("einsum", lambda L: ("ijk->i", t(L, 2, 3))),
    }
    cases = []
    for label, (name, make) in specs.items():
        cases.append(Case(label, make, lambda L, *a, _n=name: getattr(L, _n)(*a)))
        if name not in {"einsum", "ger"}:
            cases.append(Case(f"x.{label}", make, lambda L, x, *a, _n=name: getattr(x, _n)(*a)))
    cases.append(Case("x @ str", lambda L: (tensor(L, 2, 2),), lambda L, x: x @ "a"))
    cases.append(Case("x @ 0-d", lambda L: (tensor(L, 2, 2),), lambda L, x: x @ L.tensor(2.0)))
    return cases


def _shape_specs() -> dict[str, tuple]:
    """label -> (function name, arguments after the tensor, the tensor's shape)."""
    x23, x0, x = (2, 3), (), (3,)
    return {
        "reshape bad": ("reshape", ((4, 2),), x23),
        "reshape two -1": ("reshape", ((-1, -1),), x23),
        "reshape str": ("reshape", ("a",), x23),
        "reshape -2": ("reshape", ((-2, 3),), x23),
        "view bad": ("view", ((4, 2),), x23),
        "view float": ("view", ((2.0, 3),), x23),
        "view of transposed": ("view", ((6,),), "t"),
        "expand smaller": ("expand", ((2,),), x23),
        "expand mismatch": ("expand", ((2, 4),), x23),
        "expand -1 new": ("expand", ((-1, 2, 3),), x23),
        "transpose out": ("transpose", (0, 2), x23),
        "transpose neg": ("transpose", (-3, 0), x23),
        "transpose 0-d": ("transpose", (0, 1), x0),
        "transpose str": ("transpose", ("a", 0), x23),
        "swapaxes out": ("swapaxes", (0, 5), x23),
        "swapdims out": ("swapdims", (0, 5), x23),
        "permute short": ("permute", ((0,),), x23),
        "permute repeat": ("permute", ((0, 0),), x23),
        "permute out": ("permute", ((0, 2),), x23),
        "permute 0-d": ("permute", ((0,),), x0),
        "squeeze out": ("squeeze", (2,), x23),
        "squeeze 0-d": ("squeeze", (1,), x0),
        "squeeze tuple out": ("squeeze", ((0, 3),), x23),
        "squeeze str": ("squeeze", ("a",), x23),
        "unsqueeze out": ("unsqueeze", (3,), x23),
        "unsqueeze neg": ("unsqueeze", (-4,), x23),
        "unsqueeze none": ("unsqueeze", (), x23),
        "unsqueeze 0-d": ("unsqueeze", (2,), x0),
        "flatten out": ("flatten", (0, 2), x23),
        "flatten order": ("flatten", (1, 0), x23),
        "flip out": ("flip", ((2,),), x23),
        "flip repeat": ("flip", ((0, 0),), x23),
        "flip int": ("flip", (0,), x23),
        "roll out": ("roll", (1, 2), x23),
        "roll mismatch": ("roll", ((1, 2), (0,)), x23),
        "roll no dims 2": ("roll", ((1, 2),), x23),
        "movedim out": ("movedim", (0, 2), x23),
        "movedim repeat": ("movedim", ((0, 0), (0, 1)), x23),
        "movedim lengths": ("movedim", ((0, 1), (0,)), x23),
        "moveaxis out": ("moveaxis", (2, 0), x23),
        "narrow out": ("narrow", (0, 1, 5), x23),
        "narrow dim": ("narrow", (2, 0, 1), x23),
        "narrow negative": ("narrow", (0, 0, -1), x23),
        "select out": ("select", (0, 5), x23),
        "select dim": ("select", (2, 0), x23),
        "select 0-d": ("select", (0, 0), x0),
        "chunk 0": ("chunk", (0,), x23),
        "chunk dim": ("chunk", (2, 5), x23),
        "chunk 0-d": ("chunk", (2,), x0),
        "split 0": ("split", (0,), x23),
        "split sizes": ("split", ((1, 1),), x23),
        "split dim": ("split", (1, 5), x23),
        "unbind out": ("unbind", (2,), x23),
        "unbind 0-d": ("unbind", (0,), x0),
        "unflatten bad": ("unflatten", (1, (2, 2)), x23),
        "unflatten out": ("unflatten", (2, (1, 3)), x23),
        "tril 1-d": ("tril", (), x),
        "triu 1-d": ("triu", (), x),
        "triu float": ("triu", (1.5,), x23),
        "t 3-d": ("t", (), (2, 3, 4)),
        "sum_to_size bad": ("sum_to_size", ((4,),), x23),
        "sum_to_size longer": ("sum_to_size", ((1, 2, 3),), x23),
        "repeat short": ("repeat", ((2,),), x23),
        "repeat negative": ("repeat", ((-1, 1),), x23),
        "index_select dim": ("index_select", (2, "idx"), x23),
        "index_select out": ("index_select", (0, "big"), x23),
        "index_select float": ("index_select", (0, "fidx"), x23),
        "index_select 2-d": ("index_select", (0, "idx2"), x23),
        "gather dims": ("gather", (0, "idx"), x23),
        "gather out": ("gather", (0, "big2"), x23),
        "gather dim": ("gather", (2, "idx22"), x23),
        "gather float": ("gather", (0, "fidx22"), x23),
        "take out": ("take", ("big",), x23),
        "take float": ("take", ("fidx",), x23),
        "masked_select float": ("masked_select", ("fmask",), x23),
        "masked_select shapes": ("masked_select", ("mask4",), x23),
        "masked_fill float": ("masked_fill", ("fmask", 0.0), x23),
        "masked_fill tensor value": ("masked_fill", ("mask23", "vec"), x23),
        "scatter dims": ("scatter", (0, "idx", "src23"), x23),
        "scatter out": ("scatter", (0, "big2", "src23"), x23),
        "scatter dtypes": ("scatter", (0, "idx22", "isrc"), x23),
        "scatter_add out": ("scatter_add", (0, "big2", "src23"), x23),
        "scatter_add dtypes": ("scatter_add", (0, "idx22", "isrc"), x23),
        "where shapes": ("where", ("mask4", "src23"), x23),
        "where float cond": ("where", ("fmask", "src23"), x23),
        "clamp none": ("clamp", (), x23),
        "clamp str": ("clamp", ("a",), x23),
        "clamp_min str": ("clamp_min", ("a",), x23),
        "clip none": ("clip", (), x23),
        "lerp dtypes": ("lerp", ("isrc23", 0.5), x23),
        "lerp str": ("lerp", ("src23", "a"), x23),
        "nonzero arg": ("nonzero", (1,), x23),
    }


def _arg(L: Any, a: Any) -> Any:
    extra = {
        "idx": lambda: L.tensor([0, 1]),
        "big": lambda: L.tensor([0, 9]),
        "fidx": lambda: L.tensor([0.0, 1.0]),
        "idx2": lambda: L.tensor([[0, 1]]),
        "idx22": lambda: L.tensor([[0, 1], [1, 0]]),
        "big2": lambda: L.tensor([[0, 9], [1, 0]]),
        "fidx22": lambda: L.tensor([[0.0, 1.0], [1.0, 0.0]]),
        "fmask": lambda: tensor(L, 2, 3),
        "mask4": lambda: tensor(L, 4, dtype="bool"),
        "mask23": lambda: tensor(L, 2, 3, dtype="bool"),
        "vec": lambda: tensor(L, 3),
        "src23": lambda: tensor(L, 2, 3),
        "isrc": lambda: tensor(L, 2, 3, dtype="int64"),
        "isrc23": lambda: tensor(L, 2, 3, dtype="int64"),
    }
    return extra[a]() if isinstance(a, str) and a in extra else a


def shape_cases() -> list[Case]:
    cases = []
    for label, (name, args, shape) in _shape_specs().items():

        def make(L, args=args, shape=shape):
            x = tensor(L, 3, 2).t() if shape == "t" else tensor(L, *shape)
            if not shape:
                x = L.tensor(2.0)
            return (x, *(_arg(L, a) for a in args))

        cases.append(Case(label, make, lambda L, *a, _n=name: getattr(L, _n)(*a)))
        cases.append(Case(f"x.{label}", make, lambda L, x, *a, _n=name: getattr(x, _n)(*a)))
    for name in ("cat", "concat", "concatenate", "stack"):
        fn = lambda L, *a, _n=name: getattr(L, _n)(*a)  # noqa: E731
        cases += [
            Case(f"{name} shapes", lambda L: ([tensor(L, 2, 3), tensor(L, 2, 4)],), fn),
            Case(f"{name} dims", lambda L: ([tensor(L, 2, 3), tensor(L, 3)],), fn),
            Case(f"{name} empty list", lambda L: ([],), fn),
            Case(f"{name} dim out", lambda L: ([tensor(L, 2, 3), tensor(L, 2, 3)], 3), fn),
            Case(f"{name} tensor", lambda L: (tensor(L, 2, 3),), fn),
            Case(f"{name} str", lambda L: (["a", tensor(L, 3)],), fn),
            Case(f"{name} 0-d", lambda L: ([L.tensor(1.0), L.tensor(2.0)],), fn),
            Case(f"{name} dtypes", lambda L: ([tensor(L, 3), tensor(L, 3, dtype="int64")],), fn),
            Case(
                f"{name} bool",
                lambda L: ([tensor(L, 3, dtype="bool"), tensor(L, 3, dtype="uint8")],),
                fn,
            ),
        ]
    return cases


def inplace_misc_cases() -> list[Case]:
    t = tensor
    specs = {
        "x.copy_(str)": (lambda L: (t(L, 3), "a"), lambda L, x, v: x.copy_(v)),
        "x.copy_(2x3) 3": (lambda L: (t(L, 3), t(L, 2, 3)), lambda L, x, v: x.copy_(v)),
        "x.fill_(str)": (lambda L: (t(L, 3), "a"), lambda L, x, v: x.fill_(v)),
        "x.fill_(tensor 1-d)": (lambda L: (t(L, 3), t(L, 2)), lambda L, x, v: x.fill_(v)),
        "x.zero_(1)": (lambda L: (t(L, 3), 1), lambda L, x, v: x.zero_(v)),
        "x.masked_fill_(str)": (
            lambda L: (t(L, 3), t(L, 3, dtype="bool")),
            lambda L, x, m: x.masked_fill_(m, "a"),
        ),
        "x.masked_fill_(float mask)": (
            lambda L: (t(L, 3), t(L, 3)),
            lambda L, x, m: x.masked_fill_(m, 0.0),
        ),
        "x.clamp_() none": (lambda L: (t(L, 3),), lambda L, x: x.clamp_()),
        "x.clamp_(1.5) int64": (lambda L: (t(L, 3, dtype="int64"),), lambda L, x: x.clamp_(1.5)),
        "x.scatter_ out": (
            lambda L: (t(L, 2, 3), L.tensor([[0, 9]]), t(L, 1, 2)),
            lambda L, x, i, s: x.scatter_(0, i, s),
        ),
        "x.scatter_add_ dim": (
            lambda L: (t(L, 2, 3), L.tensor([[0, 1]]), t(L, 1, 2)),
            lambda L, x, i, s: x.scatter_add_(3, i, s),
        ),
        "x.index_put_ out": (
            lambda L: (t(L, 3), L.tensor([5]), t(L, 1)),
            lambda L, x, i, v: x.index_put_((i,), v),
        ),
        "x.index_put_ shapes": (
            lambda L: (t(L, 3), L.tensor([0, 1]), t(L, 3)),
            lambda L, x, i, v: x.index_put_((i,), v),
        ),
        "x[5] = 1": (lambda L: (t(L, 3),), lambda L, x: x.__setitem__(5, 1.0)),
        "x[0] = 2x3": (lambda L: (t(L, 3),), lambda L, x: x.__setitem__(0, tensor(L, 2, 3))),
        "x[:2] = str": (lambda L: (t(L, 3),), lambda L, x: x.__setitem__(slice(0, 2), "a")),
        "leaf[0] = 1": (lambda L: (t(L, 3).requires_grad_(),), lambda L, x: x.__setitem__(0, 1.0)),
        "x.squeeze_(5)": (lambda L: (t(L, 2, 3),), lambda L, x: x.squeeze_(5)),
        "x.unsqueeze_(5)": (lambda L: (t(L, 2, 3),), lambda L, x: x.unsqueeze_(5)),
        "x.t_() 3-d": (lambda L: (t(L, 2, 3, 1),), lambda L, x: x.t_()),
        "x.transpose_(0, 5)": (lambda L: (t(L, 2, 3),), lambda L, x: x.transpose_(0, 5)),
        "x.requires_grad_(str)": (lambda L: (t(L, 3),), lambda L, x: x.requires_grad_("a")),
        "int.requires_grad_()": (
            lambda L: (t(L, 3, dtype="int64"),),
            lambda L, x: x.requires_grad_(),
        ),
        "nonleaf.requires_grad_(False)": (
            lambda L: (t(L, 3).requires_grad_() * 2,),
            lambda L, x: x.requires_grad_(False),
        ),
        "view.add_ of leaf": (lambda L: (t(L, 3).requires_grad_(),), lambda L, x: x[:2].add_(1)),
        "x.detach_() of view": (
            lambda L: (t(L, 3).requires_grad_(),),
            lambda L, x: x.view(3).detach_(),
        ),
        "x.lerp_(str)": (lambda L: (t(L, 3), t(L, 3)), lambda L, x, y: x.lerp_(y, "a")),
        "x.pow_(-1) int64": (lambda L: (t(L, 3, dtype="int64"),), lambda L, x: x.pow_(-1)),
        "x.div_(y, rounding_mode='x')": (
            lambda L: (t(L, 3), t(L, 3)),
            lambda L, x, y: x.div_(y, rounding_mode="x"),
        ),
    }
    return [Case(label, make, call, inplace=True) for label, (make, call) in specs.items()]
