"""import-linter configuration read as archgraph configuration, with the same verdicts.

import-linter keeps its options in `setup.cfg` or `.importlinter` (INI, `[importlinter]` and
`[importlinter:contract:ID]` sections) or in `pyproject.toml` (`[tool.importlinter]` and
`[[tool.importlinter.contracts]]`). This module reads them the way import-linter does and produces
the `Config` the archgraph loader produces (settings plus contract tables), so every later stage
is unchanged. Where the two tools mean different things by the same words, the translation keeps
import-linter's meaning:

- `ignore_imports` entries name exact modules (archgraph's cover descendants): `ignore_imports_exact`.
- an ignore that matches nothing fails the run by default: `unmatched_ignore_imports = "error"`.
- `**` is one or more segments (archgraph's is zero or more): written `*.**`.
- patterns import-linter lets match nothing (most wildcards, external forbidden packages)
  are written optional, `"(pattern)"`; optional layers keep their `(layer)` form.
- grimp ignores directories without `__init__.py` inside packages: `include_namespace_dirs = false`.
- `acyclic_siblings` becomes `acyclic` with `depth` and `skip_descendants`.

Options archgraph cannot honour (custom contract types, `as_packages = false`, `private_modules`)
are configuration errors naming the file, section and key.
"""

from __future__ import annotations

import configparser
import json
import re
import textwrap
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archgraph.config import Config, Settings
from archgraph.diagnostics import ConfigError, ConfigurationError
from archgraph.model.names import ModuleExpr, is_within
from archgraph.model.schema import ContractTable, TablePosition, did_you_mean

INI_FILE_NAMES = ("setup.cfg", ".importlinter")  # import-linter tries these first, in order
TOML_FILE_NAME = "pyproject.toml"
SECTION = "importlinter"
CONTRACT_SECTION_PREFIX = "importlinter:"
DEFAULT_ACYCLIC_DEPTH = 10  # import-linter's default for acyclic_siblings

Value = str | list[str]


@dataclass(frozen=True, slots=True)
class _Table:
    """One import-linter section as read: option values (strings or lists) and their position."""

    options: Mapping[str, Value]
    at: TablePosition
    contract_id: str | None = None


@dataclass(frozen=True, slots=True)
class _ImportLinterFile:
    path: Path
    session: _Table
    contracts: tuple[_Table, ...]


@dataclass(frozen=True, slots=True)
class TranslatedContract:
    """An archgraph contract table, and notes on what the translation approximated."""

    table: ContractTable
    notes: tuple[str, ...] = ()


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


# --- discovery and reading ----------------------------------------------------------------


def discover(root: Path) -> Path | None:
    """The file import-linter would read from `root`: setup.cfg, .importlinter, pyproject.toml."""
    for name in INI_FILE_NAMES:
        path = root / name
        if path.is_file() and _ini_has_section(path):
            return path
    pyproject = root / TOML_FILE_NAME
    if pyproject.is_file():
        try:
            document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None  # the archgraph loader reports a broken pyproject.toml
        if document.get("tool", {}).get(SECTION):
            return pyproject
    return None


def _ini_has_section(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(rf"^\s*\[{SECTION}\]", text, re.MULTILINE) is not None


def _is_toml(path: Path) -> bool:
    return path.suffix == ".toml"  # import-linter picks its reader by this suffix too


def _read(path: Path, errors: list[ConfigError]) -> _ImportLinterFile | None:
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


def _read_ini(path: Path, text: str, errors: list[ConfigError]) -> _ImportLinterFile | None:
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
    session = _Table(_clean_ini(sections[SECTION]), _ini_position(path, lines, SECTION))
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
            contracts.append(_Table(cleaned, at, contract_id=contract_id))
    return _ImportLinterFile(path, session, tuple(contracts))


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


def _read_toml(path: Path, text: str, errors: list[ConfigError]) -> _ImportLinterFile | None:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        errors.append(ConfigError(path, "", f"invalid TOML: {error}"))
        return None
    section = document.get("tool", {}).get(SECTION)
    if not isinstance(section, dict) or not section:
        errors.append(ConfigError(path, "", f"no [tool.{SECTION}] table"))
        return None
    lines = text.splitlines()
    session_options = {k: _toml_value(v) for k, v in section.items() if k != "contracts"}
    session = _Table(session_options, _toml_position(path, lines, f"[tool.{SECTION}]", 0, f"tool.{SECTION}"))
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
        contracts.append(_Table(options, at, contract_id=contract_id))
    return _ImportLinterFile(path, session, tuple(contracts))


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


# --- option parsing, as import-linter's fields parse them ---------------------------------


class _Invalid(Exception):
    """One option's value is not acceptable; the message is for the user."""


def _items(value: Value, unique: bool = True) -> list[str]:
    """A list option: one string is one item; blank lines are skipped; duplicates dropped."""
    raw = value if isinstance(value, list) else [value]
    items: list[str] = []
    for item in raw:
        if item.strip() and not (unique and item.strip() in items):
            items.append(item.strip())
    return items


def _single(value: Value) -> str:
    if isinstance(value, list):
        raise _Invalid("expected a single value, got multiple values")
    return value


def _boolean(value: Value) -> bool:
    text = _single(value).strip().lower()
    if text not in ("true", "false"):
        raise _Invalid(f"could not parse a boolean from '{_single(value)}'")
    return text == "true"


def _integer(value: Value, minimum: int) -> int:
    text = _single(value).strip()
    try:
        number = int(text)
    except ValueError:
        raise _Invalid(f"'{text}' is not an integer") from None
    if number < minimum:
        raise _Invalid(f"must be >= {minimum}")
    return number


_ALERTING = {"none": "none", "warn": "warning", "error": "error"}


def _alerting(value: Value) -> str:
    text = _single(value).strip()
    if not text:
        return "error"
    if text not in _ALERTING:
        raise _Invalid(f"invalid value '{text}': expected 'none', 'warn' or 'error'")
    return _ALERTING[text]


def _module_pattern(text: str) -> str:
    """An import-linter module expression as an archgraph pattern (`**` is one or more)."""
    last_wildcard = None
    for part in text.split("."):
        if last_wildcard == "**" and part in ("*", "**"):
            raise _Invalid(f"'{text}': a recursive wildcard cannot be followed by a wildcard")
        if last_wildcard == "*" and part == "**":
            raise _Invalid(f"'{text}': a wildcard cannot be followed by a recursive wildcard")
        if part in ("*", "**"):
            last_wildcard = part
            continue
        if "*" in part:
            raise _Invalid(f"'{text}': a wildcard can only replace a whole module")
        last_wildcard = None
    pattern = ".".join("*.**" if part == "**" else part for part in text.split("."))
    problem = ModuleExpr.problem(pattern)
    if problem:
        raise _Invalid(problem)
    return pattern


def _optional(pattern: str) -> str:
    return f"({pattern})"


def _is_wildcard(text: str) -> bool:
    return "*" in text


def _import_pattern(text: str) -> str:
    importer, _, imported = text.partition("->")
    importer, imported = importer.strip(), imported.strip()
    if not (importer and imported):
        raise _Invalid(f"'{text}' must be in the form 'package.importer -> package.imported'")
    return f"{_module_pattern(importer)} -> {_module_pattern(imported)}"


def _layer(text: str) -> str:
    """An import-linter layer (`a | b`, `a : b`, `(optional)`) in archgraph's identical syntax."""
    if "|" in text and ":" in text:
        raise _Invalid(
            f"'{text}': a layer cannot mix independent ('|') and non-independent (':') elements"
        )
    delimiter = ":" if ":" in text else "|"
    tails: list[tuple[str, bool]] = []
    for raw in text.split(delimiter):
        tail = raw.strip()
        optional = tail.startswith("(") and tail.endswith(")")
        name = tail[1:-1] if optional else tail
        if name in [t for t, _ in tails]:
            raise _Invalid(f"'{text}': modules cannot be repeated in a layer: '{name}'")
        problem = ModuleExpr.problem(name)
        if problem or "*" in name:
            raise _Invalid(f"'{text}': '{name}' is not a module name")
        tails.append((name, optional))
    return f" {delimiter} ".join(_optional(name) if optional else name for name, optional in tails)


# --- translation --------------------------------------------------------------------------

_COMMON = ("name", "type")
_IGNORES = ("ignore_imports", "unmatched_ignore_imports_alerting")
_GUIDANCE = "broken_contract_guidance"
CONTRACT_OPTIONS: dict[str, tuple[str, ...]] = {
    "forbidden": (
        "source_modules",
        "forbidden_modules",
        "allow_indirect_imports",
        "as_packages",
        *_IGNORES,
        _GUIDANCE,
    ),
    "layers": ("layers", "containers", "exhaustive", "exhaustive_ignores", *_IGNORES, _GUIDANCE),
    "independence": ("modules", *_IGNORES, _GUIDANCE),
    "protected": ("protected_modules", "allowed_importers", "as_packages", *_IGNORES, _GUIDANCE),
    "acyclic_siblings": ("ancestors", "depth", "skip_descendants", *_IGNORES, _GUIDANCE),
}
REQUIRED_OPTIONS = {
    "forbidden": ("source_modules", "forbidden_modules"),
    "layers": ("layers",),
    "independence": ("modules",),
    "protected": ("protected_modules", "allowed_importers"),
    "acyclic_siblings": ("ancestors",),
}
UNSUPPORTED_TYPES = {
    "private_modules": "archgraph has no private_modules contract type yet; "
    "express the rule with protected contracts",
}
SESSION_OPTIONS = (
    "root_package",
    "root_packages",
    "include_external_packages",
    "exclude_type_checking_imports",
    "contract_types",
    "show_timings",
)

OPTIONAL_NOTE = "'(pattern)' may match no module, as import-linter allows for these keys"


class _Contract:
    """Collects one contract's archgraph table, its problems and its notes."""

    def __init__(self, table: _Table, settings: Mapping[str, Any]) -> None:
        self.source = table
        self.settings = settings
        self.data: dict[str, Any] = {}
        self.errors: list[ConfigError] = []
        self.notes: list[str] = []

    def option(self, key: str, parse: Callable[[Value], Any], target: str | None = None) -> Any:
        """Parse an option into `target` (default: the same key); None if absent or invalid."""
        value = self.value(key, parse)
        if value is not None:
            self.data[target or key] = value
        return value

    def value(self, key: str, parse: Callable[[Value], Any]) -> Any:
        """Parse an option archgraph has no key for; None if absent or invalid."""
        if key not in self.source.options:
            return None
        try:
            return parse(self.source.options[key])
        except _Invalid as error:
            self.error(key, str(error))
            return None

    def error(self, key: str | None, message: str, suggestion: str | None = None) -> None:
        self.errors.append(self.source.at.error(key, message, suggestion))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def patterns(self, key: str, target: str, optional: Callable[[str], bool]) -> None:
        """A list of module expressions; those `optional` says may match nothing get parentheses."""

        def parse(value: Value) -> list[str]:
            converted = []
            for text in _items(value):
                pattern = _module_pattern(text)
                if optional(text):
                    pattern = _optional(pattern)
                    self.note(OPTIONAL_NOTE)
                converted.append(pattern)
            return converted

        self.option(key, parse, target)

    def is_internal(self, module: str) -> bool:
        return any(is_within(module, root) for root in self.settings["root_packages"])


def _translate_contract(table: _Table, settings: Mapping[str, Any]) -> TranslatedContract | list[ConfigError]:
    contract = _Contract(table, settings)
    options = table.options
    if "name" not in options:
        contract.error(None, "missing required option 'name'")
    kind = options.get("type")
    if not isinstance(kind, str) or not kind.strip():
        contract.error(None, "missing required option 'type'")
        return contract.errors
    kind = kind.strip()
    if kind in UNSUPPORTED_TYPES:
        contract.error("type", f"contract type '{kind}' is not supported: {UNSUPPORTED_TYPES[kind]}")
        return contract.errors
    if kind not in CONTRACT_OPTIONS:
        contract.error(
            "type",
            f"unknown import-linter contract type '{kind}' (archgraph reads: "
            f"{', '.join(sorted(CONTRACT_OPTIONS))}; custom contract types are not supported)",
            suggestion=did_you_mean(kind, CONTRACT_OPTIONS),
        )
        return contract.errors
    known = (*_COMMON, *CONTRACT_OPTIONS[kind])
    for key in options:
        if key not in known:
            contract.error(key, "unrecognized option", suggestion=did_you_mean(key, known))
    for key in REQUIRED_OPTIONS[kind]:
        if key not in options:
            contract.error(None, f"missing required option '{key}'")

    contract.data["type"] = "acyclic" if kind == "acyclic_siblings" else kind
    contract.option("name", _single)
    if table.contract_id is not None:
        if ":" in table.contract_id:
            contract.error("id", f"the contract id '{table.contract_id}' may not contain a colon")
        contract.data["id"] = table.contract_id
    _TRANSLATORS[kind](contract)
    ignores = contract.option("ignore_imports", lambda v: [_import_pattern(t) for t in _items(v)])
    alerting = contract.option(
        "unmatched_ignore_imports_alerting", _alerting, "unmatched_ignore_imports"
    )
    if ignores:
        contract.data["ignore_imports_exact"] = True
        contract.data.setdefault("unmatched_ignore_imports", alerting or "error")
    else:
        contract.data.pop("ignore_imports", None)
        contract.data.pop("unmatched_ignore_imports", None)
    guidance = contract.value(_GUIDANCE, lambda v: "\n".join(_items(v)))
    if guidance:
        contract.note("broken_contract_guidance (archgraph does not show it): " + guidance)
    if contract.errors:
        return contract.errors
    lines = dict(table.at.lines)
    for il_key, arch_key in _RENAMED_KEYS.items():
        if il_key in lines:
            lines.setdefault(arch_key, lines[il_key])
    at = TablePosition(table.at.file, table.at.key, lines, table.at.line)
    return TranslatedContract(ContractTable(contract.data, at), tuple(contract.notes))


_RENAMED_KEYS = {
    "protected_modules": "modules",
    "ancestors": "packages",
    "unmatched_ignore_imports_alerting": "unmatched_ignore_imports",
}


def _refuse_as_packages_false(contract: _Contract) -> None:
    as_packages = contract.value("as_packages", _boolean)
    if as_packages is False:
        contract.error(
            "as_packages",
            "as_packages = false is not supported: archgraph always treats modules as packages",
        )


def _forbidden(contract: _Contract) -> None:
    include_external = contract.settings["include_external_packages"]

    def source_optional(text: str) -> bool:
        return _is_wildcard(text)

    def forbidden_optional(text: str) -> bool:
        if _is_wildcard(text) or contract.is_internal(text):
            return _is_wildcard(text)
        # An external package need only be in the graph when something imports it.
        if not include_external:
            raise _Invalid(
                f"'{text}' is an external package: forbidding it needs "
                "include_external_packages = true in the session options"
            )
        if "." in text:
            raise _Invalid(f"'{text}': subpackages of external packages are not valid")
        return True

    contract.patterns("source_modules", "source_modules", source_optional)
    contract.patterns("forbidden_modules", "forbidden_modules", forbidden_optional)
    contract.option("allow_indirect_imports", _boolean)
    _refuse_as_packages_false(contract)


def _layers(contract: _Contract) -> None:
    contract.option("layers", lambda v: [_layer(t) for t in _items(v, unique=False)])

    def container_optional(text: str) -> bool:
        if not _is_wildcard(text) and not contract.is_internal(text):
            raise _Invalid(
                f"container '{text}' must be a root package or a subpackage of one "
                f"(root packages: {', '.join(contract.settings['root_packages'])})"
            )
        return _is_wildcard(text)

    contract.patterns("containers", "containers", container_optional)
    if not contract.data.get("containers"):
        contract.data.pop("containers", None)
    contract.option("exhaustive", _boolean)
    contract.option("exhaustive_ignores", _items)
    if not contract.data.get("exhaustive_ignores"):
        contract.data.pop("exhaustive_ignores", None)


def _independence(contract: _Contract) -> None:
    contract.patterns("modules", "modules", _is_wildcard)


def _protected(contract: _Contract) -> None:
    contract.patterns("protected_modules", "modules", _is_wildcard)
    contract.patterns("allowed_importers", "allowed_importers", _is_wildcard)
    _refuse_as_packages_false(contract)


def _acyclic_siblings(contract: _Contract) -> None:
    contract.patterns("ancestors", "packages", lambda _text: False)
    contract.data["depth"] = DEFAULT_ACYCLIC_DEPTH
    contract.option("depth", lambda v: _integer(v, 0))
    contract.patterns("skip_descendants", "skip_descendants", lambda _text: False)
    overlap = set(contract.data.get("packages", ())) & set(contract.data.get("skip_descendants", ()))
    if overlap:
        contract.error("skip_descendants", f"cannot skip '{min(overlap)}': it is also an ancestor")
    if not contract.data.get("skip_descendants"):
        contract.data.pop("skip_descendants", None)


_TRANSLATORS: dict[str, Callable[[_Contract], None]] = {
    "forbidden": _forbidden,
    "layers": _layers,
    "independence": _independence,
    "protected": _protected,
    "acyclic_siblings": _acyclic_siblings,
}


def _translate_session(table: _Table, errors: list[ConfigError]) -> dict[str, Any]:
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
    roots = _items(raw_roots) if raw_roots is not None else []
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
    read = [found for path in files if (found := _read(path, errors)) is not None]
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
            translated = _translate_contract(table, file_settings)
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


# --- writing archgraph TOML ---------------------------------------------------------------


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid TOML
    if isinstance(value, list | tuple):
        items = [_toml(item) for item in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 80:
            return one_line
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _comment(text: str) -> list[str]:
    wrapped = [part for line in text.splitlines() for part in textwrap.wrap(line, 96) or [""]]
    return [f"# {line}".rstrip() for line in wrapped] or ["#"]


_LEADING_KEYS = ("id", "name", "type")


def render_toml(translation: Translation) -> str:
    """An archgraph contract file equivalent to the import-linter configuration."""
    sources = ", ".join(p.name for p in translation.files)
    lines = [
        f"# Converted from import-linter configuration ({sources}) by",
        "# `archgraph convert-importlinter`; `archgraph check` gives the same verdicts.",
        "",
        "[archgraph]",
    ]
    for key, value in translation.settings.items():
        if value is False and key not in translation.settings_notes:
            continue  # archgraph's default too
        if key in translation.settings_notes:
            lines += _comment(translation.settings_notes[key])
        lines.append(f"{key} = {_toml(value)}")
    for contract in translation.contracts:
        lines.append("")
        for note in contract.notes:
            lines += _comment(note)
        lines.append("[[contracts]]")
        data = contract.table.data
        for key in sorted(data, key=lambda k: (_LEADING_KEYS.index(k) if k in _LEADING_KEYS else 3)):
            lines.append(f"{key} = {_toml(data[key])}")
    return "\n".join(lines) + "\n"


__all__ = ["Translation", "discover", "load", "render_toml", "translate"]
