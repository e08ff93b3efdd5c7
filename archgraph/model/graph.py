"""ArchModel: the import graph of the analyzed code, behind a small read-only facade.

The heavy lifting (chains, layer analysis) runs in the graph engine behind `ImportGraphPort`
(grimp's Rust graph, adapted in `scan/`); networkx is used for whole-graph work on demand.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import sys
from abc import abstractmethod
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar, cast

from archgraph.diagnostics import ImportKind, ImportStep, Location
from archgraph.model.facts import FactsPort, FileFacts
from archgraph.model.files import file_texts
from archgraph.model.names import ImportExpr, ModuleExpr, ancestors
from archgraph.model.sources import SourceSet
from archgraph.model.suppressions import SuppressedImport, SuppressionComment
from archgraph.model.testcode import DEFAULT_RULE, TestCodeRule

if TYPE_CHECKING:
    from archgraph.model.classes import ClassModel

T = TypeVar("T")


class LayerSpec(NamedTuple):
    """One entry of a layers contract.

    `"a | b"`: independent siblings (neither may import the other); `"a : b"`: siblings that
    may import each other; `"(a)"`: an optional layer, which need not exist. A `closed` layer
    may not be skipped: the layers above it may not import those below it (a contract's
    `closed` key sets it).
    """

    modules: tuple[str, ...]
    independent: bool = True
    optional: frozenset[str] = frozenset()
    closed: bool = False

    @staticmethod
    def read(text: str) -> LayerSpec | str:
        """The layer, or what is wrong with `text`."""
        if "|" in text and ":" in text:
            return f"'{text}' mixes '|' (independent) and ':' (non-independent) siblings"
        independent = ":" not in text
        modules: list[str] = []
        optional: set[str] = set()
        for part in text.split("|" if independent else ":"):
            name = part.strip()
            if name.startswith("(") and name.endswith(")"):
                name = name[1:-1].strip()
                optional.add(name)
            problem = ModuleExpr.problem(name)
            if problem:
                return problem
            if name in modules:
                return f"'{name}' is repeated in the layer '{text}'"
            modules.append(name)
        return LayerSpec(tuple(modules), independent, frozenset(optional))

    @staticmethod
    def parse(text: str) -> LayerSpec:
        """Like `read`, raising ValueError for a malformed layer."""
        layer = LayerSpec.read(text)
        if isinstance(layer, LayerSpec):
            return layer
        raise ValueError(layer)

    def __str__(self) -> str:
        names = (f"({m})" if m in self.optional else m for m in self.modules)
        return (" | " if self.independent else " : ").join(names)


class LayerRoute(NamedTuple):
    """Illegal chains from a lower layer module to a higher one, sharing the same middle."""

    importer_layer: str
    imported_layer: str
    heads: tuple[str, ...]
    middle: tuple[str, ...]
    tails: tuple[str, ...]


class ImportGraphPort(Protocol):
    """The graph engine the model delegates to (implemented in scan/ over grimp)."""

    @property
    def modules(self) -> frozenset[str]: ...
    @property
    def internal_modules(self) -> frozenset[str]:
        """The modules that are not external."""
    @property
    def sorted_modules(self) -> tuple[str, ...]: ...
    def is_external(self, module: str) -> bool: ...
    def imports_of(self, module: str) -> frozenset[str]: ...
    def importers_of(self, module: str) -> frozenset[str]: ...
    def import_lines(self, importer: str, imported: str) -> tuple[int, ...]: ...
    def count_imports(self) -> int: ...
    def shortest_chains(
        self, importer: str, imported: str, as_packages: bool
    ) -> frozenset[tuple[str, ...]]: ...
    def illegal_layer_routes(
        self, layers: Sequence[LayerSpec], containers: Sequence[str]
    ) -> tuple[LayerRoute, ...]: ...
    def cycle_breakers(self, packages: Sequence[str]) -> frozenset[tuple[str, str]]: ...
    def without_imports(self, imports: Iterable[tuple[str, str]]) -> ImportGraphPort: ...
    def with_imports(self, imports: Iterable[tuple[str, str, int, str]]) -> ImportGraphPort:
        """A copy with more imports: (importer, imported, line, line contents)."""
        ...


class ImportKindsByLine(Mapping[str, Mapping[int, ImportKind]]):
    """Import kinds by module (non-runtime ones, by line) that can also tell one line's kind
    without working out the rest of its file (implemented in scan/, read lazily)."""

    @abstractmethod
    def kind(self, module: str, line: int) -> ImportKind:
        """The kind of the import statement on `line` of the module's file (runtime if none)."""


@dataclass(frozen=True)
class ArchModel:
    """The analyzed code: modules, their files, and the imports between them."""

    root: Path
    root_packages: tuple[str, ...]
    graph: ImportGraphPort
    files: Mapping[str, Path]  # module -> file, relative to root
    namespace_modules: frozenset[str] = frozenset()
    exclude_type_checking_imports: bool = False
    facts_provider: FactsPort | None = None  # parses files on demand (symbols, classes)
    test_code: TestCodeRule = DEFAULT_RULE  # which modules are tests (see model/testcode.py)
    # By importer, the line of each import statement that is not a runtime one and its kind
    # (from the scan's import audit, which reads a file's kinds when they are first asked for);
    # every other line is a runtime import.
    import_kinds: Mapping[str, Mapping[int, ImportKind]] = field(default_factory=dict)
    # By module, the `# archgraph: ignore[...]` comments of its file (model/suppressions.py).
    suppressions: Mapping[str, tuple[SuppressionComment, ...]] = field(default_factory=dict)

    # --- modules -------------------------------------------------------------------------

    @cached_property
    def modules(self) -> frozenset[str]:
        return self.graph.modules

    @cached_property
    def internal_modules(self) -> frozenset[str]:
        return self.graph.internal_modules

    @cached_property
    def sorted_modules(self) -> tuple[str, ...]:
        return self.graph.sorted_modules

    def contains(self, module: str) -> bool:
        return module in self.modules

    @cached_property
    def _child_index(self) -> dict[str, frozenset[str]]:
        index: dict[str, set[str]] = {}
        for name in self.modules:
            head, _, _ = name.rpartition(".")
            index.setdefault(head, set()).add(name)
        return {key: frozenset(value) for key, value in index.items()}

    def children(self, module: str) -> frozenset[str]:
        return self._child_index.get(module, frozenset())

    def descendants(self, module: str) -> frozenset[str]:
        # In sorted order the names that start with "a.b." lie between "a.b." and "a.b/"
        # ("/" follows "."): two bisections instead of a pass over every module.
        ordered = self.sorted_modules
        first = bisect.bisect_left(ordered, module + ".")
        return frozenset(ordered[first : bisect.bisect_left(ordered, module + "/", first)])

    def within(self, module: str) -> frozenset[str]:
        """The module and its descendants that are in the graph."""
        found = self.descendants(module)
        return found | {module} if module in self.modules else found

    def matching(self, expr: ModuleExpr) -> frozenset[str]:
        """Modules the pattern names (not their descendants); for a selector, the outermost
        modules of its kind (`app.tests`, not also `app.tests.test_x`)."""
        if expr.is_selector:
            selected = self.selected(expr.text)
            return frozenset(m for m in selected if not any(a in selected for a in ancestors(m)))
        if not expr.is_wildcard:
            return frozenset({expr.text}) if expr.text in self.modules else frozenset()
        return frozenset(m for m in self.modules if expr.matches(m))

    def covers(self, expr: ModuleExpr, module: str) -> bool:
        """The pattern's scope includes the module (itself or an ancestor matches; for a
        selector, the module is of its kind)."""
        if expr.is_selector:
            return module in self.selected(expr.text)
        return expr.covers(module)

    def selected(self, selector: str) -> frozenset[str]:
        """The modules of the graph a selector (`<stdlib>`, `<third_party>`, `<tests>`) names,
        descendants included."""
        if selector == "<tests>":
            return self.test_modules
        stdlib = frozenset(
            m for m in self.external_modules if m.partition(".")[0] in sys.stdlib_module_names
        )
        if selector == "<stdlib>":
            return stdlib
        if selector == "<third_party>":
            return self.external_modules - stdlib
        raise ValueError(f"unknown selector {selector!r}")

    @cached_property
    def external_modules(self) -> frozenset[str]:
        """The external packages the code imports (in the graph only with
        include_external_packages)."""
        return self.modules - self.internal_modules

    def file_of(self, module: str) -> Path | None:
        return self.files.get(module)

    def location_of(self, module: str, line: int | None = None) -> Location | None:
        path = self.files.get(module)
        return Location(path, line) if path is not None else None

    # --- imports -------------------------------------------------------------------------

    def imports_of(self, module: str) -> frozenset[str]:
        return self.graph.imports_of(module)

    def importers_of(self, module: str) -> frozenset[str]:
        return self.graph.importers_of(module)

    @cached_property
    def import_count(self) -> int:
        return self.graph.count_imports()

    def iter_imports(self) -> Iterable[tuple[str, str]]:
        """Every direct import (importer, imported), in sorted order."""
        for importer in self.sorted_modules:
            for imported in sorted(self.graph.imports_of(importer)):
                yield importer, imported

    def kind_of(self, importer: str, line: int) -> ImportKind:
        """The kind of the import statement at `line` of the importer's file."""
        if isinstance(self.import_kinds, ImportKindsByLine):
            return self.import_kinds.kind(importer, line)
        kinds = self.import_kinds.get(importer)
        return kinds.get(line, ImportKind.RUNTIME) if kinds else ImportKind.RUNTIME

    def kinds_of(self, importer: str, imported: str) -> tuple[ImportKind, ...]:
        """The kinds of the lines on which `importer` imports `imported`, each once, sorted."""
        lines = self.graph.import_lines(importer, imported)
        if not lines:  # an import the graph knows no line of (added by hand): a runtime one
            return (ImportKind.RUNTIME,)
        return tuple(sorted({self.kind_of(importer, line) for line in lines}))

    def step(self, importer: str, imported: str) -> ImportStep:
        lines = self.graph.import_lines(importer, imported)
        kinds = tuple(self.kind_of(importer, line) for line in lines)
        return ImportStep(importer, imported, lines, kinds)

    def steps(self, chain: Sequence[str]) -> tuple[ImportStep, ...]:
        """A chain of module names as import steps with their line numbers."""
        return tuple(self.step(a, b) for a, b in itertools.pairwise(chain))

    def shortest_chains(
        self, importer: str, imported: str, as_packages: bool = True
    ) -> list[tuple[str, ...]]:
        return sorted(self.graph.shortest_chains(importer, imported, as_packages))

    def without(
        self, ignored: Sequence[ImportExpr], exact: bool = False
    ) -> tuple[ArchModel, frozenset[ImportExpr]]:
        """A view without the imports the expressions cover, and the expressions that matched.

        With `exact`, each side names only the modules it matches, not their descendants
        (import-linter's meaning of `ignore_imports`).
        """
        if not ignored:
            return self, frozenset()
        removed: list[tuple[str, str]] = []
        used: set[ImportExpr] = set()
        for expr in ignored:
            sites = self.ignored_sites(expr, exact)
            if sites:
                removed += sites
                used.add(expr)
        if not removed:
            return self, frozenset()
        return self._without_imports(removed), frozenset(used)

    def ignored_sites(self, expr: ImportExpr, exact: bool = False) -> list[tuple[str, str]]:
        """The direct imports (importer, imported) one `ignore_imports` entry covers, sorted."""
        select = self.matching if exact else self.covered
        importeds = select(expr.imported)
        return [
            (importer, imported)
            for importer in sorted(select(expr.importer))
            for imported in sorted(self.graph.imports_of(importer) & importeds)
        ]

    def of_kinds(self, kinds: Iterable[ImportKind]) -> ArchModel:
        """A view with only the imports that have a line of one of `kinds`: an import whose
        every line is of another kind is left out."""
        kept = frozenset(kinds)
        if kept >= frozenset(ImportKind):
            return self
        if ImportKind.RUNTIME in kept:  # only importers with a line of another kind can lose one
            importers: Iterable[str] = [m for m in self.sorted_modules if m in self.import_kinds]
        else:
            importers = self.sorted_modules
        removed = [
            (importer, imported)
            for importer in importers
            for imported in sorted(self.graph.imports_of(importer))
            if kept.isdisjoint(self.kinds_of(importer, imported))
        ]
        return self._without_imports(removed) if removed else self

    def _without_imports(self, removed: Sequence[tuple[str, str]]) -> ArchModel:
        view = ArchModel(
            root=self.root,
            root_packages=self.root_packages,
            graph=self.graph.without_imports(removed),
            files=self.files,
            namespace_modules=self.namespace_modules,
            exclude_type_checking_imports=self.exclude_type_checking_imports,
            facts_provider=self.facts_provider,
            test_code=self.test_code,
            import_kinds=self.import_kinds,
            suppressions=self.suppressions,
        )
        if "sources" in self.__dict__:  # the same files, so the same facts and classes
            view.__dict__["sources"] = self.__dict__["sources"]
        return view

    def without_sites(self, sites: Iterable[tuple[str, str]]) -> ArchModel:
        """A view without these direct imports (importer, imported)."""
        removed = sorted(set(sites))
        return self._without_imports(removed) if removed else self

    def with_suppressions(
        self, suppressions: Mapping[str, tuple[SuppressionComment, ...]]
    ) -> ArchModel:
        """The same model with other inline suppressions (to judge what each one changes)."""
        view = dataclasses.replace(self, suppressions=suppressions)
        if "sources" in self.__dict__:
            view.__dict__["sources"] = self.__dict__["sources"]
        return view

    def suppresses(self, contract_id: str, importer: str, line: int) -> bool:
        """Whether a usable suppression on this line of the importer names the contract."""
        return any(
            c.line == line and c.on_import and c.names(contract_id)
            for c in self.suppressions.get(importer, ())
        )

    def suppressed_for(self, contract_id: str) -> tuple[SuppressedImport, ...]:
        """Each usable suppression naming the contract, with the import sites it keeps out of
        it: a site every line of which is suppressed (one also imported on another line stays)."""
        found = []
        for module in sorted(self.suppressions):
            comments = [
                c for c in self.suppressions[module] if c.on_import and c.names(contract_id)
            ]
            if not comments:
                continue
            lines = {c.line for c in comments}
            by_line: dict[int, list[tuple[str, str]]] = {}
            imported_modules = self.graph.imports_of(module) if module in self.modules else ()
            for imported in sorted(imported_modules):
                import_lines = set(self.graph.import_lines(module, imported))
                if import_lines and import_lines <= lines:
                    for line in import_lines:
                        by_line.setdefault(line, []).append((module, imported))
            found += [SuppressedImport(c, tuple(by_line.get(c.line, ()))) for c in comments]
        return tuple(found)

    def covered(self, expr: ModuleExpr) -> frozenset[str]:
        """The modules in the pattern's scope: those it names and their descendants."""
        if expr.is_selector:
            return self.selected(expr.text)
        if not expr.is_wildcard:
            return self.within(expr.text)
        return frozenset(m for m in self.modules if expr.covers(m))

    def with_imports(self, imports: Iterable[tuple[str, str, int]]) -> ArchModel:
        """The model as it would be with these imports (importer, imported, line) added: to
        check an edit on the graph before writing it (`archgraph fix`)."""
        view = dataclasses.replace(
            self, graph=self.graph.with_imports((a, b, line, "") for a, b, line in imports)
        )
        if "sources" in self.__dict__:
            view.__dict__["sources"] = self.__dict__["sources"]
        return view

    def with_graph(self, graph: ImportGraphPort) -> ArchModel:
        """The model over another import graph of the same files (an edit changed imports):
        what follows from the modules alone carries over while the graph's modules are the
        same (a live check builds a model per edit; working out which of Home Assistant's
        8,800 modules are tests costs more than the rest of the edit's scan)."""
        view = dataclasses.replace(self, graph=graph)
        carried = ["sources"]
        if graph.modules == self.graph.modules:
            carried += ["modules", "internal_modules", "sorted_modules", "_child_index", "test_modules"]
        for name in carried:
            if name in self.__dict__:
                view.__dict__[name] = self.__dict__[name]
        return view

    @cached_property
    def sources(self) -> SourceSet:
        """The model's files and facts, without the graph."""
        return SourceSet(
            self.root,
            self.root_packages,
            self.files,
            self.namespace_modules,
            self.facts_provider,
            test_code=self.test_code,
        )

    @cached_property
    def test_modules(self) -> frozenset[str]:
        """The internal modules that are test code (tests/ folders, test_*.py, conftest.py...)."""
        return self.test_code.test_modules(file_texts(self.files, self.internal_modules))

    def is_test(self, module: str) -> bool:
        return module in self.test_modules

    def facts(
        self,
        modules: Iterable[str] | None = None,
        mentions: Iterable[bytes] = (),
        chains: bool = False,
    ) -> Mapping[str, FileFacts]:
        """Parsed facts of the modules' files (see SourceSet.facts)."""
        return self.sources.facts(modules, mentions, chains)

    def mentioning(
        self, mentions: Sequence[bytes], project: Callable[[FileFacts], FileFacts], key: Hashable
    ) -> Mapping[str, FileFacts]:
        """Projected facts of the files that mention one of `mentions` (see FactsPort.mentioning)."""
        if self.facts_provider is None:
            return {}
        return self.facts_provider.mentioning(mentions, project, key)

    def memoized(
        self, key: tuple[Any, ...], compute: Callable[[], T], valid: Callable[[Any], bool]
    ) -> T:
        """`compute()`, kept across runs while no analyzed file changes (see FactsPort.memo).

        `compute` must depend on the files and `key` only, and return plain data (marshal);
        `valid(value)` says whether a kept value has the shape `compute` gives.
        """
        if self.facts_provider is None:
            return compute()
        return cast(T, self.facts_provider.memo(key, compute, valid))

    @property
    def class_model(self) -> ClassModel:
        """Every class of the analyzed files, built once per model (its views share it)."""
        return self.sources.class_model
