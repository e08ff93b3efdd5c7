"""Inline suppressions: `# archgraph: ignore[CONTRACT-ID, ...] -- reason` on an import line.

The comment keeps the import statement that starts on its line out of the named contracts (a
parenthesised `from` block is named by its first line). The scan finds the comments
(scan/file_scan.py); this module reads what they say. Every name in them comes from the
analysed tree: untrusted text, made `visible` wherever it is shown.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from archgraph.diagnostics import Location

# `archgraph: ignore` (the scan found it), then the contract ids in brackets, then `-- reason`.
_FORM = re.compile(r"archgraph:\s*ignore(?:\[(?P<ids>[^\]]*)\])?\s*(?P<rest>.*)\Z", re.DOTALL)
EXAMPLE = "# archgraph: ignore[CONTRACT-ID] -- reason"


class SuppressionComment(NamedTuple):
    """One `# archgraph: ignore[...]` comment, as the scan found it."""

    module: str  # the module whose file holds it
    path: Path  # that file, as reported (relative to the project root)
    line: int
    text: str  # the comment from `archgraph:` on
    on_import: bool  # an import statement starts on its line

    @property
    def location(self) -> Location:
        return Location(self.path, self.line)

    @property
    def contracts(self) -> tuple[str, ...]:
        """The contract ids in the brackets, in the order written (none if malformed)."""
        match = _FORM.match(self.text)
        if match is None or match.group("ids") is None:
            return ()
        return tuple(dict.fromkeys(p.strip() for p in match.group("ids").split(",") if p.strip()))

    @property
    def reason(self) -> str:
        """The text after `--` (empty when there is none)."""
        match = _FORM.match(self.text)
        rest = match.group("rest").strip() if match is not None else ""
        return rest[2:].strip() if rest.startswith("--") else ""

    @property
    def problem(self) -> str | None:
        """What makes the comment unusable (a configuration error), or None."""
        if not self.contracts:
            return f"the suppression names no contract; write `{EXAMPLE}`"
        if not self.reason:
            return f"the suppression gives no reason; write `{EXAMPLE}`"
        return None

    def names(self, contract_id: str) -> bool:
        """Whether this usable comment keeps imports out of the contract."""
        return self.problem is None and contract_id in self.contracts


class SuppressedImport(NamedTuple):
    """A suppression that kept import sites out of a contract: what `--show-suppressed` lists."""

    comment: SuppressionComment
    sites: tuple[tuple[str, str], ...]  # (importer, imported), sorted
