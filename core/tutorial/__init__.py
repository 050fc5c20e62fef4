"""The seed autograd tutorial, as data, replayed on retrograd.

``autograd_tutorial.toml`` holds the Spanish PyTorch autograd tutorial the project grew
from (prose in Spanish and English, each code cell with the output PyTorch printed). From
it :func:`render_markdown` rebuilds the seed markdown, :func:`run` replays the cells on a
backend with ``import torch`` giving retrograd (``python -m retrograd tutorial``), and
:func:`compare` / :func:`parse_transcript` check a replay against the recorded outputs:
object addresses are normalised and cells drawn at random are compared by layout.
"""

from .runner import (
    Cell,
    Prose,
    Replay,
    Tutorial,
    compare,
    layout,
    load,
    normalize_addresses,
    parse_transcript,
    printed_numbers,
    render_markdown,
    run,
)

__all__ = [
    "Cell",
    "Prose",
    "Replay",
    "Tutorial",
    "compare",
    "layout",
    "load",
    "normalize_addresses",
    "parse_transcript",
    "printed_numbers",
    "render_markdown",
    "run",
]
