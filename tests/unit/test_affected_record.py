"""The record of `check --affected`: the result as plain data and back, and the modules a file
can name (the scanner is handed those only)."""

from __future__ import annotations

import dataclasses
import inspect
import random
from pathlib import Path

import pytest

from archgraph.diagnostics import (
    BaselineStatus,
    Diagnostic,
    ImportKind,
    ImportStep,
    Location,
    Severity,
    Violation,
    ViolationKey,
)
from archgraph.results import (
    AffectedScope,
    ContractResult,
    Coverage,
    RunResult,
    ScanSummary,
    Suppressed,
)
from archgraph.usecases.affected_record import (
    Unrecordable,
    _named_by,
    decode,
    encode,
    recordable,
)


def a_result() -> RunResult:
    step = ImportStep("app.low", "app.high", (3, 7), (ImportKind.TYPE_CHECKING, ImportKind.RUNTIME))
    violation = Violation(
        "AG101", "layers", "app.low imports app.high", (step,), Location(Path("app/low.py"), 3),
        baseline=BaselineStatus.NEW, in_tests=True, via=("app.mid",),
    )
    contract = ContractResult(
        contract_id="layers", name="Layers", kind="layers", severity=Severity.WARNING,
        violations=(violation,),
        diagnostics=(Diagnostic("AG311", Severity.INFO, "unused", Location(Path("a.toml"), 4), "prune"),),
        governed=4, respecting=3, exempt=1, formula="f", hint="h", out_of_scope=2,
        fixed=(ViolationKey("layers", "AG101", "a", "b"),),
        suppressed=(Suppressed(Location(Path("app/x.py"), 1), "legacy", (("app.x", "app.y"),)),),
    )
    return RunResult(
        root=Path("/project"),
        contracts=(contract,),
        diagnostics=(Diagnostic("AG203", Severity.WARNING, "skipped"),),
        summary=ScanSummary(10, 20, 1, 9),
        strict=True,
        coverage=Coverage(10, ("app.z",), ("app.z",), required=True),
        show_suppressed=True,
    )


def test_a_result_comes_back_exactly_from_plain_data() -> None:
    result = a_result()
    encoded = recordable(result)
    assert repr(decode(encoded)) == repr(result)
    assert decode(encoded) == result
    step = decode(encoded).contracts[0].violations[0].chain[0]
    assert step.kinds == (ImportKind.TYPE_CHECKING, ImportKind.RUNTIME)  # not compared by ==


def test_every_recorded_class_takes_its_fields_in_order() -> None:
    from archgraph.usecases.affected_record import _CLASSES  # noqa: PLC0415

    for cls in _CLASSES.values():
        if dataclasses.is_dataclass(cls):
            assert all(f.init and not f.kw_only for f in dataclasses.fields(cls)), cls
        else:  # a named tuple: its fields are its positional arguments, in order
            assert tuple(inspect.signature(cls).parameters) == cls._fields, cls  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "value",
    [
        ("D", "Exploit", 1),  # a class it does not know
        ("D", "ScanSummary", 1),  # too few fields
        ("E", "Severity", "fatal"),  # no such member
        ("X", "anything"),
        {"a": 1},
        b"bytes",
    ],
)
def test_data_it_did_not_write_is_refused(value: object) -> None:
    with pytest.raises((ValueError, KeyError)):
        decode(value)


def test_a_result_with_more_than_contract_results_is_not_recorded() -> None:
    scope = AffectedScope("HEAD", 1, frozenset(), frozenset(), 1)
    for result in (
        a_result()._replace(extras=(("x", object()),)),
        a_result()._replace(scope=scope),
        a_result()._replace(baseline=Path("baseline.toml")),
    ):
        with pytest.raises(Unrecordable):
            recordable(result)


def test_the_modules_a_file_can_name_are_those_made_of_its_words() -> None:
    rng = random.Random(5)
    parts = ["a", "b", "c", "core", "api", "x1"]
    names = sorted({
        ".".join(["pkg", *rng.choices(parts, k=rng.randrange(0, 4))]) for _ in range(300)
    } | {"other.a", "pkg"})
    member_of = bytes(0 if name.startswith("other") or rng.random() < 0.1 else 1 for name in names)
    for _ in range(50):
        words = set(rng.sample([*parts, "pkg", "zzz"], k=rng.randrange(1, 8)))
        found = _named_by(names, member_of, "pkg", 1, words)
        expected = [
            name for name, member in zip(names, member_of, strict=True)
            if member == 1 and words.issuperset(name.split("."))
        ]
        assert sorted(found) == expected


@pytest.mark.parametrize("value", [frozenset({"a"}), {"a": 1}, object(), ("a", b"b")])
def test_data_of_other_kinds_is_not_recorded(value: object) -> None:
    with pytest.raises(Unrecordable):
        encode(value)
