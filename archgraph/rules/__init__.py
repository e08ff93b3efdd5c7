"""Contract types, one module each; `check(model) -> ContractResult`."""

from archgraph.rules.base import Contract
from archgraph.rules.catalog import build_contracts, contract_types, external_packages_missing
from archgraph.rules.registry import register

__all__ = [
    "Contract",
    "build_contracts",
    "contract_types",
    "external_packages_missing",
    "register",
]
