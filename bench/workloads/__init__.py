"""The workload registry: W1-W6, in the order the report shows them."""

from __future__ import annotations

from . import w1_tutorial, w2_chain, w3_mlp, w4_matmul, w5_rnn, w6_memory

REGISTRY = tuple(m.WORKLOAD for m in (w1_tutorial, w2_chain, w3_mlp, w4_matmul, w5_rnn, w6_memory))
BY_KEY = {w.key: w for w in REGISTRY}
