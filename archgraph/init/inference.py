"""`archgraph init`: propose contracts that today's import graph nearly keeps.

- `layers` for each root package: its children ordered so that as few imports as possible point
  upward (see `ordering`), grouped into layers; the upward imports are listed, to fix or ignore.
- `independence` for groups of sibling packages with no import chain between them today.
- `acyclic` for each root package.
- `single-implementation` for each concept the families analysis finds implemented several
  times independently; its canonical class is a suggestion for the user to confirm.

Pure: reads the model, returns a Proposal; `proposal_toml` writes it as a contract file.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from archgraph.diagnostics import Location
from archgraph.families.findings import Family
from archgraph.init.ordering import layering, minimum_upward_order
from archgraph.model import ArchModel
from archgraph.model.classes import ClassModel

MAX_INDEPENDENCE_CONTRACTS = 5
MAX_SINGLE_IMPLEMENTATION_CONTRACTS = 5
EXAMPLES_PER_UPWARD_PAIR = 5


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
    notes: list[str] = []
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
    children = sorted(model.children(package))
    if len(children) < 2:
        return f"{package}: fewer than two children, so no layers to order"
    imports = child_imports(model, package)
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
        candidates = sorted(c for c in model.children(parent) if _is_package(model, c))
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


# --- the contract file ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposedContract:
    """A contract table as `archgraph init` writes it, with the comments above it and at its end."""

    table: Mapping[str, Any]
    comments: tuple[str, ...] = ()
    trailing: tuple[str, ...] = ()


def proposed_contracts(
    proposal: Proposal, taken_ids: Iterable[str] = ()
) -> list[ProposedContract]:
    """The contract tables of the proposal; ids already used elsewhere get a suffix."""
    used = Counter(taken_ids)
    several = len(proposal.packages) > 1

    def unique(base: str) -> str:
        candidate, number = base, 1
        while used[candidate]:
            number += 1
            candidate = f"{base}-{number}"
        used[candidate] += 1
        return candidate

    contracts = [_layers_contract(p, unique(f"{p.package}-layers" if several else "layers")) for p in proposal.layers]
    contracts += [
        _independence_contract(p, unique(f"{p.package.replace('.', '-')}-independent"))
        for p in proposal.independence
    ]
    contracts += [
        _single_implementation_contract(p, unique(f"single-{_slug(p.concept)}"))
        for p in proposal.single_implementation
    ]
    contracts += [
        ProposedContract(
            {
                "id": unique(f"{package}-no-cycles" if several else "no-cycles"),
                "name": f"No import cycles between the children of {package}",
                "type": "acyclic",
                "packages": [package],
            },
            (f"No import cycle between the children of {package} (`check` lists today's).",),
        )
        for package in proposal.acyclic
    ]
    return contracts


def _layers_contract(proposal: LayersProposal, contract_id: str) -> ProposedContract:
    how = "the fewest possible" if proposal.exact else "few (a heuristic's best)"
    comments = (
        (
            f"Layers of {proposal.package}, top (importers) to bottom (imported), in the order "
            f"with {how} upward imports: {proposal.upward_count} of the {proposal.imports} "
            f"imports between {proposal.package}'s children point upward."
        ),
        '"a | b": siblings that import each other in neither direction.',
    )
    trailing: list[str] = []
    if proposal.upward:
        trailing.append(
            "Upward imports today, most first: fix them, or uncomment entries to ignore them."
        )
        trailing.append("ignore_imports = [")
        for pair in proposal.upward:
            trailing.append(f"    # {_short(pair.importer, proposal.package)} -> "
                            f"{_short(pair.imported, proposal.package)}: {pair.count} import(s)")
            for example in pair.examples[:EXAMPLES_PER_UPWARD_PAIR]:
                where = f"  # {example.location}" if example.location else ""
                trailing.append(f"    {_string(example.importer + ' -> ' + example.imported)},{where}")
            hidden = pair.count - EXAMPLES_PER_UPWARD_PAIR
            if hidden > 0:
                trailing.append(f"    # ... and {hidden} more")
        trailing.append("]")
    return ProposedContract(
        {
            "id": contract_id,
            "name": f"Layers of {proposal.package}",
            "type": "layers",
            "containers": [proposal.package],
            "layers": [" | ".join(layer) for layer in proposal.layers],
            # Every child is placed today; a new one must be placed too.
            "exhaustive": True,
        },
        comments,
        tuple(trailing),
    )


def _independence_contract(proposal: IndependenceProposal, contract_id: str) -> ProposedContract:
    why = f"{_independent_parts(proposal)} import none of the others, directly or indirectly."
    return ProposedContract(
        {
            "id": contract_id,
            "name": f"Independent parts of {proposal.package}",
            "type": "independence",
            "modules": list(proposal.modules),
        },
        (why, "Keep it that way."),
    )


def _single_implementation_contract(
    proposal: SingleImplementationProposal, contract_id: str
) -> ProposedContract:
    canonical = proposal.canonical
    others = ", ".join(f"{name} ({count})" for name, count in proposal.roots[1:])
    shared = ", ".join(proposal.shared_methods[:4])
    return ProposedContract(
        {
            "id": contract_id,
            "name": f"One {proposal.concept} implementation",
            "type": "single-implementation",
            "concept": proposal.pattern,
            "canonical": canonical,
        },
        (
            (
                f"{len(proposal.roots)} independent {proposal.concept} implementations (no common "
                f"base class)" + (f" share {shared}." if shared else ".")
                + " Keep one: every other class of the concept must build on it."
            ),
            f"canonical is a suggestion, CONFIRM IT: {_why_canonical(proposal)}; the others: {others}.",
        ),
    )


def _why_canonical(proposal: SingleImplementationProposal) -> str:
    """Why the canonical class was suggested: the most importers, or a tie to settle."""
    importers = proposal.roots[0][1]
    tied = [name for name, count in proposal.roots[1:] if count == importers]
    if tied:
        return f"tied with {len(tied)} other(s) at {importers} importing modules, pick the one to keep"
    return f"{importers} modules import its hierarchy, the most"


def _slug(text: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in text).strip("-")


def _independent_parts(proposal: IndependenceProposal) -> str:
    """Which parts of the package the independence proposal covers, in words."""
    if proposal.modules == (f"{proposal.package}.*",):
        return f"The children of {proposal.package}"
    if len(proposal.modules) == proposal.candidates:
        return f"The {proposal.candidates} subpackages of {proposal.package}"
    return f"{len(proposal.modules)} of the {proposal.candidates} subpackages of {proposal.package}"


def _short(child: str, package: str) -> str:
    return child[len(package) + 1 :]


def _string(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def proposal_toml(
    proposal: Proposal,
    contracts: Sequence[ProposedContract],
    settings: Mapping[str, Any],
    header: Sequence[str] = (),
) -> str:
    """The contract file: a header comment, the `[archgraph]` settings, then each contract."""
    lines = _comment(header)
    if settings:
        lines += ["", "[archgraph]"] + [f"{key} = {_value(value)}" for key, value in settings.items()]
    for contract in contracts:
        lines.append("")
        lines += _comment(contract.comments)
        lines.append("[[contracts]]")
        for key, value in contract.table.items():
            if key == "layers":
                lines.append("layers = [")
                lines += [f"    {_string(layer)}," for layer in value]
                lines.append("]")
            else:
                lines.append(f"{key} = {_value(value)}")
        # Commented out: the user decides what to ignore.
        lines += [f"# {line}" for line in contract.trailing]
    return "\n".join(lines).lstrip("\n") + "\n"


def _comment(paragraphs: Iterable[str], width: int = 98) -> list[str]:
    """TOML comment lines, each paragraph wrapped to fit the width."""
    return [f"# {line}" for text in paragraphs for line in textwrap.wrap(text, width - 2)]


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return str(value)


# --- what init prints --------------------------------------------------------------------

UPWARD_PAIRS_SHOWN = 10


def explanation(proposal: Proposal) -> list[str]:
    """What was inferred and why, for people (the contract file has it all as comments)."""
    lines: list[str] = []
    for layers in proposal.layers:
        how = "the fewest possible" if layers.exact else "a heuristic's best, maybe not the fewest"
        children = sum(len(layer) for layer in layers.layers)
        lines.append(
            f"layers ({layers.package}): {children} children in {len(layers.layers)} layers, "
            f"top to bottom; {layers.upward_count} of the {layers.imports} imports between them "
            f"point upward ({how}):"
        )
        lines += [f"  {n}. {' | '.join(layer)}" for n, layer in enumerate(layers.layers, start=1)]
        if layers.upward:
            lines.append("  upward imports, most first (fix them, or ignore them in the file):")
        for pair in layers.upward[:UPWARD_PAIRS_SHOWN]:
            first = pair.examples[0]
            where = f" ({first.location})" if first.location else ""
            lines.append(
                f"    {_short(pair.importer, layers.package)} -> "
                f"{_short(pair.imported, layers.package)}: {pair.count} import(s), e.g. "
                f"{first.importer} -> {first.imported}{where}"
            )
        hidden = len(layers.upward) - UPWARD_PAIRS_SHOWN
        if hidden > 0:
            lines.append(f"    ... and {hidden} more pairs of children (all in the file)")
    for group in proposal.independence:
        names = ", ".join(_short(m, group.package) for m in group.modules)
        if group.modules == (f"{group.package}.*",):
            names = f"{group.package}.* (every child)"
        lines.append(
            f"independence ({group.package}): {_independent_parts(group)} import none of the "
            f"others today: {names}"
        )
    lines += [f"acyclic ({package}): no import cycle between its children" for package in proposal.acyclic]
    for single in proposal.single_implementation:
        lines.append(
            f"single-implementation ({single.pattern}): {len(single.roots)} independent "
            f"implementations; canonical suggested: {single.canonical} "
            f"({_why_canonical(single)}); confirm it in the file"
        )
    lines += [f"not proposed: {note}" for note in proposal.notes]
    return lines
