"""The audit's scorecards: plain frozen data, and the pure functions that build them.

One formula for every concept (printed with every report, see `FORMULA`):

    compliance = canonical sites / (canonical sites + bypassing sites)

A *site* is an import statement in production code that obtains one of the concept's classes,
followed through re-exports (`from app import AgentRegistry` obtains what `app/__init__.py`
re-exports). A site is *canonical* when it obtains the canonical class or a class built on it
(a subclass; for a family, a root of the canonical group) and, for a protected symbol, its
importer is allowed or it takes the symbol from the contract's `replacement` module. It is
*bypassing* when it obtains a competing implementation, or the
protected symbol outside the allowed importers. Exempt, in neither count: sites in test code
(counted apart), sites of classes in a contract's `allowed_modules`, and the modules that define
the concept's classes. So removing or rerouting a bypassing import never lowers the figure and
adding one never raises it, and no display setting enters it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from archgraph.diagnostics import Diagnostic, Location
from archgraph.model.classes import ClassInfo

FORMULA = (
    "compliance = canonical sites / (canonical sites + bypassing sites), over the import "
    "statements in production code that obtain one of the concept's classes (followed through "
    "re-exports); canonical: obtains the canonical class or a class built on it (and, for a "
    "protected symbol, in an allowed importer or from the contract's replacement); bypassing: obtains a competing implementation "
    "(or the protected symbol from elsewhere); test code, allowed_modules and the defining "
    "modules are left out. Overall: the same sum over every concept."
)
TOP_IMPORTERS = 5


class ConceptSource(StrEnum):
    """Where a concept comes from."""

    FAMILY = "family"  # found by the families analysis, no contract names it
    SINGLE_IMPLEMENTATION = "single-implementation"
    PROTECTED = "protected"


class Standing(StrEnum):
    """What an implementation is to its concept."""

    CANONICAL = "canonical"  # the canonical class, or built on it
    COMPETING = "competing"  # an implementation besides the canonical one
    EXEMPT = "exempt"  # in allowed_modules or test code: shown, not counted


@dataclass(frozen=True, slots=True)
class Site:
    """One import statement that obtains a class of a concept."""

    importer: str
    location: Location | None
    obtains: str  # qualified name of the class obtained
    via: tuple[str, ...] = ()  # re-exporting modules passed on the way
    in_tests: bool = False
    import_kind: str = "runtime"  # runtime, type_checking (under `if TYPE_CHECKING:`), function
    written: str = ""  # the name the import binds (`m.Name` for attribute access, `*`)
    source: str = ""  # the module it is taken from: the definer, or a re-exporter


@dataclass(frozen=True, slots=True)
class Implementation:
    """One class of a concept, with who imports and who instantiates it."""

    qualname: str
    location: Location
    standing: Standing
    in_tests: bool
    nested: bool
    import_sites: int  # in production code
    test_import_sites: int
    instantiations: int  # `Name(...)` calls in the production modules that import it
    top_importers: tuple[tuple[str, int], ...]  # (module, sites), most sites first
    built_on: str | None = None  # the nearest class of the concept it derives from; None: a root
    definition: str = "primary"  # primary, nested, shadow (same-name subclass) or fallback


@dataclass(frozen=True, slots=True)
class Scorecard:
    """One concept: its canonical class, every implementation, the sites that bypass it."""

    concept: str
    source: ConceptSource
    contract_id: str | None
    canonical: str | None  # None when no production class could be canonical
    implementations: tuple[Implementation, ...]  # canonical first, then by qualified name
    canonical_sites: int
    bypassing: tuple[Site, ...]  # sorted by importer and line
    test_sites: int  # left out of the figure

    @property
    def competing(self) -> tuple[Implementation, ...]:
        """The competing implementations: competing classes built on no other class of the
        concept (their subclasses are listed, but are part of the same implementation)."""
        return tuple(
            i for i in self.implementations if i.standing is Standing.COMPETING and i.built_on is None
        )

    @property
    def counted_sites(self) -> int:
        return self.canonical_sites + len(self.bypassing)

    @property
    def compliance(self) -> float | None:
        """canonical / (canonical + bypassing); None when no production code imports any."""
        if not self.counted_sites:
            return None
        return self.canonical_sites / self.counted_sites


@dataclass(frozen=True, slots=True)
class Audit:
    """Every scorecard, and the overall figure over all of them."""

    root: str
    packages: tuple[str, ...]
    scorecards: tuple[Scorecard, ...]
    test_modules: int  # modules recognised as test code (their sites counted apart)
    modules: int
    diagnostics: tuple[Diagnostic, ...] = ()
    formula: str = FORMULA

    @property
    def canonical_sites(self) -> int:
        return sum(card.canonical_sites for card in self.scorecards)

    @property
    def bypassing_sites(self) -> int:
        return sum(len(card.bypassing) for card in self.scorecards)

    @property
    def compliance(self) -> float | None:
        counted = self.canonical_sites + self.bypassing_sites
        return self.canonical_sites / counted if counted else None


# --- building a scorecard -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConceptClasses:
    """What a scorecard is made of, before any import is counted."""

    concept: str
    source: ConceptSource
    contract_id: str | None
    canonical: str | None
    standing: Mapping[str, Standing]  # qualified name -> standing, for every class shown
    allowed_importer: Callable[[str], bool] | None = None  # protected: who may import canonical
    groups: tuple[tuple[str, ...], ...] = ()  # a family's competing groups of roots
    canonical_path: str | None = None  # protected: the replacement's module, allowed to anyone


def scorecard(
    concept: ConceptClasses,
    classes: Mapping[str, ClassInfo],
    sites: Mapping[str, Sequence[Site]],
    instantiations: Mapping[str, int],
    built_on: Mapping[str, str] = {},
) -> Scorecard:
    """The scorecard of a concept, given every site of its classes and their instantiations."""
    defining = {classes[q].module for q in concept.standing if q in classes}
    canonical_sites = 0
    bypassing: list[Site] = []
    test_sites = 0
    implementations = []
    for qualname, standing in concept.standing.items():
        info = classes.get(qualname)
        if info is None:
            continue
        found = [s for s in sites.get(qualname, ()) if s.importer not in defining]
        production = [s for s in found if not s.in_tests]
        test_sites += len(found) - len(production)
        for site in production:
            if standing is Standing.EXEMPT:
                continue
            allowed = (
                concept.allowed_importer is None
                or concept.allowed_importer(site.importer)
                or site.source == concept.canonical_path
            )
            if standing is Standing.CANONICAL and allowed:
                canonical_sites += 1
            else:
                bypassing.append(site)
        counts = Counter(s.importer for s in production)
        implementations.append(
            Implementation(
                qualname=qualname,
                location=info.location,
                standing=standing,
                in_tests=standing is Standing.EXEMPT and all(s.in_tests for s in found) and not production,
                nested=info.nested,
                import_sites=len(production),
                test_import_sites=len(found) - len(production),
                instantiations=instantiations.get(qualname, 0),
                top_importers=tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_IMPORTERS]),
                built_on=built_on.get(qualname),
                definition=str(info.definition_kind),
            )
        )
    order = {Standing.CANONICAL: 0, Standing.COMPETING: 1, Standing.EXEMPT: 2}
    implementations.sort(key=lambda i: (i.qualname != concept.canonical, order[i.standing], i.qualname))
    return Scorecard(
        concept=concept.concept,
        source=concept.source,
        contract_id=concept.contract_id,
        canonical=concept.canonical,
        implementations=tuple(implementations),
        canonical_sites=canonical_sites,
        bypassing=tuple(sorted(bypassing, key=_site_order)),
        test_sites=test_sites,
    )


def _site_order(site: Site) -> tuple[str, int, str]:
    return (site.importer, site.location.line or 0 if site.location else 0, site.obtains)


def most_imported(candidates: Iterable[str], sites: Mapping[str, Sequence[Site]]) -> str | None:
    """The candidate production code imports most, a public class before a private one
    (`_ZoneContext`); ties: the shortest name, then the first by name."""
    ranked = sorted(
        candidates,
        key=lambda q: (
            q.rpartition(".")[2].startswith("_"),
            -sum(1 for s in sites.get(q, ()) if not s.in_tests),
            len(q),
            q,
        ),
    )
    return ranked[0] if ranked else None


def ranked(cards: Iterable[Scorecard]) -> tuple[Scorecard, ...]:
    """Configured concepts first (as configured), then found ones, most bypassing sites first."""
    every = list(cards)
    configured = [c for c in every if c.contract_id is not None]
    found = [c for c in every if c.contract_id is None]
    found.sort(key=lambda c: (-len(c.bypassing), -len(c.competing), c.concept))
    return (*configured, *found)
