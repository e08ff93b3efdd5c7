"""What each finding adds to the class diagram: a box, its classes in drawing order, extra edges.

A family draws its competing trees (roots, the bases that group them, their nearest subclasses);
a wrapper its two classes; a parallel hierarchy its mirrored pairs, side by side. Contracts add
the canonical classes and violators that no finding draws.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from archgraph.families.classview import (
    ClassCluster,
    ClassEdge,
    ClusterKind,
    ContractMarks,
    EdgeKind,
)
from archgraph.families.findings import Family, Finding, ParallelHierarchy, Wrapper
from archgraph.model.classes import ClassModel

MAX_CONTEXT_BASES = 2  # per root group: the shared bases that explain the grouping
MAX_METHODS_IN_LABEL = 3
MAX_SUBCLASSES_PER_GROUP = 12  # per competing tree; the rest is one "+N more" node


@dataclass(frozen=True, slots=True)
class Placement:
    id: str
    group: int | None
    root: bool = False
    context: bool = False
    external: bool = False
    hidden: int = 0  # a "+N more" node: how many subclasses it stands for


@dataclass(frozen=True, slots=True)
class Unit:
    """What one finding adds: a cluster, its classes in drawing priority, and extra edges."""

    cluster: ClassCluster
    placements: tuple[Placement, ...]
    edges: tuple[ClassEdge, ...] = ()
    same_rank: tuple[tuple[str, str], ...] = ()
    unimplemented: frozenset[str] = frozenset()


def finding_unit(
    finding: Finding, rank: int, classes: ClassModel, marked: frozenset[str]
) -> Unit | None:
    if isinstance(finding, Family):
        return _family_unit(finding, rank, classes, marked)
    if isinstance(finding, Wrapper):
        forwarded = len(finding.forwarded_methods)
        return Unit(
            ClassCluster(
                f"finding_{rank}",
                ClusterKind.WRAPPER,
                f"{finding.wrapper.name} wraps {finding.wrapped.name}",
                f"forwards {forwarded} of its {finding.public_methods} public methods",
                rank,
            ),
            (Placement(finding.wrapper.qualname, 0, root=True),
             Placement(finding.wrapped.qualname, 1)),
            edges=(
                ClassEdge(finding.wrapper.qualname, finding.wrapped.qualname, EdgeKind.WRAPS,
                          f"wraps: {forwarded} forwarded"),
            ),
        )
    if isinstance(finding, ParallelHierarchy):
        pairs = ((finding.left, finding.right), *finding.pairs)
        return Unit(
            ClassCluster(
                f"finding_{rank}",
                ClusterKind.PARALLEL,
                f"{finding.left.name} / {finding.right.name}",
                f"parallel hierarchies: {len(finding.pairs)} subclasses mirror each other",
                rank,
            ),
            tuple(  # pair by pair, tops first: a cut keeps whole pairs
                Placement(info.qualname, side, root=info is top)
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


def _family_unit(family: Family, rank: int, classes: ClassModel, marked: frozenset[str]) -> Unit:
    """The competing trees of a family: roots, shared bases, their nearest subclasses.

    Roots that compete with nothing (the role's classes doing other jobs) are left out, and each
    tree shows at most MAX_SUBCLASSES_PER_GROUP subclasses (marked ones first, then the nearest)
    plus one "+N more" node per root: a 1,700-class `Entity` tree stays readable.
    """
    members = {m.qualname for m in family.classes}
    group_of_root = {
        root: index for index, group in enumerate(family.competing_groups) for root in group
    }
    roots: list[Placement] = []
    context: list[Placement] = []
    below: list[Placement] = []
    more: list[Placement] = []
    edges: list[ClassEdge] = []
    for index, group in enumerate(family.competing_groups):
        roots += [Placement(root, index, root=True) for root in group]
        shared = _shared_bases(group, classes) if len(group) > 1 else []
        context += [
            Placement(base, index, context=True, external=classes.get(base) is None) for base in shared
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
        below += [Placement(m, index) for m in subtree[:MAX_SUBCLASSES_PER_GROUP]]
        hidden = Counter(
            next(root for root in group if root in classes.ancestors(m))
            for m in subtree[MAX_SUBCLASSES_PER_GROUP:]
        )
        for root, count in sorted(hidden.items()):
            more.append(Placement(more_id(root), index, hidden=count))
            edges.append(ClassEdge(more_id(root), root, EdgeKind.INHERITS))
    drawn_members = {p.id for p in (*roots, *below)}
    interfaces = [
        Placement(i.qualname, None, root=i.qualname in {r.qualname for r in family.roots})
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
    return Unit(
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


def contract_units(
    marks: Sequence[ContractMarks], classes: ClassModel, concept: str | None
) -> list[Unit]:
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
                Unit(
                    ClassCluster(f"contract_{index}", ClusterKind.CONTRACT, f"contract {mark.contract}",
                                 f"{mark.concept}: classes in no finding above"),
                    tuple(Placement(n, None) for n in wanted),
                )
            )
    return units
