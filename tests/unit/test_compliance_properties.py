"""Compliance on random import graphs, for every contract type, against a brute-force oracle.

compliance = respecting / (respecting + violating), exempt units in neither. Fixing code must
never make the figure worse and breaking it never better: removing a violating import never
lowers it, rerouting one to a permitted target never lowers it, adding one never raises it;
display settings (acyclic's max_cycle_length) do not change it. The oracle below shares no
code with archgraph: it walks the edges by breadth-first search.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import contract, model_from_edges

from archgraph.model.classes import ClassInfo, ClassModel
from archgraph.results import ContractResult
from archgraph.rules.single_implementation import SingleImplementation

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import assume, example, given
from hypothesis import strategies as st

Edge = tuple[str, str]

PACKAGES = ("pkg.a", "pkg.b", "pkg.c", "pkg.d")
MODULES = ("pkg", *(m for p in PACKAGES for m in (p, f"{p}.x", f"{p}.y")))
PAIRS = [(a, b) for a in MODULES for b in MODULES if a != b]


def within(module: str, ancestor: str) -> bool:
    return module == ancestor or module.startswith(ancestor + ".")


def inside(module: str, ancestors: Iterable[str]) -> bool:
    return any(within(module, a) for a in ancestors)


def reaches(edges: frozenset[Edge], start: str, target: Callable[[str], bool], avoid: Callable[[str], bool]) -> bool:
    """A chain of imports from `start` to a target module, through no avoided module."""
    if target(start):
        return True
    if avoid(start):
        return False
    seen, queue = {start}, deque([start])
    while queue:
        current = queue.popleft()
        for a, b in edges:
            if a != current or b in seen:
                continue
            if target(b):
                return True
            if not avoid(b):
                seen.add(b)
                queue.append(b)
    return False


@dataclass(frozen=True)
class Verdict:
    """The oracle's sites: respecting, violating, exempt."""

    respecting: frozenset[Edge]
    violating: frozenset[Edge]
    exempt: frozenset[Edge] = frozenset()

    @property
    def compliance(self) -> float:
        governed = len(self.respecting) + len(self.violating)
        return len(self.respecting) / governed if governed else 1.0


def verdict(candidates: set[Edge], violating: set[Edge], exempt: set[Edge] = frozenset()) -> Verdict:  # type: ignore[assignment]
    return Verdict(
        frozenset(candidates - violating - exempt), frozenset(violating - exempt), frozenset(exempt)
    )


# --- the oracle, one function per contract (the tables are below) -----------------------------


def oracle_layers(edges: frozenset[Edge], layers: list[list[str]], ignored: set[Edge]) -> Verdict:
    """Layers top to bottom; every layer given here lists independent siblings."""
    listed = [m for level in layers for m in level]
    level_of = {m: i for i, level in enumerate(layers) for m in level}
    kept = edges - ignored
    candidates, violating = set(), set()
    for a, b in edges:
        home = next((m for m in listed if within(a, m)), None)
        if home is None or within(b, home):
            continue
        candidates.add((a, b))
        if (a, b) in ignored:
            continue
        for high in listed:
            if high == home or level_of[high] > level_of[home]:
                continue  # the same module, or a lower layer: importing it is fine
            if reaches(kept, b, lambda m, h=high: within(m, h), lambda m: inside(m, listed)):
                violating.add((a, b))
    return verdict(candidates, violating, candidates & ignored)


def oracle_forbidden(edges: frozenset[Edge], source: str, forbidden: str, indirect: bool) -> Verdict:
    candidates, violating = set(), set()
    for a, b in edges:
        if not within(a, source) or within(b, source):
            continue
        candidates.add((a, b))
        is_forbidden = lambda m: within(m, forbidden)  # noqa: E731
        if is_forbidden(b) or (indirect and reaches(edges, b, is_forbidden, lambda m: within(m, source))):
            violating.add((a, b))
    return verdict(candidates, violating)


def oracle_forbidden_excluding(
    edges: frozenset[Edge], source: str, forbidden: str, excluded: list[str]
) -> Verdict:
    """As `oracle_forbidden`, with the excluded modules out of scope at both ends of a chain
    (no import from one is governed, a chain into one is no violation) but walked through."""
    candidates, violating = set(), set()
    target = lambda m: within(m, forbidden) and not inside(m, excluded)  # noqa: E731
    for a, b in edges:
        if not within(a, source) or within(b, source) or inside(a, excluded):
            continue
        candidates.add((a, b))
        if reaches(edges, b, target, lambda m: within(m, source)):
            violating.add((a, b))
    return verdict(candidates, violating)


def oracle_allowlist(edges: frozenset[Edge], source: str, allowed: list[str]) -> Verdict:
    candidates = {(a, b) for a, b in edges if within(a, source) and not within(b, source)}
    return verdict(candidates, {(a, b) for a, b in candidates if not inside(b, allowed)})


def oracle_independence(edges: frozenset[Edge], modules: list[str]) -> Verdict:
    return oracle_layers(edges, [modules], set())


def oracle_protected(edges: frozenset[Edge], protected: str, allowed: list[str]) -> Verdict:
    violating, exempt, gates = set(), set(), set()
    for a, b in edges:
        if within(b, protected) and not within(a, protected):
            if inside(a, allowed):
                exempt.add((a, b))
                gates.add(a)
            else:
                violating.add((a, b))
    respecting = {
        (a, b)
        for a, b in edges
        if b in gates and not inside(a, allowed) and not within(a, protected)
    }
    return verdict(respecting | violating, violating, exempt)


def oracle_acyclic(edges: frozenset[Edge], package: str) -> Verdict:
    def child(module: str) -> str | None:
        if not module.startswith(package + "."):
            return None
        return ".".join(module.split(".")[: package.count(".") + 2])

    collapsed = frozenset(
        (child(a), child(b)) for a, b in edges if child(a) and child(b) and child(a) != child(b)
    )
    candidates, violating = set(), set()
    for a, b in edges:
        ca, cb = child(a), child(b)
        if ca is None or cb is None or ca == cb:
            continue
        candidates.add((a, b))
        if reaches(collapsed, cb, lambda m, home=ca: m == home, lambda m: False):  # type: ignore[arg-type]
            violating.add((a, b))  # the dependency ca -> cb lies on a cycle
    return verdict(candidates, violating)


@dataclass(frozen=True)
class Case:
    table: dict[str, Any]
    oracle: Callable[[frozenset[Edge]], Verdict]
    breaking: frozenset[Edge]  # imports that break the contract in any graph


IGNORED = ("pkg.d.x", "pkg.a.x")
CASES = {
    "layers": Case(
        {"type": "layers", "layers": ["pkg.a", "pkg.b | pkg.c", "pkg.d"], "ignore_imports": ["pkg.d.x -> pkg.a.x"]},
        lambda e: oracle_layers(e, [["pkg.a"], ["pkg.b", "pkg.c"], ["pkg.d"]], {IGNORED} & e),
        frozenset({("pkg.d.y", "pkg.a.x")}),
    ),
    "forbidden": Case(
        {"type": "forbidden", "source_modules": ["pkg.a"], "forbidden_modules": ["pkg.d"]},
        lambda e: oracle_forbidden(e, "pkg.a", "pkg.d", indirect=True),
        frozenset({("pkg.a.x", "pkg.d.y")}),
    ),
    "forbidden-direct": Case(
        {"type": "forbidden", "source_modules": ["pkg.a"], "forbidden_modules": ["pkg.d"], "allow_indirect_imports": True},
        lambda e: oracle_forbidden(e, "pkg.a", "pkg.d", indirect=False),
        frozenset({("pkg.a.x", "pkg.d.y")}),
    ),
    "forbidden-excluding": Case(
        {
            "type": "forbidden",
            "source_modules": ["pkg.a"],
            "forbidden_modules": ["pkg.d"],
            "exclude_modules": ["pkg.a.y", "pkg.c", "pkg.d.x"],
        },
        lambda e: oracle_forbidden_excluding(e, "pkg.a", "pkg.d", ["pkg.a.y", "pkg.c", "pkg.d.x"]),
        frozenset({("pkg.a.x", "pkg.d.y")}),
    ),
    "allowlist": Case(
        {"type": "allowlist", "source_modules": ["pkg.a"], "allowed_modules": ["pkg.b", "pkg.c.x"], "allow_all_external": True},
        lambda e: oracle_allowlist(e, "pkg.a", ["pkg.b", "pkg.c.x"]),
        frozenset({("pkg.a.x", "pkg.d.y")}),
    ),
    "independence": Case(
        {"type": "independence", "modules": ["pkg.b", "pkg.c", "pkg.d"]},
        lambda e: oracle_independence(e, ["pkg.b", "pkg.c", "pkg.d"]),
        frozenset({("pkg.b.x", "pkg.c")}),
    ),
    "protected": Case(
        {"type": "protected", "modules": ["pkg.d.x"], "allowed_importers": ["pkg.d.y", "pkg.a"]},
        lambda e: oracle_protected(e, "pkg.d.x", ["pkg.d.y", "pkg.a"]),
        frozenset({("pkg.b.y", "pkg.d.x")}),
    ),
    "acyclic": Case(
        {"type": "acyclic", "packages": ["pkg"], "max_cycle_length": 2},
        lambda e: oracle_acyclic(e, "pkg"),
        frozenset({("pkg.a.x", "pkg.b"), ("pkg.b.y", "pkg.a")}),
    ),
}


def checked(kind: str, edges: Iterable[Edge], **settings: Any) -> ContractResult:
    by_importer: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        by_importer.setdefault(a, []).append(b)
    model = model_from_edges(by_importer, modules=MODULES)
    result = contract(name=kind, **{**CASES[kind].table, **settings}).check(model)
    assert not result.misconfigured, result.diagnostics
    return result


def edge_sets(max_size: int = 22) -> st.SearchStrategy[frozenset[Edge]]:
    return st.frozensets(st.sampled_from(PAIRS), max_size=max_size)


KINDS = sorted(CASES)


# Shapes a report shows only in part: two sources whose chains share their middle (one shortest
# chain is listed), three children on a cycle no longer than two would list.
SHARED_MIDDLE = frozenset(
    {("pkg.a.y", "pkg.b.y"), ("pkg.a.x", "pkg.b.y"), ("pkg.b.y", "pkg.d"), ("pkg.c.x", "pkg.b.y")}
)
LONG_CYCLE = frozenset(
    {("pkg.a.x", "pkg.b"), ("pkg.b.y", "pkg.a"), ("pkg.b.x", "pkg.c.x"), ("pkg.c.y", "pkg.a.y")}
)


@pytest.mark.parametrize("kind", KINDS)
@given(edges=edge_sets())
@example(edges=SHARED_MIDDLE)
@example(edges=LONG_CYCLE)
@example(edges=SHARED_MIDDLE | LONG_CYCLE | {("pkg.d.x", "pkg.c.y"), ("pkg.a", "pkg.d.y")})
def test_compliance_equals_the_oracle(kind: str, edges: frozenset[Edge]) -> None:
    result = checked(kind, edges)
    expected = CASES[kind].oracle(edges)

    assert (result.respecting, result.violating, result.exempt) == (
        len(expected.respecting), len(expected.violating), len(expected.exempt),
    )
    assert result.governed == result.respecting + result.violating  # type: ignore[operator]
    assert result.compliance == pytest.approx(expected.compliance)


@pytest.mark.parametrize("kind", KINDS)
@given(edges=edge_sets(), data=st.data())
def test_removing_a_violating_import_never_lowers_compliance(
    kind: str, edges: frozenset[Edge], data: st.DataObject
) -> None:
    edges |= CASES[kind].breaking
    violating = sorted(CASES[kind].oracle(edges).violating)
    removed = data.draw(st.sampled_from(violating))

    before, after = checked(kind, edges), checked(kind, edges - {removed})

    assert after.compliance >= before.compliance  # type: ignore[operator]


@pytest.mark.parametrize("kind", KINDS)
@given(edges=edge_sets(), data=st.data())
def test_rerouting_a_violating_import_to_a_permitted_target_never_lowers_compliance(
    kind: str, edges: frozenset[Edge], data: st.DataObject
) -> None:
    oracle = CASES[kind].oracle
    edges |= CASES[kind].breaking
    old = oracle(edges)
    importer, target = data.draw(st.sampled_from(sorted(old.violating)))
    # Permitted: the rerouted code breaks the contract nowhere it did not already.
    permitted = [
        other
        for other in MODULES
        if other not in (importer, target)
        and (importer, other) not in edges
        and oracle(edges - {(importer, target)} | {(importer, other)}).violating <= old.violating
    ]
    assume(permitted)
    other = data.draw(st.sampled_from(permitted))

    before = checked(kind, edges)
    after = checked(kind, edges - {(importer, target)} | {(importer, other)})

    assert after.compliance >= before.compliance  # type: ignore[operator]


@pytest.mark.parametrize("kind", KINDS)
@given(edges=edge_sets(), data=st.data())
def test_adding_a_violating_import_never_raises_compliance(
    kind: str, edges: frozenset[Edge], data: st.DataObject
) -> None:
    oracle = CASES[kind].oracle
    breaking = [p for p in PAIRS if p not in edges and p in oracle(edges | {p}).violating]
    assume(breaking)
    added = data.draw(st.sampled_from(breaking))

    before, after = checked(kind, edges), checked(kind, edges | {added})

    assert after.compliance <= before.compliance  # type: ignore[operator]


@given(edges=edge_sets(30), length=st.integers(2, 8))
def test_acyclic_compliance_does_not_depend_on_max_cycle_length(edges: frozenset[Edge], length: int) -> None:
    shortest, longer = checked("acyclic", edges), checked("acyclic", edges, max_cycle_length=length)

    assert (longer.governed, longer.respecting) == (shortest.governed, shortest.respecting)


# --- single-implementation: classes ----------------------------------------------------------

CLASS_MODULES = ("app.core", "app.one", "app.two", "app.tests")
CANONICAL = "app.core.MainDispatcher"


@st.composite
def class_models(draw: st.DrawFn) -> list[tuple[str, str | None]]:
    """(qualname, base) of each class; bases name an earlier class (or none)."""
    classes: list[tuple[str, str | None]] = [("app.core.BaseDispatcher", None), (CANONICAL, "app.core.BaseDispatcher")]
    for index in range(draw(st.integers(0, 6))):
        module = draw(st.sampled_from(CLASS_MODULES))
        name = draw(st.sampled_from(["Dispatcher", "FastDispatcher", "Helper"]))
        base = draw(st.sampled_from([None, *(q for q, _ in classes)]))
        classes.append((f"{module}.{name}{index}", base))
    return classes


def build_classes(classes: list[tuple[str, str | None]]) -> ClassModel:
    infos = []
    for line, (qualname, base) in enumerate(classes, start=1):
        module, _, name = qualname.rpartition(".")
        infos.append(
            ClassInfo(qualname, name, module, Path(module.replace(".", "/") + ".py"), line, (base,) if base else ())
        )
    return ClassModel(tuple(infos), modules=CLASS_MODULES)


def check_classes(classes: list[tuple[str, str | None]]) -> ContractResult:
    rule = contract(
        name="one-dispatcher",
        type="single-implementation",
        concept="*Dispatcher*",
        canonical=CANONICAL,
        allowed_modules=["app.tests"],
    )
    assert isinstance(rule, SingleImplementation)
    return rule.check_classes(build_classes(classes), CLASS_MODULES)


def class_oracle(classes: list[tuple[str, str | None]]) -> Verdict:
    bases = dict(classes)

    def lineage(qualname: str) -> list[str]:
        found = []
        while (base := bases.get(qualname)) is not None:
            found.append(base)
            qualname = base
        return found

    matching = {q for q, _ in classes if "Dispatcher" in q.rpartition(".")[2]}
    respecting = {q for q in matching if q == CANONICAL or q in lineage(CANONICAL) or CANONICAL in lineage(q)}
    exempt = {q for q in matching - respecting if q.startswith("app.tests.")}
    as_sites = lambda names: {(q, q) for q in names}  # noqa: E731 - one unit per class
    return verdict(as_sites(matching), as_sites(matching - respecting - exempt), as_sites(exempt))


def violating_classes(classes: list[tuple[str, str | None]]) -> list[str]:
    return sorted(q for q, _ in class_oracle(classes).violating)


@given(classes=class_models())
def test_single_implementation_compliance_equals_the_oracle(classes: list[tuple[str, str | None]]) -> None:
    result, expected = check_classes(classes), class_oracle(classes)

    assert (result.respecting, result.violating, result.exempt, result.unit) == (
        len(expected.respecting), len(expected.violating), len(expected.exempt), "classes",
    )
    assert result.compliance == pytest.approx(expected.compliance)


@given(classes=class_models(), data=st.data())
def test_removing_or_rerouting_a_violating_class_never_lowers_compliance(
    classes: list[tuple[str, str | None]], data: st.DataObject
) -> None:
    violating = violating_classes(classes)
    assume(violating)
    chosen = data.draw(st.sampled_from(violating))
    removed = [(q, b) for q, b in classes if q != chosen and b != chosen]  # and nothing built on it
    rerouted = [(q, CANONICAL if q == chosen else b) for q, b in classes]  # derives from the canonical

    before = check_classes(classes).compliance
    assert check_classes(removed).compliance >= before  # type: ignore[operator]
    assert check_classes(rerouted).compliance >= before  # type: ignore[operator]


@given(classes=class_models())
def test_adding_a_violating_class_never_raises_compliance(classes: list[tuple[str, str | None]]) -> None:
    added = [*classes, ("app.two.RogueDispatcher", None)]

    assert check_classes(added).compliance <= check_classes(classes).compliance  # type: ignore[operator]
