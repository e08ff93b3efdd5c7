"""Where an import statement stands, read from a file's bytes: its kind (runtime, in a function
or a class, under `if TYPE_CHECKING:`, lazy) and, for the import audit, its row (whether a try
statement encloses it). The bytes decide where they are sure (the statement at module level,
the blocks above it read from indentation); else tree-sitter does, on the module-level
statement around the import or on the whole file. Kinds are read only for the files and lines
something asks about (see scan/audit.py `LazyImportKinds`)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from archgraph.diagnostics import ImportKind
from archgraph.scan.file_scan import WORD_BYTES, line_continues
from archgraph.scan.syntax import TYPE_CHECKING_CONDITIONS, import_kind, parse

# What may stand before `import` on the line of a statement at module level that is known
# without parsing: nothing, `from <name> `, and PEP 810's `lazy` before either.
_MODULE_LEVEL_PREFIX = re.compile(rb"(lazy[ \t]+)?(?:from[ \t]+\.*[\w.]*[ \t]+)?")
_IMPORT_KEYWORD = re.compile(rb"import(?![\w])")
# What stands before `import` on its line when the statement starts the line (indented or not).
# A keyword after anything else is not an import statement's, unless a colon or a semicolon
# (`if x: import y`, `x = 1; import y`) may have started the statement on the line.
_IMPORT_PREFIX = re.compile(rb"[ \t]*(?:lazy[ \t]+)?(?:from[ \t]+[^\s:;#]*[ \t]+)?")
_STATEMENTS = frozenset({"import_statement", "import_from_statement"})


def _import_keywords(data: bytes) -> Iterator[tuple[int, int, int]]:
    """Where the word `import` starts in the file, as a whole word (in code, strings or
    comments alike): (its offset, the offset of its line's start, its line number), in order,
    the lines counted on from one keyword to the next."""
    line, counted = 1, 0
    for match in _IMPORT_KEYWORD.finditer(data):
        position = match.start()
        if not position or data[position - 1] not in WORD_BYTES:
            start = data.rfind(b"\n", 0, position) + 1
            line += data.count(b"\n", counted, start)
            counted = start
            yield position, start, line


def import_kinds(data: bytes, tree: Callable[[], Any] | None) -> list[tuple[int, str]]:
    """(line, kind) of each import statement that is not a runtime one, by line (see
    `FileKinds`)."""
    return FileKinds(data, tree).every()


class FileKinds:
    """The kind of each import statement of a file, by line, worked out as lines are asked.

    Found from the word `import`: a statement that starts a line at its first column (`import
    x`, `from x import y`, `lazy import x`, `lazy from x import y`) is at module level, and
    only `lazy` makes it other than runtime; that much is read for the whole file at once.
    Any other `import` (indented, after a colon, or in a string or a comment) is doubtful: its
    kind is read from the bytes around it where they tell it for sure (`_kind_for_sure`,
    `_Blocks`), else from the syntax tree. A doubtful one is looked into only when its line is
    asked (a check asks for the lines its violations show: pip's 31 files, mostly imports at
    module level), or when every line is (`every`).
    """

    def __init__(self, data: bytes, tree: Callable[[], Any] | None = None) -> None:
        self.data = data
        self._tree = tree
        self._found: dict[int, str] = {}  # line -> kind, of the statements not runtime
        self._doubtful: dict[int, list[int]] = {}  # line -> offsets of its doubtful keywords
        # A doubtful keyword on a line joined to the one above belongs to a statement that
        # starts there: the parse tells which, so such a file is worked out whole.
        self._joined = False
        self._quotes: _LongQuotes | None = None
        self._firsts: dict[int, _Firsts] = {}
        self._blocks: _Blocks | None = None
        self._parsed: Any = None  # the whole file's tree, once parsed
        self._statements: dict[tuple[int, int], Any] = {}  # module-level statements parsed alone
        for position, start, line in _import_keywords(data):
            prefix = _MODULE_LEVEL_PREFIX.match(data, start, position)
            if prefix is not None and prefix.end() == position:
                if prefix.group(1):
                    self._found[line] = ImportKind.LAZY.value
                continue
            if _IMPORT_PREFIX.fullmatch(data, start, position) is None:
                before = data[start:position]
                if before.lstrip(b" \t").startswith(b"#") or not (b":" in before or b";" in before):
                    continue  # a comment, a doctest's `>>> from x import y`, prose in a docstring
            self._doubtful.setdefault(line, []).append(position)
            self._joined = self._joined or bool(start and line_continues(data, start - 1))

    def kind(self, line: int) -> ImportKind:
        """The kind of the import statement that starts on `line` (runtime if none does)."""
        if self._joined:
            self.every()
        elif line in self._doubtful:
            self._decide([(position, line) for position in self._doubtful.pop(line)])
        kind = self._found.get(line)
        return ImportKind.RUNTIME if kind is None else ImportKind(kind)

    def every(self) -> list[tuple[int, str]]:
        """(line, kind) of each import statement that is not a runtime one, by line."""
        if self._doubtful:
            doubtful = sorted((p, line) for line, positions in self._doubtful.items() for p in positions)
            self._doubtful = {}
            self._decide(doubtful)
        return sorted(self._found.items())

    def _decide(self, doubtful: list[tuple[int, int]]) -> None:
        """Work out the kinds of doubtful keywords ((offset, line), in file order)."""
        data, found = self.data, self._found
        if self._quotes is None:
            self._quotes = _LongQuotes(data)
        quotes = self._quotes
        undecided = []
        for position, line in doubtful:
            kind = _kind_for_sure(data, position, quotes, self._firsts)
            if kind is None:
                if self._blocks is None:
                    self._blocks = _Blocks(data, quotes)
                kind = self._blocks.kind(position)
            if kind is None:
                undecided.append((position, line))
            elif kind is not ImportKind.RUNTIME:
                found[line] = kind.value
        if not undecided:
            return
        trees = _trees_around(data, undecided, self._whole_tree, quotes, self._statements)
        for root, offset, lines_before, entries in trees:
            for position, _line in entries:
                keyword = root.descendant_for_byte_range(position - offset, position - offset + 6)
                statement = keyword.parent if keyword is not None else None
                if statement is None or statement.type not in _STATEMENTS:
                    continue
                kind = import_kind(statement)
                if kind is not ImportKind.RUNTIME:
                    found[lines_before + statement.start_point[0] + 1] = kind.value

    def _whole_tree(self) -> Any:
        """The file's syntax tree, parsed once however many lines need it."""
        if self._parsed is None:
            self._parsed = self._tree() if self._tree is not None else parse(self.data)
        return self._parsed


# An import statement as the audit reads it without a parse: `from` (dots and a dotted name,
# no blanks inside) up to its `import`, or `import` and dotted names with aliases up to the
# end of the line (a comment aside). Anything else on the line is left to the parse.
_FROM_HEAD = re.compile(rb"from[ \t]+(\.*)[ \t]*(\w[\w.]*)?[ \t]+import\b")
_IMPORTED_NAMES = re.compile(rb"import[ \t]+([\w. \t,]+?)[ \t]*(?:#[^\r\n]*)?\r?(?:\n|\Z)")
_IMPORTED_NAME = re.compile(rb"[ \t]*([\w.]+)(?:[ \t]+as[ \t]+\w+)?[ \t]*")
# (line, level, module, is_from, in_try) of each import statement: what the audit needs to know
AuditRow = tuple[int, int, str, bool, bool]


def audit_import_rows(data: bytes) -> list[AuditRow] | None:
    """(line, level, module, is_from, in_try) of each import statement of the file, in order
    (one per module of `import a, b`), as `extract_imports` gives them from the parse, read
    from the bytes where they tell it for sure: each `import` keyword starts its statement on
    its line or is in a string or a comment, each statement is of a plain form, and the blocks
    above it say whether it is in a try statement (see `_Blocks`). None otherwise: the parse
    tells. The audit reads the rows of the files whose imports name a missing module (pip:
    14 files, its vendored `six.moves`), and a parse of them cost a fifth of its reading."""
    blocks = _Blocks(data, _LongQuotes(data))
    if not blocks.sure:
        return None
    rows: list[AuditRow] = []
    for position, start, line in _import_keywords(data):
        code = blocks.in_code(position)
        if code is None:
            return None
        if not code:
            continue
        headers = blocks.headers(position)
        in_try = blocks.in_try(headers) if headers is not None else None
        if in_try is None:
            return None
        before = data[start:position]
        first = start + len(before) - len(before.lstrip(b" "))
        if first == position:  # `import a.b as c, d`
            names = _IMPORTED_NAMES.match(data, position)
            if names is None:
                return None
            modules = names.group(1).split(b",")
            for module in modules:
                plain = _IMPORTED_NAME.fullmatch(module)
                if plain is None:
                    return None
                rows.append((line, 0, plain.group(1).decode("ascii"), False, in_try))
            continue
        head = _FROM_HEAD.match(data, first)
        if head is None or head.end() != position + len(b"import"):
            return None  # `lazy`, blanks inside a dotted name: the parse tells
        module = (head.group(2) or b"").decode("ascii")
        if module == "__future__" and not head.group(1):
            continue  # a future statement: no import of a module
        rows.append((line, len(head.group(1)), module, True, in_try))
    return rows


# A line that starts a statement at module level: not blank, indented, a comment, a closing
# bracket, or a clause that continues the compound statement above it.
_CONTINUING_CLAUSE = re.compile(rb"(?:else|elif|except|finally)\b")
_NOT_A_START = frozenset(b" \t\r\n#)]}")
_LINE_AT_COLUMN_0 = re.compile(rb"\n[^ \t\r\n#)\]}]")


def _trees_around(
    data: bytes,
    doubtful: list[tuple[int, int]],
    tree: Callable[[], Any] | None,
    quotes: _LongQuotes,
    parsed: dict[tuple[int, int], Any],
) -> list[tuple[Any, int, int, list[tuple[int, int]]]]:
    """(root node, byte offset, lines before it, the doubtful keywords inside) of the syntax
    trees that decide the keywords: each keyword's module-level statement parsed alone, or
    the whole file.

    An import's kind depends only on the statements around it up to module level, so parsing
    that one statement answers (pydantic: 70 of 105 files would be parsed whole for imports in
    functions). The statement runs from the line at column 0 above the keyword to the next such
    line; it is parsed alone only where that cannot be wrong: both bounds outside any
    triple-quoted string (as many of each quote before as after an even count), and a tree
    without errors. Else the whole file is parsed, as before.
    """
    spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
    whole: list[tuple[int, int]] = []
    for position, line in doubtful:
        bounds = _statement_around(data, position, quotes)
        if bounds is None:
            whole.append((position, line))
        else:
            spans.setdefault(bounds, []).append((position, line))
    if whole or 2 * sum(end - start for start, end in spans) > len(data):
        spans, whole = {}, doubtful  # most of the file anyway: parse it once
    found: list[tuple[Any, int, int, list[tuple[int, int]]]] = []
    for (start, end), entries in spans.items():
        root = parsed.get((start, end))
        if root is None:
            root = parsed[start, end] = parse(data[start:end]).root_node
        if root.has_error:
            whole += entries
        else:
            found.append((root, start, data.count(b"\n", 0, start), entries))
    if whole:
        root = (tree() if tree is not None else parse(data)).root_node
        found.append((root, 0, 0, sorted(whole)))
    return found


# A module-level statement that opens a scope: everything indented below its first line, up to
# the next module-level statement, is inside a def or a class body (`def`, `class` and `async`
# are keywords: no line inside brackets or a short string starts with one at column 0).
_SCOPE_START = re.compile(rb"(?:async[ \t]+)?(?:def|class)[ \t\\(:]")


# The first line of a module-level `if TYPE_CHECKING:` (see syntax.TYPE_CHECKING_CONDITIONS),
# and a line at column 0 that starts its `else` or `elif` branch.
_TYPE_CHECKING_IF = re.compile(
    rb"if[ \t]+(?:"
    + b"|".join(re.escape(c.encode()) for c in sorted(TYPE_CHECKING_CONDITIONS))
    + rb")[ \t]*:[ \t]*(?:#[^\n]*)?\r?\n"
)
_OTHER_BRANCH = re.compile(rb"\n(?:else|elif)\b")
_SCOPE_WORD = re.compile(rb"\b(?:def|class|lambda)\b")
# Compound statements whose keyword no expression holds: a line at column 0 that starts with
# one starts a statement (a line inside brackets may start with `if` or `for`, or `b):`).
_STATEMENT_KEYWORD = re.compile(rb"(?:try[ \t]*:|(?:async[ \t]+)?with[ \t(\\]|while[ \t(\\])")


def _kind_for_sure(
    data: bytes, position: int, quotes: _LongQuotes, firsts: dict[int, _Firsts]
) -> ImportKind | None:
    """The kind of an import keyword at `position` that is not at the start of its line, if
    it is an import statement's and its module-level statement tells it without a parse;
    else None. Nothing but that statement's lines above the keyword encloses it:

    - in a def or class body with no TYPE_CHECKING above it, `function` (most indented imports
      are a method's: sympy parsed 141 files for a cold check's kinds);
    - in the body of a module-level `if TYPE_CHECKING:` (no `else` or `elif` at column 0
      above it), `type_checking` whatever else encloses it;
    - in a module-level `try`, `with`, `while` or `if` (its header a line that compiles as
      one) with neither a def, a class nor TYPE_CHECKING above it, `runtime` (pydantic parsed
      14 files for the kinds of 13 violations).

    A keyword that is not an import statement's (in a docstring) gets a kind too, for a line
    with no import: no import ever looks it up. `firsts`: what each statement holds first (see
    `_Firsts`), by its start, filled as statements are met."""
    line_start = data.rfind(b"\n", 0, position) + 1
    if line_start and line_continues(data, line_start - 1):
        return None  # the statement starts on a line above: the parse tells which
    if _IMPORT_PREFIX.fullmatch(data, line_start, position) is None:
        return None  # after a colon or a semicolon, or not an import statement's keyword
    bounds = _statement_around(data, position, quotes)
    if bounds is None:
        return None
    start = bounds[0]
    first = firsts.get(start)
    if first is None:
        first = firsts[start] = _Firsts.of(data, *bounds)
    checking = first.type_checking < position
    if _SCOPE_START.match(data, start) is not None:
        return None if checking else ImportKind.FUNCTION
    if not checking and first.runtime_block:
        return None if first.scope < position else ImportKind.RUNTIME
    if _TYPE_CHECKING_IF.match(data, start) and first.other_branch >= position:
        return ImportKind.TYPE_CHECKING
    return None


# The first word of a line that may open a block. `def` and `class` are keywords no
# expression holds: such a line is a header. Any other is one only if it compiles as one.
_HEADER_WORD = re.compile(
    rb"(?:(async[ \t]+def|def|class)|(if|elif|else|try|except|finally|with|while|for|async))\b"
)
# What a clause needs around it to compile alone: `else:` an `if` above, `try:` an end below.
_CLAUSE_AROUND = {
    b"el": (b"if 1:\n pass\n", b""), b"ex": (b"try:\n pass\n", b""),
    b"fi": (b"try:\n pass\n", b""), b"tr": (b"", b"finally:\n pass\n"),
}
# What makes reading blocks from indentation unsure: a tab or a form feed in an indentation
# (Python's rules for them are not a count of columns), a carriage return alone ending a line,
# and an f-string that may hold its own quote (Python 3.12+), which could mislead `_LongQuotes`
# about which lines are inside a string (either is left to the parse). Each pattern starts with
# a literal, which is searched at memchr speed.
_TAB_INDENTATION = re.compile(rb"\n[ ]*[\t\f]")
_FSTRING_MAY_NEST = re.compile(rb"[fF][rR]?(?:\"\"\"|\'\'\'|([\"'])[^\n]*?\{[^}\n]*\1)")


def _indentation_is_sure(data: bytes) -> bool:
    if (b"\t" in data or b"\f" in data) and (data[:1] in (b"\t", b"\f") or _TAB_INDENTATION.search(data)):
        return False
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return False
    return _FSTRING_MAY_NEST.search(data) is None


_LONGEST_BLOCK_HEADER = 4096  # bytes: a def whose signature runs longer is left to the parse


class _Blocks:
    """The blocks an indented import statement is in, read from indentation: the nearest line
    above it that is indented less (comments, blank lines, lines inside triple-quoted strings
    and lines joined by a backslash aside) opens its block, and so on up to column 0. A class
    with an `if TYPE_CHECKING:` in its body made pydantic's models parse whole for the kinds
    of imports in its methods.

    An import's kind is known when each line found is a `def` or `class`, `if TYPE_CHECKING:`
    (which decides), or a header that compiles as one; a header written over several lines
    (`def f(` ... `) -> None:`) is followed from the line found to its first, and its lines
    proved one header (compiled, or for a `def` or `class` by its brackets, see `_one_header`).
    Anything else (a line inside brackets indented less, a one-line block) leaves it to the
    parse. The same blocks tell the audit whether an import is inside a try statement.

    The nearest such line is the last match of a greedy pattern, which the regex engine finds
    by backtracking from the line below, at C speed. For each indentation the last answer is
    kept, so that the next import below searches only the lines between (a file's imports are
    mostly asked in order; one above the last answer is searched from the top), and the search
    stays linear in the file's size; past a budget of bytes searched, the parse is left to
    tell."""

    def __init__(self, data: bytes, quotes: _LongQuotes) -> None:
        self.data = data
        self.quotes = quotes
        self.sure = _indentation_is_sure(data)
        self._last: dict[int, tuple[int, tuple[int, int] | None]] = {}  # by level: (from, found)
        self._budget = 8 * len(data) + 65536  # bytes searched before the parse is cheaper

    def kind(self, position: int) -> ImportKind | None:
        """The kind of the import statement whose keyword is at `position` (indented, at the
        start of its line), or None if the lines above do not tell it for sure."""
        code = self.in_code(position)
        if code is not True:
            return None if code is None else ImportKind.RUNTIME  # no statement: no lookup
        headers = self.headers(position)
        if headers is None:
            return None
        opened = {opens for _word, _start, _level, opens in headers}
        if ImportKind.TYPE_CHECKING in opened:
            return ImportKind.TYPE_CHECKING
        return ImportKind.FUNCTION if ImportKind.FUNCTION in opened else ImportKind.RUNTIME

    def in_code(self, position: int) -> bool | None:
        """Whether the keyword at `position` starts its line's statement (True), is in a
        string or a comment (False), or is somewhere only the parse tells (None): after a
        colon or a semicolon, on a line joined to the one above."""
        data = self.data
        start = data.rfind(b"\n", 0, position) + 1
        if not self.sure or (start and line_continues(data, start - 1)):
            return None
        if not self.quotes.outside(position):
            return False  # in a docstring
        if not self.quotes.outside(start):
            return None  # the line starts inside a string that ends before the keyword
        if self._quoted(start, position):
            return False  # in a comment or a string that starts on its line
        return _IMPORT_PREFIX.fullmatch(data, start, position) is not None or None

    def headers(self, position: int) -> list[tuple[bytes, int, int, ImportKind]] | None:
        """(keyword, start, indentation, what it opens: see `_header`) of each block header
        above the statement at `position` (see `in_code`), innermost first; None if unsure."""
        data = self.data
        start = data.rfind(b"\n", 0, position) + 1
        before = data[start:position]
        level = len(before) - len(before.lstrip(b" "))
        found_headers = []
        while level > 0:
            found = self._above(start, level)
            if found is None or not self.sure:
                return None
            start, level, word, opens = self._header(*found)
            if opens is None:
                return None
            found_headers.append((word, start, level, opens))
        return found_headers

    def in_try(self, headers: list[tuple[bytes, int, int, ImportKind]]) -> bool | None:
        """Whether one of the blocks is part of a try statement (its body, a handler, its
        `else` or `finally`); None if unsure. An `else` is a try's when the clause above it,
        at its indentation, is an `except`."""
        for word, start, level, _opens in headers:
            if word in (b"try", b"except", b"finally"):
                return True
            if word == b"else":
                clause = self._above(start, level + 1)
                if clause is None or clause[1] != level or not self.sure:
                    return None
                _start, _level, above, opens = self._header(*clause)
                if opens is None:
                    return None
                if above == b"except":
                    return True
        return False

    def _quoted(self, start: int, position: int) -> bool:
        """Whether `position` is inside a comment or a string that starts on its line (which
        starts outside any string)."""
        for match in _COMMENT_OR_STRING.finditer(self.data, start, position + 1):
            if match.end() > position:
                return match.start() < position
        return False

    def _header(self, start: int, level: int) -> tuple[int, int, bytes, ImportKind | None]:
        """(start of its first line, indentation, keyword, what it opens) of the block header
        whose last line starts at `start`: FUNCTION for a def or a class, TYPE_CHECKING, RUNTIME
        for another block; None when the line is no header for sure."""
        data = self.data
        first = start + level
        end = data.find(b"\n", first)
        if end == -1:
            return start, level, b"", None
        head = start
        if data[first] in b")]}":  # the last line of a header written over several lines
            top = self._above(start, level + 1)
            if top is None or top[1] != level:
                return start, level, b"", None
            head = top[0]
        word = _HEADER_WORD.match(data, head + level)
        if word is None:
            return start, level, b"", None
        keyword = word.group()
        if head == start:
            if word.group(1):
                return head, level, keyword, ImportKind.FUNCTION
            if _TYPE_CHECKING_IF.match(data, first):
                return head, level, keyword, ImportKind.TYPE_CHECKING
        text = data[head + level : end]
        if len(text) > _LONGEST_BLOCK_HEADER:
            return start, level, b"", None
        if word.group(1):  # a def or a class: its brackets tell where its header ends
            if not _one_header(text):
                return start, level, b"", None
            return head, level, keyword, ImportKind.FUNCTION
        if not _compiles_as_header(text, *_CLAUSE_AROUND.get(text[:2], (b"", b""))):
            return start, level, b"", None
        return head, level, keyword, ImportKind.RUNTIME

    def _above(self, start: int, level: int) -> tuple[int, int] | None:
        """(start, indentation) of the nearest line above the one at `start` that holds code
        indented less than `level` columns, or None."""
        last = self._last.get(level)
        low, fallback = (last[0], last[1]) if last is not None and last[0] <= start else (0, None)
        found = self._search(low, start, level)
        if found is None and low:
            found = fallback
        self._last[level] = (start, found)
        return found

    def _search(self, low: int, start: int, level: int) -> tuple[int, int] | None:
        """As `_above`, among the lines that start in [low, start). Past the budget, None,
        and the file's imports are left to the parse (`sure` is False)."""
        data = self.data
        pattern = _LAST_LESS_INDENTED.get(level)
        if pattern is None:
            pattern = _LAST_LESS_INDENTED[level] = re.compile(
                rb"(?s:.*)\n( {0,%d})(?=[^ \t\r\n#])" % (level - 1)
            )
        floor, end = max(low - 1, 0), start - 1
        while end > floor:
            self._budget -= end - floor
            if self._budget < 0:
                self.sure = False
                return None
            match = pattern.match(data, floor, end)
            if match is None:
                break
            line = match.start(1)
            inside = self.quotes.around(line)
            if inside != -1:
                end = inside + 1  # the line is inside a string: go on above it (its quote too)
            elif line_continues(data, line - 1):
                end = line - 1
            else:
                return line, match.end(1) - line
        if low == 0 and start > 0:  # the first line, which no newline precedes
            first = 0
            while data[first] == 32:  # a space; the line below it is not blank
                first += 1
            if first < level and data[first] not in b"\r\n#":
                return 0, first
        return None


_LAST_LESS_INDENTED: dict[int, re.Pattern[bytes]] = {}
# A triple-quoted string, up to its closing quotes or the end of the file.
_LONG_STRING = (
    rb'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\Z)'
    rb"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\Z)"
)
# Comments and strings, in the order Python reads them: a `#` or a quote inside a string is
# part of it, and a triple quote inside a comment or a short string starts nothing.
_COMMENT_OR_STRING = re.compile(
    _LONG_STRING
    + rb'|#[^\r\n]*|"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"?|\'[^\'\\\r\n]*(?:\\.[^\'\\\r\n]*)*\'?',
    re.DOTALL,
)
# What a header's brackets are read from: brackets, line ends and line joins, and the comments
# and strings (skipped whole: a bracket or a line end inside one counts for nothing).
_HEADER_TOKEN = re.compile(rb"[()\[\]{}\n]|\\\r?\n|" + _COMMENT_OR_STRING.pattern, re.DOTALL)
_HEADER_END = re.compile(rb":[ \t]*(?:#[^\r\n]*)?\r?\Z")


def _one_header(text: bytes) -> bool:
    """Whether the lines of `text`, from a `def` or `class` line (the keywords no expression
    holds) to a line ending with a colon, are one header: every line end but the last inside
    its brackets, and the brackets closed at the colon. Read from the brackets rather than
    compiled: Python 3.11 compiles no PEP 695 header (`def run[T](` ...)."""
    last_line = text.rfind(b"\n") + 1
    depth, code_end = 0, len(text)
    for token in _HEADER_TOKEN.finditer(text):
        first = token.group()[:1]
        if first in b"([{":
            depth += 1
        elif first in b")]}":
            depth -= 1
            if depth < 0:
                return False
        elif first == b"\n" and depth == 0:
            return False  # the statement ended on a line above the last
        elif first == b"#" and token.start() >= last_line:
            code_end = token.start()  # the last line's comment ends its code
    end = _HEADER_END.search(text, last_line)
    return depth == 0 and end is not None and end.start() < code_end


class _Firsts(NamedTuple):
    """Where a module-level statement first spells TYPE_CHECKING, a def, class or lambda, and
    an `else` or `elif` at column 0 (its end where it does not), and whether it is a `try`,
    `with`, `while` or `if` block: worked out once a statement, not once for each of its
    imports (a try block of 20,000 imports took 26 s)."""

    type_checking: int
    scope: int
    other_branch: int
    runtime_block: bool

    @staticmethod
    def of(data: bytes, start: int, end: int) -> _Firsts:
        checking = data.find(b"TYPE_CHECKING", start, end)
        scope = _SCOPE_WORD.search(data, start, end)
        branch = _OTHER_BRANCH.search(data, start, end)
        return _Firsts(
            end if checking == -1 else checking,
            end if scope is None else scope.start(),
            end if branch is None else branch.start(),
            bool(_STATEMENT_KEYWORD.match(data, start) or _is_if_statement(data, start)),
        )


_IF_HEADER = re.compile(rb"if[ \t(][^\r\n]*")


def _is_if_statement(data: bytes, start: int) -> bool:
    """Whether the line at `start` is the whole header of an `if` statement. A line inside
    brackets may start with `if` too (`x = (a` then `if b else c)` at column 0, or below a
    `def` whose defaults run over lines): it does not compile as a header of its own."""
    line = _IF_HEADER.match(data, start)
    if line is None or len(line.group()) > _LONGEST_HEADER or not line.group().rstrip().endswith(b":"):
        return False
    return _compiles_as_header(line.group())


def _compiles_as_header(text: bytes, before: bytes = b"", after: bytes = b"") -> bool:
    """Whether `text` compiles as a block's header, with a body below it (and `before` and
    `after` it, what a clause needs around it). A line built to exhaust the compiler
    (`if -----...x:`) does not: it is left to the parse."""
    try:
        compile(before + text + b"\n pass\n" + after, "<header>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


_LONGEST_HEADER = 1000  # bytes: a longer `if` line is left to the parse


def _statement_around(data: bytes, position: int, quotes: _LongQuotes) -> tuple[int, int] | None:
    """The bytes of the module-level statement around `position`, if its bounds are sure."""
    index = bisect.bisect_right(quotes.statements, position)
    start = quotes.statements[index - 1] if index else 0
    end = quotes.statements[index] if index < len(quotes.statements) else len(data)
    if not (quotes.outside(start) and quotes.outside(end)):
        return None
    return start, end


# Code, comments and short strings up to the next triple-quoted string (group 1), as Python
# reads them (see `_COMMENT_OR_STRING`): each match ends with one, so that the regex engine, not a
# Python loop over every comment and string, skips what lies between (possessive: no
# backtracking, and the last match takes the rest of the file).
_UP_TO_LONG_STRING = re.compile(
    rb'(?:[^"\'#]++|#[^\r\n]*+'
    rb'|"(?!"")[^"\\\r\n]*+(?:\\.[^"\\\r\n]*+)*+"?'
    rb"|'(?!'')[^'\\\r\n]*+(?:\\.[^'\\\r\n]*+)*+'?)*+"
    rb"(" + _LONG_STRING + rb")?",
    re.DOTALL,
)


class _LongQuotes:
    """The triple-quoted strings of a file (start, end), to tell whether an offset lies inside
    one, and where the lines that may start a module-level statement start."""

    def __init__(self, data: bytes) -> None:
        self.statements = [
            start
            for start in [0, *(match.start() + 1 for match in _LINE_AT_COLUMN_0.finditer(data))]
            if start < len(data)
            and data[start] not in _NOT_A_START
            and not _CONTINUING_CLAUSE.match(data, start)
            and not (start and line_continues(data, start - 1))
        ]
        self.starts: list[int] = []
        self.ends: list[int] = []
        if b'"""' in data or b"'''" in data:
            for match in _UP_TO_LONG_STRING.finditer(data):
                start, end = match.span(1)
                if end - start >= 6:  # not `"""` cut short by the end of the file
                    self.starts.append(start)
                    self.ends.append(end)

    def outside(self, offset: int) -> bool:
        return self.around(offset) == -1

    def around(self, offset: int) -> int:
        """Where the triple-quoted string that `offset` lies inside starts; -1 if none."""
        index = bisect.bisect_left(self.starts, offset) - 1
        return -1 if index < 0 or self.ends[index] <= offset else self.starts[index]
