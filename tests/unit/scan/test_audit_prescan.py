"""The audit's files read ahead in a forked child (the command line's choice): the findings are
those of the audit alone, whatever the child guessed, sent, or failed to send; no child is left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write_tree

from archgraph.scan import audit
from archgraph.scan.audit import AUDIT_CACHE_NAME, AuditScans, ImportAudit, audit_imports
from archgraph.scan.finder import ModuleSource
from archgraph.scan.prescan import AuditPrescan
from tests.unit.scan.test_audit_findings import TREE, sources_and_modules

# Forked children (stopped, failing): `-m "not slow"` leaves them out.
pytestmark = pytest.mark.slow


def audit_with(root: Path, prescan: AuditPrescan | None, cache: Path | None = None) -> ImportAudit:
    _sources, modules, analyzed = sources_and_modules(root)
    scans = prescan.finish() if prescan is not None else AuditScans(cache)
    return audit_imports(analyzed, modules, ["pkg"], root, scans)


@pytest.mark.parametrize("guess", ["walk", "nothing", "everything"])
@pytest.mark.parametrize("mode", ["process", "inline"])
def test_a_prescan_changes_no_finding(tmp_path: Path, guess: str, mode: str) -> None:
    """Whichever files the child guessed to be suspect, the audit reports what the audit
    without a prescan reports, and the cache it helped write answers the next run the same."""
    root = write_tree(tmp_path / "project", TREE)
    sources, modules, _analyzed = sources_and_modules(root)
    alone = audit_with(root, None)
    guessed = {"walk": {s.module for s in sources}, "nothing": set(), "everything": modules}[guess]
    prescan = AuditPrescan(sources, guessed, ["pkg"], AuditScans(tmp_path / "cache"), mode=mode)
    prescan.start()
    assert prescan.mode == mode
    assert audit_with(root, prescan, tmp_path / "cache") == alone
    assert (tmp_path / "cache" / AUDIT_CACHE_NAME).is_file()
    assert audit_with(root, None, tmp_path / "cache") == alone


def test_a_stopped_child_is_reaped_and_changes_no_finding(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", TREE)
    sources, _modules, _analyzed = sources_and_modules(root)
    alone = audit_with(root, None)
    prescan = AuditPrescan(sources, set(), ["pkg"], AuditScans(None), mode="process")
    prescan.start()
    assert prescan._child is not None
    pid = prescan._child[0]
    prescan.finish(cancel=True)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped already: no zombie left
    assert audit_with(root, prescan) == alone


def test_a_child_that_fails_changes_no_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure in the child (injected on its first file) is not reported from there: the
    audit reads what the child did not send and reports exactly the same."""
    root = write_tree(tmp_path / "project", TREE)
    sources, _modules, _analyzed = sources_and_modules(root)
    alone = audit_with(root, None)
    parent = os.getpid()
    real_of = audit.FileScan.of

    def fail_in_child(data: bytes, source: ModuleSource, tree: object = None) -> audit.FileScan:
        if os.getpid() != parent:
            raise MemoryError("injected")
        return real_of(data, source, tree)  # type: ignore[arg-type]

    monkeypatch.setattr(audit.FileScan, "of", staticmethod(fail_in_child))
    prescan = AuditPrescan(sources, set(), ["pkg"], AuditScans(None), mode="process")
    prescan.start()
    assert prescan.finish().entries == {}  # the child sent nothing
    assert audit_with(root, prescan) == alone


PROBE = """
import os, sys
forks = []
os.register_at_fork(before=lambda: forks.append(1))
import archgraph.scan.prescan as prescan
prescan.PRESCAN_MIN_BYTES = 1  # this tiny tree is worth a child
prescan._idle_cpu = lambda: True  # whatever else the machine runs
root, how = sys.argv[1], sys.argv[2]
if how == "cli":
    from archgraph.cli import main
    try:
        main(["check", root, "--no-cache", "--format", "json"])
    except SystemExit as end:
        code = int(end.code)
else:
    import archgraph
    from archgraph.usecases.project import RunOptions
    code = int(archgraph.run(__import__("pathlib").Path(root), RunOptions(use_cache=False)).exit_code)
print("forks", len(forks), "exit", code, file=sys.stderr)
"""


@pytest.mark.parametrize(("how", "children"), [("cli", 1), ("library", 0)])
def test_only_the_command_line_lets_a_scan_fork(tmp_path: Path, how: str, children: int) -> None:
    """In a fresh process (no scanner threads yet, as the command line starts): the command
    line's cold check forks the audit's child once; a library call never forks its host. The
    verdict is the same either way."""
    root = write_tree(tmp_path / "project", {**TREE, "contracts/c.toml": CONTRACT})
    ran = subprocess.run(
        [sys.executable, "-c", PROBE, str(root), how], capture_output=True, text=True, timeout=120
    )
    assert f"forks {children} exit 1" in ran.stderr, ran.stderr[-2000:]


CONTRACT = """
[archgraph]
root_packages = ["pkg"]

[[contracts]]
name = "a does not import b"
type = "forbidden"
source_modules = ["pkg.a"]
forbidden_modules = ["pkg.b"]
"""


READ_OTHERWISE_CONTRACT = """
[archgraph]
root_packages = ["pkg"]

[[contracts]]
name = "Only the vault imports the secret"
type = "forbidden"
source_modules = ["pkg.api", "pkg.legacy"]
forbidden_modules = ["pkg.secret"]
"""


@pytest.mark.parametrize("child", [True, False])
def test_imports_python_reads_otherwise_are_found_with_or_without_a_child(
    tmp_path: Path, child: bool
) -> None:
    """grimp's scanner reads `ｓecret` as Python does and fails on cp437 and mac_roman: those
    files are scanned again from their text as Python reads it, with a child reading the files
    for the audit or without."""
    root = write_tree(
        tmp_path / "project",
        {
            "pkg/__init__.py": "",
            "pkg/secret.py": "",
            "pkg/api.py": "from pkg import ｓecret\n",
            "pkg/legacy.py": "# -*- coding: cp437 -*-\nimport pkg.secret\nNAME = 'café'\n".encode("cp437"),
            "pkg/older.py": "# -*- coding: mac_roman -*-\nimport pkg.api\nNAME = 'café'\n".encode(
                "mac_roman"
            ),
            "contracts/c.toml": READ_OTHERWISE_CONTRACT,
        },
    )
    argv = [sys.executable, "-c", PROBE, str(root), "cli"] if child else [
        sys.executable, "-m", "archgraph", "check", str(root), "--no-cache", "--format", "json"
    ]
    ran = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert ran.returncode == (0 if child else 1), ran.stderr[-2000:]
    if child:
        assert "forks 1 exit 1" in ran.stderr, ran.stderr[-2000:]
    report = json.loads(ran.stdout)
    (contract,) = report["contracts"]
    importers = sorted(v["chain"][0]["importer"] for v in contract["violations"])
    assert importers == ["pkg.api", "pkg.legacy"]
    assert report["diagnostics"] == []
