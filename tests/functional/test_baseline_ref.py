"""`check --baseline-ref REV`: the baseline file at git REV against today's, in real git
repositories; a baseline that grew fails the run, naming what was added."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import git, run_cli, write_tree

CONFIG = """
[archgraph]
root_packages = ["app"]
baseline = "baseline.json"

[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["app"]
layers = ["api", "core"]
"""
TREE = {
    "app/__init__.py": "",
    "app/api/__init__.py": "",
    "app/api/views.py": "import app.core.models\n",
    "app/core/__init__.py": "",
    "app/core/models.py": "import app.api.views\n",
    "app/core/rules.py": "",
    "app/core/jobs.py": "",
    "archgraph.toml": CONFIG,
    ".gitignore": ".archgraph_cache/\n",
}


def check(root: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(["check", str(root), "--config", str(root / "archgraph.toml"), *args])


def record(root: Path) -> None:
    code, _, stderr = run_cli(["baseline", str(root), "--config", str(root / "archgraph.toml")])
    assert code == 0, stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose main commit records one violation (models -> views) in its baseline."""
    write_tree(tmp_path, TREE)
    record(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "baseline")
    return tmp_path


def test_a_baseline_re_recorded_with_a_new_violation_fails_naming_it(repo: Path) -> None:
    write_tree(repo, {"app/core/rules.py": "import app.api.views\n"})
    record(repo)  # the pull request records its new violation instead of fixing it
    assert check(repo)[0] == 0  # the baseline alone would let it pass

    code, stdout, _ = check(repo, "--baseline-ref", "main")
    assert code == 1
    assert "Baseline: -0 fixed, +1 added since main (baseline.json)" in stdout
    assert "    + layers: app.core.rules -> app.api.views" in stdout

    code, stdout, _ = check(repo, "--baseline-ref", "main", "--format", "json")
    change = json.loads(stdout)["baseline_change"]
    assert code == 1
    assert change["ref"] == "main" and change["file"] == "baseline.json"
    assert [(e["importer"], e["imported"]) for e in change["added"]] == [("app.core.rules", "app.api.views")]
    assert change["removed"] == []

    code, markdown, _ = check(repo, "--baseline-ref", "main", "--format", "markdown")
    assert code == 1
    assert "baseline: -0 fixed, +1 added since main" in markdown
    assert markdown.startswith("## archgraph: all 1 contracts kept; the baseline grew by 1 entry\n")
    assert "- `layers`: app.core.rules -> app.api.views" in markdown

    code, github, _ = check(repo, "--baseline-ref", "main", "--format", "github")
    assert code == 1
    assert "title=archgraph baseline (AG190)::baseline entry added since main: layers:" in github


def test_fixed_violations_pruned_from_the_baseline_pass(repo: Path) -> None:
    write_tree(repo, {"app/core/models.py": ""})
    assert run_cli(["baseline", str(repo), "--config", str(repo / "archgraph.toml"), "--prune"])[0] == 0
    code, stdout, _ = check(repo, "--baseline-ref", "main", "--format", "markdown")
    assert code == 0
    assert "baseline: -1 fixed, +0 added since main" in stdout


def test_counts_are_compared_not_only_keys(repo: Path) -> None:
    baseline = json.loads((repo / "baseline.json").read_text())
    baseline["violations"][0]["count"] = 2
    (repo / "baseline.json").write_text(json.dumps(baseline))
    code, stdout, _ = check(repo, "--baseline-ref", "HEAD")
    assert code == 1 and "+1 added since HEAD" in stdout


def test_a_baseline_that_did_not_exist_at_rev_adds_every_entry(repo: Path) -> None:
    git(repo, "rm", "-q", "--cached", "baseline.json")
    git(repo, "commit", "-q", "-m", "no baseline")
    code, stdout, _ = check(repo, "--baseline-ref", "HEAD")
    assert code == 1 and "+1 added since HEAD" in stdout


def test_revisions_that_are_not_commits_are_usage_errors(repo: Path) -> None:
    for revision in ("--output=/tmp/x", "no-such-branch", "main:baseline.json"):
        code, _, stderr = check(repo, "--baseline-ref", revision)
        assert code == 2, revision
        assert "--baseline-ref" in stderr


def test_a_link_at_rev_is_refused_never_followed(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    secret = tmp_path_factory.mktemp("outside") / "secret.json"
    secret.write_text('{"version": 1, "violations": []}')
    (repo / "baseline.json").rename(repo / "real.json")
    os.symlink(secret, repo / "baseline.json")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a link")
    (repo / "baseline.json").unlink()
    (repo / "real.json").rename(repo / "baseline.json")
    code, _, stderr = check(repo, "--baseline-ref", "HEAD")
    assert code == 2 and "not a regular file at HEAD" in stderr


def test_baseline_ref_needs_a_baseline_file(repo: Path) -> None:
    write_tree(repo, {"archgraph.toml": CONFIG.replace('baseline = "baseline.json"\n', "")})
    code, _, stderr = check(repo, "--baseline-ref", "main")
    assert code == 2 and "--baseline-ref needs a baseline file" in stderr
    code, _, stderr = check(repo, "--baseline-ref", "main", "--no-baseline")
    assert code == 2


def test_an_explicit_baseline_file_in_a_subfolder(repo: Path) -> None:
    (repo / "ci").mkdir()
    (repo / "baseline.json").rename(repo / "ci" / "known.json")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "moved")
    write_tree(repo, {"app/core/jobs.py": "import app.api\n"})
    record_to = repo / "ci" / "known.json"
    assert run_cli(["baseline", str(repo), str(record_to), "--config", str(repo / "archgraph.toml")])[0] == 0
    code, stdout, _ = check(repo, "--baseline", str(record_to), "--baseline-ref", "HEAD")
    assert code == 1 and "+ layers: app.core.jobs -> app.api" in stdout


def test_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    record(tmp_path)
    env_dir = os.environ.get("GIT_CEILING_DIRECTORIES")
    os.environ["GIT_CEILING_DIRECTORIES"] = str(tmp_path.parent)
    try:
        code, _, stderr = check(tmp_path, "--baseline-ref", "HEAD")
    finally:
        if env_dir is None:
            del os.environ["GIT_CEILING_DIRECTORIES"]
        else:
            os.environ["GIT_CEILING_DIRECTORIES"] = env_dir
    assert code == 2 and "--baseline-ref" in stderr
