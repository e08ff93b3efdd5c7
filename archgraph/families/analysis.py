"""Competing implementations, without configuration: duplicates, role families, parallel
hierarchies and delegation wrappers among the classes of the analyzed code.

Pure functions over a `ClassModel`. The heuristics, and why:

- A class's *role* is a CamelCase tail of its name (1 to 3 words): of its tails, the one after
  which the most different words come first (its "fan-out"; on a tie the shorter tail).
  `UnifiedToolDispatcher`, `AdminToolDispatcher` and `ToolDispatcher` fan out after
  `ToolDispatcher` (`Unified`, `Admin`, nothing), not after `Dispatcher` (only `Tool`).
  A trailing `Base`, `ABC`, `Interface` or `Impl` does not count.
- Only classes with behaviour form families. Exceptions, enums, data classes (dataclass, attrs,
  NamedTuple, TypedDict, pydantic), tests and mixins are values or building blocks: many
  `*Error(Exception)` classes are one convention, not competing implementations.
- A family's roots are members with no ancestor in the family. Roots that share a base class
  (of the analyzed code, or a framework's such as `threading.Thread`), or implement a Protocol
  of the family, are one group. Groups that have public methods in common compete; groups
  with nothing in common do different jobs (`ChatService`, `SessionService`).
- A name that two or more classes carry exactly is a concept of its own (with the classes that
  carry it as their tail) when it is longer than the role: three `AgentRegistry` definitions
  make an `AgentRegistry` family rather than joining `MetricRegistry` and `HealthRegistry` in
  a `Registry` one.
- Classes defined inside functions and classes count (a `MinimalToolDispatcher` a method builds
  and returns is an implementation); bare nested namespaces (`class Meta:`) do not. Each
  definition says what it is: primary, nested, shadow (`class Foo(other.Foo)`) or fallback (a
  stand-in for an import that failed, `try: from x import Foo` / `except ImportError: class Foo`).
- Production first: test code (tests/ folders, test_*.py, conftest.py, the project's pytest
  configuration) is left out and counted (in modules: `SourceSet.production_class_model` does
  not read it); with `include_tests`, its findings come after all of production's. Either way
  test doubles sway none of production's findings: roles are production's own (`roles_apart`),
  and the canonical class is the one production code derives from most.
- Plugins do not compete with each other: below a package with many subpackages that do not
  import each other (`homeassistant.components`), each subpackage is a plugin with its own
  `FooData`. Plugins still compete with the core code. An application's own subpackages
  (`app.agents`, `app.services`, `app.core`) import each other and compete, however many.
- Scores grow with the number of competing groups (logarithmically) and the public methods they
  share; name matches between hierarchies count less the more hierarchies have them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from fnmatch import fnmatchcase
from itertools import combinations
from typing import TypeVar

from archgraph.families.classify import (
    ClassKind,
    FamiliesQuery,
    Scope,
    class_kind,
    compatible,
    is_excluded,
    plugin_scopes,
    roles_apart,
)
from archgraph.families.findings import (
    Duplicate,
    FamiliesReport,
    Family,
    ParallelHierarchy,
    TestCode,
    Wrapper,
)
from archgraph.families.mirrors import find_parallel_hierarchies, find_wrappers
from archgraph.model.classes import ClassInfo, ClassModel, DefinitionKind
from archgraph.model.testcode import DEFAULT_RULE

MAX_SHARED_METHODS_COUNTED = 10


# --- the analysis ---------------------------------------------------------------------------


def analyze(
    model: ClassModel,
    query: FamiliesQuery = FamiliesQuery(),
    test_modules: AbstractSet[str] | None = None,
) -> FamiliesReport:
    """Duplicates, competing families, parallel hierarchies and wrappers, scored.

    Args:
        model: the classes; without `query.include_tests`, best those of production code
            (`ClassModelBuild.production`), as test classes here are then dropped from it.
        test_modules: the modules that are test code (`SourceSet.test_modules`, which follows
            the project's pytest configuration, the left-out ones too); by default recognised
            from module names.
    """
    modules = model.modules or tuple(sorted({c.module for c in model.classes}))
    if test_modules is None:
        test_modules = frozenset(m for m in modules if DEFAULT_RULE.is_test(m))
    tests = frozenset(m for m in test_modules if not (query.exclude and is_excluded(m, query.exclude)))
    if not query.include_tests and any(c.module in tests for c in model.classes):
        # Test doubles neither compete nor count as subclasses (which ranks the canonical).
        model = model.without(tests)
        modules = model.modules
    selected = [
        info
        for info in model.by_qualname.values()
        if not _is_namespace(info)
        and (query.concept is None or fnmatchcase(info.name, query.concept))
        and not (query.exclude and is_excluded(info.module, query.exclude))
    ]
    considered = selected if query.include_tests else [i for i in selected if i.module not in tests]
    test_code = TestCode(
        modules=len(tests),
        # Left out, test code need not be read (SourceSet.production_class_model): not counted.
        classes=sum(1 for i in selected if i.module in tests) if query.include_tests or not tests else None,
        included=query.include_tests,
    )
    kinds = {info.qualname: class_kind(model, info) for info in considered}
    behaviour = [i for i in considered if kinds[i.qualname] is ClassKind.BEHAVIOUR]
    role_of_name = roles_apart(
        (i.name for i in behaviour if i.module not in tests), (i.name for i in behaviour if i.module in tests)
    )
    role_of = {i.qualname: role_of_name[i.name] for i in behaviour}
    min_size = max(2, query.min_size)
    scope = plugin_scopes(modules, model.sibling_imported)
    not_tests = [i for i in considered if kinds[i.qualname] is not ClassKind.TEST]
    return FamiliesReport(
        duplicates=tuple(find_duplicates(model, not_tests, kinds, min_size, scope, tests)),
        families=tuple(find_families(model, behaviour, role_of, min_size, scope, tests)),
        parallel_hierarchies=tuple(
            _marked(p, {p.left.module, p.right.module} <= tests)
            for p in find_parallel_hierarchies(model, behaviour)
        ),
        wrappers=tuple(
            _marked(w, w.wrapper.module in tests) for w in find_wrappers(model, behaviour, role_of)
        ),
        classes_analyzed=len(considered),
        test_code=test_code,
        test_modules=tests,
    ).sorted()


_Marked = TypeVar("_Marked", ParallelHierarchy, Wrapper)


def _marked(finding: _Marked, in_tests: bool) -> _Marked:
    return replace(finding, in_tests=True) if in_tests else finding


def _is_namespace(info: ClassInfo) -> bool:
    """A nested class without methods or bases (`class Meta:`, `class Config:`): settings."""
    return info.nested and not info.methods and not info.bases


def _canonical(
    model: ClassModel, candidates: Iterable[ClassInfo], tests: AbstractSet[str]
) -> ClassInfo | None:
    """The definition the others most likely stand beside: production, primary, most derived
    from (by production code, for a production class: test doubles subclass what they stand
    in for), then the shortest module path. A guess from the classes alone; who imports each
    one tells more."""
    known = model.by_qualname

    def derived(candidate: ClassInfo) -> int:
        descendants = model.descendants(candidate.qualname)
        if candidate.module in tests:
            return len(descendants)
        return sum(1 for d in descendants if known[d].module not in tests)

    return min(
        candidates,
        key=lambda c: (
            c.module in tests,
            c.definition_kind is not DefinitionKind.PRIMARY,
            -derived(c),
            c.module.count("."),
            c.qualname,
        ),
        default=None,
    )


def _most_shared(methods: frozenset[str], method_sets: Sequence[frozenset[str]]) -> tuple[str, ...]:
    """The methods, those that most of the sets have first (then by name)."""
    return tuple(
        sorted(methods, key=lambda m: (-sum(1 for found in method_sets if m in found), m))
    )


def _size_factor(count: int) -> float:
    """1 for a pair, growing slowly: size alone makes a finding only a little more suspicious."""
    return 1 + math.log2(max(count - 1, 1))


def inherited_public_methods(model: ClassModel, qualname: str) -> frozenset[str]:
    found: set[str] = set()
    for owner in (qualname, *model.ancestors(qualname)):
        info = model.by_qualname.get(owner)
        if info is not None:
            found |= info.public_methods
    return frozenset(found)


def _overlap(first: frozenset[str], second: frozenset[str]) -> frozenset[str]:
    """Methods two groups have in common, if that is enough to say they do one job.

    One common name (`async_setup`, `reset`) is chance; two are a shared interface. Classes with a
    single public method (`__call__`) need share only that one.
    """
    shared = first & second
    return shared if len(shared) >= min(2, len(first), len(second)) else frozenset()


def _competing_pairs(
    scopes: Sequence[str | None], method_sets: Sequence[frozenset[str]]
) -> list[tuple[int, int, frozenset[str]]]:
    """Pairs (i, j, shared methods) of items in compatible scopes that share an interface."""
    by_scope: dict[str | None, list[int]] = {}
    for index, scope in enumerate(scopes):
        by_scope.setdefault(scope, []).append(index)
    core = by_scope.get(None, [])
    pairs = []
    for i, j in combinations(range(len(scopes)), 2) if len(scopes) < 64 else ():
        if compatible(scopes[i], scopes[j]) and (shared := _overlap(method_sets[i], method_sets[j])):
            pairs.append((i, j, shared))
    if len(scopes) >= 64:  # large families: compare core with all, and each plugin within itself
        candidates: set[tuple[int, int]] = set()
        for i in core:
            candidates.update((min(i, j), max(i, j)) for j in range(len(scopes)) if j != i)
        for scope, indexes in by_scope.items():
            if scope is not None:
                candidates.update(combinations(indexes, 2))
        for i, j in sorted(candidates):
            if shared := _overlap(method_sets[i], method_sets[j]):
                pairs.append((i, j, shared))
    return pairs


def find_duplicates(
    model: ClassModel,
    classes: Sequence[ClassInfo],
    kinds: Mapping[str, ClassKind],
    min_size: int,
    scope: Scope,
    tests: AbstractSet[str] = frozenset(),
) -> list[Duplicate]:
    """Class names defined in two or more modules (private names and extensions aside).

    Left out: namesakes that all derive from one base (each database backend's
    `DatabaseWrapper`, each `Command(BaseCommand)`); and two plugins' `OptionsFlowHandler`s,
    which live side by side by design. `class Foo(base.Foo)`, which extends the other `Foo`,
    is listed as a shadow of it, not counted as a definition.
    """
    by_name: dict[str, list[ClassInfo]] = {}
    for info in classes:
        if not info.name.startswith("_"):
            by_name.setdefault(info.name, []).append(info)
    found = []
    for name, definitions in sorted(by_name.items()):
        if len({d.module for d in definitions}) < 2:
            continue
        qualnames = {d.qualname for d in definitions}
        candidates = [d for d in definitions if not (model.ancestors(d.qualname) & qualnames)]
        shadows = tuple(
            sorted(
                (d for d in definitions if model.ancestors(d.qualname) & qualnames),
                key=lambda d: d.qualname,
            )
        )
        scopes = [scope(d.module) for d in candidates]
        kept = sorted(
            (
                d
                for i, d in enumerate(candidates)
                if any(
                    j != i and candidates[j].module != d.module and compatible(scopes[i], scopes[j])
                    for j in range(len(candidates))
                )
            ),
            key=lambda d: d.qualname,
        )
        if len(kept) < min_size:
            continue
        lineages = [_lineage(model, d.qualname) for d in kept]
        if frozenset.intersection(*lineages):
            continue  # siblings under one base (each backend's `DatabaseWrapper`): a hierarchy
        related = any(a & b for a, b in combinations(lineages, 2))
        counts: dict[str, int] = {}
        for definition in kept:
            for method in definition.public_methods:
                counts[method] = counts.get(method, 0) + 1
        shared = _most_shared(
            frozenset(m for m, count in counts.items() if count > 1),
            [d.public_methods for d in kept],
        )
        values = all(kinds[d.qualname] is not ClassKind.BEHAVIOUR for d in kept)
        score = _size_factor(len(kept)) * (1 + min(len(shared), MAX_SHARED_METHODS_COUNTED))
        score *= (0.5 if related else 1.0) * (0.5 if values else 1.0)
        found.append(
            Duplicate(
                name,
                tuple(kept),
                related,
                shared,
                round(score, 2),
                shadows=shadows,
                canonical=_canonical(model, kept, tests),
                in_tests=all(d.module in tests for d in kept),
            )
        )
    return found


class _Groups:
    """Union-find over root qualified names."""

    def __init__(self, items: Iterable[str]) -> None:
        self._parent = {item: item for item in items}

    def find(self, item: str) -> str:
        while self._parent[item] != item:
            self._parent[item] = self._parent[self._parent[item]]
            item = self._parent[item]
        return item

    def union(self, first: str, second: str) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self._parent[max(a, b)] = min(a, b)

    def groups(self) -> tuple[tuple[str, ...], ...]:
        found: dict[str, list[str]] = {}
        for item in self._parent:
            found.setdefault(self.find(item), []).append(item)
        return tuple(sorted(tuple(sorted(group)) for group in found.values()))


def _implements_structurally(model: ClassModel, protocol: ClassInfo, qualname: str) -> bool:
    required = protocol.public_methods
    return bool(required) and required <= inherited_public_methods(model, qualname)


def _is_generic_base(name: str) -> bool:
    """Bases that say nothing about a class's job (`object`, `Generic[T]`, `ABC`, `Mapping`)."""
    return name in ("object", "ABC", "Generic", "Protocol") or name.startswith(
        ("typing.", "typing_extensions.", "abc.", "collections.abc.", "builtins.")
    )


def _lineage(model: ClassModel, qualname: str) -> frozenset[str]:
    """The bases that make classes one hierarchy: project ones, and external ones but generic."""
    return frozenset(
        base
        for base in model.ancestors(qualname) | model.external_bases(qualname)
        if not _is_generic_base(base)
    )


def find_families(
    model: ClassModel,
    classes: Sequence[ClassInfo],
    role_of: Mapping[str, str],
    min_size: int,
    scope: Scope,
    tests: AbstractSet[str] = frozenset(),
) -> list[Family]:
    """Role families with competing independent roots, or with unimplemented interfaces."""
    by_role: dict[str, list[ClassInfo]] = {}
    for info in classes:
        by_role.setdefault(role_of[info.qualname], []).append(info)
    found = []
    for concept, members in sorted(by_role.items()):
        if len(members) < min_size:
            continue
        family = _family(model, concept, sorted(members, key=lambda i: i.qualname), scope, tests)
        if family.competing or family.unimplemented_interfaces:
            found.append(family)
    return found


def _family(
    model: ClassModel,
    concept: str,
    members: list[ClassInfo],
    scope: Scope,
    tests: AbstractSet[str] = frozenset(),
) -> Family:
    names = {m.qualname for m in members}
    roots = [m for m in members if not (model.ancestors(m.qualname) & names)]
    groups = _Groups(r.qualname for r in roots)
    # Roots that share a base class (of the project, or a framework's such as `Exception` or
    # `threading.Thread`) are one hierarchy; a Protocol of the family ties its implementations.
    sharing: dict[str, list[str]] = {}
    for root in roots:
        for base in _lineage(model, root.qualname):
            sharing.setdefault(base, []).append(root.qualname)
    for together in sharing.values():
        for other in together[1:]:
            groups.union(together[0], other)
    root_names = {r.qualname for r in roots}
    for protocol in (m for m in members if m.protocol):
        # A protocol deriving from another member is no root: its roots stand for it.
        anchors = (
            [protocol.qualname]
            if protocol.qualname in root_names
            else sorted(model.ancestors(protocol.qualname) & root_names)
        )
        for root in roots:
            if root.qualname not in (protocol.qualname, *anchors) and _implements_structurally(
                model, protocol, root.qualname
            ):
                for anchor in anchors:
                    groups.union(anchor, root.qualname)
    grouped = groups.groups()
    group_methods = []
    for group in grouped:
        methods: set[str] = set()
        for root_name in group:
            for member in (root_name, *(d for d in model.descendants(root_name) if d in names)):
                methods |= model.by_qualname[member].public_methods
        group_methods.append(frozenset(methods))
    # Groups that share no public method with a group they could meet do other jobs
    # (AgentService, ChatService) or live in different plugins: only the others compete.
    scopes = [scope(model.by_qualname[g[0]].module) for g in grouped]
    pairs = _competing_pairs(scopes, group_methods) if len(grouped) > 1 else []
    competing_indexes = sorted({i for i, _j, _shared in pairs} | {j for _i, j, _shared in pairs})
    competing = tuple(grouped[i] for i in competing_indexes)
    shared = _most_shared(
        frozenset().union(*(m for _i, _j, m in pairs)) if pairs else frozenset(),
        [group_methods[i] for i in competing_indexes],
    )
    unimplemented = tuple(
        m
        for m in members
        if m.abstract
        and not model.subclasses(m.qualname)
        and not (
            m.protocol
            and any(
                o.qualname != m.qualname and _implements_structurally(model, m, o.qualname)
                for o in members
            )
        )
    )
    score = 0.0
    if len(competing) > 1:
        # How many of the competing groups do the most common shared job: 1.0 when all do.
        coverage = max(
            sum(1 for i in competing_indexes if method in group_methods[i]) for method in shared
        ) / len(competing)
        score = (
            _size_factor(len(competing))
            * (1 + min(len(shared), MAX_SHARED_METHODS_COUNTED))
            * coverage
        )
    score += 0.5 * len(unimplemented)
    competing_roots = [model.by_qualname[name] for group in competing for name in group]
    return Family(
        concept=concept,
        classes=tuple(members),
        roots=tuple(roots),
        groups=grouped,
        competing_groups=competing,
        unimplemented_interfaces=unimplemented,
        shared_methods=shared,
        score=round(score, 2),
        canonical=_canonical(model, competing_roots, tests),
        in_tests=all(m.module in tests for m in members),
    )
