"""Benchmark `archgraph trend` on a git history: a corpus committed, then N more commits.

Two kinds of history (--history):
  - synthetic (default): a corpus as unpacked by `benchmarks/run.py`
    (~/.cache/archgraph-bench/corpora/; Django, or Home Assistant with --corpus), with the
    contracts that harness uses (source roots made relative), committed once; then N commits
    that each toggle one import that breaks or fixes a contract and append a comment to two
    other files (ordinary churn), so every commit changes Python files.
  - releases: N+1 consecutive Django releases from PyPI (wheels cached under
    ~/.cache/archgraph-bench/wheels/), each release's `django/` tree one commit, judged by the
    Django contracts: real changes, from a few files (patch releases) to a feature release.

It times, each command a new process as a user would run it:
  - one cold `archgraph check` (empty cache) of the final tree;
  - one cold `archgraph families` of the final tree (the trend also runs the families analysis);
  - `archgraph trend --revs HEAD~N..HEAD` to JSON and to HTML, nothing kept from an earlier
    trend, and with --no-families; to JSON again after a trend of the same history (the file
    facts it kept by content are read, not parsed; the JSON must be the same bytes);
  - the same with --no-cache (every commit scanned cold), to show what the shared cache buys;
and checks that the trend's numbers for three commits equal `archgraph check --format json`
on a plain `git archive` extraction of each (exit 1 when they differ). --quick leaves out the
HTML and --no-cache runs.

    .venv/bin/python benchmarks/trend.py [--corpus django|homeassistant] [--history synthetic|releases]
        [--commits 20] [--runs 3] [--quick] [--keep DIR] [--results FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH_CACHE = Path.home() / ".cache" / "archgraph-bench"
WHEELS = BENCH_CACHE / "wheels"
MARK = "  # trend-bench"


@dataclass(frozen=True)
class Corpus:
    """A corpus of `benchmarks/run.py` and the imports that toggle its contracts."""

    title: str  # names the corpus in commit messages and result headings
    root: Path  # the unpacked wheel: `package` is directly under it
    package: str  # the top-level package folder, committed as is
    config: Path  # its contracts; source_roots is rewritten to the repository
    # Imports that break a contract when added (and fix it when removed again).
    toggles: tuple[tuple[str, str], ...]


CORPORA = {
    "django": Corpus(
        title="Django 6.1.3",
        root=BENCH_CACHE / "corpora" / "django-6.1.3",
        package="django",
        config=BENCH_CACHE / "configs" / "django-6.1.3.archgraph.toml",
        toggles=(
            ("django/db/models/query.py", "import django.test"),  # forbidden-db-test: ORM imports tests
            ("django/views/generic/base.py", "from django.db.models.sql import query as _sql"),  # protected-sql
            ("django/utils/text.py", "import django.contrib.auth"),  # layers: utils imports contrib
            ("django/db/models/fields/__init__.py", "from django import forms"),  # forbidden-db-forms
            ("django/http/request.py", "import django.views.generic"),  # layers: http imports views
            ("django/template/base.py", "import django.contrib.admin"),  # layers: template imports contrib
        ),
    ),
    "homeassistant": Corpus(
        title="Home Assistant 2026.2.3",
        root=BENCH_CACHE / "corpora" / "homeassistant-2026.2.3",
        package="homeassistant",
        config=BENCH_CACHE / "configs" / "homeassistant-2026.2.3.archgraph.toml",
        # Each checked against `archgraph check` on the corpus: the contract named is the one
        # whose violation count the import changes.
        toggles=(
            # layers (+1): helpers imports an integration
            ("homeassistant/helpers/storage.py", "import homeassistant.components.http"),
            # forbidden-components-startup (+2): an integration imports bootstrap
            ("homeassistant/components/demo/__init__.py", "import homeassistant.bootstrap"),
            # forbidden-util-helpers (+1), and layers (+1), util being below helpers
            ("homeassistant/util/dt.py", "import homeassistant.helpers.frame"),
            # protected-db-schema (+1): history reads the recorder's schema
            ("homeassistant/components/history/__init__.py",
             "from homeassistant.components.recorder import db_schema"),
            # layers (+1): core imports an integration
            ("homeassistant/core.py", "import homeassistant.components.sensor"),
            # forbidden-components-startup (+1): an integration imports the scripts
            ("homeassistant/components/energy/__init__.py",
             "from homeassistant.scripts import check_config"),
        ),
    ),
}

# Consecutive Django releases in version order, for --history releases: the whole 5.1 series,
# then 5.2 (a feature release: many files change) and its patch releases.
DJANGO_RELEASES = (
    "5.1", *(f"5.1.{patch}" for patch in range(1, 16)),
    "5.2", *(f"5.2.{patch}" for patch in range(1, 20)),
)


def git(repository: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", *arguments],
        cwd=repository, check=True, capture_output=True, text=True,
    ).stdout


def archgraph_bin() -> str:
    found = Path(sys.executable).with_name("archgraph")
    return os.environ.get("ARCHGRAPH_BIN", str(found if found.exists() else "archgraph"))


def start_repository(repository: Path, config: Path) -> None:
    """A new git repository holding the contracts, their source root made the repository."""
    config_text = re.sub(r"(?m)^source_roots = .*$", 'source_roots = ["."]', config.read_text())
    (repository / "contracts").mkdir(parents=True)
    (repository / "contracts" / "architecture.toml").write_text(config_text)
    git(repository, "init", "-q", "-b", "main")


def build_synthetic_history(repository: Path, corpus: Corpus, commits: int, seed: int = 7) -> None:
    """The corpus committed as is, then `commits` commits of a toggled import plus churn."""
    start_repository(repository, corpus.config)
    shutil.copytree(corpus.root / corpus.package, repository / corpus.package)
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", corpus.title)
    chooser = random.Random(seed)
    package = repository / corpus.package
    python_files = sorted(str(p.relative_to(repository)) for p in package.rglob("*.py"))
    for index in range(commits):
        path, statement = corpus.toggles[index % len(corpus.toggles)]
        file = repository / path
        text = file.read_text()
        line = f"{statement}{MARK}\n"
        added = line not in text
        file.write_text(text + line if added else text.replace(line, ""))
        for churned in chooser.sample(python_files, 2):
            with open(repository / churned, "a") as stream:
                stream.write(f"# trend-bench churn {index}\n")
        git(repository, "commit", "-q", "-a", "-m", f"{'Add' if added else 'Remove'} {statement} in {path}")


def release_wheel(version: str) -> Path:
    """Django `version`'s wheel, downloaded from PyPI the first time."""

    def cached() -> list[Path]:
        # Older wheels are named Django-*, newer ones django-*.
        return [w for w in WHEELS.glob("*.whl") if w.name.lower().startswith(f"django-{version}-")]

    if not cached():
        print(f"downloading Django {version} into {WHEELS}", file=sys.stderr)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--dest", str(WHEELS), f"django=={version}"]
        completed = subprocess.run(command, check=False, capture_output=True, text=True)
        if completed.returncode != 0 or not cached():
            raise SystemExit(f"{' '.join(command)} exited {completed.returncode}:\n{completed.stderr}")
    return cached()[0]


def replace_tree(repository: Path, wheel: Path, package: str) -> None:
    """Make `package` in the repository exactly the wheel's (files it no longer has deleted).

    Only the files that differ are written: extracting all of Django's ~2,800 files for each
    release took about 3 s, most of the time spent building the history.
    """
    wanted = set()
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.startswith(f"{package}/"):
                continue
            target = repository / member.filename
            wanted.add(target)
            content = archive.read(member)
            if not target.is_file() or target.read_bytes() != content:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
    for path in sorted((repository / package).rglob("*"), reverse=True):  # files before folders
        if path.is_file() and path not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def build_release_history(repository: Path, versions: tuple[str, ...]) -> None:
    """One commit per release, its `django/` tree as released, judged by the Django contracts."""
    start_repository(repository, CORPORA["django"].config)
    for version in versions:
        replace_tree(repository, release_wheel(version), "django")
        git(repository, "add", "-A")
        git(repository, "commit", "-q", "-m", f"Django {version}")


def timed(command: list[str], cwd: Path, expected: set[int]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(command, check=False, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode not in expected:
        raise SystemExit(f"{' '.join(command)} exited {completed.returncode}:\n{completed.stderr}")
    return elapsed


def repeat(runs: int, measure: Callable[[], float]) -> tuple[float, float, float]:
    """(median, min, max) of `runs` measurements."""
    times = [measure() for _ in range(runs)]
    return statistics.median(times), min(times), max(times)


def compare_with_check(repository: Path, trend_file: Path, work: Path) -> tuple[list[str], list[str]]:
    """Compare the trend with `check --no-cache` on `git archive` extractions of three commits.

    Returns (notes, mismatches). Violations and governed sites must be equal. `respecting` is
    only noted: for indirect layer violations it depends on which chain grimp reports for a
    route, which can differ between two runs of `check` on the same files. A contract the
    trend has as n/a at a commit (e.g. it names a module an old release lacks) must be one
    that `check` could not judge either (no governed count, an error diagnostic).
    """
    document = json.loads(trend_file.read_text())
    commits = document["commits"]
    notes, mismatches = [], []
    picked = sorted({0, len(commits) // 2, len(commits) - 1})
    for index in picked:
        commit = commits[index]
        extracted = work / f"extract-{index}"
        extracted.mkdir()
        archive = subprocess.run(["git", "archive", commit["sha"]], cwd=repository, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(extracted)], input=archive, check=True)
        result = subprocess.run(
            [archgraph_bin(), "check", str(extracted), "--no-cache", "--format", "json",
             "--config", str(repository / "contracts" / "architecture.toml")],
            check=False, capture_output=True, text=True,
        )
        for contract in json.loads(result.stdout)["contracts"]:
            measured = commit["contracts"][contract["id"]]
            where = f"{commit['sha'][:10]} {contract['id']}"
            if measured["unavailable"] is not None:
                judged_by_check = contract["governed"] is not None or not any(
                    d["severity"] == "error" for d in contract["diagnostics"])
                if judged_by_check:
                    mismatches.append(f"{where}: n/a in the trend ({measured['unavailable']}), "
                                      f"but check judged it: {len(contract['violations'])} violations, "
                                      f"{contract['governed']} governed")
                else:
                    notes.append(f"{where}: n/a in the trend and in check: {measured['unavailable']}")
                continue
            expected = (len(contract["violations"]), contract["governed"])
            got = (measured["violations"], measured["governed"])
            if expected != got:
                mismatches.append(f"{where}: check (violations, governed) {expected}, trend {got}")
            elif contract["respecting"] != measured["respecting"]:
                notes.append(f"{where}: respecting {measured['respecting']} (trend) vs "
                             f"{contract['respecting']} (check): grimp chose another chain")
        shutil.rmtree(extracted)
    contracts = len(commits[0]["contracts"])
    notes.insert(0, f"trend vs `check --no-cache` on `git archive` of {len(picked)} commits x "
                    f"{contracts} contracts: {len(mismatches)} mismatch(es) in violations or governed sites")
    return notes, mismatches


def unavailable_in_trend(trend_file: Path) -> list[str]:
    """One line per contract the trend could not judge at some commits (n/a points)."""
    commits = json.loads(trend_file.read_text())["commits"]
    missing: dict[str, list[str]] = {}
    for commit in commits:
        for contract_id, point in commit["contracts"].items():
            if point["unavailable"] is not None:
                missing.setdefault(contract_id, []).append(commit["subject"])
    return [f"{contract_id}: n/a at {len(subjects)} of {len(commits)} commits "
            f"({subjects[0]} ... {subjects[-1]})" for contract_id, subjects in missing.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="django",
                        help="corpus of the synthetic history (default django)")
    parser.add_argument("--history", choices=["synthetic", "releases"], default="synthetic",
                        help="synthetic commits on the corpus, or consecutive Django releases "
                             "from PyPI (default synthetic)")
    parser.add_argument("--commits", type=int, default=20, help="commits after the first (default 20)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="leave out the HTML and --no-cache measurements")
    parser.add_argument("--keep", type=Path, help="build the repository in this (new) folder and keep it")
    parser.add_argument("--results", type=Path, help="also append the results (markdown) to FILE")
    arguments = parser.parse_args()
    n = arguments.commits
    corpus = CORPORA[arguments.corpus]
    releases = DJANGO_RELEASES[: n + 1]
    if arguments.history == "releases":
        if arguments.corpus != "django":
            parser.error("--history releases is a Django history: leave out --corpus")
        if len(releases) < n + 1:
            parser.error(f"--history releases has {len(DJANGO_RELEASES) - 1} commits at most")
    # The release history needs only the corpus's contracts; the synthetic one its code too.
    needed = [corpus.config] if arguments.history == "releases" else [corpus.config, corpus.root]
    if not all(path.exists() for path in needed):
        print(f"missing {' or '.join(map(str, needed))}: run "
              f"`python benchmarks/run.py --corpus {arguments.corpus}` once", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="archgraph-trend-bench-"))
    repository = arguments.keep or work / f"{arguments.corpus}-history"
    try:
        started = time.perf_counter()
        if arguments.history == "releases":
            build_release_history(repository, releases)
            built = f"Django {releases[0]} + {n} releases"
            title = (f"### Django {releases[0]} -> {releases[-1]}: {n + 1} consecutive releases, "
                     f"one commit each (the trend covers the last {n})")
            about = [f"Releases: {', '.join(releases)}.", ""]
        else:
            build_synthetic_history(repository, corpus, n)
            built = f"{corpus.title} + {n} commits"
            title = (f"### {corpus.title} + {n} commits (each: one contract-breaking or -fixing "
                     "import, 2 files churned)")
            about = []
        print(f"built {repository}: {built} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        binary = archgraph_bin()
        revs = f"HEAD~{n}..HEAD"
        trend_file = work / "trend.json"

        def cold(command: str) -> float:
            cache = work / "cache"
            shutil.rmtree(cache, ignore_errors=True)
            return timed([binary, command, ".", "--cache-dir", str(cache)], repository, {0, 1})

        def trend(output: str, *options: str, warm: bool = False) -> Callable[[], float]:
            """A trend with nothing kept from an earlier one (the facts it keeps by content go
            to a folder emptied first), or, `warm`, after one that kept them."""
            kept = work / "trend-kept"
            command = [binary, "trend", ".", "--revs", revs, "-o", str(work / output), "--quiet",
                       "--cache-dir", str(kept), *options]

            def run() -> float:
                if not warm:
                    shutil.rmtree(kept, ignore_errors=True)
                return timed(command, repository, {0})

            return run

        runs = arguments.runs
        check_cold = repeat(runs, lambda: cold("check"))
        families_cold = repeat(runs, lambda: cold("families"))
        with_families = repeat(runs, trend("trend.json"))
        rows = [
            ("`check`, cold cache, final tree", check_cold),
            ("`families`, cold cache, final tree", families_cold),
            (f"`trend` {n} commits -> json", with_families),
        ]
        # The last cold run above kept its facts: the next trend of the same history reads them.
        rows.append((f"`trend` {n} commits -> json, again (facts kept by content)",
                     repeat(runs, trend("again.json", warm=True))))
        if not arguments.quick:
            rows.append((f"`trend` {n} commits -> html (chart)", repeat(runs, trend("trend.html"))))
        without_families = repeat(runs, trend("nofamilies.json", "--no-families"))
        rows.append((f"`trend` {n} commits --no-families", without_families))
        if not arguments.quick:
            rows.append((f"`trend` {n} commits --no-cache (each commit cold)",
                         repeat(1, trend("nocache.json", "--no-cache"))))
        check_median, families_median = check_cold[0], families_cold[0]
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        lines = [
            title,
            "",
            *about,
            (f"Median of {runs} runs (min-max), each command a new process; "
             f"{os.cpu_count()} CPUs; load average {load}."),
            "",
            "| measurement | time | / cold check | / cold check + cold families |",
            "|---|---|---|---|",
        ]
        for label, (median, low, high) in rows:
            lines.append(f"| {label} | {median:.2f} s ({low:.2f}-{high:.2f}) | {median / check_median:.1f}x "
                         f"| {median / (check_median + families_median):.1f}x |")
        lines += [
            "",
            (f"Per commit beyond one cold run: "
             f"{(with_families[0] - check_median - families_median) / n * 1000:.0f} ms with families, "
             f"{(without_families[0] - check_median) / n * 1000:.0f} ms without (a cold check is "
             f"{check_median * 1000:.0f} ms)."),
            "",
        ]
        notes, mismatches = compare_with_check(repository, trend_file, work)
        if (work / "again.json").read_bytes() != trend_file.read_bytes():
            mismatches.append("the trend run again (facts kept by content) differs from the first")
        lines += [f"- {note}" for note in unavailable_in_trend(trend_file) + notes + mismatches]
        text = "\n".join(lines) + "\n"
        print(text)
        if arguments.results:
            with open(arguments.results, "a", encoding="utf-8") as stream:
                stream.write(text + "\n")
        return 1 if mismatches else 0
    finally:
        if arguments.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {repository}, and the outputs of its trend in {work}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
