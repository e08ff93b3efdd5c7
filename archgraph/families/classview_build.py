"""The class diagram built: role families, wrappers and parallel hierarchies, ranked.

Built from what `archgraph families` finds (a FamiliesReport) and the class model it read, plus
the canonical classes and violations of `single-implementation` contracts. The view is plain
data (`families/classview.py`); `families/diagram.py` draws it.

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from archgraph.families.classview import (
    ClassEdge,
    ClassNode,
    ClassView,
    ClassViewOptions,
    ClusterKind,
    ContractMarks,
    EdgeKind,
)
from archgraph.families.classview_units import Placement, Unit, contract_units, finding_unit
from archgraph.families.findings import FamiliesReport
from archgraph.model.classes import ClassInfo, ClassModel


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
    units: list[Unit] = []
    for rank, finding in enumerate(report.ranked(), start=1):
        unit = finding_unit(finding, rank, classes, marked)
        if unit is not None:
            units.append(unit)
    findings = len(units)
    units += contract_units(marks, classes, options.concept)

    placed: dict[str, tuple[Placement, str]] = {}
    kept: list[Unit] = []
    notes: list[str] = []
    budget = options.max_nodes
    for unit in units:
        new: dict[str, Placement] = {}
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


def _also_lines(kept: Sequence[Unit], placed: Mapping[str, tuple[Placement, str]]) -> dict[str, list[str]]:
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


def _unit_name(unit: Unit) -> str:
    cluster = unit.cluster
    return f"finding {cluster.rank} ({cluster.title})" if cluster.rank else cluster.title


def _node(
    placement: Placement,
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
