"""`archgraph convert-importlinter`: import-linter's contracts written as archgraph TOML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Conversion:
    """The archgraph contract file for the import-linter configuration under `root`, and where
    it goes (None: standard output)."""

    root: Path
    text: str
    target: Path | None


def conversion(path: Path, output: Path | None = None, force: bool = False) -> Conversion:
    """`archgraph convert-importlinter PATH [-o OUTPUT] [--force]`: path is a folder, or an
    import-linter file; the output defaults to PATH/contracts/architecture.toml, `-` is stdout.

    Raises:
        ArchgraphError: no configuration found, or the target exists and `force` is not given.
        ConfigurationError: the translated contracts are not valid.
    """
    root, files = (path.parent, (path,)) if path.is_file() else (path, ())
    text = convert_importlinter(root, files)
    target = output or root / "contracts" / "architecture.toml"
    if str(target) == "-":
        return Conversion(root, text, None)
    if target.exists() and not force:
        raise ArchgraphError(f"{target} exists; pass --force to overwrite it, or -o another file")
    return Conversion(root, text, target)
