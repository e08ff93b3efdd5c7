"""The contract types archgraph knows, and typed contracts built from contract tables.

A built-in type is imported when a table names its kind (or when every type is asked for), and
registers itself with `archgraph.rules.registry` then; the types import the registry, never
this module. A check of one layers contract does not load the symbol machinery.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence

from archgraph.diagnostics import ConfigError
from archgraph.model.schema import ContractTable, TablePosition, did_you_mean, from_table
from archgraph.rules.base import Contract, slug
from archgraph.rules.registry import load_third_party_types, registered_types

# kind -> the module that defines it (each module's `kind` says the same; a test checks it)
BUILT_IN = {
    "acyclic": "archgraph.rules.acyclic",
    "allowlist": "archgraph.rules.allowlist",
    "forbidden": "archgraph.rules.forbidden",
    "independence": "archgraph.rules.independence",
    "layers": "archgraph.rules.layers",
    "private": "archgraph.rules.private",
    "protected": "archgraph.rules.protected",
    "single-implementation": "archgraph.rules.single_implementation",
}
# Ids name contracts on the command line (`--contract ID`), in baselines, SARIF rule ids, JUnit
# test names and diagram labels: one shell word, one line, nothing a markup language reads as
# markup. (Renderers escape ids all the same; names may hold anything.) import-linter's ids,
# such as `my_contract` or `layers.1`, stay valid.
VALID_ID = re.compile(r"(?!-)[^\s\"'`<>&\\\x00-\x1f\x7f-\x9f]{1,100}")


def contract_types(*, third_party: bool = True) -> dict[str, type[Contract]]:
    """Built-in types plus third-party ones from the `archgraph.contracts` entry points."""
    _import_built_in(BUILT_IN)
    if third_party:
        load_third_party_types()
    return registered_types()


def _import_built_in(kinds: Iterable[object]) -> None:
    """Import the built-in types of these kinds (each registers itself)."""
    for kind in kinds:
        module = BUILT_IN.get(kind) if isinstance(kind, str) else None
        if module is not None:
            importlib.import_module(module)


def _types_for(kinds: Sequence[object]) -> tuple[dict[str, type[Contract]], list[str]]:
    """The types that tables of these kinds need, and every kind there is (for the errors).

    Third-party types are looked up only when a kind is not built in, and only the plugins
    named are imported (a broken plugin that no table names does not matter); built-in kinds
    never yield to a plugin.
    """
    _import_built_in(kinds)
    types = registered_types()
    if all(isinstance(kind, str) and kind in types for kind in kinds):
        return types, sorted({*types, *BUILT_IN})
    offered = load_third_party_types({kind for kind in kinds if isinstance(kind, str)})
    types = registered_types()
    return types, sorted({*types, *BUILT_IN, *offered})


def contract_positions(tables: Sequence[ContractTable]) -> dict[str, TablePosition]:
    """Where each contract is written, by id (the first table of an id), for what a check finds
    about its own keys (an `ignore_imports` entry that matches nothing)."""
    found: dict[str, TablePosition] = {}
    for table in tables:
        name = table.data.get("name")
        contract_id = table.data.get("id", slug(name) if isinstance(name, str) else None)
        if isinstance(contract_id, str):
            found.setdefault(contract_id, table.at)
    return found


def build_contracts(tables: Sequence[ContractTable]) -> tuple[list[Contract], list[ConfigError]]:
    """Typed contracts from tables; every problem in every table is collected."""
    types, known = _types_for([table.data.get("type") for table in tables])
    contracts: list[Contract] = []
    errors: list[ConfigError] = []
    seen_ids: dict[str, ContractTable] = {}
    for table in tables:
        at = table.at
        kind = table.data.get("type")
        if kind is None:
            errors.append(at.error(None, f"missing required key 'type' (one of: {', '.join(known)})"))
            continue
        if not isinstance(kind, str) or kind not in types:
            errors.append(
                at.error(
                    "type",
                    f"unknown contract type {kind!r} (known: {', '.join(known)})",
                    suggestion=did_you_mean(str(kind), known),
                )
            )
            continue
        name = table.data.get("name")
        defaults = {"id": slug(name)} if isinstance(name, str) else {}
        built = from_table(types[kind], table.data, at, ignore=frozenset({"type"}), defaults=defaults)
        if isinstance(built, list):
            errors.extend(built)
            continue
        problems = [p for p in built.validate(at) if isinstance(p, ConfigError)]
        if built.exclude_modules and not built.supports_exclude_modules:
            problems.append(
                at.error(
                    "exclude_modules",
                    f"{kind} contracts do not take exclude_modules (forbidden, independence,"
                    " layers and allowlist contracts do)",
                )
            )
        if not VALID_ID.fullmatch(built.id):
            problems.append(
                at.error(
                    "id",
                    f"{built.id!r} is not a valid contract id: 1 to 100 printable characters,"
                    " no spaces, quotes, backslashes or < > &, not starting with '-'",
                )
            )
        if problems:
            errors.extend(problems)
            continue
        if built.id in seen_ids:
            first = seen_ids[built.id].at
            errors.append(
                at.error(
                    "id" if "id" in table.data else "name",
                    f"duplicate contract id '{built.id}' (also in {first.file.as_posix()}"
                    f"{':' + str(first.line) if first.line else ''}); give each contract a unique id",
                )
            )
            continue
        seen_ids[built.id] = table
        contracts.append(built)
    return contracts, errors


def external_packages_missing(
    contracts: Sequence[Contract], tables: Sequence[ContractTable]
) -> list[ConfigError]:
    """For a project whose graph holds no external packages: each contract key whose meaning
    needs them (`<stdlib>`, `<third_party>`, an allowlist's external packages), which would
    otherwise pass silently."""
    positions = contract_positions(tables)
    return [
        positions[contract.id].error(
            key,
            f"needs the external packages in the graph, which has them only with"
            f" include_external_packages = true in the settings (without them, no import of"
            f" one is seen and the {contract.kind} contract cannot fail on it){advice}",
        )
        for contract in contracts
        if contract.id in positions
        for key, advice in contract.external_keys().items()
    ]
