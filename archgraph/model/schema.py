"""Typed dataclasses from TOML tables: the fields define the accepted keys, types and defaults.

Used for the settings table and for every contract type, so each reports unknown keys (with a
did-you-mean), wrong types and missing keys the same way, all at once.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from archgraph.diagnostics import ConfigError, Severity
from archgraph.model.graph import LayerSpec
from archgraph.model.names import ImportExpr, ModuleExpr

T = TypeVar("T")


class TablePosition(NamedTuple):
    """Where a table sits: its file, its dotted key, and the lines of its keys when known."""

    file: Path
    key: str
    lines: Mapping[str, int] = MappingProxyType({})
    line: int | None = None  # the table's header line

    def error(self, key: str | None, message: str, suggestion: str | None = None) -> ConfigError:
        dotted = f"{self.key}.{key}" if key and self.key else (key or self.key)
        line = self.lines.get(key, self.line) if key else self.line
        return ConfigError(self.file, dotted, message, line=line, suggestion=suggestion)


class ContractTable(NamedTuple):
    """One `[[contracts]]` table as written, and where (config/ reads it, rules/ builds it)."""

    data: Mapping[str, Any]
    at: TablePosition


def did_you_mean(word: str, candidates: typing.Iterable[str]) -> str | None:
    import difflib  # noqa: PLC0415 - only for a did-you-mean
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def type_name(value: object) -> str:
    """How TOML calls the value's type: `integer`, `table`..."""
    return {bool: "boolean", int: "integer", str: "string", list: "array", dict: "table"}.get(
        type(value), type(value).__name__
    )


def _convert_item(hint: Any, value: object) -> tuple[Any, str | None]:
    """Convert one TOML value to `hint`; returns (value, problem)."""
    if hint is str:
        return (value, None) if isinstance(value, str) else (None, "expected a string")
    if hint is bool:
        return (value, None) if isinstance(value, bool) else (None, "expected true or false")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value, None
        return None, "expected an integer"
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value), None
        return None, "expected a number"
    if hint is ModuleExpr:
        if not isinstance(value, str):
            return None, "expected a module name string"
        expr = ModuleExpr.parse(value)
        return (None, expr) if isinstance(expr, str) else (expr, None)
    if hint is ImportExpr:
        if not isinstance(value, str):
            return None, "expected a string 'importer -> imported'"
        parsed = ImportExpr.parse(value)
        return (None, parsed) if isinstance(parsed, str) else (parsed, None)
    if hint is LayerSpec:
        if not isinstance(value, str):
            return None, "expected a string such as 'a', 'a | b' or 'a : b'"
        layer = LayerSpec.read(value)
        return (None, layer) if isinstance(layer, str) else (layer, None)
    if hint is Path:
        return (Path(value), None) if isinstance(value, str) else (None, "expected a path string")
    if isinstance(hint, type) and issubclass(hint, Enum):
        allowed = [member.value for member in hint]
        if value in allowed:
            return hint(value), None
        return None, f"expected one of {', '.join(map(repr, allowed))}"
    raise TypeError(f"no converter for {hint!r}")


def convert(hint: Any, value: object) -> tuple[Any, str | None]:
    """Convert a TOML value to an annotated field type (tuple[X, ...], X | None, X)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return convert(options[0], value)
    if origin is tuple:
        (item_hint, _ellipsis) = typing.get_args(hint)
        if isinstance(value, str):
            value = [value]  # a single string where a list is expected is a common slip
        if not isinstance(value, list):
            return None, f"expected an array, got {type_name(value)}"
        items = []
        for index, item in enumerate(value):
            converted, problem = _convert_item(item_hint, item)
            if problem:
                return None, f"item {index + 1}: {problem}"
            items.append(converted)
        return tuple(items), None
    converted, problem = _convert_item(hint, value)
    if problem:
        problem = f"{problem}, got {type_name(value)} {value!r}"
    return converted, problem


def _suggestion(hint: Any, value: object) -> str | None:
    """The closest allowed value when `hint` is an Enum or a module pattern (an optional one,
    or a tuple of them) and `value` a misspelt string or selector (or an array holding one)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _suggestion(options[0], value)
    if typing.get_origin(hint) is tuple and isinstance(value, list):
        item_hint = typing.get_args(hint)[0]
        for item in value:
            if isinstance(item, str) and _convert_item(item_hint, item)[1] is not None:
                return _suggestion(item_hint, item)
        return None
    if isinstance(hint, type) and issubclass(hint, Enum) and isinstance(value, str):
        return did_you_mean(value, [member.value for member in hint])
    if hint is ModuleExpr and isinstance(value, str):
        return ModuleExpr.suggestion(value)
    return None


def public_fields(cls: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if not f.name.startswith("_")]


def from_table(
    cls: Callable[..., T],
    table: Mapping[str, object],
    at: TablePosition,
    *,
    ignore: frozenset[str] = frozenset(),
    defaults: Mapping[str, object] | None = None,
) -> T | list[ConfigError]:
    """Build `cls` (a dataclass) from a TOML table, or return every problem found."""
    assert dataclasses.is_dataclass(cls)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in public_fields(cls)}
    errors: list[ConfigError] = []
    kwargs: dict[str, Any] = dict(defaults or {})
    for key, value in table.items():
        if key in ignore:
            continue
        field = fields.get(key)
        if field is None:
            errors.append(
                at.error(key, "unknown key", suggestion=did_you_mean(key, [*fields, *ignore]))
            )
            continue
        converted, problem = convert(hints[key], value)
        if problem:
            errors.append(at.error(key, problem, suggestion=_suggestion(hints[key], value)))
        else:
            kwargs[key] = converted
    for name, field in fields.items():
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        # A key that is present but invalid has been reported already.
        if required and name not in kwargs and name not in table:
            errors.append(at.error(None, f"missing required key '{name}'"))
    if errors:
        return errors
    return typing.cast(T, cls(**kwargs))


__all__ = [
    "ContractTable",
    "Severity",
    "TablePosition",
    "convert",
    "did_you_mean",
    "from_table",
    "public_fields",
    "type_name",
]
