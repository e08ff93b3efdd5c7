"""`archgraph render --families --concept GLOB`: the concept view of the audit's scorecard."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from archgraph.audit.diagram import ConceptView, concept_source, concept_view
from archgraph.audit.usecase import audit_analysis
from archgraph.diagnostics import ArchgraphError
from archgraph.report.layout import DEFAULT_TIMEOUT, find_engine
from archgraph.usecases.project import Progress, RunOptions, quiet
from archgraph.usecases.render import Rendered, laid_out


def render_concept(
    root: Path,
    output_format: str,
    concept: str,
    options: RunOptions = RunOptions(),
    include_tests: bool = False,
    engine_choice: str = "auto",
    timeout: float | None = None,
    progress: Progress = quiet,
    exclude: Sequence[str] = (),
) -> Rendered[ConceptView]:
    """The scorecard of the concept `concept` names (the first, most important, when several
    match; the others are named in the notes) drawn as its concept view; `exclude` as for
    `archgraph families`."""
    engine = None if output_format == "dot" else find_engine(engine_choice, output_format)
    analysis = audit_analysis(root, options, progress, concept)
    cards = analysis.audit.scorecards
    if not cards:
        raise ArchgraphError(
            f"no concept matches '{concept}': the concepts are the competing production families "
            "(`archgraph families`) and the single-implementation and protected-symbol contracts "
            "(`archgraph audit` lists them)"
        )
    view = concept_view(cards[0], analysis.sites, analysis.wrappers, include_tests, exclude)
    if len(cards) > 1:
        others = ", ".join(card.concept for card in cards[1:])
        view = ConceptView(view.card, view.boxes, view.importers, view.wrappers,
                           (*view.notes, f"'{concept}' also matches {others}: name one to draw it"))
    return laid_out(concept_source(view), view, engine, output_format, timeout or DEFAULT_TIMEOUT,
                    progress, f"{view.node_count} boxes")
