"""Use case `archgraph audit`: the concepts, their classes, who imports and instantiates them.

Reads the code once through the check pipeline's scan (the import graph, the files' facts), the
class model, and the symbol index that follows imports through re-exports; the figures are
reckoned in `scorecards.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from archgraph.audit.scorecards import (
    Audit,
    ConceptClasses,
    ConceptSource,
    Site,
    Standing,
    most_imported,
    ranked,
    scorecard,
)
from archgraph.diagnostics import Diagnostic, sorted_diagnostics
from archgraph.families.analysis import analyze as analyze_families
from archgraph.families.class_cache import cached_class_model
from archgraph.families.classify import FamiliesQuery
from archgraph.families.findings import Family
from archgraph.links import read_source
from archgraph.model import ArchModel
from archgraph.model.classes import ClassModel
from archgraph.model.symbol_reading import symbol_index
from archgraph.model.symbols import STAR, Symbol, SymbolSite
from archgraph.rules import Contract
from archgraph.rules.protected import Protected
from archgraph.rules.single_implementation import SingleImplementation
from archgraph.usecases.check import Analysis
from archgraph.usecases.project import CACHE_DIR_NAME, Progress, RunOptions, quiet
from archgraph.usecases.scanning import build_model

MAX_SOURCE_BYTES = 5_000_000  # a file larger than this is not searched for instantiations


@dataclass(frozen=True, slots=True)
class AuditAnalysis:
    """The audit, and what its pictures draw besides: every site, and the wrappers found."""

    audit: Audit
    sites: dict[str, list[Site]]
    wrappers: tuple[tuple[str, str], ...]  # (wrapper, wrapped) qualified names


def audit(
    root: Path, options: RunOptions = RunOptions(), progress: Progress = quiet, concept: str | None = None
) -> Audit:
    """One scorecard per concept: the competing production families found, and every
    `single-implementation` and symbol-level `protected` contract configured (with `concept`,
    a glob, only those whose concept or one of whose classes' names matches)."""
    return audit_analysis(root, options, progress, concept).audit


def audit_analysis(
    root: Path, options: RunOptions = RunOptions(), progress: Progress = quiet, concept: str | None = None
) -> AuditAnalysis:
    """The audit (see `audit`), with the sites and wrappers its concept views draw."""
    project, outcome, notes = build_model(root, options, progress)
    return audit_of(project.contracts, outcome.model, (*outcome.diagnostics, *notes), options, progress, concept)


def report_section(analysis: Analysis, options: RunOptions = RunOptions()) -> str:
    """The audit of a checked project as the HTML report's families section."""
    from archgraph.audit.report import render_audit_html_section  # noqa: PLC0415

    audit = audit_of(analysis.contracts, analysis.model, (), options).audit
    return render_audit_html_section(audit, heading=False)


def audit_of(
    contracts: Sequence[Contract],
    model: ArchModel,
    diagnostics: Sequence[Diagnostic],
    options: RunOptions = RunOptions(),
    progress: Progress = quiet,
    concept: str | None = None,
) -> AuditAnalysis:
    """The audit of a scanned model under its contracts."""
    progress("reading classes")
    cache_dir = (options.cache_dir or model.root / CACHE_DIR_NAME) if options.use_cache else None
    classes = cached_class_model(model.sources, cache_dir)
    progress(f"comparing {len(classes.classes)} classes")
    # Test code too: a scorecard shows its implementations as exempt (listed, not counted).
    report = analyze_families(classes, FamiliesQuery(include_tests=True), model.test_modules)
    concepts = [
        c
        for c in (
            *configured_concepts(contracts, classes, model),
            *found_concepts(report.families, classes, model, contracts),
        )
        if concept is None or _matches(c, concept, classes)
    ]
    progress(f"following the imports of {len(concepts)} concepts")
    sites = import_sites(model, classes, {q for c in concepts for q in c.standing})
    concepts = [with_canonical(c, classes, sites, model) for c in concepts]
    counted = instantiations(model, classes, sites)
    cards = ranked(
        scorecard(c, classes.by_qualname, sites, counted, built_on(c, classes)) for c in concepts
    )
    result = Audit(
        root=str(model.root),
        packages=model.root_packages,
        scorecards=cards,
        test_modules=len(model.test_modules),
        modules=len(model.internal_modules),
        diagnostics=sorted_diagnostics((*diagnostics, *classes.diagnostics)),
    )
    wrappers = tuple(sorted({(w.wrapper.qualname, w.wrapped.qualname) for w in report.wrappers}))
    return AuditAnalysis(result, sites, wrappers)


def _matches(concept: ConceptClasses, glob: str, classes: ClassModel) -> bool:
    """Whether the concept is the one asked for: its name, or one of its classes' names."""
    if fnmatchcase(concept.concept, glob) or concept.concept == glob:
        return True
    return any(
        fnmatchcase(info.name, glob)
        for q in concept.standing
        if (info := classes.get(q)) is not None and concept.standing[q] is not Standing.EXEMPT
    )


# --- the concepts ---------------------------------------------------------------------------


def configured_concepts(
    contracts: Sequence[Contract], classes: ClassModel, model: ArchModel
) -> list[ConceptClasses]:
    """A concept per single-implementation contract and per symbol of a protected contract
    whose symbol is a class of the analyzed code."""
    found = []
    for contract in contracts:
        if isinstance(contract, SingleImplementation):
            found.append(_single_implementation(contract, classes, model))
        elif isinstance(contract, Protected):
            found += [
                concept
                for symbol in contract.symbols
                if (concept := _protected_symbol(contract, symbol, classes, model)) is not None
            ]
    return found


def _single_implementation(
    contract: SingleImplementation, classes: ClassModel, model: ArchModel
) -> ConceptClasses:
    canonical = classes.get(contract.canonical)
    lineage = (
        classes.ancestors(canonical.qualname) | classes.descendants(canonical.qualname) | {canonical.qualname}
        if canonical is not None
        else frozenset()
    )
    standing = {}
    for info in classes.by_qualname.values():
        if not fnmatchcase(info.name, contract.concept):
            continue
        if info.qualname in lineage:
            standing[info.qualname] = Standing.CANONICAL
        elif model.is_test(info.module) or any(model.covers(e, info.module) for e in contract.allowed_modules):
            standing[info.qualname] = Standing.EXEMPT
        else:
            standing[info.qualname] = Standing.COMPETING
    return ConceptClasses(
        concept=contract.concept,
        source=ConceptSource.SINGLE_IMPLEMENTATION,
        contract_id=contract.id,
        canonical=canonical.qualname if canonical is not None else None,
        standing=standing,
    )


def _protected_symbol(
    contract: Protected, symbol: str, classes: ClassModel, model: ArchModel
) -> ConceptClasses | None:
    canonical = classes.get(symbol)
    if canonical is None:
        return None  # a protected function or constant: no competing classes to audit
    standing = {canonical.qualname: Standing.CANONICAL}
    for info in classes.named(canonical.name):
        if info.qualname != canonical.qualname:
            standing[info.qualname] = Standing.EXEMPT if model.is_test(info.module) else Standing.COMPETING
    allowed = contract.allowed_importers

    def allowed_importer(module: str) -> bool:
        return any(model.covers(expr, module) for expr in allowed)

    return ConceptClasses(
        concept=canonical.name,
        source=ConceptSource.PROTECTED,
        contract_id=contract.id,
        canonical=canonical.qualname,
        standing=standing,
        allowed_importer=allowed_importer,
        canonical_path=contract.replacement.rpartition(".")[0] if contract.replacement else None,
    )


def found_concepts(
    families: Iterable[Family], classes: ClassModel, model: ArchModel, contracts: Sequence[Contract]
) -> list[ConceptClasses]:
    """A concept per competing family with two or more production implementations that no
    configured concept already covers (a single-implementation glob matching it, or a protected
    symbol among its classes); the canonical class is chosen later."""
    globs = [c.concept for c in contracts if isinstance(c, SingleImplementation)]
    protected = {s for c in contracts if isinstance(c, Protected) for s in c.symbols}
    found = []
    for family in families:
        if not family.competing or any(fnmatchcase(family.concept, g) for g in globs):
            continue
        if any(c.qualname in protected for c in family.classes):
            continue
        groups = [g for g in family.competing_groups if any(not model.is_test(_module(classes, q)) for q in g)]
        if len(groups) < 2:
            continue  # competing only through test doubles
        # The classes of the competing groups only: a root that does another job (no public
        # method in common) is no implementation of this concept, nor are its subclasses.
        competing_roots = {q for g in family.competing_groups for q in g}
        members = [
            c for c in family.classes
            if c.qualname in competing_roots or competing_roots & classes.ancestors(c.qualname)
        ]
        standing = {
            c.qualname: Standing.EXEMPT if model.is_test(c.module) else Standing.COMPETING for c in members
        }
        found.append(
            ConceptClasses(
                concept=family.concept,
                source=ConceptSource.FAMILY,
                contract_id=None,
                canonical=None,
                standing=standing,
                groups=tuple(groups),
            )
        )
    return found


def _module(classes: ClassModel, qualname: str) -> str:
    info = classes.get(qualname)
    return info.module if info is not None else qualname


def with_canonical(
    concept: ConceptClasses, classes: ClassModel, sites: Mapping[str, Sequence[Site]], model: ArchModel
) -> ConceptClasses:
    """A found family's canonical class: the production root that production code imports
    most (never a test double); the classes of its group, and those built on them, are canonical."""
    if concept.source is not ConceptSource.FAMILY:
        return concept
    roots = [q for group in concept.groups for q in group if not model.is_test(_module(classes, q))]
    canonical = most_imported(roots, {q: _sites_with_subclasses(q, classes, sites) for q in roots})
    if canonical is None:
        return concept
    group = next(g for g in concept.groups if canonical in g)
    standing = dict(concept.standing)
    for qualname, current in concept.standing.items():
        if current is Standing.EXEMPT:
            continue
        if qualname in group or any(root in classes.ancestors(qualname) for root in group):
            standing[qualname] = Standing.CANONICAL
    return ConceptClasses(
        concept=concept.concept,
        source=concept.source,
        contract_id=None,
        canonical=canonical,
        standing=standing,
        groups=concept.groups,
    )


def built_on(concept: ConceptClasses, classes: ClassModel) -> dict[str, str]:
    """Each class of the concept derived from another of its classes: the nearest one (fewest
    ancestors between them; ties by name)."""
    members = set(concept.standing)
    found = {}
    for qualname in members:
        inside = [a for a in classes.ancestors(qualname) if a in members]
        if inside:
            found[qualname] = max(inside, key=lambda a: (len(classes.ancestors(a)), a))
    return found


def _sites_with_subclasses(qualname: str, classes: ClassModel, sites: Mapping[str, Sequence[Site]]) -> list[Site]:
    return [s for q in (qualname, *classes.descendants(qualname)) for s in sites.get(q, ())]


# --- imports and instantiations -------------------------------------------------------------


def import_sites(model: ArchModel, classes: ClassModel, qualnames: Iterable[str]) -> dict[str, list[Site]]:
    """Every import statement that obtains each (top-level) class, through re-exports.

    A class defined inside a function or another class cannot be imported: it has none."""
    symbols = {
        q: Symbol(info.module, info.name)
        for q in sorted(set(qualnames))
        if (info := classes.get(q)) is not None and not info.nested and q == f"{info.module}.{info.name}"
    }
    if not symbols:
        return {}
    index = symbol_index(model, list(symbols.values()))
    return {q: [_site(model, q, s) for s in index.sites(symbol)] for q, symbol in symbols.items()}


def _site(model: ArchModel, qualname: str, site: SymbolSite) -> Site:
    return Site(
        importer=site.importer,
        location=model.location_of(site.importer, site.line),
        obtains=qualname,
        via=site.via,
        in_tests=model.is_test(site.importer),
        import_kind=model.kind_of(site.importer, site.line).value,
        written=site.written,
        source=site.module,
    )


def instantiations(
    model: ArchModel, classes: ClassModel, sites: Mapping[str, Sequence[Site]]
) -> dict[str, int]:
    """`Name(...)` calls of each class in the production modules that import it (by the name
    the import binds) and in the module that defines it. Text, not execution: a call through
    another alias or a factory is not seen; a name in a string or comment followed by `(` is."""
    texts: dict[str, bytes] = {}
    counted: dict[str, int] = {}
    for qualname, found in sites.items():
        info = classes.get(qualname)
        if info is None:
            continue
        names = {(info.module, info.name)} | {
            (s.importer, info.name if s.written == STAR else s.written) for s in found if not s.in_tests
        }
        total = 0
        for module, name in sorted(names):
            text = texts.get(module)
            if text is None:
                text = texts[module] = _source(model, module)
            total += len(_call_pattern(name).findall(text))
        counted[qualname] = total
    return counted


def _call_pattern(name: str) -> re.Pattern[bytes]:
    return re.compile(rb"(?<![\w.])" + re.escape(name.encode()) + rb"\s*\(")


def _source(model: ArchModel, module: str) -> bytes:
    """The bytes of a module's file; nothing for a file that is not a regular one or too big."""
    relative = model.files.get(module)
    found = read_source(model.root / relative, MAX_SOURCE_BYTES) if relative is not None else None
    return found or b""
