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


def reaching(model: ArchModel, targets: AbstractSet[str], avoid: AbstractSet[str]) -> set[str]:
    """The modules from which a chain of imports leads into `targets` without passing through
    `avoid` (the targets themselves included): a reverse walk, one pass over the imports."""
    found = set(targets)
    frontier = list(targets)
    while frontier:
        module = frontier.pop()
        for importer in model.importers_of(module):
            if importer not in found and importer not in avoid:
                found.add(importer)
                frontier.append(importer)
    return found


def chain_starts(
    model: ArchModel, sources: AbstractSet[str], reached: AbstractSet[str]
) -> set[ImportSite]:
    """Imports from a source module to a module outside the sources that is in `reached`
    (a target, or a module with a chain into one): the first import out of the sources of
    every chain, whichever chains a report shows."""
    return {
        (importer, imported)
        for importer in sources
        for imported in (model.imports_of(importer) - sources) & reached
    }


def layer_chain_starts(
    model: ArchModel,
    pairs: Iterable[tuple[str, str]],
    layer_modules: AbstractSet[str],
    excluded: AbstractSet[str] = frozenset(),
) -> set[ImportSite]:
    """The first import of every illegal chain between the (lower, higher) layer module pairs.

    A chain runs from inside the lower module to inside the higher one through modules of no
    other layer module (a chain through a third layer is two imports, each judged on its own);
    it starts at the last import leaving the lower module. A chain that starts or ends in an
    `excluded` module (`exclude_modules`) is out of scope.
    """
    everything = frozenset().union(*(model.within(m) for m in layer_modules))
    reached_by_target: dict[str, set[str]] = {}
    higher_by_lower: dict[str, list[str]] = {}
    for lower, higher in pairs:
        higher_by_lower.setdefault(lower, []).append(higher)
    sites: set[ImportSite] = set()
    for lower, highers in higher_by_lower.items():
        for higher in highers:
            if higher not in reached_by_target:
                # Through no layer module: the walk stops at every one of them, the higher
                # one's modules being the targets.
                targets = model.within(higher) - excluded
                reached_by_target[higher] = reaching(model, targets, everything)
        # A chain start into any of the higher modules: one pass over the lower module's
        # imports (not one per pair, which a 30-layer contract makes 435).
        reached = set().union(*(reached_by_target[higher] for higher in highers))
        sites |= chain_starts(model, model.within(lower) - excluded, reached)
    return sites


def removed_sites(model: ArchModel, view: ArchModel, sites: Iterable[ImportSite]) -> set[ImportSite]:
    """The sites of the model that the view (the model without ignored imports) lacks."""
    if view.graph is model.graph:  # nothing ignored, suppressed or of another kind: none
        return set()
    return {(a, b) for a, b in sites if b not in view.imports_of(a)}
