"""import-linter configuration files translated as a whole: the session options become
archgraph's settings, each contract section an archgraph contract table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archgraph.config import Config, Settings
from archgraph.config.importlinter.contracts import TranslatedContract, translate_contract
from archgraph.config.importlinter.parsing import items
from archgraph.config.importlinter.reading import Section, Value, read_file
from archgraph.diagnostics import ConfigError, ConfigurationError
from archgraph.model.names import ModuleExpr
from archgraph.model.schema import did_you_mean

SESSION_OPTIONS = (
    "root_package",
    "root_packages",
    "include_external_packages",
    "exclude_type_checking_imports",
    "contract_types",
    "show_timings",
)


@dataclass(frozen=True, slots=True)
class Translation:
    """The archgraph equivalent of one or more import-linter configuration files."""

    files: tuple[Path, ...]
    settings: Mapping[str, Any]
    contracts: tuple[TranslatedContract, ...]
    settings_notes: Mapping[str, str] = field(default_factory=dict)

    def config(self) -> Config:
        defaults = Settings()
        settings = Settings(
            root_packages=tuple(self.settings["root_packages"]),
            source_roots=defaults.source_roots,
            include_external_packages=self.settings["include_external_packages"],
            exclude_type_checking_imports=self.settings["exclude_type_checking_imports"],
            include_namespace_dirs=self.settings["include_namespace_dirs"],
        )
        return Config(
            settings,
            tuple(c.table for c in self.contracts),
            self.files,
            source_format="import-linter",
        )


def _translate_session(table: Section, errors: list[ConfigError]) -> dict[str, Any]:
    """The settings; problems go to `errors`, and the settings are still usable to go on with."""
    options = table.options
    at = table.at
    for key in options:
        if key not in SESSION_OPTIONS:
            errors.append(at.error(key, "unrecognized option", did_you_mean(key, SESSION_OPTIONS)))
    if "contract_types" in options:
        errors.append(
            at.error(
                "contract_types",
                "custom import-linter contract types are Python classes archgraph will not "
                "import; port them to archgraph contract types (entry point group "
                "'archgraph.contracts') or remove them",
            )
        )
    raw_roots = options.get("root_packages", options.get("root_package"))
    key = "root_packages" if "root_packages" in options else "root_package"
    roots = items(raw_roots) if raw_roots is not None else []
    if not roots:
        errors.append(at.error(None, "missing required option 'root_packages' (or 'root_package')"))
    for root in roots:
        problem = ModuleExpr.problem(root)
        if problem or "*" in root:
            errors.append(at.error(key, f"'{root}' is not a package name"))
    # import-linter treats anything but "True"/"true" as false here, without complaint.
    flags = {
        name: _single_or_none(options.get(name)) in ("True", "true")
        for name in ("include_external_packages", "exclude_type_checking_imports")
    }
    return {
        "root_packages": roots,
        **flags,
        # grimp (and so import-linter) drops directories without __init__.py inside packages.
        "include_namespace_dirs": False,
    }


def _single_or_none(value: Value | None) -> str | None:
    return value if isinstance(value, str) else None


def translate(files: Sequence[Path]) -> Translation:
    """The archgraph equivalent of import-linter files; raise ConfigurationError with every problem."""
    errors: list[ConfigError] = []
    read = [found for path in files if (found := read_file(path, errors)) is not None]
    settings: dict[str, Any] | None = None
    contracts: list[TranslatedContract] = []
    seen_ids: dict[str, Path] = {}
    for document in read:
        file_settings = _translate_session(document.session, errors)
        if settings is not None and file_settings != settings:
            errors.append(
                document.session.at.error(
                    None,
                    "import-linter files read together must share root packages and graph "
                    f"options (these differ from {read[0].path.as_posix()})",
                )
            )
            continue
        settings = file_settings
        for table in document.contracts:
            translated = translate_contract(table, file_settings)
            if isinstance(translated, list):
                errors.extend(translated)
                continue
            contract_id = translated.table.data.get("id")
            if isinstance(contract_id, str):
                if contract_id in seen_ids:
                    errors.append(
                        table.at.error(
                            "id",
                            f"more than one contract has the id '{contract_id}' "
                            f"(also in {seen_ids[contract_id].as_posix()})",
                        )
                    )
                    continue
                seen_ids[contract_id] = document.path
            contracts.append(translated)
    if errors or settings is None:
        raise ConfigurationError(errors or [ConfigError(Path(files[0]), "", "no configuration")])
    return Translation(tuple(d.path for d in read), settings, tuple(contracts), _SETTINGS_NOTES)


_SETTINGS_NOTES = {
    "include_namespace_dirs": "import-linter (grimp) skips directories without __init__.py "
    "inside packages; set true to let archgraph analyze them (it may find new imports)",
}


def load(files: Sequence[Path]) -> Config:
    """import-linter configuration files as an archgraph Config."""
    return translate(files).config()
