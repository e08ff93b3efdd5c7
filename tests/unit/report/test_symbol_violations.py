"""How symbol violations render: text lines and JSON keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgraph.diagnostics import ImportStep, Location, Violation
from archgraph.report.json import violation_to_dict
from archgraph.report.text import violation_lines

SYMBOL = "app.registry.AgentRegistry"


def symbol_violation(alias: str | None, via: tuple[str, ...] = (), message: str = "m") -> Violation:
    return Violation(
        code="AG131",
        contract="c",
        message=message,
        chain=(ImportStep("app.user", via[0] if via else "app.registry", (4,)),),
        location=Location(Path("app/user.py"), 4),
        symbol=SYMBOL,
        alias=alias,
        via=via,
    )


@pytest.mark.parametrize(
    ("violation", "lines"),
    [
        (
            symbol_violation(None, ("app.facade", "app.inner")),
            [f"- app.user imports {SYMBOL} (via app.facade -> app.inner)", "    app/user.py:4"],
        ),
        (
            symbol_violation("Registry"),
            [f"- app.user imports {SYMBOL} as Registry", "    app/user.py:4"],
        ),
        (
            symbol_violation("*", ("app.facade",)),
            [f"- app.user imports {SYMBOL} by a star import (via app.facade)", "    app/user.py:4"],
        ),
        (
            symbol_violation("r.AgentRegistry", message="used at line 9"),
            [f"- app.user imports {SYMBOL} as r.AgentRegistry", "    app/user.py:4", "    used at line 9"],
        ),
    ],
)
def test_text_lines(violation: Violation, lines: list[str]) -> None:
    assert violation_lines(violation) == lines


def test_json_adds_symbol_alias_and_via() -> None:
    data = violation_to_dict(symbol_violation("Registry", ("app.facade",)))
    assert (data["symbol"], data["alias"], data["via"]) == (SYMBOL, "Registry", ["app.facade"])
    assert (data["importer"], data["imported"], data["line"]) == ("app.user", "app.facade", 4)
