"""``retrograd.compile``: PyTorch's ``torch.compile`` signature over capture and replay.

``compile(fn)`` returns a :class:`CompiledFunction`; ``compile()`` with options only returns
a decorator. A call looks for a cache entry whose guards pass and replays it; otherwise
it captures (runs ``fn`` eagerly while recording) and keeps the entry. Entries are capped
by ``recompile_limit`` (PyTorch's default, 8): past it, calls run eagerly, with a warning.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from .breaks import counters, warn_break
from .capture import Entry, capture, capturing, flatten_call

BACKENDS = ("inductor", "eager", "aot_eager", "cudagraphs")
MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
# The modes (and the ``"cudagraphs"`` backend) that ask for device graphs, as in PyTorch:
# on a backend that captures them (CuPy), a replay launches the step as one graph.
GRAPH_MODES = ("reduce-overhead", "max-autotune")
OPTIONS = frozenset({"recompile_limit"})
RECOMPILE_LIMIT = 8  # torch._dynamo.config.recompile_limit


class InvalidBackend(RuntimeError):
    """``torch._dynamo.exc.InvalidBackend``: a backend name compile does not know."""


class CompiledFunction:
    """``fn`` captured once per guard set and replayed (see the module doc)."""

    def __init__(
        self,
        fn: Callable[..., Any],
        fullgraph: bool,
        replay: bool,
        limit: int,
        mode: str = "default",
    ) -> None:
        self.fn, self.fullgraph, self.replay, self.limit = fn, fullgraph, replay, limit
        self.mode = mode
        self.entries: list[Entry] = []
        self._warned: set[str] = set()
        self.__wrapped__ = fn
        functools.update_wrapper(self, fn, updated=())  # type: ignore[arg-type]

    def reached_function(self) -> Callable[..., Any]:
        """What a capture walks in place of this object when a step reaches it: the
        Python function it compiles (its cache of recordings is not the step's state)."""
        return self.fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if capturing():
            return self.fn(*args, **kwargs)
        flat, spec = flatten_call(args, kwargs)
        for entry in self.entries:
            if entry.spec == spec and entry.guard(flat):
                if entry.run is None:
                    counters["stats"]["eager_calls"] += 1
                    return self.fn(*args, **kwargs)
                counters["stats"]["replays"] += 1
                return entry.run(flat)
        return self._miss(args, kwargs, flat, spec)

    def _miss(self, args: tuple, kwargs: dict, flat: list, spec: Any) -> Any:
        if not self.replay:
            return self.fn(*args, **kwargs)
        if len(self.entries) >= self.limit:
            self._say("limit", f"retrograd.compile hit recompile_limit ({self.limit}) for "
                      f"{self.__name__}; later calls with new guards run eagerly")  # fmt: skip
            counters["stats"]["eager_calls"] += 1
            return self.fn(*args, **kwargs)
        counters["stats"]["captures"] += 1
        if self.entries:
            counters["stats"]["recompiles"] += 1
        result, entry = capture(self.fn, args, kwargs, flat, self.fullgraph, self.mode)
        entry.spec = spec
        if entry.reason is not None and entry.keep:
            counters["graph_break"][entry.reason] += 1
            if entry.reason not in self._warned:
                self._warned.add(entry.reason)
                warn_break(self.__name__, entry.reason)
        if entry.keep:
            self.entries.append(entry)
        return result

    def _say(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            warnings.warn(message, UserWarning, stacklevel=3)

    def reset(self) -> None:
        """Forget every recording (the next call captures again)."""
        self.entries.clear()
        self._warned.clear()

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        """As a method decorator: bind like a function would."""
        return self if obj is None else functools.partial(self.__call__, obj)


def compile(
    model: Callable[..., Any] | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable[..., Any] | None = None,
    mode: str | None = None,
    options: dict[str, Any] | None = None,
    name: str | None = None,
    disable: bool = False,
    recompile_limit: int | None = None,
) -> Any:
    """Capture ``model`` (a function or module) once per guard set and replay it.

    As ``torch.compile``: without ``model`` it returns a decorator; ``disable=True`` returns
    ``model`` itself; ``backend="eager"`` runs it eagerly (PyTorch's debugging backend);
    ``dynamic=True`` is accepted and means what ``None`` means here (a recording is
    specialised to shapes; a new shape records again). ``fullgraph=True`` raises
    :class:`~retrograd.compiler.breaks.Unsupported` where the recording would break.
    ``mode="reduce-overhead"`` (also ``"max-autotune"``, or ``backend="cudagraphs"``)
    launches a replay as one device graph on a backend that captures graphs (CuPy: see
    :mod:`retrograd.compiler.graphs`); elsewhere it changes nothing.
    """
    _check_options(backend, mode, options)
    limit = recompile_limit or (options or {}).get("recompile_limit") or RECOMPILE_LIMIT
    if model is None:
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                  mode=mode, options=options, name=name, disable=disable,
                                  recompile_limit=recompile_limit)  # fmt: skip
    if not callable(model):
        raise TypeError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    graphs = mode in GRAPH_MODES or backend == "cudagraphs"
    mode = "reduce-overhead" if graphs else (mode or "default")
    return CompiledFunction(model, fullgraph, backend != "eager", limit, mode)


def _check_options(backend: Any, mode: Any, options: Any) -> None:
    if backend is not None and not callable(backend) and backend not in BACKENDS:
        raise InvalidBackend(
            f"Invalid backend: {backend!r}, see `torch._dynamo.list_backends()` for available "
            f"backends. (retrograd knows {', '.join(BACKENDS)})"
        )
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if mode is not None and mode not in MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(MODES)}")
    for key in options or {}:
        if key not in OPTIONS:
            raise RuntimeError(
                f"Unexpected optimization option {key}, known options are {sorted(OPTIONS)}"
            )
