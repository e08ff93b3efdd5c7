"""A library call leaves its host process as it found it; the command line tunes its own.

`archgraph.run()`, the families use case and the pytest plugin run inside someone else's
process: its environment (RUST_MIN_STACK included), its garbage collector, its file descriptor 2
and its process tree are the same afterwards, and nothing is changed while they run either (the
collector stays on, a scanner panic's text reaches the host's own stderr). The command line
sets the scanner's stack size and hides a recovered panic's backtrace; it leaves the collector
running, as Python sets it. Each case runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import write_tree

from archgraph.process import PARSER_STACK_BYTES

TREE = {
    "pkg/__init__.py": "",
    "pkg/base.py": "class Store:\n    def get(self, key): ...\n",
    "pkg/memory.py": "from pkg.base import Store\n\nclass MemoryStore(Store):\n    def get(self, key): ...\n",
    "pkg/disk.py": "from pkg.base import Store\n\nclass DiskStore(Store):\n    def get(self, key): ...\n",
    "pkg/api.py": "import pkg.memory\nimport pkg.disk\n",
    # Three levels above the top package: grimp's scanner panics; the scan recovers (AG202).
    "pkg/far.py": "import pkg.base\n\nfrom .... import x\n",
    "tests/test_plain.py": "def test_plain():\n    assert True\n",
    "contracts/architecture.toml": """
[archgraph]
root_packages = ["pkg"]

[[contracts]]
id = "no-cycles"
name = "No cycles"
type = "acyclic"
packages = ["pkg"]
""",
}

# What a host process can see of itself. PYTEST_CURRENT_TEST is pytest's own, set per test.
SNAPSHOT = """
import gc, json, os, sys
forks = []
os.register_at_fork(before=lambda: forks.append(1))

def snapshot():
    fd2 = os.fstat(2)
    environ = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    return {"environ": environ, "gc": [gc.isenabled(), gc.get_freeze_count()],
            "fd2": [fd2.st_dev, fd2.st_ino], "forks": len(forks)}

def collector_seen_by_the_class_analysis():
    # Observes, changes nothing: whether the collector runs while families are compared.
    import archgraph.families.analysis as families
    real, seen = families.analyze, []
    def analyze(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)
    families.analyze = analyze
    return seen
"""

LIBRARY = SNAPSHOT + """
from pathlib import Path
root, host = Path(sys.argv[1]), sys.argv[2]
if host == "collector-off-and-frozen":
    gc.freeze()
    gc.disable()
seen = collector_seen_by_the_class_analysis()
before = snapshot()
import archgraph
from archgraph.families.usecases import families
from archgraph.usecases.project import RunOptions
result = archgraph.run(root, RunOptions())
found = families(root, RunOptions())
after = snapshot()
print(json.dumps({"before": before, "after": after, "collector_during_analysis": seen,
                  "diagnostics": [(d.code, str(d.location.path)) for d in result.diagnostics],
                  "exit_code": int(result.exit_code), "families_modules": found.modules}))
"""

PLUGIN_CONFTEST = SNAPSHOT + """
state = {}
seen = collector_seen_by_the_class_analysis()

def pytest_sessionstart(session):
    state["before"] = snapshot()

def pytest_sessionfinish(session, exitstatus):
    state["after"] = snapshot()
    with open(os.environ["HOST_STATE"], "w") as stream:
        json.dump(state, stream)
"""

COMMAND_LINE = SNAPSHOT + """
from archgraph.scan import grimp_api
real_scan, stacks = grimp_api.scan_for_imports, []
def scan_for_imports(**kwargs):
    stacks.append(os.environ.get("RUST_MIN_STACK"))
    return real_scan(**kwargs)
grimp_api.scan_for_imports = scan_for_imports
seen = collector_seen_by_the_class_analysis()
from archgraph.__main__ import main
sys.argv = ["archgraph", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"exit_code": code, "stacks": stacks, "collector_during_analysis": seen,
                  "after": snapshot()}))
"""


def host_environment(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k != "RUST_MIN_STACK"}
    return {**environ, **extra}


def python(code: str, *args: str, cwd: Path | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300,
        check=False, cwd=cwd, env=host_environment(**extra),
    )


def last_json(stdout: str) -> Any:
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("host", ["plain", "collector-off-and-frozen"])
def test_library_calls_leave_the_host_process_as_they_found_it(tmp_path: Path, host: str) -> None:
    root = write_tree(tmp_path, TREE)
    ran = python(LIBRARY, str(root), host)
    assert ran.returncode == 0, ran.stderr[-3000:]
    state = last_json(ran.stdout)
    assert state["diagnostics"] == [["AG202", "pkg/far.py"]]  # the scan did recover
    assert (state["exit_code"], state["families_modules"]) == (0, 6)
    before, after = state["before"], state["after"]
    frozen_before, frozen_after = before["gc"].pop(), after["gc"].pop()
    assert after == before
    assert "RUST_MIN_STACK" not in after["environ"]
    assert after["forks"] == 0
    collector_on = host == "plain"
    assert after["gc"] == [collector_on]
    # Nothing frozen or unfrozen; a few of the host's frozen objects die meanwhile (caches the
    # imports replace), so the count may only drop by those.
    if collector_on:
        assert frozen_before == frozen_after == 0
    else:
        assert 0.99 * frozen_before <= frozen_after <= frozen_before
    assert state["collector_during_analysis"] == [collector_on]  # not paused meanwhile
    # fd 2 was not redirected while grimp's scanner ran: its panic text reached our stderr.
    assert "panicked" in ran.stderr


def test_the_pytest_plugin_leaves_the_users_pytest_as_it_found_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**TREE, "conftest.py": PLUGIN_CONFTEST})
    out = tmp_path / "state.json"
    ran = python(
        "import sys, pytest; sys.exit(pytest.main(sys.argv[1:]))",
        "--archgraph", "-p", "no:cacheprovider", "-s", "-q", str(root),
        cwd=root, HOST_STATE=str(out),
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "2 passed" in ran.stdout  # the contract item and the plain test
    state = json.loads(out.read_text())
    assert state["after"] == state["before"]
    assert "RUST_MIN_STACK" not in state["after"]["environ"]
    assert state["after"]["forks"] == 0 and state["after"]["gc"] == [True, 0]
    assert "panicked" in ran.stderr  # `-s`: pytest leaves fd 2 alone, and so does archgraph


def test_the_command_line_sets_the_scanners_stack_and_hides_a_recovered_panic(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TREE)
    ran = python(COMMAND_LINE, "check", str(root), "--no-cache", "--format", "json")
    state = last_json(ran.stdout)
    assert state["exit_code"] == 0, ran.stderr[-3000:]
    assert state["stacks"] == [str(PARSER_STACK_BYTES)] * len(state["stacks"]) != []
    assert "panicked" not in ran.stderr and ran.stderr == ""

    chosen = python(COMMAND_LINE, "check", str(root), "--no-cache", RUST_MIN_STACK="33554432")
    assert set(last_json(chosen.stdout)["stacks"]) == {"33554432"}  # the user's choice stands


def test_the_command_line_leaves_the_collector_running(tmp_path: Path) -> None:
    """Speed is sought in the engine, not in process settings: the cyclic garbage collector
    runs during the class analysis, as Python sets it, and nothing is frozen."""
    root = write_tree(tmp_path, TREE)
    ran = python(COMMAND_LINE, "families", str(root), "--no-cache", "--quiet")
    state = last_json(ran.stdout)
    assert state["exit_code"] == 0, ran.stderr[-3000:]
    assert state["collector_during_analysis"] == [True]
    assert state["after"]["gc"] == [True, 0]
