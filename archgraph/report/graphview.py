"""The module graph as drawn or exported: selected modules, collapsed to a depth, with violations,
cycles and layers marked.

Pure data shared by the diagram (DOT), the exports and the HTML report, so all three show the same
graph for the same options. Nothing here knows about Graphviz or any output format.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from archgraph.diagnostics import ArchgraphError, Violation
from archgraph.model import ArchModel
from archgraph.model.names import ancestors, is_within, parent
from archgraph.model.schema import did_you_mean
from archgraph.report.text import kind_note
from archgraph.report.view_budget import (
    choose_depth,
    collapse_to,
    expand_within_budget,
    open_within_budget,
    truncate,
)
from archgraph.results import ContractResult

DEFAULT_MAX_NODES = 400
# `render`'s default budget: enough boxes to show the structure, few enough to read them.
DEFAULT_BOXES = 60


class Direction(StrEnum):
    """Which imports a focus view follows from the focused module."""

    UPSTREAM = "upstream"  # modules that import it, and their importers...
    DOWNSTREAM = "downstream"  # modules it imports, and theirs...
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class LayerPlan:
    """The ordered layers of one `layers` contract as concrete modules, highest layer first."""

    contract_id: str
    names: tuple[str, ...]  # as written, e.g. "api | admin"
    modules: tuple[tuple[str, ...], ...]  # per layer, the modules it is made of

    def layer_of(self, module: str) -> int | None:
        """The index of the layer the module belongs to, if any."""
        for index, members in enumerate(self.modules):
            if any(is_within(module, member) for member in members):
                return index
        return None


@dataclass(frozen=True, slots=True)
class ViewOptions:
    """What to draw: all modules, a neighbourhood or violations; at which depth; how many nodes."""

    depth: int | None = None  # collapse modules to their ancestor at this depth
    focus: str | None = None  # draw the neighbourhood of this module (or package)
    radius: int = 1
    direction: Direction = Direction.BOTH
    contract: str | None = None  # draw only the modules and chains of this contract's violations
    violations_only: bool = False  # draw only the modules and chains of every violation
    # Without a depth: the box budget the biggest packages are opened in. With one: above it,
    # collapse to a shallower depth.
    max_nodes: int | None = DEFAULT_MAX_NODES
    # Without a depth: a package too big to open whole (Home Assistant's `components`, 1,000
    # integrations) shows its biggest subpackages and one box for the others. Pictures only: the
    # HTML report opens such a package in the page instead.
    open_in_part: bool = False


@dataclass(frozen=True, slots=True)
class ViewNode:
    """A module, or a package collapsed with everything in it."""

    id: str
    package: str  # the enclosing package; "" at the top
    members: int  # how many modules it stands for
    collapsed: bool  # stands for a package and its descendants
    namespace: bool
    external: bool
    layer: str | None
    layer_index: int | None
    contracts: tuple[str, ...]  # contracts with a violation chain touching its modules
    focus: bool
    in_degree: int = 0
    out_degree: int = 0
    violations_inside: int = 0  # violations with an import between two of its own modules


@dataclass(frozen=True, slots=True)
class ViewEdge:
    """All imports from one node to another, aggregated."""

    importer: str
    imported: str
    imports: int  # module-level imports it stands for
    contracts: tuple[str, ...]  # contracts with a violation chain through it
    cycle: bool  # both ends are in the same strongly connected component
    violations: int = 0  # violations with a chain through it

    @property
    def violation(self) -> bool:
        return bool(self.contracts)


@dataclass(frozen=True, slots=True)
class ViewChain:
    """One violation mapped onto the drawn nodes and edges (empty when nothing of it is drawn)."""

    contract: str
    code: str
    message: str
    location: str | None
    steps: tuple[tuple[str, str], ...]  # module-level (importer, imported)
    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    in_tests: bool = False  # the violation's importer is test code
    # The kinds of the first import's lines ("type_checking", "lazy, function"); "" for runtime
    import_kinds: str = ""
    symbol: str | None = None  # the class or name a violation without a chain is about


@dataclass(frozen=True, slots=True)
class GraphView:
    """The graph to draw or export, in a stable (sorted) order."""

    title: str
    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    packages: tuple[str, ...]  # every package that encloses a drawn node: the clusters
    layers: tuple[str, ...]  # layer names, highest first (empty without a layers contract)
    chains: tuple[ViewChain, ...]
    depth: int | None  # the depth modules were collapsed to; None when not collapsed
    modules: int  # modules selected before collapsing
    focus: str | None = None
    contract: str | None = None
    notes: tuple[str, ...] = field(default=())
    collapsed_packages: int = 0  # packages drawn as one box because the budget had no room
    violations_crossing: int = 0  # violations with only one end among the drawn modules

    @property
    def node_ids(self) -> frozenset[str]:
        return frozenset(node.id for node in self.nodes)

    def node(self, node_id: str) -> ViewNode:
        """One node by id (a linear search: for lookups in a loop, build a dict)."""
        return next(n for n in self.nodes if n.id == node_id)

    def cluster_of(self, node_id: str) -> str | None:
        """The innermost package box a node is drawn in (its own when it is a package's module)."""
        if node_id in self.packages:
            return node_id
        return parent(node_id)


def build_view(
    model: ArchModel,
    results: Sequence[ContractResult],
    layers: LayerPlan | None = None,
    options: ViewOptions = ViewOptions(),
) -> GraphView:
    """Select, collapse and annotate the module graph according to the options.

    Raises:
        ArchgraphError: the focus module or the contract is not known.
    """
    violations = _chosen_violations(results, options)
    selected, imports, focus_modules = _select(model, violations, options)
    if options.depth is None and options.max_nodes is not None:
        depth = None
        representative, notes = open_within_budget(
            selected, options.max_nodes, model.is_test, options.focus, options.open_in_part
        )
    else:
        depth, notes = choose_depth(selected, options.depth, options.max_nodes)
        representative = {module: collapse_to(module, depth) for module in selected}
        if notes and options.max_nodes is not None:
            representative, note = expand_within_budget(representative, options.max_nodes)
            notes += [note] if note else []
    node_ids = set(representative.values())
    if options.max_nodes is not None and len(node_ids) > options.max_nodes:
        node_ids, note = truncate(node_ids, imports, representative, options.max_nodes,
                                   " even at depth 1" if options.depth is not None else "")
        notes.append(note)
    members = Counter(representative[m] for m in selected if representative[m] in node_ids)

    edge_imports: Counter[tuple[str, str]] = Counter()
    for importer, imported in imports:
        edge = (representative[importer], representative[imported])
        if edge[0] != edge[1] and edge[0] in node_ids and edge[1] in node_ids:
            edge_imports[edge] += 1

    edge_contracts: dict[tuple[str, str], set[str]] = {}
    edge_violations: Counter[tuple[str, str]] = Counter()
    node_contracts: dict[str, set[str]] = {}
    inside: Counter[str] = Counter()
    crossing = 0
    chains = []
    for violation in violations:
        chain = _map_violation(violation, representative, node_ids, edge_imports)
        chains.append(chain)
        for node_id in chain.nodes:
            node_contracts.setdefault(node_id, set()).add(violation.contract)
        for edge in chain.edges:
            edge_contracts.setdefault(edge, set()).add(violation.contract)
            edge_violations[edge] += 1
        if not chain.edges:
            # Its imports stay inside one box: the box counts it, so no violation goes unseen.
            boxes = sorted(_boxes_holding_a_step(violation, representative, node_ids))
            inside.update(boxes[:1])
            crossing += 1 if chain.nodes and not boxes else 0
    cyclic = _cyclic_edges(edge_imports)
    edges = tuple(
        ViewEdge(
            importer=importer,
            imported=imported,
            imports=count,
            contracts=tuple(sorted(edge_contracts.get((importer, imported), ()))),
            cycle=(importer, imported) in cyclic,
            violations=edge_violations[(importer, imported)],
        )
        for (importer, imported), count in sorted(edge_imports.items())
    )
    out_degree = Counter(e.importer for e in edges)
    in_degree = Counter(e.imported for e in edges)
    focus_nodes = {representative[m] for m in focus_modules if m in representative}
    nodes = tuple(
        replace(
            _node(model, node_id, members[node_id], layers, node_contracts, focus_nodes,
                  in_degree[node_id], out_degree[node_id]),
            violations_inside=inside[node_id],
        )
        for node_id in sorted(node_ids)
    )
    packages = sorted({a for n in node_ids for a in ancestors(n)})
    if not nodes:
        notes.append(_empty_note(options))
    if crossing:
        notes.append(
            f"{crossing} violation(s) import across the edge of the drawn modules "
            "(their drawn end is outlined red)"
        )
    drawn_layers = {n.layer_index for n in nodes if n.layer_index is not None}
    return GraphView(
        title=_title(model, options),
        nodes=nodes,
        edges=edges,
        packages=tuple(packages),
        layers=layers.names if layers and len(drawn_layers) > 1 else (),
        chains=tuple(chains),
        depth=depth,
        modules=len(selected),
        focus=options.focus,
        contract=options.contract,
        notes=tuple(notes),
        collapsed_packages=sum(1 for node in nodes if node.collapsed and node.members > 1),
        violations_crossing=crossing,
    )


def _chosen_violations(
    results: Sequence[ContractResult], options: ViewOptions
) -> list[Violation]:
    if options.contract is not None:
        known = [r.contract_id for r in results]
        if options.contract not in known:
            hint = did_you_mean(options.contract, known)
            raise ArchgraphError(
                f"unknown contract id '{options.contract}'"
                + (f" (did you mean '{hint}'?)" if hint else "")
                + (f"; known ids: {', '.join(sorted(known))}" if known else "; no contracts are configured")
            )
    return [
        violation
        for result in results
        if options.contract in (None, result.contract_id)
        for violation in result.violations
    ]


def _select(
    model: ArchModel, violations: Sequence[Violation], options: ViewOptions
) -> tuple[set[str], list[tuple[str, str]], set[str]]:
    """The modules to draw, the module-level imports between them, and the focused modules."""
    if options.focus is not None:
        start = model.within(options.focus)
        if not start:
            hint = did_you_mean(options.focus, model.sorted_modules)
            raise ArchgraphError(
                f"module '{options.focus}' is not in the graph"
                + (f" (did you mean '{hint}'?)" if hint else "")
            )
        selected = set(start)
        if options.direction in (Direction.DOWNSTREAM, Direction.BOTH):
            selected |= _reach(start, options.radius, model.imports_of)
        if options.direction in (Direction.UPSTREAM, Direction.BOTH):
            selected |= _reach(start, options.radius, model.importers_of)
        imports = [
            (importer, imported)
            for importer in sorted(selected)
            for imported in sorted(model.imports_of(importer) & selected)
        ]
        return selected, imports, set(start)
    if options.contract is not None or options.violations_only:
        steps = sorted({(s.importer, s.imported) for v in violations for s in v.chain})
        selected = {module for step in steps for module in step}
        return selected, steps, set()
    return set(model.modules), list(model.iter_imports()), set()


def _reach(
    start: Iterable[str], radius: int, neighbours: Callable[[str], frozenset[str]]
) -> set[str]:
    """Modules at most `radius` hops away along `neighbours`."""
    seen = set(start)
    frontier = deque((module, 0) for module in sorted(seen))
    while frontier:
        module, distance = frontier.popleft()
        if distance >= radius:
            continue
        for other in sorted(neighbours(module)):
            if other not in seen:
                seen.add(other)
                frontier.append((other, distance + 1))
    return seen


def _map_violation(
    violation: Violation,
    representative: dict[str, str],
    node_ids: set[str],
    edge_imports: Counter[tuple[str, str]],
) -> ViewChain:
    nodes: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for step in violation.chain:
        ends = [representative.get(step.importer), representative.get(step.imported)]
        drawn = [end for end in ends if end is not None and end in node_ids]
        nodes.update(drawn)
        edge = (ends[0], ends[1])
        if edge in edge_imports:
            edges.add(edge)  # type: ignore[arg-type]
    if not violation.chain and violation.symbol:
        # A class of a single-implementation contract: no import, but a module that defines it.
        home = _drawn_home(violation.symbol, representative, node_ids)
        nodes.update((home,) if home else ())
    return ViewChain(
        contract=violation.contract,
        code=violation.code,
        message=violation.message,
        location=str(violation.location) if violation.location else None,
        steps=tuple((s.importer, s.imported) for s in violation.chain),
        nodes=tuple(sorted(nodes)),
        edges=tuple(sorted(edges)),
        in_tests=violation.in_tests,
        import_kinds=kind_note(violation.chain[0]).strip(" []") if violation.chain else "",
        symbol=violation.symbol,
    )


def _drawn_home(symbol: str, representative: dict[str, str], node_ids: set[str]) -> str | None:
    """The drawn box holding the module that defines `symbol` (`module.Class.Nested`)."""
    parts = symbol.split(".")
    for end in range(len(parts) - 1, 0, -1):
        box = representative.get(".".join(parts[:end]))
        if box is not None:
            return box if box in node_ids else None
    return None


def _boxes_holding_a_step(
    violation: Violation, representative: dict[str, str], node_ids: set[str]
) -> set[str]:
    """The drawn boxes that hold both ends of one of the violation's imports, or the box that
    defines the class a violation without imports is about."""
    if not violation.chain and violation.symbol:
        home = _drawn_home(violation.symbol, representative, node_ids)
        return {home} if home else set()
    return {
        representative[step.importer]
        for step in violation.chain
        if representative.get(step.importer) == representative.get(step.imported)
        and representative.get(step.importer) in node_ids
    }


def _cyclic_edges(edge_imports: Counter[tuple[str, str]]) -> set[tuple[str, str]]:
    import networkx as nx  # noqa: PLC0415 - heavy import, only for whole-graph work

    graph = nx.DiGraph(list(edge_imports))
    component_of = {}
    for index, component in enumerate(nx.strongly_connected_components(graph)):
        if len(component) > 1:
            component_of.update(dict.fromkeys(component, index))
    return {
        (a, b)
        for a, b in edge_imports
        if a in component_of and component_of.get(a) == component_of.get(b)
    }


def _node(
    model: ArchModel,
    node_id: str,
    members: int,
    layers: LayerPlan | None,
    node_contracts: dict[str, set[str]],
    focus_nodes: set[str],
    in_degree: int,
    out_degree: int,
) -> ViewNode:
    layer_index = layers.layer_of(node_id) if layers else None
    is_module = model.contains(node_id)
    return ViewNode(
        id=node_id,
        package=parent(node_id) or "",
        members=members,
        collapsed=members > 1 or not is_module,
        namespace=node_id in model.namespace_modules,
        external=is_module and model.graph.is_external(node_id),
        layer=layers.names[layer_index] if layers and layer_index is not None else None,
        layer_index=layer_index,
        contracts=tuple(sorted(node_contracts.get(node_id, ()))),
        focus=node_id in focus_nodes,
        in_degree=in_degree,
        out_degree=out_degree,
    )


def _title(model: ArchModel, options: ViewOptions) -> str:
    title = ", ".join(model.root_packages)
    if options.focus is not None:
        title += f": {options.direction.value} of {options.focus}, radius {options.radius}"
    elif options.contract is not None:
        title += f": violations of {options.contract}"
    elif options.violations_only:
        title += ": violations"
    return title


def _empty_note(options: ViewOptions) -> str:
    if options.contract is not None:
        return f"contract '{options.contract}' has no violation: nothing to draw"
    if options.violations_only:
        return "no contract is broken: nothing to draw"
    return "no module to draw"
