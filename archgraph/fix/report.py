"""What `archgraph fix` prints: the diff (with --dry-run), the summary, the counts."""

from __future__ import annotations

from archgraph.diagnostics import visible
from archgraph.fix.usecase import FixOutcome


def render_fix(outcome: FixOutcome, show_diff: bool) -> str:
    lines: list[str] = []
    if show_diff:
        lines += [visible(line) for change in outcome.files for line in change.diff().splitlines()]
        if outcome.files:
            lines.append("")
    verb = "fixed" if outcome.written else "to fix"
    lines.append(
        f"{outcome.contract_id}: {outcome.fixed} import{'s' if outcome.fixed != 1 else ''} {verb} in "
        f"{len(outcome.files)} file{'s' if len(outcome.files) != 1 else ''}; "
        f"{len(outcome.left_alone) + len(outcome.refused)} left alone"
    )
    for item in (*outcome.refused, *outcome.left_alone):
        where = item.file.as_posix() if item.file else item.importer
        where += f":{item.line}" if item.line else ""
        lines.append(visible(f"  left alone: {where}  {item.importer} ({item.symbol}): {item.reason}"))
    if outcome.written:
        lines.append(f"violations: {outcome.violations_before} before, {outcome.violations_after} after")
        if outcome.baseline_pruned:
            lines.append(f"baseline: {outcome.baseline_pruned} entries the fix removed were pruned")
    elif not show_diff:
        lines.append(f"violations: {outcome.violations_before}")
    return "\n".join(lines) + "\n"
