"""`archgraph init`: propose contracts that today's import graph nearly keeps.

Production first: test code (`ArchModel.test_modules`) gets no contract and is exempted from
every contract proposed (see `production`).

- `layers` at the level where the code has its parts (a root holding one app and its tests is
  descended through): the level's children ordered so that as few imports as possible point
  upward (see `ordering`), grouped into layers; the upward imports are listed, to fix or ignore.
- `independence` for groups of sibling packages with no import chain between them today.
- `acyclic` for the same level as the layers.
- `single-implementation` for each concept the families analysis finds implemented several
  times independently in production code; its canonical class is a suggestion to confirm.
- `protected` for the classes that many parts of the code import (see `symbols`).

Pure: reads the model, returns a Proposal; `init/render.py` writes it as a contract file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from archgraph.diagnostics import Location
from archgraph.families.findings import Family
from archgraph.init.production import (
    Level,
    architecture_level,
    exempt_test_code,
    is_test_tree,
    nameable,
    outermost_test_modules,
    production_children,
)
from archgraph.init.symbols import ProtectedSymbolProposal, infer_protected_symbols
from archgraph.model import ArchModel
from archgraph.model.classes import ClassModel
from archgraph.model.names import is_within
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
    tests: tuple[str, ...] = ()  # children that are test code: left out of the layers
    test_ignores: tuple[str, ...] = ()  # `ignore_imports` exempting test code inside the layers

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
    test_ignores: tuple[str, ...] = ()  # `ignore_imports` exempting test code inside them


@dataclass(frozen=True, slots=True)
class AcyclicProposal:
    package: str
    test_ignores: tuple[str, ...] = ()  # `ignore_imports` exempting test code inside it


@dataclass(frozen=True, slots=True)
class SingleImplementationProposal:
    """A concept implemented by several independent class hierarchies, and which one to keep."""

    concept: str  # the family's role, e.g. `ToolDispatcher`
    pattern: str  # class-name glob matching every member, e.g. `*ToolDispatcher`
    canonical: str  # suggestion: the competing root whose module most modules import
    roots: tuple[tuple[str, int], ...]  # competing roots with their importer counts, most first
    shared_methods: tuple[str, ...]
    test_modules: tuple[str, ...] = ()  # test code defining classes of the concept: allowed


@dataclass(frozen=True, slots=True)
class Proposal:
    """Everything `archgraph init` infers, with the reasons for what it leaves out."""

    packages: tuple[str, ...]  # the production root packages
    layers: tuple[LayersProposal, ...] = ()
    independence: tuple[IndependenceProposal, ...] = ()
    acyclic: tuple[AcyclicProposal, ...] = ()
    single_implementation: tuple[SingleImplementationProposal, ...] = ()
    protected: tuple[ProtectedSymbolProposal, ...] = ()
    notes: tuple[str, ...] = field(default=())
    levels: tuple[Level, ...] = ()  # where each root's parts are
    test_modules: int = 0  # test modules left out of every proposal


def infer(
    model: ArchModel,
    packages: Sequence[str],
    families: Sequence[Family] = (),
    classes: ClassModel | None = None,
) -> Proposal:
    """Contracts for the root packages that describe today's production code as closely as
    possible; `families`: what the families analysis found among the production classes of
    `classes` (competing ones become contracts)."""
    layers: list[LayersProposal] = []
    notes = [
        f"{package}: not a name a contract can use, so no contract for it"
        for package in packages
        if not nameable(package)
    ]
    packages = [package for package in packages if nameable(package)]
    notes += [f"{p}: test code, so no contract for it" for p in packages if is_test_tree(model, p)]
    packages = [p for p in packages if not is_test_tree(model, p)]
    levels = tuple(architecture_level(model, package) for package in packages)
    for level in levels:
        proposal = infer_layers(model, level.package)
        if isinstance(proposal, str):
            notes.append(proposal)
        else:
            layers.append(proposal)
    ordered = {p for level in levels for p in (*level.through, level.package)}
    return Proposal(
        packages=tuple(packages),
        layers=tuple(layers),
        independence=infer_independence(model, packages, ordered),
        acyclic=tuple(
            AcyclicProposal(level.package, exempt_test_code(model, [level.package]))
            for level in levels
            if len(production_children(model, level.package)) > 1
        ),
        single_implementation=(
            infer_single_implementations(model, families, classes) if classes else ()
        ),
        protected=infer_protected_symbols(model, [level.package for level in levels], classes),
        notes=tuple(notes),
        levels=levels,
        test_modules=len(model.test_modules),
    )


def infer_single_implementations(
    model: ArchModel, families: Sequence[Family], classes: ClassModel
) -> tuple[SingleImplementationProposal, ...]:
    """One proposal per competing family (the most suspicious first): keep one hierarchy.

    The canonical class suggested is the competing production root with the most importers:
    production modules that import the module of the root or of one of its subclasses (the
    modules of the hierarchy itself not counted), the implementation the code leans on most
    today. Test code defining classes of the concept (test doubles) is allowed to.
    """
    tests = model.test_modules
    production = classes.without(tests)
    competing = sorted(
        (f for f in families if f.competing), key=lambda f: (-f.score, f.concept)
    )[:MAX_SINGLE_IMPLEMENTATION_CONTRACTS]
    proposals = []
    for family in competing:
        in_groups = {name for group in family.competing_groups for name in group}
        counted = [
            (root.qualname, _hierarchy_importers(model, production, root.qualname))
            for root in family.roots
            if root.qualname in in_groups and root.module not in tests
        ]
        counted.sort(key=lambda entry: (-entry[1], entry[0]))
        # The canonical class is written in the contract: the first one a contract can name.
        counted.sort(key=lambda entry: not nameable(entry[0]))
        if not counted or not nameable(counted[0][0]):
            continue
        pattern = f"*{family.concept}"
        if not all(fnmatchcase(member.name, pattern) for member in family.classes):
            pattern = f"*{family.concept}*"  # `FooImpl` has the role `Foo`
        doubles = {c.module for c in classes.classes if c.module in tests and fnmatchcase(c.name, pattern)}
        proposals.append(
            SingleImplementationProposal(
                concept=family.concept,
                pattern=pattern,
                canonical=counted[0][0],
                roots=tuple(counted),
                shared_methods=family.shared_methods,
                test_modules=outermost_test_modules(model, doubles),
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
    """The layer order with the fewest upward imports; a reason string when there is none.

    Test code has no layer: test children are left out (and listed as exhaustive_ignores), and
    the imports of test code inside the layers neither weigh in the order nor fall under the
    contract (`test_ignores`).
    """
    every_child = sorted(model.children(package))
    production = set(production_children(model, package))
    children = [child for child in every_child if nameable(child) and child in production]
    if len(children) < 2:
        return f"{package}: fewer than two production children, so no layers to order"
    named = set(children)
    imports = {
        pair: production_sites
        for pair, sites in child_imports(model, package).items()
        if pair[0] in named and pair[1] in named
        if (production_sites := [site for site in sites if not model.is_test(site[0])])
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
        unnamed=tuple(
            child[cut:] for child in every_child if child not in named and child in production
        ),
        tests=tuple(child[cut:] for child in every_child if child not in production),
        test_ignores=exempt_test_code(model, children),
    )


def _example(model: ArchModel, importer: str, imported: str) -> ImportExample:
    lines = model.step(importer, imported).lines
    return ImportExample(importer, imported, model.location_of(importer, lines[0] if lines else None))


def infer_independence(
    model: ArchModel, roots: Sequence[str], layered: Iterable[str] = ()
) -> tuple[IndependenceProposal, ...]:
    """Groups of sibling production packages with no import chain between any two of them
    today (test code aside).

    Every production package below the roots is considered, except the `layered` ones (the
    roots and the packages whose children a layers contract orders). In each, a greedy
    antichain: the child packages with the fewest
    chains to or from their siblings first, each kept if no chain links it to one kept before.
    Only groups of two or more that import something; the MAX_INDEPENDENCE_CONTRACTS whose
    packages import the most (the contracts that guard the most imports).
    """
    reach, component = _reachability(model)
    skipped = set(layered)
    tests = model.test_modules
    proposals: list[IndependenceProposal] = []
    for parent in sorted(_packages(model, roots)):
        if not nameable(parent) or parent in skipped or is_test_tree(model, parent):
            continue
        candidates = [
            c for c in production_children(model, parent) if _is_package(model, c) and nameable(c)
        ]
        if len(candidates) < 2:
            continue
        inside = {c: model.within(c) - tests for c in candidates}
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
                test_ignores=exempt_test_code(model, chosen),
            )
        )
    proposals.sort(key=lambda p: (-p.imports, p.package))
    return tuple(sorted(proposals[:MAX_INDEPENDENCE_CONTRACTS], key=lambda p: p.package))


def _hierarchy_importers(model: ArchModel, classes: ClassModel, root: str) -> int:
    """Production modules outside the class hierarchy under `root` that import one of its
    modules."""
    modules = {
        info.module
        for qualname in {root, *classes.descendants(root)}
        if (info := classes.get(qualname)) is not None
    }
    importers = {
        importer
        for module in modules
        for importer in model.importers_of(module)
        if not model.is_test(importer)
    }
    return len(importers - modules)


def _is_package(model: ArchModel, module: str) -> bool:
    """A directory: it has modules inside, or its file is an `__init__.py`."""
    path = model.file_of(module)
    return bool(model.children(module)) or (path is not None and path.name == "__init__.py")


def _imports_leaving(model: ArchModel, package: str, inside: frozenset[str]) -> int:
    """Imports from the modules `inside` the package to internal modules outside it."""
    internal = model.internal_modules
    return sum(
        1
        for importer in inside
        for imported in model.imports_of(importer)
        if imported in internal and not is_within(imported, package)
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
    """For each strongly connected component of internal production modules, the components
    it reaches (itself included) as a bit set; and each module's component."""
    import networkx as nx  # noqa: PLC0415

    internal = model.internal_modules - model.test_modules
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
