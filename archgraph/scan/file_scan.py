"""What a file's bytes say about its imports, whatever the module set: read once per file
version (and cached by the audit): relative imports that climb two levels, literal dynamic
imports, the absolute names import statements at line starts name, and the `# archgraph: ignore[...]`
comments. The kind of each import statement is read apart (scan/import_blocks.py), only for
the files and lines something asks about."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from archgraph.scan.finder import ModuleSource
from archgraph.scan.syntax import node_text, parse

_CLIMBING = re.compile(rb"\bfrom[\s\\]*\.[\s\\]*\.")
# A call of either name with a string literal first: what `dynamic_imports` may confirm, and
# more (in a string, a comment, an f-string). Comments may stand between `(` and the literal.
_DYNAMIC_CALL = re.compile(
    rb"""(?:import_module|__import__)\s*\(\s*(?:\#[^\n]*\n\s*)*[rRuUfFbB]{0,2}(?:'|")+([^'"\\\s]+)['"]"""
)
# A pattern that starts with a literal is searched at memchr speed; one that starts with `\b`
# or `^` is tried at every byte (0.3 s each over Home Assistant's 44 MB). These find the same.
_DYNAMIC_NAME = re.compile(rb"import_module|__import__")
_CLIMBING_FROM = re.compile(rb"from[\s\\]*(\.[\s\\]*\.[\s\\.]*)")
WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
# Candidate import targets, read from line starts; tree-sitter confirms (strings, docstrings...).
_IMPORT_LINE = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import\b|import[ \t]+([\w. \t,]+))", re.MULTILINE
)
# A backslash at the end of a line joins the next one to it (`import app.core.\` + `util`):
# Python reads the tokens of the joined line, whatever the blanks between them.
_CONTINUATION = re.compile(rb"\\\r?\n")
_TOKEN = re.compile(rb"\.|\w+|\S")
_KEYWORDS = frozenset({b"from", b"import", b"as"})
BLANKS_IN_NAME = re.compile(r"[\s\\]+")


class FileScan(NamedTuple):
    """What a file's bytes say, whatever the module set: read once per file version."""

    climb: int  # the most dots of a relative import with two or more (0: none)
    # The names that `import_module("x")` / `__import__("x")` may import with a literal: read
    # from the bytes (a mention in a string or a comment too); the parse confirms the calls of
    # the names that matter (internal modules), see `dynamic_imports`.
    dynamic_names: tuple[str, ...]
    targets: tuple[str, ...]  # absolute names that import statements at line starts name
    # (line, comment text from `archgraph:` on, whether an import statement starts on the line)
    # of each `# archgraph: ignore[...]` comment: the inline suppressions
    suppressions: tuple[tuple[int, str, bool], ...] = ()

    @staticmethod
    def of(data: bytes, source: ModuleSource, tree: Callable[[], Any] | None = None) -> FileScan:
        """`tree`: gives the file's syntax tree (parsed once, shared with the import rows)."""
        # The patterns match ASCII only (bytes `\w`), so every target decodes as ASCII.
        absolute: set[bytes] = set()
        relative_targets: set[bytes] = set()
        for from_target, import_targets in _import_lines(data):
            if import_targets is not None:  # `import a.b, c as d`
                absolute.update(part.split()[0] for part in import_targets.split(b",") if part.split())
            elif from_target is None:
                continue
            elif from_target.startswith(b"."):
                relative_targets.add(from_target)
            else:
                absolute.add(from_target)
        targets = {target.decode("ascii") for target in absolute}
        if relative_targets:
            is_package = source.is_package
            for target in relative_targets:
                name = target.lstrip(b".").decode("ascii")
                level = len(target) - len(name)
                targets.add(resolve_relative(source.module, is_package, level, name))
        dynamic: tuple[str, ...] = ()
        if b"import_module" in data or b"__import__" in data:
            dynamic = tuple(sorted({n.decode("utf-8", "replace") for n in _DYNAMIC_CALL.findall(data)}))
        suppressions: tuple[tuple[int, str, bool], ...] = ()
        if SUPPRESSION_MARK in data:  # most files have none: a byte search, nothing parsed
            suppressions = tuple(suppression_comments(data, tree))
        return FileScan(_climb(data), dynamic, tuple(sorted(targets)), suppressions)


SUPPRESSION_MARK = b"archgraph:"
# The directive opens the comment, or starts a second comment on the line (after a `noqa`,
# say, behind a blank and a hash); prose that quotes it in backticks is not one.
_SUPPRESSION = re.compile(r"(?:\A|\s)#\s*(archgraph:\s*ignore\b.*)", re.DOTALL)
_IMPORT_STATEMENTS = frozenset({"import_statement", "import_from_statement", "future_import_statement"})


def suppression_comments(
    data: bytes, tree: Callable[[], Any] | None = None
) -> list[tuple[int, str, bool]]:
    """(line, text, on an import) of each comment that holds `archgraph: ignore`.

    `text` runs from `archgraph:` to the end of the comment (read in model/suppressions.py);
    `on an import`: an import statement starts on the comment's line, the one the comment
    keeps out of its contracts (a parenthesised `from` block is named by its first line).
    A mark inside a string is not a comment: the syntax tree tells them apart.
    """
    root = (tree() if tree is not None else parse(data)).root_node
    found: dict[int, tuple[str, bool]] = {}
    position = data.find(SUPPRESSION_MARK)
    while position != -1:
        node = root.descendant_for_byte_range(position, position + len(SUPPRESSION_MARK))
        if node is not None and node.type == "comment":
            text = node_text(node)
            match = _SUPPRESSION.search(text)
            line = node.start_point[0] + 1
            if match is not None and line not in found:
                found[line] = (match.group(1).strip(), _starts_import(data, root, node.start_point[0]))
            position = data.find(SUPPRESSION_MARK, node.end_byte)
        else:
            position = data.find(SUPPRESSION_MARK, position + 1)
    return [(line, text, on_import) for line, (text, on_import) in sorted(found.items())]


def _starts_import(data: bytes, root: Any, row: int) -> bool:
    """Whether an import statement starts on the line of index `row`."""
    start = 0
    for _ in range(row):
        start = data.index(b"\n", start) + 1
    end = data.find(b"\n", start)
    line = data[start : len(data) if end == -1 else end]
    first = start + len(line) - len(line.lstrip(b" \t"))
    node = root.descendant_for_byte_range(first, first + 1)
    while node is not None and node.start_point[0] == row:
        if node.type in _IMPORT_STATEMENTS:
            return True
        node = node.parent
    return False


def _import_lines(data: bytes) -> Iterator[tuple[bytes | None, bytes | None]]:  # (from, import)
    """The groups of `_IMPORT_LINE` matched at the start of each logical line that holds
    `import`: physical lines joined by a backslash at their end count as one.

    Every match holds the word on its own logical line, and a match never crosses its end, so
    each line matches (or not) on its own. Lines are found in order and each is read once
    (a logical line starts after the end of the one before), so the time stays linear.
    """
    position = data.find(b"import")
    previous_end = 0
    while position != -1:
        start = data.rfind(b"\n", previous_end, position) + 1 or previous_end
        first = start
        while start > previous_end and line_continues(data, start - 1):
            start = data.rfind(b"\n", previous_end, start - 1) + 1 or previous_end
        end = last = data.find(b"\n", position)
        while end != -1 and line_continues(data, end):
            end = data.find(b"\n", end + 1)
        line_end = len(data) if end == -1 else end
        if start == first and end == last:
            match = _IMPORT_LINE.match(data, start)  # the common case: one physical line
        else:
            match = _IMPORT_LINE.match(_tokens_spelled_out(data[start:line_end]))
        if match is not None:
            yield match.group(1), match.group(2)
        if end == -1:
            return
        previous_end = end + 1
        position = data.find(b"import", previous_end)


def _tokens_spelled_out(line: bytes) -> bytes:
    """A logical line made of several physical ones, written on one line the way
    `_IMPORT_LINE` reads it: dotted names without blanks, other tokens one blank apart."""
    indent = line[: len(line) - len(line.lstrip(b" \t"))]
    tokens = _TOKEN.findall(_CONTINUATION.sub(b" ", line))
    spelled = bytearray(indent)
    for index, token in enumerate(tokens):
        if index and not _joined(tokens[index - 1], token):
            spelled += b" "
        spelled += token
    return bytes(spelled)


def _joined(before: bytes, after: bytes) -> bool:
    """Two tokens of a dotted name: a dot, and a dot or a name (not a keyword) beside it."""
    if before == b"." and after == b".":
        return True
    if b"." not in (before, after):
        return False
    other = after if before == b"." else before
    return other not in _KEYWORDS and (other[:1].isalnum() or other[:1] == b"_")


def line_continues(data: bytes, newline: int) -> bool:
    """The line that ends at `newline` (the index of its `\\n`) ends with a backslash."""
    before = newline - 1 if newline > 0 and data[newline - 1 : newline] == b"\r" else newline
    return before > 0 and data[before - 1 : before] == b"\\"


def _climb(data: bytes) -> int:
    """The most dots after a `from` that has two or more (0: none), searched from the literal
    `from`; a match in a string or a comment counts too (the parse tells)."""
    most = 0
    for match in _CLIMBING_FROM.finditer(data):
        start = match.start()
        if start == 0 or data[start - 1] not in WORD_BYTES:
            most = max(most, match.group(1).count(b"."))
    return most


def read_whole(path: str, size: int) -> bytes:
    """The file's bytes; `size` (from the walk) is a hint, so the common case is one read call.

    Path.read_bytes costs twice as much over Home Assistant's 8,800 files (buffered io, fstat).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = [os.read(fd, size + 1)]
        while chunks[-1]:  # the file may have grown (or shrunk) since the walk: read to the end
            chunks.append(os.read(fd, max(size, 65536)))
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 2 else b"".join(chunks)


def dynamic_imports(source: bytes, tree: Any = None) -> list[tuple[int, str]]:
    """(line, name) of `import_module("x")`, `importlib.import_module("x")`, `__import__("x")`
    calls whose first argument is a plain string literal.

    The calls are found from the names in the bytes (`_DYNAMIC_NAME`), not by visiting every
    node of the tree from Python: a call whose function's text ends in `.import_module` (or is
    `import_module`) has that name as its last identifier, so each such call is reached.
    """
    found = []
    root = (tree if tree is not None else parse(source)).root_node
    for match in _DYNAMIC_NAME.finditer(source):
        identifier = root.descendant_for_byte_range(match.start(), match.end())
        if identifier is None or (identifier.start_byte, identifier.end_byte) != match.span():
            continue
        function = identifier
        parent = identifier.parent
        if parent is not None and parent.type == "attribute" and (
            parent.child_by_field_name("attribute") == identifier
        ):
            function, parent = parent, parent.parent
        if parent is None or parent.type != "call" or parent.child_by_field_name("function") != function:
            continue
        node = parent
        if node_text(function).rpartition(".")[2] not in ("import_module", "__import__"):
            continue
        arguments = node.child_by_field_name("arguments")
        first: Any = arguments.named_children[0] if arguments is not None and arguments.named_children else None
        if first is None or first.type != "string":
            continue
        parts = [c for c in first.named_children if c.type == "string_content"]
        if len(parts) != 1 or any(c.type == "interpolation" for c in first.named_children):
            continue
        found.append((first.start_point[0] + 1, node_text(parts[0])))
    return sorted(set(found))


def resolve_relative(importer: str, is_package: bool, level: int, module: str) -> str:
    """The absolute name `from <level dots><module>` names in `importer`."""
    if not level:
        return module
    parts = importer.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: max(0, len(base) - (level - 1))]
    return ".".join([*base, *([module] if module else [])])
