"""Replaces the NumPy backend's ``matmul`` kernel, counting its calls in ``CALLS``."""

from retrograd.plugins import hookimpl

CALLS = []


@hookimpl
def retrograd_kernels(backend):
    if backend.name != "numpy":
        return None
    import numpy as np

    def fast_matmul(a, b):
        CALLS.append((a.shape, b.shape))
        return np.matmul(a, b)

    return {"matmul": fast_matmul}
