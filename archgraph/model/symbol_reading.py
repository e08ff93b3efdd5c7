"""What the symbol index reads of the code: only the files that can import the symbols, and of
each only what concerns their names (kept per file across runs, so an edit re-reads one file).

Resolving names over those facts is `archgraph.model.symbols`' work.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archgraph.model.facts import FileFacts, ImportFact
from archgraph.model.files import packages_of
from archgraph.model.symbols import STAR, Symbol, SymbolIndex

if TYPE_CHECKING:
    from archgraph.model.graph import ArchModel

STAR_NEEDLE = b"import *"


def symbol_index(model: ArchModel, symbols: Collection[Symbol]) -> SymbolIndex:
    """An index over every file that can import the symbols, without parsing the other files.

    A file that never mentions a name cannot import it, except under an alias it was re-exported
    as (`from m import Name as Other` in a re-exporter, then `from reexporter import Other`), so
    the searched names grow with the aliases found until none is new. Star imports bind names
    without writing them: files with `import *` are read too. Of each file, only what concerns
    the names is kept (`SymbolProjection`), per file across runs.
    """
    packages = packages_of(model.files)
    include_type_checking = not model.exclude_type_checking_imports
    wanted = {symbol.name for symbol in symbols}
    searched: set[str] = set()
    facts: dict[str, FileFacts] = {}
    index = SymbolIndex(facts, model.modules, packages, include_type_checking)
    while wanted - searched:
        new = sorted(wanted - searched)
        needles = [name.encode() for name in new] + ([] if searched else [STAR_NEEDLE])
        # A file that mentions none of the new names projects the same for all names so far:
        # what it holds of them is written in it.
        project = SymbolProjection(frozenset(wanted))
        facts.update(model.mentioning(needles, project, project.key))
        searched.update(new)
        index = SymbolIndex(dict(facts), model.modules, packages, include_type_checking)
        for symbol in symbols:
            wanted |= index.bound_names(symbol)
    return index


@dataclass(frozen=True)
class SymbolProjection:
    """What the symbol index reads of a file, for some names: the import statements that name
    one of them (imported or bound) or `*`, the attribute chains that use one of them with the
    imports that bind their heads, and the names' definitions and `__all__` entries."""

    names: frozenset[str]

    @property
    def key(self) -> tuple[str, ...]:
        return ("symbols", str(SYMBOL_PROJECTION_VERSION), *sorted(self.names))

    def __call__(self, facts: FileFacts) -> FileFacts:
        names = self.names
        chains = tuple(
            (text, line)
            for text, line in facts.attribute_chains or ()
            if not names.isdisjoint(text.split("."))
        )
        heads = {text.partition(".")[0] for text, _line in chains}
        imports = tuple(
            fact for fact in facts.imports if self._concerns(fact, heads)
        )
        return facts._replace(
            imports=imports,
            definitions=tuple(name for name in facts.definitions if name in names),
            classes=(),
            dunder_all=(
                tuple(name for name in facts.dunder_all if name in names)
                if facts.dunder_all is not None
                else None
            ),
            attribute_chains=chains,
        )

    def _concerns(self, fact: ImportFact, heads: AbstractSet[str]) -> bool:
        if not fact.names:
            return (fact.alias or fact.module.split(".")[0]) in heads
        return any(
            imported.name == STAR
            or imported.name in self.names
            or imported.bound_as in self.names
            or imported.bound_as in heads
            for imported in fact.names
        )


SYMBOL_PROJECTION_VERSION = 1  # bump when what a projection keeps changes
