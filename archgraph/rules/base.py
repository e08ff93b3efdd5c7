"""The Contract base: common fields, and helpers every contract type uses in `check`."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from archgraph import codes
from archgraph.diagnostics import (
    Diagnostic,
    ImportKind,
    ImportSite,
    ImportStep,
    Severity,
    Violation,
    ViolationsInTests,
)
from archgraph.model import ArchModel, ImportExpr, LayerRoute, ModuleExpr
from archgraph.model.names import is_within
from archgraph.model.schema import TablePosition
from archgraph.results import SITES, ContractResult
from archgraph.rules.sites import removed_sites


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "contract"


class UnmatchedIgnores(StrEnum):
    """How an `ignore_imports` entry that matches no import is reported."""

    ERROR = "error"  # a configuration error (exit 2), as import-linter does by default
    WARNING = "warning"
    NONE = "none"


@dataclass(frozen=True, slots=True, kw_only=True)
class Contract(ABC):
    """A rule about the import graph. Fields are the TOML keys a contract table accepts."""

    kind: ClassVar[str]
    # Whether `check` passes its model to `result`, which applies `exclude_modules`.
    supports_exclude_modules: ClassVar[bool] = False
    # How the type's compliance is computed, in words (reports print it): every type follows
    # `diagnostics.COMPLIANCE` and says here what it governs, violates and exempts.
    compliance_formula: ClassVar[str] = ""
    name: str
    id: str = ""
    severity: Severity = Severity.ERROR
    ignore_imports: tuple[ImportExpr, ...] = ()
    hint: str | None = None  # what to do instead, shown under each violation
    # import-linter's ignore_imports name exact modules; archgraph's cover descendants too.
    ignore_imports_exact: bool = False
    unmatched_ignore_imports: UnmatchedIgnores = UnmatchedIgnores.WARNING
    # Overrides the `[archgraph] test_violations` setting for this contract.
    test_violations: ViolationsInTests | None = None
    # The kinds of import the contract rules on (see ImportKind); empty: every kind.
    import_kinds: tuple[ImportKind, ...] = ()
    # Modules out of the contract's scope: no violation starts or ends in them, but chains
    # still pass through them (see `result`).
    exclude_modules: tuple[ModuleExpr, ...] = ()

    @abstractmethod
    def check(self, model: ArchModel) -> ContractResult:
        """Evaluate the contract against the model; reads only, prints nothing."""

    def named_modules(self, model: ArchModel) -> frozenset[str]:
        """The modules the contract's own patterns put under its rule (exemptions such as
        allowed importers left out): a contract naming test code governs it explicitly.

        None by default: a contract type from a plugin that does not say is not explicit.
        """
        return frozenset()


    def validate(self, at: TablePosition) -> list[object]:
        """Problems that tie several fields together (ConfigErrors); none by default."""
        return []

    def external_keys(self) -> dict[str, str]:
        """The keys whose meaning needs the external packages in the graph
        (include_external_packages), each with what else the user may do (or ""): by default
        those that list `<stdlib>` or `<third_party>`."""
        found = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, tuple) and any(
                isinstance(item, ModuleExpr) and item.needs_external_packages for item in value
            ):
                found[field.name] = ""
        return found

    # --- helpers for check() -------------------------------------------------------------

    def in_scope(self, model: ArchModel) -> ArchModel:
        """The model with only the import kinds the contract governs (ignored imports kept):
        what compliance counts exempt ignores against."""
        return model.of_kinds(self.import_kinds) if self.import_kinds else model

    def governs_kind(self, kind: ImportKind) -> bool:
        """Whether the contract rules on imports of this kind (`import_kinds`)."""
        return not self.import_kinds or kind in self.import_kinds

    def view(self, model: ArchModel) -> tuple[ArchModel, list[Diagnostic]]:
        """The model without ignored imports, without the import sites inline suppressions
        keep out of this contract and without the imports of no governed kind, plus a warning
        for each ignore that matched nothing."""
        view, used = model.without(self.ignore_imports, exact=self.ignore_imports_exact)
        if model.suppressions:  # `# archgraph: ignore[ID] -- reason` on import lines
            view = view.without_sites(
                site for kept_out in view.suppressed_for(self.id) for site in kept_out.sites
            )
        if self.import_kinds:
            view = view.of_kinds(self.import_kinds)
        if self.unmatched_ignore_imports is UnmatchedIgnores.NONE:
            return view, []
        level = (
            Severity.ERROR
            if self.unmatched_ignore_imports is UnmatchedIgnores.ERROR
            else Severity.WARNING
        )
        unused = [
            Diagnostic(
                codes.UNMATCHED_IGNORE.code,
                level,
                f"ignore_imports entry '{expr}' matches no import",
                hint="remove it, or fix the module names",
            )
            for expr in self.ignore_imports
            if expr not in used
        ]
        return view, unused

    def resolve(
        self, model: ArchModel, key: str, exprs: Sequence[ModuleExpr]
    ) -> tuple[list[str], list[Diagnostic]]:
        """The modules each pattern names; a pattern that names none is a configuration error,
        unless it is optional (written in parentheses)."""
        found: set[str] = set()
        problems = []
        for expr in exprs:
            matched = model.matching(expr)
            if not matched and not expr.optional:
                problems.append(no_match(model, key, expr))
            found |= matched
        return sorted(found), problems

    def excluded(self, model: ArchModel) -> tuple[frozenset[str], list[Diagnostic]]:
        """The modules `exclude_modules` leaves out (descendants included), and the patterns
        that name none."""
        if not self.exclude_modules:
            return frozenset(), []
        excluded, problems = self.resolve(model, "exclude_modules", self.exclude_modules)
        return frozenset().union(*(model.within(m) for m in excluded)), problems

    def route_in_scope(self, route: LayerRoute, excluded: frozenset[str]) -> LayerRoute | None:
        """The route without its excluded heads and tails (None when no head or no tail is
        left): a route's violation shows one head, which must not be an excluded one while
        another head still breaks the contract."""
        if not excluded:
            return route
        heads = tuple(h for h in route.heads if h not in excluded)
        tails = tuple(t for t in route.tails if t not in excluded)
        return route._replace(heads=heads, tails=tails) if heads and tails else None

    def sites_result(
        self,
        violations: Iterable[Violation],
        diagnostics: Iterable[Diagnostic],
        scoped: ArchModel,
        view: ArchModel,
        candidates: set[ImportSite],
        violating: Iterable[ImportSite] = (),
    ) -> ContractResult:
        """`result` counted in import sites: the `candidates` (the sites of the `scoped` model the
        contract rules on) are governed, but those its `view` lacks (ignored, suppressed, of
        another kind) are exempt instead."""
        ignored = removed_sites(scoped, view, candidates)
        return self.result(
            violations,
            diagnostics,
            governed=candidates - ignored,
            violating=violating,
            exempt=ignored,
            model=view,
        )

    def result(
        self,
        violations: Iterable[Violation] = (),
        diagnostics: Iterable[Diagnostic] = (),
        governed: Iterable[ImportSite] | int | None = None,
        violating: Iterable[ImportSite] = (),
        exempt: Iterable[ImportSite] | int = (),
        unit: str = SITES,
        *,
        model: ArchModel | None = None,
    ) -> ContractResult:
        """The contract's result; with the `model`, without what `exclude_modules` leaves out.

        An excluded module is out of scope: a violation whose chain starts or ends in one (a
        chainless finding: whose module is one) is dropped, and so is every import site (governed,
        violating or exempt) it imports from. A chain that only passes through an excluded
        module is still a violation. A contract type that does not pass its model must reject
        `exclude_modules` (`supports_exclude_modules`).
        """
        if model is None or not self.exclude_modules:
            return ContractResult.of(
                self, violations, diagnostics, governed, violating, exempt, unit
            )
        out, problems = self.excluded(model)
        by_file = {path: module for module, path in model.files.items()}

        def kept(violation: Violation) -> bool:
            ends = (violation.importer, violation.imported) if violation.chain else (
                _module_of(violation, by_file),
            )
            return not any(end in out for end in ends)

        def not_from_excluded(site: ImportSite) -> bool:
            return site[0] not in out

        if governed is not None and not isinstance(governed, int):
            governed = filter(not_from_excluded, governed)
        if not isinstance(exempt, int):
            exempt = filter(not_from_excluded, exempt)
        return ContractResult.of(
            self,
            filter(kept, violations),
            [*diagnostics, *problems],
            governed,
            filter(not_from_excluded, violating),
            exempt,
            unit,
        )

    def chain_violation(
        self, model: ArchModel, code: str, chain: Sequence[str], message: str
    ) -> Violation:
        return self.steps_violation(model, code, model.steps(chain), message)

    def route_violations(
        self, model: ArchModel, route: LayerRoute, code: str, message: str
    ) -> list[Violation]:
        """Direct routes: one violation per import. Indirect: one per route (its first chain)."""
        if not route.middle:
            return [
                self.chain_violation(model, code, (head, tail), message)
                for head in route.heads
                for tail in route.tails
                if tail in model.imports_of(head)
            ]
        head = next(h for h in route.heads if route.middle[0] in model.imports_of(h))
        tail = next(t for t in route.tails if t in model.imports_of(route.middle[-1]))
        return [self.chain_violation(model, code, (head, *route.middle, tail), message)]

    def steps_violation(
        self, model: ArchModel, code: str, steps: tuple[ImportStep, ...], message: str
    ) -> Violation:
        first = steps[0]
        return Violation(
            code=code,
            contract=self.id,
            message=message,
            chain=steps,
            location=model.location_of(first.importer, first.lines[0] if first.lines else None),
        )


def modules_named(model: ArchModel, exprs: Iterable[ModuleExpr]) -> frozenset[str]:
    """The modules of the graph that the patterns name."""
    return frozenset(m for expr in exprs for m in model.matching(expr))


def apart_test_code(
    contract: Contract, result: ContractResult, model: ArchModel, setting: ViolationsInTests
) -> ContractResult:
    """The result with each violation in test code marked `in_tests`, production first.

    A violation is in test code when its importer (the first module of its chain), or for a
    finding without a chain the module its location lies in (a class, an unlisted module), is
    test code (`ArchModel.is_test`). With `test_violations = "report"` (the contract's own
    key, else `setting`) such a violation does not fail the contract, unless the contract
    governs tests explicitly: every module it names is test code, or the importer lies within
    a test module the contract names itself.
    """
    if not result.violations or not model.test_modules:
        return result
    policy = contract.test_violations or setting
    named = contract.named_modules(model)
    named_tests = sorted(m for m in named if model.is_test(m))
    governs_tests = bool(named) and len(named_tests) == len(named)
    by_file: dict[Path, str] = {}  # built only for a finding without a chain (a class)

    def marked(violation: Violation) -> Violation:
        if violation.importer is None and not by_file:
            by_file.update((path, module) for module, path in model.files.items())
        module = _module_of(violation, by_file)
        if module is None or not model.is_test(module):
            return violation
        explicit = governs_tests or any(is_within(module, m) for m in named_tests)
        return violation._replace(
            in_tests=True,
            reported_only=policy is ViolationsInTests.REPORT and not explicit,
        )

    violations = tuple(sorted((marked(v) for v in result.violations), key=Violation.sort_key))
    return replace(result, violations=violations)


def _module_of(violation: Violation, by_file: Mapping[Path, str]) -> str | None:
    if violation.importer is not None:
        return violation.importer
    if violation.location is None:
        return None
    return by_file.get(violation.location.path)


def no_match(model: ArchModel, key: str, expr: ModuleExpr) -> Diagnostic:
    """`key`: pattern matches no module; suggest the closest module name, or the setting
    that leaves the module out of the graph."""
    if expr.is_selector:
        return Diagnostic(
            codes.NO_MATCHING_MODULE.code,
            Severity.ERROR,
            f"{key}: '{expr}' matches no module in the graph",
            hint=_empty_selector_hint(model, expr),
        )
    import difflib  # noqa: PLC0415 - only for a did-you-mean
    close = difflib.get_close_matches(expr.text, model.sorted_modules, n=1, cutoff=0.75)
    hint = f"did you mean '{close[0]}'?" if close else "check the module name and root_packages"
    external = not any(expr.text.split(".")[0] == r.split(".")[0] for r in model.root_packages)
    if external and not close:
        hint = "external packages are in the graph only with include_external_packages = true"
    skipped = None if expr.is_wildcard else skipped_namespace_directory(model, expr.text)
    if skipped is not None:
        hint = (
            f"{skipped.as_posix()} is a directory without __init__.py (a namespace package); "
            "set include_namespace_dirs = true to analyze it"
        )
    return Diagnostic(
        codes.NO_MATCHING_MODULE.code,
        Severity.ERROR,
        f"{key}: '{expr}' matches no module in the graph",
        hint=hint,
    )


def _empty_selector_hint(model: ArchModel, expr: ModuleExpr) -> str:
    if expr.text == "<tests>":
        return "the analyzed code has no test code; write '(<tests>)' if that is expected"
    if not model.external_modules:
        return "external packages are in the graph only with include_external_packages = true"
    return f"the code imports no such package; write '({expr.text})' if that is expected"


def overlapping(key: str, modules: Sequence[str]) -> list[Diagnostic]:
    """`key`: a module listed inside another listed one (grimp cannot tell them apart)."""
    ordered = sorted(set(modules))
    return [
        Diagnostic(
            codes.INVALID_MODULE_LIST.code,
            Severity.ERROR,
            f"{key}: '{inner}' is inside '{outer}'; the modules must not overlap",
            hint="list sibling modules only",
        )
        for outer in ordered
        for inner in ordered
        if inner != outer and is_within(inner, outer)
    ]


def skipped_namespace_directory(model: ArchModel, module: str) -> Path | None:
    """The directory without `__init__.py` (relative to the root) that `module` is, or lies in,
    below its closest analyzed package: the scan leaves those out unless include_namespace_dirs
    is on."""
    parts = module.split(".")
    for size in range(len(parts) - 1, 0, -1):
        file = model.files.get(".".join(parts[:size]))
        if file is None:
            continue
        if file.name != "__init__.py":
            return None  # inside a plain module: no directory to look for
        for end in range(size + 1, len(parts) + 1):
            directory = file.parent.joinpath(*parts[size:end])
            found = model.root / directory
            if not found.is_dir():
                return None
            if not (found / "__init__.py").is_file():
                return directory
        return None
    return None


def replacement_problems(at: TablePosition, replacements: Sequence[ImportExpr]) -> list[object]:
    """`replacements = ["old.module -> new.module"]` (forbidden, layers): plain module names, so
    that `archgraph fix` knows where a name taken from the old module is to come from."""
    return [
        at.error("replacements", f"'{expr}': name one module on each side, without wildcards")
        for expr in replacements
        if expr.importer.is_wildcard or expr.imported.is_wildcard
    ]
