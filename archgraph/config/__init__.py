"""Configuration: discover files, read TOML, validate the settings table, keep contract tables.

Contract tables stay raw here (with their positions); `rules` turns them into contracts.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from archgraph.diagnostics import ConfigError, ConfigurationError, ViolationsInTests
from archgraph.links import leaves, read_input
from archgraph.model.names import ModuleExpr
from archgraph.model.schema import (
    ContractTable,
    TablePosition,
    did_you_mean,
    from_table,
    type_name,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """The `[archgraph]` / `[tool.archgraph]` table."""

    root_packages: tuple[str, ...] = ()
    source_roots: tuple[str, ...] = (".", "src")
    exclude: tuple[ModuleExpr, ...] = ()
    include_external_packages: bool = False
    exclude_type_checking_imports: bool = False
    include_namespace_dirs: bool = True
    # `importlib.import_module("pkg.x")` with a literal name: always noted (AG210); with true,
    # also an import of the graph that contracts rule on.
    include_dynamic_imports: bool = False
    baseline: Path | None = None  # baseline file of known violations, relative to PATH
    fail_on_stale: bool = False  # stale baseline entries and unused ignores fail the run
    # A file larger than this is read by the import scanner only (AG222): parsing a 30 MB
    # module for its classes took gigabytes of memory.
    max_file_bytes: int = 5_000_000
    # Violations whose importer is test code: "fail" the run (default) or "report" them only;
    # a contract table's own `test_violations` overrides it for that contract.
    test_violations: ViolationsInTests = ViolationsInTests.FAIL
    # A production module that no contract governs fails the run (`check` lists them all).
    require_coverage: bool = False


class Config(NamedTuple):
    settings: Settings
    contracts: tuple[ContractTable, ...]
    files: tuple[Path, ...] = ()
    source_format: str = "archgraph"  # or "import-linter" (config/importlinter/)


def parse_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads`, with nesting too deep for its recursive parser reported as invalid
    TOML (`a = [[[[...` would otherwise end in a RecursionError)."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError("arrays or inline tables nested too deeply") from None


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_AT_END = "(at end of document)"


def _read_toml(path: Path, errors: list[ConfigError]) -> dict[str, Any] | None:
    try:
        text = read_input(path)
    except (OSError, UnicodeDecodeError) as error:
        errors.append(ConfigError(path, "", f"cannot read the file: {error}"))
        return None
    try:
        return parse_toml(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_POSITION.search(str(error))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (None, None)
        if found is None and _TOML_AT_END in str(error):
            line = max(1, len(text.splitlines()))  # e.g. an array never closed
        message = _TOML_POSITION.sub("", str(error)).replace(_TOML_AT_END, "").strip()
        errors.append(
            ConfigError(path, "", f"invalid TOML: {message}", line=line, column=column)
        )
        return None


class _Lines:
    """Best-effort line numbers for keys; tomllib gives none."""

    def __init__(self, path: Path) -> None:
        try:
            self.lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            self.lines = []

    def header(self, header: str, occurrence: int = 0) -> int | None:
        # TOML allows blanks inside the brackets and around the dots: [[ tool.archgraph.contracts ]]
        brackets = "[[" if header.startswith("[[") else "["
        names = header.strip("[]").split(".")
        inner = r"\s*\.\s*".join(re.escape(name) for name in names)
        closing = re.escape(brackets.replace("[", "]"))
        pattern = re.compile(rf"^\s*{re.escape(brackets)}\s*{inner}\s*{closing}\s*(#.*)?$")
        seen = 0
        for number, text in enumerate(self.lines, start=1):
            if pattern.match(text):
                if seen == occurrence:
                    return number
                seen += 1
        return None

    def keys(self, start: int | None, keys: Sequence[str]) -> dict[str, int]:
        """Lines of `key = ...` within the table that starts at line `start`.

        Without a known start nothing is found: a key elsewhere in the file would give
        another table's line.
        """
        if start is None:
            return {}
        found: dict[str, int] = {}
        for number in range(start + 1, len(self.lines) + 1):
            text = self.lines[number - 1]
            if re.match(r"^\s*\[", text):
                break  # the next table begins
            match = re.match(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]+\")\s*=", text)
            if match:
                key = match.group(1).strip('"')
                if key in keys and key not in found:
                    found[key] = number
        return found


def _split_document(
    path: Path, document: Mapping[str, Any], in_pyproject: bool, errors: list[ConfigError]
) -> tuple[Mapping[str, Any], TablePosition, list[ContractTable]] | None:
    """The settings table and contract tables of one file."""
    lines = _Lines(path)
    if in_pyproject:
        tool = document.get("tool", {})
        if not isinstance(tool, dict):
            errors.append(ConfigError(path, "tool", f"expected a table, got {type_name(tool)}"))
            return None
        section = tool.get("archgraph")
        if section is None:
            return None
        if not isinstance(section, dict):
            line = lines.header("[tool]")
            errors.append(
                ConfigError(path, "tool.archgraph", f"expected a table, got {type_name(section)}", line=line)
            )
            return None
        prefix, settings_header, contracts_header = (
            "tool.archgraph",
            "[tool.archgraph]",
            "[[tool.archgraph.contracts]]",
        )
        settings_table = {k: v for k, v in section.items() if k != "contracts"}
        raw_contracts = section.get("contracts", [])
    else:
        prefix, settings_header, contracts_header = "archgraph", "[archgraph]", "[[contracts]]"
        for key in document:
            if key not in ("archgraph", "contracts"):
                errors.append(
                    ConfigError(
                        path,
                        key,
                        "unknown top-level key (expected [archgraph] and [[contracts]])",
                        line=lines.header(f"[{key}]") or lines.header(f"[[{key}]]"),
                        suggestion=did_you_mean(key, ["archgraph", "contracts"]),
                    )
                )
        settings_table = document.get("archgraph", {})
        raw_contracts = document.get("contracts", [])

    settings_line = lines.header(settings_header)
    settings_at = TablePosition(
        path, prefix, lines.keys(settings_line, list(settings_table)), settings_line
    )
    if not isinstance(settings_table, dict):
        errors.append(settings_at.error(None, "expected a table"))
        settings_table = {}
    contracts_key = "tool.archgraph.contracts" if in_pyproject else "contracts"
    if not isinstance(raw_contracts, list):
        errors.append(ConfigError(path, contracts_key, "expected an array of tables"))
        raw_contracts = []
    tables = []
    for index, raw in enumerate(raw_contracts):
        header_line = lines.header(contracts_header, index)
        at = TablePosition(
            path,
            f"{contracts_key}[{index}]",
            lines.keys(header_line, list(raw) if isinstance(raw, dict) else []),
            header_line,
        )
        if not isinstance(raw, dict):
            errors.append(at.error(None, "expected a table"))
            continue
        tables.append(ContractTable(raw, at))
    return settings_table, settings_at, tables


def discover(root: Path) -> list[Path]:
    """`root/contracts/*.toml`, then `root/pyproject.toml` if it has [tool.archgraph].

    These files are the tree's: one that is a link out of the project (`contracts/x.toml ->
    ~/.ssh/config`) must not be read (its keys would be quoted): see `links_out`.
    """
    found = sorted((root / "contracts").glob("*.toml")) if (root / "contracts").is_dir() else []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() or pyproject.is_symlink():
        found.append(pyproject)
    return found


def links_out(files: Sequence[Path], root: Path) -> list[ConfigError]:
    """Of the files the tree names (see `discover`), those that are links out of the project."""
    return [
        ConfigError(path, "", "a link that leads out of the project (or into a hidden folder);"
                    " not read")
        for path in files
        if leaves(path, root)
    ]


def load(files: Sequence[Path]) -> Config:
    """Read and validate the settings of every file; raise ConfigurationError with all problems."""
    config, errors = read(files)
    if errors:
        raise ConfigurationError(errors)
    return config


def read(files: Sequence[Path]) -> tuple[Config, list[ConfigError]]:
    """Read every file: the configuration (as far as it is valid) and every problem found.

    Contract tables are kept even when the settings have problems, so that the caller can
    report the problems of both at once.
    """
    errors: list[ConfigError] = []
    merged: dict[str, Any] = {}
    origin: dict[str, TablePosition] = {}
    contracts: list[ContractTable] = []
    used: list[Path] = []
    for path in files:
        document = _read_toml(path, errors)
        if document is None:
            continue
        split = _split_document(path, document, path.name == "pyproject.toml", errors)
        if split is None:
            continue
        settings_table, at, tables = split
        used.append(path)
        if not settings_table and not tables and path.name != "pyproject.toml":
            errors.append(
                ConfigError(path, "", "the file defines no settings and no contracts")
            )
        contracts.extend(tables)
        parsed = from_table(Settings, settings_table, at)
        if isinstance(parsed, list):
            errors.extend(parsed)
            continue
        selectors = [str(e) for e in parsed.exclude if e.is_selector]
        if selectors:
            errors.append(
                at.error(
                    "exclude",
                    f"{', '.join(selectors)}: exclude takes module names; selectors belong in"
                    " the module lists of contracts (their exclude_modules, for instance)",
                )
            )
            continue
        if "max_file_bytes" in settings_table and parsed.max_file_bytes < 1:
            errors.append(at.error("max_file_bytes", "must be a positive number of bytes"))
            continue
        for key in settings_table:
            value = getattr(parsed, key)
            if key in merged and merged[key] != value:
                first = origin[key]
                errors.append(
                    at.error(
                        key,
                        f"conflicts with the value set in {first.file.as_posix()}"
                        f"{':' + str(first.lines[key]) if key in first.lines else ''}",
                    )
                )
            merged[key] = value
            origin[key] = at
    settings = replace(Settings(), **merged)
    return Config(settings, tuple(contracts), tuple(used)), errors


__all__ = ["Config", "ContractTable", "Settings", "discover", "load", "parse_toml", "read"]
