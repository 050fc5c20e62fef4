"""retrograd's conformance suite: a pytest plugin that any backend runs on itself.

Opt-in, with one command per backend, the same for retrograd's own backends and a third
party's::

    pytest -p retrograd_conformance --pyargs retrograd_conformance --retrograd-backend NAME

The op cases are generated from ``retrograd.ops.RECORDS`` (forward against a float64
NumPy reference, gradients against finite differences, second order where smooth, JAX's
``jax.vjp`` where JAX is installed); the seed tutorial is replayed and the engine's
semantics checked on the backend. See ``docs/conformance.md``. Importing this package
imports nothing: ``-p`` registers the hooks of :mod:`retrograd_conformance.plugin`.
"""

pytest_plugins = ["retrograd_conformance.plugin"]
