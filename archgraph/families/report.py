"""`archgraph families` reports: text (ranked, one line per finding, then details) and JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from archgraph.diagnostics import Severity, json_text, visible
from archgraph.families.findings import (
    Duplicate,
    FamiliesResult,
    Family,
    Finding,
    Wrapper,
)
from archgraph.model.classes import ClassInfo
from archgraph.report.json import diagnostic_to_dict
from archgraph.report.text import diagnostic_lines

JSON_VERSION = 1
MAX_ROOTS_SHOWN = 12
MAX_MEMBERS_SHOWN = 6
MAX_NAMES_IN_LINE = 4
INDENT = "     "


def _names(items: Sequence[str], limit: int = MAX_NAMES_IN_LINE) -> str:
    shown = ", ".join(items[:limit])
    hidden = len(items) - limit
    return f"{shown} and {hidden} more" if hidden > 0 else shown


def _where(info: ClassInfo) -> str:
    return f"{info.qualname}  {info.location}"


def summary_line(finding: Finding) -> str:
    """The one-line explanation of a finding."""
    if isinstance(finding, Family):
        parts = []
        if finding.competing:
            parts.append(
                f"{finding.concept}: {len(finding.competing_groups)} independent implementations "
                f"(no common base class) sharing {_names(finding.shared_methods)}"
            )
        if finding.unimplemented_interfaces:
            names = _names([i.name for i in finding.unimplemented_interfaces])
            prefix = "; " if parts else f"{finding.concept}: "
            parts.append(f"{prefix}abstract {names} implemented by no class")
        return "".join(parts)
    if isinstance(finding, Duplicate):
        count = len(finding.definitions)
        relation = "not all from one base class" if finding.related else "with no common base class"
        line = f"{finding.name} is defined in {count} modules, {relation}"
        if finding.shared_methods:
            line += f"; {'both' if count == 2 else 'several'} define {_names(finding.shared_methods)}"
        return line
    if isinstance(finding, Wrapper):
        return (
            f"{finding.wrapper.name} wraps {finding.wrapped.name}: {len(finding.forwarded_methods)} "
            f"of its {finding.public_methods} public methods forward to self.{finding.attribute}"
        )
    return (
        f"{finding.left.name} and {finding.right.name} are parallel hierarchies: "
        f"{len(finding.pairs)} subclasses mirror each other by name"
    )


def _family_details(family: Family) -> list[str]:
    members = {c.qualname: c for c in family.classes}
    roots = {r.qualname: r for r in family.roots}
    below: dict[str, list[ClassInfo]] = {}
    for member in family.classes:
        if member.qualname in roots:
            continue
        for base in member.bases:
            if base in members:
                below.setdefault(base, []).append(member)
                break
    ordered = [*family.competing_groups, *(g for g in family.groups if g not in family.competing_groups)]
    lines: list[str] = []
    root_names = [name for group in ordered for name in group]
    for name in root_names[:MAX_ROOTS_SHOWN]:
        root = roots[name]
        tag = " (abstract)" if root.abstract else ""
        lines.append(f"{INDENT}root {root.qualname}{tag}  {root.location}")
        lines += _subtree(name, below, depth=1)
    if len(root_names) > MAX_ROOTS_SHOWN:
        lines.append(f"{INDENT}... and {len(root_names) - MAX_ROOTS_SHOWN} more roots (--format json lists all)")
    for interface in family.unimplemented_interfaces:
        lines.append(f"{INDENT}not implemented: {_where(interface)}")
    return lines


def _subtree(name: str, below: dict[str, list[ClassInfo]], depth: int) -> list[str]:
    children = sorted(below.get(name, []), key=lambda c: c.qualname)
    lines = []
    for child in children[:MAX_MEMBERS_SHOWN]:
        tag = " (abstract)" if child.abstract else ""
        lines.append(f"{INDENT}{'  ' * depth}└ {child.qualname}{tag}  {child.location}")
        if depth < 4:
            lines += _subtree(child.qualname, below, depth + 1)
    if len(children) > MAX_MEMBERS_SHOWN:
        lines.append(f"{INDENT}{'  ' * depth}  ... and {len(children) - MAX_MEMBERS_SHOWN} more")
    return lines


def detail_lines(finding: Finding) -> list[str]:
    if isinstance(finding, Family):
        return _family_details(finding)
    if isinstance(finding, Duplicate):
        return [f"{INDENT}{_where(d)}" for d in finding.definitions]
    if isinstance(finding, Wrapper):
        return [
            f"{INDENT}{_where(finding.wrapper)}",
            f"{INDENT}wraps {_where(finding.wrapped)}",
            f"{INDENT}forwards {', '.join(finding.forwarded_methods)}",
        ]
    return [
        f"{INDENT}{finding.left.qualname} <-> {finding.right.qualname}",
        *(f"{INDENT}  {a.name} <-> {b.name}  ({a.location}, {b.location})" for a, b in finding.pairs),
    ]


def render_families_text(result: FamiliesResult) -> str:
    report = result.report
    findings = report.ranked()
    lines = [
        f"archgraph families: {report.classes_analyzed} classes in {result.modules} modules "
        f"({', '.join(result.packages)}); {len(findings)} findings"
        + (", most suspicious first" if len(findings) > 1 else ""),
        "",
    ]
    width = len(str(len(findings)))
    for number, finding in enumerate(findings, start=1):
        lines.append(f"{number:>{width}}. [{_label(finding)}] {summary_line(finding)}")
        lines += detail_lines(finding)
    if not findings:
        lines.append("No duplicates, competing implementations, parallel hierarchies or wrappers.")
    shown = [d for d in result.diagnostics if d.severity is not Severity.INFO]
    if shown:
        lines += ["", f"Diagnostics ({len(shown)}):"]
        lines += [f"  {line}" for d in shown for line in diagnostic_lines(d)]
    return "".join(visible(line) + "\n" for line in lines)


def _label(finding: Finding) -> str:
    if isinstance(finding, Family):
        return "competing" if finding.competing else "unimplemented"
    if isinstance(finding, Duplicate):
        return "duplicate"
    if isinstance(finding, Wrapper):
        return "wrapper"
    return "parallel"


def _class_to_dict(info: ClassInfo) -> dict[str, Any]:
    return {
        "qualname": info.qualname,
        "module": info.module,
        "file": info.file.as_posix(),
        "line": info.line,
    }


def families_to_dict(result: FamiliesResult) -> dict[str, Any]:
    """The JSON document: every list in rank order (most suspicious first, ties by name)."""
    report = result.report
    return {
        "version": JSON_VERSION,
        "duplicates": [
            {"name": d.name, "definitions": [_class_to_dict(i) for i in d.definitions]}
            for d in report.duplicates
        ],
        "families": [
            {
                "concept": f.concept,
                "classes": [{**_class_to_dict(c), "bases": list(c.bases)} for c in f.classes],
                "roots": [r.qualname for r in f.roots],
                "unimplemented_interfaces": [i.qualname for i in f.unimplemented_interfaces],
            }
            for f in report.families
        ],
        "parallel_hierarchies": [
            {
                "left": p.left.qualname,
                "right": p.right.qualname,
                "pairs": [[a.qualname, b.qualname] for a, b in p.pairs],
            }
            for p in report.parallel_hierarchies
        ],
        "wrappers": [
            {
                "qualname": w.wrapper.qualname,
                "wraps": w.wrapped.qualname,
                "forwarded_methods": list(w.forwarded_methods),
            }
            for w in report.wrappers
        ],
        "diagnostics": [diagnostic_to_dict(d) for d in result.diagnostics],
    }


def render_families_json(result: FamiliesResult) -> str:
    return json_text(families_to_dict(result))
