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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from importlib import resources
from typing import Any

from archgraph.model import ArchModel
from archgraph.model.names import parent
from archgraph.report.diagram import LAYER_ANCHOR
from archgraph.report.graphview import GraphView, ViewChain, ViewNode
from archgraph.report.layout import Layout
from archgraph.report.text import coverage_phrase
from archgraph.report.view_budget import collapse_to, module_depth
from archgraph.results import ContractResult, RunResult

VIOLATIONS_PER_PAGE = 20  # the viewer pages longer lists; without script every item shows
GROUP_DEPTH = 2  # violations are grouped by their module's package at this depth (`app.web`)


@dataclass(frozen=True, slots=True)
class ModuleIndex:
    """Every analyzed module and import: what the viewer searches and opens below the overview."""

    modules: tuple[str, ...]  # sorted
    imports: tuple[tuple[str, str], ...]  # module level, sorted

    @classmethod
    def of(cls, model: ArchModel) -> ModuleIndex:
        return cls(tuple(model.sorted_modules), tuple(model.iter_imports()))

    @classmethod
    def of_view(cls, view: GraphView) -> ModuleIndex:
        """Only what the overview draws (for callers that have no model at hand)."""
        return cls(tuple(n.id for n in view.nodes), tuple((e.importer, e.imported) for e in view.edges))


@dataclass(frozen=True, slots=True)
class ExtraSections:
    """Sections that other parts of archgraph add to the report; None leaves a section out.

    Each is an HTML fragment made by archgraph's own renderers: they escape every text they
    take from the analyzed code, and carry no script or style of their own (the page's
    Content Security Policy would block it).
    """

    families: str | None = None  # competing implementations and the audit's scorecards
    matrix: str | None = None  # the dependency structure matrix
    style: str = ""  # the sections' own style, added to the page's (and to its hash)


def render_html(
    result: RunResult,
    view: GraphView,
    positions: Layout,
    modules: ModuleIndex | None = None,
    sections: ExtraSections = ExtraSections(),
) -> str:
    """The report page for one run and its laid-out graph view.

    `modules`: every module, so that search and drill-down reach below the overview's depth
    (without it, only what the overview draws).
    """
    modules = modules or ModuleIndex.of_view(view)
    script = _asset("report.js")
    style = _asset("report.css") + sections.style
    data = _json_for_script(report_data(result, view, positions, modules))
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
{f'<details id="notes-box"><summary>how the overview was drawn</summary><ul id="notes">{notes}</ul></details>' if notes else ''}
</header>
<main>
<section id="graph-panel">
<div id="toolbar">
<input id="search" type="search" placeholder="Search any module" list="module-names" autocomplete="off">
<datalist id="module-names"></datalist>
<label>radius <select id="radius"><option>1</option><option>2</option><option>3</option></select></label>
<button id="fit" type="button">Fit</button>
<button id="clear" type="button">Clear</button>
<button id="collapse-all" type="button">Collapse all</button>
<button id="expand-all" type="button">Expand all</button>
<span id="status" role="status"></span>
</div>
<nav id="crumbs" aria-label="where you are"></nav>
<div id="canvas">
<svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="module graph"></svg>
<div id="info" hidden></div>
</div>
<div id="legend">
<span class="key import">import (label: count)</span>
<span class="key violation">violation (label: contract)</span>
<span class="key cycle">in an import cycle</span>
<span class="key package">package: click a box to open it, its name to collapse or expand</span>
<span class="key outside">outside the opened package</span>
<span class="key focus">click a module to focus its neighbourhood</span>
</div>
</section>
<section id="contracts-section"><h2>Contracts</h2>{_contracts_table(result.contracts, view)}</section>
<section id="violations-section"><h2>Violations</h2>{_violation_groups(view.chains, modules)}</section>
{_optional_section("families-section", "SSOT audit: competing implementations", sections.families)}
{_optional_section("matrix-section", "Dependency matrix", sections.matrix)}
<section id="diagnostics-section"><h2>Diagnostics</h2>{_diagnostic_list(result)}</section>
</main>
<script type="application/json" id="archgraph-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""


def _optional_section(section_id: str, title: str, fragment: str | None) -> str:
    """A section for a fragment made elsewhere, or nothing at all when there is none."""
    if fragment is None or not fragment.strip():
        return ""
    return f'<section id="{section_id}"><h2>{escape(title)}</h2>{fragment}</section>'


def report_data(
    result: RunResult, view: GraphView, positions: Layout, modules: ModuleIndex | None = None
) -> dict[str, Any]:
    """Everything the script draws: positioned nodes, package boxes, edge paths, violations,
    and every module with its imports (as indexes into the sorted module list)."""
    modules = modules or ModuleIndex.of_view(view)
    index_of = {module: index for index, module in enumerate(modules.modules)}
    known = frozenset(index_of)
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
            {
                "contract": c.contract, "nodes": list(c.nodes), "edges": [list(e) for e in c.edges],
                "steps": [list(step) for step in c.steps],
                "modules": [subject] if (subject := _subject(c, known)) else [],
            }
            for c in view.chains
        ],
        "modules": list(modules.modules),
        "imports": [
            index_of[end]
            for importer, imported in modules.imports
            if importer in index_of and imported in index_of
            for end in (importer, imported)
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


def _subject(chain: ViewChain, known: frozenset[str]) -> str | None:
    """The module a violation is about: its first importer, or the module defining its symbol."""
    if chain.steps:
        return chain.steps[0][0]
    if chain.symbol is None:
        return None
    candidate: str | None = chain.symbol
    while candidate is not None and candidate not in known:
        candidate = parent(candidate)
    return candidate


def _by_package(indexes: list[int], subjects: Sequence[str | None]) -> dict[str, list[int]]:
    """Violations by their module's package: at depth 2 (`app.web`), or deeper while that
    leaves one group longer than a page (`app.web.views`, ...)."""
    depth = GROUP_DEPTH
    while True:
        groups: dict[str, list[int]] = {}
        for index in indexes:
            subject = subjects[index]
            package = "(no module)" if subject is None else collapse_to(parent(subject) or subject, depth)
            groups.setdefault(package, []).append(index)
        deeper = any(
            s is not None and module_depth(parent(s) or s) > depth for s in (subjects[i] for i in indexes)
        )
        if len(groups) > 1 or len(indexes) <= VIOLATIONS_PER_PAGE or not deeper:
            return groups
        depth += 1


def _violation_groups(chains: Sequence[ViewChain], modules: ModuleIndex) -> str:
    """Violations by contract, then by package, each list paged by the viewer.

    Small reports open every group, so that nothing has to be clicked to be seen.
    """
    if not chains:
        return "<p>No violations.</p>"
    known = frozenset(modules.modules)
    subjects = [_subject(chain, known) for chain in chains]
    by_contract: dict[str, list[int]] = {}  # in the order of the contracts table
    for index, chain in enumerate(chains):
        by_contract.setdefault(chain.contract, []).append(index)
    open_all = len(chains) <= VIOLATIONS_PER_PAGE
    parts = []
    for contract, indexes in by_contract.items():
        packages = _by_package(indexes, subjects)
        count = sum(len(items) for items in packages.values())
        open_packages = open_all or len(packages) == 1
        package_parts = [
            f'<details class="package-group" data-package="{escape(package)}"'
            f'{" open" if open_packages else ""}><summary><code>{escape(package)}</code> '
            f'<span class="count">{len(items)}</span></summary>'
            f'<ol class="violation-list" data-page-size="{VIOLATIONS_PER_PAGE}">'
            f"{_violation_items(chains, items, known)}</ol></details>"
            for package, items in sorted(packages.items(), key=lambda item: (-len(item[1]), item[0]))
        ]
        parts.append(
            f'<details class="contract-group" data-contract-id="{escape(contract)}"'
            f'{" open" if open_all else ""}><summary><code class="contract-id">{escape(contract)}</code> '
            f'<span class="count">{count} violation{"" if count == 1 else "s"} in '
            f'{len(packages)} package{"" if len(packages) == 1 else "s"}</span></summary>'
            f'<div class="package-groups" data-page-size="{VIOLATIONS_PER_PAGE}">'
            f'{"".join(package_parts)}</div></details>'
        )
    return f'<div id="violations">{"".join(parts)}</div>'


def _violation_items(chains: Sequence[ViewChain], indexes: Iterable[int], known: frozenset[str]) -> str:
    items = []
    for index in indexes:
        chain = chains[index]
        path = " → ".join([chain.steps[0][0], *(s[1] for s in chain.steps)]) if chain.steps else ""
        where = f'<span class="where">{escape(chain.location)}</span>' if chain.location else ""
        drawable = chain.edges or chain.nodes or _subject(chain, known)
        drawn = "" if drawable else ' <span class="hidden-note">(not drawn)</span>'
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
    return "".join(items)


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
