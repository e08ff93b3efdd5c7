"""`archgraph trend` outputs: JSON (stable, sorted), CSV (one row per commit), an SVG chart, and
an offline HTML page (the chart inline plus the table).

The chart is drawn with matplotlib, imported only when a chart is asked for: line charts with
gaps, integer axes and legends are what it does well, and its SVG backend needs no display.
Each series carries an id (`violations:<contract>`, `compliance:<contract>`,
`implementations:<concept>`), so the SVG can be inspected or styled per series.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from archgraph.report.text import format_percent
from archgraph.trend.points import CommitPoint, ContractPoint, FamilyPoint, Trend

if TYPE_CHECKING:
    from matplotlib.axes import Axes

JSON_VERSION = 1
NOT_AVAILABLE = "n/a"
TREND_FORMATS = ("html", "svg", "json", "csv")
MAX_FAMILIES_CHARTED = 8  # more lines than this make the panel unreadable; the table has all
MAX_CONCEPT_FAMILIES_CHARTED = 20  # with --concept the user chose them: chart (nearly) all
MAX_TICK_LABELS = 30
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SVG_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)


def render_trend(trend: Trend, output_format: str) -> str:
    """The trend in one of TREND_FORMATS."""
    renderers: dict[str, Callable[[Trend], str]] = {
        "json": render_trend_json,
        "csv": render_trend_csv,
        "svg": render_trend_svg,
        "html": render_trend_html,
    }
    return renderers[output_format](trend)


# --- JSON ------------------------------------------------------------------------------------


def render_trend_json(trend: Trend) -> str:
    return json.dumps(trend_to_dict(trend), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def trend_to_dict(trend: Trend) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "revisions": trend.revisions,
        "first_parent": trend.first_parent,
        "families_analyzed": trend.families_analyzed,
        "concept": trend.concept,
        "every": trend.every,
        "commits_in_range": trend.commits_in_range,
        "judged_by": {"config_files": list(trend.config_files), "note": trend.note},
        "contracts": [
            {"id": c.contract_id, "name": c.name, "type": c.kind} for c in trend.contracts
        ],
        "commits": [_point_to_dict(point) for point in trend.points],
    }


def _point_to_dict(point: CommitPoint) -> dict[str, Any]:
    return {
        "sha": point.commit.sha,
        "date": point.commit.date,
        "subject": point.commit.subject,
        "modules": point.modules,
        "scan_problems": point.scan_problems,
        "unavailable": point.unavailable,
        "same_as": point.same_as,
        "skipped": list(point.skipped),
        "contracts": {c.contract_id: _contract_to_dict(c) for c in point.contracts},
        "families": {f.concept: _family_to_dict(f) for f in point.families},
    }


def _contract_to_dict(point: ContractPoint) -> dict[str, Any]:
    return {
        "violations": point.violations,
        "governed": point.governed,
        "respecting": point.respecting,
        "compliance": point.compliance,
        "unavailable": point.unavailable,
        # Against the previous commit where the contract was judged; null at the first one.
        "new": None if point.new is None else len(point.new),
        "fixed": None if point.fixed is None else len(point.fixed),
        "new_violations": None if point.new is None else [k.as_dict() for k in point.new],
        "fixed_violations": None if point.fixed is None else [k.as_dict() for k in point.fixed],
    }


def _family_to_dict(point: FamilyPoint) -> dict[str, int]:
    return {"implementations": point.implementations, "roots": point.roots, "classes": point.classes}


# --- CSV -------------------------------------------------------------------------------------


def render_trend_csv(trend: Trend) -> str:
    """One row per commit; `n/a` where a contract could not be judged, empty where a family
    does not compete at that commit."""
    concepts = trend.concepts
    header = ["sha", "date", "subject", "modules", "scan_problems", "unavailable"]
    for spec in trend.contracts:
        header += [f"violations:{spec.contract_id}", f"new:{spec.contract_id}",
                   f"fixed:{spec.contract_id}", f"compliance:{spec.contract_id}"]
    for concept in concepts:
        header += [f"implementations:{concept}", f"roots:{concept}", f"classes:{concept}"]
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    # csv quotes a field only for the characters of its line terminator: a lone CR in a
    # subject would end the row for every reader. Such a row is written with every field quoted.
    quoted = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for point in trend.points:
        row: list[object] = [
            point.commit.sha,
            point.commit.date,
            _inert(point.commit.subject),
            _or_na(point.modules),
            _or_na(point.scan_problems),
            _inert(point.unavailable or ""),
        ]
        for spec in trend.contracts:
            contract = point.contract(spec.contract_id)
            if contract is None or not contract.available:
                row += [NOT_AVAILABLE] * 4
                continue
            compliance = contract.compliance
            row += [contract.violations, _count(contract.new), _count(contract.fixed),
                    "" if compliance is None else f"{compliance:.6f}"]
        for concept in concepts:
            family = point.family(concept)
            row += [family.implementations, family.roots, family.classes] if family else ["", "", ""]
        (quoted if any("\r" in str(cell) for cell in row) else writer).writerow(row)
    return stream.getvalue()


def _inert(text: str) -> str:
    """Text from the history as a spreadsheet shows it, never runs it: a cell that starts with
    '=', '+', '-', '@', a tab or a carriage return is a formula to Excel and LibreOffice
    (`=HYPERLINK(...)` in a commit subject), so it gets a leading quote, as OWASP advises."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _or_na(value: int | None) -> object:
    return NOT_AVAILABLE if value is None else value


def _count(keys: Sequence[object] | None) -> object:
    """How many; empty at the first commit a contract was judged (nothing to compare with)."""
    return "" if keys is None else len(keys)


# --- SVG chart -------------------------------------------------------------------------------


def charted_concepts(trend: Trend) -> tuple[str, ...]:
    """The families drawn: the most implementations at any commit first, at most a handful."""
    peak: dict[str, int] = {}
    for point in trend.points:
        for family in point.families:
            peak[family.concept] = max(peak.get(family.concept, 0), family.implementations)
    ranked = sorted(peak, key=lambda concept: (-peak[concept], concept))
    limit = MAX_FAMILIES_CHARTED if trend.concept is None else MAX_CONCEPT_FAMILIES_CHARTED
    return tuple(ranked[:limit])


def render_trend_svg(trend: Trend) -> str:
    """Violations per contract, compliance per contract and (when any) competing families."""
    import matplotlib  # noqa: PLC0415 - heavy: only the chart formats import it
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    points = trend.points
    positions = list(range(len(points)))
    concepts = charted_concepts(trend)
    panels = 4 if concepts else 3
    palette = [matplotlib.colormaps["tab10"](i % 10) for i in range(max(len(trend.contracts), len(concepts), 1))]
    with matplotlib.rc_context(
        {
            "svg.hashsalt": "archgraph-trend",  # stable ids: the same trend gives the same file
            "svg.fonttype": "none",  # text stays text: searchable, far smaller than glyph paths
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        width = min(max(8.0, 4.0 + 0.3 * len(points)), 24.0)
        figure = Figure(figsize=(width, 2.6 * panels + 0.8), layout="constrained")
        axes = figure.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
        for color, spec in zip(palette, trend.contracts, strict=False):
            series = [point.contract(spec.contract_id) for point in points]
            _plot(axes[0], positions, [_number(c.violations if c else None) for c in series],
                  color, _literal(spec.contract_id), f"violations:{spec.contract_id}")
            _plot(axes[1], positions,
                  [_number(None if c is None or c.compliance is None else 100 * c.compliance) for c in series],
                  color, _literal(spec.contract_id), f"compliance:{spec.contract_id}")
        axes[0].set_ylabel("violations")
        axes[0].yaxis.set_major_locator(MaxNLocator(integer=True))
        peak = max((c.violations or 0 for p in points for c in p.contracts), default=0)
        axes[0].set_ylim(0, max(peak, 1) * 1.08)  # no violations at all: a flat line at 0, not 0..0.05
        _plot_changes(axes[2], trend, palette)
        axes[1].set_ylabel("compliance (%)")
        lowest = min((100 * c.compliance for p in points for c in p.contracts if c.compliance is not None),
                     default=0.0)
        # From a round value below the lowest compliance, so that small moves near 100% show.
        axes[1].set_ylim(max(0.0, math.floor((lowest - 5) / 10) * 10) - 1, 101)
        if concepts:
            for color, concept in zip(palette, concepts, strict=False):
                values = [_number(f.implementations if (f := p.family(concept)) else None) for p in points]
                _plot(axes[3], positions, values, color, _literal(concept), f"implementations:{concept}")
            axes[3].set_ylabel("independent\nimplementations")
            axes[3].yaxis.set_major_locator(MaxNLocator(integer=True))
            axes[3].set_ylim(0, max(f.implementations for p in points for f in p.families) * 1.08)
            hidden = len(trend.concepts) - len(concepts)
            title = "competing families" + (f" ({len(concepts)} largest of {len(trend.concepts)})" if hidden else "")
            if trend.concept is not None:
                title += _literal(f", classes named {trend.concept}")
            axes[3].set_title(title, loc="left", fontsize=9)
        axes[0].set_title("violations per contract", loc="left", fontsize=9)
        axes[1].set_title("compliance per contract", loc="left", fontsize=9)
        for ax in axes:
            ax.grid(True, axis="y", linewidth=0.4, alpha=0.5)
            if ax.lines:
                ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        _label_commits(axes[-1], points)
        figure.suptitle(
            _literal(f"archgraph trend {trend.revisions}: {len(points)} of {trend.commits_in_range} commits")
            + "\n" + _literal(trend.note),
            fontsize=9,
        )
        stream = io.StringIO()
        figure.savefig(stream, format="svg", metadata={"Date": None})
    return stream.getvalue()


def _plot_changes(axes: Axes, trend: Trend, palette: Sequence[Any]) -> None:
    """New violations as bars above zero and fixed ones below, side by side per contract."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: PLC0415 - only the charts

    contracts = trend.contracts
    width = 0.8 / max(len(contracts), 1)
    peak = 1
    for index, (color, spec) in enumerate(zip(palette, contracts, strict=False)):
        x = [i - 0.4 + width * (index + 0.5) for i in range(len(trend.points))]
        series = [point.contract(spec.contract_id) for point in trend.points]
        new = [len(c.new) if c is not None and c.new is not None else 0 for c in series]
        fixed = [-len(c.fixed) if c is not None and c.fixed is not None else 0 for c in series]
        peak = max(peak, *new, *(-f for f in fixed))
        ups = axes.bar(x, new, width=width, color=color, label=_literal(spec.contract_id))
        downs = axes.bar(x, fixed, width=width, color=color, alpha=0.45, hatch="//")
        for position, (up, down) in enumerate(zip(ups.patches, downs.patches, strict=True)):
            up.set_gid(f"new:{spec.contract_id}:{position}")  # one bar per commit, ids unique
            down.set_gid(f"fixed:{spec.contract_id}:{position}")
    axes.axhline(0, color="#444", linewidth=0.6)
    axes.set_ylim(-peak * 1.1, peak * 1.1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{abs(value):g}"))  # counts
    axes.set_ylabel("new (up)\nfixed (down)")
    axes.set_title("new and fixed violations per commit", loc="left", fontsize=9)


def _literal(text: str) -> str:
    """Text matplotlib shows as written: a pair of `$` (a contract id `x$^^$`) would start
    mathtext, which fails on most such text after every commit was measured."""
    return text.replace("$", r"\$")


def _number(value: float | None) -> float:
    """NaN for a missing value: matplotlib leaves a gap there instead of drawing through it."""
    return math.nan if value is None else float(value)


def _plot(axes: Axes, x: Sequence[int], y: Sequence[float], color: Any, label: str, gid: str) -> None:
    (line,) = axes.plot(x, y, marker="o", markersize=3, linewidth=1.4, color=color, label=label)
    line.set_gid(gid)


def _label_commits(axes: Axes, points: Sequence[CommitPoint]) -> None:
    """Short shas under the commits, thinned so that at most MAX_TICK_LABELS show."""
    step = max(1, math.ceil(len(points) / MAX_TICK_LABELS))
    shown = list(range(0, len(points), step))
    if points and shown[-1] != len(points) - 1:
        shown.append(len(points) - 1)
    axes.set_xticks(shown, [points[i].commit.sha[:7] for i in shown], rotation=60, ha="right",
                    fontfamily="monospace")
    axes.set_xlim(-0.5, max(len(points) - 0.5, 0.5))
    axes.set_xlabel("commit (oldest first)")


# --- HTML ------------------------------------------------------------------------------------

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .3em; }
p.note { color: #555; margin: 0 0 1em; }
figure { margin: 0 0 1.5em; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; position: sticky; top: 0; }
td.text, th.text { text-align: left; }
td.subject { white-space: normal; min-width: 16em; max-width: 32em; }
td.na { color: #999; }
td.broken { color: #b00020; }
td code { font-size: 12px; }
"""


def render_trend_html(trend: Trend) -> str:
    """One self-contained page: no script, no network (the Content Security Policy says so)."""
    chart = _SVG_PROLOG.sub("", render_trend_svg(trend), count=1)
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    title = f"archgraph trend {trend.revisions}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
            f"<title>{escape(title)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            f"<h1>{escape(title)}</h1>",
            f'<p class="note">{escape(_summary(trend))}</p>',
            f"<figure>{chart}</figure>",
            _table(trend),
            "</body>",
            "</html>",
            "",
        ]
    )


def _summary(trend: Trend) -> str:
    sampled = f", one in {trend.every} and the last" if trend.every > 1 else ""
    parents = ", first parents only" if trend.first_parent else ""
    return (
        f"{len(trend.points)} of {trend.commits_in_range} commits{sampled}{parents}; "
        f"{trend.note}. n/a: the contract names modules that do not exist at that commit."
    )


def _table(trend: Trend) -> str:
    concepts = trend.concepts
    header = ['<th class="text">commit</th>', '<th class="text">date</th>',
              '<th class="text">subject</th>', "<th>modules</th>"]
    header += [f'<th title="{escape(c.name)}">{escape(c.contract_id)}<br>violations (new, fixed) · compliance</th>'
               for c in trend.contracts]
    header += [f"<th>{escape(concept)}<br>implementations</th>" for concept in concepts]
    rows = ["<table>", "<thead><tr>" + "".join(header) + "</tr></thead>", "<tbody>"]
    for point in trend.points:
        cells = [
            f'<td class="text"><code title="{escape(point.commit.sha)}">{escape(point.commit.sha[:10])}</code></td>',
            f'<td class="text">{escape(point.commit.date[:10])}</td>',
            f'<td class="text subject">{escape(point.commit.subject)}</td>',
            _cell(None if point.modules is None else str(point.modules), point.unavailable),
        ]
        for spec in trend.contracts:
            contract = point.contract(spec.contract_id)
            if contract is None or not contract.available:
                reason = contract.unavailable if contract else None
                cells.append(_cell(None, reason))
                continue
            changes = "" if contract.new is None or contract.fixed is None else (
                f" (+{len(contract.new)}, -{len(contract.fixed)})"
            )
            text = f"{contract.violations}{changes} · {format_percent(contract.compliance)}"
            cells.append(f'<td class="{"broken" if contract.violations else "kept"}">{escape(text)}</td>')
        for concept in concepts:
            family = point.family(concept)
            cells.append(f"<td>{family.implementations}</td>" if family else '<td class="na">–</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    rows += ["</tbody>", "</table>"]
    return "\n".join(rows)


def _cell(text: str | None, reason: str | None) -> str:
    if text is not None:
        return f"<td>{escape(text)}</td>"
    title = f' title="{escape(reason)}"' if reason else ""
    return f'<td class="na"{title}>{NOT_AVAILABLE}</td>'
