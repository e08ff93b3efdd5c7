"""Diagrams as DOT source, built with the `graphviz` package (imported lazily, here only).

`module_diagram` draws a GraphView: packages as nested clusters, violating edges red and labelled
with their contract ids, edges inside an import cycle orange, the layers of a `layers` contract as
ordered bands, and a legend. Other diagrams (class diagrams of competing families) belong beside it
and reuse `dot_text`, `new_digraph` and `add_legend` (`families/diagram.py`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from archgraph.model.names import parent
from archgraph.report.graphview import GraphView, ViewEdge, ViewNode
from archgraph.report.layout import dot_id

if TYPE_CHECKING:
    import graphviz

FONT = "Helvetica"
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


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One line of the legend: a sample (edge or node style) and what it means."""

    meaning: str
    color: str  # for "swatches": several colours separated by spaces
    sample: str = "edge"  # a key of LEGEND_SAMPLES: "edge", "node", "package", "focus"...


MODULE_LEGEND = (
    LegendEntry("module", "#4a4a4a", "node"),
    LegendEntry("package collapsed to one node", CLUSTER_COLOR, "package"),
    LegendEntry("import (label: how many module imports)", IMPORT_COLOR),
    LegendEntry("violation (label: contract id)", VIOLATION_COLOR),
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


def module_diagram(view: GraphView, legend: bool = True) -> graphviz.Digraph:
    """The DOT graph of a view: clusters, styled nodes and edges, layer bands, legend."""
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
    if len(view.edges) > STRAIGHT_EDGES_ABOVE:
        digraph.attr(splines="line")
    layer_of = {node.id: node.layer_index for node in view.nodes}
    for edge in view.edges:
        _add_edge(digraph, edge, layer_of)
    if view.layers:
        _add_layer_bands(digraph, view.layers, drawn)
    if legend:
        focus = (LegendEntry("focus", "#1d2329", "focus"),) if view.focus else ()
        add_legend(digraph, MODULE_LEGEND + focus, _legend_notes(view))
    return digraph


def drawn_nodes(view: GraphView) -> list[ViewNode]:
    """The nodes worth drawing: a package's own module (`__init__`) only when it has an import,
    a violation or the focus; otherwise its package box already stands for it."""
    connected = {e.importer for e in view.edges} | {e.imported for e in view.edges}
    return [
        node
        for node in view.nodes
        if node.id not in view.packages or node.id in connected or node.focus or node.contracts
    ]


def module_diagram_source(view: GraphView, legend: bool = True) -> str:
    return str(module_diagram(view, legend).source)


def _add_node(graph: graphviz.Digraph, node: ViewNode, package_module: bool) -> None:
    classes = ["package" if node.collapsed else "module"]
    attributes: dict[str, str] = {"tooltip": dot_text(_node_tooltip(node))}
    name = node.id.rpartition(".")[2]
    if node.collapsed:
        label = f"{name}\n({node.members} modules)"
        attributes.update(shape="folder", fillcolor=PACKAGE_FILL)
    else:
        label = "__init__" if package_module else name
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
    return text


def _add_edge(digraph: graphviz.Digraph, edge: ViewEdge, layer_of: dict[str, int | None]) -> None:
    attributes: dict[str, str] = {
        "tooltip": dot_text(f"{edge.importer} -> {edge.imported}: {edge.imports} import(s)")
    }
    classes = ["import"]
    label = str(edge.imports) if edge.imports > 1 else ""
    if edge.cycle:
        attributes.update(color=CYCLE_COLOR, penwidth="1.6")
        classes.append("cycle")
    if edge.violation:
        label = ", ".join(edge.contracts) + (f" ({edge.imports})" if edge.imports > 1 else "")
        attributes.update(color=VIOLATION_COLOR, fontcolor=VIOLATION_COLOR,
                          penwidth="2" if edge.cycle else "1.6")
        classes.append("violation")
    importer_layer, imported_layer = layer_of.get(edge.importer), layer_of.get(edge.imported)
    if importer_layer is not None and imported_layer is not None and importer_layer > imported_layer:
        # An upward import must not pull the higher layer down: the bands stay in contract order.
        attributes["constraint"] = "false"
    if label:
        attributes["label"] = dot_text(label)
    add_edge(digraph, edge.importer, edge.imported, **attributes, **{"class": " ".join(classes)})


def _add_layer_bands(
    digraph: graphviz.Digraph, layers: Sequence[str], nodes: Sequence[ViewNode]
) -> None:
    """Order the layers top to bottom with one anchor per layer: anchor_i < layer i < anchor_i+1."""
    anchors = {index: LAYER_ANCHOR.format(index=index) for index in range(len(layers) + 1)}
    for index, anchor in anchors.items():
        label = f"layer {index + 1}: {layers[index]}" if index < len(layers) else ""
        digraph.node(anchor, label=dot_text(label), shape="plaintext", style="",
                     fontcolor="#7a7a7a", fontsize="9", **{"class": "layer"})
    for index in range(len(layers)):
        digraph.edge(anchors[index], anchors[index + 1], style="invis")
    for node in nodes:
        if node.layer_index is None:
            continue
        add_edge(digraph, anchors[node.layer_index], node.id, style="invis", weight="0")
        add_edge(digraph, node.id, anchors[node.layer_index + 1], style="invis", weight="0")


def _legend_notes(view: GraphView) -> list[str]:
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
    if len(view.edges) > STRAIGHT_EDGES_ABOVE:
        notes.append(f"edges drawn straight: more than {STRAIGHT_EDGES_ABOVE}")
    return [*notes, *view.notes]
