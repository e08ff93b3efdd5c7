"""`archgraph why`: the shortest import chains between two modules, with their lines."""

from __future__ import annotations

from pathlib import Path

from archgraph.diagnostics import ArchgraphError, ImportStep
from archgraph.model import ArchModel
from archgraph.model.names import is_within
from archgraph.model.schema import did_you_mean
from archgraph.usecases.project import RunOptions
from archgraph.usecases.scanning import build_model


def why_chains(
    root: Path, importer: str, imported: str, options: RunOptions = RunOptions()
) -> list[tuple[ImportStep, ...]]:
    """`archgraph why`: the shortest import chains from importer to imported, with lines."""
    _project, outcome, _notes = build_model(root, options)
    return chains_in(outcome.model, importer, imported)


def chains_in(model: ArchModel, importer: str, imported: str) -> list[tuple[ImportStep, ...]]:
    """The shortest import chains from importer to imported in a scanned model, with lines."""
    for module in (importer, imported):
        if not model.contains(module):
            hint = did_you_mean(module, model.sorted_modules)
            raise ArchgraphError(
                f"module '{module}' is not in the graph" + (f" (did you mean '{hint}'?)" if hint else "")
            )
    if importer == imported:
        raise ArchgraphError(f"'{importer}' is both the importer and the imported module")
    # grimp refuses package-wide chains between a package and its own descendant
    # ("Modules have shared descendants"); ask about those two modules alone instead.
    nested = is_within(importer, imported) or is_within(imported, importer)
    chains = model.shortest_chains(importer, imported, as_packages=not nested)
    return [model.steps(chain) for chain in chains]
