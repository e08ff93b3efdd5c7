"""Every report format, byte for byte: one fixed RunResult rendered and compared with a file.

The result is built in memory (no scan, no rules), so a golden file changes only when its
renderer does. It holds kept and broken contracts, a warning-severity contract, a misconfigured
one, direct and indirect chains with line numbers (one import found on two lines), a symbol
violation, diagnostics at error, warning and info level, and a module name that is not ASCII.
Each format is rendered twice: the plain run, and the same run with a baseline applied (known
violations, a stale entry, an entry of a contract this run did not check).

The files live in tests/unit/report/golden/<variant>/, named as `--output-dir` names them.
After a deliberate change to a renderer, write them again and read the diff before committing:

    ARCHGRAPH_UPDATE_GOLDEN=1 pytest tests/unit/report/test_golden.py

Without that variable a missing golden file fails the test; it is never created on the fly.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from archgraph.baseline import Baseline, apply_baseline
from archgraph.diagnostics import (
    Diagnostic,
    ImportKind,
    ImportStep,
    Location,
    Severity,
    Violation,
    ViolationKey,
)
from archgraph.report.formats import FORMATS
from archgraph.results import ContractResult, Coverage, RunResult, ScanSummary

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ARCHGRAPH_UPDATE_GOLDEN") == "1"
# The analyzed folder inside a checkout; reports with workspace paths name files from the
# checkout's root, as `archgraph check backend` run there does.
WORKSPACE = Path("/home/ci/repo")
ROOT = WORKSPACE / "backend"


@dataclass(frozen=True)
class Identity:
    """A contract as ContractResult.of sees it."""

    id: str
    name: str
    kind: str
    severity: Severity = Severity.ERROR
    hint: str | None = None


def step(importer: str, imported: str, *lines: int, kinds: tuple[ImportKind, ...] = ()) -> ImportStep:
    return ImportStep(importer, imported, lines, kinds)


def at(module: str, line: int | None = None) -> Location:
    return Location(Path(module.replace(".", "/") + ".py"), line)


def violation(
    code: str,
    contract: str,
    message: str,
    *chain: ImportStep,
    symbol: str | None = None,
    alias: str | None = None,
    via: tuple[str, ...] = (),
) -> Violation:
    """A violation located at its chain's first import, as the rules locate them."""
    first = chain[0]
    location = at(first.importer, first.lines[0])
    return Violation(code, contract, message, chain, location, symbol, alias, via)


# shop.données.modèle -> shop.utils.helpers -> shop.services.billing -> shop.api.views
DATA_TO_API = (
    step("shop.données.modèle", "shop.utils.helpers", 1),
    step(
        "shop.utils.helpers", "shop.services.billing", 2, 4,
        kinds=(ImportKind.RUNTIME, ImportKind.FUNCTION),
    ),
    step("shop.services.billing", "shop.api.views", 3),
)


def run_result() -> RunResult:
    """The fixed run every golden file renders."""
    layers = ContractResult.of(
        Identity("layers", "Layers", "layers", hint="move the shared code down into shop.services"),
        [
            violation(
                "AG101",
                "layers",
                "shop.services (lower layer) imports shop.api (higher layer)",
                step("shop.services.billing", "shop.api.views", 3),
            ),
            violation(
                "AG101",
                "layers",
                "shop.données (lower layer) imports shop.api (higher layer)",
                *DATA_TO_API,
            ),
        ],
        governed=6,
    )
    forbidden = ContractResult.of(
        Identity("data-not-api", "Données pures : pas d'API", "forbidden", Severity.WARNING),
        [violation("AG110", "data-not-api", "shop.données must not import shop.api", *DATA_TO_API)],
        governed=2,
    )
    independence = ContractResult.of(
        Identity("api-data-independent", "API and data are independent", "independence"),
        governed=3,
    )
    protected = ContractResult.of(
        Identity("store-protected", "Only orders use the store", "protected"),
        [
            violation(
                "AG130",
                "store-protected",
                "shop.cli imports protected module shop.données.stockage",
                step("shop.cli", "shop.données.stockage", 2),
            ),
            violation(
                "AG131",
                "store-protected",
                "shop.api.views imports protected shop.données.stockage.Store as Magasin "
                "via shop.données",
                step("shop.api.views", "shop.données", 5, kinds=(ImportKind.TYPE_CHECKING,)),
                symbol="shop.données.stockage.Store",
                alias="Magasin",
                via=("shop.données",),
            ),
        ],
        [
            Diagnostic(
                "AG311",
                Severity.WARNING,
                "ignore_imports entry 'shop.cli -> shop.legacy' matches no import",
                hint="remove it, or fix the module names",
            )
        ],
        governed=4,
    )
    acyclic = ContractResult.of(
        Identity("no-cycles", "No cycles", "acyclic"),
        [
            violation(
                "AG140",
                "no-cycles",
                "import cycle in shop: shop.api -> shop.services -> shop.api",
                step("shop.api.views", "shop.services.orders", 1),
                step("shop.services.billing", "shop.api.views", 3),
            )
        ],
        [
            Diagnostic(
                "AG141",
                Severity.INFO,
                "to break every cycle in shop, remove the import "
                "shop.services.billing -> shop.api.views",
                at("shop.services.billing", 3),
            )
        ],
        governed=8,
    )
    misconfigured = ContractResult.of(
        Identity("workers-independent", "Workers are independent", "independence"),
        diagnostics=[
            Diagnostic(
                "AG310",
                Severity.ERROR,
                "modules: 'shop.workres' matches no module in the graph",
                hint="did you mean 'shop.workers'?",
            )
        ],
    )
    return RunResult(
        root=ROOT,
        # fail_on_stale on the layers contract: its stale baseline entry breaks it.
        contracts=(
            replace(layers, stale_fails=True),
            forbidden,
            independence,
            protected,
            acyclic,
            misconfigured,
        ),
        diagnostics=(
            Diagnostic("AG209", Severity.INFO, "root_packages not configured; analyzing shop"),
            Diagnostic(
                "AG201",
                Severity.WARNING,
                "syntax error: def broken(:",
                Location(Path("shop/broken.py"), 1),
                hint="fix the syntax; the rest of the code is analyzed meanwhile",
            ),
            Diagnostic(
                "AG202",
                Severity.WARNING,
                "relative import goes 1 level above the top-level package; import ignored",
                Location(Path("shop/données/__init__.py"), 3),
                hint="make the import absolute, or fix the number of dots",
            ),
        ),
        summary=ScanSummary(modules=16, imports=12, namespace_modules=1, files=15),
        coverage=Coverage(
            modules=15,
            ungoverned=("shop", "shop.cli", "shop.tests.test_cli"),
            ungoverned_in_tests=("shop.tests.test_cli",),
        ),
    )


def baselined(result: RunResult) -> RunResult:
    """Known: the layers contract's direct violation, the forbidden one and the cycle; stale: one
    layers entry fixed since; and an entry of a contract that is no longer checked."""
    known = [
        v.key
        for v in result.violations
        if v.contract in {"data-not-api", "no-cycles"}
        or (v.contract == "layers" and not v.is_indirect)
    ]
    gone = ViolationKey("layers", "AG101", "shop.données.legacy", "shop.api.views")
    retired = ViolationKey("retired", "AG110", "shop.cli", "shop.admin")
    baseline = Baseline.of([*known, gone, retired])
    return apply_baseline(result, baseline, Path(".archgraph/baseline.json"))


VARIANTS = {"plain": run_result, "baseline": lambda: baselined(run_result())}


@pytest.mark.parametrize("format_name", sorted(FORMATS))
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_report_format_matches_its_golden_file(variant: str, format_name: str) -> None:
    report = FORMATS[format_name]
    rendered = report.render(VARIANTS[variant](), WORKSPACE).encode("utf-8")
    golden = GOLDEN / variant / report.file_name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(rendered)
    if not golden.exists():
        pytest.fail(f"{golden} is missing: write it with ARCHGRAPH_UPDATE_GOLDEN=1 and review it")
    expected = golden.read_bytes()
    if rendered != expected:
        diff = difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(keepends=True),
            rendered.decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=str(golden),
            tofile=f"{format_name} renderer",
        )
        pytest.fail(
            f"{format_name} report differs from {golden} (ARCHGRAPH_UPDATE_GOLDEN=1 to accept):\n"
            + "".join(diff)
        )


def test_every_format_has_its_golden_files_and_no_other_file_lies_there() -> None:
    """A renamed format or a golden file left over from a removed one fails here."""
    expected = {f"{variant}/{FORMATS[name].file_name}" for variant in VARIANTS for name in FORMATS}
    present = {path.relative_to(GOLDEN).as_posix() for path in GOLDEN.rglob("*") if path.is_file()}
    assert present == expected


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_machine_readable_golden_files_are_valid(variant: str) -> None:
    """Golden files are written by the renderers, then reviewed by eye: a rewrite that breaks
    the format itself must not slip through that review."""
    folder = GOLDEN / variant
    schema = json.loads((GOLDEN.parents[2] / "fixtures" / "sarif-schema-2.1.0.json").read_text())
    sarif = json.loads((folder / FORMATS["sarif"].file_name).read_bytes())
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(sarif)
    report = json.loads((folder / FORMATS["json"].file_name).read_bytes())
    assert report["summary"]["exit_code"] == 2  # the misconfigured contract
    suites = ElementTree.parse(folder / FORMATS["junit"].file_name).getroot()
    assert suites.get("tests") == "8"  # six contracts, the scan's diagnostics and the coverage
