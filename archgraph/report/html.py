"""The offline HTML report: one self-contained file, no network at all.

The graph is laid out in Python by the same Graphviz engine as `archgraph render` (its `-Tjson`
positions), and drawn in the browser by a small hand-written script (`assets/report.js`, no
library). Why hand-written: the layout is the hard part and Graphviz already does it
deterministically; what is left (drawing boxes and splines, search, focus, collapse, highlight)
is a few hundred lines, so no third-party bundle has to be vendored, kept up to date or trusted.

Safety: every text from the analyzed code or the contracts is HTML-escaped, the graph data sits
in a `<script type="application/json">` with `<`, `>` and `&` escaped, and a Content Security
Policy allows only this file's own script and style (by hash) and no network access.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from importlib import resources
from typing import Any

from archgraph.diagnostics import ContractResult, RunResult
from archgraph.report.diagram import LAYER_ANCHOR
from archgraph.report.graphview import GraphView, ViewChain, ViewNode
from archgraph.report.layout import Layout
from archgraph.report.text import coverage_phrase


def render_html(result: RunResult, view: GraphView, positions: Layout) -> str:
    """The report page for one run and its laid-out graph view."""
    script = _asset("report.js")
    style = _asset("report.css")
    data = _json_for_script(report_data(result, view, positions))
    policy = (
        "default-src 'none'; "
        f"script-src '{_sha256(script)}'; style-src '{_sha256(style)}'; img-src data:"
    )
    summary = result.summary
    kept = sum(1 for c in result.contracts if c.kept)
    violations = sum(len(c.violations) for c in result.contracts)
    in_tests = sum(len(c.test_violations) for c in result.contracts)
    split = f" ({violations - in_tests} in production, {in_tests} in test code)" if in_tests else ""
    coverage = ""
    if result.coverage is not None:
        failure = result.coverage.failure
        coverage = f"Coverage: {coverage_phrase(result.coverage)}" + (
            f"; {failure}: the run fails." if failure else "."
        )
    notes = "".join(f"<li>{escape(note)}</li>" for note in view.notes)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>archgraph report: {escape(view.title)}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>archgraph report: <span id="title">{escape(view.title)}</span></h1>
<p id="summary">{summary.modules} modules, {summary.imports} imports, {len(result.contracts)} contracts:
{kept} kept, {len(result.contracts) - kept} broken, {violations} violations{split}.</p>
{f'<p id="coverage">{escape(coverage)}</p>' if coverage else ''}
{f'<ul id="notes">{notes}</ul>' if notes else ''}
</header>
<main>
<aside id="side">
<section><h2>Contracts</h2>{_contracts_table(result.contracts, view)}</section>
<section><h2>Violations</h2>{_violation_list(view.chains)}</section>
<section><h2>Diagnostics</h2>{_diagnostic_list(result)}</section>
</aside>
<section id="graph-panel">
<div id="toolbar">
<input id="search" type="search" placeholder="Search a module" list="module-names" autocomplete="off">
<datalist id="module-names"></datalist>
<label>radius <select id="radius"><option>1</option><option>2</option><option>3</option></select></label>
<button id="fit" type="button">Fit</button>
<button id="clear" type="button">Clear</button>
<button id="collapse-all" type="button">Collapse all</button>
<button id="expand-all" type="button">Expand all</button>
<span id="status" role="status"></span>
</div>
<svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="module graph"></svg>
<div id="legend">
<span class="key import">import (label: count)</span>
<span class="key violation">violation (label: contract)</span>
<span class="key cycle">in an import cycle</span>
<span class="key package">package: click its name to collapse or expand</span>
<span class="key focus">click a module to focus its neighbourhood</span>
</div>
<div id="info" hidden></div>
</section>
</main>
<script type="application/json" id="archgraph-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""


def report_data(result: RunResult, view: GraphView, positions: Layout) -> dict[str, Any]:
    """Everything the script draws: positioned nodes, package boxes, edge paths, violations."""
    chains_of: dict[str, list[int]] = {}
    for index, chain in enumerate(view.chains):
        chains_of.setdefault(chain.contract, []).append(index)
    edge_paths = {(e.tail, e.head): e for e in positions.edges}
    nodes = []
    for node in view.nodes:
        box = positions.nodes.get(node.id)
        if box is None:
            continue
        nodes.append({
            "id": node.id, "label": _label(node, view), "x": box.x, "y": box.y,
            "w": box.width, "h": box.height, "members": node.members,
            "collapsed": node.collapsed, "namespace": node.namespace, "external": node.external,
            "layer": node.layer, "contracts": list(node.contracts), "focus": node.focus,
        })
    packages = [
        {"id": package, "left": area.left, "top": area.top, "right": area.right, "bottom": area.bottom}
        for package in view.packages
        if (area := positions.clusters.get(package)) is not None
    ]
    edges = []
    for edge in view.edges:
        path = edge_paths.get((edge.importer, edge.imported))
        edges.append({
            "s": edge.importer, "t": edge.imported, "imports": edge.imports,
            "contracts": list(edge.contracts), "cycle": edge.cycle,
            "path": path.path if path else None,
            "lx": path.label_x if path else None, "ly": path.label_y if path else None,
        })
    layers = []
    for index, name in enumerate(view.layers):
        anchor = positions.nodes.get(LAYER_ANCHOR.format(index=index))
        if anchor is not None:
            layers.append({"label": f"layer {index + 1}: {name}", "x": anchor.x, "y": anchor.y})
    return {
        "title": view.title,
        "width": positions.width,
        "height": positions.height,
        "nodes": nodes,
        "packages": packages,
        "edges": edges,
        "layers": layers,
        "contracts": [
            {"id": c.contract_id, "chains": chains_of.get(c.contract_id, [])}
            for c in result.contracts
        ],
        "chains": [
            {"contract": c.contract, "nodes": list(c.nodes), "edges": [list(e) for e in c.edges]}
            for c in view.chains
        ],
    }


def _label(node: ViewNode, view: GraphView) -> str:
    name = node.id.rpartition(".")[2]
    if node.collapsed:
        return f"{name} ({node.members})"
    return "__init__" if node.id in view.packages else name


def _contracts_table(contracts: tuple[ContractResult, ...], view: GraphView) -> str:
    if not contracts:
        return "<p>No contracts are configured.</p>"
    with_tests = any(c.test_violations for c in contracts)
    rows = []
    for index, contract in enumerate(contracts):
        compliance = contract.compliance
        shown = "n/a" if compliance is None else f"{compliance * 100:.1f}%"
        rows.append(
            f'<tr class="contract {contract.status}" data-contract="{index}" tabindex="0">'
            f'<td class="status">{contract.status}</td>'
            f'<td><span class="name">{escape(contract.name)}</span>'
            f'<br><code class="id">{escape(contract.contract_id)}</code></td>'
            f"<td>{escape(contract.kind)}</td><td>{escape(contract.severity.value)}</td>"
            f'<td class="compliance">{shown}</td><td class="count">{len(contract.violations)}</td>'
            + (f'<td class="count">{len(contract.test_violations)}</td>' if with_tests else "")
            + "</tr>"
        )
    return (
        '<table id="contracts"><thead><tr><th>status</th><th>contract</th><th>type</th>'
        "<th>severity</th><th>compliance</th><th>violations</th>"
        + ("<th>in tests</th>" if with_tests else "")
        + "</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _violation_list(chains: tuple[ViewChain, ...]) -> str:
    if not chains:
        return "<p>No violations.</p>"
    items = []
    for index, chain in enumerate(chains):
        path = " → ".join([chain.steps[0][0], *(s[1] for s in chain.steps)]) if chain.steps else ""
        where = f'<span class="where">{escape(chain.location)}</span>' if chain.location else ""
        drawn = "" if chain.edges or chain.nodes else ' <span class="hidden-note">(not drawn)</span>'
        if chain.in_tests:
            drawn += ' <span class="test-code">(test code)</span>'
        kinds = (
            f' <span class="import-kind">[{escape(chain.import_kinds)}]</span>' if chain.import_kinds else ""
        )
        items.append(
            f'<li class="violation{" in-tests" if chain.in_tests else ""}" data-chain="{index}" tabindex="0">'
            f'<code class="contract-id">{escape(chain.contract)}</code> '
            f'<code>{escape(chain.code)}</code> {escape(chain.message)}{kinds}{drawn}'
            + (f'<div class="chain">{escape(path)}</div>' if path else "")
            + f"{where}</li>"
        )
    return f'<ol id="violations">{"".join(items)}</ol>'


def _diagnostic_list(result: RunResult) -> str:
    if not result.diagnostics:
        return "<p>None.</p>"
    items = [
        f"<li><code>{escape(d.code)}</code> {escape(d.severity.value)}: {escape(d.message)}"
        + (f' <span class="where">{escape(str(d.location))}</span>' if d.location else "")
        + "</li>"
        for d in result.diagnostics
    ]
    return f'<ul id="diagnostics">{"".join(items)}</ul>'


def _json_for_script(data: dict[str, Any]) -> str:
    """JSON that cannot end or confuse its `<script>` element: `<`, `>` and `&` are escaped."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    text = resources.files("archgraph.report").joinpath("assets", name).read_text(encoding="utf-8")
    if "</" in text:  # would end the element it is inlined in
        raise AssertionError(f"asset {name} must not contain '</'")
    return text


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")
