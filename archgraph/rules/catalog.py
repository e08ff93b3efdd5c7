"""Imports every built-in contract type so that each registers itself."""

from archgraph.rules import (
    acyclic,
    forbidden,
    independence,
    layers,
    protected,
    single_implementation,
)

BUILT_IN = (acyclic, forbidden, independence, layers, protected, single_implementation)
