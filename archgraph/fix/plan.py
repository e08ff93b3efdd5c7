"""What `archgraph fix` would change: pure decisions over the model's facts.

For a symbol-level `protected` contract with a `replacement`, every import of the protected
symbol outside the allowed importers and not already taken from the replacement's module is a
change to make: import it from there instead. An import left alone says why: a star import
(nothing names the symbol), a name already bound to something else where `m.Name` would become
`Name`, or a contract without a replacement to import from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from archgraph import codes
from archgraph.fix.rewrite import Edit
from archgraph.model import ArchModel, ImportExpr
from archgraph.model.facts import FileFacts
from archgraph.model.files import packages_of
from archgraph.model.names import is_within
from archgraph.model.symbol_reading import symbol_index
from archgraph.model.symbols import (
    STAR,
    Symbol,
    SymbolSite,
    absolute_module,
    origin_of,
)
from archgraph.rules.base import Contract
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


def plan_module_fixes(contract: Protected, model: ArchModel) -> tuple[list[Change], list[LeftAlone]]:
    """The changes that make a protected *module* contract's violating imports take the names
    from an allowed module that re-exports them: `from app.registry_impl import AgentRegistry`
    becomes `from app.registry import AgentRegistry` when `app.registry` is allowed and is the
    one allowed module re-exporting that very object. A name no allowed module re-exports, or
    that several do, is left alone, as is an import of the module itself."""
    result = contract.check(model)
    pairs = {
        (v.importer, v.imported)
        for v in result.violations
        if v.code == codes.PROTECTED_MODULE_IMPORT.code and v.importer and v.imported
    }
    allowed, _problems = contract.resolve(model, "allowed_importers", contract.allowed_importers)
    protected, _problems = contract.resolve(model, "modules", contract.modules)

    def choose(symbol: Symbol, target: str, holders: list[str]) -> str | list[str]:
        found = [
            m for m in holders
            if any(is_within(m, a) for a in allowed) and not any(is_within(m, p) for p in protected)
        ]
        found = _preferred(model, found, symbol.name)
        if len(found) == 1:
            return found
        if found:
            return f"ambiguous re-export: {', '.join(found)} all re-export {symbol.name}"
        return f"no allowed module re-exports {symbol.name}"

    return _reexport_fixes(model, sorted(pairs), choose)


def plan_replacement_fixes(
    contract: Contract, replacements: Sequence[ImportExpr], model: ArchModel
) -> tuple[list[Change], list[LeftAlone]]:
    """The changes that make a `forbidden` or `layers` contract's direct violating imports of an
    old module (`replacements = ["old -> new"]`) take the names from the new one, when it holds
    the very objects (a re-export); the others are left alone with the reason."""
    olds = [(expr.importer.text, expr.imported.text) for expr in replacements]
    pairs = set()
    for violation in contract.check(model).violations:
        if len(violation.chain) == 1 and violation.importer and violation.imported:
            if any(is_within(violation.imported, old) for old, _new in olds):
                pairs.add((violation.importer, violation.imported))

    def choose(symbol: Symbol, target: str, holders: list[str]) -> str | list[str]:
        new = next(new for old, new in olds if is_within(target, old))
        if new in holders:
            return [new]
        return f"{new} does not hold {symbol} (import it there, or name another replacement)"

    return _reexport_fixes(model, sorted(pairs), choose)


Chooser = Callable[[Symbol, str, list[str]], "str | list[str]"]


def _reexport_fixes(
    model: ArchModel, pairs: Sequence[tuple[str, str]], choose: Chooser
) -> tuple[list[Change], list[LeftAlone]]:
    """For each violating import (importer, target): each name the importer takes from target,
    followed to its definition, is taken instead from the module `choose` names among those
    holding the same object under the same name (or left alone with the reason it gives)."""
    if not pairs:
        return [], []
    packages = packages_of(model.files)
    origins: dict[Symbol, list[tuple[str, str]]] = {}  # symbol -> the violating pairs taking it
    plain: list[tuple[str, str]] = []
    for importer, target in pairs:
        facts = model.facts([importer], chains=True).get(importer)
        names = [
            name.name
            for fact in (facts.imports if facts is not None else ())
            if fact.names and absolute_module(importer, fact, packages.__contains__) == target
            for name in fact.names
            if name.name != STAR
        ] + _attribute_names(facts, importer, target, packages.__contains__)
        found = False
        for name in dict.fromkeys(names):
            origin = origin_of(
                target, name, lambda m: model.facts([m], chains=True).get(m), model.internal_modules,
                packages.__contains__, not model.exclude_type_checking_imports,
            )
            if origin is not None and origin.symbol.module in model.internal_modules:
                origins.setdefault(origin.symbol, []).append((importer, target))
                found = True
        if not found:
            plain.append((importer, target))
    index = symbol_index(model, list(origins))
    changes: list[Change] = []
    left: list[LeftAlone] = []
    for symbol, taking in sorted(origins.items()):
        violating = set(taking)
        holders = sorted({module for (module, bound), _via in index.routes(symbol).items() if bound == symbol.name})
        for site in index.sites(symbol):
            if (site.importer, site.module) not in violating:
                continue
            file = model.files.get(site.importer)
            chosen = choose(symbol, site.module, holders)
            if isinstance(chosen, str):
                left.append(LeftAlone(site.importer, file, site.line, str(symbol), chosen))
                continue
            decided = _change(model, symbol, site, Symbol(chosen[0], symbol.name))
            if isinstance(decided, str):
                left.append(LeftAlone(site.importer, file, site.line, str(symbol), decided))
            else:
                changes.append(decided)
    for importer, target in plain:
        left.append(LeftAlone(importer, model.files.get(importer), 0, target, "imports the module itself, not names from it"))
    return changes, left


def _attribute_names(
    facts: FileFacts | None, importer: str, target: str, is_package: Callable[[str], bool]
) -> list[str]:
    """The names `m.Name` takes from `target` where `m` is bound to it (`import a.b as m`,
    `from a import b`, `import a.b` then `a.b.Name`)."""
    if facts is None:
        return []
    heads: dict[str, str] = {}
    for fact in facts.imports:
        if not fact.names:
            heads[fact.alias or fact.module.split(".")[0]] = fact.module if fact.alias else fact.module.split(".")[0]
        elif (source := absolute_module(importer, fact, is_package)) is not None:
            for name in fact.names:
                if f"{source}.{name.name}" == target:
                    heads[name.bound_as] = target
    found = []
    for text, _line in facts.attribute_chains or ():
        parts = text.split(".")
        base = heads.get(parts[0])
        if base is None:
            continue
        path = [base, *parts[1:]]
        for size in range(1, len(path)):
            if ".".join(path[:size]) == target:
                found.append(path[size])
                break
    return found


def _preferred(model: ArchModel, modules: list[str], name: str) -> list[str]:
    """Of several allowed modules holding the name, the one that exports it on purpose (a
    package's `__init__`, or a module listing it in `__all__`), when exactly one does."""
    if len(modules) < 2:
        return modules
    exporting = []
    for module in modules:
        facts = model.facts([module]).get(module)
        file = model.files.get(module)
        listed = facts is not None and facts.dunder_all is not None and name in facts.dunder_all
        if listed or (file is not None and file.name == "__init__.py"):
            exporting.append(module)
    return exporting if len(exporting) == 1 else modules
