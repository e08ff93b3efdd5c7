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
        inside = model.within(subtree)
        for importer in inside:
            # Set operations at C speed: this runs over tens of thousands of imports (every
            # import names a module of the graph, so the difference leaves those outside).
            leaving = (model.imports_of(importer) - inside) & accepted
            if leaving:
                sites.update([(importer, imported) for imported in leaving])
    return sites


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
