"""Exports of a GraphView for other tools: JSON (networkx node-link), GraphML, GEXF, Mermaid, DOT.

Every attribute is a scalar (string, integer or boolean) so GraphML and GEXF can hold it; lists
such as contract ids are joined with commas. `layer` and `layer_index` are present only on nodes
that a layers contract places in a layer.

GraphML and GEXF are XML 1.0, which cannot hold most control characters even escaped, and
module names come from file names, which can: there each name is written with Python's escapes
(`\x1b`, and a backslash doubled so that two names never become one).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from archgraph.diagnostics import json_text
from archgraph.model.names import parent
from archgraph.report.graphview import GraphView, ViewNode

if TYPE_CHECKING:
    import networkx as nx

EXPORT_FORMATS = ("json", "graphml", "gexf", "mermaid", "dot")

# A line break in a module name (a folder name can hold one) would start a line of its own in
# the XML, and in a CI log when the export goes to stdout: it is written as a character
# reference, which XML reads back as the same character. The writer's own line breaks sit
# between a tag's `>` and the indentation before the next `<`; text never starts with a
# line break followed by nothing but blanks, since every name starts with its root package.
_TEXT_LINE_BREAK = re.compile(r"(?<!>)\n|\n(?![ \t]*(?:<|\Z))")
_OTHER_LINE_BREAKS = str.maketrans(
    {"\r": "&#13;", "\x85": "&#133;", "\u2028": "&#8232;", "\u2029": "&#8233;"}
)


def view_to_networkx(view: GraphView) -> nx.DiGraph:
    """The view as a DiGraph whose node and edge attributes describe the architecture."""
    import networkx as nx  # noqa: PLC0415

    graph = nx.DiGraph(title=view.title)
    if view.depth is not None:
        graph.graph["depth"] = view.depth
    if view.layers:
        graph.graph["layers"] = " > ".join(view.layers)
    for node in view.nodes:
        attributes: dict[str, Any] = {
            "label": node.id,
            "package": node.package,
            "members": node.members,
            "collapsed": node.collapsed,
            "namespace": node.namespace,
            "external": node.external,
            "in_degree": node.in_degree,
            "out_degree": node.out_degree,
            "violation": bool(node.contracts),
            "contracts": ",".join(node.contracts),
            "focus": node.focus,
        }
        if node.layer is not None and node.layer_index is not None:
            attributes.update(layer=node.layer, layer_index=node.layer_index)
        graph.add_node(node.id, **attributes)
    for edge in view.edges:
        graph.add_edge(
            edge.importer,
            edge.imported,
            imports=edge.imports,
            violation=edge.violation,
            contracts=",".join(edge.contracts),
            cycle=edge.cycle,
        )
    return graph


def export_view(view: GraphView, export_format: str) -> str:
    """The view in one of EXPORT_FORMATS."""
    import networkx as nx  # noqa: PLC0415

    if export_format == "mermaid":
        return mermaid(view)
    if export_format == "dot":
        from archgraph.report.diagram import module_diagram_source  # noqa: PLC0415

        return module_diagram_source(view, legend=False, every_edge=True)  # an export leaves nothing out
    graph = view_to_networkx(view)
    if export_format == "json":
        data = nx.node_link_data(graph, edges="edges")
        return json_text(data)
    graph = _xml_safe(graph)
    buffer = io.BytesIO()
    if export_format == "graphml":
        nx.write_graphml(graph, buffer, encoding="utf-8")
    elif export_format == "gexf":
        nx.write_gexf(graph, buffer, encoding="utf-8")
    else:
        raise ValueError(f"unknown export format {export_format!r}")
    return xml_line_breaks(buffer.getvalue().decode("utf-8"))


def xml_line_breaks(xml: str) -> str:
    """Line breaks inside the XML's text written as character references (see above)."""
    return _TEXT_LINE_BREAK.sub("&#10;", xml).translate(_OTHER_LINE_BREAKS)


# What XML 1.0 cannot hold, and the backslash that starts an escape.
_NOT_XML = re.compile(r"[\\\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` as XML 1.0 can hold it: Python's escapes for what it cannot (one name per name)."""
    return _NOT_XML.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    if character == "\\":
        return "\\\\"
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _xml_safe(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy of `graph` whose names and text attributes XML 1.0 can hold."""
    import networkx as nx  # noqa: PLC0415

    def safe(attributes: dict[str, Any]) -> dict[str, Any]:
        return {k: xml_text(v) if isinstance(v, str) else v for k, v in attributes.items()}

    copy = nx.DiGraph(**safe(graph.graph))
    copy.add_nodes_from((xml_text(node), safe(data)) for node, data in graph.nodes(data=True))
    copy.add_edges_from(
        (xml_text(a), xml_text(b), safe(data)) for a, b, data in graph.edges(data=True)
    )
    return copy


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: markup characters become entity codes."""
    text = text.replace("#", "#35;")  # first: every other replacement adds a '#'
    for character, code in (
        ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("&", "#amp;"), ("|", "#124;"),
        ("`", "#96;"), ("[", "#91;"), ("]", "#93;"), ("{", "#123;"), ("}", "#125;"),
    ):
        text = text.replace(character, code)
    return " ".join(text.split())  # newlines would end the statement


def mermaid(view: GraphView) -> str:
    """A Mermaid flowchart for Markdown docs: packages as subgraphs, violations in red."""
    node_ids = {node.id: f"n{index}" for index, node in enumerate(view.nodes)}
    package_ids = {package: f"p{index}" for index, package in enumerate(view.packages)}
    lines = [f"%% archgraph: {mermaid_text(view.title)}", "flowchart TB"]
    children: dict[str | None, list[str]] = {}
    for package in view.packages:  # every ancestor of a node is a package, so parent() encloses
        children.setdefault(parent(package), []).append(package)
    members: dict[str | None, list[ViewNode]] = {}
    for node in view.nodes:
        members.setdefault(view.cluster_of(node.id), []).append(node)

    def emit(cluster: str | None, indent: str) -> None:
        for node in members.get(cluster, []):
            node_id = node.id
            label = node_id if cluster != node_id else f"{node_id} (__init__)"
            if node.collapsed:
                label += f" ({node.members} modules)"
            lines.append(f'{indent}{node_ids[node_id]}["{mermaid_text(label)}"]')
        for package in children.get(cluster, []):
            lines.append(f'{indent}subgraph {package_ids[package]}["{mermaid_text(package)}"]')
            emit(package, indent + "  ")
            lines.append(f"{indent}end")

    emit(None, "  ")
    violating = []
    for index, edge in enumerate(view.edges):
        label = ", ".join(edge.contracts) if edge.violation else (
            str(edge.imports) if edge.imports > 1 else ""
        )
        arrow = f'-->|"{mermaid_text(label)}"|' if label else "-->"
        lines.append(f"  {node_ids[edge.importer]} {arrow} {node_ids[edge.imported]}")
        if edge.violation:
            violating.append(str(index))
    if violating:
        lines.append(f"  linkStyle {','.join(violating)} stroke:#d0021b,stroke-width:2px,color:#d0021b")
    flagged = [node_ids[n.id] for n in view.nodes if n.contracts]
    if flagged:
        lines.append("  classDef violating stroke:#d0021b,stroke-width:2px")
        lines.append(f"  class {','.join(flagged)} violating")
    return "\n".join(lines) + "\n"
