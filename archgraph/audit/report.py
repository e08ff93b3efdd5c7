"""`archgraph audit` reports: text, JSON, markdown, and an HTML section for the report page.

Every format states the formula beside the figures. Names from the tree go through `visible`
(text, markdown) or `html.escape`: a class or module name cannot write to a CI log.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from html import escape
from typing import Any

from archgraph.audit.scorecards import Audit, Implementation, Scorecard, Site
from archgraph.diagnostics import Severity, json_text, visible
from archgraph.report import markdown
from archgraph.report.json import diagnostic_to_dict
from archgraph.report.text import diagnostic_lines, format_percent

JSON_VERSION = 1
MAX_SITES_SHOWN = 10


def _figure(share: float | None, canonical: int, counted: int) -> str:
    if share is None:
        return "no production import"
    return f"{format_percent(share)} ({canonical} canonical of {counted} sites)"


def _source(card: Scorecard) -> str:
    if card.contract_id is None:
        return "found by families"
    return f"{card.source} contract '{card.contract_id}'"


def _implementation_line(item: Implementation) -> str:
    notes = []
    if item.definition == "shadow":
        notes.append("shadow: a same-name subclass")
    elif item.definition == "fallback":
        notes.append("fallback: defined where an import of the same name may fail")
    elif item.nested:
        notes.append("nested: defined inside a function or class")
    if item.in_tests:
        notes.append("test code")
    tops = ", ".join(f"{module} {count}" for module, count in item.top_importers)
    imported = f"imported at {item.import_sites} site{'s' if item.import_sites != 1 else ''}"
    if tops:
        imported += f" (top: {tops})"
    if item.test_import_sites:
        imported += f", {item.test_import_sites} in tests"
    if item.built_on:
        notes.append(f"built on {item.built_on}")
    suffix = f"  [{'; '.join(notes)}]" if notes else ""
    return (
        f"{item.standing:<9}  {item.qualname}  {item.location}\n"
        f"             {imported}; instantiated {item.instantiations} time{'s' if item.instantiations != 1 else ''}{suffix}"
    )


def _site_line(site: Site) -> str:
    via = f" via {' -> '.join(site.via)}" if site.via else ""
    kind = "" if site.import_kind == "runtime" else f"  [{site.import_kind}]"
    return f"{site.location or site.importer}  {site.importer} imports {site.obtains}{via}{kind}"


def render_audit_text(audit: Audit, max_sites: int = MAX_SITES_SHOWN) -> str:
    """The scorecards, most important first; `max_sites` bypassing sites each (0: all)."""
    cards = audit.scorecards
    lines = [
        f"archgraph audit: {len(cards)} concept{'s' if len(cards) != 1 else ''} in "
        f"{', '.join(audit.packages)} ({audit.modules} modules; {audit.test_modules} test modules, "
        "their imports counted apart)",
        "",
        f"SSOT compliance: {_figure(audit.compliance, audit.canonical_sites, audit.canonical_sites + audit.bypassing_sites)}"
        f"; {audit.bypassing_sites} bypassing",
        *textwrap.wrap(f"formula: {audit.formula}", width=100, subsequent_indent="         "),
    ]
    if not cards:
        lines += ["", "no concept to audit: no competing production family was found and no "
                  "single-implementation or symbol-level protected contract is configured"]
    for card in cards:
        lines += [
            "",
            f"{card.concept}  ({_source(card)})",
            f"  compliance {_figure(card.compliance, card.canonical_sites, card.counted_sites)}; "
            f"{len(card.bypassing)} bypassing; {card.test_sites} site{'s' if card.test_sites != 1 else ''} in tests left out",
            f"  canonical: {card.canonical or 'none (no production class can be canonical)'}; "
            f"{len(card.competing)} competing implementation{'s' if len(card.competing) != 1 else ''}",
        ]
        lines += ["  " + line for item in card.implementations for line in _implementation_line(item).split("\n")]
        if card.bypassing:
            shown = card.bypassing if max_sites <= 0 else card.bypassing[:max_sites]
            lines.append("  sites that bypass the canonical class:")
            lines += [f"    {_site_line(site)}" for site in shown]
            if len(shown) < len(card.bypassing):
                lines.append(f"    ... and {len(card.bypassing) - len(shown)} more (--max-sites 0 shows all)")
    problems = [d for d in audit.diagnostics if d.severity is not Severity.INFO]
    if problems:
        lines += ["", *(line for d in problems for line in diagnostic_lines(d))]
    return "".join(visible(line) + "\n" for line in lines)


# --- JSON ------------------------------------------------------------------------------------


def audit_to_dict(audit: Audit) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "root": audit.root,
        "packages": list(audit.packages),
        "modules": audit.modules,
        "test_modules": audit.test_modules,
        "formula": audit.formula,
        "compliance": audit.compliance,
        "canonical_sites": audit.canonical_sites,
        "bypassing_sites": audit.bypassing_sites,
        "scorecards": [_card_to_dict(card) for card in audit.scorecards],
        "diagnostics": [diagnostic_to_dict(d) for d in audit.diagnostics],
    }


def _card_to_dict(card: Scorecard) -> dict[str, Any]:
    return {
        "concept": card.concept,
        "source": str(card.source),
        "contract": card.contract_id,
        "canonical": card.canonical,
        "compliance": card.compliance,
        "canonical_sites": card.canonical_sites,
        "bypassing_sites": len(card.bypassing),
        "test_sites": card.test_sites,
        "competing_implementations": len(card.competing),
        "implementations": [_implementation_to_dict(i) for i in card.implementations],
        "bypassing": [_site_to_dict(s) for s in card.bypassing],
    }


def _implementation_to_dict(item: Implementation) -> dict[str, Any]:
    return {
        "class": item.qualname,
        "file": item.location.path.as_posix(),
        "line": item.location.line,
        "standing": str(item.standing),
        "in_tests": item.in_tests,
        "nested": item.nested,
        "built_on": item.built_on,
        "definition": item.definition,
        "import_sites": item.import_sites,
        "test_import_sites": item.test_import_sites,
        "instantiations": item.instantiations,
        "top_importers": [{"module": m, "sites": n} for m, n in item.top_importers],
    }


def _site_to_dict(site: Site) -> dict[str, Any]:
    return {
        "importer": site.importer,
        "file": site.location.path.as_posix() if site.location else None,
        "line": site.location.line if site.location else None,
        "obtains": site.obtains,
        "via": list(site.via),
        "import_kind": site.import_kind,
    }


def render_audit_json(audit: Audit) -> str:
    return json_text(audit_to_dict(audit))


# --- markdown --------------------------------------------------------------------------------



def render_audit_markdown(audit: Audit, max_sites: int = MAX_SITES_SHOWN) -> str:
    counted = audit.canonical_sites + audit.bypassing_sites
    lines = [
        "## SSOT audit",
        "",
        f"**SSOT compliance: {_figure(audit.compliance, audit.canonical_sites, counted)}**, "
        f"{audit.bypassing_sites} bypassing sites; {audit.test_modules} test modules counted apart.",
        "",
        f"> {markdown.escape(audit.formula)}",
        "",
        "| concept | source | canonical | competing | compliance | bypassing | in tests |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for card in audit.scorecards:
        lines.append(
            f"| {markdown.escape(card.concept)} | {markdown.escape(_source(card))} | {markdown.code(card.canonical or '-')} | "
            f"{len(card.competing)} | {format_percent(card.compliance)} | {len(card.bypassing)} | {card.test_sites} |"
        )
    for card in audit.scorecards:
        lines += ["", f"### {markdown.escape(card.concept)}", "",
                  "| class | where | standing | imported at | instantiated |", "|---|---|---|---:|---:|"]
        lines += [
            f"| {markdown.code(i.qualname)} | {markdown.escape(str(i.location))} | {i.standing} | {i.import_sites} | {i.instantiations} |"
            for i in card.implementations
        ]
        shown = card.bypassing if max_sites <= 0 else card.bypassing[:max_sites]
        if shown:
            lines += ["", "Sites that bypass the canonical class:", ""]
            lines += [f"- {markdown.escape(_site_line(site))}" for site in shown]
            if len(shown) < len(card.bypassing):
                lines.append(f"- ... and {len(card.bypassing) - len(shown)} more")
    return "\n".join(lines) + "\n"


# --- HTML ------------------------------------------------------------------------------------


def render_audit_html_section(audit: Audit, max_sites: int = 50, heading: bool = True) -> str:
    """A `<section>` for the HTML report: the overall figure, a table of concepts, and per
    concept its implementations and (the first `max_sites`) bypassing sites, collapsed.
    `heading=False`: the page around it gives the title."""
    counted = audit.canonical_sites + audit.bypassing_sites
    parts = [
        '<section id="audit" class="audit">',
        "<h2>SSOT audit</h2>" if heading else "",
        f'<p class="figure"><strong>{escape(_figure(audit.compliance, audit.canonical_sites, counted))}</strong>; '
        f"{audit.bypassing_sites} bypassing sites; {audit.test_modules} test modules counted apart.</p>",
        f'<p class="formula">{escape(audit.formula)}</p>',
        '<table class="audit-concepts"><thead><tr><th>concept</th><th>source</th><th>canonical</th>'
        "<th>competing</th><th>compliance</th><th>bypassing</th><th>in tests</th></tr></thead><tbody>",
    ]
    for card in audit.scorecards:
        parts.append(
            f"<tr><td>{escape(card.concept)}</td><td>{escape(_source(card))}</td>"
            f"<td><code>{escape(card.canonical or '-')}</code></td><td>{len(card.competing)}</td>"
            f"<td>{escape(format_percent(card.compliance))}</td><td>{len(card.bypassing)}</td>"
            f"<td>{card.test_sites}</td></tr>"
        )
    parts.append("</tbody></table>")
    for card in audit.scorecards:
        parts.append(f"<details><summary>{escape(card.concept)}: {len(card.competing)} competing, "
                     f"{len(card.bypassing)} bypassing</summary><ul>")
        parts += [
            f"<li><b>{escape(str(i.standing))}</b> <code>{escape(i.qualname)}</code> "
            f"{escape(str(i.location))}: imported at {i.import_sites} sites, instantiated {i.instantiations}</li>"
            for i in card.implementations
        ]
        parts.append("</ul>")
        shown: Sequence[Site] = card.bypassing[:max_sites]
        if shown:
            parts.append("<ol>" + "".join(f"<li>{escape(_site_line(s))}</li>" for s in shown) + "</ol>")
            if len(shown) < len(card.bypassing):
                parts.append(f"<p>... and {len(card.bypassing) - len(shown)} more (archgraph audit --format json lists all)</p>")
        parts.append("</details>")
    parts.append("</section>")
    return "\n".join(parts)


def render_audit_html(audit: Audit) -> str:
    """A self-contained page with the section: no script, no network."""
    policy = "default-src 'none'; style-src 'unsafe-inline'"
    style = (
        "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;max-width:1300px;color:#222}"
        "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}"
        "p.formula{color:#555}details{margin:.5em 0}code{font-size:12px}"
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
            "<title>archgraph audit</title>",
            f"<style>{style}</style></head><body>",
            render_audit_html_section(audit),
            "</body></html>",
            "",
        ]
    )


AUDIT_FORMATS = ("text", "json", "markdown", "html")


def render_audit(audit: Audit, output_format: str, max_sites: int = MAX_SITES_SHOWN) -> str:
    if output_format == "json":
        return render_audit_json(audit)
    if output_format == "markdown":
        return render_audit_markdown(audit, max_sites)
    if output_format == "html":
        return render_audit_html(audit)
    return render_audit_text(audit, max_sites)
