"""Contract types by `kind`: registered with `@register`, or loaded from entry points.

The built-in types register themselves when `archgraph.rules.catalog` imports them; this module
imports none of them, so each type can import `register` from here without a cycle.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, TypeVar

from archgraph.diagnostics import ArchgraphError
from archgraph.rules.base import Contract

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

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


def load_third_party_types(kinds: Collection[str] | None = None) -> frozenset[str]:
    """Register the types of the `archgraph.contracts` entry points (only those named in
    `kinds`, when given: a plugin no contract uses is not imported), under their entry-point
    names; a kind already registered keeps its type.

    Returns:
        Every kind the entry points offer, loaded or not (for "known types" in errors).
    """
    offered = plugin_entry_points()
    for name, entry_point in offered.items():
        if name not in _TYPES and (kinds is None or name in kinds):
            _TYPES[name] = _loaded(entry_point)
    return frozenset(offered)


def plugin_entry_points() -> dict[str, EntryPoint]:
    """The `archgraph.contracts` entry points by name (the kind they provide), none loaded."""
    # importlib.metadata costs a tenth of a warm check's start-up: only when asked for.
    from importlib.metadata import entry_points  # noqa: PLC0415

    return {entry_point.name: entry_point for entry_point in entry_points(group=ENTRY_POINT_GROUP)}


def _loaded(entry_point: EntryPoint) -> type[Contract]:
    """The contract type an entry point names; a plugin that fails is named in the error."""
    plugin = (
        f"contract type '{entry_point.name}' ({entry_point.value}, "
        f"from the {ENTRY_POINT_GROUP} entry points)"
    )
    try:
        loaded = entry_point.load()
    except Exception as error:  # whatever the plugin's import raises: the user must learn which
        raise ArchgraphError(f"cannot load the {plugin}: {type(error).__name__}: {error}") from error
    if not (isinstance(loaded, type) and issubclass(loaded, Contract)):
        raise ArchgraphError(f"the {plugin} is not a subclass of archgraph.plugin.Contract")
    return loaded
