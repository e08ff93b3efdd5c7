"""What each MCP tool answers, as data a JSON encoder takes: the same shapes as the command
line's JSON reports (`check --format json`, `families --format json`, `audit --format json`),
so an agent reads one format whichever way it asks."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from archgraph.diagnostics import ArchgraphError
from archgraph.model.schema import did_you_mean
from archgraph.report.json import run_to_dict
from archgraph.rules.catalog import contract_positions
from archgraph.usecases.live import LiveCheck, restricted_to
from archgraph.usecases.project import RunOptions


class Tools:
    """The project's answers; `check` and `why` from a live check kept warm between calls."""

    def __init__(self, root: Path, options: RunOptions = RunOptions()) -> None:
        self.root = root.resolve()
        self.options = options
        self.live = LiveCheck(self.root, options)

    def check(self, files: Sequence[str] = ()) -> dict[str, Any]:
        """Every contract's verdict; with `files` (relative to the project, or absolute), only
        the violations changes to them can cause, as `check --affected` reports them."""
        # An agent edits the tree between calls, unseen: the files are stat-ed again (a walk),
        # and only those whose stamp changed are read again.
        self.live.files_added_or_removed()
        self.live.configuration_changed()
        live = self.live.run()
        result = restricted_to(live, [self._path(f) for f in files]) if files else live.result
        return run_to_dict(result)

    def why(self, importer: str, imported: str) -> dict[str, Any]:
        """The shortest import chains from importer to imported, each step with its lines."""
        from archgraph.usecases.why import chains_in  # noqa: PLC0415

        self.live.files_added_or_removed()
        model = self.live.run().model
        chains = chains_in(model, importer, imported)
        return {
            "importer": importer,
            "imported": imported,
            "chains": [
                [{"importer": s.importer, "imported": s.imported, "lines": list(s.lines)} for s in chain]
                for chain in chains
            ],
        }

    def families(self, concept: str | None = None) -> dict[str, Any]:
        """Duplicate classes, competing implementations, parallel hierarchies and wrappers."""
        from archgraph.families.classify import FamiliesQuery  # noqa: PLC0415
        from archgraph.families.report import families_to_dict  # noqa: PLC0415
        from archgraph.families.usecases import families  # noqa: PLC0415

        return _plain(families_to_dict(families(self.root, self.options, FamiliesQuery(concept))))

    def audit(self, concept: str | None = None) -> dict[str, Any]:
        """One single-source-of-truth scorecard per concept (`archgraph audit`)."""
        from archgraph.audit.report import audit_to_dict  # noqa: PLC0415
        from archgraph.audit.usecase import audit  # noqa: PLC0415

        return _plain(audit_to_dict(audit(self.root, self.options, concept=concept)))

    def explain_contract(self, contract_id: str) -> dict[str, Any]:
        """A contract as written (its table, file and line), its hint, and what it allows."""
        self.live.configuration_changed()
        project = self.live.project
        positions = contract_positions(project.config.contracts)
        tables = {p: t for t in project.config.contracts for p, at in positions.items() if at is t.at}
        contracts = {c.id: c for c in project.contracts}
        if contract_id not in contracts or contract_id not in tables:
            hint = did_you_mean(contract_id, contracts)
            raise ArchgraphError(
                f"unknown contract id '{contract_id}'"
                + (f" (did you mean '{hint}'?)" if hint else "")
                + f"; known ids: {', '.join(sorted(contracts))}"
            )
        contract, table = contracts[contract_id], tables[contract_id]
        return {
            "id": contract.id,
            "name": contract.name,
            "type": contract.kind,
            "file": _shown(table.at.file, project.root),
            "line": table.at.line,
            "text": _table_text(table.at.file, table.at.line),
            "table": _plain(dict(table.data)),
            "hint": getattr(contract, "hint", None),
            "allowed": allowed(contract.kind, table.data),
        }

    def _path(self, file: str) -> Path:
        path = Path(file)
        return (path if path.is_absolute() else self.root / path).resolve()


def allowed(kind: str, table: Mapping[str, Any]) -> list[str]:
    """What the contract leaves allowed, in words an agent can act on."""

    def names(key: str) -> str:
        value = table.get(key, ())
        return ", ".join(str(v) for v in ([value] if isinstance(value, str) else value))

    if kind == "layers":
        layers = [str(layer) for layer in table.get("layers", ())]
        within = f" (within {names('containers')})" if table.get("containers") else ""
        said = [
            f"{layer} may import {', '.join(layers[index + 1 :])}{within}"
            for index, layer in enumerate(layers[:-1])
        ]
        return [*said, "a lower layer never imports a higher one, directly or indirectly"]
    if kind == "forbidden":
        return [f"{names('source_modules')} may import anything but {names('forbidden_modules')}"]
    if kind == "protected":
        importers = names("allowed_importers") or "no module"
        return [f"only {importers} may import {names('modules')}"]
    if kind == "independence":
        return [f"{names('modules')} may be imported by others, but not by one another"]
    if kind == "acyclic":
        return [f"imports between the packages of {names('packages')} go one way, never round"]
    if kind == "single-implementation":
        return ["extend or reuse the canonical implementation instead of writing another one"]
    return []


def _table_text(file: Path, line: int | None) -> str | None:
    """The table as written: from its header line to the next table's (comments above the
    next table's header go with it)."""
    if line is None:
        return None
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    end = line
    while end < len(lines) and not lines[end].lstrip().startswith("["):
        end += 1
    while end > line and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return "\n".join(lines[line - 1 : end])


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` as JSON has it (tuples become lists, paths strings)."""
    plain: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return plain
