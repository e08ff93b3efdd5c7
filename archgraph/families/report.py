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
    TestCode,
    Wrapper,
)
from archgraph.model.classes import ClassInfo, DefinitionKind
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


def _where(info: ClassInfo, tests: frozenset[str] = frozenset()) -> str:
    return f"{info.qualname}{_tags(info, tests)}  {info.location}"


def _tags(info: ClassInfo, tests: frozenset[str]) -> str:
    """` (abstract, fallback, test)`: what a listed class is, beside its name."""
    tags = ["abstract"] if info.abstract else []
    if info.definition_kind is not DefinitionKind.PRIMARY:
        tags.append(info.definition_kind.value)
    if info.module in tests:
        tags.append("test")
    return f" ({', '.join(tags)})" if tags else ""


def summary_line(finding: Finding) -> str:
    """The one-line explanation of a finding."""
    if isinstance(finding, Family):
        parts = []
        if finding.competing:
            parts.append(
                f"{finding.concept}: {len(finding.implementations)} independent implementations "
                f"(no common base class) sharing {_names(finding.shared_methods)}"
            )
        if finding.unimplemented_interfaces:
            names = _names([i.name for i in finding.unimplemented_interfaces])
            prefix = "; " if parts else f"{finding.concept}: "
            parts.append(f"{prefix}abstract {names} implemented by no class")
        return "".join(parts)
    if isinstance(finding, Duplicate):
        count = len(finding.definitions)
        modules = len({d.module for d in finding.definitions})
        relation = "not all from one base class" if finding.related else "with no common base class"
        where = f"in {count} modules" if modules == count else f"{count} times in {modules} modules"
        line = f"{finding.name} is defined {where}, {relation}"
        if finding.shared_methods:
            line += f"; {'both' if count == 2 else 'several'} define {_names(finding.shared_methods)}"
        if finding.shadows:
            shadows = len(finding.shadows)
            line += f"; and {shadows} same-name subclass{'es' if shadows > 1 else ''} shadow{'' if shadows > 1 else 's'} it"
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


def _family_details(family: Family, tests: frozenset[str]) -> list[str]:
    """Each independent implementation (numbered, as the headline counts them) with its
    subclasses, then the roots that do other jobs."""
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
    lines: list[str] = []
    implementations = family.implementations
    width = len(str(len(implementations)))
    for number, group in enumerate(implementations[:MAX_ROOTS_SHOWN], start=1):
        for index, root in enumerate(group):
            label = f"{number:>{width}})" if index == 0 else " " * (width + 1)
            lines.append(f"{INDENT}{label} {_where(root, tests)}")
            lines += _subtree(root.qualname, below, 1, tests)
    if len(implementations) > MAX_ROOTS_SHOWN:
        hidden = len(implementations) - MAX_ROOTS_SHOWN
        lines.append(f"{INDENT}... and {hidden} more implementations (--format json lists all)")
    others = family.other_roots
    if others:
        lines.append(f"{INDENT}other jobs (no public method in common with the above):")
        for root in others[:MAX_ROOTS_SHOWN]:
            lines.append(f"{INDENT}  {_where(root, tests)}")
            lines += _subtree(root.qualname, below, 2, tests)
        if len(others) > MAX_ROOTS_SHOWN:
            lines.append(f"{INDENT}  ... and {len(others) - MAX_ROOTS_SHOWN} more roots (--format json lists all)")
    for interface in family.unimplemented_interfaces:
        lines.append(f"{INDENT}not implemented: {_where(interface, tests)}")
    return lines


def _subtree(
    name: str, below: dict[str, list[ClassInfo]], depth: int, tests: frozenset[str]
) -> list[str]:
    children = sorted(below.get(name, []), key=lambda c: c.qualname)
    lines = []
    for child in children[:MAX_MEMBERS_SHOWN]:
        lines.append(f"{INDENT}{'  ' * depth}└ {_where(child, tests)}")
        if depth < 4:
            lines += _subtree(child.qualname, below, depth + 1, tests)
    if len(children) > MAX_MEMBERS_SHOWN:
        lines.append(f"{INDENT}{'  ' * depth}  ... and {len(children) - MAX_MEMBERS_SHOWN} more")
    return lines


def detail_lines(finding: Finding, tests: frozenset[str] = frozenset()) -> list[str]:
    if isinstance(finding, Family):
        return _family_details(finding, tests)
    if isinstance(finding, Duplicate):
        return [
            *(f"{INDENT}{_where(d, tests)}" for d in finding.definitions),
            *(f"{INDENT}{_where(d, tests)}" for d in finding.shadows),
        ]
    if isinstance(finding, Wrapper):
        return [
            f"{INDENT}{_where(finding.wrapper, tests)}",
            f"{INDENT}wraps {_where(finding.wrapped, tests)}",
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
    tests = report.test_modules
    for number, finding in enumerate(findings, start=1):
        label = _label(finding) + (", test code" if finding.in_tests else "")
        lines.append(f"{number:>{width}}. [{label}] {summary_line(finding)}")
        lines += detail_lines(finding, tests)
    if not findings:
        lines.append("No duplicates, competing implementations, parallel hierarchies or wrappers.")
    lines += test_code_lines(report.test_code)
    shown = [d for d in result.diagnostics if d.severity is not Severity.INFO]
    if shown:
        lines += ["", f"Diagnostics ({len(shown)}):"]
        lines += [f"  {line}" for d in shown for line in diagnostic_lines(d)]
    return "".join(visible(line) + "\n" for line in lines)


def test_code_lines(test_code: TestCode) -> list[str]:
    """What the report did with test code: left out (and how much), or ranked last."""
    if not test_code.modules:
        return []
    amount = test_code.amount()
    if test_code.included:
        return ["", f"Test code included: {amount}; its findings come after production's."]
    return ["", f"Left out test code: {amount} (--include-tests brings them back)."]


def _label(finding: Finding) -> str:
    if isinstance(finding, Family):
        return "competing" if finding.competing else "unimplemented"
    if isinstance(finding, Duplicate):
        return "duplicate"
    if isinstance(finding, Wrapper):
        return "wrapper"
    return "parallel"


def _class_to_dict(info: ClassInfo, tests: frozenset[str]) -> dict[str, Any]:
    return {
        "qualname": info.qualname,
        "module": info.module,
        "file": info.file.as_posix(),
        "line": info.line,
        "definition_kind": info.definition_kind.value,
        "in_tests": info.module in tests,
    }


def _qualname(info: ClassInfo | None) -> str | None:
    return info.qualname if info is not None else None


def families_to_dict(result: FamiliesResult) -> dict[str, Any]:
    """The JSON document: every list in rank order (production first, most suspicious first,
    ties by name)."""
    report = result.report
    tests = report.test_modules
    return {
        "version": JSON_VERSION,
        "test_code": {
            "modules": report.test_code.modules,
            "classes": report.test_code.classes,
            "included": report.test_code.included,
        },
        "duplicates": [
            {
                "name": d.name,
                "count": len(d.definitions),
                "definitions": [_class_to_dict(i, tests) for i in d.definitions],
                "shadows": [_class_to_dict(i, tests) for i in d.shadows],
                "canonical": _qualname(d.canonical),
                "in_tests": d.in_tests,
            }
            for d in report.duplicates
        ],
        "families": [
            {
                "concept": f.concept,
                "independent_implementations": len(f.implementations),
                "implementations": [
                    [_class_to_dict(root, tests) for root in group] for group in f.implementations
                ],
                "canonical": _qualname(f.canonical),
                "classes": [{**_class_to_dict(c, tests), "bases": list(c.bases)} for c in f.classes],
                "roots": [r.qualname for r in f.roots],
                "unimplemented_interfaces": [i.qualname for i in f.unimplemented_interfaces],
                "in_tests": f.in_tests,
            }
            for f in report.families
        ],
        "parallel_hierarchies": [
            {
                "left": p.left.qualname,
                "right": p.right.qualname,
                "pairs": [[a.qualname, b.qualname] for a, b in p.pairs],
                "in_tests": p.in_tests,
            }
            for p in report.parallel_hierarchies
        ],
        "wrappers": [
            {
                "qualname": w.wrapper.qualname,
                "wraps": w.wrapped.qualname,
                "forwarded_methods": list(w.forwarded_methods),
                "in_tests": w.in_tests,
            }
            for w in report.wrappers
        ],
        "diagnostics": [diagnostic_to_dict(d) for d in result.diagnostics],
    }


def render_families_json(result: FamiliesResult) -> str:
    return json_text(families_to_dict(result))
