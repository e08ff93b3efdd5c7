"""What each exemption of a contract changes: `ignore_imports` entries and inline suppressions.

An exemption keeps import sites out of a contract. One that keeps out nothing, or nothing that
would break the contract, is stale: the ignore is reported (AG342, beside AG311 for one that
matches no import), and so is the suppression (AG341). The suppressions that do keep
violations out are listed on the result, for `check --show-suppressed` and the reports.

"Changes nothing" is judged by checking the contract again without the exemption. Violations
only grow with imports, so when the contract checked without any exemption finds what it
found with all of them, none of them changes anything and a single extra check settles it;
otherwise each exemption costs one check of its contract.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

from archgraph import codes
from archgraph.diagnostics import Diagnostic, Severity, ViolationKey
from archgraph.model import ArchModel, ImportExpr
from archgraph.model.names import is_within
from archgraph.model.suppressions import EXAMPLE, SuppressedImport, SuppressionComment
from archgraph.results import ContractResult, Suppressed
from archgraph.rules.base import Contract, UnmatchedIgnores


def suppression_problems(
    model: ArchModel, contract_ids: Collection[str]
) -> list[Diagnostic]:
    """Each suppression comment that names no contract, an unknown one, or gives no reason:
    configuration errors at the comment (exit 2)."""
    known = sorted(contract_ids)
    problems = []
    for module in sorted(model.suppressions):
        for comment in model.suppressions[module]:
            problem = comment.problem
            if problem is not None:
                problems.append(_at(comment, codes.INVALID_SUPPRESSION.code, Severity.ERROR, problem))
                continue
            for name in comment.contracts:
                if name in contract_ids:
                    continue
                import difflib  # noqa: PLC0415 - only for a did-you-mean
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else (
                    f"contract ids: {', '.join(known)}" if known else "no contract is configured"
                )
                problems.append(
                    _at(
                        comment,
                        codes.INVALID_SUPPRESSION.code,
                        Severity.ERROR,
                        f"the suppression names an unknown contract id '{name}'",
                        hint,
                    )
                )
    return problems


class _Exemption(NamedTuple):
    """One ignore_imports entry or one suppression, and the import sites it keeps out."""

    ignore: ImportExpr | None
    suppression: SuppressedImport | None
    sites: tuple[tuple[str, str], ...]


def judge_exemptions(contract: Contract, model: ArchModel, result: ContractResult) -> ContractResult:
    """The result with the contract's stale exemptions reported and its effective inline
    suppressions listed. `result` is `contract.check(model)`."""
    if result.misconfigured:
        return result
    after_ignores, _used = model.without(contract.ignore_imports, exact=contract.ignore_imports_exact)
    suppressions = after_ignores.suppressed_for(contract.id) if model.suppressions else ()
    exemptions = [
        _Exemption(expr, None, sites)
        for expr in contract.ignore_imports
        if (sites := tuple(model.ignored_sites(expr, contract.ignore_imports_exact)))
    ]
    exemptions += [_Exemption(None, s, s.sites) for s in suppressions if s.sites]
    notes = [
        _at(
            s.comment,
            codes.UNUSED_SUPPRESSION.code,
            Severity.WARNING,
            f"the suppression of contract '{contract.id}' keeps no import out of it",
            _unused_hint(s.comment),
        )
        for s in suppressions
        if not s.sites
    ]
    notes += [
        _at(
            comment,
            codes.UNUSED_SUPPRESSION.code,
            Severity.WARNING,
            f"the suppression of contract '{contract.id}' is on no import statement's first line",
            _unused_hint(comment),
        )
        for comments in model.suppressions.values()
        for comment in comments
        if not comment.on_import and comment.names(contract.id)
    ]
    changing = _changing(contract, model, result, exemptions)
    suppressed = []
    for exemption, changes in zip(exemptions, changing, strict=True):
        if exemption.suppression is not None:
            comment = exemption.suppression.comment
            if changes:
                suppressed.append(Suppressed(comment.location, comment.reason, exemption.sites))
            else:
                notes.append(
                    _at(
                        comment,
                        codes.UNUSED_SUPPRESSION.code,
                        Severity.WARNING,
                        f"the suppression of contract '{contract.id}' suppresses nothing: "
                        "the import breaks no rule of the contract",
                        "remove the suppression",
                    )
                )
        elif not changes and contract.unmatched_ignore_imports is not UnmatchedIgnores.NONE:
            notes.append(_irrelevant_ignore(contract, model, exemption))
    if not notes and not suppressed:
        return result
    return replace(
        result,
        diagnostics=tuple(sorted({*result.diagnostics, *notes}, key=Diagnostic.sort_key)),
        suppressed=tuple(sorted(suppressed, key=lambda s: (s.location, s.sites))),
    )


def _changing(
    contract: Contract, model: ArchModel, result: ContractResult, exemptions: Sequence[_Exemption]
) -> list[bool]:
    """For each exemption, whether the contract finds more without it."""
    if not exemptions:
        return []
    found = _keys(result)
    if _keys(_checked(contract, model, exemptions, exemptions)) == found:
        return [False] * len(exemptions)  # even without all of them, nothing more is found
    return [_keys(_checked(contract, model, exemptions, (e,))) != found for e in exemptions]


def _checked(
    contract: Contract,
    model: ArchModel,
    exemptions: Sequence[_Exemption],
    left_out: Sequence[_Exemption],
) -> ContractResult:
    """The contract's result with the exemptions in `left_out` taken away."""
    ignores = {e.ignore for e in left_out if e.ignore is not None}
    comments = {e.suppression.comment for e in left_out if e.suppression is not None}
    without_ignores = tuple(expr for expr in contract.ignore_imports if expr not in ignores)
    changed = replace(contract, ignore_imports=without_ignores) if ignores else contract
    if comments:
        model = model.with_suppressions(_without_comments(model.suppressions, comments))
    return changed.check(model)


def _without_comments(
    suppressions: Mapping[str, tuple[SuppressionComment, ...]], left_out: Collection[SuppressionComment]
) -> dict[str, tuple[SuppressionComment, ...]]:
    return {
        module: kept
        for module, comments in suppressions.items()
        if (kept := tuple(c for c in comments if c not in left_out))
    }


def _keys(result: ContractResult) -> Counter[ViolationKey]:
    return Counter(v.key for v in result.violations)


def _irrelevant_ignore(contract: Contract, model: ArchModel, exemption: _Exemption) -> Diagnostic:
    named = contract.named_modules(model)
    # Outside: no import it matches joins two modules the contract's patterns name.
    outside = bool(named) and not any(
        all(any(is_within(module, scoped) for scoped in named) for module in site)
        for site in exemption.sites
    )
    where = (
        "matches only imports outside the contract's scope"
        if outside
        else "changes nothing in the contract's result"
    )
    return Diagnostic(
        codes.IRRELEVANT_IGNORE.code,
        Severity.WARNING,  # never an error: import-linter configurations did not know this check
        f"ignore_imports entry '{exemption.ignore}' {where}: no violation comes back without it",
        hint="remove it",
    )


def _unused_hint(comment: SuppressionComment) -> str:
    if not comment.on_import:
        return f"put it on the first line of the import statement: `{EXAMPLE}`"
    return (
        "the import on its line is ignored already, not in the graph, or also made on a line "
        "without the suppression; remove it, or suppress every line of the import"
    )


def _at(
    comment: SuppressionComment,
    code: str,
    severity: Severity,
    message: str,
    hint: str | None = None,
) -> Diagnostic:
    return Diagnostic(code, severity, message, comment.location, hint=hint)
