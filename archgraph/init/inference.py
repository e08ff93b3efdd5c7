"""`archgraph init`: propose contracts that today's import graph nearly keeps.

- `layers` for each root package: its children ordered so that as few imports as possible point
  upward (see `ordering`), grouped into layers; the upward imports are listed, to fix or ignore.
- `independence` for groups of sibling packages with no import chain between them today.
- `acyclic` for each root package.
- `single-implementation` for each concept the families analysis finds implemented several
  times independently; its canonical class is a suggestion for the user to confirm.

Pure: reads the model, returns a Proposal; `init/render.py` writes it as a contract file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from archgraph.diagnostics import Location
from archgraph.families.findings import Family
from archgraph.model import ArchModel
from archgraph.model.classes import ClassModel
from archgraph.model.names import ModuleExpr
from archgraph.model.ordering import layering, minimum_upward_order

MAX_INDEPENDENCE_CONTRACTS = 5
MAX_SINGLE_IMPLEMENTATION_CONTRACTS = 5


@dataclass(frozen=True, slots=True)
class ImportExample:
    """One module-level import, with where it is written."""

    importer: str
    imported: str
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class UpwardImports:
    """The imports from one child (a lower layer) to another (a higher layer)."""

    importer: str  # child module names, e.g. "app.core"
    imported: str
    examples: tuple[ImportExample, ...]  # every import, sorted

    @property
    def count(self) -> int:
        return len(self.examples)


@dataclass(frozen=True, slots=True)
class LayersProposal:
    package: str
    layers: tuple[tuple[str, ...], ...]  # child names relative to the package, top to bottom
    upward: tuple[UpwardImports, ...]  # most imports first
    imports: int  # import sites between two different children
    exact: bool  # the order is proven to have the fewest upward imports
    # Children no contract can name (`my-plugin`, a folder name with a newline): left out of
    # the layers, and listed as exhaustive_ignores so that the exhaustive contract holds.
    unnamed: tuple[str, ...] = ()

    @property
    def upward_count(self) -> int:
        return sum(pair.count for pair in self.upward)


@dataclass(frozen=True, slots=True)
class IndependenceProposal:
    package: str
    modules: tuple[str, ...]  # full module names, or ("package.*",) when every child qualifies
    candidates: int  # the package's child packages considered
    covered_modules: int  # modules inside the independent packages
    imports: int  # imports from inside them to other internal modules: what the contract guards


@dataclass(frozen=True, slots=True)
class SingleImplementationProposal:
    """A concept implemented by several independent class hierarchies, and which one to keep."""

    concept: str  # the family's role, e.g. `ToolDispatcher`
    pattern: str  # class-name glob matching every member, e.g. `*ToolDispatcher`
    canonical: str  # suggestion: the competing root whose module most modules import
    roots: tuple[tuple[str, int], ...]  # competing roots with their importer counts, most first
    shared_methods: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    """Everything `archgraph init` infers, with the reasons for what it leaves out."""

    packages: tuple[str, ...]
    layers: tuple[LayersProposal, ...] = ()
    independence: tuple[IndependenceProposal, ...] = ()
    acyclic: tuple[str, ...] = ()  # packages
    single_implementation: tuple[SingleImplementationProposal, ...] = ()
    notes: tuple[str, ...] = field(default=())


def infer(
    model: ArchModel,
    packages: Sequence[str],
    families: Sequence[Family] = (),
    classes: ClassModel | None = None,
) -> Proposal:
    """Contracts for the root packages that describe today's graph as closely as possible;
    `families`: what the families analysis found in `classes` (competing ones become contracts)."""
    layers: list[LayersProposal] = []
    notes = [
        f"{package}: not a name a contract can use, so no contract for it"
        for package in packages
        if not nameable(package)
    ]
    packages = [package for package in packages if nameable(package)]
    for package in packages:
        proposal = infer_layers(model, package)
        if isinstance(proposal, str):
            notes.append(proposal)
        else:
            layers.append(proposal)
    independence = infer_independence(model, packages)
    return Proposal(
        packages=tuple(packages),
        layers=tuple(layers),
        independence=independence,
        acyclic=tuple(p for p in packages if len(model.children(p)) > 1),
        single_implementation=(
            infer_single_implementations(model, families, classes) if classes else ()
        ),
        notes=tuple(notes),
    )


def nameable(module: str) -> bool:
    """A contract can name the module: each segment a Python name, none a wildcard.

    Folders such as `my-plugin` are modules (importlib loads them) that no pattern can spell;
    a proposal leaves them out rather than write a contract that `check` would refuse.
    """
    return ModuleExpr.problem(module) is None and "*" not in module


def infer_single_implementations(
    model: ArchModel, families: Sequence[Family], classes: ClassModel
) -> tuple[SingleImplementationProposal, ...]:
    """One proposal per competing family (the most suspicious first): keep one hierarchy.

    The canonical class suggested is the competing root with the most importers: modules that
    import the module of the root or of one of its subclasses (the modules of the hierarchy
    itself not counted), the implementation the code leans on most today.
    """
    competing = sorted(
        (f for f in families if f.competing), key=lambda f: (-f.score, f.concept)
    )[:MAX_SINGLE_IMPLEMENTATION_CONTRACTS]
    proposals = []
    for family in competing:
        in_groups = {name for group in family.competing_groups for name in group}
        counted = [
            (root.qualname, _hierarchy_importers(model, classes, root.qualname))
            for root in family.roots
            if root.qualname in in_groups
        ]
        counted.sort(key=lambda entry: (-entry[1], entry[0]))
        # The canonical class is written in the contract: the first one a contract can name.
        counted.sort(key=lambda entry: not nameable(entry[0]))
        if not counted or not nameable(counted[0][0]):
            continue
        pattern = f"*{family.concept}"
        if not all(fnmatchcase(member.name, pattern) for member in family.classes):
            pattern = f"*{family.concept}*"  # `FooImpl` has the role `Foo`
        proposals.append(
            SingleImplementationProposal(
                concept=family.concept,
                pattern=pattern,
                canonical=counted[0][0],
                roots=tuple(counted),
                shared_methods=family.shared_methods,
            )
        )
    return tuple(proposals)


def child_imports(model: ArchModel, package: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Imports between different children of the package: (child, child) -> module imports."""
    depth = package.count(".") + 1
    prefix = package + "."
    internal = model.internal_modules

    def child_of(module: str) -> str | None:
        if not module.startswith(prefix):
            return None
        return ".".join(module.split(".")[: depth + 1])

    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for importer in sorted(model.descendants(package)):
        source = child_of(importer)
        for imported in sorted(model.imports_of(importer)):
            target = child_of(imported) if imported in internal else None
            if source and target and source != target:
                found.setdefault((source, target), []).append((importer, imported))
    return found


def infer_layers(model: ArchModel, package: str) -> LayersProposal | str:
    """The layer order with the fewest upward imports; a reason string when there is none."""
    every_child = sorted(model.children(package))
    children = [child for child in every_child if nameable(child)]
    if len(children) < 2:
        return f"{package}: fewer than two children, so no layers to order"
    named = set(children)
    imports = {
        pair: sites
        for pair, sites in child_imports(model, package).items()
        if pair[0] in named and pair[1] in named
    }
    weights = {pair: len(sites) for pair, sites in imports.items()}
    ordering = minimum_upward_order(children, weights)
    grouped = layering(ordering.order, weights)
    if len(grouped) < 2:
        return f"{package}: its children import each other in neither direction; no layers"
    level = {child: index for index, layer in enumerate(grouped) for child in layer}
    upward = [
        UpwardImports(
            importer,
            imported,
            tuple(_example(model, a, b) for a, b in sites),
        )
        for (importer, imported), sites in sorted(imports.items())
        if level[importer] > level[imported]
    ]
    upward.sort(key=lambda pair: (-pair.count, pair.importer, pair.imported))
    cut = len(package) + 1
    return LayersProposal(
        package=package,
        layers=tuple(tuple(child[cut:] for child in layer) for layer in grouped),
        upward=tuple(upward),
        imports=sum(weights.values()),
        exact=ordering.exact,
        unnamed=tuple(child[cut:] for child in every_child if child not in named),
    )


def _example(model: ArchModel, importer: str, imported: str) -> ImportExample:
    lines = model.step(importer, imported).lines
    return ImportExample(importer, imported, model.location_of(importer, lines[0] if lines else None))


def infer_independence(
    model: ArchModel, roots: Sequence[str]
) -> tuple[IndependenceProposal, ...]:
    """Groups of sibling packages with no import chain between any two of them today.

    Every package below the roots is considered (the roots' own children are ordered by the
    layers contract instead). In each, a greedy antichain: the child packages with the fewest
    chains to or from their siblings first, each kept if no chain links it to one kept before.
    Only groups of two or more that import something; the MAX_INDEPENDENCE_CONTRACTS whose
    packages import the most (the contracts that guard the most imports).
    """
    reach, component = _reachability(model)
    proposals: list[IndependenceProposal] = []
    for parent in sorted(_packages(model, roots)):
        if not nameable(parent):
            continue
        candidates = sorted(
            c for c in model.children(parent) if _is_package(model, c) and nameable(c)
        )
        if len(candidates) < 2:
            continue
        inside = {c: model.within(c) for c in candidates}
        members = {c: _bits(component[m] for m in inside[c]) for c in candidates}
        downstream = {c: _or(reach[component[m]] for m in inside[c]) for c in candidates}

        links = {
            (a, b)
            for a in candidates
            for b in candidates
            if a != b and (downstream[a] & members[b] or downstream[b] & members[a])
        }
        conflicts = Counter(a for a, _b in links)
        chosen: list[str] = []
        for candidate in sorted(candidates, key=lambda c: (conflicts[c], c)):
            if not any((candidate, other) in links for other in chosen):
                chosen.append(candidate)
        outgoing = sum(_imports_leaving(model, c, inside[c]) for c in chosen)
        if len(chosen) < 2 or not outgoing:  # packages that import nothing: nothing to guard
            continue
        every_child = set(chosen) == set(model.children(parent))
        modules = (f"{parent}.*",) if every_child else tuple(sorted(chosen))
        proposals.append(
            IndependenceProposal(
                package=parent,
                modules=modules,
                candidates=len(candidates),
                covered_modules=sum(len(inside[c]) for c in chosen),
                imports=outgoing,
            )
        )
    proposals.sort(key=lambda p: (-p.imports, p.package))
    return tuple(sorted(proposals[:MAX_INDEPENDENCE_CONTRACTS], key=lambda p: p.package))


def _hierarchy_importers(model: ArchModel, classes: ClassModel, root: str) -> int:
    """Modules outside the class hierarchy under `root` that import one of its modules."""
    modules = {
        info.module
        for qualname in {root, *classes.descendants(root)}
        if (info := classes.get(qualname)) is not None
    }
    importers = {importer for module in modules for importer in model.importers_of(module)}
    return len(importers - modules)


def _is_package(model: ArchModel, module: str) -> bool:
    """A directory: it has modules inside, or its file is an `__init__.py`."""
    path = model.file_of(module)
    return bool(model.children(module)) or (path is not None and path.name == "__init__.py")


def _imports_leaving(model: ArchModel, package: str, inside: frozenset[str]) -> int:
    internal = model.internal_modules
    return sum(
        1
        for importer in inside
        for imported in model.imports_of(importer)
        if imported in internal and imported not in inside
    )


def _packages(model: ArchModel, roots: Sequence[str]) -> set[str]:
    """Internal packages strictly below the roots (modules that have children)."""
    return {
        parent
        for module in model.internal_modules
        for parent in [module.rpartition(".")[0]]
        if parent and parent not in roots and any(parent.startswith(r + ".") for r in roots)
    }


def _reachability(model: ArchModel) -> tuple[dict[int, int], dict[str, int]]:
    """For each strongly connected component of internal modules, the components it reaches
    (itself included) as a bit set; and each module's component."""
    import networkx as nx  # noqa: PLC0415

    internal = model.internal_modules
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(internal))
    graph.add_edges_from(
        (importer, imported)
        for importer, imported in model.iter_imports()
        if importer in internal and imported in internal
    )
    condensed = nx.condensation(graph)
    reach: dict[int, int] = {}
    for node in reversed(list(nx.topological_sort(condensed))):
        bits = 1 << node
        for successor in condensed.successors(node):
            bits |= reach[successor]
        reach[node] = bits
    return reach, dict(condensed.graph["mapping"])


def _bits(indices: Iterable[int]) -> int:
    return _or(1 << index for index in indices)


def _or(values: Iterable[int]) -> int:
    total = 0
    for value in values:
        total |= value
    return total
