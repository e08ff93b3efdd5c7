"""Contract types by `kind`: registered with `@register`, or loaded from entry points.

The built-in types register themselves when `archgraph.rules.catalog` imports them; this module
imports none of them, so each type can import `register` from here without a cycle.
"""

from __future__ import annotations

from typing import TypeVar

from archgraph.rules.base import Contract

ContractType = TypeVar("ContractType", bound=type[Contract])
ENTRY_POINT_GROUP = "archgraph.contracts"
_TYPES: dict[str, type[Contract]] = {}


def register(cls: ContractType) -> ContractType:
    """Class decorator: make a contract type available under its `kind`."""
    _TYPES[cls.kind] = cls
    return cls


def registered_types() -> dict[str, type[Contract]]:
    """Every type registered so far, by kind."""
    return dict(_TYPES)


def load_third_party_types() -> None:
    """Register the types of the `archgraph.contracts` entry points, under their entry-point
    names; a kind already registered keeps its type."""
    # importlib.metadata costs a tenth of a warm check's start-up: only when asked for.
    from importlib.metadata import entry_points  # noqa: PLC0415

    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name not in _TYPES:
            _TYPES[entry_point.name] = entry_point.load()
