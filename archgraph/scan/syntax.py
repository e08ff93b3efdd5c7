"""tree-sitter underneath the facts: the parser, incremental re-parsing, and reading nodes.

tree-sitter reads Python 3.12-3.14 syntax (PEP 695, PEP 758) whatever Python runs archgraph;
3.11's `ast` cannot. Parsing is error tolerant: a broken file still yields what parsed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from archgraph.diagnostics import ImportKind
from archgraph.model.facts import (
    ImportedName,
    ImportFact,
)

_FUNCTION_TYPES = frozenset({"function_definition", "lambda"})
_SCOPE_TYPES = frozenset({"function_definition", "lambda", "class_definition"})
TYPE_CHECKING_CONDITIONS = frozenset({"TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING"})
ABSTRACT_DECORATORS = frozenset({"abstractmethod", "abc.abstractmethod"})

_parser: Any = None


def _get_parser() -> Any:
    global _parser  # one parser per process; tree-sitter objects cannot be pickled
    if _parser is None:
        import tree_sitter_python  # noqa: PLC0415
        from tree_sitter import Language, Parser  # noqa: PLC0415

        _parser = Parser(Language(tree_sitter_python.language()))
    return _parser


# tree-sitter-python takes time quadratic in the length of a run of comment lines (blank lines
# do not end a run): 4,000 lines cost 1 s, 20,000 lines 25 s. Such a run is blanked before
# parsing: each comment's bytes become spaces, so every offset and line number stays, and no
# fact comes from a comment. A run must hold that many `#` bytes: most files are ruled out at
# memchr speed before the pattern looks for a run.
COMMENT_RUN = 200
_LONG_COMMENT_RUN = re.compile(rb"(?:^[ \t]*(?:#[^\r\n]*)?\r?\n){%d}" % COMMENT_RUN, re.MULTILINE)
_COMMENT_LINE = re.compile(rb"^([ \t]*)(#[^\r\n]*)", re.MULTILINE)


def _blank(match: re.Match[bytes]) -> bytes:
    return match.group(1) + b" " * len(match.group(2))


def parse(source: bytes) -> Any:
    """The tree-sitter tree of a file's source, in time linear in its size (see COMMENT_RUN).

    Comment-only lines inside a multi-line string are blanked too when they are; no fact reads
    the text of such strings.
    """
    return _get_parser().parse(_parsable(source))


class LazyTree:
    """A file's tree, parsed the first time it is asked for: most files a byte scan reads
    need none, and those that do share one parse between the readings that need it."""

    __slots__ = ("data", "tree")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.tree: Any = None  # None until parsed

    def __call__(self) -> Any:
        if self.tree is None:
            self.tree = parse(self.data)
        return self.tree


def _parsable(source: bytes) -> bytes:
    if source.count(b"#") >= COMMENT_RUN and _LONG_COMMENT_RUN.search(source):
        return _COMMENT_LINE.sub(_blank, source)
    return source


class ParsedTrees:
    """The last syntax tree of each file parsed through it, so that the file's next version is
    parsed incrementally: tree-sitter re-reads only around what changed (Django's query.py,
    120 kB, one line added: 15 ms from scratch, well under 1 ms so). For a process that
    analyzes one changing tree (`archgraph trend`); it keeps the `capacity` latest files."""

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._trees: dict[str, tuple[bytes, Any]] = {}  # by path, the latest last

    def parse(self, path: str, source: bytes) -> Any:
        parsable = _parsable(source)
        kept = self._trees.pop(path, None)
        tree = _get_parser().parse(parsable) if kept is None else _reparsed(*kept, parsable)
        self._trees[path] = (parsable, tree)
        if len(self._trees) > self.capacity:
            del self._trees[next(iter(self._trees))]
        return tree


def _reparsed(old: bytes, tree: Any, new: bytes) -> Any:
    """`new` parsed from scratch, in effect: the old tree told where the bytes changed (the
    common prefix and suffix), then reused around there. Where the new tree has a syntax
    error it is parsed from scratch after all: error recovery may go another way."""
    if old == new:
        return tree
    start = _common_length(old, new, lambda n: old[:n] == new[:n])
    room = min(len(old), len(new)) - start
    tail = _common_length(old, new, lambda n: old[len(old) - n :] == new[len(new) - n :], room)
    old_end, new_end = len(old) - tail, len(new) - tail
    tree.edit(
        start_byte=start,
        old_end_byte=old_end,
        new_end_byte=new_end,
        start_point=_point(old, start),
        old_end_point=_point(old, old_end),
        new_end_point=_point(new, new_end),
    )
    parser = _get_parser()
    again = parser.parse(new, tree)
    return parser.parse(new) if again.root_node.has_error else again


def _common_length(old: bytes, new: bytes, same: Callable[[int], bool], most: int | None = None) -> int:
    """The largest n <= `most` with same(n), by bisection (each test compares at memcmp speed)."""
    low, high = 0, min(len(old), len(new)) if most is None else most
    while low < high:
        middle = (low + high + 1) // 2
        if same(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _point(source: bytes, offset: int) -> tuple[int, int]:
    """(row, column in bytes) of a byte offset, as tree-sitter counts them."""
    row = source.count(b"\n", 0, offset)
    return row, offset - (source.rfind(b"\n", 0, offset) + 1)


def node_text(node: Any) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def dotted_name(node: Any) -> str:
    """The dotted name of an expression like `a.b.C` or `a.b.C[T]`; '' when not a name.

    A loop, not recursion: generated code can chain thousands of attributes or calls.
    """
    parts: list[str] = []
    while node is not None:
        kind = node.type
        if kind == "identifier":
            parts.append(node_text(node))
            return ".".join(reversed(parts))
        if kind == "attribute":
            parts.append(node_text(node.child_by_field_name("attribute")))
            node = node.child_by_field_name("object")
        elif kind == "type" and node.named_children:
            node = node.named_children[0]
        elif kind in ("subscript", "generic_type"):
            node = node.child_by_field_name("value") or node.named_children[0]
        elif kind == "call":
            node = node.child_by_field_name("function")
        else:
            return ""
    return ""


def _context(node: Any) -> tuple[bool, bool, bool]:
    """(inside a function, inside `if TYPE_CHECKING:`, inside `try:`) for a statement node."""
    in_function = type_checking = in_try = False
    child, parent = node, node.parent
    while parent is not None:
        if parent.type in _FUNCTION_TYPES:
            in_function = True
        elif parent.type == "if_statement" and child.type == "block":
            condition = node_text(parent.child_by_field_name("condition"))
            if condition in TYPE_CHECKING_CONDITIONS:
                type_checking = True
        elif parent.type == "try_statement":
            in_try = True
        child, parent = parent, parent.parent
    return in_function, type_checking, in_try


def import_kind(node: Any) -> ImportKind:
    """The kind of an import statement node that is not `lazy` (see ImportKind): under
    `if TYPE_CHECKING:` (its body, not an `else` or `elif`) wins over inside a def or a class."""
    in_scope = False
    child, parent = node, node.parent
    while parent is not None:
        kind = parent.type
        if kind in _SCOPE_TYPES:
            in_scope = True
        elif kind == "if_statement" and child.type == "block":
            if node_text(parent.child_by_field_name("condition")) in TYPE_CHECKING_CONDITIONS:
                return ImportKind.TYPE_CHECKING
        child, parent = parent, parent.parent
    return ImportKind.FUNCTION if in_scope else ImportKind.RUNTIME


# Workers build rows (plain tuples, see `to_row`) rather than facts: the fact objects would be
# built only to be taken apart again to cross processes (a fifth of the Python-side work).
NameRow = tuple[str, str | None]  # ImportedName
ImportRow = tuple[int, str, int, tuple[NameRow, ...], str | None, bool, bool, bool]  # ImportFact


def _imported_name(node: Any) -> NameRow:
    if node.type == "aliased_import":
        return (node_text(node.child_by_field_name("name")), node_text(node.child_by_field_name("alias")))
    return (node_text(node), None)


def _import_names(node: Any, children: list[Any]) -> list[NameRow]:
    """The `name` fields of an import statement, from its named children (comments are some)."""
    field_of = node.field_name_for_named_child
    return [_imported_name(c) for i, c in enumerate(children) if field_of(i) == "name"]


def import_rows(node: Any) -> list[ImportRow]:
    """One ImportFact row per statement, or per module of `import a, b`."""
    line = node.start_point[0] + 1
    in_function, type_checking, in_try = _context(node)
    children = node.named_children  # cheaper than children_by_field_name and .children
    if node.type == "import_statement":
        return [
            (line, name, 0, (), alias, in_function, type_checking, in_try)
            for name, alias in _import_names(node, children)
        ]
    module_node = node.child_by_field_name("module_name")
    level, module = 0, ""
    if module_node is not None and module_node.type == "relative_import":
        for part in module_node.children:
            if part.type == "import_prefix":
                level = node_text(part).count(".")
            elif part.type == "dotted_name":
                module = node_text(part)
    else:
        module = node_text(module_node)
    names = _import_names(node, children)
    if any(child.type == "wildcard_import" for child in children):
        names.append(("*", None))
    return [(line, module, level, tuple(names), None, in_function, type_checking, in_try)]


def import_fact(row: ImportRow) -> ImportFact:
    line, module, level, names, alias, in_function, type_checking, in_try = row
    return ImportFact(
        line, module, level, tuple(map(ImportedName._make, names)), alias,
        in_function, type_checking, in_try,
    )


def string_literals(node: Any) -> list[str]:
    found = []
    for child in node.named_children:
        if child.type == "string":
            content = "".join(node_text(c) for c in child.named_children if c.type == "string_content")
            found.append(content)
    return found


def literal_names(node: Any) -> tuple[list[str], bool]:
    """Strings of a literal `__all__` value (list, tuple, or their `+`), and whether that is all of it."""
    if node is None:
        return [], False
    if node.type in ("list", "tuple"):
        strings = string_literals(node)
        return strings, len(strings) == len([c for c in node.named_children if c.type != "comment"])
    if node.type == "binary_operator" and node_text(node.child_by_field_name("operator")) == "+":
        left, left_complete = literal_names(node.child_by_field_name("left"))
        right, right_complete = literal_names(node.child_by_field_name("right"))
        return left + right, left_complete and right_complete
    return [], False
