"""The class model: every class the analyzed packages define, with bases resolved to qualified names.

Built from per-file facts (`ArchModel.facts()`): nothing is imported or executed. A base written
`Base`, `pkg.Base` or `Base` from a relative import resolves to the module that defines it
(`app.core.tools.base.BaseToolDispatcher`), through aliases, re-exports, star imports and
`__all__`. External and builtin bases stay as written (`abc.ABC`, `Exception`).

Name resolution is one small function behind the `Resolver` interface, `resolve(module,
dotted_name) -> qualified name or None` (`model.resolve.ImportResolver` by default).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import cast

from archgraph import codes
from archgraph.diagnostics import Diagnostic, Location, Severity
from archgraph.model.facts import FileFacts, ForwardedMethod
from archgraph.model.files import packages_of
from archgraph.model.resolve import ImportResolver, Read, imported_closure, known_modules

Resolver = Callable[[str, str], str | None]
"""`resolve(module, dotted_name)`: what `dotted_name`, written in `module`, names; None if unknown."""

# Bases and metaclasses that make a class abstract, resolved or (when unresolved) as written.
PROTOCOL_BASES = frozenset({"typing.Protocol", "typing_extensions.Protocol", "Protocol"})
ABSTRACT_BASES = frozenset({"abc.ABC", "ABC"}) | PROTOCOL_BASES
ABSTRACT_METACLASSES = frozenset({"abc.ABCMeta", "ABCMeta"})


# --- the class model ------------------------------------------------------------------------


class DefinitionKind(StrEnum):
    """How a class definition stands beside its namesakes (see `ClassInfo.definition_kind`)."""

    PRIMARY = "primary"  # an ordinary module-level class
    SHADOW = "shadow"  # `class AgentRegistry(registry.AgentRegistry)`: extends its namesake
    FALLBACK = "fallback"  # defined where `try: from x import Name` failed (`except ImportError:`)
    NESTED = "nested"  # defined inside a function or another class


@dataclass(frozen=True, slots=True)
class ClassInfo:
    """One class definition, its bases resolved to qualified names where possible."""

    qualname: str  # module.Qualname, e.g. `app.core.tools.base.BaseToolDispatcher`
    name: str
    module: str
    file: Path  # relative to the analyzed root
    line: int
    bases: tuple[str, ...]  # resolved; external or unresolvable ones as written
    methods: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    abstract: bool = False  # ABC or Protocol base, ABCMeta metaclass, or abstract methods
    protocol: bool = False
    metaclass: str | None = None
    nested: bool = False  # defined inside another class or a function
    attribute_types: tuple[tuple[str, str], ...] = ()  # `self.attr = Callee(...)`, Callee resolved
    forwarded: tuple[ForwardedMethod, ...] = ()
    # Its module imports the same name inside a `try:` (`try: from x import Name` / `except
    # ImportError: class Name: ...`): a stand-in for when the import fails.
    fallback: bool = False

    public_methods: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Read many times by the analyses; computed once. `__call__` is a callable's interface.
        public = frozenset(m for m in self.methods if not m.startswith("_") or m == "__call__")
        object.__setattr__(self, "public_methods", public)

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)

    @property
    def definition_kind(self) -> DefinitionKind:
        """A same-name subclass shadows its base; a stand-in for a failed import is a fallback."""
        if any(base != self.qualname and base.rpartition(".")[2] == self.name for base in self.bases):
            return DefinitionKind.SHADOW
        if self.fallback:
            return DefinitionKind.FALLBACK
        return DefinitionKind.NESTED if self.nested else DefinitionKind.PRIMARY


@dataclass(frozen=True)
class ClassModel:
    """Every class of the analyzed code, with inheritance indexes (computed once, on demand)."""

    classes: tuple[ClassInfo, ...]  # in (module, line) order
    diagnostics: tuple[Diagnostic, ...] = ()
    modules: tuple[str, ...] = ()  # every analyzed module, sorted, including those without classes
    # Every module (or package) that code under another child of its parent package imports:
    # `app.core` when `app.services.x` imports `app.core.y`. How the children of a package depend
    # on each other, which tells an application's own subpackages from plugins side by side.
    sibling_imported: frozenset[str] = frozenset()

    @cached_property
    def by_qualname(self) -> Mapping[str, ClassInfo]:
        """The first definition of each qualified name (a module may define a class twice)."""
        index: dict[str, ClassInfo] = {}
        for info in self.classes:
            index.setdefault(info.qualname, info)
        return index

    def get(self, qualname: str) -> ClassInfo | None:
        return self.by_qualname.get(qualname)

    @cached_property
    def qualnames(self) -> tuple[str, ...]:
        return tuple(sorted(self.by_qualname))

    @cached_property
    def _project_bases(self) -> Mapping[str, tuple[str, ...]]:
        known = self.by_qualname
        return {
            q: tuple(b for b in info.bases if b in known and b != q) for q, info in known.items()
        }

    def project_bases(self, qualname: str) -> tuple[str, ...]:
        """The bases that are classes of the analyzed code."""
        return self._project_bases.get(qualname, ())

    @cached_property
    def _subclass_index(self) -> Mapping[str, tuple[str, ...]]:
        index: dict[str, list[str]] = {}
        for qualname in self.qualnames:
            for base in self.project_bases(qualname):
                index.setdefault(base, []).append(qualname)
        return {base: tuple(sorted(set(subs))) for base, subs in index.items()}

    def subclasses(self, qualname: str) -> tuple[str, ...]:
        """Direct subclasses in the analyzed code."""
        return self._subclass_index.get(qualname, ())

    @cached_property
    def _lineage(self) -> tuple[Mapping[str, frozenset[str]], Mapping[str, frozenset[str]]]:
        """Project ancestors and external bases of every class, in one post-order pass."""
        bases_of = self._project_bases
        known = self.by_qualname
        ancestors: dict[str, frozenset[str]] = {}
        external: dict[str, frozenset[str]] = {}
        empty: frozenset[str] = frozenset()
        for start in self.qualnames:
            if start in ancestors:
                continue
            # Iterative: deep hierarchies must not hit the recursion limit; `active` breaks cycles.
            stack, active = [start], {start}
            while stack:
                current = stack[-1]
                pending = [b for b in bases_of[current] if b not in ancestors and b not in active]
                if pending:
                    stack.extend(pending)
                    active.update(pending)
                    continue
                stack.pop()
                active.discard(current)
                found = set(bases_of[current])
                outside = {b for b in known[current].bases if b not in known}
                for base in bases_of[current]:
                    found |= ancestors.get(base, empty)
                    outside |= external.get(base, empty)
                found.discard(current)
                ancestors[current] = frozenset(found)
                external[current] = frozenset(outside)
        return ancestors, external

    def ancestors(self, qualname: str) -> frozenset[str]:
        """Every base class in the analyzed code, transitively."""
        return self._lineage[0].get(qualname, frozenset())

    def descendants(self, qualname: str) -> frozenset[str]:
        found: set[str] = set()
        stack = list(self.subclasses(qualname))
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self.subclasses(current))
        found.discard(qualname)
        return frozenset(found)

    def external_bases(self, qualname: str) -> frozenset[str]:
        """Bases outside the analyzed code (`abc.ABC`, `Exception`) of the class and its ancestors."""
        return self._lineage[1].get(qualname, frozenset())

    def is_subclass(self, qualname: str, of: str) -> bool:
        """True for the class itself and for every class deriving from `of`."""
        return qualname == of or of in self.ancestors(qualname)

    @cached_property
    def _name_index(self) -> Mapping[str, tuple[ClassInfo, ...]]:
        index: dict[str, list[ClassInfo]] = {}
        for info in self.by_qualname.values():
            index.setdefault(info.name, []).append(info)
        return {name: tuple(sorted(found, key=lambda i: i.qualname)) for name, found in index.items()}

    def named(self, name: str) -> tuple[ClassInfo, ...]:
        return self._name_index.get(name, ())

    def without(self, modules: AbstractSet[str]) -> ClassModel:
        """The model less the classes of `modules` (test code, say); what those modules import
        of their siblings still counts (`ClassModelBuild.production` leaves that out too)."""
        return ClassModel(
            tuple(c for c in self.classes if c.module not in modules),
            self.diagnostics,
            tuple(m for m in self.modules if m not in modules),
            self.sibling_imported,
        )


def _tried_names(facts: FileFacts) -> frozenset[str]:
    """Names that module-level imports inside a `try:` bind (what a fallback stands in for)."""
    found: set[str] = set()
    for fact in facts.imports:
        if fact.in_try and not fact.in_function:
            if fact.names:
                found.update(name.bound_as for name in fact.names)
            else:
                found.add(fact.alias or fact.module.partition(".")[0])
    return frozenset(found)


def _class_info(module: str, file: Path, facts: FileFacts, resolve: Resolver) -> list[ClassInfo]:
    infos = []
    tried = _tried_names(facts) if any(i.in_try for i in facts.imports) else frozenset()
    for fact in facts.classes:
        bases = tuple(resolve(module, base) or base for base in fact.bases)
        metaclass = (resolve(module, fact.metaclass) or fact.metaclass) if fact.metaclass else None
        protocol = any(base in PROTOCOL_BASES for base in bases)
        abstract = (
            bool(fact.abstract_methods)
            or any(base in ABSTRACT_BASES for base in bases)
            or metaclass in ABSTRACT_METACLASSES
        )
        infos.append(
            ClassInfo(
                qualname=f"{module}.{fact.qualname}",
                name=fact.name,
                module=module,
                file=file,
                line=fact.line,
                bases=bases,
                methods=fact.methods,
                decorators=fact.decorators,
                abstract=abstract,
                protocol=protocol,
                metaclass=metaclass,
                nested="." in fact.qualname,
                attribute_types=tuple(
                    (attribute, resolve(module, callee) or callee)
                    for attribute, callee in fact.attribute_types
                ),
                forwarded=fact.forwarded,
                fallback=fact.name in tried and "." not in fact.qualname,
            )
        )
    return infos


def sibling_imports(module: str, facts: FileFacts, is_package: bool) -> frozenset[str]:
    """What `module` imports under another child of a package above it, named at that level.

    `app.services.chat` importing `app.core.db.session` gives `app.core` (a sibling of
    `app.services`); importing `app.services.tools`, `app.services.tools` (a sibling of `chat`);
    importing `app` or `os`, nothing.

    A target names a sibling at the first part where it leaves `module`'s path, if that is not
    the first part and neither path ends there. Imports from another top-level package (most of
    them) are passed over at once, and the names of `from t import a, b` (targets `t.a`, `t.b`)
    share what `t` gave up to its last part: half the time on Home Assistant's 90,000 imports
    (117 -> 56 ms).
    """
    parts = module.split(".")
    last = len(parts) - 1  # the module's own last part never counts
    if not last:
        return frozenset()
    found: set[str] = set()
    top = parts[0]
    package = parts if is_package else parts[:-1]
    for fact in facts.imports:
        if fact.level:
            if fact.level - 1 >= len(package):
                continue  # above the top-level package
            base = package[: len(package) - (fact.level - 1)]
            target = [*base, *fact.module.split(".")] if fact.module else base
        elif fact.module.partition(".")[0] != top:
            continue  # shares no first part with the module: no sibling
        else:
            target = fact.module.split(".")
        # The common parts of `target` and the module's path, the last part of neither.
        size = len(target)
        limit = min(last, size - 1)
        common = 0
        while common < limit and parts[common] == target[common]:
            common += 1
        if common and parts[common] != target[common]:
            found.add(".".join(target[: common + 1]))
        # `from target import name` imports `target.name` too, which leaves the module's path
        # where `target` does, unless `target` stopped short of the comparison's end.
        if (
            not fact.names
            or common < limit
            or limit == min(last, size)
            or parts[common] != target[common]
        ):
            continue
        common += 1
        if common < size:
            if parts[common] != target[common] and any(n.name != "*" for n in fact.names):
                found.add(".".join(target[: common + 1]))
        else:
            prefix = ".".join(target)
            found.update(
                f"{prefix}.{n.name}" for n in fact.names if n.name != "*" and n.name != parts[common]
            )
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class _ModuleClasses:
    """One module's share of the class model, and what it was computed from."""

    facts: FileFacts | None
    classes: tuple[ClassInfo, ...]
    diagnostics: tuple[Diagnostic, ...]
    read: frozenset[Read] | None  # what resolving its names read (see ImportResolver.recording)
    sibling_imported: frozenset[str] = frozenset()  # see `sibling_imports`


@dataclass(frozen=True)
class ClassModelBuild:
    """A class model with what an incremental rebuild needs (see `update_class_model`)."""

    model: ClassModel
    files: Mapping[str, Path]
    modules: Mapping[str, _ModuleClasses]
    # Kept while the files and the modules with facts stay the same:
    parsed: frozenset[str] = frozenset()  # the modules with facts
    packages: frozenset[str] = frozenset()  # the modules of `files` that are packages
    known: frozenset[str] | None = None  # known_modules(parsed, packages)
    facts: Mapping[str, FileFacts] | None = None  # what the build was given (see `_changed`)

    def production(self, tests: AbstractSet[str]) -> ClassModel:
        """The model of the modules that are not `tests`: test doubles neither compete nor
        count as subclasses, and what a test imports tells nothing of how production's
        packages depend on each other. Names were resolved through every module of the build
        (a base class taken from a test helper stays resolved). The problems of test code are
        reported where production's imports reach it (a broken test helper a base class comes
        from), whatever else of the test code the build holds."""
        ordered = sorted(self.files)
        kept = [m for m in ordered if m not in tests]
        reached: set[str] = set()
        if any(self.modules[m].diagnostics for m in ordered if m in tests):
            def facts_of(modules: Iterable[str]) -> dict[str, FileFacts]:
                return {m: f for m in modules if m in self.modules and (f := self.modules[m].facts) is not None}

            reached = imported_closure(facts_of(kept), facts_of, self.packages, tests)
        known = self.known if self.known is not None else known_modules(self.parsed, self.packages)
        return ClassModel(
            tuple(info for m in kept for info in self.modules[m].classes),
            tuple(d for m in ordered if m not in tests or m in reached for d in self.modules[m].diagnostics),
            tuple(kept),
            frozenset().union(*(self.modules[m].sibling_imported for m in kept)) & known,
        )


def _module_diagnostics(file: Path, facts: FileFacts | None) -> tuple[Diagnostic, ...]:
    if facts is None:
        return (
            Diagnostic(
                codes.CLASSES_UNREADABLE.code,
                Severity.WARNING,
                "file cannot be read; its classes are not analyzed",
                Location(file),
            ),
        )
    if facts.error_line is not None:
        return (
            Diagnostic(
                codes.CLASSES_SYNTAX_ERROR.code,
                Severity.WARNING,
                "syntax error; classes near it may be missing or incomplete",
                Location(file, facts.error_line),
                hint="fix the file (merge-conflict markers?); the rest is analyzed meanwhile",
            ),
        )
    return ()


def update_class_model(
    previous: ClassModelBuild | None,
    facts: Mapping[str, FileFacts],
    files: Mapping[str, Path],
    resolver: Resolver | None = None,
) -> ClassModelBuild:
    """The class model of the given files' facts (pure), reusing `previous` where it still holds.

    A module's classes are resolved again only when its own facts changed or the facts of a
    module its names were resolved through did (a re-export moved). While the set of files is
    the same and no class changes, the very same `ClassModel` object is returned, so the
    analyses of it can be reused too (`archgraph trend` checks commit after commit).

    Args:
        previous: an earlier build, or None to build from scratch.
        facts: parsed facts by module; a module of `files` without facts could not be read.
        files: every analyzed module's file, relative to the analyzed root.
        resolver: name resolution; by default through the modules' own imports.
    """
    if previous is not None and (
        resolver is not None or (previous.files is not files and previous.files != files)
    ):
        previous = None  # other modules can change how every name resolves
    old = previous.modules if previous is not None else {}
    changed = _changed(previous, facts, files)
    if previous is not None and not changed:
        return previous
    parsed = frozenset(facts)  # a file that cannot be read is no module to resolve names to
    if previous is not None and previous.known is not None and previous.parsed == parsed:
        packages, known = previous.packages, previous.known
    else:
        packages = packages_of(files)
        known = known_modules(parsed, packages)
    tracking = ImportResolver(facts, packages, known) if resolver is None else None
    # Modules whose classes were resolved through a changed module are resolved again only if
    # what such a resolution reads of it changed: an import added to a module that hundreds of
    # others import from does not re-resolve them all (1,400 modules a commit on Home Assistant).
    if tracking is not None and previous is not None:
        was = {m: then for m in changed if (then := old[m].facts) is not None}
        before = ImportResolver(was, packages, known)
        reads = set().union(*(tracking.changed_reads(m, before) for m in changed))
        affected = changed | {
            m for m, entry in old.items() if entry.read is None or not entry.read.isdisjoint(reads)
        }
    else:  # a build from scratch: every module changed
        affected = changed
    resolve = resolver or cast(ImportResolver, tracking).resolve
    modules = dict(old)
    for module in sorted(affected):
        file, module_facts = files[module], facts.get(module)
        read: frozenset[Read] | None = None
        classes: tuple[ClassInfo, ...] = ()
        siblings: frozenset[str] = frozenset()
        if module_facts is not None:
            siblings = sibling_imports(module, module_facts, module in packages) & known
            if tracking is not None:
                with tracking.recording() as reading:
                    classes = tuple(_class_info(module, file, module_facts, resolve))
                read = frozenset(reading)
            else:
                classes = tuple(_class_info(module, file, module_facts, resolve))
        modules[module] = _ModuleClasses(
            module_facts, classes, _module_diagnostics(file, module_facts), read, siblings
        )
    if previous is not None and all(
        (modules[m].classes, modules[m].diagnostics, modules[m].sibling_imported)
        == (old[m].classes, old[m].diagnostics, old[m].sibling_imported)
        for m in affected
    ):
        return ClassModelBuild(previous.model, files, modules, parsed, packages, known, facts)
    ordered = [modules[m] for m in sorted(files)]
    model = ClassModel(
        tuple(info for entry in ordered for info in entry.classes),
        tuple(d for entry in ordered for d in entry.diagnostics),
        tuple(sorted(files)),
        # Only modules (`from app.core import Base` names `app.core.Base` too, which is none),
        # and those there still are.
        frozenset().union(*(entry.sibling_imported for entry in ordered)) & known,
    )
    return ClassModelBuild(model, files, modules, parsed, packages, known, facts)


def _changed(
    previous: ClassModelBuild | None, facts: Mapping[str, FileFacts], files: Mapping[str, Path]
) -> set[str]:
    """The modules of `files` whose facts differ from those `previous` was built from."""
    old = previous.modules if previous is not None else {}
    candidates: Iterable[str] = files
    if previous is not None and previous.facts is not None:
        # A changing tree's facts are mostly the very objects of the last build: leave those
        # out at C speed (8,800 modules at every commit of a trend on Home Assistant).
        before, now = previous.facts, list(files)
        candidates = [
            *itertools.compress(now, map(operator.is_not, map(before.get, now), map(facts.get, now))),
            *(files.keys() - old.keys()),
        ]
    return {m for m in candidates if m not in old or not _same(old[m].facts, facts.get(m))}


def _same(before: FileFacts | None, after: FileFacts | None) -> bool:
    """The same facts, as far as classes go (attribute chains are for symbol contracts)."""
    if before is after:
        return True
    if before is None or after is None:
        return False
    return (
        before.classes == after.classes
        and before.imports == after.imports
        and before.definitions == after.definitions
        and (before.dunder_all, before.error_line) == (after.dunder_all, after.error_line)
    )


def class_model_from_facts(
    facts: Mapping[str, FileFacts],
    files: Mapping[str, Path],
    resolver: Resolver | None = None,
) -> ClassModel:
    """The class model of the given files' facts (pure); see `update_class_model`."""
    return update_class_model(None, facts, files, resolver).model
