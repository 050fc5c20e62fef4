"""Errors are PyTorch's: the same code raises the same exception type in retrograd as in
PyTorch (the oracle), and retrograd's message names the op, the shapes or dtypes, and
what to do.

Each case is ``code(lib)``, run with ``lib=retrograd`` and ``lib=torch``; ``words`` are
fragments retrograd's message must contain.
"""

from __future__ import annotations

import pytest
import retrograd

torch = pytest.importorskip("torch")


def _raised(code, lib) -> BaseException:
    try:
        code(lib)
    except Exception as error:  # noqa: BLE001 - the point is to catch what is raised
        return error
    pytest.fail(f"{lib.__name__}: no exception raised")


def check(code, words=(), torch_words=()) -> BaseException:
    """Both libraries raise; same type; ours names ``words`` (and torch's ``torch_words``)."""
    ours, theirs = _raised(code, retrograd), _raised(code, torch)
    assert type(ours) is type(theirs), f"{type(ours).__name__}: {ours}"
    for word in (*words, *torch_words):
        assert word in str(ours), f"{word!r} not in: {ours}"
    for word in torch_words:
        assert word in str(theirs), f"test premise: {word!r} not in torch's: {theirs}"
    return ours


def _leaf(m, *shape, dtype=None):
    return m.ones(*shape, dtype=dtype or m.float32, requires_grad=True)


# -- backward and the graph --------------------------------------------------------------------
def _backward_twice(m):
    x = _leaf(m, 3)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _grad_twice(m):
    x = _leaf(m, 3)
    y = x.exp().sum()
    m.autograd.grad(y, x)
    m.autograd.grad(y, x)


def _saved_tensors_after_backward(m):
    x = _leaf(m, 3)
    y = x.sigmoid()
    y.sum().backward()
    y.grad_fn(m.ones(3))


class _Square:
    """A custom Function, built per library."""

    @staticmethod
    def make(m):
        class Square(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g

        return Square


def _custom_function_twice(m):
    x = _leaf(m, 3)
    y = _Square.make(m).apply(x).sum()
    y.backward()
    y.backward()


@pytest.mark.parametrize(
    "code",
    [_backward_twice, _grad_twice, _saved_tensors_after_backward, _custom_function_twice],
    ids=lambda f: f.__name__,
)
def test_second_backward_through_freed_graph(code):
    check(code, torch_words=("backward through the graph a second time", "retain_graph=True"))


def test_retain_graph_allows_a_second_backward():
    x = retrograd.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 4.0, 4.0]


def test_graph_of_only_leaves_and_unsaved_ops_can_backward_twice():
    # Nodes that saved nothing have nothing to free, as in PyTorch.
    for m in (retrograd, torch):
        x = _leaf(m, 3)
        y = (x + x).sum()
        y.backward()
        y.backward()
        assert x.grad.tolist() == [4.0, 4.0, 4.0]


BACKWARD_ERRORS = {
    "non-scalar without gradient": (
        lambda m: (_leaf(m, 3) * 2).backward(),
        RuntimeError,
        ("grad can be implicitly created only for scalar outputs", "[3]"),
    ),
    "grad() non-scalar without grad_outputs": (
        lambda m: (lambda x: m.autograd.grad(x * 2, [x]))(_leaf(m, 2, 2)),
        RuntimeError,
        ("grad can be implicitly created only for scalar outputs",),
    ),
    "gradient of wrong shape": (
        lambda m: (_leaf(m, 3) * 2).backward(m.ones(2)),
        RuntimeError,
        ("Mismatch in shape", "[2]", "[3]"),
    ),
    "gradient of wrong shape (grad)": (
        lambda m: (lambda x: m.autograd.grad(x * 2, [x], m.ones(1, 3)))(_leaf(m, 3)),
        RuntimeError,
        ("Mismatch in shape",),
    ),
    "gradient not a tensor": (
        lambda m: (_leaf(m, 3) * 2).backward([1.0, 1.0, 1.0]),
        TypeError,
        ("Tensors or None",),
    ),
    "gradient a number": (
        lambda m: (_leaf(m, 3) * 2).backward(2.0),
        TypeError,
        (),
    ),
    "tensor that does not require grad": (
        lambda m: m.ones(3).sum().backward(),
        RuntimeError,
        ("does not require grad and does not have a grad_fn",),
    ),
    "grad() of an unused input": (
        lambda m: m.autograd.grad((_leaf(m, 2) * 2).sum(), [_leaf(m, 2)]),
        RuntimeError,
        ("not have been used in the graph", "allow_unused=True"),
    ),
    "grad() w.r.t. a tensor that does not require grad": (
        lambda m: m.autograd.grad((_leaf(m, 2) * 2).sum(), [m.ones(2)]),
        RuntimeError,
        ("does not require grad",),
    ),
    "backward(inputs=[])": (
        lambda m: (_leaf(m, 2) * 2).sum().backward(inputs=[]),
        RuntimeError,
        ("cannot be empty",),
    ),
}


@pytest.mark.parametrize("case", BACKWARD_ERRORS, ids=str)
def test_backward_argument_errors(case):
    code, kind, words = BACKWARD_ERRORS[case]
    assert isinstance(check(code, words), kind)


# -- requires_grad and leaves ------------------------------------------------------------------
@pytest.mark.parametrize(
    "code",
    [
        lambda m: m.tensor([1, 2], requires_grad=True),
        lambda m: m.ones(2, dtype=m.int64).requires_grad_(),
        lambda m: setattr(m.ones(2, dtype=m.int64), "requires_grad", True),
        lambda m: m.ones(2, dtype=m.int64, requires_grad=True),
        lambda m: m.tensor([True], requires_grad=True),
        lambda m: m.arange(3, requires_grad=True),
    ],
    ids=["tensor()", "requires_grad_()", "setter", "ones()", "bool", "arange()"],
)
def test_requires_grad_on_integer_tensor(code):
    error = check(code, ("floating point",))
    assert isinstance(error, RuntimeError)


def test_requires_grad_false_on_non_leaf():
    def code(m):
        (_leaf(m, 2) * 2).requires_grad_(False)

    check(code, ("leaf", "detach()"))


def test_in_place_on_leaf_that_requires_grad():
    for op in ("add_(1)", "mul_(2)", "zero_()", "fill_(1)", "copy_(m.zeros(2))", "__iadd__(1)"):
        error = check(lambda m, op=op: eval(f"_leaf(m, 2).{op}"), ("leaf Variable", "in-place"))
        assert isinstance(error, RuntimeError)
    check(lambda m: _leaf(m, 3)[1:].mul_(2), ("view of a leaf Variable",))


def test_in_place_on_leaf_is_allowed_under_no_grad():
    for m in (retrograd, torch):
        x = _leaf(m, 3)
        with m.no_grad():
            x.add_(1)
            x *= 2
            x[1:].zero_()
        assert x.tolist() == [4.0, 0.0, 0.0] and x._version == 3
        assert x.requires_grad and x.is_leaf and x.grad_fn is None


def test_in_place_on_a_multi_output_view_is_refused_as_in_pytorch():
    for m in (retrograd, torch):
        y = _leaf(m, 4) * 2
        with pytest.raises(RuntimeError):
            y.split(2)[0].mul_(2)
    with pytest.raises(RuntimeError, match=r"mul_\(\).*several outputs.*clone\(\)"):
        (_leaf(retrograd, 4) * 2).split(2)[0].mul_(2)


# -- saved tensors modified in place -----------------------------------------------------------
def _modified_input(m):
    x = _leaf(m, 3)
    y = x * 2
    z = y * y
    y.add_(1)
    z.sum().backward()


def _modified_output(m):
    x = _leaf(m, 3)
    y = x.exp()
    y.mul_(2)
    y.sum().backward()


def _modified_twice(m):
    x = _leaf(m, 3)
    y = x * 1
    y += 3
    z = y.sin()
    y *= 2
    y.sub_(1)
    z.sum().backward()


def _modified_through_detach(m):
    x = _leaf(m, 3)
    y = x.sigmoid()
    y.detach().zero_()
    y.sum().backward()


def _modified_through_view(m):
    x = _leaf(m, 2, 2)
    y = x * 1
    z = y.exp()
    with m.no_grad():
        y[0].fill_(2)
    z.sum().backward()
    (y * y).sum().backward()


@pytest.mark.parametrize(
    "code, versions, node",
    [
        (_modified_input, ("version 1", "expected version 0"), "MulBackward0"),
        (_modified_output, ("version 1", "expected version 0"), "ExpBackward0"),
        (_modified_twice, ("version 3", "expected version 1"), "SinBackward0"),
        (_modified_through_detach, ("version 1", "expected version 0"), "SigmoidBackward0"),
    ],
    ids=["input", "output", "twice", "through detach"],
)
def test_saved_tensor_modified_in_place(code, versions, node):
    check(code, (node, "[torch.FloatTensor [3]]", ".clone()"),
          ("modified by an inplace operation", *versions))  # fmt: skip


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_saved_tensor_modified_names_the_legacy_type_as_pytorch(dtype):
    """The legacy type in the message comes from the dtype (``HalfTensor`` for float16),
    as PyTorch's does."""

    def code(m):
        x = _leaf(m, 3, dtype=getattr(m, dtype))
        y = x * x
        x.detach().add_(1)
        y.sum().backward()

    legacy = {"float16": "Half", "float32": "Float", "float64": "Double"}[dtype]
    check(code, torch_words=(f"[torch.{legacy}Tensor [3]]",))


def test_saved_tensor_modified_through_view_of_it():
    def code(m):
        x = _leaf(m, 2, 2)
        y = x * 1
        z = y * y
        with m.no_grad():
            y[0].fill_(2)
        z.sum().backward()

    check(code, ("MulBackward0",), ("is at version 1; expected version 0",))


# -- values and shapes -------------------------------------------------------------------------
SHAPE_ERRORS = {
    "item() of many elements": (lambda m: m.ones(2, 3).item(), ("6 elements",)),
    "bool() of many elements": (lambda m: bool(m.ones(2)), ("ambiguous",)),
    "add shapes": (lambda m: m.ones(2) + m.ones(3), ("add", "[2]", "[3]")),
    "add broadcast shapes": (
        lambda m: m.ones(2, 3) + m.ones(3, 2),
        (
            "add",
            "[2, 3]",
            "[3, 2]",
            "a (3) must match the size of tensor b (2)",
            "non-singleton dimension 1",
        ),
    ),  # fmt: skip
    "mul shapes": (lambda m: m.ones(4, 1, 3).mul(m.ones(2, 2)), ("mul", "[4, 1, 3]", "[2, 2]")),
    "sub shapes": (lambda m: m.sub(m.ones(2), m.ones(5)), ("sub", "[2]", "[5]")),
    "div shapes": (lambda m: m.ones(2) / m.ones(3), ("div", "[2]", "[3]")),
    "pow shapes": (lambda m: m.ones(2) ** m.ones(3), ("pow", "[2]", "[3]")),
    "mm shapes": (lambda m: m.ones(2, 3).mm(m.ones(2, 3)), ("mm", "2x3 and 2x3")),
    "matmul 2d shapes": (lambda m: m.ones(2, 3) @ m.ones(2, 3), ("2x3 and 2x3",)),
    "matmul 1d shapes": (lambda m: m.ones(3) @ m.ones(2), ("dot", "[3]", "[2]")),
    "matmul mv shapes": (lambda m: m.ones(2, 3) @ m.ones(2), ("mv", "[2, 3]", "[2]")),
    "matmul batched": (lambda m: m.ones(4, 2, 3) @ m.ones(4, 2, 3), ("matmul",)),
    "matmul batch broadcast": (
        lambda m: m.ones(4, 2, 3) @ m.ones(5, 3, 3),
        ("matmul", "[4]", "[5]"),
    ),
    "matmul 0-d": (lambda m: m.tensor(1.0) @ m.ones(3), ("at least 1D", "0D")),
    "mv shapes": (lambda m: m.ones(2, 3).mv(m.ones(2)), ("mv", "[2, 3]", "[2]")),
    "dot shapes": (lambda m: m.ones(3).dot(m.ones(2)), ("dot", "[3]", "[2]")),
    "dot of matrices": (lambda m: m.ones(2, 2).dot(m.ones(2)), ("dot", "1D", "2D")),
    "bmm shapes": (lambda m: m.ones(2, 2, 3).bmm(m.ones(2, 2, 3)), ("bmm", "[2, 2, 3]")),
    "bmm batch": (
        lambda m: m.ones(2, 2, 3).bmm(m.ones(3, 3, 3)),
        ("bmm", "[2, 2, 3]", "[3, 3, 3]"),
    ),
    "dot dtypes": (
        lambda m: m.ones(3).dot(m.ones(3, dtype=m.float64)),
        ("dot", "float32", "float64"),
    ),
    "mm dtypes": (
        lambda m: m.ones(2, 3) @ m.ones(3, 2, dtype=m.float64),
        ("float32", "float64"),
    ),
    "view numel": (lambda m: m.ones(2, 3).view(4), ("[4]", "6")),
    "view non-contiguous": (lambda m: m.ones(2, 3).t().view(6), ("view", ".reshape(")),
    "view two -1": (lambda m: m.ones(2, 3).view(-1, -1), ("only one dimension can be inferred",)),
    "reshape numel": (lambda m: m.ones(2, 3).reshape(4, 2), ("[4, 2]", "6")),
    "expand": (lambda m: m.ones(2, 3).expand(3, 3), ("expanded size", "[3, 3]", "[2, 3]")),
    "expand fewer sizes": (lambda m: m.ones(2, 3).expand(3), ("number of sizes",)),
    "permute length": (lambda m: m.ones(2, 3).permute(0), ("permute",)),
    "permute repeated": (lambda m: m.ones(2, 3).permute(0, 0), ("permute",)),
    "t() of 3-d": (lambda m: m.ones(2, 3, 4).t(), ("t()", "3D")),
    "mean of integers": (lambda m: m.ones(2, dtype=m.int64).mean(), ("mean", "Long")),
    "sum repeated dims": (lambda m: m.ones(2, 3).sum((0, 0)), ("dim 0", "multiple times")),
    "int to negative int power": (
        lambda m: m.tensor([1, 2]) ** -1,
        ("Integers to negative integer powers are not allowed",),
    ),
    "negative size": (lambda m: m.ones(-1), ("negative dimension", "[-1]")),
    "arange step 0": (lambda m: m.arange(0, 1, 0), ("step must be nonzero",)),
    "neg of bool": (lambda m: -m.tensor([True]), ("neg", "bool")),
    "relu of bool": (lambda m: m.relu(m.tensor([True])), ("relu",)),
    "hook on tensor without grad": (lambda m: m.ones(2).register_hook(print), ("hook",)),
    "retain_grad without grad": (lambda m: m.ones(2).retain_grad(), ("retain_grad",)),
    "numpy() of tensor requiring grad": (lambda m: _leaf(m, 2).numpy(), ("detach()",)),
}


def test_random_floats_only():
    # PyTorch raises NotImplementedError (a RuntimeError); retrograd a RuntimeError.
    for m in (retrograd, torch):
        with pytest.raises(RuntimeError):
            m.randn(2, dtype=m.int64)


@pytest.mark.parametrize("case", SHAPE_ERRORS, ids=str)
def test_value_and_shape_errors(case):
    code, words = SHAPE_ERRORS[case]
    error = check(code, words)
    assert isinstance(error, RuntimeError)


TYPE_ERRORS = {
    "len of 0-d": (lambda m: len(m.tensor(1.0)), ("0-d",)),
    "iter of 0-d": (lambda m: iter(m.tensor(1.0)), ("0-d",)),
    "add a string": (lambda m: m.ones(2) + "a", ()),
    "add None": (lambda m: m.add(m.ones(2), None), ("add", "other", "NoneType")),
    "tensor of a string": (lambda m: m.tensor("a"), ()),
    "assign a list as grad": (lambda m: setattr(_leaf(m, 2), "grad", [1.0, 2.0]), ("list",)),
    "float tensor as an index": (lambda m: [1, 2][m.tensor(1.0)], ("integer",)),
    "matmul with a list": (lambda m: m.matmul(m.ones(2), [1.0, 2.0]), ("matmul",)),
}


@pytest.mark.parametrize("case", TYPE_ERRORS, ids=str)
def test_type_errors(case):
    code, words = TYPE_ERRORS[case]
    assert isinstance(check(code, words), TypeError)


def test_assigned_grad_checks_shape_and_dtype():
    error = check(lambda m: setattr(_leaf(m, 3), "grad", m.ones(2)), ("[2]", "[3]"))
    assert isinstance(error, RuntimeError)
    error = check(lambda m: setattr(_leaf(m, 3), "grad", m.ones(3, dtype=m.float64)))
    assert isinstance(error, RuntimeError) and "'double'" in str(error)  # PyTorch's words


def test_ragged_nested_list():
    assert isinstance(check(lambda m: m.tensor([[1, 2], [3]]), ("length 2",)), ValueError)


# -- indices and dims out of range -------------------------------------------------------------
INDEX_ERRORS = {
    "x[2]": (lambda m: m.ones(2, 3)[2], ("index 2", "dimension 0", "size 2")),
    "x[0, -4]": (lambda m: m.ones(2, 3)[0, -4], ("index -4", "dimension 1", "size 3")),
    "x[0, 0, 0]": (lambda m: m.ones(2, 3)[0, 0, 0], ("too many indices", "dimension 2")),
    "0-d[0]": (lambda m: m.tensor(1.0)[0], ("0-dim", "item()")),
    "x[1.5]": (lambda m: m.ones(3)[1.5], ("float",)),
    "select(1, 3)": (lambda m: m.ones(2, 3).select(1, 3), ("3", "1")),
    "sum(2)": (lambda m: m.ones(2, 3).sum(2), ("[-2, 1]", "got 2")),
    "sum((0, 5))": (lambda m: m.ones(2, 3).sum((0, 5)), ("[-2, 1]", "got 5")),
    "mean(-3)": (lambda m: m.ones(2, 3).mean(-3), ("[-2, 1]", "got -3")),
    "norm(dim=5)": (lambda m: m.ones(2, 3).norm(dim=5), ("got 5",)),
    "size(2)": (lambda m: m.ones(2, 3).size(2), ("got 2",)),
    "transpose(0, 2)": (lambda m: m.ones(2, 3).transpose(0, 2), ("got 2",)),
    "unsqueeze(-4)": (lambda m: m.ones(2, 3).unsqueeze(-4), ("[-3, 2]", "got -4")),
    "squeeze(2)": (lambda m: m.ones(2, 3).squeeze(2), ("got 2",)),
    "select(2, 0)": (lambda m: m.ones(2, 3).select(2, 0), ("got 2",)),
    "permute(0, 2)": (lambda m: m.ones(2, 3).permute(0, 2), ("got 2",)),
    "0-d sum(1)": (lambda m: m.tensor(1.0).sum(1), ("[-1, 0]", "got 1")),
}


@pytest.mark.parametrize("case", INDEX_ERRORS, ids=str)
def test_index_and_dim_out_of_range(case):
    code, words = INDEX_ERRORS[case]
    assert isinstance(check(code, words), IndexError)


# -- custom Functions and inference mode -------------------------------------------------------
def test_custom_function_returning_too_many_gradients():
    def code(m):
        class Twice(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2, g

        Twice.apply(_leaf(m, 2)).sum().backward()

    check(code, ("TwiceBackward", "incorrect number of gradients", "expected 1, got 2"))


def test_custom_function_gradient_of_wrong_shape():
    def code(m):
        class Bad(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return m.ones(5)

        Bad.apply(_leaf(m, 2)).sum().backward()

    check(code, ("BadBackward", "[5]", "[2]"))


def test_inference_tensors_cannot_be_saved_or_modified_outside():
    def save(m):
        with m.inference_mode():
            y = m.ones(2)
        return _leaf(m, 2) * y

    def modify(m):
        with m.inference_mode():
            y = m.ones(2)
        y.add_(1)

    check(save, ("Inference tensors cannot be saved for backward", "clone"))
    check(modify, ("Inplace update to inference tensor outside InferenceMode",))


@pytest.mark.parametrize(
    "code, words",
    [
        (lambda m: m.maximum(2, 3), "must be Tensor, not"),
        (lambda m: m.atan2(2.0, 3), "must be Tensor, not"),
        # several signatures: PyTorch's "invalid combination", with the types given
        (lambda m: m.remainder(7, 2), "invalid combination of arguments - got (int, int)"),
    ],
    ids=["maximum", "atan2", "remainder"],
)
def test_two_python_numbers_where_a_tensor_is_required(code, words):
    check(code, torch_words=(words,))


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("a, b", [(3, 5), (3, 5.0), (2.5, 1), (4, 2.5)])
def test_arithmetic_on_two_python_numbers_gives_a_0d_tensor(name, a, b):
    ours, theirs = getattr(retrograd, name)(a, b), getattr(torch, name)(a, b)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    "code",
    [
        lambda m: m.tensor(3) - True,
        lambda m: True - m.tensor(3),
        lambda m: m.tensor(3.0) - m.tensor(True),
        lambda m: m.sub(m.tensor([1.0]), m.tensor([True]), alpha=2),
        lambda m: m.rsub(m.tensor(True), 2),
        lambda m: m.tensor([True]).sub_(m.tensor([False])),
        lambda m: m.sub(True, 2),
    ],
    ids=["int-True", "True-int", "float-booltensor", "alpha", "rsub", "sub_ two bools", "numbers"],
)
def test_subtraction_with_a_bool_operand(code):
    check(code, torch_words=("Subtraction, the `-` operator, with",))
