"""The Dask backend's workloads (#17 item 5): out-of-core training, and a large backward.

``python -m bench.dask_workloads`` prints a markdown table (progress on stderr). Needs
``pip install -e '.[dask]'``. Two workloads:

- **out-of-core**: a linear model (8 features -> 1) trained by SGD on rows that never
  exist whole: 1.5 GB of float64 features (``--gigabytes``), generated chunk by chunk
  by Dask's random generator, on a ``LocalCluster`` of one worker process whose memory
  limit is 500 MiB (``--limit-mib``; Dask's nanny kills a worker that passes it). Each
  step materializes the loss and both gradients in one pass over the data. The worker's
  peak resident memory is its kernel high-water mark (``VmHWM``), read after the steps.
- **10M backward**: ``((x.sin() * x).exp() * 0.5).sum().backward()`` over 10M float64
  elements, Dask (1M-element chunks, this process's threads, the gradient
  materialized) against the NumPy backend, median of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
import retrograd

CHUNK_ROWS = 250_000  # 16 MB of features per chunk
FEATURES = 8


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _peak_rss_mib() -> float:
    """This process's peak resident memory (Linux ``VmHWM``), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _data(rows: int):
    import dask.array as da

    rng = da.random.default_rng(0)
    x = rng.standard_normal((rows, FEATURES), chunks=(CHUNK_ROWS, FEATURES))
    truth = np.arange(1, FEATURES + 1, dtype=np.float64)[:, None] / FEATURES
    y = x @ truth + 0.1 * rng.standard_normal((rows, 1), chunks=(CHUNK_ROWS, 1))
    return retrograd.tensor(x), retrograd.tensor(y)


def out_of_core(gigabytes: float, limit_mib: int, steps: int) -> dict:
    """Train on ``gigabytes`` of features through one worker limited to ``limit_mib``."""
    from dask.distributed import Client, LocalCluster

    rows = int(gigabytes * 1e9 / (FEATURES * 8)) // CHUNK_ROWS * CHUNK_ROWS
    cluster = LocalCluster(
        n_workers=1, threads_per_worker=2, memory_limit=f"{limit_mib}MiB", dashboard_address=None
    )
    with cluster, Client(cluster) as client:
        x, y = _data(rows)
        retrograd.manual_seed(0)
        with retrograd.use_backend("dask"):
            model = retrograd.nn.Linear(FEATURES, 1).double()
        opt = retrograd.optim.SGD(model.parameters(), lr=0.5)
        losses, seconds = [], []
        for step in range(steps):
            start = time.perf_counter()
            opt.zero_grad()
            loss = retrograd.nn.functional.mse_loss(model(x), y)
            loss.backward()
            retrograd.materialize(loss, *(p.grad for p in model.parameters()))
            opt.step()
            retrograd.materialize(*model.parameters())
            seconds.append(time.perf_counter() - start)
            losses.append(loss.item())
            _log(f"out-of-core step {step}: loss {losses[-1]:.4f}, {seconds[-1]:.1f} s")
        peak = max(client.run(_peak_rss_mib).values())
    data_gb = rows * (FEATURES + 1) * 8 / 1e9
    return {"rows": rows, "data_gb": data_gb, "limit_mib": limit_mib, "peak_mib": peak,
            "losses": losses, "step_s": statistics.median(seconds)}  # fmt: skip


def _backward(backend: str, n: int) -> float:
    kw = {"chunks": 1_000_000} if backend == "dask" else {}
    x = retrograd.ones(n, dtype=retrograd.float64, backend=backend, requires_grad=True, **kw)
    start = time.perf_counter()
    ((x.sin() * x).exp() * 0.5).sum().backward()
    retrograd.materialize(x.grad)
    return time.perf_counter() - start


def large_backward(n: int, repeats: int) -> dict[str, float]:
    """Median seconds of the 10M-element forward, backward and gradient, per backend."""
    return {
        b: statistics.median(_backward(b, n) for _ in range(repeats)) for b in ("numpy", "dask")
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=1.5)
    parser.add_argument("--limit-mib", type=int, default=500)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--elements", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    timings = large_backward(args.elements, args.repeats)
    _log(f"{args.elements} backward: {timings}")
    ooc = out_of_core(args.gigabytes, args.limit_mib, args.steps)
    print("| workload | figure |\n| --- | --- |")
    print(f"| out-of-core: data | {ooc['rows']:,} rows x {FEATURES} float64 features "
          f"+ targets = {ooc['data_gb']:.2f} GB |")  # fmt: skip
    print(f"| out-of-core: worker memory limit | {ooc['limit_mib']} MiB (one worker) |")
    print(f"| out-of-core: worker peak RSS | {ooc['peak_mib']:.0f} MiB |")
    print(f"| out-of-core: median step | {ooc['step_s']:.1f} s |")
    print(f"| out-of-core: losses | {', '.join(f'{v:.4f}' for v in ooc['losses'])} |")
    for backend, seconds in timings.items():
        print(f"| {args.elements:,}-element backward, {backend} | {seconds:.2f} s |")
    if ooc["peak_mib"] >= ooc["limit_mib"]:
        raise SystemExit("the worker's peak memory reached its limit")


if __name__ == "__main__":
    main()
