"""What `archgraph families` finds: plain frozen data, produced in `families/analysis.py`.

The analysis, the reports and the class diagram all read it.
Every finding carries a `score`: the renderers list findings most suspicious first, production
code before test code (`in_tests`: every class of the finding is test code).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archgraph.diagnostics import Diagnostic
from archgraph.model.classes import ClassInfo


@dataclass(frozen=True, slots=True)
class Duplicate:
    """One class name defined in two or more modules."""

    name: str
    definitions: tuple[ClassInfo, ...]  # the independent ones, sorted by qualified name
    related: bool  # some (never all) of the definitions share a base class
    shared_methods: tuple[str, ...]  # defined by two or more definitions; most common first
    score: float
    # Same-name subclasses of a definition (`class AgentRegistry(registry.AgentRegistry)`):
    # listed as what they are, not counted as competing definitions.
    shadows: tuple[ClassInfo, ...] = ()
    canonical: ClassInfo | None = None  # the definition the others most likely copy (a guess)
    in_tests: bool = False  # every definition is test code


@dataclass(frozen=True, slots=True)
class Family:
    """Classes whose names share a role (`ToolDispatcher`), with their inheritance roots."""

    concept: str
    classes: tuple[ClassInfo, ...]  # sorted by qualified name
    roots: tuple[ClassInfo, ...]  # members with no ancestor in the family
    groups: tuple[tuple[str, ...], ...]  # roots that share a project base class, grouped
    competing_groups: tuple[tuple[str, ...], ...]  # groups with public methods in common
    unimplemented_interfaces: tuple[ClassInfo, ...]  # abstract members nothing implements
    shared_methods: tuple[str, ...]  # implemented by two or more groups; most common first
    score: float
    canonical: ClassInfo | None = None  # root of the largest competing hierarchy (a guess)
    in_tests: bool = False  # every class is test code

    @property
    def competing(self) -> bool:
        """Independent roots that have public methods in common: one job, done twice."""
        return len(self.competing_groups) > 1

    @property
    def implementations(self) -> tuple[tuple[ClassInfo, ...], ...]:
        """The independent implementations, the headline's count: each competing group's roots."""
        roots = {root.qualname: root for root in self.roots}
        return tuple(tuple(roots[name] for name in group) for group in self.competing_groups)

    @property
    def other_roots(self) -> tuple[ClassInfo, ...]:
        """Roots of groups that share no public method with the others: other jobs."""
        competing = {name for group in self.competing_groups for name in group}
        return tuple(root for root in self.roots if root.qualname not in competing)


@dataclass(frozen=True, slots=True)
class ParallelHierarchy:
    """Two hierarchies whose subclasses mirror each other by name."""

    left: ClassInfo
    right: ClassInfo
    pairs: tuple[tuple[ClassInfo, ClassInfo], ...]  # (left subclass, right subclass)
    score: float
    in_tests: bool = False  # both hierarchies are test code


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A class that keeps an instance of another family member and forwards to it."""

    wrapper: ClassInfo
    wrapped: ClassInfo
    attribute: str
    forwarded_methods: tuple[str, ...]
    public_methods: int  # of the wrapper, for "forwards 4 of 4"
    score: float
    in_tests: bool = False  # the wrapper is test code


Finding = Duplicate | Family | ParallelHierarchy | Wrapper

_KIND_ORDER = {Family: 0, Duplicate: 1, Wrapper: 2, ParallelHierarchy: 3}


def finding_key(finding: Finding) -> str:
    """A stable name for ordering findings of equal score."""
    if isinstance(finding, Duplicate):
        return finding.name
    if isinstance(finding, Family):
        return finding.concept
    if isinstance(finding, Wrapper):
        return finding.wrapper.qualname
    return finding.left.qualname


@dataclass(frozen=True, slots=True)
class TestCode:
    """How much of the analyzed code is test code, and whether the findings include it."""

    __test__ = False  # not a pytest test class, despite its name

    modules: int = 0  # test modules among the analyzed ones (tests/ folders, test_*.py, ...)
    # Classes those modules define (matching --concept, if given); None when they are left
    # out: they are then not read.
    classes: int | None = 0
    included: bool = False  # --include-tests: analyzed, their findings ranked after production's

    def amount(self) -> str:
        """`8 classes in 11 test modules`, or `11 test modules` when they were not read."""
        modules = f"{self.modules} test module{'' if self.modules == 1 else 's'}"
        if self.classes is None:
            return modules
        return f"{self.classes} class{'' if self.classes == 1 else 'es'} in {modules}"


@dataclass(frozen=True, slots=True)
class FamiliesReport:
    """Everything found among the analyzed classes."""

    duplicates: tuple[Duplicate, ...]
    families: tuple[Family, ...]
    parallel_hierarchies: tuple[ParallelHierarchy, ...]
    wrappers: tuple[Wrapper, ...]
    classes_analyzed: int = 0
    test_code: TestCode = TestCode()
    test_modules: frozenset[str] = frozenset()  # the analyzed modules that are test code

    def is_test(self, info: ClassInfo) -> bool:
        return info.module in self.test_modules

    def sorted(self) -> FamiliesReport:
        """The same report with each list most suspicious first, test code last."""

        def order(finding: Finding) -> tuple[bool, float, str]:
            return (finding.in_tests, -finding.score, finding_key(finding))

        return FamiliesReport(
            duplicates=tuple(sorted(self.duplicates, key=order)),
            families=tuple(sorted(self.families, key=order)),
            parallel_hierarchies=tuple(sorted(self.parallel_hierarchies, key=order)),
            wrappers=tuple(sorted(self.wrappers, key=order)),
            classes_analyzed=self.classes_analyzed,
            test_code=self.test_code,
            test_modules=self.test_modules,
        )

    def ranked(self) -> tuple[Finding, ...]:
        """All findings, production code's first, most suspicious first; ties in a fixed order."""
        found: list[Finding] = [
            *self.families,
            *self.duplicates,
            *self.wrappers,
            *self.parallel_hierarchies,
        ]
        return tuple(
            sorted(
                found,
                key=lambda f: (f.in_tests, -f.score, _KIND_ORDER[type(f)], finding_key(f)),
            )
        )


@dataclass(frozen=True, slots=True)
class FamiliesResult:
    """What the `families` use case returns to the command line."""

    root: Path
    packages: tuple[str, ...]
    report: FamiliesReport
    diagnostics: tuple[Diagnostic, ...]
    modules: int
