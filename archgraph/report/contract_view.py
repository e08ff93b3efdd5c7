"""One contract's picture: what it protects or orders, and every violation counted on it.

- protected: the protected modules or symbols in the centre, the violating importers grouped by
  package in two frames above and below them (rows of boxes, so that the picture keeps near a
  page's shape however many there are), each box and each frame's arrow with its count;
- layers: one box per layer, top to bottom, with the imports between two layers aggregated into
  one arrow each way: downward grey, upward red, with their counts;
- independence: the modules that must stay apart, and one red arrow per pair a chain joins, with
  the number of chains and the modules the shortest one passes through.

`ContractView` is pure data (boxes, arrows, rows); `contract_view_source` draws it as DOT with
the module diagram's look.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from archgraph.diagnostics import Violation
from archgraph.model import ArchModel
from archgraph.model.names import is_within
from archgraph.report.graphview import LayerPlan
from archgraph.report.layout import dot_id
from archgraph.report.view_budget import collapse_to, module_depth
from archgraph.results import ContractResult

if TYPE_CHECKING:
    import graphviz

MAX_BOXES = 80
MAX_GROUPS = 60  # importer groups of a protected view: the deepest grouping with at most these
MAX_TARGETS = 12
ASPECT = 1.4  # the width:height the rows of boxes aim at
CONTRACT_VIEW_KINDS = frozenset({"protected", "layers", "independence"})


@dataclass(frozen=True, slots=True)
class ViewBox:
    """One box: a target, a group of importers, a layer, or a module of an independence contract."""

    id: str
    label: str  # lines separated by "\n"
    role: str  # "target", "importers", "layer", "module", "outside"
    violations: int  # violations that start (importers, layer, module) or end (target) here
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class ViewArrow:
    tail: str
    head: str
    imports: int  # module-level imports it stands for (0: chains only, no direct import)
    violations: int
    label: str
    upward: bool = False  # against the contract's direction: drawn red

    @property
    def red(self) -> bool:
        return self.upward or self.violations > 0


@dataclass(frozen=True, slots=True)
class Frame:
    """Boxes drawn inside one frame; an arrow whose tail is the frame's id leaves it at `anchor`."""

    id: str
    label: str
    boxes: tuple[str, ...]
    anchor: str


@dataclass(frozen=True, slots=True)
class ContractView:
    title: str
    contract: str
    kind: str
    boxes: tuple[ViewBox, ...]
    arrows: tuple[ViewArrow, ...]
    rows: tuple[tuple[str, ...], ...]  # box ids per row, top to bottom
    violations: int  # all violations of the contract
    notes: tuple[str, ...] = field(default=())
    frames: tuple[Frame, ...] = ()


def protected_view(
    result: ContractResult, depth: int | None = None, title: str = "", protected: Sequence[str] = ()
) -> ContractView:
    """The protected targets in the centre, the violating importers grouped by package at `depth`
    (default: the deepest grouping with at most MAX_GROUPS groups).

    `protected`: the contract's modules and symbols; each is drawn (a kept contract too), and an
    import of a module inside a protected package counts against the package.
    """
    violations = [v for v in result.violations if v.importer and v.imported]

    def target(violation: Violation) -> str:
        if violation.symbol:
            return violation.symbol
        imported = violation.imported or ""
        return next((p for p in protected if is_within(imported, p)), imported)

    named = [target(v) for v in violations]
    targets = _collapsed({*named, *protected}, MAX_TARGETS)
    target_of = [targets[name] for name in named]
    importers = sorted({v.importer for v in violations if v.importer})
    depth = depth or _deepest(importers, MAX_GROUPS)
    group_of = {module: collapse_to(module, depth) for module in importers}
    notes = [f"importers grouped by package at depth {depth} (--depth)"]
    groups = sorted(set(group_of.values()))
    if len(groups) > MAX_BOXES - len(set(targets.values())):
        # Even the chosen depth gives too many: the groups with the fewest violations share a box.
        size = Counter(group_of[v.importer] for v in violations if v.importer)
        kept = sorted(groups, key=lambda g: (-size[g], g))[: MAX_GROUPS - 1]
        other = f"{len(groups) - len(kept)} other packages"
        group_of = {m: g if g in kept else other for m, g in group_of.items()}
        notes.append(f"{len(groups) - len(kept)} packages with the fewest violations share one box")

    per_group: dict[str, list[Violation]] = {}
    for violation in violations:
        per_group.setdefault(group_of[violation.importer or ""], []).append(violation)
    per_target = Counter(target_of)

    boxes = [
        ViewBox(f"target:{t}", f"{t}\nprotected: {counted(per_target[t], 'violating import')}", "target",
                per_target[t], tooltip=t)
        for t in sorted(set(targets.values()))
    ]
    ranked = sorted(per_group, key=lambda g: (-len(per_group[g]), g))
    for group in ranked:
        found = per_group[group]
        modules = sorted({v.importer or "" for v in found})
        boxes.append(
            ViewBox(
                f"group:{group}",
                f"{group}\n{counted(len(found), 'violation')} from {counted(len(modules), 'module')}",
                "importers",
                len(found),
                tooltip="\n".join(modules[:40]) + ("\n..." if len(modules) > 40 else ""),
            )
        )
    target_row = tuple(b.id for b in boxes if b.role == "target")
    group_rows = _grid([f"group:{g}" for g in ranked], _widest(boxes))
    # The targets in the centre: the first half of the rows (the biggest groups) in a frame
    # above them, the rest in a frame below; one arrow per frame and target, so that a hundred
    # importers do not draw a hundred crossing lines. Each box counts its own violations.
    half = (len(group_rows) + 1) // 2
    frames = []
    arrows = []
    for frame_id, frame_rows in (("importers above", group_rows[:half]),
                                 ("importers below", group_rows[half:])):
        if not frame_rows:
            continue
        ids = [box_id for row in frame_rows for box_id in row]
        inside = [index for index, v in enumerate(violations)
                  if f"group:{group_of[v.importer or '']}" in ids]
        frames.append(Frame(frame_id, f"violating importers: {counted(len(inside), 'violation')}",
                            tuple(ids), frame_rows[0][len(frame_rows[0]) // 2]))
        for name, count in sorted(Counter(target_of[index] for index in inside).items()):
            arrows.append(ViewArrow(frame_id, f"target:{name}", count, count,
                                    counted(count, "violation")))
    rows = (*reversed(group_rows[:half]), target_row, *group_rows[half:])
    return ContractView(
        title=title or f"violations of {result.contract_id}",
        contract=result.contract_id,
        kind=result.kind,
        boxes=tuple(boxes),
        arrows=tuple(arrows),
        rows=tuple(row for row in rows if row),
        violations=len(result.violations),
        notes=tuple(notes + _unplaced(result, len(violations))),
        frames=tuple(frames),
    )


def layers_view(
    model: ArchModel, result: ContractResult, plan: LayerPlan, title: str = ""
) -> ContractView:
    """One box per layer of `plan`, the imports between layers aggregated, upward ones red."""
    members: Counter[int] = Counter()
    imports: Counter[tuple[int, int]] = Counter()
    layer_of: dict[str, int | None] = {}

    def layer(module: str) -> int | None:
        if module not in layer_of:
            layer_of[module] = plan.layer_of(module)
        return layer_of[module]

    for module in model.internal_modules:
        index = layer(module)
        if index is not None:
            members[index] += 1
    for importer, imported in model.iter_imports():
        pair = (layer(importer), layer(imported))
        if pair[0] is not None and pair[1] is not None and pair[0] != pair[1]:
            imports[pair] += 1  # type: ignore[index]
    violations: Counter[tuple[int, int]] = Counter()
    outside = []
    for violation in result.violations:
        ends = (layer(violation.importer or ""), layer(violation.imported or ""))
        if ends[0] is None or ends[1] is None:
            outside.append(violation)
        else:
            violations[ends] += 1  # type: ignore[index]
    per_layer = Counter(pair[0] for pair in violations.elements())
    boxes = [
        ViewBox(
            f"layer:{index}",
            f"layer {index + 1}: {name}\n{counted(members[index], 'module')}"
            + (f", {counted(per_layer[index], 'violation')}" if per_layer[index] else ""),
            "layer",
            per_layer[index],
            tooltip="\n".join(plan.modules[index]),
        )
        for index, name in enumerate(plan.names)
    ]
    if outside:
        boxes.append(ViewBox("outside", f"{counted(len(outside), 'violation')} outside the layers\n"
                             "(modules in no layer)", "outside", len(outside),
                             tooltip="\n".join(sorted(v.message for v in outside))))
    arrows = []
    for pair in sorted(set(imports) | set(violations)):
        upward = pair[0] > pair[1]
        count, broken = imports[pair], violations[pair]
        label = counted(count, "import") if count else ""
        if upward or broken:
            label += ("\n" if label else "") + counted(broken, "violation")
        arrows.append(ViewArrow(f"layer:{pair[0]}", f"layer:{pair[1]}", count, broken, label,
                                upward=upward or pair[0] == pair[1]))
    rows = [(f"layer:{index}",) for index in range(len(plan.names))]
    if outside:
        rows.append(("outside",))
    return ContractView(
        title=title or f"layers of {result.contract_id}",
        contract=result.contract_id,
        kind=result.kind,
        boxes=tuple(boxes),
        arrows=tuple(arrows),
        rows=tuple(rows),
        violations=len(result.violations),
    )


def independence_view(
    result: ContractResult, modules: Sequence[str], title: str = ""
) -> ContractView:
    """The modules that must stay independent, and the chains that join two of them."""

    def owner(name: str | None) -> str | None:
        return next((m for m in modules if name is not None and is_within(name, m)), None)

    chains: dict[tuple[str, str], list[Violation]] = {}
    unplaced = 0
    for violation in result.violations:
        ends = (owner(violation.importer), owner(violation.imported))
        if ends[0] is None or ends[1] is None:
            unplaced += 1
            continue
        chains.setdefault((ends[0], ends[1]), []).append(violation)
    starting = Counter(pair[0] for pair, found in chains.items() for _ in found)
    boxes = [
        ViewBox(f"module:{m}", m + (f"\n{counted(starting[m], 'chain')} to the others" if starting[m] else ""),
                "module", starting[m], tooltip=m)
        for m in sorted(modules)
    ]
    arrows = []
    for (importer, imported), found in sorted(chains.items()):
        shortest = min(found, key=lambda v: (len(v.chain), [(s.importer, s.imported) for s in v.chain]))
        middle = [step.imported for step in shortest.chain[:-1]]
        label = counted(len(found), "chain")
        if middle:
            label += "\nvia " + " -> ".join(middle[:3]) + (" ..." if len(middle) > 3 else "")
        direct = sum(1 for v in found if len(v.chain) == 1)
        arrows.append(ViewArrow(f"module:{importer}", f"module:{imported}", direct, len(found), label))
    notes = [f"{unplaced} violations not between the listed modules"] if unplaced else []
    return ContractView(
        title=title or f"independence of {result.contract_id}",
        contract=result.contract_id,
        kind=result.kind,
        boxes=tuple(boxes),
        arrows=tuple(arrows),
        rows=_grid([b.id for b in boxes], _widest(boxes)),
        violations=len(result.violations),
        notes=tuple(notes),
    )


def counted(number: int, noun: str) -> str:
    """`1 violation`, `2 violations`."""
    return f"{number} {noun}{'s' * (number != 1)}"


def _collapsed(names: set[str], budget: int) -> dict[str, str]:
    """Each name -> itself, or its ancestor at the deepest depth that leaves at most `budget`."""
    depth = _deepest(sorted(names), budget)
    return {name: collapse_to(name, depth) if len(names) > budget else name for name in names}


def _deepest(modules: Sequence[str], budget: int) -> int:
    """The deepest depth at which the modules collapse to at most `budget` names (at least 1)."""
    chosen = 1
    for depth in range(1, max((module_depth(m) for m in modules), default=1) + 1):
        if len({collapse_to(m, depth) for m in modules}) > budget:
            break
        chosen = depth
    return chosen


def _widest(boxes: Sequence[ViewBox]) -> int:
    return max((len(line) for box in boxes for line in box.label.split("\n")), default=10)


def _grid(ids: Sequence[str], widest_label: int) -> tuple[tuple[str, ...], ...]:
    """The boxes in rows, as many per row as keep the grid near ASPECT (width:height)."""
    if not ids:
        return ()
    box_width = 0.09 * widest_label + 0.5  # inches, at the diagram's 10 pt font
    row_height = 1.3  # a box, the space between rows and an arrow's label
    best = min(
        range(1, len(ids) + 1),
        key=lambda columns: abs(
            math.log((columns * box_width) / (math.ceil(len(ids) / columns) * row_height) / ASPECT)
        ),
    )
    return tuple(tuple(ids[start:start + best]) for start in range(0, len(ids), best))


def _unplaced(result: ContractResult, placed: int) -> list[str]:
    missing = len(result.violations) - placed
    return [f"{missing} violations without an import chain are not drawn"] if missing else []


ROLE_STYLE: Mapping[str, Mapping[str, str]] = {
    "target": {"fillcolor": "#fff1a8", "penwidth": "2.4", "color": "#1d2329"},
    "importers": {"shape": "folder", "fillcolor": "#e6eef8", "color": "#d0021b", "penwidth": "1.6"},
    "layer": {"fillcolor": "#e6eef8", "color": "#8aa4c8"},
    "module": {"fillcolor": "#e6eef8", "color": "#4a4a4a"},
    "outside": {"fillcolor": "white", "color": "#d0021b", "style": "dashed,filled"},
}


def contract_view_source(view: ContractView) -> str:
    """The view as DOT source: rows held by rank, arrows free of the ranking."""
    from archgraph.report.diagram import (  # noqa: PLC0415 - loads the graphviz package
        IMPORT_COLOR,
        VIOLATION_COLOR,
        LegendEntry,
        add_edge,
        add_legend,
        dot_text,
        new_digraph,
    )

    digraph = new_digraph(f"{view.title}: {counted(view.violations, 'violation')}")
    digraph.attr(ranksep="0.5", nodesep="0.35")
    minimum_width = _layer_box_width(view)
    for box in view.boxes:
        style = dict(ROLE_STYLE[box.role])
        if box.role == "layer" and box.violations:
            style["color"] = VIOLATION_COLOR
        if minimum_width and box.role == "layer":
            style["width"] = f"{minimum_width:.2f}"
        digraph.node(dot_id(box.id), label=dot_text(box.label), tooltip=dot_text(box.tooltip or box.label),
                     **style, **{"class": f"box {box.role}"})
    _hold_rows(digraph, view.rows, add_edge)
    frames = {frame.id: frame for frame in view.frames}
    for frame in view.frames:
        with digraph.subgraph(name=f"cluster_{dot_id(frame.id)}") as inside:
            inside.attr(label=dot_text(frame.label), color=VIOLATION_COLOR, style="rounded,dashed",
                        fontcolor=VIOLATION_COLOR, fontsize="11", **{"class": "frame"})
            for box_id in frame.boxes:
                inside.node(dot_id(box_id))
    for arrow in view.arrows:
        attributes = {"constraint": "false", "tooltip": dot_text(arrow.label.replace("\n", ", "))}
        tail = arrow.tail
        if tail in frames:  # from the frame's border
            attributes["ltail"] = f"cluster_{dot_id(tail)}"
            tail = frames[tail].anchor
        classes = ["arrow"]
        if arrow.red:
            attributes.update(color=VIOLATION_COLOR, fontcolor=VIOLATION_COLOR, penwidth="1.8")
            classes.append("violation")
        else:
            attributes.update(color=IMPORT_COLOR,
                              penwidth=f"{min(1 + math.log10(max(arrow.imports, 1)), 4):.1f}")
        if arrow.label:
            attributes["label"] = dot_text(arrow.label)
        add_edge(digraph, tail, arrow.head, **attributes,
                 **{"class": " ".join(classes)})
    entries = [
        LegendEntry("import, label: how many (line width grows with it)", IMPORT_COLOR),
        LegendEntry("violation or upward import, label: how many", VIOLATION_COLOR),
    ]
    notes = [f"contract {view.contract} ({view.kind}): {counted(view.violations, 'violation')}", *view.notes]
    add_legend(digraph, entries, notes, boxes=None)
    return str(digraph.source)


def _layer_box_width(view: ContractView) -> float:
    """Layer boxes stack in one column: wide enough that the picture is at most 1:2.5."""
    if view.kind != "layers":
        return 0.0
    height = 1.2 * len(view.rows)  # inches: a box and the space to the next
    return max(3.0, height / 2.5)


def _hold_rows(
    digraph: graphviz.Digraph,
    rows: Sequence[Sequence[str]],
    add_edge: Callable[..., None],
) -> None:
    """Each row on one rank, the rows in order: an invisible chain through the rows' first boxes
    (the arrows themselves do not constrain the ranks)."""
    for row in rows:
        with digraph.subgraph() as same:
            same.attr(rank="same")
            for box_id in row:
                same.node(dot_id(box_id))
    # Through the middle box of each row, so that a lone row (the targets) sits under the
    # middle of the rows around it.
    for upper, lower in itertools.pairwise(rows):
        add_edge(digraph, upper[len(upper) // 2], lower[len(lower) // 2], style="invis", weight="10")
    for row in rows:  # left to right as listed (an edge inside a rank orders it)
        for left, right in itertools.pairwise(row):
            add_edge(digraph, left, right, style="invis")
