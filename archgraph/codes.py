"""Every code archgraph puts on a violation or a diagnostic, written once.

Codes are stable and easy to grep: AG1xx contract violations, AG2xx scan diagnostics, AG3xx
configuration. Baselines, JSON reports and SARIF rule ids hold the code string, so a code is
never renumbered or reused. Each entry gives the level it is usually reported at, a title and a
help text; the SARIF rules and the README's table of codes are generated from this table
(`python -m archgraph.codes` prints the table, `python -m archgraph.codes README.md`
rewrites the README's).

This module is the bottom of the pipeline: it imports nothing of archgraph, so `diagnostics`
and every stage above it can name a code. `Severity` lives here because each code has one.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# The first three characters of a code name its family.
FAMILIES = {"AG1": "contract finding", "AG2": "scan problem", "AG3": "configuration problem"}


class Code(NamedTuple):
    """One code: the string findings carry, its usual level, a title and what to do about it."""

    code: str
    severity: Severity
    title: str
    help: str

    @property
    def family(self) -> str:
        return FAMILIES[self.code[:3]]

    @property
    def rule_name(self) -> str:
        """The title as one identifier (`ImportUpTheLayers`), for SARIF's rule `name`."""
        words = re.findall(r"[A-Za-z0-9]+", self.title)
        return "".join(word[:1].upper() + word[1:] for word in words)


_TABLE: dict[str, Code] = {}


def _define(code: str, severity: Severity, title: str, help: str) -> Code:
    """Add a code to the table; a code written twice is a programming error."""
    if code in _TABLE:
        raise ValueError(f"{code} is defined twice")
    _TABLE[code] = entry = Code(code, severity, title, help)
    return entry


# --- AG1xx: contract violations. Reported at the contract's `severity` (default error; a
# contract with `severity = "warning"` reports them without failing the run).

UPWARD_LAYER_IMPORT = _define(
    "AG101",
    Severity.ERROR,
    "Import up the layers",
    "A module of a lower layer imports one of a higher layer, directly or through a chain. "
    "Move the shared code down, invert the dependency, or add an `ignore_imports` entry.",
)
MODULE_OUTSIDE_LAYERS = _define(
    "AG102",
    Severity.ERROR,
    "Module in no layer of an exhaustive contract",
    "The contract is `exhaustive` and this child of a container is in none of its layers. "
    "Add it to a layer, or to `exhaustive_ignores`.",
)
CLOSED_LAYER_SKIPPED = _define(
    "AG103",
    Severity.ERROR,
    "Import past a closed layer",
    "A module of a higher layer imports one below a `closed` layer, skipping it. Go through "
    "the closed layer, or take the layer out of `closed`.",
)
FORBIDDEN_IMPORT = _define(
    "AG110",
    Severity.ERROR,
    "Forbidden import",
    "A source module imports a forbidden module (indirectly too, unless "
    "`allow_indirect_imports = true`). Remove the import or the chain that leads there.",
)
NOT_ALLOWED_IMPORT = _define(
    "AG111",
    Severity.ERROR,
    "Import outside the allow-list",
    "A source module of an `allowlist` contract imports a module that is neither its own, nor "
    "in `allowed_modules`, nor an allowed external package. Import an allowed module instead "
    "(the message names the nearest one when there is one), or extend the allow-list.",
)
DEPENDENT_MODULES = _define(
    "AG120",
    Severity.ERROR,
    "Independent modules import each other",
    "Modules of an `independence` contract must not import each other, directly or "
    "indirectly. Move what they share into a module both may import.",
)
PROTECTED_MODULE_IMPORT = _define(
    "AG130",
    Severity.ERROR,
    "Import of a protected module",
    "Only the `allowed_importers` (and the protected module's own parts) may import it "
    "directly. Go through an allowed module, or add the importer to `allowed_importers`.",
)
PROTECTED_SYMBOL_IMPORT = _define(
    "AG131",
    Severity.ERROR,
    "Import of a protected symbol",
    "An import statement obtains a protected `module.Name` (also through re-exports and "
    "aliases) outside the `allowed_importers`. Use it through an allowed module.",
)
PROTECTED_INTERFACE_BYPASS = _define(
    "AG132",
    Severity.ERROR,
    "Import past a protected package's interface",
    "The protected package has an `interface`: outside modules may import the interface "
    "modules and the names its `__all__` lists, nothing else of it. Import the public name, "
    "or add it to the interface or to `__all__`.",
)
PRIVATE_NAME_IMPORT = _define(
    "AG135",
    Severity.ERROR,
    "Import of a private module or name",
    "A module outside a package imports a `_name` of it: a module or package whose name "
    "starts with one underscore, or a `_name` bound at the top level of one of its modules. "
    "Use the package's public names, or make the name public.",
)
IMPORT_CYCLE = _define(
    "AG140",
    Severity.ERROR,
    "Import cycle between the children of a package",
    "The listed children of the package import each other in a cycle. Remove one import of "
    "the cycle (AG141 names the imports whose removal breaks every cycle).",
)
CYCLE_BREAKER = _define(
    "AG141",
    Severity.INFO,
    "Import whose removal helps break the cycles",
    "One of the imports whose removal, together, breaks every cycle of the package: a place "
    "to start.",
)
CYCLES_TRUNCATED = _define(
    "AG142",
    Severity.INFO,
    "Only the first cycles are listed",
    "The package has more cycles than are listed; fix these and run again to see the rest.",
)
INDEPENDENT_IMPLEMENTATION = _define(
    "AG160",
    Severity.ERROR,
    "Independent implementation of a concept",
    "A class matching the `concept` neither is nor derives from the `canonical` class. "
    "Derive it from the canonical class, fold it into it, or list its module in "
    "`allowed_modules`.",
)
WRAPPER_IMPLEMENTATION = _define(
    "AG161",
    Severity.ERROR,
    "Wrapper around a concept class",
    "A class matching the `concept` holds a concept instance and forwards its methods to it. "
    "Use the canonical class directly.",
)
DUPLICATE_CLASS_NAME = _define(
    "AG162",
    Severity.ERROR,
    "Second class under an existing name",
    "Another module defines a concept class of the same name, and this one does not derive "
    "from the `canonical` class. Keep one of them.",
)
BASELINE_ENTRIES_ADDED = _define(
    "AG190",
    Severity.ERROR,
    "Baseline entries added",
    "`check --baseline-ref REV`: today's baseline file records violations that the file at "
    "git REV did not, so new violations were recorded instead of fixed. Fix them, or have "
    "the growth reviewed on its own.",
)

# --- AG2xx: what the scan could not analyze, or analyzed with a caveat.

UNPARSABLE_FILE = _define(
    "AG201",
    Severity.WARNING,
    "File cannot be parsed",
    "A syntax error, merge-conflict markers, invalid UTF-8 or a wrong coding declaration: "
    "the file is left out of the graph and everything else is analyzed. Fix the file.",
)
RELATIVE_IMPORT_ABOVE_TOP = _define(
    "AG202",
    Severity.WARNING,
    "Relative import above the top-level package",
    "The relative import climbs above the top-level package, where Python raises "
    "ImportError. Make the import absolute, or fix the number of dots.",
)
NAMESPACE_DIRECTORY_SKIPPED = _define(
    "AG203",
    Severity.WARNING,
    "Namespace directory skipped",
    "A directory without `__init__.py` inside a package is left out because "
    "`include_namespace_dirs = false`. Set it to true to analyze the directory.",
)
NOT_A_MODULE_NAME = _define(
    "AG204",
    Severity.WARNING,
    "Name cannot be a module name",
    "A directory or file whose name Python cannot import (extra dots, for example) is not "
    "analyzed. Rename it to a valid identifier to have it analyzed.",
)
UNUSUAL_MODULE_NAME = _define(
    "AG205",
    Severity.INFO,
    "Module name is not an identifier",
    "The name is not a Python identifier: the module is analyzed, but only importlib can load it.",
)
UNREADABLE_PATH = _define(
    "AG206",
    Severity.WARNING,
    "Path cannot be read",
    "An unreadable file or directory, a broken symbolic link, or a `*.py` name that is not a "
    "regular file: not analyzed. Fix the permissions, or restore or remove the link.",
)
SYMLINK_LOOP = _define(
    "AG207",
    Severity.WARNING,
    "Symbolic link loop",
    "A symbolic link leads back to itself or into a directory already walked; it is not "
    "followed, so nothing is analyzed twice.",
)
STUB_WITHOUT_MODULE = _define(
    "AG208",
    Severity.INFO,
    "Stub without its module",
    "A `.pyi` stub with no `.py` beside it is not analyzed: Python cannot import a stub.",
)
ROOT_PACKAGES_DISCOVERED = _define(
    "AG209",
    Severity.INFO,
    "Root packages discovered",
    "`root_packages` is not configured, so the packages found in the source roots are "
    "analyzed. Set `root_packages` to choose them.",
)
DYNAMIC_IMPORT = _define(
    "AG210",
    Severity.INFO,
    "Dynamic import",
    "`importlib.import_module` or `__import__` with a literal module name. It is an import "
    "of the graph only with `include_dynamic_imports = true`.",
)
MISSING_MODULE_IMPORT = _define(
    "AG211",
    Severity.WARNING,
    "Import of a module that does not exist",
    "The imported module is neither in the graph nor on disk; Python would raise "
    "ImportError. Fix the module name, or add the module.",
)
LINK_LEAVES_ROOTS = _define(
    "AG212",
    Severity.WARNING,
    "Symbolic link leads out of the source roots",
    "A symbolic link in a package leads outside the source roots, or into a hidden folder "
    "(`.git`...): it is not followed and what it points at is never read, so a tree cannot "
    "make archgraph read (or quote) files beside it. Replace the link by the file, or add its "
    "target's folder to `source_roots`.",
)
CLASSES_UNREADABLE = _define(
    "AG215",
    Severity.WARNING,
    "File cannot be read for its classes",
    "The file could not be read, so its classes are missing from the class model "
    "(`families`, `single-implementation`).",
)
CLASSES_SYNTAX_ERROR = _define(
    "AG216",
    Severity.WARNING,
    "Syntax error in a file's classes",
    "Classes near the syntax error may be missing or incomplete in the class model. Fix the "
    "file (merge-conflict markers?); the rest is analyzed meanwhile.",
)
SHADOWED_MODULE = _define(
    "AG220",
    Severity.WARNING,
    "Module shadowed by a module of the same name",
    "`x.py` beside a package `x/` (with `__init__.py`): Python imports the package, so the file "
    "is not analyzed; beside a directory without `__init__.py`, the file wins and the directory "
    "is not analyzed. Remove or rename the one Python never imports.",
)
SOURCELESS_MODULE = _define(
    "AG221",
    Severity.WARNING,
    "Compiled module without source",
    "A `.pyc` file outside `__pycache__` with no `.py` beside it: Python imports it, but it has no "
    "source, so its imports are not analyzed. Commit the source, or remove the compiled file.",
)
FILE_TOO_LARGE = _define(
    "AG222",
    Severity.WARNING,
    "File larger than max_file_bytes",
    "The file's imports are analyzed, but not its classes and names (`families`, symbol "
    "contracts, the import audit). Split the file, or raise `max_file_bytes` in [archgraph].",
)
TYPE_CHECKING_ASSIGNED = _define(
    "AG223",
    Severity.WARNING,
    "TYPE_CHECKING assigned by the module",
    "The module sets `TYPE_CHECKING` itself, so its `if TYPE_CHECKING:` imports may run: they are "
    "kept although `exclude_type_checking_imports = true`. Import TYPE_CHECKING from typing.",
)
INSTALLED_PACKAGES_SKIPPED = _define(
    "AG224",
    Severity.INFO,
    "Installed packages skipped",
    "A `site-packages` directory inside a package holds installed third-party code, not modules "
    "of the package; its Python files are not analyzed.",
)
NESTED_TOO_DEEP = _define(
    "AG225",
    Severity.WARNING,
    "Directories nested too deep",
    "A package nested deeper than archgraph walks (200 levels) is not analyzed below that depth: "
    "no real project nests so deep, and a tree built to exhaust the walk must not end the run. "
    "Flatten the directories.",
)

# --- AG3xx: configuration. At error level they end the run with exit code 2.

NO_MATCHING_MODULE = _define(
    "AG310",
    Severity.ERROR,
    "Pattern matches no module",
    "A module pattern of the contract names no module in the graph (a did-you-mean is given). "
    "Fix the name, or write the pattern in parentheses to make it optional.",
)
UNMATCHED_IGNORE = _define(
    "AG311",
    Severity.WARNING,
    "Ignore matches no import",
    "An `ignore_imports` entry matches no import any more: it is stale. Remove it, or fix the "
    "module names. `unmatched_ignore_imports` sets the level (`error`, `warning`, `none`).",
)
INVALID_MODULE_LIST = _define(
    "AG312",
    Severity.ERROR,
    "Modules overlap, or a symbol is not defined",
    "Listed modules must not contain one another (list siblings only), and a protected "
    "`module.Name` must be bound at the top level of that module (a did-you-mean is given).",
)
SYMBOL_REEXPORTED = _define(
    "AG313",
    Severity.INFO,
    "Protected symbol is a re-export",
    "The named module imports the symbol from elsewhere; its definition is protected instead.",
)
CANONICAL_CLASS_NOT_FOUND = _define(
    "AG314",
    Severity.ERROR,
    "Canonical class not found",
    "The `canonical` class of a `single-implementation` contract is not defined in the "
    "analyzed code. Fix its qualified name (a did-you-mean is given) or `root_packages`.",
)
ALLOWED_MODULES_MATCH_NOTHING = _define(
    "AG315",
    Severity.WARNING,
    "Allowed modules match nothing",
    "An `allowed_modules` pattern of a `single-implementation` contract matches no module. "
    "Remove it, or fix the module name.",
)
BASELINE_CONTRACT_NOT_CHECKED = _define(
    "AG321",
    Severity.INFO,
    "Baseline records a contract that was not checked",
    "The baseline holds violations of a contract this run did not check. If the contract was "
    "removed or renamed, rewrite the baseline with `archgraph baseline`.",
)
IMPORTLINTER_CONFIGURATION = _define(
    "AG330",
    Severity.INFO,
    "Contracts read from import-linter configuration",
    "The contracts come from an import-linter configuration, translated on the fly. "
    "`archgraph convert-importlinter` writes them as archgraph contracts.",
)
INVALID_SUPPRESSION = _define(
    "AG340",
    Severity.ERROR,
    "Invalid inline suppression",
    "A `# archgraph: ignore[CONTRACT-ID] -- reason` comment names no contract, an unknown "
    "contract id (a did-you-mean is given), or gives no reason. Every suppression says why.",
)
UNUSED_SUPPRESSION = _define(
    "AG341",
    Severity.WARNING,
    "Suppression suppresses nothing",
    "An inline suppression is not on the first line of an import statement, or the import it "
    "is on breaks no rule of the contract: it is stale. Remove it; `--fail-on-stale` fails on it.",
)
IRRELEVANT_IGNORE = _define(
    "AG342",
    Severity.WARNING,
    "Ignore changes nothing",
    "An `ignore_imports` entry matches imports, but outside the contract's scope or without "
    "changing its result: no violation comes back without it. Remove it; `--fail-on-stale` "
    "fails on it.",
)

CODES: tuple[Code, ...] = tuple(sorted(_TABLE.values(), key=lambda entry: entry.code))
"""The whole table, sorted by code."""


def lookup(code: str) -> Code | None:
    """The table's entry for a code string; None for a code archgraph does not define (a
    contract type from a plugin may bring its own)."""
    return _TABLE.get(code)


def markdown_table() -> str:
    """The table of codes as Markdown, as the README shows it."""
    rows = ["| code | level | title | what it means, what to do |", "|---|---|---|---|"]
    rows += [
        f"| {c.code} | {c.severity.value} | {_cell(c.title)} | {_cell(c.help)} |" for c in CODES
    ]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


TABLE_START = "<!-- codes:start -->"
TABLE_END = "<!-- codes:end -->"


def with_markdown_table(document: str) -> str:
    """`document` with the text between the table markers replaced by `markdown_table()`.

    Raises:
        ValueError: the markers are missing or out of order.
    """
    start = document.find(TABLE_START)
    end = document.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"no {TABLE_START} ... {TABLE_END} block")
    head = document[: start + len(TABLE_START)]
    return f"{head}\n{markdown_table()}{document[end:]}"


def _main(arguments: Sequence[str]) -> None:
    """Print the table; with a file name, rewrite that file's table block in place."""
    if not arguments:
        print(markdown_table(), end="")
        return
    path = Path(arguments[0])
    text = path.read_text(encoding="utf-8")
    path.write_text(with_markdown_table(text), encoding="utf-8")


if __name__ == "__main__":
    _main(sys.argv[1:])
