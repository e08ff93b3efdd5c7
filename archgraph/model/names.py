"""Module and import patterns: `a.b` (that module and its descendants), `*` one segment, `**` any.

A pattern written in parentheses, `(a.b.*)`, is optional: matching no module is not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_SEGMENT = re.compile(r"^(\*\*|\*|[A-Za-z_][A-Za-z0-9_]*)$")


def is_descendant(module: str, ancestor: str) -> bool:
    return module.startswith(ancestor) and module[len(ancestor) : len(ancestor) + 1] == "."


def is_within(module: str, ancestor: str) -> bool:
    """True for the module itself and for its descendants."""
    return module == ancestor or is_descendant(module, ancestor)


def ancestors(module: str) -> list[str]:
    """`a.b.c` -> [`a`, `a.b`]."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def parent(module: str) -> str | None:
    head, _, _ = module.rpartition(".")
    return head or None


@lru_cache(maxsize=4096)
def _compile(text: str) -> re.Pattern[str]:
    segments = text.split(".")
    if segments == ["**"]:
        return re.compile(r"[^.]+(?:\.[^.]+)*\Z")
    regex, need_dot = "", False
    for segment in segments:
        if segment == "**":
            # Zero or more segments, each carrying its own separator.
            regex += r"(?:\.[^.]+)*" if need_dot else r"(?:[^.]+\.)*"
            continue
        regex += (r"\." if need_dot else "") + (r"[^.]+" if segment == "*" else re.escape(segment))
        need_dot = True
    return re.compile(regex + r"\Z")


@dataclass(frozen=True, slots=True, order=True)
class ModuleExpr:
    """A module pattern as written in a contract."""

    text: str
    optional: bool = False  # written "(pattern)": may match no module

    @staticmethod
    def parse(text: str) -> ModuleExpr | str:
        """The pattern, or what is wrong with `text`; `(pattern)` marks it optional."""
        text = text.strip()
        optional = text.startswith("(") and text.endswith(")")
        inner = text[1:-1].strip() if optional else text
        problem = ModuleExpr.problem(inner)
        return problem if problem else ModuleExpr(inner, optional=optional)

    @staticmethod
    def problem(text: str) -> str | None:
        """Why `text` is not a valid pattern, or None."""
        if not text:
            return "empty module pattern"
        for segment in text.split("."):
            if not _SEGMENT.match(segment):
                return f"'{text}' is not a dotted module name (segment '{segment}')"
        return None

    @property
    def is_wildcard(self) -> bool:
        return "*" in self.text

    def matches(self, module: str) -> bool:
        """The module itself matches the pattern (not a descendant)."""
        if not self.is_wildcard:
            return module == self.text
        return _compile(self.text).match(module) is not None

    def covers(self, module: str) -> bool:
        """The module or one of its ancestors matches: the pattern's scope includes it."""
        if not self.is_wildcard:
            return is_within(module, self.text)
        return self.matches(module) or any(self.matches(a) for a in ancestors(module))

    def __str__(self) -> str:
        return f"({self.text})" if self.optional else self.text


@dataclass(frozen=True, slots=True, order=True)
class ImportExpr:
    """`importer -> imported`, each side a ModuleExpr."""

    importer: ModuleExpr
    imported: ModuleExpr

    @staticmethod
    def parse(text: str) -> ImportExpr | str:
        """The expression, or a message saying what is wrong with `text`."""
        importer, arrow, imported = text.partition("->")
        if not arrow:
            return f"'{text}' is not of the form 'importer -> imported'"
        left, right = importer.strip(), imported.strip()
        for side in (left, right):
            problem = ModuleExpr.problem(side)
            if problem:
                return problem
        return ImportExpr(ModuleExpr(left), ModuleExpr(right))

    def covers(self, importer: str, imported: str) -> bool:
        return self.importer.covers(importer) and self.imported.covers(imported)

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported}"

