"""Plain frozen data passed between the stages: findings, diagnostics, results, errors.

Codes are stable: AG1xx contract findings, AG2xx scan diagnostics, AG3xx configuration;
`codes.py` lists them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import NamedTuple

from archgraph import codes
from archgraph.codes import Severity as Severity  # defined beside the codes, used from here

# Characters that would break a line of output or act on a terminal: line breaks, ANSI escape
# sequences and other C0/C1 controls, Unicode line separators and bidirectional overrides
# ("Trojan Source"). Folder names can hold any of them, and importlib loads such modules.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# GitHub's runner reads a line as a workflow command when it starts with `::` (after blanks),
# and the older `##[command]` form anywhere in a line.
_COMMAND_START = re.compile(r"\A(\s*):(?=:)")
_OLD_COMMAND = "##["


def visible(text: str) -> str:
    """`text` made safe to print as (part of) one line of a terminal or CI log.

    Control characters are written as escapes (`\\n`, `\\x1b`, `\\u202e`), so that text from
    the analysed tree (folder and file names, TOML keys and values, baseline entries) cannot
    start a line of its own; a leading `::` and any `##[` get an escaped character, so that
    no such text reads as a GitHub workflow command.
    """

    def escape(match: re.Match[str]) -> str:
        character = match.group()
        if character in _NAMED_ESCAPES:
            return _NAMED_ESCAPES[character]
        code = ord(character)
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"

    shown = _INVISIBLE.sub(escape, text)
    if _OLD_COMMAND in shown:
        shown = shown.replace(_OLD_COMMAND, "##\\x5b")
    return _COMMAND_START.sub(r"\1\\x3a", shown, count=1)


def visible_lines(lines: Iterable[str]) -> str:
    """Lines of text, each made `visible`, joined with newlines (no trailing one)."""
    return "\n".join(visible(line) for line in lines)


# Characters JSON may carry raw that a reader splitting lines the Unicode way takes as a line
# break: in strings, written as JSON escapes (the same text once parsed).
_JSON_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_text(data: object) -> str:
    """A JSON document as archgraph prints it: indented, keys sorted, non-ASCII text as is
    except Unicode line breaks, so that each line of the output is one line of the JSON."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False).translate(_JSON_LINE_BREAKS) + "\n"


class ExitCode(IntEnum):
    """Process exit codes, as documented in the README."""

    OK = 0
    BROKEN = 1
    USAGE = 2
    INTERRUPTED = 130  # Ctrl-C (SIGINT): 128 + 2, as shells report it (see interrupts.py)
    TERMINATED = 143  # SIGTERM: 128 + 15


class Location(NamedTuple):
    """A place in a file; `path` is relative to the analyzed project root where possible."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.path.as_posix()
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


ImportSite = tuple[str, str]
"""One direct import: (importer, imported). Compliance counts these; line numbers do not matter."""


class ViolationsInTests(StrEnum):
    """Whether violations whose importer is test code fail the run (`test_violations`)."""

    FAIL = "fail"  # the default: nothing that failed before passes silently
    REPORT = "report"  # shown and counted apart, but they do not break the contract


class BaselineStatus(StrEnum):
    """Whether a violation was recorded in the baseline (`known`) or not (`new`)."""

    NEW = "new"
    KNOWN = "known"


# Violations that are not about one import path but about a structure (a cycle between packages)
# are identified by their message, which names the structure; their chain holds example imports
# that change whenever an import that sorts earlier is added.
MESSAGE_KEYED_CODES = frozenset({codes.IMPORT_CYCLE.code})


class ViolationKey(NamedTuple):
    """What identifies a violation across edits (no line numbers): baselines are keyed by this."""

    contract: str
    code: str
    importer: str | None = None
    imported: str | None = None
    symbol: str | None = None
    message: str | None = None  # only for violations identified by their message

    def as_dict(self) -> dict[str, str | None]:
        """The key as written in baseline files and JSON reports."""
        return {
            "contract": self.contract,
            "code": self.code,
            "importer": self.importer,
            "imported": self.imported,
            "symbol": self.symbol,
            "message": self.message,
        }

    def sort_key(self) -> tuple[str, ...]:
        return (
            self.contract,
            self.code,
            self.importer or "",
            self.imported or "",
            self.symbol or "",
            self.message or "",
        )

    def __str__(self) -> str:
        if self.message is not None:
            return self.message
        text = f"{self.importer} -> {self.imported}"
        return f"{text} ({self.symbol})" if self.symbol else text


class ImportKind(StrEnum):
    """When an import statement runs: what a contract's `import_kinds` selects.

    An import under `if TYPE_CHECKING:` is `type_checking` wherever it is (it never runs); one
    inside a def or a class body at any depth is `function`; `lazy import` and `lazy from`
    (PEP 810, module level only) are `lazy`; every other one is `runtime`, including those in
    module-level `if`, `try` and `with` blocks.
    """

    RUNTIME = "runtime"
    TYPE_CHECKING = "type_checking"
    FUNCTION = "function"
    LAZY = "lazy"


@dataclass(frozen=True, slots=True, order=True)
class ImportStep:
    """One direct import in a chain, with the line numbers it appears on in the importer and
    the kind of each of those lines (`kinds[i]` is that of `lines[i]`)."""

    importer: str
    imported: str
    lines: tuple[int, ...] = ()
    # Read from the importer's file at those lines, so a step is the same import whatever its
    # kinds say: left out of comparisons, which sort and deduplicate steps by what they join.
    kinds: tuple[ImportKind, ...] = field(default=(), compare=False)

    @property
    def line_kinds(self) -> tuple[ImportKind, ...]:
        """The kind of each line, in the order of `lines`: runtime where none was read."""
        missing = len(self.lines) - len(self.kinds)
        return self.kinds + (ImportKind.RUNTIME,) * missing if missing > 0 else self.kinds

    @property
    def import_kind(self) -> ImportKind:
        """The kind of the step's first line (runtime when its lines are unknown)."""
        kinds = self.line_kinds
        return kinds[0] if kinds else ImportKind.RUNTIME

    @property
    def distinct_kinds(self) -> tuple[ImportKind, ...]:
        """The kinds of its lines, each once, in the order of the lines."""
        return tuple(dict.fromkeys(self.line_kinds))


class Violation(NamedTuple):
    """One broken rule. Data, not prose: renderers build their own layout from `chain`."""

    code: str
    contract: str
    message: str
    chain: tuple[ImportStep, ...] = ()
    location: Location | None = None
    symbol: str | None = None
    alias: str | None = None
    via: tuple[str, ...] = ()
    baseline: BaselineStatus | None = None  # set by apply_baseline; None when no baseline is used
    in_tests: bool = False  # the importer (or the class, for chainless findings) is test code
    # In test code, and `test_violations = "report"` keeps it from failing the contract.
    reported_only: bool = False
    # What to import instead and why, as the rule found it (an allowlist's nearest allowed
    # module: `app.ports, which imports it`).
    alternative: str | None = None

    @property
    def importer(self) -> str | None:
        return self.chain[0].importer if self.chain else None

    @property
    def imported(self) -> str | None:
        return self.chain[-1].imported if self.chain else None

    @property
    def is_indirect(self) -> bool:
        return len(self.chain) > 1

    @property
    def is_continuous(self) -> bool:
        """True when the chain is one import path (each step starts where the last one ended);
        a cycle between packages lists one example import per hop instead."""
        return bool(self.chain) and all(
            a.imported == b.importer for a, b in zip(self.chain, self.chain[1:], strict=False)
        )

    @property
    def site(self) -> ImportSite | None:
        """The first direct import of the chain: the import site this violation counts against."""
        if not self.chain:
            return None
        return (self.chain[0].importer, self.chain[0].imported)

    @property
    def is_known(self) -> bool:
        return self.baseline is BaselineStatus.KNOWN

    @property
    def key(self) -> ViolationKey:
        """Identity across edits: contract, code, endpoints and symbol, or the message of a
        violation that is not one import path (cycles, modules missing from an exhaustive layer)."""
        if not self.chain or self.code in MESSAGE_KEYED_CODES:
            return ViolationKey(self.contract, self.code, symbol=self.symbol, message=self.message)
        return ViolationKey(self.contract, self.code, self.importer, self.imported, self.symbol)

    def sort_key(self) -> tuple[object, ...]:
        """Production first: within a contract, violations in test code come last."""
        return (self.contract, self.in_tests, self.code, self.chain, self.symbol or "", self.message)


class Diagnostic(NamedTuple):
    """Something the user should know that is not a contract violation."""

    code: str
    severity: Severity
    message: str
    location: Location | None = None
    hint: str | None = None

    @property
    def is_configuration(self) -> bool:
        """Configuration problems turn the exit code into USAGE, whatever else happened."""
        return self.code.startswith("AG3") and self.severity is Severity.ERROR

    def sort_key(self) -> tuple[object, ...]:
        location = self.location
        return (
            location.path.as_posix() if location else "",
            (location.line or 0) if location else 0,
            self.code,
            self.message,
        )


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(set(diagnostics), key=Diagnostic.sort_key))


class ArchgraphError(Exception):
    """An expected failure with a message written for users (exit code 2).

    `message` is one line and `details` more lines under it; the text is made `visible` when
    shown, since messages quote names and values from the analysed tree.
    """

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.details = tuple(details)

    def __str__(self) -> str:
        message = str(self.args[0]) if self.args else ""
        return visible_lines([message, *(f"  {detail}" for detail in self.details)])


class ConfigError(NamedTuple):
    """One problem in a configuration file, with where it is and what was probably meant."""

    file: Path
    key: str
    message: str
    line: int | None = None
    column: int | None = None
    suggestion: str | None = None

    def __str__(self) -> str:
        where = self.file.as_posix()
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        if self.suggestion:
            text += f" (did you mean '{self.suggestion}'?)"
        return text


class ConfigurationError(ArchgraphError):
    """Raised with every problem found in the configuration, reported at once."""

    def __init__(self, errors: Iterable[ConfigError]) -> None:
        self.errors = tuple(errors)
        super().__init__(
            f"invalid configuration ({len(self.errors)} problem(s)):",
            [str(error) for error in self.errors],
        )
