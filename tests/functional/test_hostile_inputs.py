"""Hostile inputs that need a process of their own: a crash there must not take pytest down,
and file permissions must bind even when the tests run as root."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write_tree

CONTRACTS = """
    [archgraph]
    root_packages = ["pkg"]

    [[contracts]]
    name = "No cycles"
    type = "acyclic"
    packages = ["pkg"]
"""
GOOD = {
    "pkg/__init__.py": "",
    "pkg/b.py": "x = 1\n",
    "pkg/c.py": "import pkg.b\n",
    "contracts/arch.toml": CONTRACTS,
}


def run_check(
    root: Path, env: dict[str, str] | None = None, preexec: object = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archgraph", "check", str(root), "--no-cache", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        preexec_fn=preexec,  # type: ignore[arg-type]
    )


def test_a_sum_of_100000_terms_does_not_crash_the_process(tmp_path: Path) -> None:
    """grimp's parser recursed past its thread's 2 MiB stack: SIGSEGV, exit -11, no report."""
    root = write_tree(
        tmp_path,
        {**GOOD, "pkg/sum.py": "import pkg.b\nx = " + " + ".join(["1"] * 100_000) + "\n"},
    )
    env = {k: v for k, v in os.environ.items() if k != "RUST_MIN_STACK"}
    completed = run_check(root, env)
    assert completed.returncode == 0, (completed.returncode, completed.stderr[-2000:])
    report = json.loads(completed.stdout)
    assert report["summary"]["imports"] == 2
    assert report["diagnostics"] == []


def _drop_read_override() -> None:
    """Run as root without the capabilities that let root read any file (chmod 000 then binds)."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for capability in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_unreadable_files_and_directories_are_skipped_with_a_reason(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            **GOOD,
            "pkg/secret.py": "import pkg.b\n",
            "pkg/locked/__init__.py": "",
            "pkg/locked/inner.py": "import pkg.c\n",
        },
    )
    os.chmod(root / "pkg/secret.py", 0)
    os.chmod(root / "pkg/locked", 0)
    try:
        preexec = _drop_read_override if os.geteuid() == 0 else None
        probe = subprocess.run(
            [sys.executable, "-c", f"open({str(root / 'pkg/secret.py')!r}).read()"],
            capture_output=True,
            preexec_fn=preexec,  # type: ignore[arg-type]
            check=False,
        )
        if probe.returncode == 0:
            pytest.skip("file permissions do not bind here (root without a capability bounding set)")
        completed = run_check(root, preexec=preexec)
    finally:
        os.chmod(root / "pkg/locked", 0o755)
        os.chmod(root / "pkg/secret.py", 0o644)
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert [(d["code"], d["file"], d["message"]) for d in report["diagnostics"]] == [
        ("AG206", "pkg/locked", "directory cannot be read: Permission denied"),
        ("AG206", "pkg/secret.py", "file cannot be read: permission denied"),
    ]
    assert report["summary"]["imports"] == 1  # pkg.c -> pkg.b is still there



def test_the_scanner_threads_start_under_an_address_space_limit(tmp_path: Path) -> None:
    """Hardening item 19: with 512 MiB reserved per scanner thread, 16 threads could not start
    under a 4 GiB address-space limit (exit 2 on a small project); the command line now
    reserves 64 MiB a thread, so a CI container's `ulimit -v` does not break a check."""
    import resource  # noqa: PLC0415 - POSIX only, this test only

    root = write_tree(tmp_path, GOOD)
    limit = 4 * 1024**3  # room for glibc's per-thread malloc arenas (64 MiB reserved each)

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    environment = {k: v for k, v in os.environ.items() if k != "RUST_MIN_STACK"}
    environment["RAYON_NUM_THREADS"] = "16"  # as many scanner threads as a big CI machine has
    ran = run_check(root, environment, limited)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert json.loads(ran.stdout)["summary"]["modules"] == 3
