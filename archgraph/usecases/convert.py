"""`archgraph convert-importlinter`: import-linter's contracts written as archgraph TOML."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from archgraph.diagnostics import ArchgraphError, ConfigurationError
from archgraph.rules import build_contracts
from archgraph.usecases.project import checked_root


def convert_importlinter(root: Path, files: Sequence[Path] = ()) -> str:
    """`archgraph convert-importlinter`: the archgraph contract file equivalent to import-linter's."""
    from archgraph.config import importlinter  # noqa: PLC0415

    found = list(files) or [f for f in [importlinter.discover(checked_root(root))] if f]
    if not found:
        raise ArchgraphError(f"no import-linter configuration found under {root}")
    missing = [f for f in found if not f.is_file()]
    if missing:
        raise ArchgraphError(f"configuration file not found: {', '.join(map(str, missing))}")
    translation = importlinter.translate(found)
    _contracts, errors = build_contracts(translation.config().contracts)
    if errors:
        raise ConfigurationError(errors)
    return importlinter.render_toml(translation)
