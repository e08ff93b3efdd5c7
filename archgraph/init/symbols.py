"""`protected` symbol contracts for the classes that many parts of the code import.

A class the whole code base imports (an `AgentRegistry`) is a single source of truth only if
it is reached one way. Init proposes to protect it: only its own package and the modules that
re-export it (the canonical path to it) may import it; `check` then lists every other import
site, through re-export shims and aliases too (the same reading of the code as the contract's).

Production first: the packages counted and the sites listed are production code's; test code
importing the class is exempted (`ignore_imports`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archgraph.init.production import is_behaviour, nameable, outermost_test_modules
from archgraph.model import ArchModel
from archgraph.model.classes import ClassModel
from archgraph.model.files import packages_of
from archgraph.model.names import is_within
from archgraph.model.symbols import STAR, Symbol, SymbolIndex, absolute_module
from archgraph.rules.protected import symbol_findings

MAX_PROTECTED_CONTRACTS = 5
MIN_IMPORTING_PACKAGES = 3  # packages, other than its own, that import the class


@dataclass(frozen=True, slots=True)
class ProtectedSymbolProposal:
    """A class imported from many parts of the code, and who may import it."""

    symbol: str  # `module.Name`, the module that defines it
    packages: tuple[tuple[str, int], ...]  # importing packages with their production sites, most first
    sites: int  # production import sites outside the defining module
    through_reexports: int  # of those, the sites that obtain it through a re-export
    allowed: tuple[str, ...]  # the canonical path: its own package, the modules re-exporting it
    reexporters: tuple[str, ...]  # production modules others obtain it through
    test_ignores: tuple[str, ...] = ()  # `ignore_imports` exempting test code
    replacement: str | None = None  # its own package's re-export, when there is one

    @property
    def name(self) -> str:
        return self.symbol.rpartition(".")[2]


def infer_protected_symbols(
    model: ArchModel, levels: Sequence[str], classes: ClassModel | None
) -> tuple[ProtectedSymbolProposal, ...]:
    """The production classes that production code imports from the most packages, at least
    MIN_IMPORTING_PACKAGES besides their own; at most MAX_PROTECTED_CONTRACTS, the most widely
    imported first. `levels`: the packages whose children are the parts of the code."""
    if classes is None:
        return ()
    importers = _importers_by_class(model, classes)
    ranked = []
    for symbol, found in importers.items():
        packages = {package_of(model, importer) for importer in found}
        packages.discard(package_of(model, symbol.module))
        if len(packages) >= MIN_IMPORTING_PACKAGES:
            ranked.append((-len(packages), -len(found), str(symbol)))
    ranked.sort()
    chosen = [text for _packages, _importers, text in ranked[:MAX_PROTECTED_CONTRACTS]]
    proposals = [_proposal(model, text, levels) for text in chosen]
    return tuple(p for p in proposals if p is not None)


def package_of(model: ArchModel, module: str) -> str:
    """The package a module belongs to: itself for a package's `__init__.py`."""
    path = model.file_of(module)
    if path is not None and path.name == "__init__.py":
        return module
    return module.rpartition(".")[0] or module


def _importers_by_class(model: ArchModel, classes: ClassModel) -> dict[Symbol, set[str]]:
    """Production modules importing each production class by name (`from m import Name`,
    through re-exports): a quick count to choose the classes, whose sites are then read the
    way the contract reads them."""
    tests = model.test_modules
    candidates = {
        Symbol(info.module, info.name)
        for info in classes.classes
        if not info.nested
        and info.module not in tests
        and not info.name.startswith("_")
        and nameable(info.qualname)
        and is_behaviour(classes, info)
    }
    names = {symbol.name for symbol in candidates}
    facts = model.facts()
    index = SymbolIndex(
        facts, model.modules, packages_of(model.files), not model.exclude_type_checking_imports
    )
    origins: dict[tuple[str, str], Symbol | None] = {}
    found: dict[Symbol, set[str]] = {}
    for importer in sorted(facts):
        if importer in tests:
            continue
        for fact in facts[importer].imports:
            if fact.type_checking and model.exclude_type_checking_imports:
                continue
            wanted = [i.name for i in fact.names if i.name != STAR and i.name in names]
            source = absolute_module(importer, fact, index.is_package) if wanted else None
            if source is None:
                continue
            for name in wanted:
                key = (source, name)
                if key not in origins:
                    origin = index.origin(source, name)
                    origins[key] = origin.symbol if origin is not None else None
                symbol = origins[key]
                if symbol in candidates and importer != symbol.module:
                    found.setdefault(symbol, set()).add(importer)
    return found


def _proposal(model: ArchModel, text: str, levels: Sequence[str]) -> ProtectedSymbolProposal | None:
    """The proposal for one class, from its import sites as the contract finds them."""
    symbols, _notes, sites_per_symbol = symbol_findings(model, [text])
    if not symbols:
        return None
    symbol, sites = symbols[0], sites_per_symbol[0]
    production = [site for site in sites if not model.is_test(site.importer)]
    reexporters = sorted(
        {module for site in production for module in site.via if not model.is_test(module)}
    )
    # Its own package, unless that is a whole level or root: then the defining module alone.
    package = symbol.module.rpartition(".")[0]
    roots = {m.split(".")[0] for m in levels}
    own = symbol.module if not package or package in levels or package in roots else package
    allowed = [own, *(m for m in reexporters if not is_within(m, own) and nameable(m))]
    counts: dict[str, int] = {}
    for site in production:
        package = package_of(model, site.importer)
        counts[package] = counts.get(package, 0) + 1
    tested = outermost_test_modules(model, {s.importer for s in sites if model.is_test(s.importer)})
    # The canonical path: its own package, when that re-exports it (`from app.registry import
    # AgentRegistry`); a re-export elsewhere is a shim (often legacy), not the way to go.
    canonical = own != symbol.module and symbol.name in _bound_names(model, own)
    return ProtectedSymbolProposal(
        symbol=str(symbol),
        packages=tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0]))),
        sites=len(production),
        through_reexports=sum(1 for site in production if site.via),
        allowed=tuple(allowed),
        reexporters=tuple(reexporters),
        test_ignores=tuple(f"{module} -> {module.split('.')[0]}" for module in tested),
        replacement=f"{own}.{symbol.name}" if canonical else None,
    )


def _bound_names(model: ArchModel, module: str) -> frozenset[str]:
    facts = model.facts([module]).get(module)
    return frozenset(facts.definitions) if facts is not None else frozenset()
