"""The workload registry: W1-W8, in the order the report shows them."""

from __future__ import annotations

from . import (
    w1_tutorial,
    w1a_first_scenario,
    w2_chain,
    w3_mlp,
    w4_matmul,
    w5_rnn,
    w6_memory,
    w7_digits_epoch,
    w8_adam_step,
)

_MODULES = (
    w1_tutorial,
    w1a_first_scenario,
    w2_chain,
    w3_mlp,
    w4_matmul,
    w5_rnn,
    w6_memory,
    w7_digits_epoch,
    w8_adam_step,
)
REGISTRY = tuple(m.WORKLOAD for m in _MODULES)
BY_KEY = {w.key: w for w in REGISTRY}
