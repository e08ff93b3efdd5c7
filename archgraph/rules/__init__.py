"""Contract types, one module each; `check(model) -> ContractResult`."""

from archgraph.rules.base import Contract
from archgraph.rules.catalog import build_contracts, contract_types
from archgraph.rules.registry import register

__all__ = ["Contract", "build_contracts", "contract_types", "register"]
