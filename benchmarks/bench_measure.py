"""Run one command and measure its wall time and the peak RSS of that very process.

The child is started with subprocess and reaped with os.wait4(), whose rusage is the
child's own (plus any grandchildren it waited for), not the RUSAGE_CHILDREN total of
everything this harness ever started. That is exactly what GNU `/usr/bin/time -f %M`
does, without depending on it being installed.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class RunOutcome:
    argv: tuple[str, ...]
    returncode: int
    seconds: float
    max_rss_kib: int
    stdout: str
    stderr: str
    timed_out: bool = False


def run_measured(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 1800.0,
) -> RunOutcome:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True,
        )  # fmt: skip
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, rusage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by hand: tell Popen
        out.seek(0)
        err.seek(0)
        return RunOutcome(
            argv=tuple(argv),
            returncode=proc.returncode,
            seconds=seconds,
            max_rss_kib=int(rusage.ru_maxrss),  # KiB on Linux
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            timed_out=timed_out.is_set(),
        )


@dataclass
class Series:
    """N timed runs of one command (for one tool, one measurement, one corpus)."""

    label: str
    argv: tuple[str, ...] = ()
    outcomes: list[RunOutcome] = field(default_factory=list)
    unavailable: str | None = None  # why this was not measured
    error: str | None = None  # a run failed (unexpected exit code, timeout)

    @property
    def ok(self) -> bool:
        return self.unavailable is None and self.error is None and bool(self.outcomes)

    @property
    def times(self) -> list[float]:
        return [o.seconds for o in self.outcomes]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.times), max(self.times)

    @property
    def peak_rss_mib(self) -> float:
        return max(o.max_rss_kib for o in self.outcomes) / 1024.0

    def cell_time(self) -> str:
        if self.unavailable:
            return f"n/a ({self.unavailable})"
        if self.error:
            return f"ERROR ({self.error})"
        lo, hi = self.spread
        return f"{self.median:.3f} s ({lo:.3f}-{hi:.3f})"

    def cell_rss(self) -> str:
        return f"{self.peak_rss_mib:.0f} MiB" if self.ok else "-"


def ratio(a: Series, b: Series, what: str = "time") -> str:
    """a / b, for time (medians) or peak RSS."""
    if not (a.ok and b.ok):
        return "-"
    if what == "time":
        return f"{a.median / b.median:.2f}x" if b.median > 0 else "-"
    return f"{a.peak_rss_mib / b.peak_rss_mib:.2f}x" if b.peak_rss_mib > 0 else "-"
