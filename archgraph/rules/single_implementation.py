"""`single-implementation`: one canonical class per concept (a single source of truth).

Every class whose name matches `concept` must be the canonical class, a subclass of it, or one
of its own base classes (the interface it implements, such as `BaseToolDispatcher`). Classes in
`allowed_modules` (test doubles) may be anything. Every other match is a violation, saying why:
a wrapper around a concept class (AG161), a second class under an existing name (AG162), or an
independent implementation (AG160).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import ClassVar

from archgraph import codes
from archgraph.diagnostics import Diagnostic, Severity, Violation
from archgraph.model import ArchModel, ModuleExpr
from archgraph.model.classes import ClassInfo, ClassModel
from archgraph.model.schema import TablePosition
from archgraph.results import CLASSES, ContractResult
from archgraph.rules.base import Contract
from archgraph.rules.registry import register


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class SingleImplementation(Contract):
    """One canonical class per concept.

    Compliance, over classes: governed = the classes whose name matches the concept;
    respecting = the canonical class, its subclasses and its own bases among them; violating =
    the others; exempt = the others defined in `allowed_modules`.
    """

    kind: ClassVar[str] = "single-implementation"
    compliance_formula: ClassVar[str] = (
        "respecting / (respecting + violating) classes matching the concept; respecting: the "
        "canonical class, its subclasses and bases; exempt: classes in allowed_modules"
    )
    concept: str  # class-name glob, e.g. `*ToolDispatcher`
    canonical: str  # qualified name of the one implementation
    allowed_modules: tuple[ModuleExpr, ...] = ()

    def named_modules(self, model: ArchModel) -> frozenset[str]:
        """The canonical class's module (`allowed_modules` are exemptions)."""
        module = self.canonical.rpartition(".")[0]
        return frozenset({module}) if model.contains(module) else frozenset()

    def validate(self, at: TablePosition) -> list[object]:
        problems: list[object] = []
        if not self.concept.strip():
            problems.append(at.error("concept", "expected a class-name glob such as '*Dispatcher'"))
        module, _, name = self.canonical.rpartition(".")
        if not module or ModuleExpr.problem(self.canonical) or "*" in self.canonical:
            problems.append(
                at.error("canonical", f"'{self.canonical}' is not a qualified class name (module.Class)")
            )
        elif self.concept.strip() and not fnmatchcase(name, self.concept):
            problems.append(
                at.error("canonical", f"class name '{name}' does not match concept '{self.concept}'")
            )
        selectors = [str(e) for e in self.allowed_modules if e.is_selector]
        if selectors:
            problems.append(
                at.error(
                    "allowed_modules",
                    f"{', '.join(selectors)}: a single-implementation contract takes module"
                    " names, not selectors (test code is kept apart by test_violations)",
                )
            )
        return problems

    def check(self, model: ArchModel) -> ContractResult:
        """Report every class of the concept that is neither the canonical class nor built on it."""
        return self.check_classes(model.class_model, model.files)

    def check_classes(self, classes: ClassModel, modules: Collection[str]) -> ContractResult:
        """`check` over a class model already built (the class diagram reads the cached one).

        `modules`: every analyzed module, to tell whether `allowed_modules` match anything.
        """
        matching = sorted(
            (c for c in classes.by_qualname.values() if fnmatchcase(c.name, self.concept)),
            key=lambda c: c.qualname,
        )
        canonical = classes.get(self.canonical)
        if canonical is None:
            return self.result(diagnostics=[self._not_found(classes, matching)])
        notes = [
            Diagnostic(
                codes.ALLOWED_MODULES_MATCH_NOTHING.code,
                Severity.WARNING,
                f"allowed_modules: '{expr}' matches no module",
                hint="remove it, or fix the module name",
            )
            for expr in self.allowed_modules
            if not any(expr.covers(m) for m in modules)
        ]
        accepted = classes.ancestors(canonical.qualname) | {canonical.qualname}
        judged = [
            info
            for info in matching
            if info.qualname not in accepted
            and canonical.qualname not in classes.ancestors(info.qualname)
        ]
        exempt = [
            info for info in judged if any(expr.covers(info.module) for expr in self.allowed_modules)
        ]
        violations = [self._violation(classes, info, matching) for info in judged if info not in exempt]
        return self.result(
            violations, notes, governed=len(matching) - len(exempt), exempt=len(exempt), unit=CLASSES
        )

    def _violation(self, classes: ClassModel, info: ClassInfo, matching: list[ClassInfo]) -> Violation:
        canonical = self.canonical.rpartition(".")[2]
        concept = {c.qualname for c in matching}
        wrapped = _wrapped(info, concept)
        namesakes = sorted(
            c.module for c in matching if c.name == info.name and c.module != info.module
        )
        if wrapped is not None:
            attribute, target, forwarded = wrapped
            code = codes.WRAPPER_IMPLEMENTATION.code
            reason = (
                f"wraps {target} (self.{attribute}) and forwards {forwarded} of its "
                f"{len(info.public_methods)} public methods; use {canonical} directly"
            )
        elif namesakes:
            code = codes.DUPLICATE_CLASS_NAME.code
            reason = (
                f"a second implementation under the same name (also in {', '.join(namesakes)}); "
                f"it does not derive from {canonical}"
            )
        else:
            code = codes.INDEPENDENT_IMPLEMENTATION.code
            bases = [b for b in classes.ancestors(info.qualname) if b in concept]
            reason = (
                f"derives from {', '.join(sorted(bases))}, not from {canonical}"
                if bases
                else f"independent implementation; it does not derive from {canonical}"
            )
        return Violation(
            code=code,
            contract=self.id,
            message=f"{info.qualname}: {reason}",
            location=info.location,
            symbol=info.qualname,
        )

    def _not_found(self, classes: ClassModel, matching: list[ClassInfo]) -> Diagnostic:
        candidates = [c.qualname for c in matching] or list(classes.qualnames)
        close = difflib.get_close_matches(self.canonical, candidates, n=1, cutoff=0.6)
        if close:
            hint = f"did you mean '{close[0]}'?"
        elif matching:
            hint = f"classes matching '{self.concept}': {', '.join(c.qualname for c in matching[:5])}"
        else:
            hint = f"no class matches '{self.concept}' either; check the concept and root_packages"
        return Diagnostic(
            codes.CANONICAL_CLASS_NOT_FOUND.code,
            Severity.ERROR,
            f"canonical: class '{self.canonical}' is not defined in the analyzed code",
            hint=hint,
        )


def _wrapped(info: ClassInfo, concept: set[str]) -> tuple[str, str, int] | None:
    """(attribute, wrapped class, methods forwarded) if the class delegates to a concept class."""
    for attribute, target in info.attribute_types:
        if target not in concept or target == info.qualname:
            continue
        forwarded = {f.method for f in info.forwarded if f.attribute == attribute} & info.public_methods
        if forwarded and 2 * len(forwarded) > len(info.public_methods):
            return attribute, target.rpartition(".")[2], len(forwarded)
    return None
