"""Anomaly detection against torch.autograd.detect_anomaly (the oracle)."""

from __future__ import annotations

import re
import warnings

import pytest
import retrograd

torch = pytest.importorskip("torch")

LIBS = (retrograd, torch)


def _observe(m, forward, check_nan=True, mode="detect"):
    """Run ``forward(m)`` and its backward under anomaly mode: (error, UserWarnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        manager = (
            m.autograd.detect_anomaly(check_nan=check_nan)
            if mode == "detect"
            else m.autograd.set_detect_anomaly(True, check_nan)
        )
        with manager:
            out = forward(m)  # the forward line both libraries' traces point at
            try:
                out.sum().backward()
                error = None
            except RuntimeError as exc:
                error = str(exc)
    messages = [_user_frames(str(w.message)) for w in caught]
    return error, [msg for msg in messages if "encountered in" not in msg]


def _user_frames(message):
    """A warning without PyTorch's C++ suffix and without the library's own frames in a
    forward trace (torch shows its Function.apply frame, retrograd none)."""
    text = message.split(" (Triggered internally")[0]
    head, sep, trace = text.partition("caused the error:\n")
    frames = re.findall(r"  File .*\n(?:    .*\n)?", trace)
    return head + sep + "".join(f for f in frames if "site-packages/torch/" not in f)


def _div(m):
    x = m.tensor([0.0, 1.0], dtype=m.float64, requires_grad=True)
    return x / x


def _mul_nan(m):
    x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
    return x * m.tensor([float("nan"), 1.0], dtype=m.float64)


def _custom_nan(m):
    class Half(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 0.5

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    return Half.apply(m.ones(2, requires_grad=True))


def _inplace_error(m):
    x = m.ones(2, requires_grad=True)
    y = x.exp()
    out = y * 2
    y.add_(1)  # modifies a tensor ExpBackward0 saved
    return out


@pytest.mark.parametrize("forward", [_div, _mul_nan, _custom_nan, _inplace_error])
@pytest.mark.parametrize("mode", ["detect", "set"])
def test_error_and_forward_trace_match_torch(forward, mode):
    got, want = (_observe(m, forward, mode=mode) for m in LIBS)
    assert want[0] is not None and got[0] is not None
    if forward is _inplace_error:  # retrograd's own hint follows PyTorch's leading text
        lead = "one of the variables needed for gradient computation has been modified"
        assert got[0].startswith(lead) and want[0].startswith(lead)
    else:
        assert got[0] == want[0]
    assert got[1] == want[1]


def test_nan_message_names_the_node():
    error, messages = _observe(retrograd, _mul_nan)
    assert error == "Function 'MulBackward0' returned nan values in its 0th output."
    assert messages[-1].startswith("Error detected in MulBackward0. Traceback of forward call")
    assert "_mul_nan" in messages[-1]


@pytest.mark.parametrize("forward", [_div, _mul_nan])
def test_without_nan_check_backward_runs(forward):
    got, want = (_observe(m, forward, check_nan=False) for m in LIBS)
    assert got == want
    assert got[0] is None


def test_off_by_default_and_no_trace_recorded():
    assert retrograd.is_anomaly_enabled() is torch.is_anomaly_enabled() is False
    assert retrograd.is_anomaly_check_nan_enabled() is torch.is_anomaly_check_nan_enabled()
    y = _mul_nan(retrograd)
    assert "traceback_" not in y.grad_fn.metadata
    y.sum().backward()  # NaN gradients, no error when off


def test_flags_follow_the_managers():
    seen = []
    for m in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with m.autograd.detect_anomaly(check_nan=False):
                inside = (m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled())
            handle = m.autograd.set_detect_anomaly(True)
            set_now = m.is_anomaly_enabled()
            with handle:
                pass
            after = (m.is_anomaly_enabled(), m.is_anomaly_check_nan_enabled())
        seen.append((inside, set_now, after))
    assert seen[0] == seen[1]


def test_decorator_form():
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):

        @retrograd.autograd.detect_anomaly()
        def run():
            return retrograd.is_anomaly_enabled(), _div(retrograd).grad_fn.metadata

        enabled, metadata = run()
    assert enabled and "traceback_" in metadata
    assert not retrograd.is_anomaly_enabled()
    assert metadata["traceback_"][-1].strip().endswith("return x / x")
    assert metadata["traceback_"][-2].strip().endswith("_div(retrograd).grad_fn.metadata")


def test_node_created_before_anomaly_mode_has_no_trace():
    got = []
    for m in LIBS:
        out = _mul_nan(m)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            with m.autograd.detect_anomaly(), pytest.raises(RuntimeError):
                out.sum().backward()
        got.append([str(w.message).split(" (Triggered")[0] for w in caught][1:])
    assert got[0] == got[1]
