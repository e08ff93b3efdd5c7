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


class _Leaving:
    """The sites leaving one subtree, by importer, with the imports they were worked out from,
    as of one imports_version of the graph."""

    def __init__(self, inside: frozenset[str]) -> None:
        self.inside = inside
        self.by_importer: dict[str, tuple[frozenset[str], list[ImportSite]]] = {}
        self.sites: frozenset[ImportSite] = frozenset()
        self.version: object = None


def _leaving(model: ArchModel, subtree: str, accepted: frozenset[str]) -> frozenset[ImportSite]:
    """`imports_leaving` for one subtree. Models that share their scratch space (a trend, commit
    after commit) work out again only the importers whose imports changed: those the graph
    names, or else those it hands another set of imports (40 ms a commit on Home Assistant,
    otherwise)."""
    inside = model.within(subtree)
    if model.shared is None:
        return frozenset(
            (importer, imported)
            for importer in inside
            # Set operations at C speed (every import names a module of the graph, so the
            # difference leaves those outside the subtree).
            for imported in (model.imports_of(importer) - inside) & accepted
        )
    # A few sets of accepted modules per subtree (the contracts about it), the latest last.
    kept_for: dict[frozenset[str], _Leaving] = model.shared.setdefault(("imports_leaving", subtree), {})
    kept = kept_for.pop(accepted, None)
    if kept is None or kept.inside != inside:
        kept = _Leaving(inside)
    kept_for[accepted] = kept
    while len(kept_for) > _KEPT_PER_SUBTREE:
        del kept_for[next(iter(kept_for))]
    by_importer = kept.by_importer
    fresh = not by_importer
    changed = None if fresh else model.graph.importers_changed_since(kept.version)
    removed: list[ImportSite] = []
    added: list[ImportSite] = []
    for importer in inside if changed is None else changed & inside:
        imports = model.imports_of(importer)
        entry = by_importer.get(importer)
        if entry is not None and entry[0] is imports:
            continue
        now = [(importer, imported) for imported in (imports - inside) & accepted]
        if entry is not None:
            removed += entry[1]
        added += now
        by_importer[importer] = (imports, now)
    if fresh:
        kept.sites = frozenset(added)
    elif removed or added:
        kept.sites = (kept.sites - frozenset(removed)) | frozenset(added)
    kept.version = model.graph.imports_version
    return kept.sites


_KEPT_PER_SUBTREE = 4


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
