"""The suite checks itself: no op record goes unchecked, and no data file rots."""

from __future__ import annotations

import pytest
import retrograd
from retrograd_conformance import resolution
from retrograd_conformance.plugin import require_plugin, state_of

require_plugin()

RECORDS = {r.name: r for r in retrograd.ops.RECORDS}


@pytest.mark.parametrize("op", list(RECORDS))
def test_record_has_sample_call_and_reference(op: str) -> None:
    """A new record whose kind, name or kernel the defaults do not cover needs an entry
    in ``table.TABLE`` (the error says so)."""
    resolved = resolution.resolve(RECORDS[op])
    assert resolved.record is RECORDS[op]


@pytest.mark.parametrize("op", [n for n, r in RECORDS.items() if r.kinks])
def test_record_with_kinks_has_pinned_conventions(op: str) -> None:
    assert RECORDS[op].conventions, (
        f"op record '{op}' declares kinks {RECORDS[op].kinks}: pin PyTorch's gradient there "
        "in the record's conventions"
    )


def test_tables_name_only_existing_records() -> None:
    stale = sorted(set(resolution.TABLE) - set(RECORDS))
    assert not stale, f"table.py names records that no longer exist: {stale}"


def test_known_failures_name_collected_tests(backend: str, request: pytest.FixtureRequest) -> None:
    """Every id in the backend's known-failures file names a test of this run."""
    state = state_of(request.config)
    source = state.known.get(backend)
    mine = [m for m in state.unknown_ids if source is not None and m.startswith(source.source)]
    assert not mine, "known-failures ids that match no collected test:\n" + "\n".join(mine)
