"""`archgraph trend` over histories an attacker wrote: trees git itself would never check out
(built with `git hash-object -t tree --literally`, which stores any entry name, twice if asked),
links out of the checkout, subjects that look like line breaks or spreadsheet formulas, a
clean/smudge filter. Each test runs the command as CI would and looks at what a user would see:
the files beside the repository, the exit code, stderr, the commits measured."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from helpers import run_cli, write_tree

FORBID_B = """
[archgraph]
root_packages = ["pkg"]

[[contracts]]
id = "no-b"
name = "a does not import b"
type = "forbidden"
source_modules = ["pkg.a"]
forbidden_modules = ["pkg.b"]
"""

Entry = tuple[str, bytes, str]  # (mode, name, object id) as a raw tree holds them


def git(repository: Path, *arguments: str, stdin: bytes = b"", environment: Mapping[str, str] | None = None) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *arguments],
        cwd=repository, input=stdin, check=True, capture_output=True,
        env={**os.environ, **(environment or {})},
    ).stdout.decode().strip()


class History:
    """A repository whose objects are written one by one: any blob, any tree, any message."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)
        git(root, "init", "-q", "-b", "main")
        self.shas: list[str] = []

    def blob(self, content: str | bytes) -> str:
        data = content.encode() if isinstance(content, str) else content
        return git(self.root, "hash-object", "-w", "--stdin", stdin=data)

    def tree(self, entries: Sequence[Entry]) -> str:
        """A tree object exactly as given: no check of names, order or duplicates."""
        raw = b"".join(mode.encode() + b" " + name + b"\0" + bytes.fromhex(oid) for mode, name, oid in entries)
        return git(self.root, "hash-object", "-t", "tree", "--literally", "-w", "--stdin", stdin=raw)

    def file(self, name: str | bytes, content: str | bytes) -> Entry:
        return ("100644", name.encode() if isinstance(name, str) else name, self.blob(content))

    def link(self, name: str | bytes, target: str | bytes) -> Entry:
        return ("120000", name.encode() if isinstance(name, str) else name, self.blob(target))

    def folder(self, name: str | bytes, entries: Sequence[Entry]) -> Entry:
        return ("40000", name.encode() if isinstance(name, str) else name, self.tree(entries))

    def commit(self, entries: Sequence[Entry], subject: str = "commit") -> str:
        parents = ["-p", self.shas[-1]] if self.shas else []
        date = f"2024-01-{len(self.shas) + 1:02d}T12:00:00+00:00"
        sha = git(self.root, "commit-tree", self.tree(entries), *parents, "-F", "-", stdin=subject.encode(),
                  environment={"GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date})
        git(self.root, "update-ref", "refs/heads/main", sha)
        self.shas.append(sha)
        return sha

    def package(self, *extra: Entry) -> list[Entry]:
        """pkg, where pkg.a imports pkg.b (one violation of FORBID_B), with extra entries in it."""
        return [self.folder("pkg", [self.file("__init__.py", ""), self.file("a.py", "import pkg.b\n"),
                                    self.file("b.py", ""), *extra])]


def run_trend(history: History, tmp_path: Path, *options: str, output: str = "trend.json") -> tuple[int, str, str]:
    config = write_tree(tmp_path / "config", {"contracts.toml": FORBID_B}) / "contracts.toml"
    return run_cli(["trend", history.root, "--revs", "main", "--config", config, "-o", tmp_path / output,
                    "--quiet", *options])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_no_tree_entry_writes_replaces_or_deletes_a_file_outside_the_checkout(tmp_path: Path) -> None:
    """A link to a folder outside, then a file 'inside' it (the tree holds the name twice), then
    the file gone; names with '..', absolute names, '.', '.git', a path held twice: the run
    measures every commit, leaves each of those entries out with a warning, and the folder
    outside keeps exactly what it had."""
    outside = write_tree(tmp_path / "outside", {"sentinel.py": "KEEP = 1\n"})
    victim = tmp_path / "victim.py"
    secret = write_tree(tmp_path / "secret", {"token.txt": "TOKEN=hunter2 oops\n"}) / "token.txt"
    history = History(tmp_path / "repo")
    climbing = b"../" * 16 + bytes(victim).lstrip(b"/")
    history.commit(history.package(), "Base")
    history.commit([*history.package(history.link("creds.py", str(secret))), history.link("lib", str(outside))],
                   "A link out of the tree")
    history.commit([*history.package(), history.link("lib", str(outside)),
                    history.folder("lib", [history.file("sentinel.py", "PWNED = 1\n")])],
                   "lib is a link and a folder")
    history.commit([*history.package(), history.link("lib", str(outside))], "The file in lib is gone")
    history.commit([*history.package(history.file("dup.py", ""), history.file("dup.py", "import pkg.b\n")),
                    history.file(climbing, "PWNED = 1\n"), history.file(b"/" + bytes(victim).lstrip(b"/"), ""),
                    history.folder("..", [history.file("up.py", "")]), history.folder(".", [history.file("dot.py", "")]),
                    history.folder(".git", [history.folder("hooks", [history.file("hook.py", "")])])],
                   "Names git would not check out")
    history.commit(history.package(), "Clean again")
    before = snapshot(tmp_path / "outside")

    code, _out, err = run_trend(history, tmp_path)

    assert code == 0, err
    assert "Traceback" not in err
    assert snapshot(tmp_path / "outside") == before == {"sentinel.py": b"KEEP = 1\n"}
    assert not victim.exists()
    document = json.loads((tmp_path / "trend.json").read_text())
    assert [c["sha"] for c in document["commits"]] == history.shas
    assert [c["contracts"]["no-b"]["violations"] for c in document["commits"]] == [1] * 6
    assert [c["modules"] for c in document["commits"]] == [3] * 6  # pkg, pkg.a, pkg.b
    assert "hunter2" not in (tmp_path / "trend.json").read_text() + err
    shas = [sha[:10] for sha in history.shas]
    expected = {
        1: [f"lib: a link that leads out of the checkout (to '{outside}')",
            f"pkg/creds.py: a link that leads out of the checkout (to '{secret}')"],
        2: ["lib: a link where the tree also has a folder of that name",
            f"lib: a link that leads out of the checkout (to '{outside}')"],
        3: [f"lib: a link that leads out of the checkout (to '{outside}')"],
        4: [f"{climbing.decode()}: a '..' entry would step out of its folder",
            f"{'/' + str(victim).lstrip('/')}: an entry has an empty name or one holding '/'",
            "../up.py: a '..' entry would step out of its folder",
            "./dot.py: a '.' entry names its own folder",
            ".git/hooks/hook.py: git never checks out an entry named '.git'",
            "pkg/dup.py: the tree holds this path more than once"],
    }
    for index in range(len(history.shas)):
        skipped = document["commits"][index]["skipped"]
        for entry in expected.get(index, []):
            if entry.startswith("lib: a link that leads") and index == 2:
                continue  # at that commit the folder takes the place: one reason is enough
            assert entry in skipped, (index, skipped)
            assert f"archgraph: warning: commit {shas[index]}: left out {entry}\n" in err
        assert len(skipped) == len([e for e in expected.get(index, []) if not (index == 2 and "leads" in e)])
        assert document["commits"][index]["scan_problems"] >= len(skipped)


def test_a_link_inside_the_checkout_is_written_and_read(tmp_path: Path) -> None:
    """Links are not refused as such: pkg/alias.py -> a.py is a module, pkg/view -> real a
    package; only the link through one of them that climbs out (pkg/up -> view/../../..) is
    left out."""
    history = History(tmp_path / "repo")
    history.commit(history.package(history.link("alias.py", "a.py"), history.link("view", "real"),
                                   history.folder("real", [history.file("__init__.py", ""), history.file("m.py", "")]),
                                   history.link("up", "view/../../..")), "Links")
    config = write_tree(tmp_path / "config", {"contracts.toml": FORBID_B.replace('["pkg.a"]', '["pkg.alias"]')})
    code, _out, err = run_cli(["trend", history.root, "--revs", "main", "--config", config / "contracts.toml",
                               "-o", tmp_path / "trend.json"])
    assert code == 0, err
    document = json.loads((tmp_path / "trend.json").read_text())
    (commit,) = document["commits"]
    assert commit["contracts"]["no-b"]["violations"] == 1  # pkg.alias imports pkg.b: read through the link
    assert commit["skipped"] == ["pkg/up: a link that leads out of the checkout (to 'view/../../..')"]


def test_names_that_are_not_utf8_are_left_out_with_a_warning(tmp_path: Path) -> None:
    """A file and a folder whose names are not UTF-8: the rest of the commit is measured, and the
    warning shows each name with its bytes escaped."""
    history = History(tmp_path / "repo")
    history.commit(history.package(), "Base")
    history.commit(history.package(history.file(b"caf\xe9.py", "import pkg.b\n"),
                                    history.folder(b"\xff\xfe", [history.file("__init__.py", "")])), "Latin-1 names")
    code, _out, err = run_trend(history, tmp_path)
    assert code == 0, err
    assert "Traceback" not in err
    document = json.loads((tmp_path / "trend.json").read_text())
    assert [c["modules"] for c in document["commits"]] == [3, 3]
    assert document["commits"][1]["skipped"] == [
        "pkg/\\xff\\xfe/__init__.py: the name is not valid UTF-8",
        "pkg/caf\\xe9.py: the name is not valid UTF-8",
    ]
    assert f"commit {history.shas[1][:10]}: left out pkg/caf\\xe9.py: the name is not valid UTF-8" in err


@pytest.mark.parametrize("separator", ["\u2028", "\x1c", "\x1d", "\x1e", "\x85", "\x0b", "\r"])
def test_a_subject_with_a_line_break_to_python_changes_no_commit_measured(tmp_path: Path, separator: str) -> None:
    """str.splitlines() breaks lines at U+2028, \\x1c-\\x1e, NEL...: a subject that went on with
    'commit <a sha outside the range>' made the trend measure that commit and drop the next."""
    history = History(tmp_path / "repo")
    outside_range = history.commit(history.package(), "Before the range")
    history.commit(history.package(history.file("c.py", "")), f"Fix{separator}commit {outside_range}")
    history.commit(history.package(history.file("c.py", "x = 1\n")), "Next")
    config = write_tree(tmp_path / "config", {"contracts.toml": FORBID_B}) / "contracts.toml"
    code, _out, err = run_cli(["trend", history.root, "--revs", f"{outside_range}..main", "--config", config,
                               "-o", tmp_path / "trend.json", "--quiet"])
    assert code == 0, err
    document = json.loads((tmp_path / "trend.json").read_text())
    assert [c["sha"] for c in document["commits"]] == history.shas[1:]
    assert document["commits"][0]["subject"] == f"Fix{separator}commit {outside_range}"


def test_csv_subjects_that_start_like_a_formula_are_quoted(tmp_path: Path) -> None:
    """A cell that starts with '=', '+', '-', '@', a tab or CR is a formula to a spreadsheet: the
    CSV quotes it (a lone CR inside a subject no longer ends the row either); JSON keeps it as is."""
    subjects = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain\r= text"]
    history = History(tmp_path / "repo")
    for index, subject in enumerate(subjects):
        history.commit(history.package(history.file("c.py", f"x = {index}\n")), subject)
    code, _out, err = run_trend(history, tmp_path, output="trend.csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO((tmp_path / "trend.csv").read_bytes().decode(), newline="")))
    assert [row["subject"] for row in rows] == [f"'{s}" for s in subjects[:-1]] + ["plain\r= text"]
    assert [row["violations:no-b"] for row in rows] == ["1"] * len(subjects)
    code, _out, err = run_trend(history, tmp_path, output="trend.json")
    assert [c["subject"] for c in json.loads((tmp_path / "trend.json").read_text())["commits"]] == subjects


def test_a_cache_dir_inside_the_working_tree_is_refused(tmp_path: Path) -> None:
    """Facts kept there come from whoever wrote the files there: a commit of the pull request."""
    history = History(tmp_path / "repo")
    history.commit(history.package(), "Base")
    (tmp_path / "elsewhere").symlink_to(history.root / ".archgraph_cache")
    for cache_dir in (history.root / ".archgraph_cache", history.root, tmp_path / "elsewhere"):
        code, _out, err = run_trend(history, tmp_path, "--cache-dir", str(cache_dir))
        assert code == 2, err
        assert f"--cache-dir {cache_dir} is inside the repository's working tree" in err
        assert "Traceback" not in err
    assert not (history.root / ".archgraph_cache").exists()
    for cache_dir in (history.root / ".git" / "trend-cache", tmp_path / "cache"):
        code, _out, err = run_trend(history, tmp_path, "--cache-dir", str(cache_dir))
        assert code == 0, err
        assert any(cache_dir.iterdir())


def test_every_commit_is_read_as_git_stores_it_whatever_the_filters(tmp_path: Path) -> None:
    """A clean/smudge filter (as git-lfs or git-crypt install) makes the working tree differ from
    the blobs: here it stores 'import pkg.b' and shows 'import pkg.c'. The first commit's files
    used to be linked from the working tree (smudged) and later ones written from the blobs
    (raw): the same file gave two numbers. Every commit is now read raw."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "filter.swap.clean", "sed s/pkg.c/pkg.b/")
    git(root, "config", "filter.swap.smudge", "sed s/pkg.b/pkg.c/")
    write_tree(root, {".gitattributes": "*.py filter=swap\n", "pkg/__init__.py": "", "pkg/a.py": "import pkg.c\n",
                      "pkg/b.py": "", "pkg/c.py": ""})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a imports b (stored raw)")
    first = git(root, "rev-parse", "HEAD")
    assert git(root, "cat-file", "-p", f"{first}:pkg/a.py") == "import pkg.b"
    write_tree(root, {"pkg/c.py": "x = 1\n"})
    git(root, "commit", "-qam", "c changes")
    write_tree(root, {"pkg/a.py": "import pkg.c\nimport os\n"})
    git(root, "commit", "-qam", "a changes")
    git(root, "checkout", "-q", first)  # the working tree holds the first commit, smudged
    assert (root / "pkg/a.py").read_text() == "import pkg.c\n"
    assert git(root, "status", "--porcelain") == ""
    config = write_tree(tmp_path / "config", {"contracts.toml": FORBID_B}) / "contracts.toml"
    code, _out, err = run_cli(["trend", root, "--revs", "main", "--config", config, "-o", tmp_path / "t.json"])
    assert code == 0, err
    document = json.loads((tmp_path / "t.json").read_text())
    assert [c["contracts"]["no-b"]["violations"] for c in document["commits"]] == [1, 1, 1]
    assert (root / "pkg/a.py").read_text() == "import pkg.c\n"  # the user's file is left as it was
