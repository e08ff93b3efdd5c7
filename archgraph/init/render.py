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

from archgraph.diagnostics import RunResult, visible
from archgraph.init.inference import (
    IndependenceProposal,
    LayersProposal,
    Proposal,
    SingleImplementationProposal,
)
from archgraph.report.text import summary_table

EXAMPLES_PER_UPWARD_PAIR = 5  # listed under a layers contract, commented out


# --- the contract file ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposedContract:
    """A contract table as `archgraph init` writes it, with the comments above it and at its end."""

    table: Mapping[str, Any]
    comments: tuple[str, ...] = ()
    trailing: tuple[str, ...] = ()


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
        ProposedContract(
            {
                "id": unique(f"{package}-no-cycles" if several else "no-cycles"),
                "name": f"No import cycles between the children of {package}",
                "type": "acyclic",
                "packages": [package],
            },
            (f"No import cycle between the children of {package} (`check` lists today's).",),
        )
        for package in proposal.acyclic
    ]
    return contracts


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
    trailing: list[str] = []
    if proposal.upward:
        trailing.append(
            "Upward imports today, most first: fix them, or uncomment entries to ignore them."
        )
        trailing.append("ignore_imports = [")
        for pair in proposal.upward:
            trailing.append(f"    # {_short(pair.importer, proposal.package)} -> "
                            f"{_short(pair.imported, proposal.package)}: {pair.count} import(s)")
            for example in pair.examples[:EXAMPLES_PER_UPWARD_PAIR]:
                where = f"  # {example.location}" if example.location else ""
                trailing.append(f"    {_string(example.importer + ' -> ' + example.imported)},{where}")
            hidden = pair.count - EXAMPLES_PER_UPWARD_PAIR
            if hidden > 0:
                trailing.append(f"    # ... and {hidden} more")
        trailing.append("]")
    table: dict[str, Any] = {
        "id": contract_id,
        "name": f"Layers of {proposal.package}",
        "type": "layers",
        "containers": [proposal.package],
        "layers": [" | ".join(layer) for layer in proposal.layers],
        # Every child is placed today; a new one must be placed too.
        "exhaustive": True,
    }
    if proposal.unnamed:
        table["exhaustive_ignores"] = list(proposal.unnamed)
    return ProposedContract(table, comments, tuple(trailing))


def _independence_contract(proposal: IndependenceProposal, contract_id: str) -> ProposedContract:
    why = f"{_independent_parts(proposal)} import none of the others, directly or indirectly."
    return ProposedContract(
        {
            "id": contract_id,
            "name": f"Independent parts of {proposal.package}",
            "type": "independence",
            "modules": list(proposal.modules),
        },
        (why, "Keep it that way."),
    )


def _single_implementation_contract(
    proposal: SingleImplementationProposal, contract_id: str
) -> ProposedContract:
    canonical = proposal.canonical
    others = ", ".join(f"{name} ({count})" for name, count in proposal.roots[1:])
    shared = ", ".join(proposal.shared_methods[:4])
    return ProposedContract(
        {
            "id": contract_id,
            "name": f"One {proposal.concept} implementation",
            "type": "single-implementation",
            "concept": proposal.pattern,
            "canonical": canonical,
        },
        (
            (
                f"{len(proposal.roots)} independent {proposal.concept} implementations (no common "
                f"base class)" + (f" share {shared}." if shared else ".")
                + " Keep one: every other class of the concept must build on it."
            ),
            f"canonical is a suggestion, CONFIRM IT: {_why_canonical(proposal)}; the others: {others}.",
        ),
    )


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
        for key, value in contract.table.items():
            if key == "layers":
                lines.append("layers = [")
                lines += [f"    {_string(layer)}," for layer in value]
                lines.append("]")
            else:
                lines.append(f"{key} = {_value(value)}")
        # Commented out: the user decides what to ignore.
        lines += [_commented(line) for line in contract.trailing]
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
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return str(value)


# --- what init prints --------------------------------------------------------------------

UPWARD_PAIRS_SHOWN = 10


def explanation(proposal: Proposal) -> list[str]:
    """What was inferred and why, for people (the contract file has it all as comments)."""
    lines: list[str] = []
    for layers in proposal.layers:
        how = "the fewest possible" if layers.exact else "a heuristic's best, maybe not the fewest"
        children = sum(len(layer) for layer in layers.layers)
        lines.append(
            f"layers ({layers.package}): {children} children in {len(layers.layers)} layers, "
            f"top to bottom; {layers.upward_count} of the {layers.imports} imports between them "
            f"point upward ({how}):"
        )
        lines += [f"  {n}. {' | '.join(layer)}" for n, layer in enumerate(layers.layers, start=1)]
        if layers.upward:
            lines.append("  upward imports, most first (fix them, or ignore them in the file):")
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
    for group in proposal.independence:
        names = ", ".join(_short(m, group.package) for m in group.modules)
        if group.modules == (f"{group.package}.*",):
            names = f"{group.package}.* (every child)"
        lines.append(
            f"independence ({group.package}): {_independent_parts(group)} import none of the "
            f"others today: {names}"
        )
    lines += [f"acyclic ({package}): no import cycle between its children" for package in proposal.acyclic]
    for single in proposal.single_implementation:
        lines.append(
            f"single-implementation ({single.pattern}): {len(single.roots)} independent "
            f"implementations; canonical suggested: {single.canonical} "
            f"({_why_canonical(single)}); confirm it in the file"
        )
    lines += [f"not proposed: {note}" for note in proposal.notes]
    return [visible(line) for line in lines]


def outcome_lines(proposal: Proposal, result: RunResult, written_to: Path | None) -> list[str]:
    """What `archgraph init` tells: the explanation, today's code against the proposed
    contracts, and the file written (None: the file was printed instead)."""
    lines = [*explanation(proposal), ""]
    if result.contracts:
        lines += ["Today's code against the proposed contracts:", *summary_table(result)[1:]]
    else:
        lines.append("No contracts proposed; the file holds the settings only.")
    if written_to is not None:
        lines += ["", f"archgraph: wrote {written_to}; edit it, then run `archgraph check`"]
    return [visible(line) for line in lines]
