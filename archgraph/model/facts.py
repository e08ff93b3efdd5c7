"""Per-file facts beyond the module graph: imported names, definitions, classes.

Read by the symbol and class rules; produced (parsed, cached, in parallel) by `scan/facts.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol


class ImportedName(NamedTuple):
    """A name after `from M import`; a NamedTuple because there are hundreds of thousands."""

    name: str  # as written, e.g. `AgentRegistry`, or `*`
    alias: str | None = None

    @property
    def bound_as(self) -> str:
        return self.alias or self.name


class ImportFact(NamedTuple):
    """One import statement. `from . import x` has module '' and level 1."""

    line: int
    module: str  # `import a.b` -> "a.b"; `from .x import y` -> "x"
    level: int = 0
    names: tuple[ImportedName, ...] = ()  # empty for `import a.b [as c]`
    alias: str | None = None  # `import a.b as c` -> "c"
    in_function: bool = False
    type_checking: bool = False
    in_try: bool = False

    @property
    def is_from(self) -> bool:
        return bool(self.names)


class ForwardedMethod(NamedTuple):
    """A method whose body only calls the same-purpose method on an attribute of self."""

    method: str
    attribute: str
    target: str


class ClassFact(NamedTuple):
    name: str
    qualname: str  # nested classes: Outer.Inner
    line: int
    bases: tuple[str, ...]  # as written: `abc.ABC`, `Base` (subscripts dropped)
    metaclass: str | None = None
    decorators: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    abstract_methods: tuple[str, ...] = ()
    attribute_types: tuple[tuple[str, str], ...] = ()  # self.attr = Callee(...) -> (attr, Callee)
    forwarded: tuple[ForwardedMethod, ...] = ()


class FileFacts(NamedTuple):
    module: str
    imports: tuple[ImportFact, ...] = ()
    definitions: tuple[str, ...] = ()  # module-level names bound by def, class or assignment
    classes: tuple[ClassFact, ...] = ()
    dunder_all: tuple[str, ...] | None = None
    # True when `__all__` is partly computed (`a.__all__ + [...]`): `dunder_all` is then a subset.
    dunder_all_partial: bool = False
    # `name.attr...` text and line, for names bound by `import a.b [as m]` or `from a import b [as m]`;
    # None when not extracted (only symbol contracts read them: ask `FactsPort.facts(chains=True)`)
    attribute_chains: tuple[tuple[str, int], ...] | None = ()
    error_line: int | None = None  # first syntax error the parser recovered from


class FactsPort(Protocol):
    """Gives facts for modules, parsing only files whose bytes pass `mentions` (if given).

    `attribute_chains` cost a fifth of the parsing and only symbol contracts read them: they are
    extracted when `chains` is true, and are otherwise None or whatever an earlier call found.
    """

    def facts(
        self, modules: Iterable[str], mentions: Iterable[bytes] = (), chains: bool = False
    ) -> Mapping[str, FileFacts]: ...

    def mentioning(
        self, mentions: Sequence[bytes], project: Callable[[FileFacts], FileFacts], key: Hashable
    ) -> Mapping[str, FileFacts]:
        """The facts (with chains) of every analyzed file whose bytes hold one of `mentions`,
        each passed through `project`, which `key` names.

        Kept per file across runs: after an edit only the changed files are read again. For
        questions over many files (who imports a symbol) where a small part of each file counts.
        """
        ...

    def memo(
        self, key: tuple[Any, ...], compute: Callable[[], Any], valid: Callable[[Any], bool]
    ) -> Any:
        """`compute()`, or what it gave in an earlier run on the very same files.

        For values that depend on the analyzed files only (and on `key`): the value is kept
        while no file changes, appears or disappears. It must be plain data (marshal); `valid`
        tells a kept value of the right shape from one a hostile cache folder holds.
        """
        ...
