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
    spelled: str | None = None  # the module as written, `..agents.registry` where the file imports relatively


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
    # `import a.b as m` whose every `m.Name` use moved: the import goes too (it is the import
    # of the protected module); one still used for something else stays.
    heads = {e.written.split(".")[0] for e in edits if e.written}
    unused = {head for head in heads if not _still_used(changed, head)}
    if unused:
        changed = changed.visit(_DropImports(unused))
    try:  # parsed again, as written: an edit that left a file unparsable is never written
        cst.parse_module(changed.bytes)
    except cst.ParserSyntaxError as error:
        raise RewriteError(f"would not parse after the edit: {error.message}") from None
    return changed.bytes


def _still_used(module: cst.Module, name: str) -> bool:
    finder = _NameFinder(name)
    module.visit(finder)
    return finder.found


class _NameFinder(cst.CSTVisitor):
    """Whether `name` is read anywhere outside import statements."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name, self.found = name, False

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.found = self.found or node.value == self.name


class _DropImports(cst.CSTTransformer):
    """Remove the import aliases that bind one of `names` (`import a.b as m`, `import a`)."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def _binds(self, alias: cst.ImportAlias) -> str:
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            return alias.asname.name.value
        node: cst.BaseExpression = alias.name
        while isinstance(node, cst.Attribute):
            node = node.value
        return node.value if isinstance(node, cst.Name) else ""

    def _dropped(self, statement: cst.BaseStatement) -> bool:
        return isinstance(statement, cst.SimpleStatementLine) and all(
            self._fully_dropped(small) for small in statement.body
        )

    def _body(self, body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
        """The statements without the dropped import lines; the blank lines and comments above a
        dropped line stay, above the statement that follows it."""
        kept: list[cst.BaseStatement] = []
        carried: Sequence[cst.EmptyLine] = ()
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine) and self._dropped(statement):
                carried = [*carried, *statement.leading_lines]
                continue
            if carried and isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                statement = statement.with_changes(leading_lines=[*carried, *statement.leading_lines])
                carried = ()
            kept.append(statement)
        return kept

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=self._body(updated.body))

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        body = self._body(updated.body)
        return updated.with_changes(body=body or [cst.SimpleStatementLine([cst.Pass()])])

    def _fully_dropped(self, small: cst.BaseSmallStatement) -> bool:
        return (
            isinstance(small, (cst.Import, cst.ImportFrom))
            and not isinstance(small.names, cst.ImportStar)
            and all(self._binds(a) in self.names for a in small.names)
        )

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        kept = [small for small in updated.body if not self._fully_dropped(small)]
        if not kept or len(kept) == len(updated.body):
            return updated  # a line dropped whole is dropped with its body (see _body)
        return updated.with_changes(body=kept)

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:
        kept = [a for a in updated.names if self._binds(a) not in self.names]
        if not kept or len(kept) == len(updated.names):
            return updated
        return updated.with_changes(names=[*kept[:-1], kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)])

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        if isinstance(updated.names, cst.ImportStar):
            return updated
        kept = [a for a in updated.names if self._binds(a) not in self.names]
        if not kept or len(kept) == len(updated.names):
            return updated
        return updated.with_changes(names=[*kept[:-1], kept[-1].with_changes(comma=updated.names[-1].comma)])


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
                    added.append(_import_from(edit.spelled or edit.new_module, edit.name, edit.alias))
                if not kept:
                    continue  # every name moved: the statement goes
                if len(kept) != len(statement.names):
                    # The new last name ends as the old last one did (a trailing comma and
                    # newline in a parenthesised list, nothing on one line).
                    last = kept[-1].with_changes(comma=statement.names[-1].comma)
                    statement = statement.with_changes(names=[*kept[:-1], last])
            body.append(statement)
        # `import a.b as m` / `from a import b as m` on this line: the uses of `m.Name` move,
        # and the name is imported right after it.
        for edit in edits:
            if edit.written and edit not in self.done:
                self.done.add(edit)
                added.append(_import_from(edit.spelled or edit.new_module, edit.name, None))
        statements: list[cst.BaseStatement] = []
        if body:
            statements.append(updated.with_changes(body=body))
        elif added:
            # The first new import takes the old statement's comments: those above it, and the
            # one at the end of its line.
            added[0] = added[0].with_changes(
                leading_lines=updated.leading_lines, trailing_whitespace=updated.trailing_whitespace
            )
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
