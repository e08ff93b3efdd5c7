"""An import graph built in memory from listed imports, with no files and no scanner.

Contract tests and tools that already know a project's imports (from another analyzer, say)
get the same graph engine as a scan: grimp's ImportGraph behind the GrimpGraph adapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from archgraph.model.names import is_within
from archgraph.scan import grimp_api
from archgraph.scan.grimp_graph import GrimpGraph

ImportRecord = tuple[str, str, int]
"""One import: (importer, imported, line number in the importer)."""


def graph_from_imports(
    modules: Iterable[str], imports: Iterable[ImportRecord], root_packages: Sequence[str]
) -> GrimpGraph:
    """grimp's graph of `modules` and `imports`, adapted to ImportGraphPort.

    A module that an import names but `modules` does not list is added too. A module outside
    `root_packages` is external and squashed, as a scan with include_external_packages adds it.
    Modules and imports are added in sorted order, as the scan adds them: grimp breaks ties in
    its queries (which of two equally short chains is shown) by the order modules were added.

    Raises:
        ValueError: an import's line number is not positive, or a module imports itself.
    """
    roots = tuple(root_packages)
    records = sorted(set(imports))
    for importer, imported, line in records:
        if line < 1:
            raise ValueError(f"{importer} -> {imported}: line {line} is not a line number")
        if importer == imported:
            raise ValueError(f"{importer} imports itself")
    names = set(modules) | {name for record in records for name in record[:2]}
    graph = grimp_api.ImportGraph()
    for name in sorted(names):
        graph.add_module(name, is_squashed=not any(is_within(name, root) for root in roots))
    direct: dict[str, set[str]] = {}
    for importer, imported, line in records:
        # grimp keeps each import's source line for its own reports; archgraph never reads it.
        graph.add_import(importer=importer, imported=imported, line_number=line, line_contents="")
        direct.setdefault(importer, set()).add(imported)
    frozen = {importer: frozenset(found) for importer, found in direct.items()}
    return GrimpGraph(graph, roots, frozen, frozenset(names))
