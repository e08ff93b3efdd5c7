"""Diagrams as DOT source, built with the `graphviz` package (imported lazily, here only).

`module_diagram` draws a GraphView: packages as nested clusters, violating edges red and labelled
with their contract ids, edges inside an import cycle orange, the layers of a `layers` contract as
ordered bands, and a legend. Other diagrams (class diagrams of competing families) belong beside it
and reuse `dot_text`, `new_digraph` and `add_legend` (`families/diagram.py`).
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from archgraph.model.names import parent
from archgraph.report.graphview import GraphView, ViewEdge, ViewNode
from archgraph.report.layout import dot_id

if TYPE_CHECKING:
    import graphviz

# The engines measure labels in FONT (both know its metrics); SVGs then name FONT_STACK. DejaVu
# Sans is the widest of the common sans fonts, so whichever of the stack a viewer has (rsvg picks
# DejaVu on Linux, browsers Verdana or their sans-serif), the label fits in its box. With
# "Helvetica", graphviz-pure measured Helvetica and rsvg drew DejaVu: labels overflowed and ran
# into each other.
FONT = "DejaVu Sans"
FONT_STACK = "DejaVu Sans,Verdana,Bitstream Vera Sans,sans-serif"
_FONT_FAMILY = re.compile(rb'font-family="' + re.escape(FONT.encode()) + rb'[^"]*"')
IMPORT_COLOR = "#5b6770"
VIOLATION_COLOR = "#d0021b"
CYCLE_COLOR = "#e67e00"
FOCUS_FILL = "#fff1a8"
PACKAGE_FILL = "#e6eef8"
CLUSTER_COLOR = "#8aa4c8"
LEGEND_CLUSTER = "cluster_legend"
# Routing curved splines around clusters dominates the layout time of big graphs; straight
# edges take about half as long (homeassistant at depth 3: 1,144 edges, 10 s -> 5 s).
STRAIGHT_EDGES_ABOVE = 500
EDGES_PER_BOX = 2
# From this fold on, a layer's boxes are staggered across packages, not only inside each one.
WIDEST_WRAP = 4
MIN_EDGE_BUDGET = 40
# Names with a space can never be module names, so they cannot clash with a drawn module.
LAYER_ANCHOR = "layer anchor {index}"

# Control characters, and line separators a log would break the line at: shown as spaces.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def dot_text(text: str) -> str:
    """Any text as a DOT escString that Graphviz shows literally.

    Backslashes lose their escString meaning, `<...>` is not taken as an HTML label, `&` is written
    as an entity (Graphviz passes `&name;` through to SVG as is), newlines become line breaks and
    other control characters spaces. Quotes are escaped by the graphviz package when quoting.
    """
    import graphviz  # noqa: PLC0415

    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    escaped = graphviz.escape(text.replace("&", "&amp;"))
    # cast, not str(): the result must stay a graphviz NoHtml so `<...>` is never an HTML label.
    return cast(str, graphviz.nohtml(escaped.replace("\n", "\\n")))


def add_edge(digraph: graphviz.Digraph, tail: str, head: str, **attributes: str) -> None:
    """An edge between two nodes named by their whole IDs.

    `Digraph.edge()` reads `a:b` as node `a`, port `b`: a module in a directory named `x:y`
    (importlib loads it) made Graphviz fail with a syntax error on the whole diagram.
    """
    from graphviz.quoting import attr_list, quote  # noqa: PLC0415

    line = f"\t{quote(dot_id(tail))} -> {quote(dot_id(head))}{attr_list(None, kwargs=attributes)}\n"
    digraph.body.append(line)


def new_digraph(title: str) -> graphviz.Digraph:
    """A digraph with archgraph's common look."""
    import graphviz  # noqa: PLC0415

    digraph = graphviz.Digraph("archgraph")
    digraph.attr(
        label=dot_text(title),
        labelloc="t",
        fontname=FONT,
        fontsize="14",
        rankdir="TB",
        compound="true",
        newrank="true",  # rank across clusters, so layer bands hold inside package boxes
        # Bound the crossing-minimisation work so big graphs finish in reasonable time.
        mclimit="0.5",
        nslimit="5",
        remincross="false",
    )
    digraph.attr("node", fontname=FONT, fontsize="10", shape="box", style="rounded,filled",
                 fillcolor="white", color="#4a4a4a", height="0.3")
    digraph.attr("edge", fontname=FONT, fontsize="8", color=IMPORT_COLOR, arrowsize="0.6")
    return digraph


# graphviz-pure rasterises PNGs itself, and draws any font but Helvetica, Arial and the generic
# names in a serif face; it measures and draws Helvetica alike, so its PNGs keep Helvetica.
RASTER_FONT = "Helvetica"


def source_for(source: str, engine: str, output_format: str) -> str:
    """DOT source as one engine should lay it out into one format (fonts: see RASTER_FONT)."""
    if engine == "graphviz-pure" and output_format == "png":
        return source.replace(f'fontname="{FONT}"', f"fontname={RASTER_FONT}")
    return source


def with_font_stack(svg: bytes) -> bytes:
    """An engine's SVG with FONT widened to FONT_STACK, so viewers without it fall back to a
    narrower sans font rather than to their default (often a serif)."""
    return _FONT_FAMILY.sub(b'font-family="' + FONT_STACK.encode() + b'"', svg)


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One line of the legend: a sample (edge or node style) and what it means."""

    meaning: str
    color: str  # for "swatches": several colours separated by spaces
    sample: str = "edge"  # a key of LEGEND_SAMPLES: "edge", "node", "package", "focus"...


MODULE_LEGEND = (
    LegendEntry("module", "#4a4a4a", "node"),
    LegendEntry("package collapsed to one node", CLUSTER_COLOR, "package"),
    LegendEntry("imports (label and width: how many module imports)", IMPORT_COLOR),
    LegendEntry("violations (label: contract ids and how many violations)", VIOLATION_COLOR),
    LegendEntry("import inside a cycle", CYCLE_COLOR),
)


LEGEND_SAMPLES = {
    "edge": '<font color="{color}"><b>&#8212;&#8212;&gt;</b></font>',
    "node": '<table border="1" cellborder="0" color="{color}"><tr><td> </td></tr></table>',
    "package": '<table border="1" cellborder="0" bgcolor="' + PACKAGE_FILL + '" color="{color}"><tr><td> </td></tr></table>',
    "focus": '<table border="2" cellborder="0" bgcolor="' + FOCUS_FILL + '" color="{color}"><tr><td> </td></tr></table>',
    # Class diagrams: UML's hollow triangle (ASCII: not every engine's PNG font has ▷), dashed and
    # dotted lines, a bold border, colour swatches.
    "inherits": '<font color="{color}"><b>&#8212;&#8212;|&gt;</b></font>',
    "realizes": '<font color="{color}"><b>- - -|&gt;</b></font>',
    "dashed": '<font color="{color}"><b>- - -&gt;</b></font>',
    "dotted": '<font color="{color}"><b>&#183; &#183; &#183; &#183;</b></font>',
    "bold": '<table border="3" cellborder="0" color="{color}"><tr><td> </td></tr></table>',
}
MODULE_BOXES = "boxes around modules are packages"


def _sample(entry: LegendEntry) -> str:
    if entry.sample == "swatches":
        cells = "".join(f'<td bgcolor="{color}" width="10"> </td>' for color in entry.color.split())
        return f'<table border="0" cellspacing="1"><tr>{cells}</tr></table>'
    return LEGEND_SAMPLES[entry.sample].replace("{color}", entry.color)


def add_legend(
    digraph: graphviz.Digraph,
    entries: Sequence[LegendEntry],
    notes: Sequence[str],
    boxes: str | None = MODULE_BOXES,
) -> None:
    """A `Legend` cluster holding one table: a sample and a meaning per entry, then the notes.

    An HTML-like label keeps the legend one node, so it adds nothing to the layout work.
    `boxes` says what the clusters stand for (None: nothing).
    """
    rows = [
        f'<tr><td>{_sample(e)}</td><td align="left">{html_text(e.meaning)}</td></tr>'
        for e in entries
    ]
    if boxes:
        rows.append(f'<tr><td colspan="2" align="left">{html_text(boxes)}</td></tr>')
    rows += [f'<tr><td colspan="2" align="left">{html_text(note)}</td></tr>' for note in notes]
    table = (
        '<<table border="0" cellspacing="2" cellpadding="2">'
        '<tr><td colspan="2"><b>Legend</b></td></tr>' + "".join(rows) + "</table>>"
    )
    with digraph.subgraph(name=LEGEND_CLUSTER) as legend:
        legend.attr(label="", style="dashed", color="#9b9b9b", **{"class": "legend"})
        legend.node("legend", label=table, shape="plaintext", style="", **{"class": "legend"})


def html_text(text: str) -> str:
    """Text for a Graphviz HTML-like label: markup escaped, line breaks as <br/>.

    Backslashes are doubled: Graphviz expands `\\N`, `\\G`... even in HTML-like labels (and
    decodes `&#92;` before that, so the entity would not help).
    """
    escaped = html.escape(_CONTROL.sub(" ", text), quote=True).replace("\\", "\\\\")
    return "<br/>".join(escaped.splitlines()) or " "


def module_diagram(
    view: GraphView,
    legend: bool = True,
    layer_bands: bool = True,
    wrap: int = 1,
    every_edge: bool = False,
) -> graphviz.Digraph:
    """The DOT graph of a view: clusters, styled nodes and edges, layer bands, legend.

    `wrap` above 1 folds wide rows onto that many ranks (see `wrapped_lengths`); without
    `every_edge`, only the edges within the edge budget are drawn (see `drawn_edges`).
    """
    digraph = new_digraph(view.title)
    children: dict[str | None, list[str]] = {}
    for package in view.packages:
        children.setdefault(parent(package), []).append(package)
    drawn = drawn_nodes(view)
    nodes_in: dict[str | None, list[ViewNode]] = {}
    for node in drawn:
        nodes_in.setdefault(view.cluster_of(node.id), []).append(node)

    def fill(graph: graphviz.Digraph, cluster: str | None) -> None:
        for node in nodes_in.get(cluster, []):
            _add_node(graph, node, cluster == node.id)
        for package in children.get(cluster, []):
            with graph.subgraph(name=f"cluster_{dot_id(package)}") as sub:
                sub.attr(label=dot_text(package), tooltip=dot_text(package), color=CLUSTER_COLOR,
                         fontcolor="#2c4a70", fontsize="11", style="rounded",
                         **{"class": "package"})
                fill(sub, package)

    fill(digraph, None)
    edges = list(view.edges) if every_edge else drawn_edges(view)
    lengths = wrapped_lengths(edges, wrap)
    if wrap > 1:
        _chain_loose_nodes(digraph, view, drawn, edges, wrap)
    if len(edges) > STRAIGHT_EDGES_ABOVE:
        digraph.attr(splines="line")
    layer_of = {node.id: node.layer_index for node in view.nodes}
    # Violations last: SVG paints in document order, so the red edges lie on top.
    for edge in sorted(edges, key=lambda e: e.violation):
        _add_edge(digraph, edge, layer_of, lengths.get((edge.importer, edge.imported), 1))
    if view.layers and layer_bands:
        _add_layer_bands(digraph, view.layers, drawn, wrap, view.cluster_of)
    if legend:
        focus = (LegendEntry("focus", "#1d2329", "focus"),) if view.focus else ()
        add_legend(digraph, MODULE_LEGEND + focus, _legend_notes(view, len(edges)))
    return digraph


def wrapped_lengths(edges: Sequence[ViewEdge], wrap: int) -> dict[tuple[str, str], int]:
    """Graphviz `unflatten`'s remedy for wide rows, on our own edges so that every engine gets it:
    the edges into a sink (or out of a source) that share their other end get minimum lengths
    1, 2 .. wrap in turn, so a fan of 100 boxes spreads over `wrap` ranks instead of one row."""
    if wrap <= 1:
        return {}
    importers = {edge.importer for edge in edges}
    imported = {edge.imported for edge in edges}
    loose = [
        (edge.importer, edge.imported)
        for edge in edges
        if edge.imported not in importers or edge.importer not in imported
    ]
    # Each such edge folds with the others at whichever of its ends has more of them.
    count = Counter(end for pair in loose for end in pair)
    fans: dict[str, list[tuple[str, str]]] = {}
    for tail, head in loose:
        hub = tail if (count[tail], tail) >= (count[head], head) else head
        fans.setdefault(hub, []).append((tail, head))
    return {
        pair: 1 + index % wrap
        for _end, pairs in sorted(fans.items())
        for index, pair in enumerate(sorted(pairs))
    }


def _chain_loose_nodes(
    digraph: graphviz.Digraph,
    view: GraphView,
    drawn: Sequence[ViewNode],
    edges: Sequence[ViewEdge],
    wrap: int,
) -> None:
    """Boxes without a drawn edge sit in one row per package: stack them `wrap` high instead."""
    connected = {edge.importer for edge in edges} | {edge.imported for edge in edges}
    loose: dict[str | None, list[str]] = {}
    for node in drawn:
        if node.id not in connected:
            loose.setdefault(view.cluster_of(node.id), []).append(node.id)
    for _cluster, names in sorted(loose.items(), key=lambda item: item[0] or ""):
        for index in range(1, len(names)):
            if index % wrap:
                add_edge(digraph, names[index - 1], names[index], style="invis")


def edge_budget(view: GraphView) -> int:
    """How many edges a drawing of the view shows: about two per box, beyond which the picture
    turns into a hairball that hides the violations."""
    return max(EDGES_PER_BOX * len(view.nodes), MIN_EDGE_BUDGET)


def drawn_edges(view: GraphView) -> list[ViewEdge]:
    """Every violating edge, then the heaviest of the others within the edge budget (ties by name)."""
    violating = [edge for edge in view.edges if edge.violation]
    others = sorted((edge for edge in view.edges if not edge.violation),
                    key=lambda e: (-e.imports, e.importer, e.imported))
    kept = violating + others[: max(edge_budget(view) - len(violating), 0)]
    return sorted(kept, key=lambda e: (e.importer, e.imported))


def drawn_nodes(view: GraphView) -> list[ViewNode]:
    """The nodes worth drawing: a package's own module (`__init__`) only when it has an import,
    a violation or the focus; otherwise its package box already stands for it."""
    connected = {e.importer for e in view.edges} | {e.imported for e in view.edges}
    return [
        node
        for node in view.nodes
        if node.id not in view.packages or node.id in connected or node.focus or node.contracts
    ]


def module_diagram_source(
    view: GraphView,
    legend: bool = True,
    layer_bands: bool = True,
    wrap: int = 1,
    every_edge: bool = False,
) -> str:
    return str(module_diagram(view, legend, layer_bands, wrap, every_edge).source)


def _add_node(graph: graphviz.Digraph, node: ViewNode, package_module: bool) -> None:
    classes = ["package" if node.collapsed else "module"]
    attributes: dict[str, str] = {"tooltip": dot_text(_node_tooltip(node))}
    name = node.id.rpartition(".")[2]
    if node.collapsed:
        label = f"{name}\n({node.members} modules)"
        attributes.update(shape="folder", fillcolor=PACKAGE_FILL)
    else:
        label = "__init__" if package_module else name
    if node.violations_inside:
        label += f"\n{_violations(node.violations_inside)} inside"
        attributes["fontcolor"] = VIOLATION_COLOR
    styles = ["filled"] if node.collapsed else ["rounded", "filled"]
    if node.namespace or node.external:
        styles.append("dashed")
        classes.append("external" if node.external else "namespace")
    if node.contracts:
        attributes.update(color=VIOLATION_COLOR, penwidth="1.6")
        classes.append("violating")
    if node.focus:
        attributes.update(fillcolor=FOCUS_FILL, penwidth="2.4")
        classes.append("focus")
    graph.node(dot_id(node.id), label=dot_text(label), style=",".join(styles),
               **attributes, **{"class": " ".join(classes)})


def _node_tooltip(node: ViewNode) -> str:
    text = node.id
    if node.collapsed:
        text += f" ({node.members} modules)"
    if node.layer is not None:
        text += f"\nlayer: {node.layer}"
    if node.contracts:
        text += f"\nviolations: {', '.join(node.contracts)}"
    if node.violations_inside:
        text += f"\n{_violations(node.violations_inside)} between its own modules"
    return text


def _violations(count: int) -> str:
    return f"{count} violation" + ("" if count == 1 else "s")


def pen_width(imports: int) -> str:
    """Line width grows with the log of the import count: 1 import 1 pt, 100 imports 5 pt."""
    return f"{min(1 + 0.6 * math.log2(imports), 6):.1f}"


def _add_edge(
    digraph: graphviz.Digraph, edge: ViewEdge, layer_of: dict[str, int | None], length: int = 1
) -> None:
    attributes: dict[str, str] = {
        "tooltip": dot_text(f"{edge.importer} -> {edge.imported}: {edge.imports} import(s)")
    }
    classes = ["import"]
    label = str(edge.imports) if edge.imports > 1 else ""
    attributes["penwidth"] = pen_width(edge.imports)
    if edge.cycle:
        attributes.update(color=CYCLE_COLOR)
        classes.append("cycle")
    if edge.violation:
        label = ", ".join(edge.contracts) + (f" ({edge.violations})" if edge.violations else "")
        attributes.update(color=VIOLATION_COLOR, fontcolor=VIOLATION_COLOR,
                          penwidth=pen_width(max(edge.violations, 2)))
        classes.append("violation")
    importer_layer, imported_layer = layer_of.get(edge.importer), layer_of.get(edge.imported)
    if importer_layer is not None and imported_layer is not None and importer_layer > imported_layer:
        # An upward import must not pull the higher layer down: the bands stay in contract order.
        attributes["constraint"] = "false"
    elif length > 1:
        attributes["minlen"] = str(length)
    if label:
        attributes["label"] = dot_text(label)
    add_edge(digraph, edge.importer, edge.imported, **attributes, **{"class": " ".join(classes)})


def _add_layer_bands(
    digraph: graphviz.Digraph,
    layers: Sequence[str],
    nodes: Sequence[ViewNode],
    wrap: int = 1,
    cluster_of: Callable[[str], str | None] = parent,
) -> None:
    """Order the layers top to bottom with one anchor per layer: anchor_i < layer i < anchor_i+1.

    With `wrap`, the boxes of one layer and package start 1 .. wrap ranks below their anchor in
    turn: a band would otherwise keep a wide row of them on one rank.
    """
    anchors = {index: LAYER_ANCHOR.format(index=index) for index in range(len(layers) + 1)}
    for index, anchor in anchors.items():
        label = f"layer {index + 1}: {layers[index]}" if index < len(layers) else ""
        digraph.node(anchor, label=dot_text(label), shape="plaintext", style="",
                     fontcolor="#7a7a7a", fontsize="9", **{"class": "layer"})
    for index in range(len(layers)):
        digraph.edge(anchors[index], anchors[index + 1], style="invis")
    row: Counter[tuple[int, str | None]] = Counter()
    for node in nodes:
        if node.layer_index is None:
            continue
        place = (node.layer_index, cluster_of(node.id) if wrap < WIDEST_WRAP else None)
        length = {"minlen": str(1 + row[place] % wrap)} if wrap > 1 else {}
        row[place] += 1
        add_edge(digraph, anchors[node.layer_index], node.id, style="invis", weight="0", **length)
        add_edge(digraph, node.id, anchors[node.layer_index + 1], style="invis", weight="0")


def _legend_notes(view: GraphView, edges: int) -> list[str]:
    notes = []
    if view.depth is not None:
        notes.append(f"modules collapsed to depth {view.depth}")
    if view.focus is not None:
        notes.append(f"focus: {view.focus}")
    if view.contract is not None:
        notes.append(f"violations of contract: {view.contract}")
    if view.layers:
        notes.append("layers top to bottom: " + " > ".join(view.layers))
    notes.append(f"{len(view.nodes)} nodes, {len(view.edges)} edges, {view.modules} modules")
    if edges < len(view.edges):
        notes.append(f"the {edges} heaviest edges drawn, every violating one among them")
    shown = sum(1 for chain in view.chains if chain.nodes)
    if shown:
        notes.append(f"{_violations(shown)} on this picture, counted in red")
    if edges > STRAIGHT_EDGES_ABOVE:
        notes.append(f"edges drawn straight: more than {STRAIGHT_EDGES_ABOVE}")
    return [*notes, *view.notes]
