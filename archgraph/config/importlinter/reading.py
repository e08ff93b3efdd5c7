"""Finding and reading import-linter's configuration files: INI (`setup.cfg`, `.importlinter`)
or TOML (`pyproject.toml`), each section as option values with their positions."""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from archgraph.config import parse_toml
from archgraph.diagnostics import ConfigError
from archgraph.model.schema import TablePosition

INI_FILE_NAMES = ("setup.cfg", ".importlinter")  # import-linter tries these first, in order
TOML_FILE_NAME = "pyproject.toml"
SECTION = "importlinter"
CONTRACT_SECTION_PREFIX = "importlinter:"

Value = str | list[str]


@dataclass(frozen=True, slots=True)
class Section:
    """One import-linter section as read: option values (strings or lists) and their position."""

    options: Mapping[str, Value]
    at: TablePosition
    contract_id: str | None = None


@dataclass(frozen=True, slots=True)
class ImportLinterFile:
    path: Path
    session: Section
    contracts: tuple[Section, ...]


def discover(root: Path) -> Path | None:
    """The file import-linter would read from `root`: setup.cfg, .importlinter, pyproject.toml."""
    for name in INI_FILE_NAMES:
        path = root / name
        if path.is_file() and _ini_has_section(path):
            return path
    pyproject = root / TOML_FILE_NAME
    if pyproject.is_file():
        try:
            document = parse_toml(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None  # the archgraph loader reports a broken pyproject.toml
        if _tool_section(document):
            return pyproject
    return None


def _tool_section(document: Mapping[str, object]) -> object:
    """`[tool.importlinter]`, or None (also when `tool` is not a table)."""
    tool = document.get("tool")
    return tool.get(SECTION) if isinstance(tool, dict) else None


def _ini_has_section(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(rf"^\s*\[{SECTION}\]", text, re.MULTILINE) is not None


def _is_toml(path: Path) -> bool:
    return path.suffix == ".toml"  # import-linter picks its reader by this suffix too


def read_file(path: Path, errors: list[ConfigError]) -> ImportLinterFile | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        errors.append(ConfigError(path, "", f"cannot read the file: {error}"))
        return None
    read = _read_toml if _is_toml(path) else _read_ini
    found = read(path, text, errors)
    if found is not None and not found.contracts:
        errors.append(
            ConfigError(
                path,
                "",
                "no import-linter contracts found (each contract goes in an "
                "'importlinter:contract:<id>' section, or in [[tool.importlinter.contracts]])",
            )
        )
        return None
    return found


def _read_ini(path: Path, text: str, errors: list[ConfigError]) -> ImportLinterFile | None:
    # The same parser, with the same defaults, as import-linter's own INI reader.
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text, source=str(path))
        sections = {name: dict(parser[name]) for name in parser.sections()}
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        errors.append(ConfigError(path, "", f"invalid INI: {error.message}", line=line))
        return None
    if SECTION not in sections:
        errors.append(ConfigError(path, "", f"no [{SECTION}] section"))
        return None
    lines = text.splitlines()
    session = Section(_clean_ini(sections[SECTION]), _ini_position(path, lines, SECTION))
    contracts = []
    for name, options in sections.items():
        if name.startswith(CONTRACT_SECTION_PREFIX):
            cleaned = _clean_ini(options)
            # The section names the id, unless the section sets `id` itself.
            contract_id = cleaned.pop("id", name.split(":")[-1])
            at = _ini_position(path, lines, name)
            if isinstance(contract_id, list):
                errors.append(at.error("id", "expected a single value"))
                continue
            contracts.append(Section(cleaned, at, contract_id=contract_id))
    return ImportLinterFile(path, session, tuple(contracts))


def _clean_ini(options: Mapping[str, str]) -> dict[str, Value]:
    """Multi-line values become lists of lines, as import-linter reads them."""
    return {
        key: value.strip().split("\n") if "\n" in value else value
        for key, value in options.items()
    }


def _ini_position(path: Path, lines: Sequence[str], section: str) -> TablePosition:
    header = _line_of(lines, rf"^\s*\[{re.escape(section)}\]\s*$", 0)
    keys: dict[str, int] = {}
    if header is not None:
        for number in range(header + 1, len(lines) + 1):
            text = lines[number - 1]
            if re.match(r"^\s*\[", text):
                break
            match = re.match(r"^([^\s=:#;][^=:]*?)\s*[=:]", text)
            if match:
                keys.setdefault(match.group(1).strip().lower(), number)
    return TablePosition(path, section, keys, header)


def _read_toml(path: Path, text: str, errors: list[ConfigError]) -> ImportLinterFile | None:
    try:
        document = parse_toml(text)
    except tomllib.TOMLDecodeError as error:
        errors.append(ConfigError(path, "", f"invalid TOML: {error}"))
        return None
    section = _tool_section(document)
    if not isinstance(section, dict) or not section:
        errors.append(ConfigError(path, "", f"no [tool.{SECTION}] table"))
        return None
    lines = text.splitlines()
    session_options = {k: _toml_value(v) for k, v in section.items() if k != "contracts"}
    session = Section(session_options, _toml_position(path, lines, f"[tool.{SECTION}]", 0, f"tool.{SECTION}"))
    raw_contracts = section.get("contracts", [])
    if not isinstance(raw_contracts, list):
        errors.append(session.at.error("contracts", "expected an array of tables"))
        return None
    contracts = []
    for index, raw in enumerate(raw_contracts):
        at = _toml_position(
            path, lines, f"[[tool.{SECTION}.contracts]]", index, f"tool.{SECTION}.contracts[{index}]"
        )
        if not isinstance(raw, dict):
            errors.append(at.error(None, "expected a table"))
            continue
        options = {k: _toml_value(v) for k, v in raw.items()}
        contract_id = options.pop("id", None)
        if isinstance(contract_id, list):
            errors.append(at.error("id", "expected a string"))
            continue
        contracts.append(Section(options, at, contract_id=contract_id))
    return ImportLinterFile(path, session, tuple(contracts))


def _toml_value(value: object) -> Value:
    """TOML values as import-linter sees them: booleans and numbers become strings."""
    if isinstance(value, list):
        return [_toml_scalar(item) for item in value]
    return _toml_scalar(value)


def _toml_scalar(value: object) -> str:
    return str(value) if not isinstance(value, str) else value


def _toml_position(
    path: Path, lines: Sequence[str], header: str, occurrence: int, key: str
) -> TablePosition:
    line = _line_of(lines, rf"^\s*{re.escape(header)}\s*(#.*)?$", occurrence)
    keys: dict[str, int] = {}
    if line is not None:
        for number in range(line + 1, len(lines) + 1):
            text = lines[number - 1]
            if re.match(r"^\s*\[", text):
                break
            match = re.match(r"^\s*([A-Za-z0-9_\-]+)\s*=", text)
            if match:
                keys.setdefault(match.group(1), number)
    return TablePosition(path, key, keys, line)


def _line_of(lines: Sequence[str], pattern: str, occurrence: int) -> int | None:
    compiled = re.compile(pattern)
    seen = 0
    for number, text in enumerate(lines, start=1):
        if compiled.match(text):
            if seen == occurrence:
                return number
            seen += 1
    return None

