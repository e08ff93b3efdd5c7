"""One import-linter contract section translated into an archgraph contract table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from archgraph.config.importlinter.parsing import (
    Invalid,
    alerting_level,
    boolean,
    import_pattern,
    integer,
    is_wildcard,
    items,
    layer,
    module_pattern,
    optional_pattern,
    single,
)
from archgraph.config.importlinter.reading import Section, Value
from archgraph.diagnostics import ConfigError
from archgraph.model.names import is_within
from archgraph.model.schema import ContractTable, TablePosition, did_you_mean

DEFAULT_ACYCLIC_DEPTH = 10  # import-linter's default for acyclic_siblings


@dataclass(frozen=True, slots=True)
class TranslatedContract:
    """An archgraph contract table, and notes on what the translation approximated."""

    table: ContractTable
    notes: tuple[str, ...] = ()


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
    # Proposed for import-linter (its issue #159): `_foo` imported only by its parent package.
    "private_modules": (*_IGNORES, _GUIDANCE),
}
REQUIRED_OPTIONS = {
    "forbidden": ("source_modules", "forbidden_modules"),
    "layers": ("layers",),
    "independence": ("modules",),
    "protected": ("protected_modules", "allowed_importers"),
    "acyclic_siblings": ("ancestors",),
    "private_modules": (),
}
TYPE_NAMES = {"acyclic_siblings": "acyclic", "private_modules": "private"}

OPTIONAL_NOTE = "'(pattern)' may match no module, as import-linter allows for these keys"


class _Contract:
    """Collects one contract's archgraph table, its problems and its notes."""

    def __init__(self, table: Section, settings: Mapping[str, Any]) -> None:
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
        except Invalid as error:
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
            for text in items(value):
                pattern = module_pattern(text)
                if optional(text):
                    pattern = optional_pattern(pattern)
                    self.note(OPTIONAL_NOTE)
                converted.append(pattern)
            return converted

        self.option(key, parse, target)

    def is_internal(self, module: str) -> bool:
        return any(is_within(module, root) for root in self.settings["root_packages"])


def translate_contract(
    table: Section, settings: Mapping[str, Any]
) -> TranslatedContract | list[ConfigError]:
    """The archgraph contract table for one import-linter contract section, or its problems."""
    contract = _Contract(table, settings)
    options = table.options
    if "name" not in options:
        contract.error(None, "missing required option 'name'")
    kind = options.get("type")
    if not isinstance(kind, str) or not kind.strip():
        contract.error(None, "missing required option 'type'")
        return contract.errors
    kind = kind.strip()
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

    contract.data["type"] = TYPE_NAMES.get(kind, kind)
    contract.option("name", single)
    if table.contract_id is not None:
        if ":" in table.contract_id:
            contract.error("id", f"the contract id '{table.contract_id}' may not contain a colon")
        contract.data["id"] = table.contract_id
    _TRANSLATORS[kind](contract)
    ignores = contract.option("ignore_imports", lambda v: [import_pattern(t) for t in items(v)])
    alerting = contract.option(
        "unmatched_ignore_imports_alerting", alerting_level, "unmatched_ignore_imports"
    )
    if ignores:
        contract.data["ignore_imports_exact"] = True
        contract.data.setdefault("unmatched_ignore_imports", alerting or "error")
    else:
        contract.data.pop("ignore_imports", None)
        contract.data.pop("unmatched_ignore_imports", None)
    guidance = contract.value(_GUIDANCE, lambda v: "\n".join(items(v)))
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
    as_packages = contract.value("as_packages", boolean)
    if as_packages is False:
        contract.error(
            "as_packages",
            "as_packages = false is not supported: archgraph always treats modules as packages",
        )


def _forbidden(contract: _Contract) -> None:
    include_external = contract.settings["include_external_packages"]

    def source_optional(text: str) -> bool:
        return is_wildcard(text)

    def forbidden_optional(text: str) -> bool:
        if is_wildcard(text) or contract.is_internal(text):
            return is_wildcard(text)
        # An external package need only be in the graph when something imports it.
        if not include_external:
            raise Invalid(
                f"'{text}' is an external package: forbidding it needs "
                "include_external_packages = true in the session options"
            )
        if "." in text:
            raise Invalid(f"'{text}': subpackages of external packages are not valid")
        return True

    contract.patterns("source_modules", "source_modules", source_optional)
    contract.patterns("forbidden_modules", "forbidden_modules", forbidden_optional)
    contract.option("allow_indirect_imports", boolean)
    _refuse_as_packages_false(contract)


def _layers(contract: _Contract) -> None:
    contract.option("layers", lambda v: [layer(t) for t in items(v, unique=False)])

    def container_optional(text: str) -> bool:
        if not is_wildcard(text) and not contract.is_internal(text):
            raise Invalid(
                f"container '{text}' must be a root package or a subpackage of one "
                f"(root packages: {', '.join(contract.settings['root_packages'])})"
            )
        return is_wildcard(text)

    contract.patterns("containers", "containers", container_optional)
    if not contract.data.get("containers"):
        contract.data.pop("containers", None)
    contract.option("exhaustive", boolean)
    contract.option("exhaustive_ignores", items)
    if not contract.data.get("exhaustive_ignores"):
        contract.data.pop("exhaustive_ignores", None)


def _independence(contract: _Contract) -> None:
    contract.patterns("modules", "modules", is_wildcard)


def _protected(contract: _Contract) -> None:
    contract.patterns("protected_modules", "modules", is_wildcard)
    contract.patterns("allowed_importers", "allowed_importers", is_wildcard)
    _refuse_as_packages_false(contract)


def _acyclic_siblings(contract: _Contract) -> None:
    contract.patterns("ancestors", "packages", lambda _text: False)
    contract.data["depth"] = DEFAULT_ACYCLIC_DEPTH
    contract.option("depth", lambda v: integer(v, 0))
    contract.patterns("skip_descendants", "skip_descendants", lambda _text: False)
    overlap = set(contract.data.get("packages", ())) & set(contract.data.get("skip_descendants", ()))
    if overlap:
        contract.error("skip_descendants", f"cannot skip '{min(overlap)}': it is also an ancestor")
    if not contract.data.get("skip_descendants"):
        contract.data.pop("skip_descendants", None)


def _private_modules(contract: _Contract) -> None:
    contract.data["names"] = False  # modules only, as the proposal has it
    contract.note(
        "any module of the parent package may import its private module (not only the "
        "package's __init__); set names = true to rule on private _names in modules too"
    )


_TRANSLATORS: dict[str, Callable[[_Contract], None]] = {
    "forbidden": _forbidden,
    "layers": _layers,
    "independence": _independence,
    "protected": _protected,
    "acyclic_siblings": _acyclic_siblings,
    "private_modules": _private_modules,
}

