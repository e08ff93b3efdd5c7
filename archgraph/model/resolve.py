"""Names in the analyzed files resolved to the module that defines them, from per-file facts.

A name written `Base`, `pkg.Base` or `Base` from a relative import resolves through aliases,
re-exports, star imports and `__all__` (`app.core.tools.base.BaseToolDispatcher`). Nothing is
imported or executed. `ImportResolver` also records what each resolution read of a module, so an
incremental rebuild of the class model can tell which resolutions an edit may change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from contextlib import contextmanager

from archgraph.model.facts import FileFacts

_MAX_HOPS = 32  # re-export chains are short; this only stops pathological cycles


# --- name resolution ------------------------------------------------------------------------


_LOCAL, _IMPORTED = 0, 1
Binding = tuple[int, int, str]  # (line, _LOCAL or _IMPORTED, target: local name or absolute path)
_UNBOUND: Binding = (0, -1, "")
# What a resolution read of a module: a name looked up there, or one of these (not identifiers).
_STARS, _ALL = "*stars", "*all"
Read = tuple[str, str]


def known_modules(modules: Iterable[str], packages: AbstractSet[str]) -> frozenset[str]:
    """The modules and packages, with every package above them: the names a resolution
    can end in a module of the project."""
    known = set(modules) | set(packages)
    for module in list(known):
        parts = module.split(".")
        known.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return frozenset(known)


class ImportResolver:
    """Resolves names through the import statements of the analyzed modules (memoized)."""

    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        packages: AbstractSet[str],
        known: frozenset[str] | None = None,
    ) -> None:
        """`packages`: modules that are packages (`__init__.py`), for relative imports;
        `known`: the `known_modules` of these facts and packages, if the caller has them."""
        self._facts = facts
        self._packages = packages
        self._modules = known if known is not None else known_modules(facts, packages)
        self._bindings: dict[str, tuple[dict[str, Binding], tuple[str, ...]]] = {}
        self._canonical_memo: dict[str, tuple[str | None, frozenset[Read]]] = {}
        # What each computation in progress has read (innermost last), as (module, key) pairs:
        # a name looked up there, or _STARS / _ALL. An incremental rebuild re-resolves a
        # module's classes when the answer to one of them changes (see `answers`).
        self._reading: list[set[Read]] = []

    @contextmanager
    def recording(self) -> Iterator[set[Read]]:
        """Collects what the resolutions made inside the block read: (module, key) pairs."""
        read: set[Read] = set()
        self._reading.append(read)
        try:
            yield read
        finally:
            self._reading.pop()

    def _read(self, reads: AbstractSet[Read]) -> None:
        if self._reading:
            self._reading[-1].update(reads)

    def resolve(self, module: str, dotted_name: str) -> str | None:
        """The qualified name `dotted_name` stands for in `module`; None when unknown."""
        head, _, rest = dotted_name.partition(".")
        found = self._lookup(module, head, 0)
        if found is None:
            return None
        kind, target = found
        if kind == _LOCAL:
            return f"{module}.{dotted_name}"
        return self._canonical(f"{target}.{rest}" if rest else target, 0)

    def _canonical(self, dotted: str, hops: int) -> str | None:
        """Where an absolute dotted path is defined: follows re-exports inside the project."""
        memo = self._canonical_memo.get(dotted)
        if memo is not None:
            self._read(memo[1])
            return memo[0]
        self._reading.append(set())
        try:
            result = self._follow(dotted, hops)
        finally:
            read = frozenset(self._reading.pop())
        self._canonical_memo[dotted] = (result, read)
        self._read(read)
        return result

    def _follow(self, dotted: str, hops: int) -> str | None:
        if hops > _MAX_HOPS:
            return None
        parts = dotted.split(".")
        split = next(
            (i for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in self._modules), 0
        )
        if split == 0:
            return dotted  # not the project's: keep it as written (`abc.ABC`)
        if split == len(parts):
            return dotted  # a module
        module = ".".join(parts[:split])
        name, rest = parts[split], parts[split + 1 :]
        found = self._lookup(module, name, hops)
        if found is None:
            return None
        kind, target = found
        if kind == _LOCAL:
            return dotted
        return self._canonical(".".join([target, *rest]), hops + 1)

    def _lookup(self, module: str, name: str, hops: int) -> tuple[int, str] | None:
        """The binding of a module-level name: defined there, imported, or from a star import."""
        bindings, stars = self._module_bindings(module)
        binding = bindings.get(name)
        if self._reading:
            self._reading[-1].add((module, name))
        if binding is not None:
            return binding[1], binding[2]
        self._read({(module, _STARS)})
        if hops <= _MAX_HOPS and not name.startswith("_"):
            for source in stars:
                if source in self._modules and self._exports(source, name, hops + 1):
                    return _IMPORTED, f"{source}.{name}"
        return None

    def _exports(self, module: str, name: str, hops: int) -> bool:
        """`from module import *` binds `name`."""
        self._read({(module, _ALL)})
        facts = self._facts.get(module)
        if facts is not None and facts.dunder_all is not None:
            return name in facts.dunder_all
        return self._lookup(module, name, hops) is not None

    def _module_bindings(self, module: str) -> tuple[dict[str, Binding], tuple[str, ...]]:
        cached = self._bindings.get(module)
        if cached is not None:
            return cached
        bindings: dict[str, Binding] = {}
        stars: list[str] = []
        facts = self._facts.get(module)

        def bind(name: str, binding: Binding) -> None:
            # Of two module-level bindings (`try: import` / `except: class`), the later one wins.
            if name not in bindings or bindings[name][0] <= binding[0]:
                bindings[name] = binding

        for fact in facts.imports if facts is not None else ():
            if fact.in_function:
                continue
            if fact.names:
                source = self._absolute(module, fact.module, fact.level)
                if source is None:
                    continue
                line = fact.line
                for name, alias in fact.names:  # `bind`, written out: 90,000 names on HA
                    if name == "*":
                        stars.append(source)
                        continue
                    bound = alias or name
                    earlier = bindings.get(bound)
                    if earlier is None or earlier[0] <= line:
                        bindings[bound] = (line, _IMPORTED, f"{source}.{name}" if source else name)
            elif fact.alias:
                bind(fact.alias, (fact.line, _IMPORTED, fact.module))
            else:
                top = fact.module.split(".")[0]
                bind(top, (fact.line, _IMPORTED, top))
        for defined in facts.classes if facts is not None else ():
            if "." not in defined.qualname:
                bind(defined.name, (defined.line, _LOCAL, defined.name))
        for name in facts.definitions if facts is not None else ():
            bindings.setdefault(name, (0, _LOCAL, name))
        result = (bindings, tuple(stars))
        self._bindings[module] = result
        return result

    def changed_reads(self, module: str, before: ImportResolver) -> set[Read]:
        """The reads of `module` (see `recording`) that `before`, over older facts, answers
        differently: names bound otherwise (the line only breaks ties), its star imports, its
        `__all__`. Only the modules that read one of these need their classes resolved again."""
        now, now_stars = self._module_bindings(module)
        then, then_stars = before._module_bindings(module)
        changed: set[Read] = {
            (module, name)
            for name in now.keys() | then.keys()
            if (now.get(name) or _UNBOUND)[1:] != (then.get(name) or _UNBOUND)[1:]
        }
        if now_stars != then_stars:
            changed.add((module, _STARS))
        if before._dunder_all(module) != self._dunder_all(module):
            changed.add((module, _ALL))
        return changed

    def _dunder_all(self, module: str) -> tuple[str, ...] | None:
        facts = self._facts.get(module)
        return facts.dunder_all if facts is not None else None

    def _absolute(self, module: str, name: str, level: int) -> str | None:
        return absolute_module(module, module in self._packages, name, level)


def absolute_module(module: str, is_package: bool, name: str, level: int) -> str | None:
    """The absolute module of `from <level dots><name> import ...` written in `module`; None
    when the dots climb above the top-level package."""
    if level == 0:
        return name
    package = module if is_package else module.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level - 1 >= len(parts):
        return None  # above the top-level package
    base = ".".join(parts[: len(parts) - (level - 1)])
    return f"{base}.{name}" if name else base


def imported_among(
    facts: Mapping[str, FileFacts], packages: AbstractSet[str], among: AbstractSet[str]
) -> set[str]:
    """The modules of `among` that the imports of the modules in `facts` may read: `a.b` for
    `import a.b` and `from a.b import c`, and `a.b.c` for the latter (`c` may be a module).
    A resolution that starts in a module reads no module's facts but those its imports may read
    (and, from them, theirs)."""
    parents = {module.rpartition(".")[0] for module in among}  # of `from parent import child`
    found: set[str] = set()
    for module, module_facts in facts.items():
        is_package = module in packages
        for fact in module_facts.imports:
            source = absolute_module(module, is_package, fact.module, fact.level) if fact.level else fact.module
            if not source:
                continue
            if source in among:
                found.add(source)
            if source in parents:
                found.update(name for name in (f"{source}.{n.name}" for n in fact.names) if name in among)
    return found


def imported_closure(
    start: Mapping[str, FileFacts],
    facts_of: Callable[[list[str]], Mapping[str, FileFacts]],
    packages: AbstractSet[str],
    among: AbstractSet[str],
) -> set[str]:
    """The modules of `among` that the imports of the modules in `start` may read, directly or
    through one another (`imported_among`); `facts_of` gives those modules' facts (it may
    parse them), which `start` need not hold."""
    reached: set[str] = set()
    found = start
    while wanted := sorted(imported_among(found, packages, among).difference(reached)):
        reached.update(wanted)
        found = facts_of(wanted)
    return reached
