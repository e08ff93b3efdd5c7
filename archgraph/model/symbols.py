"""Where names come from: `from M import Name` followed through re-exports to the defining module.

Pure functions over per-file facts (`FileFacts`), shared by the symbol-level `protected` contract
and by class families (which resolve base classes the same way). Handles absolute and relative
imports, aliases, chains of re-exports, `__init__.py` re-exports, star imports (with and without
`__all__`), and attribute access through a module bound by an import (`import a.b as m; m.Name`,
`from a import b; b.Name`).

Approximations, on purpose (archgraph never runs the code): names are tracked per file, not per
scope, so a local variable that shadows an imported module is not noticed; a later redefinition
does not cancel an earlier re-export; a computed `__all__` exports every public name.

Which files' facts an index holds (those that can import the symbols) is decided in
`archgraph.model.symbol_reading`.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from archgraph.model.facts import FileFacts, ImportFact

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
STAR = "*"


@dataclass(frozen=True, slots=True, order=True)
class Symbol:
    """A name bound at the top level of a module: `module.name`."""

    module: str
    name: str

    @staticmethod
    def problem(text: str) -> str | None:
        """Why `text` is not a `package.module.Name` reference, or None."""
        parts = text.split(".")
        if len(parts) < 2:
            return f"'{text}' is not of the form 'module.Name'"
        for part in parts:
            if not _IDENTIFIER.match(part):
                return f"'{text}' is not a dotted name (segment '{part}')"
        return None

    @staticmethod
    def parse(text: str) -> Symbol:
        module, _, name = text.rpartition(".")
        return Symbol(module, name)

    def __str__(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a name bound in a module was defined, and the re-exporting modules passed on the way."""

    symbol: Symbol
    via: tuple[str, ...] = ()  # from the asked module towards the definition, definer excluded


@dataclass(frozen=True, slots=True, order=True)
class SymbolSite:
    """One import statement through which a module obtains the symbol."""

    importer: str
    line: int  # the import statement's line
    module: str  # the (absolute) module the symbol is taken from: the definer or a re-exporter
    written: str  # as the importer writes it: bound name, `*`, or `m.Name` for attribute access
    via: tuple[str, ...] = ()  # re-exporting modules, the one the importer names first
    uses: tuple[int, ...] = ()  # lines of the `m.Name` uses, for attribute access
    in_function: bool = False
    type_checking: bool = False
    in_try: bool = False

    @property
    def by_attribute(self) -> bool:
        return bool(self.uses)


def absolute_module(
    importer: str, fact: ImportFact, is_package: Callable[[str], bool]
) -> str | None:
    """The module an import statement names, relative imports resolved; None above the top."""
    if fact.level == 0:
        return fact.module
    parts = importer.split(".")
    if not is_package(importer):
        parts = parts[:-1]  # a plain module's `.` is its package
    keep = len(parts) - (fact.level - 1)
    if keep <= 0:
        return None
    base = parts[:keep]
    return ".".join([*base, fact.module] if fact.module else base)


def star_exports(facts: FileFacts | None, name: str) -> bool:
    """Whether `from module import *` binds `name` (given the module's facts, if parsed)."""
    if facts is not None and facts.dunder_all is not None:
        if name in facts.dunder_all:
            return True
        if not facts.dunder_all_partial:
            return False
    return not name.startswith("_")


def _binding_imports(facts: FileFacts, include_type_checking: bool) -> Iterable[ImportFact]:
    """Imports that bind module-level names (not those inside functions)."""
    for fact in facts.imports:
        if fact.in_function or (fact.type_checking and not include_type_checking):
            continue
        yield fact


def origin_of(
    module: str,
    name: str,
    facts_of: Callable[[str], FileFacts | None],
    modules: Collection[str],
    is_package: Callable[[str], bool],
    include_type_checking: bool = True,
) -> Origin | None:
    """Where `module.name` is defined, following re-exports; None when it is not bound there.

    A name imported from outside the analyzed modules has its origin there (`Origin` of the
    external symbol). `facts_of` may parse on demand.
    """
    seen: set[tuple[str, str]] = set()

    def follow(current: str, wanted: str, via: tuple[str, ...]) -> Origin | None:
        if (current, wanted) in seen:
            return None  # a re-export cycle
        seen.add((current, wanted))
        if current not in modules:
            return Origin(Symbol(current, wanted), via)  # outside the analyzed code
        facts = facts_of(current)
        if facts is None:
            return None
        stars: list[str] = []
        imported_here = False
        for fact in _binding_imports(facts, include_type_checking):
            if not fact.names:
                continue
            source = absolute_module(current, fact, is_package)
            if source is None:
                continue
            for imported in fact.names:
                if imported.name == STAR:
                    stars.append(source)
                elif imported.bound_as == wanted and f"{source}.{imported.name}" not in modules:
                    imported_here = True
                    found = follow(source, imported.name, (*via, current))
                    if found is not None:
                        return found
        if wanted in facts.definitions and not imported_here:
            # `definitions` also holds import-bound names: only an unimported one is defined here.
            return Origin(Symbol(current, wanted), via)
        for source in stars:
            if star_exports(facts_of(source), wanted):
                found = follow(source, wanted, (*via, current))
                if found is not None:
                    return found
        return None

    return follow(module, name, ())


class SymbolIndex:
    """Who imports what from whom, by name, over the facts of a set of files.

    Args:
        facts: parsed facts by module (the files that may import the names asked about).
        modules: every module of the analyzed code (to tell submodules from names).
        packages: the modules that are packages (their `.` is themselves).
        include_type_checking: whether `if TYPE_CHECKING:` imports count.
    """

    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        modules: Collection[str],
        packages: Collection[str] = (),
        include_type_checking: bool = True,
    ) -> None:
        self.facts = facts
        self.modules = modules
        self.packages = packages
        self.include_type_checking = include_type_checking
        # name -> [(importer, statement, bound name)] of top-level `from m import name`; the
        # statements' modules are resolved only for the names a query reaches, a few of many.
        self._imports_of_name: dict[str, list[tuple[str, ImportFact, str]]] = {}
        self._reexports: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self._star_importers: dict[str, list[str]] = {}
        self._mentions: dict[str, set[str]] | None = None  # see _mentioned_by
        for importer in sorted(facts):
            for fact in _binding_imports(facts[importer], include_type_checking):
                for imported in fact.names:
                    if imported.name != STAR:
                        entry = (importer, fact, imported.bound_as)
                        self._imports_of_name.setdefault(imported.name, []).append(entry)
                    elif (source := self.absolute(importer, fact)) is not None:
                        self._star_importers.setdefault(source, []).append(importer)

    def _reexporters(self, module: str, name: str) -> list[tuple[str, str]]:
        """(re-exporting module, bound name) of each top-level `from module import name`."""
        by_source = self._reexports.get(name)
        if by_source is None:
            by_source = self._reexports[name] = {}
            for importer, fact, bound_as in self._imports_of_name.get(name, ()):
                source = self.absolute(importer, fact)
                if source is not None:
                    by_source.setdefault(source, []).append((importer, bound_as))
        return by_source.get(module, [])

    def is_package(self, module: str) -> bool:
        return module in self.packages

    def absolute(self, importer: str, fact: ImportFact) -> str | None:
        return absolute_module(importer, fact, self.is_package)

    def origin(self, module: str, name: str) -> Origin | None:
        """Where `module.name` is defined (within the facts this index holds)."""
        return origin_of(
            module, name, self.facts.get, self.modules, self.is_package, self.include_type_checking
        )

    def routes(self, symbol: Symbol) -> dict[tuple[str, str], tuple[str, ...]]:
        """Every (module, bound name) that holds the symbol, with the re-exporters it came through.

        The defining module maps to (); a re-exporter `r` that took it from `m` maps to
        `(r, *routes[m])`. Breadth first, so each gets its shortest route.
        """
        start = (symbol.module, symbol.name)
        routes: dict[tuple[str, str], tuple[str, ...]] = {start: ()}
        queue = deque([start])
        while queue:
            module, name = queue.popleft()
            via = routes[(module, name)]
            targets = list(self._reexporters(module, name))
            if star_exports(self.facts.get(module), name):
                targets += [(importer, name) for importer in self._star_importers.get(module, ())]
            for target in targets:
                if target[0] != module and target not in routes:
                    routes[target] = (target[0], *via)
                    queue.append(target)
        return routes

    def bound_names(self, symbol: Symbol) -> frozenset[str]:
        """Every name the symbol is bound to in some module (its name and re-export aliases)."""
        return frozenset(name for _module, name in self.routes(symbol))

    def sites(self, symbol: Symbol) -> list[SymbolSite]:
        """Every import statement, outside the defining module, that obtains the symbol."""
        routes = self.routes(symbol)
        by_module: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for (module, name), via in sorted(routes.items()):
            by_module.setdefault(module, []).append((name, via))
        # The names the symbol is bound to, and `*`: no other import statement can obtain it.
        names = frozenset(name for _module, name in routes) | {STAR}
        found: list[SymbolSite] = []
        mentioned = self._mentioned_by()
        candidates = set().union(*(mentioned.get(name, ()) for name in names))
        for importer in sorted(candidates):
            if importer != symbol.module:
                found += self._sites_in(importer, routes, by_module, names)
        return sorted(found)

    def _mentioned_by(self) -> dict[str, set[str]]:
        """name -> the modules whose import statements name it (`*` included) or whose attribute
        chains hold it: the only modules `_sites_in` can find a site of that name in. Built
        once, so that the sites of many symbols (the audit asks for thousands) cost their
        importers, not every file each time."""
        if self._mentions is None:
            mentions: dict[str, set[str]] = {}
            for importer, facts in self.facts.items():
                for fact in facts.imports:
                    for imported in fact.names:
                        mentions.setdefault(imported.name, set()).add(importer)
                for text, _line in facts.attribute_chains or ():
                    for part in text.split("."):
                        mentions.setdefault(part, set()).add(importer)
            self._mentions = mentions
        return self._mentions

    def _sites_in(
        self,
        importer: str,
        routes: Mapping[tuple[str, str], tuple[str, ...]],
        by_module: Mapping[str, list[tuple[str, tuple[str, ...]]]],
        names: frozenset[str],
    ) -> list[SymbolSite]:
        facts = self.facts[importer]
        found: list[SymbolSite] = []
        for fact in facts.imports:
            if fact.type_checking and not self.include_type_checking:
                continue
            if not fact.names or names.isdisjoint([imported.name for imported in fact.names]):
                continue
            source = self.absolute(importer, fact)
            if source is None:
                continue
            for imported in fact.names:
                if imported.name == STAR:
                    exported = [
                        (name, via)
                        for name, via in by_module.get(source, ())
                        if star_exports(self.facts.get(source), name)
                    ]
                    if exported:
                        found.append(_site(importer, fact, source, STAR, exported[0][1]))
                elif (source, imported.name) in routes:
                    via = routes[(source, imported.name)]
                    found.append(_site(importer, fact, source, imported.bound_as, via))
        return found + self._attribute_sites(importer, facts, routes, names)

    def module_bindings(self, importer: str) -> dict[str, list[tuple[ImportFact, str]]]:
        """Names bound to modules by import statements: name -> [(statement, module path)]."""
        facts = self.facts.get(importer)
        heads: dict[str, list[tuple[ImportFact, str]]] = {}
        for fact in facts.imports if facts is not None else ():
            if fact.type_checking and not self.include_type_checking:
                continue
            if not fact.names:
                head = fact.alias or fact.module.split(".")[0]
                heads.setdefault(head, []).append((fact, fact.module if fact.alias else head))
                continue
            source = self.absolute(importer, fact)
            for imported in fact.names if source is not None else ():
                submodule = f"{source}.{imported.name}"
                if imported.name != STAR and submodule in self.modules:
                    heads.setdefault(imported.bound_as, []).append((fact, submodule))
        return heads

    def attribute_target(self, base: str, parts: list[str]) -> tuple[str, str, int] | None:
        """`base` module + attribute parts -> (module, name, index of name in parts).

        Submodules are walked (`m.sub.Name`); None when the parts name only modules.
        """
        module, index = base, 0
        while index < len(parts) and f"{module}.{parts[index]}" in self.modules:
            module, index = f"{module}.{parts[index]}", index + 1
        return (module, parts[index], index) if index < len(parts) else None

    def _attribute_sites(
        self,
        importer: str,
        facts: FileFacts,
        routes: Mapping[tuple[str, str], tuple[str, ...]],
        names: frozenset[str],
    ) -> list[SymbolSite]:
        """`import a.b as m` (or `from a import b`) and then `m.Name`: one site per statement."""
        if facts.attribute_chains is None:
            raise ValueError(f"{importer}: facts without attribute chains (ask for chains=True)")
        if not facts.attribute_chains:
            return []
        # A chain can reach the symbol only through one of its bound names: skip the others
        # (most of them) before working out what their heads are bound to.
        chains = [
            (parts, use_line)
            for text, use_line in facts.attribute_chains
            if not names.isdisjoint(parts := text.split("."))
        ]
        if not chains:
            return []
        heads = self.module_bindings(importer)
        grouped: dict[tuple[int, str], tuple[SymbolSite, list[int]]] = {}
        for parts, use_line in chains:
            for fact, base in statements_for(heads.get(parts[0], ()), parts, use_line):
                target = self.attribute_target(base, parts[1:])
                if target is None or (target[0], target[1]) not in routes:
                    continue
                module, name, index = target
                key = (fact.line, parts[0])
                if key not in grouped:
                    written = ".".join(parts[: index + 2])
                    site = _site(importer, fact, module, written, routes[(module, name)])
                    grouped[key] = (site, [])
                grouped[key][1].append(use_line)
                break
        return [
            replace(site, uses=tuple(sorted(set(uses))))
            for site, uses in (grouped[key] for key in sorted(grouped))
        ]

    def resolve_reference(self, module: str, dotted: str) -> Origin | None:
        """What a name as written in `module` (`Base`, `m.Base`, `a.b.Base`) refers to."""
        parts = dotted.split(".")
        if len(parts) == 1:
            return self.origin(module, parts[0])
        for _fact, base in self.module_bindings(module).get(parts[0], ()):
            target = self.attribute_target(base, parts[1:])
            if target is not None and target[2] == len(parts) - 2:
                return self.origin(target[0], target[1])
        return None


def statements_for(
    candidates: Iterable[tuple[ImportFact, str]], parts: list[str], use_line: int
) -> list[tuple[ImportFact, str]]:
    """The statements that may have bound a chain's head, the most likely first.

    `import a.b` and `import a.c` both bind `a`; the one naming the longest prefix of the chain
    wins, then the last one before the use.
    """
    text = ".".join(parts)

    def rank(item: tuple[ImportFact, str]) -> tuple[int, int, int]:
        fact = item[0]
        written = (fact.alias or fact.module) if not fact.names else parts[0]
        matches = text == written or text.startswith(written + ".")
        before = fact.line <= use_line
        return (-len(written) if matches else 0, 0 if before else 1, -fact.line if before else fact.line)

    return sorted(candidates, key=rank)


def _site(
    importer: str, fact: ImportFact, module: str, written: str, via: tuple[str, ...]
) -> SymbolSite:
    return SymbolSite(
        importer=importer,
        line=fact.line,
        module=module,
        written=written,
        via=via,
        in_function=fact.in_function,
        type_checking=fact.type_checking,
        in_try=fact.in_try,
    )
