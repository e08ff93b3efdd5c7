"""The import sites a contract governs: the counting behind compliance scores.

A site is one direct import (importer, imported), whatever its line numbers. README.md, section
"Compliance", gives the definition for every contract type; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from archgraph.diagnostics import ImportSite
from archgraph.model import ArchModel, LayerRoute


def imports_leaving(
    model: ArchModel, subtrees: Iterable[str], accepted: AbstractSet[str]
) -> set[ImportSite]:
    """Direct imports from inside each subtree to an `accepted` module outside that subtree.

    Every such import can break a contract about the subtree, directly or by starting a chain.
    """
    sites: set[ImportSite] = set()
    for subtree in subtrees:
        sites |= _leaving(model, subtree, frozenset(accepted))
    return sites


def _leaving(model: ArchModel, subtree: str, accepted: frozenset[str]) -> frozenset[ImportSite]:
    inside = model.within(subtree)
    return frozenset(
        (importer, imported)
        for importer in inside
        # Set operations at C speed (every import names a module of the graph, so the
        # difference leaves those outside the subtree).
        for imported in (model.imports_of(importer) - inside) & accepted
    )


def route_first_hops(model: ArchModel, route: LayerRoute) -> set[ImportSite]:
    """The imports that start the illegal chains of a layer route (the imports themselves when
    the route is direct), including heads the report does not show a chain for."""
    if not route.middle:
        return {
            (head, tail)
            for head in route.heads
            for tail in route.tails
            if tail in model.imports_of(head)
        }
    first = route.middle[0]
    return {(head, first) for head in route.heads if first in model.imports_of(head)}
