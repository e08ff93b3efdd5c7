"""An import graph that knows the modules but no imports, for commands that read only facts.

`archgraph families` needs the files and their parsed facts, not the import graph; skipping
grimp's import scan saves most of a cold run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from archgraph.model.graph import ImportGraphPort, LayerRoute, LayerSpec
from archgraph.model.names import is_within


class FilesOnlyGraph:
    """ImportGraphPort with modules and no import edges."""

    def __init__(self, modules: Iterable[str], root_packages: Sequence[str]) -> None:
        self._modules = frozenset(modules)
        self._roots = tuple(root_packages)

    @property
    def modules(self) -> frozenset[str]:
        return self._modules

    @property
    def internal_modules(self) -> frozenset[str]:
        return frozenset(m for m in self._modules if not self.is_external(m))

    @property
    def sorted_modules(self) -> tuple[str, ...]:
        return tuple(sorted(self._modules))

    def is_external(self, module: str) -> bool:
        return not any(is_within(module, root) for root in self._roots)

    def imports_of(self, module: str) -> frozenset[str]:
        return frozenset()

    def importers_of(self, module: str) -> frozenset[str]:
        return frozenset()

    def import_lines(self, importer: str, imported: str) -> tuple[int, ...]:
        return ()

    def count_imports(self) -> int:
        return 0

    def shortest_chains(
        self, importer: str, imported: str, as_packages: bool
    ) -> frozenset[tuple[str, ...]]:
        return frozenset()

    def shortest_chain(self, importer: str, imported: str) -> tuple[str, ...] | None:
        return None

    def illegal_layer_routes(
        self, layers: Sequence[LayerSpec], containers: Sequence[str]
    ) -> tuple[LayerRoute, ...]:
        return ()

    def cycle_breakers(self, packages: Sequence[str]) -> frozenset[tuple[str, str]]:
        return frozenset()

    def without_imports(self, imports: Iterable[tuple[str, str]]) -> ImportGraphPort:
        return self
