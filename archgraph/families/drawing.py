"""`archgraph render --families`: the families as a class diagram (kept apart from the
`families` use case, which draws nothing and need not load the drawing code)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from archgraph.families.classify import FamiliesQuery, is_excluded
from archgraph.families.classview import (
    DEFAULT_MAX_CLASSES,
    ClassView,
    ClassViewOptions,
    ContractMarks,
)
from archgraph.families.classview_build import build_class_view
from archgraph.families.diagram import class_diagram_source
from archgraph.families.usecases import class_analysis
from archgraph.model.classes import ClassModel
from archgraph.report.layout import DEFAULT_TIMEOUT, find_engine
from archgraph.rules.single_implementation import SingleImplementation
from archgraph.usecases.project import Progress, RunOptions, quiet
from archgraph.usecases.render import Rendered, laid_out

DEFAULT_CLASS_BUDGET = -1  # render_class_diagram's default: classview.DEFAULT_MAX_CLASSES classes


def render_class_diagram(
    root: Path,
    output_format: str,
    options: RunOptions = RunOptions(),
    query: FamiliesQuery | None = None,
    max_nodes: int | None = DEFAULT_CLASS_BUDGET,
    engine_choice: str = "auto",
    timeout: float | None = None,
    progress: Progress = quiet,
) -> Rendered[ClassView]:
    """`archgraph render --families`: role families and parallel hierarchies as a class diagram.

    `single-implementation` contracts of the configuration (those of `options.contract_ids`, if
    given) mark their canonical classes and violations. Test code and the modules of
    `query.exclude` are left out as `archgraph families` leaves them out: their violating classes
    are not drawn either, unless `query.include_tests` brings test code back.
    """

    query = query or FamiliesQuery()
    max_nodes = DEFAULT_MAX_CLASSES if max_nodes == DEFAULT_CLASS_BUDGET else max_nodes
    timeout = timeout or DEFAULT_TIMEOUT
    engine = None if output_format == "dot" else find_engine(engine_choice, output_format)
    analysis = class_analysis(root, options, query, progress)
    marks = [
        contract_marks(contract, analysis.classes, analysis.sources.files, query, analysis.sources.test_modules)
        for contract in analysis.project.contracts
        if isinstance(contract, SingleImplementation)
    ]
    packages = ", ".join(analysis.result.packages)
    view = build_class_view(
        analysis.result.report,
        analysis.classes,
        marks,
        ClassViewOptions(max_nodes, query.concept),
        title=f"class families of {packages}" + (f" named {query.concept}" if query.concept else ""),
    )
    test_code = analysis.result.report.test_code
    if test_code.modules and not test_code.included:
        view = replace(view, notes=(*view.notes, f"{test_code.amount()} not drawn (--include-tests)"))
    source = class_diagram_source(view)
    return laid_out(source, view, engine, output_format, timeout, progress, f"{len(view.nodes)} classes")


def contract_marks(
    contract: SingleImplementation,
    classes: ClassModel,
    modules: Collection[str],
    query: FamiliesQuery = FamiliesQuery(),
    test_modules: Collection[str] = (),
) -> ContractMarks:
    """The canonical class and the violating classes of a single-implementation contract (those
    in test code only with `query.include_tests`, none in the modules `query.exclude` names)."""

    def shown(qualname: str) -> bool:
        info = classes.get(qualname)
        module = info.module if info is not None else qualname.rpartition(".")[0]
        return (query.include_tests or module not in test_modules) and not is_excluded(module, query.exclude)

    result = contract.check_classes(classes, modules)
    return ContractMarks(
        contract=contract.id,
        concept=contract.concept,
        canonical=contract.canonical,
        canonical_found=classes.get(contract.canonical) is not None,
        violations=tuple((v.symbol, v.code) for v in result.violations if v.symbol and shown(v.symbol)),
    )
