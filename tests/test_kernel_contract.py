"""The kernel contract (retrograd_backends.kernel_contract) is complete: its required
kernels are exactly the generic table, every built-in backend's extra kernels are
documented optional ones, and docs/kernels.md is its rendering."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import retrograd
from retrograd_backends import kernel_contract
from retrograd_backends.kernels import generic_kernels

DOCS = Path(__file__).resolve().parent.parent / "docs" / "kernels.md"


def test_required_kernels_are_the_generic_table():
    table = set(generic_kernels(np))
    assert sorted(table - set(kernel_contract.REQUIRED)) == []  # undocumented kernels
    assert sorted(set(kernel_contract.REQUIRED) - table) == []  # documented, not there


@pytest.mark.parametrize("name", [b.name for b in retrograd.backends() if b.usable])
def test_every_backends_extra_kernels_are_documented(name):
    extra = set(retrograd.get_backend(name).base_kernels) - set(kernel_contract.REQUIRED)
    assert sorted(extra - set(kernel_contract.OPTIONAL)) == []


def test_captures_name_generic_kernels():
    assert set(kernel_contract.CAPTURES) <= set(kernel_contract.REQUIRED)


def test_docs_page_is_current():
    assert DOCS.read_text() == kernel_contract.render(), (
        "docs/kernels.md is stale: python -m retrograd_backends.kernel_contract > docs/kernels.md"
    )
