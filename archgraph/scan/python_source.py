"""A file's source as Python reads it: decoded as its coding declaration says (PEP 263), and
with identifiers as Python names them (NFKC, PEP 3131: `Ｓecret` is `Secret`).

grimp's scanner knows few encodings (a file in cp437, mac_roman or utf-7 was dropped as
unparsable although Python imports it) and tree-sitter reads UTF-8 only; neither normalises
names, so `from pkg.api import Ｓecret` did not obtain `Secret`. Both are handed this text
instead of the file's bytes wherever the two differ, which is rare: an ASCII or plain UTF-8
file whose names are already normal is read as it is.
"""

from __future__ import annotations

import codecs
import keyword
import re
import unicodedata
from collections.abc import Callable, Iterable

# PEP 263: a coding declaration on line 1, or on line 2 below a blank or comment-only line.
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_TEXT_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
_BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)")
_UTF8_NAMES = frozenset({"utf-8", "utf-8-sig"})


def declared_encoding(data: bytes) -> tuple[str | None, int | None]:
    """The encoding a PEP 263 declaration names, and its line; (None, None) without one."""
    first = data.find(b"\n")
    head = data if first == -1 else data[: data.find(b"\n", first + 1) % (len(data) + 1)]
    if b"coding" not in head:  # most files: no declaration, found at memchr speed
        return None, None
    lines = head.split(b"\n", 2)[:2]
    for number, line in enumerate(lines, start=1):
        found = _CODING.match(line)
        if found:
            return found.group(1).decode("ascii", "replace"), number
        if not _BLANK_OR_COMMENT.match(line):
            break
    return None, None


def python_source(data: bytes) -> bytes | None:
    """The file's source as UTF-8 with Python's names, when that differs from `data`; None when
    `data` already is that (or when Python could not decode it either: the scanner's error about
    the file then says why)."""
    declared, _line = declared_encoding(data)
    codec = _codec(declared) if declared is not None else "utf-8"
    if codec is None:
        return None
    if codec in _UTF8_NAMES:
        if data.isascii():
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return _with_normal_names(data, text)
    try:
        text = _declaring_utf8(data.decode(codec))
        utf8 = text.encode("utf-8")
    except UnicodeError:  # not valid in its encoding; or lone surrogates (utf-7, say)
        return None
    return _with_normal_names(utf8, text) or utf8


def _declaring_utf8(text: str) -> str:
    """`text` with its coding declaration naming UTF-8, which it now is (the lines stay)."""
    lines = text.split("\n", 2)
    for number, line in enumerate(lines[:2]):
        found = _TEXT_CODING.match(line)
        if found:
            lines[number] = line[: found.start(1)] + "utf-8" + line[found.end(1) :]
            break
    return "\n".join(lines)


class SourceTexts:
    """`python_source` of the non-ASCII files read in one scan, by path and file stamp: grimp's
    scanner and the import audit both need a file's text as Python reads it, and working it out
    for a file with names NFKC changes takes a parse (pip: 14 files, each parsed twice). ASCII
    files are not kept: their answer costs a byte test."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[tuple[int, ...], bytes | None]] = {}

    def python_source(self, path: str, stamp: tuple[int, ...], data: bytes) -> bytes | None:
        if data.isascii():
            return python_source(data)
        known = self._known.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        prepared = python_source(data)
        self._known[path] = (stamp, prepared)
        return prepared

    def import_source(self, path: str, stamp: tuple[int, ...], data: bytes) -> bytes | None:
        """`python_source`, when the file's import statements may read otherwise than its
        bytes; else None. What grimp's scanner, which reads imports only, needs: a file whose
        only names NFKC changes are outside any line that says `import` (strings, comments,
        ordinary code) imports what its bytes name, and working the normal names out takes a
        parse (pip: 32 such files, 25 ms, none with such an import)."""
        if not data.isascii() and _imports_read_as_written(data):
            return None
        return self.python_source(path, stamp, data)

    def readable(
        self, path: str, stamp: tuple[int, ...], data: bytes, reads: Callable[[str], bool] | None = None
    ) -> bytes:
        """As `readable_source`. `reads`: the names (in Python's form) that the reader of the
        text looks at besides import lines; a file that writes none of them, nor its import
        lines, otherwise than Python is read as it is, without working its names out (a parse:
        pip's 32 files with accented words in strings and comments, 25 ms)."""
        if reads is not None and not data.isascii() and _names_read_as_written(data, reads):
            return data
        prepared = self.python_source(path, stamp, data)
        return data if prepared is None else prepared


def readable_source(data: bytes) -> bytes:
    """The bytes tree-sitter should parse: `python_source(data)`, or `data` itself."""
    prepared = python_source(data)
    return data if prepared is None else prepared


def mentions(data: bytes, needles: Iterable[bytes]) -> bool:
    """Whether the file's source (as Python reads it) holds one of the needles (names)."""
    needles = tuple(needles)
    if any(needle in data for needle in needles):
        return True
    if data.isascii() and declared_encoding(data)[0] is None:
        return False
    prepared = python_source(data)
    return prepared is not None and any(needle in prepared for needle in needles)


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


_NAME_BYTE = re.compile(rb"\w")  # ASCII: a byte of a longer UTF-8 name counts as none (broader)
_REST_OF_LINE = re.compile(rb"(?:\\\r?\n|[^\n])*")  # to the end of the logical line
_PAREN_OR_COMMENT = re.compile(rb"[)#]")


def _imports_read_as_written(data: bytes) -> bool:
    """Whether a non-ASCII file declaring UTF-8 (or nothing) surely names in its import lines
    only what Python names: no character NFKC changes stands in a line that says `import`.
    False when unsure (another encoding). Only the lines that say `import` are looked at: the
    whole text's NFKC check took 0.2 ms a file (pip's tables of names, 6 ms)."""
    declared, _line = declared_encoding(data)
    if declared is not None and _codec(declared) not in _UTF8_NAMES:
        return False
    for start, end in _import_spans(data):
        lines = data[start:end]
        if not lines.isascii() and _changing_words(lines.decode("utf-8", "replace")):
            return False
    return True


def _names_read_as_written(data: bytes, reads: Callable[[str], bool]) -> bool:
    """`_imports_read_as_written`, and no word with a character NFKC changes is, in Python's
    form, a name `reads` accepts."""
    if not _imports_read_as_written(data):
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(
        reads(unicodedata.normalize("NFKC", text[start:end])) for start, end in _changing_words(text)
    )


def _import_spans(data: bytes) -> list[tuple[int, int]]:
    """The spans of the logical lines that say `import` (with the rest of a parenthesised list
    of names they open): broader than the import statements (`import` in a string or a comment
    counts), never narrower. One pass: a span is never looked at twice. Each starts and ends
    at an ASCII byte (a line's start, a newline, a `)`), so it decodes as a piece."""
    spans: list[tuple[int, int]] = []
    position = 0
    while (found := data.find(b"import", position)) != -1:  # at memchr speed, not a regex's
        after = found + 6
        if _NAME_BYTE.match(data, after) or (found and _NAME_BYTE.match(data, found - 1)):
            position = after  # part of a longer name
            continue
        start = _logical_line_start(data, found, position)
        end = _REST_OF_LINE.match(data, after).end()  # type: ignore[union-attr]
        opened = data.rfind(b"(", after, end)
        if opened != -1 and data.find(b")", opened, end) == -1:
            end = _closing_paren(data, end)
        spans.append((start, end))
        position = max(end, after)
    return spans


def _logical_line_start(data: bytes, index: int, floor: int) -> int:
    """Where the logical line holding `index` starts (lines continued by `\\` before it), or
    `floor` if that is later."""
    start = data.rfind(b"\n", floor, index) + 1 or floor
    while start > floor and data[max(floor, start - 3) : start - 1].rstrip(b"\r").endswith(b"\\"):
        start = data.rfind(b"\n", floor, start - 1) + 1 or floor
    return start


def _closing_paren(data: bytes, index: int) -> int:
    """The end of the `)` that closes a list of names open at `index`, comments skipped; the
    end of the data if none does."""
    while (found := _PAREN_OR_COMMENT.search(data, index)) is not None:
        if found.group() == b")":
            return found.end()
        newline = data.find(b"\n", found.end())
        if newline == -1:
            break
        index = newline
    return len(data)


def _changing_words(text: str) -> list[tuple[int, int]]:
    """The spans of the runs of name characters that hold a character NFKC changes, sorted."""
    if unicodedata.is_normalized("NFKC", text):  # most files with accents in strings: C speed
        return []
    # The few distinct characters that NFKC changes and a name may hold (`…` in a string is
    # not one of them), then the words around them: no pass of a regex over the whole text.
    changing = [
        c for c in set(text)
        if not c.isascii() and f"a{c}".isidentifier() and unicodedata.normalize("NFKC", c) != c
    ]
    # Each word once, however many such characters it holds: a name of 100,000 of them was
    # walked across 100,000 times.
    words: list[tuple[int, int]] = []
    end = -1
    for index in sorted(index for c in changing for index in _positions(text, c)):
        if index >= end:
            start, end = _word_at(text, index)
            words.append((start, end))
    return words


def _with_normal_names(utf8: bytes, text: str) -> bytes | None:
    """`utf8` with every identifier that NFKC changes written as normalised (strings and
    comments keep their text, a name that becomes a keyword too); None when none changes."""
    words = _changing_words(text)
    if not words:
        return None
    from archgraph.scan.syntax import parse  # noqa: PLC0415 - rare: only files with such names

    root = parse(utf8).root_node
    spans: dict[tuple[int, int], bytes] = {}
    for word_start, word_end in words:
        start = len(text[:word_start].encode("utf-8"))
        end = start + len(text[word_start:word_end].encode("utf-8"))
        node = root.descendant_for_byte_range(start, end)
        if node is None or node.type != "identifier":
            continue
        name = unicodedata.normalize("NFKC", utf8[node.start_byte : node.end_byte].decode("utf-8"))
        if not keyword.iskeyword(name):  # `ｉmport` is a syntax error, not a statement
            spans[(node.start_byte, node.end_byte)] = name.encode("utf-8")
    if not spans:
        return None
    parts: list[bytes] = []
    position = 0
    for (start, end), normal in sorted(spans.items()):
        parts += [utf8[position:start], normal]
        position = end
    parts.append(utf8[position:])
    return b"".join(parts)


def _positions(text: str, character: str) -> list[int]:
    found, index = [], text.find(character)
    while index != -1:
        found.append(index)
        index = text.find(character, index + 1)
    return found


def _word_at(text: str, index: int) -> tuple[int, int]:
    """The span of the run of name characters around `index`."""
    start, end = index, index + 1
    while start > 0 and f"a{text[start - 1]}".isidentifier():
        start -= 1
    while end < len(text) and f"a{text[end]}".isidentifier():
        end += 1
    return start, end
