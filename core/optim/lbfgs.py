"""``LBFGS``: limited-memory BFGS over all parameters flattened into one vector, with an
optional strong-Wolfe line search. ``step(closure)`` runs up to ``max_iter`` iterations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..grad_mode import enable_grad, no_grad
from ..ops.joining import cat
from ..tensor import Tensor
from .optimizer import Optimizer, check_non_negative


def _number(x: Any) -> Any:
    """A Python number for an ``alpha=`` argument (the search keeps some scalars as 0-d
    float32 tensors, as PyTorch's does, so their arithmetic rounds the same way)."""
    return x.item() if isinstance(x, Tensor) else x


def _cubic_minimum(
    x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any, bounds: tuple | None = None
) -> Any:
    """The minimizer of the cubic through ``(x1, f1)`` and ``(x2, f2)`` with slopes
    ``g1``, ``g2``, clipped to ``bounds`` (default: the interval between the points);
    the bounds' midpoint when the cubic has no real critical point."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    radicand = d1**2 - g1 * g2
    if radicand < 0:
        return (low + high) / 2.0
    d2 = radicand.sqrt() if isinstance(radicand, Tensor) else radicand**0.5
    if x1 <= x2:
        point = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        point = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(point, low), high)


class _Bracket:
    """Two trial steps of the line search with their losses, gradients and slopes."""

    def __init__(self, steps: list, losses: list, grads: list, slopes: list) -> None:
        self.t, self.f, self.g, self.gtd = steps, losses, grads, slopes

    def set(self, i: int, t: Any, f: Any, g: Any, gtd: Any) -> None:
        self.t[i], self.f[i], self.g[i], self.gtd[i] = t, f, g, gtd

    def ends(self) -> tuple[int, int]:
        """(index of the lower loss, index of the other)."""
        return (0, 1) if self.f[0] <= self.f[-1] else (1, 0)


def _strong_wolfe(
    evaluate: Callable[[Any], tuple[float, Tensor]],
    t: Any,
    d: Tensor,
    f: float,
    g: Tensor,
    gtd: Any,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, Tensor, Any, int]:
    """A step ``t`` along ``d`` meeting the strong Wolfe conditions (sufficient decrease
    ``c1``, curvature ``c2``): grow ``t`` by cubic extrapolation until a minimum is
    bracketed, then shrink the bracket by cubic interpolation (the More-Thuente /
    minFunc scheme). Returns the loss, flat gradient and step found, and the number of
    evaluations."""
    d_norm = d.abs().max()
    g = g.clone()
    f_new, g_new = evaluate(t)
    evals, tries = 1, 0
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done, bracket = False, None
    while tries < max_ls:  # phase 1: find an interval holding an acceptable step
        sufficient = f_new <= f + c1 * t * gtd
        if not sufficient or (tries > 1 and f_new >= f_prev):
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.clone()],
                               [gtd_prev, gtd_new])  # fmt: skip
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, done = _Bracket([t], [f_new], [g_new], [gtd_new]), True
            break
        if gtd_new >= 0:
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.clone()],
                               [gtd_prev, gtd_new])  # fmt: skip
            break
        bounds = (t + 0.01 * (t - t_prev), t * 10)
        t_next = _cubic_minimum(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds)
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new.clone(), gtd_new
        t = t_next
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new.dot(d)
        tries += 1
    if tries == max_ls:
        bracket = _Bracket([0, t], [f, f_new], [g, g_new], [None, None])
    assert bracket is not None
    stalled = False
    low, high = bracket.ends()
    while not done and tries < max_ls:  # phase 2: zoom in on the interval
        if abs(bracket.t[1] - bracket.t[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimum(bracket.t[0], bracket.f[0], bracket.gtd[0],
                           bracket.t[1], bracket.f[1], bracket.gtd[1])  # fmt: skip
        top, bottom = max(bracket.t), min(bracket.t)
        margin = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < margin:  # too close to an end: step away from it
            if stalled or t >= top or t <= bottom:
                t = top - margin if abs(t - top) < abs(t - bottom) else bottom + margin
                stalled = False
            else:
                stalled = True
        else:
            stalled = False
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new.dot(d)
        tries += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket.f[low]:
            bracket.set(high, t, f_new, g_new.clone(), gtd_new)
            low, high = bracket.ends()
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket.t[high] - bracket.t[low]) >= 0:
                bracket.set(high, bracket.t[low], bracket.f[low], bracket.g[low],
                            bracket.gtd[low])  # fmt: skip
            bracket.set(low, t, f_new, g_new.clone(), gtd_new)
    return bracket.f[low], bracket.g[low], bracket.t[low], evals


class LBFGS(Optimizer):
    """PyTorch's L-BFGS: the two-loop recursion over the last ``history_size`` pairs of
    step and gradient change gives the direction; the step is ``lr`` (the first one
    ``min(1, 1 / |g|_1) * lr``), or found by ``line_search_fn="strong_wolfe"``. One
    parameter group only; ``step`` needs a closure that re-evaluates the loss (with its
    gradients) and returns it. Stops after ``max_iter`` iterations or ``max_eval``
    evaluations (default ``max_iter * 5 // 4``), when the largest gradient element is at
    most ``tolerance_grad``, or a step or loss change is below ``tolerance_change``. State
    (on the first parameter): ``func_evals``, ``n_iter`` and the search history."""

    def __init__(
        self,
        params: Any,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_non_negative(("learning rate", lr))
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def __getstate__(self) -> dict[str, Any]:
        return {**super().__getstate__(), "_params": self._params}

    def _flat_grad(self) -> Tensor:
        """Every parameter's gradient (zeros where None), flattened and concatenated."""
        parts = [
            p.new_zeros(p.numel()) if p.grad is None else p.grad.reshape(-1) for p in self._params
        ]
        return cat(parts)

    def _move(self, step: Any, direction: Tensor) -> None:
        """``params += step * direction`` (the direction is flat)."""
        offset = 0
        for p in self._params:
            n = p.numel()
            p.add_(direction[offset : offset + n].view_as(p), alpha=_number(step))
            offset += n

    def _evaluate(self, closure: Callable[[], Any], start: list[Tensor], t: Any,
                  d: Tensor) -> tuple[float, Tensor]:  # fmt: skip
        """Loss and flat gradient at ``start + t * d``; the parameters return to ``start``."""
        self._move(t, d)
        loss = float(closure())
        grad = self._flat_grad()
        for p, saved in zip(self._params, start):
            p.copy_(saved)
        return loss, grad

    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; returns the closure's first loss."""
        with no_grad():
            return self._step(closure)

    def _step(self, closure: Callable[[], Any]) -> Any:
        def evaluate() -> Any:
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        search, history = group["line_search_fn"], group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = evaluate()
        loss = float(first_loss)
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if flat_grad.abs().max() <= tol_grad:
            return first_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps = state.get("old_dirs"), state.get("old_stps")
        ro, h_diag = state.get("ro"), state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:  # steepest descent to start
                d = flat_grad.neg()
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                y = flat_grad.sub(prev_flat_grad)
                s = d.mul(t)
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only while the curvature is positive
                    if len(old_dirs) == history:
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                d = self._two_loop(state, flat_grad, old_dirs, old_stps, ro, h_diag, history)

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss
            t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tol_change:  # not a descent direction
                break

            spent = 0
            if search is not None:
                if search != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                start = [p.clone() for p in self._params]
                loss, flat_grad, t, spent = _strong_wolfe(
                    lambda step, start=start, d=d: self._evaluate(evaluate, start, step, d),
                    t, d, loss, flat_grad, gtd, max_ls=max_eval - evals,
                )  # fmt: skip
                self._move(t, d)
                converged = flat_grad.abs().max() <= tol_grad
            else:
                self._move(t, d)
                converged = False
                if iteration != max_iter:  # the last iteration's loss is not needed
                    loss = float(evaluate())
                    flat_grad = self._flat_grad()
                    converged = flat_grad.abs().max() <= tol_grad
                    spent = 1
            evals += spent
            state["func_evals"] += spent

            if iteration == max_iter or evals >= max_eval or converged:
                break
            if d.mul(t).abs().max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)  # fmt: skip
        return first_loss

    @staticmethod
    def _two_loop(state: dict, grad: Tensor, dirs: list, stps: list, ro: list, h_diag: Any,
                  history: int) -> Tensor:  # fmt: skip
        """The L-BFGS direction ``-H g``: the inverse Hessian estimate from the stored
        pairs applied to the gradient (``state["al"]`` keeps the first loop's weights)."""
        if "al" not in state:
            state["al"] = [None] * history
        al = state["al"]
        q = grad.neg()
        for i in range(len(dirs) - 1, -1, -1):
            al[i] = stps[i].dot(q) * ro[i]
            q.add_(dirs[i], alpha=-_number(al[i]))
        r = q.mul(h_diag)
        for i in range(len(dirs)):
            be_i = dirs[i].dot(r) * ro[i]
            r.add_(stps[i], alpha=_number(al[i] - be_i))
        return r
