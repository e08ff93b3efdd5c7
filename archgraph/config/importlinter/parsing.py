"""import-linter's option values parsed as import-linter's fields parse them, and written in
archgraph's syntax (module patterns, import patterns, layers)."""

from __future__ import annotations

from archgraph.config.importlinter.reading import Value
from archgraph.model.names import ModuleExpr


class Invalid(Exception):
    """One option's value is not acceptable; the message is for the user."""


def items(value: Value, unique: bool = True) -> list[str]:
    """A list option: one string is one item; blank lines are skipped; duplicates dropped."""
    raw = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in raw:
        if item.strip() and not (unique and item.strip() in found):
            found.append(item.strip())
    return found


def single(value: Value) -> str:
    if isinstance(value, list):
        raise Invalid("expected a single value, got multiple values")
    return value


def boolean(value: Value) -> bool:
    text = single(value).strip().lower()
    if text not in ("true", "false"):
        raise Invalid(f"could not parse a boolean from '{single(value)}'")
    return text == "true"


def integer(value: Value, minimum: int) -> int:
    text = single(value).strip()
    try:
        number = int(text)
    except ValueError:
        raise Invalid(f"'{text}' is not an integer") from None
    if number < minimum:
        raise Invalid(f"must be >= {minimum}")
    return number


_ALERTING = {"none": "none", "warn": "warning", "error": "error"}


def alerting_level(value: Value) -> str:
    text = single(value).strip()
    if not text:
        return "error"
    if text not in _ALERTING:
        raise Invalid(f"invalid value '{text}': expected 'none', 'warn' or 'error'")
    return _ALERTING[text]


def module_pattern(text: str) -> str:
    """An import-linter module expression as an archgraph pattern (`**` is one or more)."""
    last_wildcard = None
    for part in text.split("."):
        if last_wildcard == "**" and part in ("*", "**"):
            raise Invalid(f"'{text}': a recursive wildcard cannot be followed by a wildcard")
        if last_wildcard == "*" and part == "**":
            raise Invalid(f"'{text}': a wildcard cannot be followed by a recursive wildcard")
        if part in ("*", "**"):
            last_wildcard = part
            continue
        if "*" in part:
            raise Invalid(f"'{text}': a wildcard can only replace a whole module")
        last_wildcard = None
    pattern = ".".join("*.**" if part == "**" else part for part in text.split("."))
    problem = ModuleExpr.problem(pattern)
    if problem:
        raise Invalid(problem)
    return pattern


def optional_pattern(pattern: str) -> str:
    return f"({pattern})"


def is_wildcard(text: str) -> bool:
    return "*" in text


def import_pattern(text: str) -> str:
    importer, _, imported = text.partition("->")
    importer, imported = importer.strip(), imported.strip()
    if not (importer and imported):
        raise Invalid(f"'{text}' must be in the form 'package.importer -> package.imported'")
    return f"{module_pattern(importer)} -> {module_pattern(imported)}"


def layer(text: str) -> str:
    """An import-linter layer (`a | b`, `a : b`, `(optional)`) in archgraph's identical syntax."""
    if "|" in text and ":" in text:
        raise Invalid(
            f"'{text}': a layer cannot mix independent ('|') and non-independent (':') elements"
        )
    delimiter = ":" if ":" in text else "|"
    tails: list[tuple[str, bool]] = []
    for raw in text.split(delimiter):
        tail = raw.strip()
        optional = tail.startswith("(") and tail.endswith(")")
        name = tail[1:-1] if optional else tail
        if name in [t for t, _ in tails]:
            raise Invalid(f"'{text}': modules cannot be repeated in a layer: '{name}'")
        problem = ModuleExpr.problem(name)
        if problem or "*" in name:
            raise Invalid(f"'{text}': '{name}' is not a module name")
        tails.append((name, optional))
    return f" {delimiter} ".join(optional_pattern(name) if optional else name for name, optional in tails)

