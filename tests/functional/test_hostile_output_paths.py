"""Every output is written whole, where the user sent it, and never through a committed link.

A pull request can commit `docs/architecture.svg -> ~/.bashrc`, a `reports` folder linked to
elsewhere, or a link to `/dev/null`. A link in the analysed tree (or the working directory, the
checkout in CI) is written through only to a place inside them; otherwise the run stops with a
message and exit code 2, before anything is written. A special file the user names (a device,
a named pipe, `/proc/self/fd/N`) is written to, never replaced; a failed write (a full disk, a
read-only folder) leaves the old file as it was and prints no traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import run_cli, write_tree

CONTRACT = """
[archgraph]
root_packages = ["pkg"]

[[contracts]]
name = "core below api"
type = "layers"
layers = ["pkg.api", "pkg.core"]
"""
BROKEN = {"pkg/__init__.py": "", "pkg/api.py": "", "pkg/core.py": "import pkg.api\n", "pkg/bad.py": "def (\n"}


def checkout(root: Path) -> Path:
    """A project whose contract is broken (exit 1) and with one unparsable file."""
    return write_tree(root, {**BROKEN, "contracts/arch.toml": CONTRACT})


# Each command with an output, the output given as a path relative to the checkout.
OUTPUTS: dict[str, Callable[[str], list[str]]] = {
    "check -o": lambda out: ["check", ".", "--no-cache", "-o", out],
    "check --output-dir": lambda out: ["check", ".", "--no-cache", "--output-dir", os.path.dirname(out)],
    "render -o": lambda out: ["render", ".", "--no-cache", "-o", out, "--format", "dot"],
    "report -o": lambda out: ["report", ".", "--no-cache", "-o", out],
    "export -o": lambda out: ["export", ".", "--no-cache", "-o", out],
    "baseline FILE": lambda out: ["baseline", ".", out, "--no-cache"],
}


def file_of(command: str, folder: str = "docs") -> str:
    """Where the command writes (check --output-dir: its text report)."""
    return f"{folder}/report.txt" if command == "check --output-dir" else f"{folder}/out.txt"


@pytest.fixture
def in_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = checkout(tmp_path / "checkout")
    monkeypatch.chdir(root)  # as in CI: the working directory is the checkout
    return root


def cannot_write(output: str) -> re.Pattern[str]:
    """The start of the message for a failed write: `archgraph baseline` says what the file is."""
    return re.compile(f"^archgraph: error: cannot write (the baseline file )?{re.escape(output)}: ")


def assert_refused(code: int, stderr: str, output: str) -> None:
    assert code == 2, stderr
    assert cannot_write(output).match(stderr), stderr
    assert f"{output}: the symbolic link " in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("command", OUTPUTS)
def test_no_output_is_written_through_a_committed_link_out_of_the_tree(
    in_checkout: Path, tmp_path: Path, command: str
) -> None:
    bashrc = write_tree(tmp_path / "home", {".bashrc": "alias ls='ls --color'\n"}) / ".bashrc"
    output = file_of(command)
    (in_checkout / "docs").mkdir()
    os.symlink(bashrc, in_checkout / output)

    code, _stdout, stderr = run_cli(OUTPUTS[command](output))

    assert_refused(code, stderr, output)
    assert bashrc.read_text() == "alias ls='ls --color'\n"
    assert os.readlink(in_checkout / output) == str(bashrc)
    assert [p.name for p in bashrc.parent.iterdir()] == [".bashrc"]  # no temporary file left


@pytest.mark.parametrize("command", OUTPUTS)
def test_no_output_is_written_into_a_committed_folder_link(in_checkout: Path, tmp_path: Path, command: str) -> None:
    elsewhere = (tmp_path / "elsewhere").resolve()
    elsewhere.mkdir()
    os.symlink(elsewhere, in_checkout / "docs")

    code, _stdout, stderr = run_cli(OUTPUTS[command](file_of(command)))

    assert_refused(code, stderr, file_of(command))
    assert list(elsewhere.iterdir()) == []


def test_init_does_not_write_its_contracts_through_a_committed_link(in_checkout: Path, tmp_path: Path) -> None:
    target = write_tree(tmp_path / "home", {"profile": "export A=1\n"}) / "profile"
    (in_checkout / "contracts" / "arch.toml").unlink()
    os.symlink(target, in_checkout / "contracts" / "architecture.toml")

    code, _stdout, stderr = run_cli(["init", ".", "--no-cache", "--force"])

    assert_refused(code, stderr, str(in_checkout / "contracts" / "architecture.toml"))
    assert target.read_text() == "export A=1\n"


def test_a_link_into_the_git_folder_is_not_written_through(in_checkout: Path) -> None:
    """Inside the checkout, but `.git/config` (or a hook) written by a report would run code."""
    config = write_tree(in_checkout, {".git/config": "[core]\n"}) / ".git" / "config"
    write_tree(in_checkout, {"docs/": ""})
    os.symlink("../.git/config", in_checkout / "docs" / "out.txt")

    code, _stdout, stderr = run_cli(OUTPUTS["check -o"]("docs/out.txt"))

    assert_refused(code, stderr, "docs/out.txt")
    assert "leads into a hidden folder" in stderr
    assert config.read_text() == "[core]\n"


@pytest.mark.parametrize("command", OUTPUTS)
def test_a_link_within_the_tree_is_written_through_and_stays_a_link(in_checkout: Path, command: str) -> None:
    output = file_of(command)
    write_tree(in_checkout, {"build/": "", "docs/": ""})
    os.symlink("../build/kept.txt", in_checkout / output)

    code, _stdout, stderr = run_cli(OUTPUTS[command](output))

    assert code in (0, 1), stderr
    assert os.readlink(in_checkout / output) == "../build/kept.txt"
    assert (in_checkout / "build" / "kept.txt").stat().st_size > 0


def test_a_baseline_reached_through_a_link_keeps_the_link(in_checkout: Path) -> None:
    """`baseline FILE` used to replace the link by a regular file."""
    write_tree(in_checkout, {"quality/baseline.json": ""})
    os.symlink("quality/baseline.json", in_checkout / "baseline.json")

    code, _stdout, stderr = run_cli(["baseline", ".", "baseline.json", "--no-cache"])
    assert code == 0, stderr
    assert (in_checkout / "baseline.json").is_symlink()
    recorded = json.loads((in_checkout / "quality" / "baseline.json").read_text())
    assert len(recorded["violations"]) == 1

    code, _stdout, stderr = run_cli(["check", ".", "--no-cache", "--baseline", "baseline.json"])
    assert code == 0, stderr


def null_device(folder: Path) -> Path:
    """A device node like /dev/null (same device numbers) made in `folder`: a regression then
    replaces this node, not the machine's /dev/null (as root, the old write did)."""
    node = folder / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return node


def test_a_device_node_is_written_to_not_replaced(in_checkout: Path, tmp_path: Path) -> None:
    device = null_device(tmp_path)
    before = device.stat()

    code, _stdout, stderr = run_cli(["check", ".", "--no-cache", "-o", str(device)])

    assert code == 1, stderr  # the contract's verdict, not a write error
    after = device.stat()
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert [p.name for p in tmp_path.iterdir() if p.name != "checkout"] == ["null"]  # no temporary file


def test_a_committed_link_to_dev_null_is_refused_and_dev_null_is_left_alone(in_checkout: Path) -> None:
    """The real /dev/null through a link in the tree: refused before anything is opened (the
    old `render` wrote through it, the old `check -o` replaced the link)."""
    write_tree(in_checkout, {"docs/": ""})
    os.symlink("/dev/null", in_checkout / "docs" / "out.txt")
    before = os.stat("/dev/null")

    code, _stdout, stderr = run_cli(OUTPUTS["render -o"]("docs/out.txt"))

    assert_refused(code, stderr, "docs/out.txt")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    assert os.readlink(in_checkout / "docs" / "out.txt") == "/dev/null"


def test_an_open_file_named_by_proc_self_fd_gets_the_report_appended(in_checkout: Path, tmp_path: Path) -> None:
    """`-o /proc/self/fd/N` (and /dev/stdout) names an open file: written to, not replaced."""
    log = tmp_path / "log.txt"
    with log.open("w") as stream:
        stream.write("earlier\n")
        stream.flush()
        inode = os.fstat(stream.fileno()).st_ino
        code, _stdout, stderr = run_cli(["check", ".", "--no-cache", "--format", "json", "-o",
                                         f"/proc/self/fd/{stream.fileno()}"])
    assert code == 1, stderr
    assert log.stat().st_ino == inode
    earlier, report = log.read_text().split("\n", 1)
    assert earlier == "earlier" and json.loads(report)["summary"]["broken"] == 1


def test_a_named_pipe_is_written_to_and_stays_a_pipe(in_checkout: Path) -> None:
    pipe = in_checkout / "docs" / "pipe"
    pipe.parent.mkdir()
    os.mkfifo(pipe)
    received: list[bytes] = []

    def read() -> None:
        with pipe.open("rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        code, _stdout, stderr = run_cli(["export", ".", "--no-cache", "-o", "docs/pipe"])
    finally:
        if reader.is_alive() and not received:
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))  # let the reader end
        reader.join(10)
    assert code == 0, stderr
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert "pkg.api" in {node["id"] for node in json.loads(received[0])["nodes"]}


def test_a_named_pipe_without_a_reader_is_an_error_not_a_hang(in_checkout: Path) -> None:
    os.mkfifo(in_checkout / "pipe")

    code, _stdout, stderr = run_cli(["check", ".", "--no-cache", "-o", "pipe"])

    assert code == 2
    assert "archgraph: error: cannot write pipe: a named pipe with no reader" in stderr


@pytest.mark.parametrize("command", OUTPUTS)
def test_a_folder_that_cannot_be_made_is_an_error_naming_the_file(in_checkout: Path, command: str) -> None:
    """An OS error at the output (here: its folder is a file) gives a message, not a traceback."""
    write_tree(in_checkout, {"docs": "a file\n"})
    output = file_of(command, "docs/deeper")

    code, _stdout, stderr = run_cli(OUTPUTS[command](output))

    assert code == 2, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert cannot_write(output).match(stderr), stderr
    assert (in_checkout / "docs").read_text() == "a file\n"


# --- A full disk and a read-only checkout, for real: a private mount namespace (needs root and
# unshare; skipped where the system refuses it).


def private_mounts() -> None:
    """Skip unless this process may make mounts of its own (a tmpfs, a read-only bind)."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"no private mounts here: {probe.stderr.decode(errors='replace').strip()}")


def isolated(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a private mount namespace; `$ARCHGRAPH` runs the command line."""
    environment = {**os.environ, "ARCHGRAPH": f"{sys.executable} -m archgraph"}
    return subprocess.run(["unshare", "-m", "sh", "-euc", script], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["check -o", "render -o", "report -o", "baseline FILE"])
def test_a_full_disk_leaves_the_old_output_whole(tmp_path: Path, command: str) -> None:
    private_mounts()
    root = checkout(tmp_path / "checkout")
    write_tree(root, {"docs/": ""})
    arguments = " ".join(OUTPUTS[command]("docs/out.txt"))
    result = isolated(
        "mount -t tmpfs -o size=64k tmpfs docs\n"
        "printf 'the report of yesterday\\n' > docs/out.txt\n"
        "head -c 1M /dev/zero > docs/filler 2>/dev/null || true\n"
        f"status=0; $ARCHGRAPH {arguments} || status=$?\n"
        "echo \"status=$status\"; cat docs/out.txt; echo \"left: $(ls -A docs)\"\n",
        root,
    )
    assert "status=2" in result.stdout, result.stderr
    assert "the report of yesterday\n" in result.stdout
    assert "left: filler out.txt" in result.stdout.replace("\n", " ")  # no temporary file
    assert "No space left on device" in result.stderr
    assert cannot_write("docs/out.txt").match(result.stderr), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("command", ["check -o", "render -o", "report -o", "export -o"])
def test_a_read_only_folder_is_an_error_naming_the_file(tmp_path: Path, command: str) -> None:
    private_mounts()
    root = checkout(tmp_path / "checkout")
    write_tree(root, {"docs/": ""})
    arguments = " ".join(OUTPUTS[command]("docs/out.txt"))
    result = isolated(f"mount --bind -o ro docs docs\n$ARCHGRAPH {arguments}", root)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("archgraph: error: cannot write docs/out.txt: Read-only file system")
    assert "Traceback" not in result.stderr
    assert list((root / "docs").iterdir()) == []


# --- The cache only costs speed: a checkout (or cache folder) that cannot be written, with an
# unparsable file to remember, keeps the verdict (exit 1 for the broken contract, not 2).


def assert_verdict_kept(code: int, stdout: str, stderr: str) -> None:
    assert code == 1, stderr
    assert "BROKEN  core below api" in stdout
    assert "pkg/bad.py:1: warning AG201: syntax error" in stdout
    assert "Traceback" not in stderr and "error" not in stderr


@pytest.mark.parametrize("command", [["check"], ["report", "-o", "../report.html"]])
def test_a_cache_folder_that_cannot_be_made_only_costs_speed(in_checkout: Path, command: list[str]) -> None:
    write_tree(in_checkout, {"blocker": "a file\n"})

    code, stdout, stderr = run_cli([*command, ".", "--cache-dir", "blocker/cache"])

    if command == ["check"]:
        assert_verdict_kept(code, stdout, stderr)
    else:
        assert code == 0, stderr
    assert (in_checkout / "blocker").read_text() == "a file\n"


@pytest.mark.slow
def test_a_read_only_checkout_keeps_the_verdict(tmp_path: Path) -> None:
    private_mounts()
    root = checkout(tmp_path / "checkout")
    result = isolated("mount --bind -o ro . .\ncd .\n$ARCHGRAPH check .", root)
    assert_verdict_kept(result.returncode, result.stdout, result.stderr)
    assert not (root / ".archgraph_cache").exists()


@pytest.mark.slow
def test_a_full_cache_disk_keeps_the_verdict(tmp_path: Path) -> None:
    private_mounts()
    root = checkout(tmp_path / "checkout")
    write_tree(root, {"cache/": ""})
    result = isolated(
        "mount -t tmpfs -o size=64k tmpfs cache\n"
        "head -c 1M /dev/zero > cache/filler 2>/dev/null || true\n"
        "$ARCHGRAPH check . --cache-dir cache",
        root,
    )
    assert_verdict_kept(result.returncode, result.stdout, result.stderr)


def test_trend_does_not_write_through_a_committed_link(in_checkout: Path, tmp_path: Path) -> None:
    bashrc = write_tree(tmp_path / "home", {".bashrc": "alias ls='ls --color'\n"}) / ".bashrc"
    write_tree(in_checkout, {"docs/": ""})
    os.symlink(bashrc, in_checkout / "docs" / "trend.json")
    for arguments in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "one"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *arguments],
                       cwd=in_checkout, check=True, capture_output=True)

    code, _stdout, stderr = run_cli(["trend", ".", "--no-cache", "--no-families", "--revs", "HEAD",
                                     "-o", "docs/trend.json", "--quiet"])

    assert_refused(code, stderr, "docs/trend.json")
    assert bashrc.read_text() == "alias ls='ls --color'\n"
