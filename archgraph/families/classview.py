"""The class diagram as plain data: role families, wrappers and parallel hierarchies, ranked.

Built from what `archgraph families` finds (a FamiliesReport) and the class model it read, plus
the canonical classes and violations of `single-implementation` contracts. Nothing here knows
about Graphviz: `families/diagram.py` draws a ClassView.

- One cluster per finding, in the ranking order of `archgraph families` (its numbers are kept,
  so "3." in the drawing is "3." in the text report). A class belongs to the first finding that
  names it; a later finding about the same classes adds only its edges (a parallel hierarchy
  inside a family draws its "mirrors" edges between that family's classes).
- Each independent root group of a competing family has its own colour index (`group`), and
  every member below a root takes that root's index, so competing implementations read as
  separately coloured trees. Roots grouped because they share a base are joined by drawing that
  base (a *context* node): the tree shows why they are one implementation, not several.
- Above the node budget, the most suspicious findings are kept whole, in rank order, and the
  view says what was left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fnmatch import fnmatchcase

from archgraph.families.findings import (
    FamiliesReport,
    Family,
    Finding,
    ParallelHierarchy,
    Wrapper,
)
from archgraph.model.classes import ClassInfo, ClassModel

DEFAULT_MAX_CLASSES = 400  # like the module diagram's node budget
MAX_CONTEXT_BASES = 2  # per root group: the shared bases that explain the grouping
MAX_METHODS_IN_LABEL = 3
MAX_SUBCLASSES_PER_GROUP = 12  # per competing tree; the rest is one "+N more" node


class EdgeKind(StrEnum):
    INHERITS = "inherits"  # subclass -> base (or a drawn ancestor, when the classes between are not drawn)
    REALIZES = "realizes"  # a root -> the family's Protocol it implements without naming it
    WRAPS = "wraps"  # wrapper -> the class it keeps and forwards to
    MIRRORS = "mirrors"  # left -> right class of a parallel hierarchy (drawn side by side)


class ClusterKind(StrEnum):
    FAMILY = "family"
    WRAPPER = "wrapper"
    PARALLEL = "parallel"
    CONTRACT = "contract"


@dataclass(frozen=True, slots=True)
class ContractMarks:
    """What one `single-implementation` contract says about classes."""

    contract: str  # the contract id
    concept: str  # its class-name glob
    canonical: str  # the canonical class's qualified name
    canonical_found: bool  # False: the class is not in the analyzed code (AG314)
    violations: tuple[tuple[str, str], ...] = ()  # (qualified name, code), e.g. AG160


@dataclass(frozen=True, slots=True)
class ClassNode:
    """One drawn class (or an external base class the roots of a group share)."""

    id: str  # the qualified name (as written, for an external base)
    name: str
    module: str  # "" for an external base
    cluster: str  # ClassCluster.id
    group: int | None  # colour index inside its cluster; None: no competing tree
    root: bool = False  # a root of its family (no ancestor in the family)
    abstract: bool = False
    protocol: bool = False
    context: bool = False  # not a member of the finding: a base its roots share
    external: bool = False  # outside the analyzed code
    unimplemented: bool = False  # abstract, and nothing implements it
    hidden: int = 0  # not a class: stands for this many subclasses of a root, not drawn
    canonical_of: tuple[str, ...] = ()  # ids of the contracts naming it canonical
    violations: tuple[tuple[str, str], ...] = ()  # (code, contract id)
    location: str | None = None  # "file:line"

    @property
    def violating(self) -> bool:
        return bool(self.violations)


@dataclass(frozen=True, slots=True)
class ClassEdge:
    source: str
    target: str
    kind: EdgeKind
    label: str = ""
    direct: bool = True  # INHERITS: False when classes between the two are not drawn


@dataclass(frozen=True, slots=True)
class ClassCluster:
    """A box around the classes of one finding (or of one contract, for classes in no finding)."""

    id: str  # a plain identifier: `finding_3`, `contract_1`
    kind: ClusterKind
    title: str
    detail: str = ""
    rank: int | None = None  # the finding's number in `archgraph families`
    also: tuple[str, ...] = ()  # later findings drawn entirely inside this box


@dataclass(frozen=True, slots=True)
class ClassView:
    """The class diagram to draw, in a stable order."""

    title: str
    nodes: tuple[ClassNode, ...]
    edges: tuple[ClassEdge, ...]
    clusters: tuple[ClassCluster, ...]  # only those holding a node
    same_rank: tuple[tuple[str, str], ...]  # mirrored pairs, drawn side by side
    findings: int  # findings a class diagram can show (families, wrappers, parallel hierarchies)
    findings_drawn: int
    classes_analyzed: int
    concept: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def node_ids(self) -> frozenset[str]:
        return frozenset(node.id for node in self.nodes)

    def node(self, node_id: str) -> ClassNode:
        return next(n for n in self.nodes if n.id == node_id)


@dataclass(frozen=True, slots=True)
class ClassViewOptions:
    max_nodes: int | None = DEFAULT_MAX_CLASSES
    concept: str | None = None  # the class-name glob the analysis was narrowed to


# --- building -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Placement:
    id: str
    group: int | None
    root: bool = False
    context: bool = False
    external: bool = False
    hidden: int = 0  # a "+N more" node: how many subclasses it stands for


@dataclass(frozen=True, slots=True)
class _Unit:
    """What one finding adds: a cluster, its classes in drawing priority, and extra edges."""

    cluster: ClassCluster
    placements: tuple[_Placement, ...]
    edges: tuple[ClassEdge, ...] = ()
    same_rank: tuple[tuple[str, str], ...] = ()
    unimplemented: frozenset[str] = frozenset()


def build_class_view(
    report: FamiliesReport,
    classes: ClassModel,
    marks: Sequence[ContractMarks] = (),
    options: ClassViewOptions = ClassViewOptions(),
    title: str = "class families",
) -> ClassView:
    """The families, wrappers and parallel hierarchies of `report`, most suspicious first."""
    marked = frozenset(
        name for m in marks for name in (m.canonical, *(q for q, _code in m.violations))
    )
    units: list[_Unit] = []
    for rank, finding in enumerate(report.ranked(), start=1):
        unit = _finding_unit(finding, rank, classes, marked)
        if unit is not None:
            units.append(unit)
    findings = len(units)
    units += _contract_units(marks, classes, options.concept)

    placed: dict[str, tuple[_Placement, str]] = {}
    kept: list[_Unit] = []
    notes: list[str] = []
    budget = options.max_nodes
    for unit in units:
        new: dict[str, _Placement] = {}
        for placement in unit.placements:
            if placement.id not in placed:
                new.setdefault(placement.id, placement)
        chosen = list(new.values())
        if budget is not None and len(placed) + len(chosen) > budget:
            if kept:
                break
            # The most suspicious finding alone is too big: draw its roots first, then the rest.
            notes.append(
                f"{_unit_name(unit)} has {len(chosen)} classes, more than the budget of {budget} "
                f"(--max-nodes); drawing its first {budget} (roots first)"
            )
            chosen = chosen[:budget]
        for placement in chosen:
            placed[placement.id] = (placement, unit.cluster.id)
        kept.append(unit)
    left_out = units[len(kept):]
    dropped = [u for u in left_out if u.cluster.kind is not ClusterKind.CONTRACT]
    if dropped:
        notes.append(
            f"{findings} findings exceed the budget of {budget} classes (--max-nodes); "
            f"drawing the {findings - len(dropped)} most suspicious ({len(placed)} classes)"
        )
    notes += [
        f"{u.cluster.title}: its classes outside the drawn findings are left out (--max-nodes)"
        for u in left_out
        if u.cluster.kind is ClusterKind.CONTRACT and any(p.id not in placed for p in u.placements)
    ]

    also = _also_lines(kept, placed)
    unimplemented = frozenset().union(*(u.unimplemented for u in kept)) if kept else frozenset()
    nodes = [
        _node(placement, cluster, classes, marks, unimplemented)
        for placement, cluster in placed.values()
    ]
    drawn = frozenset(placed)
    edges = _inheritance_edges({i: cluster for i, (_p, cluster) in placed.items()}, classes)
    seen = {(e.source, e.target, e.kind) for e in edges}
    for unit in kept:
        for edge in unit.edges:
            key = (edge.source, edge.target, edge.kind)
            if edge.source in drawn and edge.target in drawn and key not in seen:
                seen.add(key)
                edges.append(edge)
    same_rank = _consistent_rows(
        [pair for unit in kept for pair in unit.same_rank if pair[0] in drawn and pair[1] in drawn],
        edges,
    )
    used = {node.cluster for node in nodes}
    notes += [
        f"contract {m.contract}: canonical class {m.canonical} is not defined in the analyzed code"
        for m in marks
        if not m.canonical_found
    ]
    if not findings:
        notes.append("no competing families, wrappers or parallel hierarchies found")
    return ClassView(
        title=title,
        nodes=tuple(sorted(nodes, key=lambda n: (n.cluster, n.id))),
        edges=tuple(sorted(edges, key=lambda e: (e.kind, e.source, e.target))),
        clusters=tuple(
            replace(u.cluster, also=tuple(also.get(u.cluster.id, ()))) for u in kept if u.cluster.id in used
        ),
        same_rank=same_rank,
        findings=findings,
        findings_drawn=sum(1 for u in kept if u.cluster.kind is not ClusterKind.CONTRACT),
        classes_analyzed=report.classes_analyzed,
        concept=options.concept,
        notes=tuple(notes),
    )


def _also_lines(kept: Sequence[_Unit], placed: Mapping[str, tuple[_Placement, str]]) -> dict[str, list[str]]:
    """Findings whose classes all sit in an earlier finding's box, as extra lines of that box.

    A wrapper inside its family, or a family whose classes a parallel hierarchy already drew,
    would otherwise lose its headline.
    """
    also: dict[str, list[str]] = {}
    for unit in kept:
        homes = [placed[p.id][1] for p in unit.placements if p.id in placed]
        if not homes or unit.cluster.id in homes or unit.cluster.kind is ClusterKind.CONTRACT:
            continue
        home = max(dict.fromkeys(homes), key=homes.count)  # where most of its classes are
        cluster = unit.cluster
        number = f"{cluster.rank}. " if cluster.rank is not None else ""
        also.setdefault(home, []).append(
            f"also {number}{cluster.title}" + (f": {cluster.detail}" if cluster.detail else "")
        )
    return also


def _unit_name(unit: _Unit) -> str:
    cluster = unit.cluster
    return f"finding {cluster.rank} ({cluster.title})" if cluster.rank else cluster.title


def _finding_unit(
    finding: Finding, rank: int, classes: ClassModel, marked: frozenset[str]
) -> _Unit | None:
    if isinstance(finding, Family):
        return _family_unit(finding, rank, classes, marked)
    if isinstance(finding, Wrapper):
        forwarded = len(finding.forwarded_methods)
        return _Unit(
            ClassCluster(
                f"finding_{rank}",
                ClusterKind.WRAPPER,
                f"{finding.wrapper.name} wraps {finding.wrapped.name}",
                f"forwards {forwarded} of its {finding.public_methods} public methods",
                rank,
            ),
            (_Placement(finding.wrapper.qualname, 0, root=True),
             _Placement(finding.wrapped.qualname, 1)),
            edges=(
                ClassEdge(finding.wrapper.qualname, finding.wrapped.qualname, EdgeKind.WRAPS,
                          f"wraps: {forwarded} forwarded"),
            ),
        )
    if isinstance(finding, ParallelHierarchy):
        pairs = ((finding.left, finding.right), *finding.pairs)
        return _Unit(
            ClassCluster(
                f"finding_{rank}",
                ClusterKind.PARALLEL,
                f"{finding.left.name} / {finding.right.name}",
                f"parallel hierarchies: {len(finding.pairs)} subclasses mirror each other",
                rank,
            ),
            tuple(  # pair by pair, tops first: a cut keeps whole pairs
                _Placement(info.qualname, side, root=info is top)
                for pair in pairs
                for side, (info, top) in enumerate(zip(pair, (finding.left, finding.right), strict=True))
            ),
            edges=tuple(
                ClassEdge(left.qualname, right.qualname, EdgeKind.MIRRORS, "mirrors")
                for left, right in pairs
            ),
            same_rank=tuple((left.qualname, right.qualname) for left, right in pairs),
        )
    return None  # duplicates: their classes are drawn with their families


def _family_unit(family: Family, rank: int, classes: ClassModel, marked: frozenset[str]) -> _Unit:
    """The competing trees of a family: roots, shared bases, their nearest subclasses.

    Roots that compete with nothing (the role's classes doing other jobs) are left out, and each
    tree shows at most MAX_SUBCLASSES_PER_GROUP subclasses (marked ones first, then the nearest)
    plus one "+N more" node per root: a 1,700-class `Entity` tree stays readable.
    """
    members = {m.qualname for m in family.classes}
    group_of_root = {
        root: index for index, group in enumerate(family.competing_groups) for root in group
    }
    roots: list[_Placement] = []
    context: list[_Placement] = []
    below: list[_Placement] = []
    more: list[_Placement] = []
    edges: list[ClassEdge] = []
    for index, group in enumerate(family.competing_groups):
        roots += [_Placement(root, index, root=True) for root in group]
        shared = _shared_bases(group, classes) if len(group) > 1 else []
        context += [
            _Placement(base, index, context=True, external=classes.get(base) is None) for base in shared
        ]
        edges += [
            ClassEdge(root, base, EdgeKind.INHERITS, direct=base in classes.by_qualname[root].bases)
            for base in shared
            for root in group
            if classes.get(base) is None  # project bases get their edges like any drawn class
            and base in classes.external_bases(root)
        ]
        subtree = sorted(
            {d for root in group for d in classes.descendants(root) if d in members},
            key=lambda m: (m not in marked, len(classes.ancestors(m) & members), m),
        )
        below += [_Placement(m, index) for m in subtree[:MAX_SUBCLASSES_PER_GROUP]]
        hidden = Counter(
            next(root for root in group if root in classes.ancestors(m))
            for m in subtree[MAX_SUBCLASSES_PER_GROUP:]
        )
        for root, count in sorted(hidden.items()):
            more.append(_Placement(more_id(root), index, hidden=count))
            edges.append(ClassEdge(more_id(root), root, EdgeKind.INHERITS))
    drawn_members = {p.id for p in (*roots, *below)}
    interfaces = [
        _Placement(i.qualname, None, root=i.qualname in {r.qualname for r in family.roots})
        for i in family.unimplemented_interfaces
        if i.qualname not in drawn_members
    ]
    for protocol in (m for m in family.classes if m.protocol):
        protocol_group = group_of_root.get(protocol.qualname)
        edges += [
            ClassEdge(root, protocol.qualname, EdgeKind.REALIZES, "implements")
            for root in (
                family.competing_groups[protocol_group] if protocol_group is not None else ()
            )
            if root != protocol.qualname and protocol.qualname not in classes.ancestors(root)
        ]
    others = len(members - drawn_members - {i.id for i in interfaces})
    detail = _family_detail(family)
    if others:
        detail += f"; {others} more {family.concept} classes not drawn"
    return _Unit(
        ClassCluster(f"finding_{rank}", ClusterKind.FAMILY, family.concept, detail, rank),
        (*roots, *interfaces, *context, *below, *more),
        edges=tuple(edges),
        unimplemented=frozenset(i.qualname for i in family.unimplemented_interfaces),
    )


def more_id(root: str) -> str:
    """The node standing for a root's subclasses that are not drawn (a space: never a class)."""
    return f"{root} +more"


def _family_detail(family: Family) -> str:
    parts = []
    if family.competing:
        methods = list(family.shared_methods[:MAX_METHODS_IN_LABEL])
        more = len(family.shared_methods) - len(methods)
        shared = ", ".join(methods) + (f" +{more}" if more > 0 else "")
        parts.append(f"{len(family.competing_groups)} competing implementations sharing {shared}")
    if family.unimplemented_interfaces:
        parts.append(f"{len(family.unimplemented_interfaces)} abstract, implemented by no class")
    return "; ".join(parts)


def _is_generic_base(name: str) -> bool:
    """Bases that say nothing about a class's job (the families analysis ignores them too)."""
    return name in ("object", "ABC", "Generic", "Protocol") or name.startswith(
        ("typing.", "typing_extensions.", "abc.", "collections.abc.", "builtins.")
    )


def _shared_bases(roots: Sequence[str], classes: ClassModel) -> list[str]:
    """The nearest bases two or more of the roots share: why the analysis made them one group."""
    counts: dict[str, int] = {}
    for root in roots:
        for base in classes.ancestors(root) | classes.external_bases(root):
            if not _is_generic_base(base):
                counts[base] = counts.get(base, 0) + 1
    shared = {base for base, count in counts.items() if count > 1}
    # A base is explained by a nearer shared one when it is that one's ancestor or external base.
    explained = set().union(
        *(classes.ancestors(b) | classes.external_bases(b) for b in shared if classes.get(b))
    )
    return sorted(b for b in shared if b not in explained and _drawable_name(b))[:MAX_CONTEXT_BASES]


def _drawable_name(name: str) -> bool:
    """An external base written as a dotted name (not `make_base(x)`), so it can be one node."""
    return all(part.isidentifier() for part in name.split("."))


def _contract_units(
    marks: Sequence[ContractMarks], classes: ClassModel, concept: str | None
) -> list[_Unit]:
    """The canonical class and violators of each contract, for those no finding draws."""
    units = []
    for index, mark in enumerate(marks, start=1):
        names = [mark.canonical] if mark.canonical_found else []
        names += [qualname for qualname, _code in mark.violations]
        wanted = [
            n for n in dict.fromkeys(names)
            if (info := classes.get(n)) is not None and (concept is None or fnmatchcase(info.name, concept))
        ]
        if wanted:
            units.append(
                _Unit(
                    ClassCluster(f"contract_{index}", ClusterKind.CONTRACT, f"contract {mark.contract}",
                                 f"{mark.concept}: classes in no finding above"),
                    tuple(_Placement(n, None) for n in wanted),
                )
            )
    return units


def _node(
    placement: _Placement,
    cluster: str,
    classes: ClassModel,
    marks: Sequence[ContractMarks],
    unimplemented: frozenset[str],
) -> ClassNode:
    info: ClassInfo | None = classes.get(placement.id)
    canonical_of = tuple(m.contract for m in marks if m.canonical_found and m.canonical == placement.id)
    violations = tuple(
        (code, m.contract) for m in marks for qualname, code in m.violations if qualname == placement.id
    )
    if placement.hidden:
        return ClassNode(
            placement.id, f"+{placement.hidden} more subclasses", "", cluster, placement.group,
            hidden=placement.hidden,
        )
    if info is None:
        return ClassNode(
            placement.id, placement.id.rpartition(".")[2], placement.id.rpartition(".")[0],
            cluster, placement.group, context=True, external=True,
        )
    return ClassNode(
        id=info.qualname,
        name=info.name,
        module=info.module,
        cluster=cluster,
        group=placement.group,
        root=placement.root,
        abstract=info.abstract,
        protocol=info.protocol,
        context=placement.context,
        unimplemented=info.qualname in unimplemented,
        canonical_of=canonical_of,
        violations=violations,
        location=str(info.location),
    )


def _inheritance_edges(cluster_of: Mapping[str, str], classes: ClassModel) -> list[ClassEdge]:
    """Subclass -> base for every drawn pair, and to the nearest drawn ancestors in the same box
    across classes not drawn. (Across boxes such edges are noise: half of homeassistant's
    entities would point at `Entity`.)"""
    drawn = frozenset(cluster_of)
    edges = []
    for qualname in sorted(drawn):
        if classes.get(qualname) is None:
            continue
        direct = [b for b in classes.project_bases(qualname) if b in drawn]
        edges += [ClassEdge(qualname, base, EdgeKind.INHERITS) for base in direct]
        covered = set(direct).union(*(classes.ancestors(b) for b in direct))
        farther = {
            a for a in (classes.ancestors(qualname) & drawn) - covered
            if cluster_of[a] == cluster_of[qualname]
        }
        edges += [
            ClassEdge(qualname, ancestor, EdgeKind.INHERITS, "indirectly", direct=False)
            for ancestor in sorted(_nearest(farther, classes))
        ]
    return edges


def _consistent_rows(
    pairs: Sequence[tuple[str, str]], edges: Sequence[ClassEdge]
) -> tuple[tuple[str, str], ...]:
    """The mirrored pairs that can share a rank, in order; a pair that cannot is left out.

    Bases rank above their subclasses. Two pairs (TeslaFleetEntity, TeslemetryPollingEntity)
    and (TeslaFleetVehicleEntity, TeslemetryRootEntity), with a subclass on each side, cannot
    both hold: such contradictions make dot fail ("trouble in init_rank").
    """
    below: dict[str, set[str]] = {}
    for edge in edges:
        if edge.kind in (EdgeKind.INHERITS, EdgeKind.REALIZES):
            below.setdefault(edge.target, set()).add(edge.source)
    row: dict[str, str] = {}  # union-find: each class's row representative

    def find(item: str) -> str:
        while row.get(item, item) != item:
            item = row[item]
        return item

    members: dict[str, set[str]] = {}

    def reaches(start: str, goal: str) -> bool:
        """A path of base -> subclass steps between the two rows (rows contracted)."""
        seen, stack = {start}, [start]
        while stack:
            current = stack.pop()
            for member in members.get(current, {current}):
                for sub in below.get(member, ()):
                    target = find(sub)
                    if target == goal:
                        return True
                    if target not in seen:
                        seen.add(target)
                        stack.append(target)
        return False

    kept = []
    for left, right in dict.fromkeys(pairs):
        first, second = find(left), find(right)
        if first == second:
            kept.append((left, right))
            continue
        if reaches(first, second) or reaches(second, first):
            continue
        row[second] = first
        members[first] = members.get(first, {first}) | members.pop(second, {second})
        kept.append((left, right))
    return tuple(kept)


def _nearest(ancestors: Iterable[str], classes: ClassModel) -> set[str]:
    """Those of the ancestors that no other one of them derives from."""
    found = set(ancestors)
    return {a for a in found if not any(a in classes.ancestors(other) for other in found - {a})}
