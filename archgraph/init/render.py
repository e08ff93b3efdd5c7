"""A Proposal as text: the contract file `archgraph init` writes (TOML, every reason as a
comment) and the explanation it prints."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archgraph.diagnostics import Severity, visible
from archgraph.init.inference import (
    AcyclicProposal,
    IndependenceProposal,
    LayersProposal,
    Proposal,
    SingleImplementationProposal,
)
from archgraph.init.symbols import ProtectedSymbolProposal
from archgraph.report.text import summary_table
from archgraph.results import ContractResult, RunResult

EXAMPLES_PER_UPWARD_PAIR = 5  # listed under a layers contract, commented out


# --- the contract file ------------------------------------------------------------------


Subject = (
    LayersProposal
    | IndependenceProposal
    | SingleImplementationProposal
    | ProtectedSymbolProposal
    | AcyclicProposal
)


@dataclass(frozen=True, slots=True)
class ProposedContract:
    """A contract table as `archgraph init` writes it, with the comments above it and at its
    end (or, when the table has `ignore_imports`, inside that list, after its entries)."""

    table: Mapping[str, Any]
    comments: tuple[str, ...] = ()
    trailing: tuple[str, ...] = ()
    subject: Subject | None = None  # what was inferred, for the explanation

    @property
    def id(self) -> str:
        return str(self.table["id"])


def proposed_contracts(
    proposal: Proposal, taken_ids: Iterable[str] = ()
) -> list[ProposedContract]:
    """The contract tables of the proposal; ids already used elsewhere get a suffix."""
    used = Counter(taken_ids)
    several = len(proposal.packages) > 1

    def unique(base: str) -> str:
        candidate, number = base, 1
        while used[candidate]:
            number += 1
            candidate = f"{base}-{number}"
        used[candidate] += 1
        return candidate

    contracts = [_layers_contract(p, unique(f"{p.package}-layers" if several else "layers")) for p in proposal.layers]
    contracts += [
        _independence_contract(p, unique(f"{p.package.replace('.', '-')}-independent"))
        for p in proposal.independence
    ]
    contracts += [
        _single_implementation_contract(p, unique(f"single-{_slug(p.concept)}"))
        for p in proposal.single_implementation
    ]
    contracts += [
        _protected_contract(p, unique(f"protected-{_slug(p.name)}")) for p in proposal.protected
    ]
    contracts += [
        _acyclic_contract(p, unique(f"{p.package}-no-cycles" if several else "no-cycles"))
        for p in proposal.acyclic
    ]
    return contracts


TEST_EXEMPTION = "Test code is exempt: ignore_imports takes its imports out of the contract."


def _with_test_ignores(table: dict[str, Any], test_ignores: Sequence[str]) -> tuple[str, ...]:
    """Add the test exemptions to the table; the comment that says so, if any."""
    if not test_ignores:
        return ()
    table["ignore_imports"] = list(test_ignores)
    return (TEST_EXEMPTION,)


def _acyclic_contract(proposal: AcyclicProposal, contract_id: str) -> ProposedContract:
    table: dict[str, Any] = {
        "id": contract_id,
        "name": f"No import cycles between the children of {proposal.package}",
        "type": "acyclic",
        "packages": [proposal.package],
    }
    comments = (
        f"The children of {proposal.package} must not import each other in a cycle (`check` "
        "lists today's cycles, if any).",
        *_with_test_ignores(table, proposal.test_ignores),
    )
    return ProposedContract(table, comments, subject=proposal)


def _layers_contract(proposal: LayersProposal, contract_id: str) -> ProposedContract:
    how = "the fewest possible" if proposal.exact else "few (a heuristic's best)"
    comments: tuple[str, ...] = (
        (
            f"Layers of {proposal.package}, top (importers) to bottom (imported), in the order "
            f"with {how} upward imports: {proposal.upward_count} of the {proposal.imports} "
            f"imports between {proposal.package}'s children point upward."
        ),
        '"a | b": siblings that import each other in neither direction.',
    )
    if proposal.unnamed:
        comments += (
            f"Children no contract can name, left out of the layers: {', '.join(proposal.unnamed)}.",
        )
    if proposal.tests:
        comments += (f"Test code has no layer: {', '.join(proposal.tests)}.",)
    entries: list[str] = []
    for pair in proposal.upward:
        entries.append(f"# {_short(pair.importer, proposal.package)} -> "
                       f"{_short(pair.imported, proposal.package)}: {pair.count} import(s)")
        for example in pair.examples[:EXAMPLES_PER_UPWARD_PAIR]:
            where = f"  # {example.location}" if example.location else ""
            entries.append(f"{_string(example.importer + ' -> ' + example.imported)},{where}")
        hidden = pair.count - EXAMPLES_PER_UPWARD_PAIR
        if hidden > 0:
            entries.append(f"# ... and {hidden} more")
    trailing: list[str] = []
    if proposal.upward:
        trailing.append(
            "Upward imports today, most first: fix them, or uncomment entries to ignore them."
        )
        if proposal.test_ignores:  # inside the list, after the test exemptions
            trailing += entries
        else:
            trailing += ["ignore_imports = [", *(f"    {entry}" for entry in entries), "]"]
    table: dict[str, Any] = {
        "id": contract_id,
        "name": f"Layers of {proposal.package}",
        "type": "layers",
        "containers": [proposal.package],
        "layers": [" | ".join(layer) for layer in proposal.layers],
        # Every child is placed today; a new one must be placed too.
        "exhaustive": True,
    }
    if proposal.unnamed or proposal.tests:
        table["exhaustive_ignores"] = [*proposal.unnamed, *proposal.tests]
    comments += _with_test_ignores(table, proposal.test_ignores)
    return ProposedContract(table, comments, tuple(trailing), subject=proposal)


def _independence_contract(proposal: IndependenceProposal, contract_id: str) -> ProposedContract:
    why = (
        f"{_independent_parts(proposal)} must not import one another, directly or indirectly: "
        "no import chain between production modules links them today."
    )
    table: dict[str, Any] = {
        "id": contract_id,
        "name": f"Independent parts of {proposal.package}",
        "type": "independence",
        "modules": list(proposal.modules),
    }
    comments = (why, "Keep it that way.", *_with_test_ignores(table, proposal.test_ignores))
    return ProposedContract(table, comments, subject=proposal)


def _single_implementation_contract(
    proposal: SingleImplementationProposal, contract_id: str
) -> ProposedContract:
    canonical = proposal.canonical
    others = ", ".join(f"{name} ({count})" for name, count in proposal.roots[1:])
    shared = ", ".join(proposal.shared_methods[:4])
    table: dict[str, Any] = {
        "id": contract_id,
        "name": f"One {proposal.concept} implementation",
        "type": "single-implementation",
        "concept": proposal.pattern,
        "canonical": canonical,
    }
    comments: tuple[str, ...] = (
        (
            f"{len(proposal.roots)} independent {proposal.concept} implementations in production "
            f"code (no common base class)" + (f" share {shared}." if shared else ".")
            + " Keep one: every other class of the concept must build on it."
        ),
        f"canonical is a suggestion, CONFIRM IT: {_why_canonical(proposal)}; the others: {others}.",
    )
    if proposal.test_modules:
        table["allowed_modules"] = list(proposal.test_modules)
        comments += ("Test code is exempt: its classes of the concept (test doubles) are allowed_modules.",)
    return ProposedContract(table, comments, subject=proposal)


def _protected_contract(proposal: ProtectedSymbolProposal, contract_id: str) -> ProposedContract:
    module = proposal.symbol.rpartition(".")[0]
    packages = ", ".join(f"{name} ({count})" for name, count in proposal.packages[:PACKAGES_NAMED])
    if len(proposal.packages) > PACKAGES_NAMED:
        packages += f" and {len(proposal.packages) - PACKAGES_NAMED} more"
    table: dict[str, Any] = {
        "id": contract_id,
        "name": f"Only the canonical path imports {proposal.name}",
        "type": "protected",
        "symbols": [proposal.symbol],
        "allowed_importers": list(proposal.allowed),
    }
    if proposal.replacement is not None:
        table["replacement"] = proposal.replacement
    comments: tuple[str, ...] = (
        (
            f"{proposal.name}, defined in {module}, is imported at {proposal.sites} production "
            f"import sites in {len(proposal.packages)} packages: {packages}; "
            f"{_reexport_words(proposal)}."
        ),
        (
            f"allowed_importers is the canonical path to it: {_allowed_words(proposal)}. "
            "`check` lists every other import site: allow the importers that may use it, "
            "route the others through them."
        ),
    )
    if proposal.replacement is not None:
        comments += (
            f"replacement: importing it from {proposal.replacement.rpartition('.')[0]} is the "
            "canonical path, allowed to any importer; `archgraph fix` rewrites the other imports to it.",
        )
    comments += _with_test_ignores(table, proposal.test_ignores)
    return ProposedContract(table, comments, subject=proposal)


PACKAGES_NAMED = 6


def _reexport_words(proposal: ProtectedSymbolProposal) -> str:
    if not proposal.reexporters:
        return "none of them through a re-export"
    return (
        f"{proposal.through_reexports} of them through re-exports "
        f"({', '.join(proposal.reexporters)})"
    )


def _allowed_words(proposal: ProtectedSymbolProposal) -> str:
    own, *others = proposal.allowed
    words = f"its own {'module' if own == proposal.symbol.rpartition('.')[0] else 'package'} {own}"
    if others:
        words += f" and the modules that re-export it ({', '.join(others)})"
    return words


def _why_canonical(proposal: SingleImplementationProposal) -> str:
    """Why the canonical class was suggested: the most importers, or a tie to settle."""
    importers = proposal.roots[0][1]
    tied = [name for name, count in proposal.roots[1:] if count == importers]
    if tied:
        return f"tied with {len(tied)} other(s) at {importers} importing modules, pick the one to keep"
    return f"{importers} modules import its hierarchy, the most"


def _slug(text: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in text).strip("-")


def _independent_parts(proposal: IndependenceProposal) -> str:
    """Which parts of the package the independence proposal covers, in words."""
    if proposal.modules == (f"{proposal.package}.*",):
        return f"The children of {proposal.package}"
    if len(proposal.modules) == proposal.candidates:
        return f"The {proposal.candidates} subpackages of {proposal.package}"
    return f"{len(proposal.modules)} of the {proposal.candidates} subpackages of {proposal.package}"


def _short(child: str, package: str) -> str:
    return child[len(package) + 1 :]


def _string(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML; TOML also wants DEL escaped)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def proposal_toml(
    proposal: Proposal,
    contracts: Sequence[ProposedContract],
    settings: Mapping[str, Any],
    header: Sequence[str] = (),
) -> str:
    """The contract file: a header comment, the `[archgraph]` settings, then each contract."""
    lines = _comment(header)
    if settings:
        lines += ["", "[archgraph]"] + [f"{key} = {_value(value)}" for key, value in settings.items()]
    for contract in contracts:
        lines.append("")
        lines += _comment(contract.comments)
        lines.append("[[contracts]]")
        trailing = [_commented(line) for line in contract.trailing]
        for key, value in contract.table.items():
            if key in ("layers", "ignore_imports"):
                lines.append(f"{key} = [")
                lines += [f"    {_string(item)}," for item in value]
                if key == "ignore_imports":  # the user decides what else to ignore
                    lines += [f"    {line}" for line in trailing]
                    trailing = []
                lines.append("]")
            else:
                lines.append(f"{key} = {_value(value)}")
        # Commented out: the user decides what to ignore.
        lines += trailing
    return "\n".join(lines).lstrip("\n") + "\n"


def _comment(paragraphs: Iterable[str], width: int = 98) -> list[str]:
    """TOML comment lines, each paragraph wrapped to fit the width."""
    return [
        _commented(line)
        for text in paragraphs
        for line in textwrap.wrap(visible(text), width - 2, break_on_hyphens=False)
    ]


def _commented(line: str) -> str:
    """A TOML comment; module names and paths in it are from the analysed tree, so a line
    break or control character in them is written as an escape: it can neither end the
    comment (and add a key) nor make the file invalid TOML."""
    return f"# {visible(line)}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list) or type(value) is tuple:  # not a named tuple (a record)
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return str(value)


# --- what init prints --------------------------------------------------------------------

UPWARD_PAIRS_SHOWN = 10


def explanation(
    proposal: Proposal,
    contracts: Sequence[ProposedContract],
    result: RunResult | None = None,
) -> list[str]:
    """What was inferred and why, for people (the contract file has it all as comments), each
    contract in the file's order with what the check of the same run says of it: a sentence
    about today's code is written only when the check agrees with it."""
    checked = {c.contract_id: c for c in result.contracts} if result is not None else {}
    lines = _scope_lines(proposal)
    for contract in contracts:
        outcome = checked.get(contract.id)
        lines += _subject_lines(contract.subject, outcome)
        if outcome is not None:
            lines.append(f"  today: {_status_words(outcome)} [id={contract.id}]")
    lines += [f"not proposed: {note}" for note in proposal.notes]
    return [visible(line) for line in lines]


def _scope_lines(proposal: Proposal) -> list[str]:
    """Where the proposals apply: the level descended to, and the test code left out."""
    lines = [
        f"{level.through[0]}: holds only {level.package} and test code, so the parts are the "
        f"children of {level.package}"
        for level in proposal.levels
        if level.through
    ]
    if proposal.test_modules:
        lines.append(
            f"test code: {proposal.test_modules} test module(s) left out of every proposal "
            "(tests/ and test/ packages, test_*.py, conftest.py and what the pytest "
            "configuration names); the contracts exempt them"
        )
    return lines


def _status_words(outcome: ContractResult) -> str:
    if outcome.kept:
        return outcome.status
    words = f"{outcome.status}, {len(outcome.violations)} violation(s)"
    errors = [d.message for d in outcome.diagnostics if d.severity is Severity.ERROR]
    return words + (f"; {errors[0]}" if errors else "")


def _subject_lines(subject: Subject | None, outcome: ContractResult | None) -> list[str]:
    kept = outcome is None or outcome.kept
    if isinstance(subject, LayersProposal):
        return _layers_lines(subject, kept)
    if isinstance(subject, IndependenceProposal):
        names = ", ".join(_short(m, subject.package) for m in subject.modules)
        if subject.modules == (f"{subject.package}.*",):
            names = f"{subject.package}.* (every child)"
        state = "import none of the others today" if kept else (
            "are proposed as independent; `check` finds import chains between them today"
        )
        return [f"independence ({subject.package}): {_independent_parts(subject)} {state}: {names}"]
    if isinstance(subject, AcyclicProposal):
        if kept:
            return [f"acyclic ({subject.package}): no import cycle between its children today"]
        return [
            f"acyclic ({subject.package}): its children import each other in cycles today; "
            "`check` lists them and the imports that break them all"
        ]
    if isinstance(subject, SingleImplementationProposal):
        return [
            f"single-implementation ({subject.pattern}): {len(subject.roots)} independent "
            f"implementations in production code; canonical suggested: {subject.canonical} "
            f"({_why_canonical(subject)}); confirm it in the file"
        ]
    if isinstance(subject, ProtectedSymbolProposal):
        return [
            f"protected ({subject.symbol}): imported at {subject.sites} production import "
            f"sites in {len(subject.packages)} packages, {_reexport_words(subject)}; "
            f"allowed: the canonical path, {_allowed_words(subject)}"
        ]
    return []


def _layers_lines(layers: LayersProposal, kept: bool) -> list[str]:
    how = "the fewest possible" if layers.exact else "a heuristic's best, maybe not the fewest"
    children = sum(len(layer) for layer in layers.layers)
    lines = [
        f"layers ({layers.package}): {children} children in {len(layers.layers)} layers, "
        f"top to bottom; {layers.upward_count} of the {layers.imports} imports between them "
        f"point upward ({how}):"
    ]
    lines += [f"  {n}. {' | '.join(layer)}" for n, layer in enumerate(layers.layers, start=1)]
    if layers.tests:
        lines.append(f"  test code, in no layer: {', '.join(layers.tests)}")
    if layers.upward:
        lines.append("  upward imports, most first (fix them, or ignore them in the file):")
    elif not kept:
        lines.append("  no production import points upward; `check` lists what breaks the contract")
    for pair in layers.upward[:UPWARD_PAIRS_SHOWN]:
        first = pair.examples[0]
        where = f" ({first.location})" if first.location else ""
        lines.append(
            f"    {_short(pair.importer, layers.package)} -> "
            f"{_short(pair.imported, layers.package)}: {pair.count} import(s), e.g. "
            f"{first.importer} -> {first.imported}{where}"
        )
    hidden = len(layers.upward) - UPWARD_PAIRS_SHOWN
    if hidden > 0:
        lines.append(f"    ... and {hidden} more pairs of children (all in the file)")
    return lines


def outcome_lines(
    proposal: Proposal,
    contracts: Sequence[ProposedContract],
    result: RunResult,
    written_to: Path | None,
) -> list[str]:
    """What `archgraph init` tells: the explanation, today's code against the proposed
    contracts, and the file written (None: the file was printed instead)."""
    lines = [*explanation(proposal, contracts, result), ""]
    if result.contracts:
        lines += ["Today's code against the proposed contracts:", *summary_table(result)[1:]]
    else:
        lines.append("No contracts proposed; the file holds the settings only.")
    if written_to is not None:
        lines += ["", f"archgraph: wrote {written_to}; edit it, then run `archgraph check`"]
    return [visible(line) for line in lines]
