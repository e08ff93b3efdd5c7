"""Class diagrams as DOT source: a ClassView drawn with the module diagram's look and legend.

UML conventions where they exist: inheritance is a solid line with a hollow triangle at the base
(written `base -> subclass [dir=back]`, so bases sit above their subclasses); a Protocol
implemented without being named is a dashed line with a hollow triangle. Each competing root's
tree has its own colour; red is kept for violations, bold for the canonical class.
"""

from __future__ import annotations

import colorsys
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from archgraph.families.classview import (
    ClassCluster,
    ClassEdge,
    ClassNode,
    ClassView,
    ClusterKind,
    EdgeKind,
)
from archgraph.report.diagram import (
    CLUSTER_COLOR,
    VIOLATION_COLOR,
    LegendEntry,
    add_legend,
    dot_text,
    html_text,
    new_digraph,
)

if TYPE_CHECKING:
    import graphviz

# (fill, border) per competing root; no red or pink, which mean violations.
GROUP_COLORS = (
    ("#dbe9f6", "#2f6db5"),  # blue
    ("#dcefd9", "#3a8a3a"),  # green
    ("#fde8cf", "#c56a00"),  # orange
    ("#e8def3", "#6b4c9a"),  # purple
    ("#d4f0ee", "#1f847c"),  # teal
    ("#fbf3c4", "#8f7500"),  # yellow
    ("#eadfd5", "#7a5230"),  # brown
    ("#e9efcf", "#66751c"),  # olive
    ("#dfe4ea", "#4f5d75"),  # slate
    ("#d5ecf7", "#1b7aa5"),  # sky
)
NEUTRAL_FILL, NEUTRAL_BORDER = "#f2f2f2", "#8c8c8c"  # members of no competing tree
CANONICAL_COLOR = "#1d2329"
WRAP_COLOR = "#6b4c9a"
MIRROR_COLOR = "#5b6770"
INHERIT_COLOR = "#4a4a4a"
FAMILY_CLUSTER_COLOR = CLUSTER_COLOR
STAGGER_ABOVE = 4  # leaf subclasses of one base drawn in one row at most
STAGGER_ROWS = 3
ROW_ASPECT = 2.0  # rows of findings: the drawing about twice as wide as tall
LEVEL_CHARS = 12  # the height of one rank, in characters' widths
NODE_GAP_CHARS = 6
LEGEND_AREA = 90 * 36  # its longest line, by about three ranks
# Names with a space can never be classes, so anchors cannot clash with a drawn class.
ROW_ANCHOR = "row anchor {index}"


def group_colors(index: int) -> tuple[str, str]:
    """(fill, border) of a root group: the fixed palette, then hues spread around the wheel.

    Generated hues skip the reds (violations), and every index gets a different colour.
    """
    if index < len(GROUP_COLORS):
        return GROUP_COLORS[index]
    step = index - len(GROUP_COLORS)
    hue = 0.06 + ((step * 0.61803398875) % 1.0) * 0.84  # 0.06 .. 0.90: no red
    shade = 0.08 * (step // 10 % 3)  # a later lap around the wheel is darker
    fill = colorsys.hsv_to_rgb(hue, 0.18 + shade, 0.97)
    border = colorsys.hsv_to_rgb(hue, 0.75, 0.62 - shade)
    return _hex(fill), _hex(border)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in rgb)


CLASS_LEGEND = (
    LegendEntry("inherits from (subclass to base)", INHERIT_COLOR, "inherits"),
    LegendEntry("implements the Protocol without naming it", INHERIT_COLOR, "realizes"),
    LegendEntry("wraps and forwards to (label: methods forwarded)", WRAP_COLOR, "dashed"),
    LegendEntry("mirrors (parallel hierarchies, side by side)", MIRROR_COLOR, "dotted"),
    LegendEntry(
        "one competing implementation: a root and its subclasses",
        " ".join(fill for fill, _border in GROUP_COLORS[:4]),
        "swatches",
    ),
    LegendEntry("no competing implementation", NEUTRAL_BORDER, "node"),
    LegendEntry("canonical class (single-implementation contract)", CANONICAL_COLOR, "bold"),
    LegendEntry("violates a single-implementation contract", VIOLATION_COLOR, "node"),
)
BOXES = "boxes are findings, numbered as in `archgraph families`; dashed classes are shared bases"


def class_diagram(view: ClassView, legend: bool = True) -> graphviz.Digraph:
    """The DOT graph of a class view: one cluster per finding, coloured trees, legend."""
    digraph = new_digraph(view.title)
    digraph.attr(nodesep="0.35", ranksep="0.45")
    digraph.attr("node", shape="box", style="filled", margin="0.12,0.04")
    nodes_in: dict[str, list[ClassNode]] = {}
    for node in view.nodes:
        nodes_in.setdefault(node.cluster, []).append(node)
    for cluster in view.clusters:
        label = _cluster_label(cluster)
        with digraph.subgraph(name=f"cluster_{cluster.id}") as sub:
            sub.attr(label=dot_text(label), tooltip=dot_text(label), color=FAMILY_CLUSTER_COLOR,
                     fontcolor="#2c4a70", fontsize="11", style="rounded",
                     **{"class": f"finding {cluster.kind.value}"})
            for node in nodes_in.get(cluster.id, []):
                _add_node(sub, node)
    staggered = _staggered(view.edges)
    for edge in view.edges:
        _add_edge(digraph, edge, staggered.get((edge.source, edge.target)))
    grid = _tree_grid(view, staggered)
    for upper, lower in grid:
        digraph.edge(upper, lower, style="invis")
    for left, right in view.same_rank:
        with digraph.subgraph() as row:
            row.attr(rank="same")
            row.node(left)
            row.node(right)
    _stack_rows(digraph, view, _rows(view, staggered, legend, grid), _levels(view, staggered, grid))
    if legend:
        add_legend(digraph, CLASS_LEGEND, _legend_notes(view), boxes=BOXES)
    return digraph


def _cluster_label(cluster: ClassCluster) -> str:
    number = f"{cluster.rank}. " if cluster.rank is not None else ""
    return "\n".join([number + cluster.title, *([cluster.detail] if cluster.detail else []), *cluster.also])


def class_diagram_source(view: ClassView, legend: bool = True) -> str:
    return str(class_diagram(view, legend).source)


def _add_node(graph: graphviz.Digraph, node: ClassNode) -> None:
    if node.hidden:
        _, border = group_colors(node.group) if node.group is not None else ("", NEUTRAL_BORDER)
        graph.node(node.id, label=dot_text(node.name), shape="note", style="dashed", color=border,
                   fontcolor="#4a4a4a", tooltip=dot_text(f"{node.name} of {node.id.removesuffix(' +more')}"),
                   **{"class": "more"})
        return
    classes = ["class"]
    if node.group is None:
        fill, border = NEUTRAL_FILL, NEUTRAL_BORDER
    else:
        fill, border = group_colors(node.group)
        classes.append(f"group-{node.group}")
    styles = ["filled"]
    attributes = {"fillcolor": fill, "color": border}
    if node.context:
        styles.append("dashed")
        attributes["fillcolor"] = "white"
        classes.append("external" if node.external else "context")
    stereotypes = []
    if node.protocol:
        stereotypes.append("protocol")
    elif node.abstract:
        stereotypes.append("abstract")
    if node.unimplemented:
        stereotypes.append("not implemented")
        classes.append("unimplemented")
    if node.external:
        stereotypes.append("external")
    if node.root:
        classes.append("root")
    if node.canonical_of:
        stereotypes.append("canonical")
        styles.append("bold")
        attributes.update(color=CANONICAL_COLOR, penwidth="3")
        classes.append("canonical")
    if node.violations:
        attributes.update(color=VIOLATION_COLOR, penwidth="2.4")
        classes.append("violation")
    graph.node(node.id, label=_label(node, stereotypes), style=",".join(styles),
               tooltip=dot_text(_tooltip(node)), **attributes, **{"class": " ".join(classes)})


def _label(node: ClassNode, stereotypes: list[str]) -> str:
    """An HTML-like label: stereotypes, the name in bold, the module, the violations in red."""
    lines = []
    if stereotypes:
        lines.append(f'<font point-size="8">{html_text("«" + ", ".join(stereotypes) + "»")}</font>')
    lines.append(f"<b>{html_text(node.name)}</b>")
    if node.module:
        lines.append(f'<font point-size="8" color="#555555">{html_text(node.module)}</font>')
    lines += [
        f'<font point-size="8" color="{VIOLATION_COLOR}">{html_text(f"{code} {contract}")}</font>'
        for code, contract in node.violations
    ]
    return "<" + "<br/>".join(lines) + ">"


def _tooltip(node: ClassNode) -> str:
    text = node.id + (f"\n{node.location}" if node.location else "")
    if node.context:
        text += "\na base the roots of this group share"
    for contract in node.canonical_of:
        text += f"\ncanonical class of contract {contract}"
    for code, contract in node.violations:
        text += f"\nviolates {contract} ({code})"
    return text


def _staggered(edges: Sequence[ClassEdge]) -> dict[tuple[str, str], int]:
    """Minimum lengths that spread a base's many leaf subclasses over a few rows (`unflatten -l`).

    Forty entities under one base would otherwise make one row forty boxes wide.
    """
    inheritance = [e for e in edges if e.kind in (EdgeKind.INHERITS, EdgeKind.REALIZES)]
    bases = {e.target for e in inheritance}
    leaves: dict[str, list[str]] = {}
    for edge in inheritance:
        if edge.source not in bases:
            leaves.setdefault(edge.target, []).append(edge.source)
    return {
        (leaf, base): 1 + index % STAGGER_ROWS
        for base, found in leaves.items()
        if len(found) > STAGGER_ABOVE
        for index, leaf in enumerate(sorted(found))
    }


def _add_edge(digraph: graphviz.Digraph, edge: ClassEdge, minlen: int | None = None) -> None:
    kind = edge.kind
    attributes: dict[str, str] = {"tooltip": dot_text(f"{edge.source} {kind.value} {edge.target}")}
    if minlen is not None and minlen > 1:
        attributes["minlen"] = str(minlen)
    if edge.label:
        attributes["label"] = dot_text(edge.label)
    if kind in (EdgeKind.INHERITS, EdgeKind.REALIZES):
        # Written base -> subclass and drawn backwards: the base ranks above, the arrow points at it.
        attributes.update(dir="back", arrowtail="empty", arrowsize="0.9", color=INHERIT_COLOR)
        if kind is EdgeKind.REALIZES:
            attributes["style"] = "dashed"
        elif not edge.direct:
            attributes.update(color="#8c8c8c", fontcolor="#8c8c8c")
        digraph.edge(edge.target, edge.source, **attributes, **{"class": kind.value})
        return
    if kind is EdgeKind.WRAPS:
        # A cross-link, like an import: it must not move classes out of their trees' ranks.
        attributes.update(style="dashed", color=WRAP_COLOR, fontcolor=WRAP_COLOR, arrowhead="vee",
                          penwidth="1.4", constraint="false")
    else:  # MIRRORS: a flat edge (rank=same), which also keeps the left hierarchy on the left
        attributes.update(style="dotted", color=MIRROR_COLOR, fontcolor=MIRROR_COLOR, dir="none",
                          penwidth="1.4")
        # An external label: dot lays out a labelled flat edge between clusters badly
        # ("lost edge", "Pshortestpath failed") and an xlabel takes no rank of its own.
        if "label" in attributes:
            attributes["xlabel"] = attributes.pop("label")
    digraph.edge(edge.source, edge.target, **attributes, **{"class": kind.value})


def _tree_grid(view: ClassView, staggered: Mapping[tuple[str, str], int]) -> list[tuple[str, str]]:
    """Invisible edges that stack the trees of one box in columns: a family of a dozen
    competing roots would otherwise be one row a dozen trees wide (14:1 and more).

    Each (upper, lower) puts a tree's root below the deepest class of the tree `columns` before
    it, as `unflatten` does with leaves. Boxes with mirrored pairs keep their trees side by side.
    """
    inheritance = [e for e in view.edges if e.kind in (EdgeKind.INHERITS, EdgeKind.REALIZES)]
    cluster_of = {node.id: node.cluster for node in view.nodes}
    children: dict[str, list[str]] = {}
    has_base = set()
    for edge in inheritance:
        if cluster_of.get(edge.source) == cluster_of.get(edge.target):
            children.setdefault(edge.target, []).append(edge.source)
            has_base.add(edge.source)
    paired = {cluster_of.get(name) for pair in view.same_rank for name in pair}
    level = _levels(view, staggered)
    by_id = {node.id: node for node in view.nodes}
    grid: list[tuple[str, str]] = []
    for cluster in view.clusters:
        if cluster.id in paired:
            continue
        roots = [n.id for n in view.nodes if n.cluster == cluster.id and n.id not in has_base]
        if len(roots) <= STAGGER_ABOVE:
            continue
        trees = []  # (root, deepest class, width in chars, depth in ranks)
        claimed: set[str] = set()
        for root in roots:
            members, stack = [], [root]
            while stack:
                name = stack.pop()
                if name not in claimed:
                    claimed.add(name)
                    members.append(name)
                    stack += children.get(name, [])
            widths: dict[int, float] = {}
            for name in members:
                widths[level[name]] = widths.get(level[name], 0.0) + _chars(by_id[name]) + NODE_GAP_CHARS
            deepest = max(members, key=lambda name: (level[name], name))
            trees.append((root, deepest, max(widths.values()), level[deepest] - level[root] + 1))
        mean_width = sum(t[2] for t in trees) / len(trees)
        mean_height = sum(t[3] for t in trees) / len(trees) * LEVEL_CHARS
        columns = max(1, round(math.sqrt(ROW_ASPECT * len(trees) * mean_height / mean_width)))
        grid += [(trees[index - columns][1], trees[index][0]) for index in range(columns, len(trees))]
    return grid


def _levels(
    view: ClassView, staggered: Mapping[tuple[str, str], int], grid: Sequence[tuple[str, str]] = ()
) -> dict[str, int]:
    """Each class's rank below the top of its tree, as dot will draw it: below each base by the
    edge's minimum length (and below the class `grid` stacks it under), and level with its
    mirrored partner (relaxed until nothing changes; the pairs are consistent with the bases,
    so this ends)."""
    steps = [
        (edge.target, edge.source, staggered.get((edge.source, edge.target), 1))
        for edge in view.edges
        if edge.kind in (EdgeKind.INHERITS, EdgeKind.REALIZES)
    ]
    steps += [(upper, lower, 1) for upper, lower in grid]
    level = dict.fromkeys(view.node_ids, 0)
    for _round in range(len(level) + 1):  # more rounds than any chain is long
        changed = False
        for base, subclass, length in steps:
            if level[subclass] < level[base] + length:
                level[subclass] = level[base] + length
                changed = True
        for left, right in view.same_rank:
            if level[left] != level[right]:
                level[left] = level[right] = max(level[left], level[right])
                changed = True
        if not changed:
            break
    return level


def _rows(
    view: ClassView,
    staggered: Mapping[tuple[str, str], int],
    legend: bool = True,
    grid: Sequence[tuple[str, str]] = (),
) -> list[list[str]]:
    """The findings' boxes in rows, rank order kept, so that the drawing is not one long strip.

    Rows are stacked by rank, so a mirrored pair (same rank) must stay in one row, and a base
    must not sit in a row below its subclass: such boxes form one block. Blocks fill a row up
    to a width that makes the whole drawing about twice as wide as it is tall.
    """
    cluster_of = {node.id: node.cluster for node in view.nodes}
    order = {cluster.id: index for index, cluster in enumerate(view.clusters)}
    block = {cluster: cluster for cluster in order}

    def find(item: str) -> str:
        while block[item] != item:
            item = block[item]
        return item

    tied = list(view.same_rank) + [
        (e.source, e.target)
        for e in view.edges
        if e.kind in (EdgeKind.INHERITS, EdgeKind.REALIZES)
        and order[cluster_of[e.target]] > order[cluster_of[e.source]]  # the base comes later
    ]
    for one, other in tied:
        first, second = find(cluster_of[one]), find(cluster_of[other])
        if first != second:
            keep, merge = sorted((first, second), key=order.__getitem__)
            block[merge] = keep
    level = _levels(view, staggered, grid)
    level_widths: dict[tuple[str, int], float] = {}
    for node in view.nodes:
        key = (node.cluster, level.get(node.id, 0))
        level_widths[key] = level_widths.get(key, 0.0) + _chars(node) + NODE_GAP_CHARS
    width: dict[str, float] = {}
    height: dict[str, int] = {}
    for cluster in view.clusters:
        content = max(w for (box, _level), w in level_widths.items() if box == cluster.id)
        label = max(len(line) for line in _cluster_label(cluster).splitlines())
        owner = find(cluster.id)
        width[owner] = width.get(owner, 0.0) + max(content, label * 1.1) + NODE_GAP_CHARS
        depth = 1 + max(level.get(n.id, 0) for n in view.nodes if n.cluster == cluster.id)
        height[owner] = max(height.get(owner, 0), depth)
    blocks = list(width)  # in rank order of their first box
    area = sum(width[b] * height[b] * LEVEL_CHARS for b in blocks) + (LEGEND_AREA if legend else 0)
    row_width = max(max(width.values(), default=0.0), math.sqrt(area * ROW_ASPECT))
    rows: list[list[str]] = [[]]
    used = 0.0
    for owner in blocks:
        if rows[-1] and used + width[owner] > row_width:
            rows.append([])
            used = 0.0
        rows[-1].append(owner)
        used += width[owner]
    members: dict[str, list[str]] = {}
    for cluster in view.clusters:
        members.setdefault(find(cluster.id), []).append(cluster.id)
    return [[cluster for owner in row for cluster in members[owner]] for row in rows]


def _chars(node: ClassNode) -> float:
    """A node's width in characters of the name's font (the module line is smaller)."""
    return max(len(node.name) * 1.1, len(node.module) * 0.8, 8.0)


def _stack_rows(
    digraph: graphviz.Digraph,
    view: ClassView,
    rows: Sequence[Sequence[str]],
    level: Mapping[str, int],
) -> None:
    """Invisible anchors between rows: each row's classes hang below its anchor, and the next
    anchor lies on the row's last rank.

    Only anchor -> class edges: edges from a row's classes down to the next anchor make dot
    2.43 and graphviz-pure lose flat "mirrors" edges while routing ("lost edge"), as do
    anchor edges of weight 0.
    """
    if len(rows) < 2:
        return
    row_of = {cluster: index for index, row in enumerate(rows) for cluster in row}
    depth = [1] * len(rows)
    for node in view.nodes:
        index = row_of[node.cluster]
        depth[index] = max(depth[index], level.get(node.id, 0) + 1)
    anchors = [ROW_ANCHOR.format(index=index) for index in range(len(rows))]
    for anchor in anchors:
        digraph.node(anchor, label="", shape="point", style="invis", width="0", height="0")
    for index, (upper, lower) in enumerate(itertools.pairwise(anchors)):
        # Row i > 0 spans ranks anchor_i + 1 .. anchor_i + depth; the first row starts at 0.
        length = depth[index] if index else depth[index] - 1
        digraph.edge(upper, lower, style="invis", minlen=str(length))
    for node in view.nodes:
        if row_of[node.cluster]:  # the first row shares the top rank with the legend
            digraph.edge(anchors[row_of[node.cluster]], node.id, style="invis")


def _legend_notes(view: ClassView) -> list[str]:
    notes = []
    if view.concept is not None:
        notes.append(f"only classes named {view.concept}")
    kinds = {cluster.kind for cluster in view.clusters}
    if ClusterKind.CONTRACT in kinds:
        notes.append("contract boxes: canonical classes and violations in no finding")
    notes.append(
        f"{len(view.nodes)} classes drawn; {view.findings_drawn} of {view.findings} findings; "
        f"{view.classes_analyzed} classes analyzed"
    )
    return [*notes, *view.notes]
