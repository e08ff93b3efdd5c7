"""Report formats by name: each renders a RunResult to text; the CLI picks them from here."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from archgraph.diagnostics import ArchgraphError
from archgraph.results import RunResult

Renderer = Callable[[RunResult], str]


class ReportFormat(NamedTuple):
    """A renderer, named by module and function so that it is imported only when used."""

    name: str
    module: str
    function: str
    file_name: str  # the file it is written to with --output-dir
    description: str
    takes_workspace: bool = False  # file paths relative to the working directory (GitHub's)

    def render(self, result: RunResult, workspace: Path | None = None) -> str:
        renderer = getattr(importlib.import_module(self.module), self.function)
        if self.takes_workspace:
            return str(renderer(result, workspace))
        return str(renderer(result))


FORMATS: dict[str, ReportFormat] = {
    spec.name: spec
    for spec in (
        ReportFormat("text", "archgraph.report.text", "render_text", "report.txt", "for people"),
        ReportFormat("json", "archgraph.report.json", "render_json", "report.json", "stable keys"),
        ReportFormat(
            "sarif", "archgraph.report.sarif", "render_sarif", "report.sarif", "SARIF 2.1.0"
        ),
        ReportFormat(
            "junit", "archgraph.report.junit", "render_junit", "report.junit.xml", "JUnit XML"
        ),
        ReportFormat(
            "github",
            "archgraph.report.github",
            "render_github",
            "report.github.txt",
            "GitHub Actions annotations",
            takes_workspace=True,
        ),
        ReportFormat(
            "markdown",
            "archgraph.report.markdown",
            "render_markdown",
            "report.md",
            "pull-request comments and CI step summaries",
            takes_workspace=True,
        ),
    )
}


def render(result: RunResult, format_name: str, workspace: Path | None = None) -> str:
    return FORMATS[format_name].render(result, workspace)


class PlannedReport(NamedTuple):
    """One report to produce: its format, and its file (None: standard output)."""

    format_name: str
    path: Path | None


def plan_reports(
    format_names: Sequence[str], output: Path | None, output_dir: Path | None
) -> list[PlannedReport]:
    """Where each requested format goes; a combination that cannot work is a usage error.

    One format goes to standard output, or to `output`; with `output_dir` each format goes to
    its own file there (report.txt, report.sarif...), so CI runs the analysis once.
    """
    names = list(dict.fromkeys(format_names or ["text"]))  # repeated formats: once each
    unknown = [name for name in names if name not in FORMATS]
    if unknown:
        raise ArchgraphError(
            f"unknown report format {', '.join(unknown)} (known: {', '.join(FORMATS)})"
        )
    if output is not None and output_dir is not None:
        raise ArchgraphError("give either --output FILE or --output-dir DIR, not both")
    if output_dir is not None:
        if output_dir.exists() and not output_dir.is_dir():
            raise ArchgraphError(f"--output-dir {output_dir} exists and is not a directory")
        return [PlannedReport(name, output_dir / FORMATS[name].file_name) for name in names]
    if len(names) > 1:
        raise ArchgraphError(
            f"{len(names)} formats ({', '.join(names)}) need --output-dir DIR (one file each)"
        )
    return [PlannedReport(names[0], output)]
