"""The immutable domain: module patterns and the import graph facade."""

from archgraph.model.graph import ArchModel, ImportGraphPort, LayerRoute, LayerSpec
from archgraph.model.names import ImportExpr, ModuleExpr
from archgraph.model.sources import SourceSet

__all__ = ["ArchModel", "ImportExpr", "ImportGraphPort", "LayerRoute", "LayerSpec", "ModuleExpr", "SourceSet"]
