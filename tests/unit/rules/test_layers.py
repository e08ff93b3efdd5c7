"""`layers`: a higher layer may import a lower one, never the reverse; "a | b" are independent.

Models are built in memory (tests/helpers.py, model_from_edges): real grimp, no files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import contract, model_from_edges

from archgraph.diagnostics import ImportStep, Location, Severity, Violation
from archgraph.model import ArchModel
from archgraph.model.schema import ContractTable, TablePosition
from archgraph.results import ContractResult
from archgraph.rules import build_contracts

KEPT = {
    "pkg.api.views": ["pkg.services.orders"],
    "pkg.admin.panel": ["pkg.services", ("pkg.core.models", 2)],
    "pkg.services.orders": ["pkg.core.models", ("pkg.util", 2)],
}
BROKEN = {
    **KEPT,
    # Siblings of one layer must not import each other.
    "pkg.api.views": ["pkg.services.orders", ("pkg.admin.panel", 2)],
    # Direct: the bottom layer imports the top one.
    "pkg.core.models": [("pkg.api.views", 3)],
    # Indirect: services -> util (in no layer) -> api.
    "pkg.util": ["pkg.api.views"],
}
LAYERS = {
    "name": "Layers",
    "type": "layers",
    "containers": ["pkg"],
    "layers": ["api | admin", "services", "core"],
}


def check(model: ArchModel, table: dict[str, object]) -> ContractResult:
    return contract(**table).check(model)


def direct(
    importer: str, imported: str, line: int, message: str, contract: str = "layers"
) -> Violation:
    return Violation(
        code="AG101",
        contract=contract,
        message=message,
        chain=(ImportStep(importer, imported, (line,)),),
        location=Location(Path(importer.replace(".", "/") + ".py"), line),
    )


SIBLINGS = direct(
    "pkg.api.views",
    "pkg.admin.panel",
    2,
    "pkg.api imports pkg.admin; they are independent siblings in one layer",
)
UPWARD = direct(
    "pkg.core.models", "pkg.api.views", 3, "pkg.core (lower layer) imports pkg.api (higher layer)"
)
INDIRECT = Violation(
    code="AG101",
    contract="layers",
    message="pkg.services (lower layer) imports pkg.api (higher layer)",
    chain=(
        ImportStep("pkg.services.orders", "pkg.util", (2,)),
        ImportStep("pkg.util", "pkg.api.views", (1,)),
    ),
    location=Location(Path("pkg/services/orders.py"), 2),
)


def test_kept() -> None:
    result = check(model_from_edges(KEPT), LAYERS)
    assert result.kept and result.status == "kept"
    assert result.violations == () and result.diagnostics == ()
    assert (result.contract_id, result.kind, result.severity) == (
        "layers",
        "layers",
        Severity.ERROR,
    )


def test_broken_direct_indirect_and_siblings() -> None:
    result = check(model_from_edges(BROKEN), LAYERS)
    assert not result.kept
    assert result.violations == (SIBLINGS, UPWARD, INDIRECT)
    assert INDIRECT.importer == "pkg.services.orders" and INDIRECT.imported == "pkg.api.views"
    assert result.diagnostics == ()


def test_layers_without_containers_use_full_names() -> None:
    result = check(
        model_from_edges(BROKEN),
        {"name": "Layers", "type": "layers", "layers": ["pkg.api", "pkg.core"]},
    )
    assert result.violations == (UPWARD,)


def test_ignore_imports_removes_the_import_and_unused_ignores_warn() -> None:
    result = check(
        model_from_edges(BROKEN),
        {
            **LAYERS,
            "ignore_imports": [
                "pkg.core.models -> pkg.api.views",
                "pkg.util -> pkg.api",  # covers descendants: cuts the indirect chain
                "pkg.core -> pkg.nothing",  # matches no import
            ],
        },
    )
    assert result.violations == (SIBLINGS,)
    assert [(d.code, d.severity, d.message) for d in result.diagnostics] == [
        (
            "AG311",
            Severity.WARNING,
            "ignore_imports entry 'pkg.core -> pkg.nothing' matches no import",
        )
    ]


def test_wildcard_ignore() -> None:
    result = check(
        model_from_edges(BROKEN),
        {**LAYERS, "ignore_imports": ["pkg.*.models -> pkg.**", "pkg.api.* -> pkg.admin.*"]},
    )
    assert result.violations == (INDIRECT,)
    assert result.diagnostics == ()


def test_warning_severity_is_still_broken() -> None:
    result = check(model_from_edges(BROKEN), {**LAYERS, "severity": "warning"})
    assert result.severity is Severity.WARNING
    assert not result.kept
    assert len(result.violations) == 3


def test_exhaustive_reports_children_in_no_layer() -> None:
    model = model_from_edges(
        KEPT,
        modules=["pkg.extra", "pkg.stray.loose"],
        packages=["pkg.extra"],  # pkg/extra/__init__.py
        namespace=["pkg.stray"],  # pkg/stray/ has no __init__.py
    )
    result = check(model, {**LAYERS, "exhaustive": True})
    assert result.violations == tuple(
        Violation(
            code="AG102",
            contract="layers",
            message=f"{module} is not in any layer (the contract is exhaustive)",
            location=location,
        )
        for module, location in [
            ("pkg.extra", Location(Path("pkg/extra/__init__.py"))),
            # A namespace directory has no file.
            ("pkg.stray", None),
            ("pkg.util", Location(Path("pkg/util.py"))),
        ]
    )


def test_exhaustive_kept_when_every_child_is_listed() -> None:
    result = check(
        model_from_edges(KEPT),
        {**LAYERS, "layers": ["api | admin", "services", "core | util"], "exhaustive": True},
    )
    assert result.kept


def test_several_containers_by_wildcard() -> None:
    model = model_from_edges(
        {"pkg.one.api": ["pkg.one.core"], "pkg.two.core": [("pkg.two.api", 2)]}
    )
    result = check(
        model,
        {"name": "Layers", "type": "layers", "containers": ["pkg.*"], "layers": ["api", "core"]},
    )
    assert result.violations == (
        direct(
            "pkg.two.core",
            "pkg.two.api",
            2,
            "pkg.two.core (lower layer) imports pkg.two.api (higher layer)",
        ),
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"layers": ["api", "nothing"]},
            "layers: 'pkg.nothing' matches no module in the graph",
        ),
        (
            {"containers": ["pkg.missing"]},
            "containers: 'pkg.missing' matches no module in the graph",
        ),
    ],
)
def test_names_matching_nothing_are_configuration_errors(
    table: dict[str, object], message: str
) -> None:
    result = check(model_from_edges(KEPT), {**LAYERS, **table})
    assert not result.kept and result.misconfigured
    assert [(d.code, d.severity, d.message) for d in result.diagnostics] == [
        ("AG310", Severity.ERROR, message)
    ]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"layers": ["api", "api.views"]}, "layer 'api' contains layer 'api.views'"),
        (
            {"containers": [], "layers": ["pkg.services", "pkg"]},
            "layer 'pkg' contains layer 'pkg.services'",
        ),
    ],
)
def test_nested_layers_are_rejected_with_the_configuration(
    table: dict[str, object], message: str
) -> None:
    at = TablePosition(Path("contracts/test.toml"), "contracts[0]")
    _contracts, errors = build_contracts([ContractTable({**LAYERS, **table}, at)])
    assert [(e.key, e.message) for e in errors] == [("contracts[0].layers", message)]


