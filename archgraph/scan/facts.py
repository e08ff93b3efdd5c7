"""Parse files into FileFacts with tree-sitter, cached per file and in parallel.

tree-sitter reads Python 3.12-3.14 syntax (PEP 695, PEP 758) whatever Python runs archgraph;
3.11's `ast` cannot. Parsing is error tolerant: a broken file still yields what parsed.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import signal
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archgraph.model.facts import (
    ClassFact,
    FileFacts,
    ForwardedMethod,
    ImportedName,
    ImportFact,
)
from archgraph.scan import cache_file

if TYPE_CHECKING:
    from archgraph.scan.store import ScanStore

# 4: a first-line import after a UTF-8 byte order mark is no longer lost
# 5: attribute chains are extracted on demand (None in a row that has none)
FACTS_VERSION = 5
CONTENT_FACTS_VERSION = 1
CACHE_NAME = f"facts-v{FACTS_VERSION}.pickle"
MEMO_VERSION = 1  # bump when what a memoized computation returns changes
MEMO_NAME = "memo.marshal"
# Parsing a byte of source costs about as much as loading 7 bytes of the facts cache (Home
# Assistant: 44 MB parsed in 7 s of CPU; its 12 MB of cached facts load in 0.28 s).
PARSE_COST_PER_CACHED_BYTE = 8
MENTIONS_VERSION = 1
MENTIONS_NAME = "mentions.marshal"
MENTIONS_TABLES = 8
BATCH_FILES = 100
MIN_BATCH_FILES = 10
PARALLEL_THRESHOLD = 300  # below this many files, a process pool costs more than it saves
_FUNCTION_TYPES = frozenset({"function_definition", "lambda"})
_ABSTRACT_DECORATORS = frozenset({"abstractmethod", "abc.abstractmethod"})

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


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _dotted(node: Any) -> str:
    """The dotted name of an expression like `a.b.C` or `a.b.C[T]`; '' when not a name.

    A loop, not recursion: generated code can chain thousands of attributes or calls.
    """
    parts: list[str] = []
    while node is not None:
        kind = node.type
        if kind == "identifier":
            parts.append(_text(node))
            return ".".join(reversed(parts))
        if kind == "attribute":
            parts.append(_text(node.child_by_field_name("attribute")))
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
            condition = _text(parent.child_by_field_name("condition"))
            if condition in ("TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING"):
                type_checking = True
        elif parent.type == "try_statement":
            in_try = True
        child, parent = parent, parent.parent
    return in_function, type_checking, in_try


# Workers build rows (plain tuples, see `to_row`) rather than facts: the dataclasses would be
# built only to be taken apart again to cross processes (a fifth of the Python-side work).
NameRow = tuple[str, str | None]  # ImportedName
ImportRow = tuple[int, str, int, tuple[NameRow, ...], str | None, bool, bool, bool]  # ImportFact


def _imported_name(node: Any) -> NameRow:
    if node.type == "aliased_import":
        return (_text(node.child_by_field_name("name")), _text(node.child_by_field_name("alias")))
    return (_text(node), None)


def _import_names(node: Any, children: list[Any]) -> list[NameRow]:
    """The `name` fields of an import statement, from its named children (comments are some)."""
    field_of = node.field_name_for_named_child
    return [_imported_name(c) for i, c in enumerate(children) if field_of(i) == "name"]


def _import_rows(node: Any) -> list[ImportRow]:
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
                level = _text(part).count(".")
            elif part.type == "dotted_name":
                module = _text(part)
    else:
        module = _text(module_node)
    names = _import_names(node, children)
    if any(child.type == "wildcard_import" for child in children):
        names.append(("*", None))
    return [(line, module, level, tuple(names), None, in_function, type_checking, in_try)]


def _import_fact(row: ImportRow) -> ImportFact:
    line, module, level, names, alias, in_function, type_checking, in_try = row
    return ImportFact(
        line, module, level, tuple(map(ImportedName._make, names)), alias,
        in_function, type_checking, in_try,
    )


def _strings(node: Any) -> list[str]:
    found = []
    for child in node.named_children:
        if child.type == "string":
            content = "".join(_text(c) for c in child.named_children if c.type == "string_content")
            found.append(content)
    return found


def _literal_names(node: Any) -> tuple[list[str], bool]:
    """Strings of a literal `__all__` value (list, tuple, or their `+`), and whether that is all of it."""
    if node is None:
        return [], False
    if node.type in ("list", "tuple"):
        strings = _strings(node)
        return strings, len(strings) == len([c for c in node.named_children if c.type != "comment"])
    if node.type == "binary_operator" and _text(node.child_by_field_name("operator")) == "+":
        left, left_complete = _literal_names(node.child_by_field_name("left"))
        right, right_complete = _literal_names(node.child_by_field_name("right"))
        return left + right, left_complete and right_complete
    return [], False


@dataclass
class _ModuleScan:
    """Collects module-level bindings while walking top-level statements."""

    definitions: set[str] = field(default_factory=set)
    dunder_all: list[str] | None = None
    dunder_all_partial: bool = False  # `__all__` is (partly) computed: the names seen are a subset

    def visit_block(self, statements: Iterable[Any]) -> None:
        for statement in statements:
            kind = statement.type
            if kind == "decorated_definition":
                statement = statement.child_by_field_name("definition")
                kind = statement.type if statement is not None else ""
            if kind in ("class_definition", "function_definition"):
                self.definitions.add(_text(statement.child_by_field_name("name")))
            elif kind == "expression_statement":
                for expression in statement.named_children:
                    self.visit_assignment(expression)
            elif kind in ("if_statement", "try_statement", "with_statement", "else_clause",
                          "elif_clause", "except_clause", "finally_clause", "block"):
                # Module-level code inside if/try/with still binds module-level names.
                self.visit_block(statement.named_children)
            elif kind == "type_alias_statement":
                self.definitions.add(_dotted(statement.child_by_field_name("left")))

    def extend_all(self, values: list[str], complete: bool) -> None:
        self.dunder_all = [*(self.dunder_all or []), *values]
        self.dunder_all_partial = self.dunder_all_partial or not complete

    def visit_assignment(self, node: Any) -> None:
        if node.type == "call":
            # `__all__.extend([...])` / `__all__.append("x")` add to a literal `__all__`.
            function = _dotted(node.child_by_field_name("function"))
            if function in ("__all__.extend", "__all__.append"):
                arguments = node.child_by_field_name("arguments")
                argument = arguments.named_children[0] if arguments and arguments.named_children else None
                if function == "__all__.append" and argument is not None and argument.type == "string":
                    self.extend_all(_strings(arguments), len(arguments.named_children) == 1)
                else:
                    self.extend_all(*_literal_names(argument))
            return
        if node.type not in ("assignment", "augmented_assignment"):
            return
        left = node.child_by_field_name("left")
        targets = [left] if left is not None and left.type == "identifier" else (
            [c for c in left.named_children if c.type == "identifier"] if left is not None else []
        )
        for target in targets:
            name = _text(target)
            self.definitions.add(name)
            if name == "__all__":
                values, complete = _literal_names(node.child_by_field_name("right"))
                if node.type == "augmented_assignment":
                    self.extend_all(values, complete)
                else:
                    self.dunder_all, self.dunder_all_partial = values, not complete


def _qualname(node: Any, name: str) -> str:
    parts = [name]
    parent = node.parent
    while parent is not None:
        if parent.type in ("class_definition", "function_definition"):
            parts.append(_text(parent.child_by_field_name("name")))
        parent = parent.parent
    return ".".join(reversed(parts))


def _decorators(definition: Any) -> tuple[str, ...]:
    parent = definition.parent
    if parent is None or parent.type != "decorated_definition":
        return ()
    return _decorators_of(parent)


def _decorators_of(decorated: Any) -> tuple[str, ...]:
    """The decorators of a `decorated_definition` node."""
    return tuple(
        _dotted(d.named_children[0]) or _text(d.named_children[0])
        for d in decorated.named_children
        if d.type == "decorator" and d.named_children
    )


def _body_statements(function: Any) -> list[Any]:
    """The function body without a leading docstring."""
    body = function.child_by_field_name("body")
    statements = list(body.named_children) if body is not None else []
    statements = [s for s in statements if s.type != "comment"]
    if statements and statements[0].type == "expression_statement":
        first = statements[0].named_children
        if first and first[0].type == "string":
            statements = statements[1:]
    return statements


def _forwarded(method: str, statements: list[Any]) -> tuple[str, str, str] | None:
    """`return self.attr.other(...)` (optionally awaited) as the whole body: a ForwardedMethod row."""
    if len(statements) != 1:
        return None
    statement = statements[0]
    expression = statement.named_children[0] if statement.named_children else None
    if expression is not None and expression.type == "await":
        expression = expression.named_children[0] if expression.named_children else None
    if expression is None or expression.type != "call":
        return None
    target = _name_chain(expression.child_by_field_name("function")).split(".")
    if len(target) == 3 and target[0] == "self":
        return (method, target[1], target[2])
    return None


def _name_chain(node: Any) -> str:
    """`a.b.c` for a plain chain of names; '' for anything else (`a[0].b`, `f().b`)."""
    if node is None:
        return ""
    if node.type == "identifier":
        return _text(node)
    if node.type == "attribute":
        head = _name_chain(node.child_by_field_name("object"))
        return f"{head}.{_text(node.child_by_field_name('attribute'))}" if head else ""
    return ""


def _annotated_parameters(function: Any) -> dict[str, str]:
    """Parameters annotated with a plain class name: `inner: Dispatcher` -> {inner: Dispatcher}."""
    found = {}
    parameters = function.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else ():
        if parameter.type not in ("typed_parameter", "typed_default_parameter"):
            continue
        name = parameter.child_by_field_name("name") or parameter.named_children[0]
        annotation = parameter.child_by_field_name("type")
        target = _name_chain(annotation.named_children[0]) if annotation is not None and annotation.named_children else ""
        if name.type == "identifier" and target:
            found[_text(name)] = target
    return found


def _self_attribute_types(function: Any, statements: list[Any]) -> list[tuple[str, str]]:
    """`self.attr = Callee(...)`, or `self.attr = param` with `param: Callee`, -> (attr, Callee).

    `statements`: the function's body statements.
    """
    found = []
    parameters: dict[str, str] | None = None
    for statement in statements:
        if statement.type != "expression_statement":
            continue
        for expression in statement.named_children:
            if expression.type != "assignment":
                continue
            left = expression.child_by_field_name("left")  # `self.attr`: nothing else qualifies
            if left is None or left.type != "attribute":
                continue
            owner = left.child_by_field_name("object")
            if owner is None or owner.type != "identifier" or _text(owner) != "self":
                continue
            right = expression.child_by_field_name("right")
            if right is None:
                continue
            attribute = _text(left.child_by_field_name("attribute"))
            if right.type == "call":
                callee = _dotted(right.child_by_field_name("function"))
                if callee:
                    found.append((attribute, callee))
            elif right.type == "identifier":
                if parameters is None:
                    parameters = _annotated_parameters(function)
                annotation = parameters.get(_text(right))
                if annotation:
                    found.append((attribute, annotation))
    return found


ClassRow = tuple[Any, ...]  # ClassFact, as `to_row` writes it


def _class_row(node: Any) -> ClassRow:
    name = _text(node.child_by_field_name("name"))
    bases: list[str] = []
    metaclass = None
    superclasses = node.child_by_field_name("superclasses")
    for argument in superclasses.named_children if superclasses is not None else []:
        if argument.type == "keyword_argument":
            if _text(argument.child_by_field_name("name")) == "metaclass":
                metaclass = _dotted(argument.child_by_field_name("value"))
        elif argument.type not in ("comment", "list_splat", "dictionary_splat"):
            dotted = _dotted(argument)
            if dotted:
                bases.append(dotted)
    methods, abstract, attributes, forwarded = [], [], [], []
    body = node.child_by_field_name("body")
    for statement in body.named_children if body is not None else []:
        function, decorated = statement, statement.type == "decorated_definition"
        if decorated:
            function = statement.child_by_field_name("definition")
        if function is None or function.type != "function_definition":
            continue
        method = _text(function.child_by_field_name("name"))
        methods.append(method)
        if decorated and not _ABSTRACT_DECORATORS.isdisjoint(_decorators_of(statement)):
            abstract.append(method)
        statements = _body_statements(function)
        attributes += _self_attribute_types(function, statements)
        forward = _forwarded(method, statements)
        if forward is not None:
            forwarded.append(forward)
    return (
        name, _qualname(node, name), node.start_point[0] + 1, tuple(bases), metaclass,
        _decorators(node), tuple(methods), tuple(abstract), tuple(attributes), tuple(forwarded),
    )


# Walking the syntax tree from Python costs as much as parsing it (a tree-sitter query too: it
# visits every node). Imports, classes and `alias.Name` uses are rare, so their keywords and
# names are found in the bytes with a regular expression, and only those spots are looked at.
# A statement starts a line, or follows `;` or the `:` of a one-line `if x: import y`; matching
# only there skips the many "from" and "class" words of docstrings and comments. One pattern per
# lead character: a literal first byte lets `re` skip ahead fast (5x faster than `(?:^|[;:])`).
_STATEMENT_KEYWORDS = tuple(
    # `\A` allows a UTF-8 byte order mark: a first-line import after one was lost.
    re.compile(lead + rb"[ \t\f]*(import|from|class)\b")
    for lead in (rb"\A(?:\xef\xbb\xbf)?", rb"\n", rb"\r", rb";", rb":")
)
_STATEMENT_TYPES = frozenset({"import_statement", "import_from_statement", "class_definition"})


def _walkable(node_type: str) -> bool:
    """Nodes whose statements count: not expressions, and not ERROR regions."""
    return node_type.endswith(("statement", "definition", "clause", "block")) or node_type in (
        "module",
        "decorated_definition",
    )


def _statements(root: Any, source: bytes) -> list[Any]:
    """Import statements and class definitions anywhere but in ERROR regions, in source order."""
    found: dict[int, Any] = {}
    matches = (match for pattern in _STATEMENT_KEYWORDS for match in pattern.finditer(source))
    for match in matches:
        keyword = root.descendant_for_byte_range(match.start(1), match.end(1))
        statement = keyword.parent if keyword is not None else None
        if statement is None or statement.type not in _STATEMENT_TYPES or statement.id in found:
            continue
        ancestor = statement.parent
        while ancestor is not None and _walkable(ancestor.type):
            ancestor = ancestor.parent
        if ancestor is None:  # reached the root through statements only
            found[statement.id] = statement
    return sorted(found.values(), key=lambda node: node.start_byte)


_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_MAY_PRECEDE_DOT = frozenset(b".#\\ \t\n\r\x0b\x0c") | frozenset(range(0x80, 0x100))


def _dot_candidates(source: bytes, aliases: Iterable[str]) -> list[tuple[int, int]]:
    r"""Spans of whole-word uses of the aliases that a dot may follow.

    The spans are those of `re.finditer(rb"\b(?:alias|...)\b", source)` whose next byte may
    precede a dot: the next token of `alias.attr` is the dot, so the byte after the name must
    be the dot itself, whitespace, a comment or a line continuation (or a non-ASCII byte, which
    tree-sitter may read as whitespace); most uses of a name are not attribute accesses.
    Compiling an alternation of each file's names took 40% of fact extraction: names made of
    ASCII word characters are searched one by one with `bytes.find` (memchr speed), which finds
    the same spans, since a whole-word match of such a name is a whole run of word characters
    and two runs never overlap. Other names (`é`) keep the alternation.
    """
    words = sorted({alias.encode() for alias in aliases if alias})
    if not all(_WORD_BYTES.issuperset(word) for word in words):
        size = len(source)
        return [
            match.span()
            for match in _alias_pattern(tuple(words)).finditer(source)
            if match.end() < size and source[match.end()] in _MAY_PRECEDE_DOT
        ]
    size = len(source)
    found = []
    for word in words:
        length = len(word)
        start = source.find(word)
        while start != -1:
            end = start + length
            after = source[end] if end < size else None
            if (after is None or after not in _WORD_BYTES) and (
                start == 0 or source[start - 1] not in _WORD_BYTES
            ):
                if after is not None and after in _MAY_PRECEDE_DOT:
                    found.append((start, end))
                start = source.find(word, end)  # a match: go on after it
            else:
                start = source.find(word, start + 1)
    return found


@functools.lru_cache(maxsize=256)
def _alias_pattern(words: tuple[bytes, ...]) -> re.Pattern[bytes]:
    return re.compile(rb"\b(?:" + b"|".join(re.escape(word) for word in words) + rb")\b")


def _attribute_chains(root: Any, source: bytes, aliases: set[str]) -> list[tuple[str, int]]:
    """`alias.Name` uses (outermost attribute expressions) of module aliases bound by import."""
    found = set()
    for span in _dot_candidates(source, aliases):
        identifier = root.descendant_for_byte_range(*span)
        node = identifier.parent if identifier is not None else None
        if (
            node is None
            or identifier.type != "identifier"
            or (identifier.start_byte, identifier.end_byte) != span
            or node.type != "attribute"
            or node.child_by_field_name("object") != identifier
        ):
            continue
        while (
            node.parent is not None
            and node.parent.type == "attribute"
            and node.parent.child_by_field_name("object") == node
        ):
            node = node.parent  # climb to the outermost `a.b.c`
        found.add((_dotted(node), node.start_point[0] + 1))
    return sorted(found, key=lambda item: (item[1], item[0]))


def extract_imports(source: bytes, tree: Any = None) -> list[ImportFact]:
    """The import statements of one file's source: `extract_facts(...).imports`, and no more.

    `tree`: the source's tree-sitter tree, when the caller has parsed it already.
    """
    root = (tree if tree is not None else parse(source)).root_node
    imports: list[ImportRow] = []
    for node in _statements(root, source):
        if node.type in ("import_statement", "import_from_statement"):
            imports += _import_rows(node)
    return [_import_fact(row) for row in imports]


def extract_facts(module: str, source: bytes, chains: bool = True) -> FileFacts:
    """Facts of one file's source (pure; no file access).

    `chains`: extract `attribute_chains` (a fifth of the work; only symbol contracts read
    them); without, they are None.
    """
    return from_row(extract_row(module, source, chains))


def extract_row(module: str, source: bytes, chains: bool = True, tree: Any = None) -> tuple[Any, ...]:
    """`to_row(extract_facts(module, source, chains))`, without building the facts.
    `tree`: the source's syntax tree, if the caller parsed it already."""
    root = (tree if tree is not None else parse(source)).root_node
    imports: list[ImportRow] = []
    classes: list[ClassRow] = []
    for node in _statements(root, source):
        if node.type in ("import_statement", "import_from_statement"):
            imports += _import_rows(node)
        elif node.type == "class_definition":
            classes.append(_class_row(node))
    bindings = _ModuleScan()
    bindings.visit_block(root.named_children)
    definitions = bindings.definitions
    for _line, name, _level, names, alias, in_function, type_checking, _in_try in imports:
        if not (in_function or type_checking):
            if names:
                definitions.update(bound or imported for imported, bound in names if imported != "*")
            else:
                definitions.add(alias or name.split(".")[0])
    attribute_chains = _module_attribute_chains(root, source, imports) if chains else None
    error_line = None
    if root.has_error:
        error_line = _first_error_line(root)
    return (
        module,
        tuple(imports),
        tuple(sorted(definitions)),
        tuple(classes),
        tuple(bindings.dunder_all) if bindings.dunder_all is not None else None,
        attribute_chains,
        error_line,
        bindings.dunder_all_partial,
    )


def _module_attribute_chains(
    root: Any, source: bytes, imports: list[ImportRow]
) -> tuple[tuple[str, int], ...]:
    # Both `import a.b as m` and `from a import b` can bind a module, whose attributes
    # (`m.Name`, `b.Name`) give access to its names like an import does.
    bound_by_import = {alias or name.split(".")[0] for _, name, _, names, alias, *_ in imports if not names}
    bound_by_import |= {bound or imported for row in imports for imported, bound in row[3] if imported != "*"}
    return tuple(_attribute_chains(root, source, bound_by_import)) if bound_by_import else ()


def _first_error_line(root: Any) -> int | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return int(node.start_point[0]) + 1
        stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing or c.type == "ERROR"]))
    return None


def _parse_batch(
    batch: Sequence[tuple[str, str]], chains: bool = True, trees: ParsedTrees | None = None
) -> list[tuple[str, tuple[Any, ...] | None]]:
    """Worker: parse files; results as plain tuples, which cross processes and marshal fast.
    `trees`: parse through it (in this process), incrementally where it can."""
    results: list[tuple[str, tuple[Any, ...] | None]] = []
    for module, path in batch:
        try:
            source = Path(path).read_bytes()
        except OSError:
            results.append((path, None))
            continue
        tree = trees.parse(path, source) if trees is not None else None
        results.append((path, extract_row(module, source, chains, tree)))
    return results


def to_row(facts: FileFacts) -> tuple[Any, ...]:
    return (
        facts.module,
        tuple(
            (i.line, i.module, i.level, tuple(tuple(n) for n in i.names), i.alias,
             i.in_function, i.type_checking, i.in_try)
            for i in facts.imports
        ),
        facts.definitions,
        tuple(
            (c.name, c.qualname, c.line, c.bases, c.metaclass, c.decorators, c.methods,
             c.abstract_methods, c.attribute_types, tuple((f.method, f.attribute, f.target) for f in c.forwarded))
            for c in facts.classes
        ),
        facts.dunder_all,
        facts.attribute_chains,
        facts.error_line,
        facts.dunder_all_partial,
    )


def from_row(row: tuple[Any, ...]) -> FileFacts:
    module, imports, definitions, classes, dunder_all, chains, error_line, all_partial = row
    return FileFacts(
        module=module,
        imports=tuple(
            ImportFact(line, name, level, tuple(map(ImportedName._make, names)), alias, f, t, x)
            for line, name, level, names, alias, f, t, x in imports
        ),
        definitions=definitions,
        classes=tuple(
            ClassFact(n, q, line, bases, meta, decorators, methods, abstract, attributes,
                      tuple(ForwardedMethod(*item) for item in forwarded))
            for n, q, line, bases, meta, decorators, methods, abstract, attributes, forwarded in classes
        ),
        dunder_all=dunder_all,
        dunder_all_partial=all_partial,
        attribute_chains=chains,
        error_line=error_line,
    )


Stamp = tuple[int, int]
CHAINS_FIELD = 5  # where a row keeps `attribute_chains`


def _stamp(path: str) -> Stamp | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


class FactsCache:
    """Fact rows by absolute path, valid while (size, mtime) is unchanged. One versioned file.

    It also remembers which searched names a file does not contain, so a warm run that asks
    for the same names reads none of the files that cannot import them.
    marshal of plain tuples loads several times faster than pickled dataclasses; the file is
    replaced atomically, so concurrent runs at worst redo each other's parsing.
    """

    def __init__(self, cache_dir: Path | None) -> None:
        self.file = cache_dir / CACHE_NAME if cache_dir else None
        self.entries: dict[str, tuple[Stamp, tuple[Any, ...]]] = {}
        self.absent: dict[str, tuple[Stamp, frozenset[bytes]]] = {}
        # The facts made of each entry's row, by path: every caller of one file version gets
        # the very same object (a class model built again compares them by identity first).
        self._objects: dict[str, tuple[tuple[Any, ...], FileFacts]] = {}
        self.dirty = False
        stored = cache_file.load(self.file, FACTS_VERSION)
        if stored is not None:
            self.entries, self.absent = stored

    def get(self, path: str, stamp: Stamp | None, chains: bool = False) -> tuple[Any, ...] | None:
        """The file's row while unchanged; with `chains`, only a row that has them."""
        entry = self.entries.get(path)
        if entry is None or entry[0] != stamp or (chains and entry[1][CHAINS_FIELD] is None):
            return None
        return entry[1]

    def facts(self, path: str, row: tuple[Any, ...]) -> FileFacts:
        """The facts of one of this cache's rows for `path`."""
        made = self._objects.get(path)
        if made is not None and made[0] is row:
            return made[1]
        facts = from_row(row)
        self._objects[path] = (row, facts)
        return facts

    def put(self, path: str, stamp: Stamp, row: tuple[Any, ...]) -> None:
        self.entries[path] = (stamp, row)
        self.dirty = True

    def lacks(self, path: str, stamp: Stamp, needles: frozenset[bytes]) -> bool:
        """The file, unchanged, was read before and contains none of the needles."""
        entry = self.absent.get(path)
        return entry is not None and entry[0] == stamp and needles <= entry[1]

    def put_absent(self, path: str, stamp: Stamp, needles: frozenset[bytes]) -> None:
        entry = self.absent.get(path)
        known = entry[1] if entry is not None and entry[0] == stamp else frozenset()
        self.absent[path] = (stamp, known | needles)
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            cache_file.store(self.file, FACTS_VERSION, self.entries, self.absent)
            self.dirty = False


class FactsByContent:
    """Fact rows by module and file content: a file's facts follow from its bytes and its module
    name alone, so they hold wherever and whenever those bytes are found again. `archgraph
    trend` names a file's content by git's object id; its next run over the same history then
    parses only the files no earlier run saw (Home Assistant: 3.3 s of a first commit).

    One versioned file; what a run looked up or added is kept, and earlier entries after them
    while there is room (see `save`).
    """

    def __init__(self, file: Path | None, content_of: Callable[[Path], str | None]) -> None:
        """`content_of`: the content id of a file, by its path relative to the analyzed root."""
        self.file = file
        self._content_of = content_of
        stored = cache_file.load(file, (CONTENT_FACTS_VERSION, FACTS_VERSION))
        self._stored: dict[tuple[str, str], tuple[Any, ...]] = stored[0] if stored is not None else {}
        self._used: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._added = False

    def get(self, module: str, file: Path, chains: bool) -> tuple[Any, ...] | None:
        content = self._content_of(file)
        if content is None:
            return None
        key = (module, content)
        row = self._used.get(key) or self._stored.get(key)
        if row is None or (chains and row[CHAINS_FIELD] is None):
            return None
        self._used[key] = row
        return row

    def put(self, module: str, file: Path, row: tuple[Any, ...]) -> None:
        content = self._content_of(file)
        if content is not None:
            self._used[(module, content)] = row
            self._added = True

    def save(self, capacity: int) -> None:
        """Write what this run used or added, then earlier entries while the file holds fewer
        than `capacity` (a run over a few commits does not drop what a longer one found)."""
        if not self._added and len(self._used) >= min(len(self._stored), capacity):
            return  # nothing new, and nothing that would be dropped
        kept = dict(self._used)
        for key, row in self._stored.items():
            if len(kept) >= capacity:
                break
            kept.setdefault(key, row)
        cache_file.store(self.file, (CONTENT_FACTS_VERSION, FACTS_VERSION), kept)


class FactsProvider:
    """FactsPort implementation: the store first, then parse what is missing (in parallel)."""

    def __init__(
        self,
        root: Path,
        files: Mapping[str, Path],
        store: ScanStore,
        stamps: Mapping[str, Stamp] | None = None,
        context: tuple[Any, ...] = (),
    ) -> None:
        """`stamps`: (size, mtime) by module, from the file walk (else each file is stat'ed);
        `context`: what else the analyzed code depends on (scan options, namespace packages)."""
        self._root = root
        self._files = files
        self._store = store
        self._cache_dir = store.folder
        self._stamps = stamps or {}
        self._context = context
        self._memory: dict[str, FileFacts] = {}
        self._digest: str | None = None

    def _stamp_of(self, module: str, path: str) -> Stamp | None:
        stamp = self._stamps.get(module)
        return stamp if stamp is not None else _stamp(path)

    def files_digest(self) -> str:
        """A digest of every analyzed file (module, path, size, mtime) and the scan context."""
        if self._digest is None:
            context = repr((MEMO_VERSION, FACTS_VERSION, self._context)).encode()
            import hashlib  # noqa: PLC0415 - only runs that memoize need it

            digest = hashlib.blake2b(context, digest_size=20)
            root = str(self._root)
            for module in sorted(self._files):
                path = str(self._files[module])
                stamp = self._stamp_of(module, os.path.join(root, path))
                digest.update(f"\0{module}\0{path}\0{stamp}".encode())
            self._digest = digest.hexdigest()
        return self._digest

    def memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """`compute()`, or its value from an earlier run over the very same files."""
        if self._cache_dir is None:
            return compute()
        file = self._cache_dir / MEMO_NAME
        digest = self.files_digest()
        entries: dict[Any, Any] = {}
        stored = cache_file.load(file, MEMO_VERSION)
        if stored is not None:
            entries = {k: v for k, v in stored[0].items() if v[0] == digest}
        if key in entries:
            return entries[key][1]
        value = compute()
        entries[key] = (digest, value)
        cache_file.store(file, MEMO_VERSION, entries)
        return value

    def mentioning(
        self, mentions: Sequence[bytes], project: Callable[[FileFacts], FileFacts], key: Hashable
    ) -> dict[str, FileFacts]:
        """See FactsPort.mentioning: one table per (key, mentions) of (stamp, projected row or
        None: no mention) by file, so that a run after an edit reads only the changed files."""
        needles = tuple(mentions)
        if self._cache_dir is None:
            everything = self.facts(sorted(self._files), needles, chains=True)
            return {module: project(facts) for module, facts in everything.items()}
        file = self._cache_dir / MENTIONS_NAME
        stored = cache_file.load(file, (MENTIONS_VERSION, FACTS_VERSION))
        tables: dict[Any, dict[str, Any]] = stored[0] if stored is not None else {}
        table = tables.pop((key, needles), {})
        root = str(self._root)
        found: dict[str, FileFacts] = {}
        kept: dict[str, Any] = {}
        stale: list[tuple[str, str, Stamp]] = []
        for module in sorted(self._files):
            path = os.path.join(root, self._files[module])
            stamp = self._stamp_of(module, path)
            if stamp is None:
                continue
            entry = table.get(path)
            if entry is not None and entry[0] == stamp:
                kept[path] = entry
                if entry[1] is not None:
                    found[module] = from_row(entry[1])
            else:
                stale.append((module, path, stamp))
        if stale or len(kept) != len(table):
            fresh = self.facts([module for module, _path, _stamp in stale], needles, chains=True)
            for module, path, stamp in stale:
                facts = fresh.get(module)
                projected = project(facts) if facts is not None else None
                if projected is not None:
                    found[module] = projected
                kept[path] = (stamp, to_row(projected) if projected is not None else None)
            # The most recent tables last; a few are kept (one per symbol contract, say).
            tables = dict(list(tables.items())[-(MENTIONS_TABLES - 1) :])
            tables[(key, needles)] = kept
            cache_file.store(file, (MENTIONS_VERSION, FACTS_VERSION), tables)
        return dict(sorted(found.items()))

    def facts(
        self, modules: Iterable[str], mentions: Iterable[bytes] = (), chains: bool = False
    ) -> dict[str, FileFacts]:
        needles = tuple(mentions)
        modules = list(modules)
        memory = self._memory
        if chains:
            wanted = [
                m
                for m in modules
                if m in self._files and (m not in memory or memory[m].attribute_chains is None)
            ]
        else:  # C-speed filters: all 8,800 modules of Home Assistant at every commit of a trend
            wanted = list(itertools.filterfalse(memory.__contains__, filter(self._files.__contains__, modules)))
        if wanted:
            self._load(wanted, needles, chains)
        if chains:  # not those read without chains earlier and not wanted now (no mention)
            return {m: f for m in modules if (f := memory.get(m)) and f.attribute_chains is not None}
        known = list(filter(memory.__contains__, modules))
        return dict(zip(known, map(memory.__getitem__, known), strict=True))

    def _load(self, modules: Sequence[str], needles: tuple[bytes, ...], chains: bool) -> None:
        if not self._store.facts_loaded and self._parsing_is_cheaper(modules):
            self._parse_uncached(modules, needles, chains)
            return
        cache = self._store.facts
        searched = frozenset(needles)
        root = str(self._root)
        to_parse: list[tuple[str, str]] = []
        stamps: dict[str, Stamp] = {}  # by module
        by_content = self._store.facts_by_content
        for module in modules:
            path = os.path.join(root, self._files[module])  # str paths: thousands per run
            stamp = self._stamp_of(module, path)
            if stamp is not None:
                stamps[module] = stamp
            cached = cache.get(path, stamp, chains)
            if cached is None and by_content is not None:
                cached = by_content.get(module, self._files[module], chains)
            if cached is not None:
                self._memory[module] = cache.facts(path, cached)
                continue
            if stamp is None:
                continue
            if needles:
                if cache.lacks(path, stamp, searched):
                    continue
                if not _mentions(path, needles):
                    cache.put_absent(path, stamp, searched)
                    continue  # cannot import the name: no need to parse
            to_parse.append((module, path))
        rows: dict[str, tuple[Any, ...]] = {}
        for path, row in parse_in_parallel(to_parse, chains, self._store.parsed_trees):
            if row is not None:  # in no set order
                rows[path] = row
        for module, path in to_parse:  # the cache file's order stays that of the files
            if path in rows:
                cache.put(path, stamps[module], rows[path])
                self._memory[module] = cache.facts(path, rows[path])
                if by_content is not None:
                    by_content.put(module, self._files[module], rows[path])
        cache.save()

    def _parsing_is_cheaper(self, modules: Sequence[str]) -> bool:
        """A few files, a big cache file: parsing them costs less than loading every file's
        facts (after an edit, a symbol contract asks for its module's facts first: 0.3 s of
        loading on Home Assistant for one file)."""
        cached_bytes = self._store.facts_file_size()
        if not cached_bytes:
            return False
        root = str(self._root)
        source_bytes = 0
        for module in modules:
            stamp = self._stamp_of(module, os.path.join(root, self._files[module]))
            source_bytes += stamp[0] if stamp is not None else 0
        return source_bytes * PARSE_COST_PER_CACHED_BYTE < cached_bytes

    def _parse_uncached(self, modules: Sequence[str], needles: tuple[bytes, ...], chains: bool) -> None:
        """Parse in this process, without reading or writing the cache file."""
        root = str(self._root)
        paths = [(module, os.path.join(root, self._files[module])) for module in modules]
        if needles:
            paths = [(module, path) for module, path in paths if _mentions(path, needles)]
        by_path = dict((path, module) for module, path in paths)
        for path, row in _parse_batch(paths, chains):
            if row is not None:
                self._memory[by_path[path]] = from_row(row)


def _mentions(path: str, needles: tuple[bytes, ...]) -> bool:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return False
    return any(needle in data for needle in needles)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process, which stops the run and reports it once
    (otherwise every worker prints its own KeyboardInterrupt traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def parse_in_parallel(
    files: Sequence[tuple[str, str]], chains: bool = True, trees: ParsedTrees | None = None
) -> Iterator[tuple[str, tuple[Any, ...] | None]]:
    """Parse (module, path) pairs, with a process per core once there are enough files
    (`trees`: see ParsedTrees; used for a few files).

    The results come in no set order, as batches finish. This process is one of the parsers:
    it would otherwise only wait, and what it parses itself needs no transfer. It takes its
    batches from the end of the list, and keeps two batches queued for each worker meanwhile,
    so that none of them waits either; the batches shrink towards the middle, so that no
    parser is left with a long one when the others are done (that waited 0.1 s on HA).
    """
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_THRESHOLD or workers < 2:
        # A few files, in this process: `trees` keeps their trees for their next version
        # (not those of a whole tree's first parse: they would only take memory).
        yield from _parse_batch(files, chains, trees if len(files) < PARALLEL_THRESHOLD else None)
        return
    # Small batches: file sizes vary a lot, and with a few big batches one worker may still be
    # parsing the last one while the others sit idle (9 batches of 1100 files on Home Assistant).
    # Smaller still towards the end, where each parser's last batch decides when all are done.
    ahead = 2 * (workers - 1)  # batches queued for the workers
    front, back = 0, len(files)

    def take(from_front: bool) -> Sequence[tuple[str, str]]:
        nonlocal front, back
        size = max(MIN_BATCH_FILES, min(BATCH_FILES, (back - front) // (workers * 4)))
        if from_front:
            start, front = front, min(front + size, back)
            return files[start:front]
        end, back = back, max(back - size, front)
        return files[back:end]

    # Imported here: a warm run parses nothing, and multiprocessing costs 10 ms to import.
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait  # noqa: PLC0415

    parse = functools.partial(_parse_batch, chains=chains)
    pending: set[Future[list[tuple[str, tuple[Any, ...] | None]]]] = set()
    with ProcessPoolExecutor(max_workers=workers - 1, initializer=_ignore_interrupts) as pool:
        while front < back or pending:
            while front < back and len(pending) < ahead:
                pending.add(pool.submit(parse, take(from_front=True)))
            if front < back:
                yield from parse(take(from_front=False))
                done = {future for future in pending if future.done()}
            else:
                done, _running = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.discard(future)
                yield from future.result()
