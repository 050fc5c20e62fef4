"""Claims the backend name ``numpy``: installing this next to retrograd is an error."""

from retrograd.backend import BackendSpec
from retrograd.plugins import hookimpl


def _load():
    raise AssertionError("never loaded: the clash is reported at discovery")


@hookimpl
def retrograd_register_backends():
    return [BackendSpec(name="numpy", load=_load)]
