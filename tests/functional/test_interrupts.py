"""Interrupted and concurrent runs: Ctrl-C and SIGTERM at any moment of a cold scan leave no
corrupt cache or baseline, and two runs sharing a cache both succeed with the same result."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from generated import generated_files, write_shuffled

# Real processes interrupted by signals, seconds each: `-m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

# The deep profile (make test-deep) interrupts more runs of a larger tree at more moments.
DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
ROUNDS = 6 if DEEP else 1
PACKAGES = 30 if DEEP else 10  # 100 modules each
EXPECTED_CODE = {signal.SIGINT: 130, signal.SIGTERM: 143}
MESSAGE = {signal.SIGINT: "archgraph: interrupted", signal.SIGTERM: "archgraph: terminated"}


def command(root: Path, cache: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "archgraph", "check", str(root), "--format", "json",
            "--cache-dir", str(cache), *extra]


def finish(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, float]:
    """Generated modules (3,000; 1,000 by default), the report of a clean run, and how long a
    cold run takes."""
    root = write_shuffled(
        tmp_path_factory.mktemp("interrupts") / "project",
        generated_files(packages=PACKAGES, subpackages=10, modules=10),
        order_seed=3,
    )
    started = time.monotonic()
    clean = finish([*command(root, root.parent / "unused"), "--no-cache"])
    elapsed = time.monotonic() - started
    assert clean.returncode == 1, clean.stderr
    return root, clean.stdout, elapsed


def interrupt(args: list[str], at: float, signum: signal.Signals) -> subprocess.CompletedProcess[str]:
    """Start the command in its own process group and signal the whole group after `at`
    seconds, as a terminal's Ctrl-C does (worker processes get the signal too)."""
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    time.sleep(at)
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass  # it finished first
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


@pytest.mark.parametrize("round_number", range(ROUNDS))
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_cold_run_leaves_a_usable_cache(
    project: tuple[Path, str, float], tmp_path: Path, signum: signal.Signals, round_number: int
) -> None:
    root, clean, elapsed = project
    seed = random.randrange(2**32)
    at = random.Random(seed).uniform(0.05, elapsed)
    cache = tmp_path / "cache"
    interrupted = interrupt(command(root, cache), at, signum)
    where = f"signal {signum.name} after {at:.2f}s of a {elapsed:.2f}s run (seed {seed})"
    assert "Traceback" not in interrupted.stderr, where + "\n" + interrupted.stderr
    if interrupted.returncode == 1:  # the run ended before the signal
        assert interrupted.stdout == clean, where
    else:
        assert interrupted.returncode == EXPECTED_CODE[signum], (where, interrupted.stderr)
        assert interrupted.stderr.strip().endswith(MESSAGE[signum]), (where, interrupted.stderr)
        # Standard output is a pipe: what was written before the signal stays written (a
        # report file given with -o is replaced atomically instead).
        assert clean.startswith(interrupted.stdout), where
    leftovers = [p.name for p in cache.rglob("*.tmp")] if cache.exists() else []
    assert leftovers == [], where
    for attempt in ("after the interrupt", "warm")[: 2 if DEEP else 1]:
        again = finish(command(root, cache))
        assert (again.returncode, again.stdout) == (1, clean), (where, attempt, again.stderr)


def test_two_runs_sharing_a_cold_cache_agree(project: tuple[Path, str, float], tmp_path: Path) -> None:
    root, clean, _elapsed = project
    cache = tmp_path / "shared-cache"
    processes = [
        subprocess.Popen(command(root, cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [process.communicate(timeout=300) for process in processes]
    for process, (stdout, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 1, stderr
        assert stdout == clean
    assert finish(command(root, cache)).stdout == clean


def test_an_interrupted_baseline_write_keeps_the_old_baseline_or_the_new_one(
    project: tuple[Path, str, float], tmp_path: Path
) -> None:
    root, _clean, elapsed = project
    baseline = tmp_path / "baseline.json"
    old = '{"tool": "archgraph", "version": 1, "violations": []}\n'
    baseline.write_text(old)
    seed = random.randrange(2**32)
    at = random.Random(seed).uniform(0.05, elapsed * 1.5)
    args = [sys.executable, "-m", "archgraph", "baseline", str(root), str(baseline), "--no-cache"]
    interrupted = interrupt(args, at, signal.SIGINT)
    assert "Traceback" not in interrupted.stderr, (seed, interrupted.stderr)
    assert interrupted.returncode in (0, 130), (seed, interrupted.stderr)
    text = baseline.read_text()
    if text != old:  # the new baseline, complete
        assert len(json.loads(text)["violations"]) > 0, seed
    assert [p.name for p in tmp_path.glob("*.tmp")] == []
    check = finish([*command(root, tmp_path / "c"), "--baseline", str(baseline)])
    assert check.returncode in (0, 1), check.stderr


# Loaded at start-up through PYTHONPATH: a Ctrl-C that lands while dataclasses builds a class's
# methods (code run by `exec`, where CPython notes a KeyboardInterrupt as unhandled even when a
# caller catches it), made to happen at a chosen class every time instead of by chance.
INTERRUPTING_SITECUSTOMIZE = """
import dataclasses, os

_process_class = dataclasses._process_class


def _interrupting(cls, *args, **kwargs):
    if cls.__name__ == os.environ.get("INTERRUPT_AT_CLASS"):
        exec("raise KeyboardInterrupt")
    return _process_class(cls, *args, **kwargs)


dataclasses._process_class = _interrupting
"""


@pytest.mark.parametrize(
    "at_class", ["ContractResult", "Settings"], ids=["loading the command line", "running check"]
)
def test_a_ctrl_c_while_modules_load_exits_130_not_by_the_signal(
    project: tuple[Path, str, float], tmp_path: Path, at_class: str
) -> None:
    root, _clean, _elapsed = project
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(INTERRUPTING_SITECUSTOMIZE)
    env = {**os.environ, "PYTHONPATH": str(site), "INTERRUPT_AT_CLASS": at_class}
    ran = subprocess.run(
        command(root, tmp_path / "cache"), capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert ran.stderr.strip().endswith(MESSAGE[signal.SIGINT]), ran.stderr
    assert "Traceback" not in ran.stderr
    assert ran.returncode == EXPECTED_CODE[signal.SIGINT]  # was -2: killed by SIGINT at exit


# A signal that lands while the interpreter shuts down, after the run ended: sent by the
# process to itself from an exit handler, so that it lands there every time.
SIGNALLING_AT_EXIT = """
import atexit, os, signal, time


def _signal_at_exit():
    os.kill(os.getpid(), getattr(signal, os.environ["SIGNAL_AT_EXIT"]))
    time.sleep(0.2)  # time for its delivery


atexit.register(_signal_at_exit)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_after_the_run_ended_keeps_its_exit_code_and_output(
    project: tuple[Path, str, float], tmp_path: Path, signum: signal.Signals
) -> None:
    root, clean, _elapsed = project
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SIGNALLING_AT_EXIT)
    env = {**os.environ, "PYTHONPATH": str(site), "SIGNAL_AT_EXIT": signum.name}
    ran = subprocess.run(
        command(root, tmp_path / "cache"), capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert (ran.returncode, ran.stdout) == (1, clean), ran.stderr  # broken contracts, as without
    assert "Traceback" not in ran.stderr and "KeyboardInterrupt" not in ran.stderr
