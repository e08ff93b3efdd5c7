"""pytest plugin: `pytest --archgraph` checks each architecture contract as a test item.

Registered through the `pytest11` entry point, so pytest loads it wherever archgraph is installed.
Without `--archgraph` it only adds its options: archgraph itself is imported when the option is
given, never otherwise, so ordinary test runs are neither slowed down nor affected.

Items are named by contract id under the file that defines the contract
(`contracts/architecture.toml::layers`), so `-k`, `-x`, `--junitxml` and node ids work as usual.
A broken contract fails with the text report's lines for that contract. The code is scanned once,
for the contracts still selected, when the first contract item runs.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from archgraph.results import ContractResult, RunResult


class ArchgraphContractWarning(pytest.PytestWarning):
    """A contract with severity "warning" is broken: reported, never failing."""


class ContractBroken(Exception):
    """Raised by a contract item; its report is the contract's text report."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("archgraph", "architecture contracts (archgraph)")
    group.addoption(
        "--archgraph",
        action="store_true",
        default=False,
        help="check every archgraph contract as a test item",
    )
    group.addoption(
        "--archgraph-path",
        metavar="PATH",
        default=None,
        help="the project whose contracts to check (default: pytest's rootdir)",
    )


class ArchgraphSession:
    """The project being checked, and its RunResult once the first contract item asks for it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._result: RunResult | None = None
        self._error: str | None = None

    def result_of(self, contract_id: str, selected: Sequence[str]) -> ContractResult:
        """The contract's result; the first call checks every selected contract in one run."""
        from archgraph.diagnostics import ArchgraphError  # noqa: PLC0415
        from archgraph.usecases.check import run  # noqa: PLC0415 - only with --archgraph
        from archgraph.usecases.project import RunOptions  # noqa: PLC0415

        if self._result is None and self._error is None:
            try:
                self._result = run(self.root, RunOptions(contract_ids=tuple(selected)))
            except ArchgraphError as error:
                self._error = str(error)
        if self._error is not None:
            raise ContractBroken([f"archgraph: error: {self._error}"])
        assert self._result is not None
        return next(c for c in self._result.contracts if c.contract_id == contract_id)

    @property
    def result(self) -> RunResult | None:
        return self._result


SESSION_KEY = pytest.StashKey[ArchgraphSession]()


class ConfigurationProblem(Exception):
    """The contracts cannot be read: a collection error, as a bad config is exit 2 for archgraph."""


class ContractsFile(pytest.File):
    """A configuration file that defines contracts; collects one item per contract."""

    def __init__(self, *, contract_ids: Sequence[str] = (), problem: str | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.contract_ids = tuple(contract_ids)
        self.problem = problem

    def collect(self) -> list[pytest.Item]:
        if self.problem is not None:
            raise ConfigurationProblem(self.problem)
        return [ContractItem.from_parent(self, name=i, contract_id=i) for i in self.contract_ids]

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str:
        if isinstance(excinfo.value, ConfigurationProblem):
            return f"archgraph: error: {excinfo.value}"
        return str(super().repr_failure(excinfo))


class ContractItem(pytest.Item):
    """One contract; passes when it is kept."""

    def __init__(self, *, contract_id: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.contract_id = contract_id

    def runtest(self) -> None:
        from archgraph.diagnostics import Severity  # noqa: PLC0415
        from archgraph.report.text import contract_lines  # noqa: PLC0415

        selected = [i.contract_id for i in self.session.items if isinstance(i, ContractItem)]
        result = self.config.stash[SESSION_KEY].result_of(self.contract_id, selected)
        if result.kept:
            return
        lines = contract_lines(result)
        if result.severity is not Severity.ERROR and not result.misconfigured:
            self.warn(ArchgraphContractWarning("\n".join(lines)))
            return
        raise ContractBroken(lines)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: str | None = None,
    ) -> str:
        if isinstance(excinfo.value, ContractBroken):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))  # type: ignore[arg-type]

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"archgraph contract {self.contract_id}"


def _contracts_files(session: pytest.Session, root: Path) -> list[ContractsFile]:
    """One collector per configuration file, or one that reports why none can be read."""
    from archgraph.diagnostics import ArchgraphError  # noqa: PLC0415
    from archgraph.usecases.project import load_project  # noqa: PLC0415

    try:
        project = load_project(root)
        if not project.files:
            raise ArchgraphError(f"no contracts found under {root}")
    except ArchgraphError as error:
        return [ContractsFile.from_parent(session, path=root, problem=str(error))]
    by_file: dict[Path, list[str]] = {}
    # load_project keeps the tables' order, so each contract sits under the file defining it.
    for table, contract in zip(project.config.contracts, project.contracts, strict=True):
        by_file.setdefault(table.at.file.resolve(), []).append(contract.id)
    return [
        ContractsFile.from_parent(session, path=path, contract_ids=ids)
        for path, ids in by_file.items()
    ]


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Add the contracts to what the session collects, so -k, -x and --collect-only see them."""
    report = yield
    config = collector.config
    if isinstance(collector, pytest.Session) and config.getoption("archgraph") and report.passed:
        path = config.getoption("archgraph_path")
        root = Path(path).resolve() if path else config.rootpath
        config.stash[SESSION_KEY] = ArchgraphSession(root)
        report.result.extend(_contracts_files(collector, root))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Scan diagnostics (unparsable files, skipped paths) are worth seeing; contracts are items."""
    archgraph_session = config.stash.get(SESSION_KEY, None)
    if archgraph_session is None or archgraph_session.result is None:
        return
    from archgraph.diagnostics import Severity  # noqa: PLC0415
    from archgraph.report.text import diagnostic_lines  # noqa: PLC0415

    shown = [d for d in archgraph_session.result.diagnostics if d.severity is not Severity.INFO]
    if shown:
        terminalreporter.section("archgraph diagnostics")
        for diagnostic in shown:
            for line in diagnostic_lines(diagnostic):
                terminalreporter.line(line)
