"""Pytrees for ``retrograd.func``: nested tuples, lists and dicts of leaves (tensors).

``tree_flatten`` gives the leaves in order and the structure; ``tree_unflatten``
rebuilds the structure around new leaves; ``spec_text`` prints a structure the way
``torch.func``'s error messages do (``*`` for a leaf).
"""

from __future__ import annotations

from typing import Any

__all__ = ["spec_text", "tree_flatten", "tree_unflatten"]


def tree_flatten(tree: Any) -> tuple[list, Any]:
    """The leaves of ``tree`` in order, and its structure (for :func:`tree_unflatten`)."""
    if isinstance(tree, (tuple, list)):
        leaves, specs = [], []
        for item in tree:
            sub, spec = tree_flatten(item)
            leaves += sub
            specs.append((len(sub), spec))
        return leaves, (type(tree), specs)
    if isinstance(tree, dict):
        leaves, spec = tree_flatten(list(tree.values()))
        return leaves, (dict, (list(tree.keys()), spec))
    return [tree], None


def tree_unflatten(leaves: list, spec: Any) -> Any:
    """Rebuild a tree of the structure ``spec`` from ``leaves``."""
    if spec is None:
        return leaves[0]
    kind, inner = spec
    if kind is dict:
        keys, list_spec = inner
        return dict(zip(keys, tree_unflatten(leaves, list_spec), strict=True))
    items, at = [], 0
    for count, sub in inner:
        items.append(tree_unflatten(leaves[at : at + count], sub))
        at += count
    return tuple(items) if kind is tuple else list(items)


def spec_text(spec: Any) -> str:
    """A tree structure as PyTorch's error messages print it (``*`` for a leaf)."""
    if spec is None:
        return "*"
    kind, inner = spec
    if kind is dict:
        keys, (_, specs) = inner
        return "{" + ", ".join(f"{k!r}: {spec_text(s)}" for k, (_, s) in zip(keys, specs)) + "}"
    parts = [spec_text(s) for _, s in inner]
    if kind is tuple:
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    return "[" + ", ".join(parts) + "]"
