"""`archgraph check` on a project with megabytes of source: the import audit reads the files in
a child process during grimp's scan (when a CPU is free). The report is the one the in-line
audit gives, and Ctrl-C or SIGTERM at any moment leaves no process behind and the cache usable."""

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
from helpers import brief, scan_tree, write_tree

from archgraph.scan.audit import AuditScans
from archgraph.scan.finder import find_modules
from archgraph.scan.prescan import PRESCAN_MIN_BYTES, AuditPrescan

# Forked children, signals at random moments: `-m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

TREE: dict[str, str | bytes] = {
    "pkg/__init__.py": "from .. import above\n",
    "pkg/a.py": "import pkg.b\nimport pkg.gone\nfrom .missing import x\n",
    "pkg/b.py": "import importlib\nimportlib.import_module('pkg.a')\n",
    "pkg/broken.py": "def f(:\n    import pkg.nothere\n",
    # Enough bytes for the child: 40 modules of ~70 kB, importing each other.
    **{
        f"pkg/big/m{i}.py": f"import pkg.big.m{(i + 1) % 40}\n"
        + "".join(f"VALUE_{n} = {n}\n" for n in range(5000))
        for i in range(40)
    },
    "pkg/big/__init__.py": "",
}
CONFIG = '[archgraph]\nroot_packages = ["pkg"]\n'


def diagnostics(stdout: str) -> list[tuple[str, str, str | None, int | None]]:
    return [(d["code"], d["severity"], d["file"], d["line"]) for d in json.loads(stdout)["diagnostics"]]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_tree(tmp_path_factory.mktemp("audit-child") / "project", TREE)
    (root / "pyproject.toml").write_text(CONFIG.replace("[archgraph]", "[tool.archgraph]"))
    return root


# archgraph's entry point, told that a CPU is free (it forks the child only then), and saying
# which way the audit went.
FORCED = """
import sys
import archgraph.scan.prescan as prescan
prescan._idle_cpu = lambda: True
choose = prescan._prescan_mode
def chosen(stale_bytes):
    mode = choose(stale_bytes)
    print(f"audit: {mode}", file=sys.stderr)
    return mode
prescan._prescan_mode = chosen
from archgraph.__main__ import main
main()
"""


def command(root: Path, cache: Path) -> list[str]:
    return [sys.executable, "-c", FORCED, "check", str(root), "--format", "json",
            "--cache-dir", str(cache)]


def test_the_project_is_large_enough_for_a_child(project: Path) -> None:
    sources = [s for t in find_modules(project, ["pkg"], [project]).trees for s in t.sources]
    assert sum(s.stamp[0] for s in sources) >= PRESCAN_MIN_BYTES
    probe = subprocess.run(  # a fresh, single-threaded process, as the CLI is
        [sys.executable, "-c", "from archgraph.scan.prescan import _can_fork; print(_can_fork())"],
        capture_output=True, text=True, check=True,
    )
    assert probe.stdout.strip() == str(sys.platform == "linux")
    assert AuditPrescan(sources, set(), ["pkg"], AuditScans(None), mode="inline").mode == "inline"


def test_the_report_is_the_one_the_inline_audit_gives(project: Path, tmp_path: Path) -> None:
    expected = brief(scan_tree(project).diagnostics)  # in this process: read in line
    assert [d[0] for d in expected] == ["AG202", "AG211", "AG211", "AG210", "AG201"]
    cold = subprocess.run(command(project, tmp_path / "cache"), capture_output=True, text=True)
    assert cold.returncode == 0, cold.stderr
    assert "audit: process" in cold.stderr or sys.platform != "linux"
    assert diagnostics(cold.stdout) == expected
    warm = subprocess.run(command(project, tmp_path / "cache"), capture_output=True, text=True)
    assert "audit: inline" in warm.stderr  # nothing stale: nothing for a child to do
    assert warm.stdout == cold.stdout


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("whom", ["group", "parent"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_leaves_no_child_and_a_usable_cache(
    project: Path, tmp_path: Path, signum: signal.Signals, whom: str
) -> None:
    """The signal goes to the process group (a terminal's Ctrl-C) or to archgraph alone (kill)."""
    cache = tmp_path / "cache"
    clean = subprocess.run(command(project, tmp_path / "clean"), capture_output=True, text=True)
    seed = random.randrange(2**32)
    at = random.Random(seed).uniform(0, 0.06)
    process = subprocess.Popen(
        command(project, cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    assert process.stderr is not None
    chosen = process.stderr.readline()  # the child is about to be forked
    assert chosen == "audit: process\n" or sys.platform != "linux", chosen
    time.sleep(at)
    try:
        if whom == "group":
            os.killpg(process.pid, signum)
        else:
            os.kill(process.pid, signum)
    except ProcessLookupError:
        pass  # it finished first
    stdout, stderr = process.communicate(timeout=120)
    where = f"{signum.name} to the {whom} {at:.3f}s after the fork (seed {seed})"
    assert "Traceback" not in stderr, (where, stderr)
    if stdout != clean.stdout:  # else the run was over (a signal after the handler's removal
        # at exit ends the process with the signal's own status: a finished run all the same)
        expected = {signal.SIGINT: 130, signal.SIGTERM: 143}[signum]
        assert process.returncode == expected, (where, stderr)
    deadline = time.monotonic() + 5
    while not _group_gone(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _group_gone(process.pid), f"{where}: a process of the run is still there"
    leftovers = [p.name for p in cache.rglob("*.tmp")] if cache.exists() else []
    assert leftovers == [], where
    again = subprocess.run(command(project, cache), capture_output=True, text=True)
    assert (again.returncode, again.stdout) == (0, clean.stdout), (where, again.stderr)
