"""`archgraph check --watch`: check, then check again on every change to the tree's Python
files or configuration, printing only what changed: the violations that are new, and those
fixed, since the run before. watchfiles (an optional extra) reports the changes."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from archgraph.cli.output import write_reports
from archgraph.cli.servers import missing_extra, serving
from archgraph.diagnostics import ArchgraphError, ExitCode, Violation, visible
from archgraph.interrupts import Terminated
from archgraph.report.formats import plan_reports
from archgraph.results import RunResult

if TYPE_CHECKING:
    from watchfiles import Change

    from archgraph.usecases.live import Changes, LiveCheck
    from archgraph.usecases.project import RunOptions

WATCHED_SUFFIXES = frozenset({".py", ".pyi", ".toml", ".cfg", ".ini", ".importlinter", ".json"})
CONFIGURATION_SUFFIXES = frozenset({".toml", ".cfg", ".ini", ".importlinter", ".json"})


def watch_check(path: Path, options: RunOptions) -> ExitCode:
    """Check (the full text report), then report each change until interrupted."""
    try:
        from watchfiles import watch  # noqa: PLC0415 - only `check --watch` needs it
    except ImportError as error:
        raise missing_extra("watch", error) from None
    from archgraph.usecases.live import LiveCheck  # noqa: PLC0415

    with serving():
        live = LiveCheck(path, options)
        last = live.run().result
        write_reports(last, plan_reports((), None, None), announce=False)
        root = live.project.root
        click.echo(visible(f"watching {root} for changes (Ctrl-C to stop)"))

        def wanted(_change: Change, name: str) -> bool:
            return Path(name).suffix in WATCHED_SUFFIXES and "__pycache__" not in name

        with _signals_noted() as noted:
            try:
                _report_changes(live, last, root, watch(root, watch_filter=wanted, debounce=100, step=20))
            except KeyboardInterrupt:
                # watchfiles turns whatever a signal handler raises into KeyboardInterrupt.
                if noted and noted[-1] == signal.SIGTERM:
                    raise Terminated from None
                raise
    return ExitCode.OK


@contextlib.contextmanager
def _signals_noted() -> Iterator[list[int]]:
    """The signals received while the block runs (SIGTERM's handler is kept, and called)."""
    noted: list[int] = []
    previous = signal.getsignal(signal.SIGTERM)

    def note(number: int, frame: FrameType | None) -> None:
        noted.append(number)
        if callable(previous):
            previous(number, frame)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, note)
    try:
        yield noted
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)


def _report_changes(
    live: LiveCheck, last: RunResult, root: Path, batches: Iterable[set[tuple[Change, str]]]
) -> None:
    """For each batch of changes: check again, and print what changed."""
    from watchfiles import Change  # noqa: PLC0415 - only `check --watch` needs it

    from archgraph.usecases.live import changes_between  # noqa: PLC0415

    for batch in batches:
        started = time.perf_counter()
        paths = {Path(name) for _change, name in batch}
        if any(change is not Change.modified for change, _name in batch):
            live.files_added_or_removed()
        if any(p.suffix in CONFIGURATION_SUFFIXES for p in paths):
            live.configuration_changed()
        live.edited(paths)
        try:
            result = live.run().result
        except ArchgraphError as error:
            click.echo(visible(f"archgraph: error: {error}"), err=True)
            continue
        elapsed = time.perf_counter() - started
        click.echo("\n".join(change_lines(changes_between(last, result), result, paths, root, elapsed)))
        last = result


def change_lines(
    changes: Changes, result: RunResult, paths: Iterable[Path], root: Path, elapsed: float
) -> list[str]:
    """A heading (the files changed, the counts, the verdict), then each new and fixed violation."""
    names = sorted(_shown(p, root) for p in paths)
    files = names[0] if len(names) == 1 else f"{len(names)} files"
    verdict = "kept" if result.exit_code == ExitCode.OK else "broken"
    lines = [
        visible(
            f"[{time.strftime('%H:%M:%S')}] {files} changed: {len(changes.new)} new, "
            f"{len(changes.fixed)} fixed; contracts {verdict} ({elapsed:.2f} s)"
        )
    ]
    lines += _marked("new", changes.new) + _marked("fixed", changes.fixed)
    return lines


def _marked(mark: str, items: Iterable[tuple[str, Violation]]) -> list[str]:
    from archgraph.report.text import violation_lines  # noqa: PLC0415

    lines = []
    for contract, violation in items:
        first, *rest = violation_lines(violation)
        lines.append(visible(f"{mark:>5} [{contract}] {first.removeprefix('- ')}"))
        lines += [visible(f"      {line}") for line in rest]
    return lines


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
