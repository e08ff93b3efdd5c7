"""Edit one file's imports, keeping everything else byte for byte (LibCST: a concrete syntax tree
keeps formatting and comments, which an `ast` round trip would lose).

An `Edit` moves one name of one import statement to another module:

- `from old import Name [as Alias]` (one of several names, parenthesised, relative, under
  `if TYPE_CHECKING:`, in a function) becomes `from new import Name [as Alias]`, the other names
  staying where they were;
- `import old.mod as m` (or `from pkg import mod as m`) with uses `m.Name`: the uses become
  `Name` and `from new import Name` is added right after that import, which stays (the module
  may be used for other things).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


@dataclass(frozen=True, slots=True)
class Edit:
    line: int  # the import statement's first line
    name: str  # the imported name
    new_module: str  # absolute module to import it from
    alias: str | None = None  # `as Alias`, kept
    written: str | None = None  # for attribute access: the text used, `m.Name`
    uses: tuple[int, ...] = ()  # lines of those uses


class RewriteError(Exception):
    """The file cannot be rewritten safely (it does not parse, or an edit found nothing)."""


def rewrite(source: bytes, edits: Sequence[Edit]) -> bytes:
    """The source with the edits made; raises RewriteError when it cannot be."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise RewriteError(f"cannot be parsed: {error.message} (line {error.raw_line})") from None
    wrapper = MetadataWrapper(module)
    transformer = _Mover(list(edits), wrapper.module)
    changed = wrapper.visit(transformer)
    missing = [e for e in edits if e not in transformer.done]
    if missing:
        first = missing[0]
        raise RewriteError(f"no import of {first.name} found at line {first.line}")
    return changed.bytes


def _import_from(module: str, name: str, alias: str | None) -> cst.SimpleStatementLine:
    text = f"from {module} import {name}" + (f" as {alias}" if alias and alias != name else "")
    statement = cst.parse_statement(text)
    assert isinstance(statement, cst.SimpleStatementLine)
    return statement


class _Mover(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, edits: list[Edit], module: cst.Module) -> None:
        super().__init__()
        self.module = module
        self.by_line: dict[int, list[Edit]] = {}
        for edit in edits:
            self.by_line.setdefault(edit.line, []).append(edit)
        self.uses = {(line, edit.written): edit for edit in edits if edit.written for line in edit.uses}
        self.done: set[Edit] = set()
        self.used: set[tuple[int, str | None]] = set()

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
        line = self._line(original)
        edits = self.by_line.get(line)
        if not edits:
            return updated
        added: list[cst.BaseStatement] = []
        body: list[cst.BaseSmallStatement] = []
        for statement in updated.body:
            if isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar):
                kept = []
                for alias in statement.names:
                    edit = self._edit_for(edits, alias)
                    if edit is None:
                        kept.append(alias)
                        continue
                    self.done.add(edit)
                    added.append(_import_from(edit.new_module, edit.name, edit.alias))
                if not kept:
                    continue  # every name moved: the statement goes
                if len(kept) != len(statement.names):
                    # The new last name ends as the old last one did (a trailing comma and
                    # newline in a parenthesised list, nothing on one line).
                    last = kept[-1].with_changes(comma=statement.names[-1].comma)
                    statement = statement.with_changes(names=[*kept[:-1], last])
            elif isinstance(statement, (cst.Import, cst.ImportFrom)):
                # `import a.b as m` / `from a import b as m`: the uses of `m.Name` move.
                for edit in edits:
                    if edit.written and edit not in self.done:
                        self.done.add(edit)
                        added.append(_import_from(edit.new_module, edit.name, None))
            body.append(statement)
        statements: list[cst.BaseStatement] = []
        if body:
            statements.append(updated.with_changes(body=body))
        elif added:
            # The first new import takes the old statement's leading comments and blank lines.
            added[0] = added[0].with_changes(leading_lines=updated.leading_lines)
        return cst.FlattenSentinel([*statements, *added]) if added or statements else cst.RemoveFromParent()

    def _edit_for(self, edits: list[Edit], alias: cst.ImportAlias) -> Edit | None:
        name = self.module.code_for_node(alias.name)
        bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
        for edit in edits:
            if edit.written is None and edit.name == name and edit.alias == bound and edit not in self.done:
                return edit
        return None

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if not self.uses:
            return updated
        text = self.module.code_for_node(original)
        edit = self.uses.get((self._line(original), text))
        if edit is None:
            return updated
        return cst.Name(edit.name)
