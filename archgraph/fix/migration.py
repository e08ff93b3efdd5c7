"""`archgraph fix --contract ID --plan`: a migration plan for a single-implementation contract.

The audit's scorecard of the contract's concept, turned into steps: each step moves one
package's bypassing import sites to the canonical class. Any such step raises the compliance
(a bypassing site becomes canonical), so the steps go by size, the package with most sites
first, and each says the figure it leaves. Class bodies are never rewritten: what to change in
each importer is named, with its file and line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from archgraph.audit.diagram import package_of
from archgraph.audit.scorecards import Scorecard, Site, Standing
from archgraph.report.markdown import code, escape
from archgraph.report.text import format_percent


@dataclass(frozen=True, slots=True)
class Step:
    package: str
    sites: tuple[Site, ...]
    compliance_after: float


def steps(card: Scorecard) -> tuple[Step, ...]:
    """One step per package holding bypassing sites, most sites first (then by name)."""
    by_package: dict[str, list[Site]] = {}
    for site in card.bypassing:
        by_package.setdefault(package_of(site.importer), []).append(site)
    order = sorted(by_package, key=lambda p: (-len(by_package[p]), p))
    moved = 0
    found = []
    for package in order:
        moved += len(by_package[package])
        share = (card.canonical_sites + moved) / card.counted_sites if card.counted_sites else 1.0
        found.append(Step(package, tuple(by_package[package]), share))
    return tuple(found)



def render_plan(card: Scorecard) -> str:
    """The plan as markdown."""
    competing = [i for i in card.implementations if i.standing is Standing.COMPETING]
    lines = [
        f"# Migration plan: {escape(card.concept)} (contract {code(card.contract_id or '-')})",
        "",
        f"Canonical class: {code(card.canonical or '-')}. Compliance today: "
        f"{format_percent(card.compliance)} ({card.canonical_sites} canonical of {card.counted_sites} "
        f"import sites; {card.test_sites} in tests, not counted).",
        "",
        "## Competing implementations",
        "",
        "| class | where | built on | import sites | calls | top importers |",
        "|---|---|---|---:|---:|---|",
    ]
    lines += [
        f"| {code(i.qualname)} | {escape(str(i.location))} | {escape(i.built_on or '-')} | {i.import_sites} | "
        f"{i.instantiations} | {escape(', '.join(f'{m} ({n})' for m, n in i.top_importers) or '-')} |"
        for i in competing
    ]
    plan = steps(card)
    lines += ["", "## Steps", ""]
    if not plan:
        lines.append("No import site bypasses the canonical class: what is left is removing the competing classes.")
    for number, step in enumerate(plan, start=1):
        obtained = Counter(site.obtains.rpartition(".")[2] for site in step.sites)
        lines += [
            f"### {number}. {code(step.package)}: {len(step.sites)} site{'s' if len(step.sites) != 1 else ''} "
            f"(compliance after: {format_percent(step.compliance_after)})",
            "",
            f"Use {code((card.canonical or '').rpartition('.')[2])} instead of "
            + ", ".join(f"{code(name)} ({count})" for name, count in sorted(obtained.items()))
            + ":",
            "",
        ]
        lines += [
            f"- {escape(str(site.location or site.importer))}: {code(site.importer)} imports {code(site.obtains)}"
            + (f" ({site.import_kind})" if site.import_kind != "runtime" else "")
            for site in step.sites
        ]
        lines.append("")
    lines += [
        "Then remove the competing classes nothing imports any more; archgraph does not rewrite class bodies.",
        "",
    ]
    return "\n".join(lines)
