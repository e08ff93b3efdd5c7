"""Module and import patterns: `a.b` (that module and its descendants), `*` one segment, `**` any.

A pattern written in parentheses, `(a.b.*)`, is optional: matching no module is not an error.
A selector, `<stdlib>`, `<third_party>` or `<tests>`, names a kind of module rather than a
name; only the model can say which modules are of that kind (`ArchModel.matching`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

_SEGMENT = re.compile(r"^(\*\*|\*|[A-Za-z_][A-Za-z0-9_]*)$")

# Selector -> what it names (resolved by `ArchModel.selected`; the README lists them too).
SELECTORS = {
    "<stdlib>": "the standard library's modules the code imports (sys.stdlib_module_names)",
    "<third_party>": "every external package the code imports that is not in the standard library",
    "<tests>": "the test code the model recognises (tests/ folders, test_*.py, conftest.py...)",
}
# Selectors of external packages: the graph holds them only with include_external_packages.
EXTERNAL_SELECTORS = frozenset({"<stdlib>", "<third_party>"})


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
def _segments(text: str) -> tuple[str, ...]:
    """The pattern's segments, each run of `**` written once (`a.**.**.b` is `a.**.b`)."""
    segments: list[str] = []
    for segment in text.split("."):
        if not (segment == "**" and segments and segments[-1] == "**"):
            segments.append(segment)
    return tuple(segments)


def _prefix_matches(pattern: tuple[str, ...], module: str) -> Iterator[bool]:
    """For each leading part of the module (`a`, `a.b`, ... the whole name): does the
    pattern match it? `*` is one segment, `**` any number of segments, including none.

    Matched segment by segment, keeping the set of pattern positions reached so far: time
    proportional to the module's segments times the pattern's, whatever the pattern (a
    regular expression backtracks on many `**`: 24 s for twelve of them and one name).
    """
    size = len(pattern)

    def closure(positions: set[int]) -> set[int]:
        # A `**` may match no segment: the position after it is reached too.
        for position in list(positions):
            while position < size and pattern[position] == "**":
                position += 1
                positions.add(position)
        return positions

    reached = closure({0})
    for segment in module.split("."):
        following: set[int] = set()
        for position in reached:
            if position == size or not segment:
                continue
            expected = pattern[position]
            if expected == "**":
                following.add(position)  # `**` takes this segment and may take more
            elif expected in ("*", segment):
                following.add(position + 1)
        reached = closure(following)
        yield size in reached
        if not reached:
            return


class ModuleExpr(NamedTuple):
    """A module pattern as written in a contract."""

    text: str
    optional: bool = False  # written "(pattern)": may match no module

    @staticmethod
    def parse(text: str) -> ModuleExpr | str:
        """The pattern, or what is wrong with `text`; `(pattern)` marks it optional."""
        text = text.strip()
        optional = text.startswith("(") and text.endswith(")")
        inner = text[1:-1].strip() if optional else text
        if inner.startswith("<"):
            if inner in SELECTORS:
                return ModuleExpr(inner, optional=optional)
            return f"unknown selector '{inner}' (known: {', '.join(SELECTORS)})"
        problem = ModuleExpr.problem(inner)
        return problem if problem else ModuleExpr(inner, optional=optional)

    @staticmethod
    def suggestion(text: str) -> str | None:
        """The selector `text` probably meant (`<stdlb>` -> `<stdlib>`), if it looks like one."""
        inner = text.strip().strip("()").strip()
        if not inner.startswith("<") or inner in SELECTORS:
            return None
        bare = inner.strip("<>").replace("-", "_").lower()
        import difflib  # noqa: PLC0415 - only for a did-you-mean
        close = difflib.get_close_matches(bare, [s.strip("<>") for s in SELECTORS], n=1, cutoff=0.6)
        return f"<{close[0]}>" if close else None

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

    @property
    def is_selector(self) -> bool:
        """`<stdlib>`, `<third_party>`, `<tests>`: resolved by the model, not by name."""
        return self.text in SELECTORS

    @property
    def needs_external_packages(self) -> bool:
        return self.text in EXTERNAL_SELECTORS

    def matches(self, module: str) -> bool:
        """The module itself matches the pattern (not a descendant)."""
        self._by_name()
        if not self.is_wildcard:
            return module == self.text
        *_, whole = _prefix_matches(_segments(self.text), module)
        return whole

    def covers(self, module: str) -> bool:
        """The module or one of its ancestors matches: the pattern's scope includes it."""
        self._by_name()
        if not self.is_wildcard:
            return is_within(module, self.text)
        return any(_prefix_matches(_segments(self.text), module))

    def _by_name(self) -> None:
        # A selector read by name would match nothing and say nothing: a programming error.
        if self.is_selector:
            raise ValueError(f"{self.text} is a selector: resolve it with ArchModel.covers")

    def __str__(self) -> str:
        return f"({self.text})" if self.optional else self.text


class ImportExpr(NamedTuple):
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

