"""Load the seed tutorial, rebuild its markdown, replay its cells, compare the replay.

The tutorial lives in ``autograd_tutorial.toml`` beside this module (the single source).
:func:`render_markdown` rebuilds the seed file from it; :func:`run` executes the cells
with ``import torch`` giving :mod:`retrograd` and prints a notebook-style transcript in
the same layout; :func:`compare` and :func:`parse_transcript` check a replay against the
recorded outputs (object addresses normalised, random cells compared by layout), for the
tests and the conformance suite alike.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import io
import re
import sys
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, TextIO

import retrograd

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as a package
    import tomli as tomllib

LANGS = ("es", "en")
BLOCK_SEP = "\n\n"  # between two blocks, as in the seed
_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]+")
# A printed number: not part of a name like "MulBackward0".
_NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.?\d*|inf|nan)(?:e[+-]\d+)?(?![\w.])")
_PAD = re.compile(r" +(?=-?\d)")  # alignment padding before a number


@dataclass(frozen=True)
class Prose:
    """A prose block: the seed's Spanish text and its English translation."""

    es: str
    en: str

    def render(self, lang: str, output: str | None = None) -> str:
        return getattr(self, lang)


@dataclass(frozen=True)
class Cell:
    """A code cell: its number, code and the output recorded in the seed."""

    number: int
    code: str
    output: str
    random: bool = False

    def render(self, lang: str, output: str | None = None) -> str:
        """``In [N]:``, the code, then (if any) a blank line and the output."""
        output = self.output if output is None else output
        text = f"In [{self.number}]:\n{self.code}"
        return f"{text}\n\n{output}" if output else text


@dataclass(frozen=True)
class Tutorial:
    """The tutorial's blocks in document order, and the seed file's trailing text."""

    blocks: tuple[Prose | Cell, ...]
    tail: str = ""

    @property
    def cells(self) -> tuple[Cell, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Cell))

    def cell(self, number: int) -> Cell:
        return next(c for c in self.cells if c.number == number)


def _block(raw: dict[str, Any], index: int) -> Prose | Cell:
    keys = set(raw)
    if keys == {"es", "en"}:
        return Prose(raw["es"], raw["en"])
    if {"number", "code", "output"} <= keys <= {"number", "code", "output", "random"}:
        return Cell(raw["number"], raw["code"], raw["output"], raw.get("random", False))
    raise ValueError(
        f"tutorial block {index} has keys {sorted(keys)}; expected 'es' and 'en' (prose) "
        "or 'number', 'code', 'output' and optionally 'random' (code cell)"
    )


def parse(text: str) -> Tutorial:
    """Build a :class:`Tutorial` from TOML text; ValueError if a block is malformed."""
    data = tomllib.loads(text)
    tutorial = Tutorial(
        tuple(_block(raw, i) for i, raw in enumerate(data["block"])), data.get("tail", "")
    )
    numbers = [c.number for c in tutorial.cells]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"tutorial cells must be numbered 1, 2, ... in order; got {numbers}")
    return tutorial


@functools.cache
def load() -> Tutorial:
    """The packaged seed tutorial (parsed once)."""
    source = resources.files(__package__).joinpath("autograd_tutorial.toml")
    return parse(source.read_text(encoding="utf-8"))


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"tutorial language must be one of {LANGS}, not {lang!r}")


def render_markdown(lang: str = "es", outputs: Mapping[int, str] | None = None) -> str:
    """The tutorial as the seed file lays it out: for ``"es"``, the seed byte for byte.

    ``outputs`` (cell number -> printed text) replaces the recorded outputs.
    """
    _check_lang(lang)
    tutorial, outputs = load(), outputs or {}
    parts = [b.render(lang, outputs.get(getattr(b, "number", None))) for b in tutorial.blocks]
    return BLOCK_SEP.join(parts) + tutorial.tail


# --- executing cells -------------------------------------------------------------------


def _torch_import(real_import: Any) -> Any:
    """An ``__import__`` that answers ``torch`` and ``torch.<sub>`` with retrograd's."""

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (name == "torch" or name.startswith("torch.")):
            name = "retrograd" + name[len("torch") :]
        return real_import(name, globals, locals, fromlist, level)

    return __import__


def namespace() -> dict[str, Any]:
    """Fresh globals for the cells: ``import torch`` gives retrograd, ``sys.modules`` and
    the real builtins are left untouched."""
    cell_builtins = dict(vars(builtins))
    cell_builtins["__import__"] = _torch_import(builtins.__import__)
    return {"__builtins__": cell_builtins, "__name__": "__main__"}


def _execute(code: str, filename: str, env: dict[str, Any]) -> None:
    """Run ``code`` in ``env``; like a notebook, print the repr of a final bare
    expression whose value is not None."""
    tree = ast.parse(code, filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), env)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), filename, "eval"), env)
        if value is not None:
            print(repr(value))


def _cell_traceback(exc: Exception) -> str:
    """The traceback a notebook shows: from the cell down, without this module's frames."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


@dataclass
class Replay:
    """What a run printed: ``outputs`` per cell number, and ``errors`` (cell number ->
    the exception's last line) for cells that raised."""

    outputs: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)


def run_cell(cell: Cell, env: dict[str, Any], replay: Replay) -> str:
    """Execute one cell in ``env``, record its captured output in ``replay``, return it.

    An exception ends the cell, as in a notebook: its traceback becomes the output.
    """
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            _execute(cell.code, f"<In [{cell.number}]>", env)
        except Exception as exc:
            print(_cell_traceback(exc), end="")
            replay.errors[cell.number] = traceback.format_exception_only(exc)[-1].strip()
    replay.outputs[cell.number] = buffer.getvalue()
    return replay.outputs[cell.number]


def _backend(name: str | None) -> contextlib.AbstractContextManager[Any]:
    return contextlib.nullcontext() if name is None else retrograd.use_backend(name)


def run(
    backend: str | None = None,
    lang: str = "es",
    out: TextIO | None = None,
    seed: int | None = None,
) -> Replay:
    """Replay every cell in one namespace on ``backend`` (None: the default) and write
    the notebook-style transcript to ``out`` (default ``sys.stdout``; None-safe).

    ``seed`` calls ``retrograd.manual_seed`` first, for reproducible random cells.
    Raises the core's error for an unknown or unusable backend before running anything.
    """
    _check_lang(lang)
    out = sys.stdout if out is None else out
    replay, env = Replay(), namespace()
    with _backend(backend):
        if seed is not None:
            retrograd.manual_seed(seed)
        for i, block in enumerate(load().blocks):
            output = run_cell(block, env, replay) if isinstance(block, Cell) else None
            out.write((BLOCK_SEP if i else "") + block.render(lang, output))
            out.flush()
    out.write("\n")
    return replay


# --- comparing a replay with the seed ----------------------------------------------------


def normalize_addresses(text: str) -> str:
    """``at 0x7f3a...`` -> ``at 0x<addr>``: object addresses differ from run to run."""
    return _ADDRESS.sub("at 0x<addr>", text)


def _number_format(match: re.Match[str]) -> str:
    """A printed number's format, not its value: fixed with 4 decimals -> ``<f4>``,
    scientific with 4 -> ``<e4>``, integer -> ``<i>``."""
    number = match.group().lstrip("-")
    if number in ("inf", "nan"):
        return f"<{number}>"
    kind = "e" if "e" in number and number[0].isdigit() else ("f" if "." in number else "i")
    decimals = len(number.split("e")[0].partition(".")[2])
    return f"<{kind}{decimals}>" if kind != "i" else "<i>"


def layout(text: str) -> str:
    """``text`` with each number replaced by its format and alignment padding removed:
    two printouts of differently drawn values of the same kind have the same layout."""
    return _NUMBER.sub(_number_format, _PAD.sub("", normalize_addresses(text)))


def printed_numbers(text: str) -> list[float]:
    """The numbers printed in ``text`` (tensor entries etc.), in order."""
    return [float(m.group()) for m in _NUMBER.finditer(normalize_addresses(text))]


def cell_matches(cell: Cell, actual: str) -> bool:
    """Whether ``actual`` is what the seed shows for ``cell``: equal after address
    normalisation, or for a random cell equal in :func:`layout`."""
    key = layout if cell.random else normalize_addresses
    return key(actual) == key(cell.output)


def compare(actual_cells: Mapping[int, str]) -> list[str]:
    """One message per cell whose output differs from the seed (empty: all match)."""
    problems = []
    for cell in load().cells:
        if cell.number not in actual_cells:
            problems.append(f"In [{cell.number}]: no output (cell not run)")
        elif not cell_matches(cell, actual_cells[cell.number]):
            how = "layout " if cell.random else ""
            problems.append(
                f"In [{cell.number}]: {how}differs from the seed\n"
                f"expected:\n{cell.output}actual:\n{actual_cells[cell.number]}"
            )
    return problems


def _heads(lang: str) -> Iterator[tuple[Prose | Cell, str]]:
    """Each block with the text the transcript shows before any output."""
    for block in load().blocks:
        yield block, block.render(lang, "") if isinstance(block, Cell) else block.render(lang)


def parse_transcript(text: str, lang: str = "es") -> dict[int, str]:
    """Cell outputs from a transcript that :func:`run` printed (e.g. via the CLI).

    ValueError if a prose or code block is not where the tutorial puts it.
    """
    heads, outputs, pos = list(_heads(lang)), {}, 0
    for i, (block, head) in enumerate(heads):
        start = pos + (len(BLOCK_SEP) if i else 0)
        if not text.startswith(head, start):
            raise ValueError(f"transcript differs from the tutorial at block {i}: {head[:60]!r}")
        pos = start + len(head)
        nxt = text.find(BLOCK_SEP + heads[i + 1][1], pos) if i + 1 < len(heads) else -1
        if isinstance(block, Cell):
            end = nxt if nxt >= 0 else len(text.rstrip("\n")) + 1
            outputs[block.number] = text[pos:end][len(BLOCK_SEP) :]
            pos = end
    return outputs
