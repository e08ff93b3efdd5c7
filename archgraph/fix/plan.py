"""What `archgraph fix` would change: pure decisions over the model's facts.

For a symbol-level `protected` contract with a `replacement`, every import of the protected
symbol outside the allowed importers and not already taken from the replacement's module is a
change to make: import it from there instead. An import left alone says why: a star import
(nothing names the symbol), a name already bound to something else where `m.Name` would become
`Name`, or a contract without a replacement to import from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from archgraph.fix.rewrite import Edit
from archgraph.model import ArchModel
from archgraph.model.names import is_within
from archgraph.model.symbols import STAR, Symbol, SymbolSite
from archgraph.rules.protected import Protected, symbol_findings


@dataclass(frozen=True, slots=True)
class Change:
    """One import statement's name, moved to the replacement's module."""

    importer: str
    file: Path  # relative to the root
    symbol: str
    old_module: str  # where it is taken from today
    edit: Edit


@dataclass(frozen=True, slots=True)
class LeftAlone:
    importer: str
    file: Path | None
    line: int
    symbol: str
    reason: str


def plan_symbol_fixes(contract: Protected, model: ArchModel) -> tuple[list[Change], list[LeftAlone]]:
    """The changes that make the contract's symbol imports take the canonical path."""
    symbols, _notes, sites = symbol_findings(model, contract.symbols)
    allowed, _problems = contract.resolve(model, "allowed_importers", contract.allowed_importers)
    replacement = Symbol.parse(contract.replacement) if contract.replacement else None
    changes: list[Change] = []
    left: list[LeftAlone] = []
    for symbol, found in zip(symbols, sites, strict=True):
        for site in found:
            if any(is_within(site.importer, a) for a in allowed) or contract.by_replacement(site):
                continue
            if any(expr.covers(site.importer, site.module) for expr in contract.ignore_imports):
                continue
            decided = _change(model, symbol, site, replacement)
            if isinstance(decided, str):
                left.append(LeftAlone(site.importer, model.files.get(site.importer), site.line, str(symbol), decided))
            else:
                changes.append(decided)
    return changes, left


def _change(model: ArchModel, symbol: Symbol, site: SymbolSite, replacement: Symbol | None) -> Change | str:
    if replacement is None:
        return "the contract names no replacement to import it from (set replacement = \"module.Name\")"
    if site.written == STAR:
        return "a star import: no statement names it"
    file = model.files.get(site.importer)
    if file is None:
        return "no file"
    if site.importer == replacement.module:
        return "the replacement module itself"
    facts = model.facts([site.importer]).get(site.importer)
    if facts is None:
        return "the file could not be read"
    if site.by_attribute:
        bound = {name for name in facts.definitions} | {
            n.bound_as for fact in facts.imports for n in fact.names
        }
        if replacement.name in bound:
            return f"`{replacement.name}` is already bound in the module: `{site.written}` cannot become it"
        edit = Edit(site.line, replacement.name, replacement.module, written=site.written, uses=site.uses)
        return Change(site.importer, file, str(symbol), site.module, edit)
    imported = [
        name for fact in facts.imports if fact.line == site.line for name in fact.names if name.bound_as == site.written
    ]
    if len(imported) != 1:
        return "the import statement could not be matched to the name"
    name = imported[0]
    if name.name != replacement.name:
        # `from m import Other` where Other is the symbol re-exported under another name.
        return f"imported as {name.name}, a name the replacement does not export"
    statement = next(fact for fact in facts.imports if fact.line == site.line)
    spelled = _relative(site.importer, replacement.module, file.name == "__init__.py") if statement.level else None
    edit = Edit(site.line, name.name, replacement.module, alias=name.alias, spelled=spelled)
    return Change(site.importer, file, str(symbol), site.module, edit)


def _relative(importer: str, target: str, is_package: bool) -> str | None:
    """`target` as a relative import from `importer` (as the file wrote the one it replaces),
    or None when they share no top package."""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    parts = target.split(".")
    common = 0
    while common < min(len(base), len(parts)) and base[common] == parts[common]:
        common += 1
    if common == 0:
        return None
    return "." * (len(base) - common + 1) + ".".join(parts[common:])


def changed_files(changes: Sequence[Change]) -> dict[Path, list[Change]]:
    """The changes by file, in file order."""
    by_file: dict[Path, list[Change]] = {}
    for change in sorted(changes, key=lambda c: (c.file.as_posix(), c.edit.line)):
        by_file.setdefault(change.file, []).append(change)
    return by_file
