#!/usr/bin/env python3
"""archgraph vs import-linter, side by side, on real packages from PyPI.

    python benchmarks/run.py                 # all corpora, 5 runs per measurement
    python benchmarks/run.py --corpus django --runs 3
    python benchmarks/run.py --smoke         # tiny synthetic corpus, no downloads, < 60 s

See benchmarks/README.md for what is measured and where the cache goes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_configs  # noqa: E402
import bench_corpora  # noqa: E402
import bench_smoke  # noqa: E402
from bench_measure import RunOutcome, Series, ratio, run_measured  # noqa: E402
from bench_tools import (  # noqa: E402
    Archgraph,
    CheckReport,
    ImportLinter,
    LintReport,
    ensure_import_linter,
    find_archgraph,
    looks_like_config_error,
    parse_archgraph_json,
    parse_lint_imports,
)

HERE = Path(__file__).resolve().parent
DEFAULT_CACHE = Path.home() / ".cache" / "archgraph-bench"


def log(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


def loud(msg: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n!!! {msg}\n{bar}\n", file=sys.stderr, flush=True)


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "COLUMNS": "200", "PYTHONDONTWRITEBYTECODE": "1"})
    return env


def il_env(corpus_root: Path) -> dict[str, str]:
    env = base_env()
    env["PYTHONPATH"] = str(corpus_root)
    return env


# --------------------------------------------------------------------------------------------
# one corpus: configs, correctness guard, timed jobs
# --------------------------------------------------------------------------------------------


@dataclass
class Job:
    """One command timed N times. `before`/`after` reset state around every run."""

    series: Series
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    before: Callable[[], None] | None = None
    after: Callable[[], None] | None = None
    ok_codes: tuple[int, ...] = (0, 1)


@dataclass
class Pair:
    """A row of the main table: import-linter vs archgraph for the same work."""

    what: str
    il: Series | None
    ag: Series


@dataclass
class CorpusResult:
    label: str
    files: int
    contracts: bench_configs.ContractSet
    configs: bench_configs.ConfigPaths | None = None
    lint: LintReport | None = None
    lint_fallback: LintReport | None = None
    check: CheckReport | None = None
    check_problem: str | None = None
    symbol_status: str = "not run"
    pairs: list[Pair] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # differences that are no disagreement


def _fresh_dir(path: Path) -> Callable[[], None]:
    def reset() -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)

    return reset


def _remove(path: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(path, ignore_errors=True)


def correctness(
    res: CorpusResult, il: ImportLinter, ag: Archgraph, root: Path, scratch: Path
) -> None:
    """Run each tool once and compare what they saw and which contracts they broke."""
    assert res.configs is not None
    out = run_measured(il.argv(res.configs.ini, cache_dir=None), cwd=root, env=il_env(root))
    if out.returncode not in (0, 1):
        res.mismatches.append(f"lint-imports exited {out.returncode}: {out.stderr.strip()[-300:]}")
    res.lint = parse_lint_imports(out.stdout)
    if res.configs.ini_fallback is not None:
        fb = run_measured(
            il.argv(res.configs.ini_fallback, cache_dir=None), cwd=root, env=il_env(root)
        )
        res.lint_fallback = parse_lint_imports(fb.stdout)

    if ag.problem or ag.exe is None:
        res.check_problem = ag.problem or "archgraph not installed"
        return
    argv = [str(ag.exe), "check", str(root), "--config", str(res.configs.toml)]
    argv += ag.cache_args("check", None) or []
    json_file = scratch / "check.json"
    if ag.supports("check", "--format"):
        argv += ["--format", "json"]
        if ag.supports("check", "--output"):
            argv += ["--output", str(json_file)]
    json_file.unlink(missing_ok=True)
    out = run_measured(argv, cwd=scratch, env=base_env())
    if out.returncode not in (0, 1):
        last = [ln for ln in (out.stderr or out.stdout).splitlines() if ln.strip()][-1:] or [""]
        res.check_problem = f"exit {out.returncode}: {last[0].strip()[:300]}"
        return
    text = json_file.read_text() if json_file.is_file() else out.stdout
    try:
        res.check = parse_archgraph_json(text)
    except ValueError as exc:
        res.check_problem = f"unreadable JSON ({exc}): {text[:200]!r}"


def compare(res: CorpusResult) -> None:
    """Fill res.mismatches from the two reports."""
    if res.lint is None:
        return
    names = {c.name: c.id for c in res.contracts.contracts}
    il_status = {names.get(n, n): s for n, s in res.lint.statuses.items()}
    for c in res.contracts.contracts:
        if c.id not in il_status:
            res.mismatches.append(f"import-linter reported no status for {c.id!r} ({c.name})")
    if res.lint_fallback is not None:
        fb = {names.get(n, n): s for n, s in res.lint_fallback.statuses.items()}
        if fb != il_status:
            res.mismatches.append(f"import-linter protected vs forbidden-complement: {fb}")
    if res.check is None:
        return
    # archgraph must see at least what import-linter sees; it may see more (the modules of
    # namespace directories, which grimp leaves out, and their imports).
    seen = f"modules: import-linter {res.lint.files}, archgraph {res.check.modules}"
    if res.check.modules < res.lint.files:
        res.mismatches.append(
            f"{seen} (archgraph reported {res.check.scan_diagnostics} scan diagnostics, AG2xx:"
            " files or directories it did not analyze)"
        )
    elif res.check.modules > res.lint.files:
        res.notes.append(f"{seen}: archgraph also analyzes namespace directories")
    if res.check.imports is not None and res.check.imports != res.lint.dependencies:
        imports = f"imports: import-linter {res.lint.dependencies}, archgraph {res.check.imports}"
        if res.check.imports < res.lint.dependencies or res.check.modules == res.lint.files:
            res.mismatches.append(imports)
        else:
            res.notes.append(f"{imports}, those of the modules import-linter does not see included")
    for c in res.contracts.contracts:
        a, b = il_status.get(c.id), res.check.statuses.get(c.id)
        if a != b:
            res.mismatches.append(f"contract {c.id}: import-linter {a}, archgraph {b}")


def symbol_probe(res: CorpusResult, ag: Archgraph, root: Path, scratch: Path) -> bool:
    """Is the symbol-level contract available? Records its status; True if it can be timed."""
    if ag.problem or ag.exe is None or res.configs is None or res.configs.symbol_toml is None:
        res.symbol_status = "not available (archgraph check missing)"
        return False
    argv = [str(ag.exe), "check", str(root), "--config", str(res.configs.symbol_toml)]
    argv += ag.cache_args("check", None) or []
    if ag.supports("check", "--format"):
        argv += ["--format", "json"]
    out = run_measured(argv, cwd=scratch, env=base_env())
    text = out.stdout + out.stderr
    if out.returncode == 2:
        why = "config error" if looks_like_config_error(2, text) else "exit 2"
        detail = "; ".join(ln.strip() for ln in text.splitlines() if ln.strip())
        detail = detail.replace(str(res.configs.symbol_toml), res.configs.symbol_toml.name)
        res.symbol_status = f"not available ({why}: {detail[:240]})"
        return False
    if out.returncode not in (0, 1):
        res.symbol_status = f"not available (exit {out.returncode}: {text.strip()[-160:]})"
        return False
    try:
        report = parse_archgraph_json(out.stdout)
        status = report.statuses.get(res.contracts.symbol_contract.id, "?")  # type: ignore[union-attr]
    except ValueError:
        status = "BROKEN" if out.returncode == 1 else "KEPT"
    res.symbol_status = status
    return True


def build_jobs(
    res: CorpusResult,
    il: ImportLinter,
    ag: Archgraph,
    root: Path,
    package: str,
    work: Path,
    symbol_ok: bool,
) -> list[Job]:
    """The timed commands for one corpus, paired into res.pairs."""
    assert res.configs is not None
    jobs: list[Job] = []
    ienv, aenv = il_env(root), base_env()
    scratch = work / "cwd"
    scratch.mkdir(parents=True, exist_ok=True)

    il_cold = Series("import-linter check --no-cache")
    jobs.append(Job(il_cold, il.argv(res.configs.ini, cache_dir=None), root, ienv))
    il_warm_dir = work / "il-cache"
    il_warm = Series("import-linter check (warm cache)")
    jobs.append(Job(il_warm, il.argv(res.configs.ini, cache_dir=il_warm_dir), root, ienv))

    def ag_series(label: str, command: str, argv_tail: list[str], cache: str | None) -> Series:
        """cache: 'cold' (fresh dir per run), 'warm' (dir kept), 'none' (--no-cache)."""
        series = Series(label)
        if ag.exe is None or ag.problem:
            series.unavailable = ag.problem or "archgraph not installed"
            return series
        if not ag.has(command):
            series.unavailable = f"no `archgraph {command}` command"
            return series
        argv = [str(ag.exe), command, *argv_tail]
        before = after = None
        if cache is not None:
            cache_dir = None if cache == "none" else work / f"ag-{command}-{cache}"
            flags = ag.cache_args(command, cache_dir)
            if flags is None:
                series.unavailable = f"`archgraph {command}` has no cache flag for {cache}"
                return series
            argv += flags
            if cache == "cold" and cache_dir is not None:
                before, after = _fresh_dir(cache_dir), _remove(cache_dir)
            elif cache == "warm" and cache_dir is not None:
                shutil.rmtree(cache_dir, ignore_errors=True)
        jobs.append(Job(series, argv, scratch, aenv, before, after))
        return series

    # Interpreter start-up and imports alone: the fixed cost inside every number below.
    il_start = Series("lint-imports --version")
    jobs.append(Job(il_start, [str(il.exe), "--version"], root, ienv, ok_codes=(0,)))
    ag_start = Series("archgraph --version")
    if ag.exe is None or ag.problem:
        ag_start.unavailable = ag.problem or "archgraph not installed"
    else:
        jobs.append(Job(ag_start, [str(ag.exe), "--version"], scratch, aenv, ok_codes=(0,)))
    res.pairs.append(Pair("start-up (--version)", il_start, ag_start))

    check_tail = [str(root), "--config", str(res.configs.toml)]
    res.pairs.append(
        Pair(
            "check, cold cache",
            il_cold,
            ag_series("archgraph check cold", "check", check_tail, "cold"),
        )
    )
    res.pairs.append(
        Pair(
            "check, no cache",
            il_cold,
            ag_series("archgraph check --no-cache", "check", check_tail, "none"),
        )
    )
    res.pairs.append(
        Pair(
            "check, warm cache",
            il_warm,
            ag_series("archgraph check warm", "check", check_tail, "warm"),
        )
    )
    fam_tail = [str(root), "-p", package]
    for cache in ("cold", "warm"):
        s = ag_series(f"archgraph families {cache}", "families", fam_tail, cache)
        if s.unavailable and "cache flag" in s.unavailable and cache == "cold":
            s = ag_series("archgraph families", "families", fam_tail, None)
        res.pairs.append(Pair(f"families, {cache} cache", None, s))
    svg = scratch / f"{package}.svg"
    render_tail = [str(root), "-p", package, "--depth", "2", "-o", str(svg)]
    s = ag_series("archgraph render", "render", render_tail, "warm")
    if s.unavailable and "cache flag" in s.unavailable:
        s = ag_series("archgraph render", "render", render_tail, None)
    res.pairs.append(Pair("render --depth 2 (svg)", None, s))
    if res.configs.symbol_toml is not None:
        sym_tail = [str(root), "--config", str(res.configs.symbol_toml)]
        for cache in ("cold", "warm"):
            if symbol_ok:
                s = ag_series(f"archgraph symbol contract {cache}", "check", sym_tail, cache)
            else:
                s = Series(f"archgraph symbol contract {cache}", unavailable="not available")
            res.pairs.append(Pair(f"symbol contract, {cache} cache", None, s))
    jobs += edited_jobs(res, il, ag, root, package, work, symbol_ok)
    return jobs


EDITED = "1 file edited since"


def edited_jobs(
    res: CorpusResult,
    il: ImportLinter,
    ag: Archgraph,
    root: Path,
    package: str,
    work: Path,
    symbol_ok: bool,
) -> list[Job]:
    """A warm cache, then one file edited before every run: the everyday run after a change.

    The edits go to a copy of the corpus (the other jobs' warm caches must stay warm): the
    defining module of the protected symbol (a file most others import; for the symbol
    contract, the one whose re-exports decide every site), or the root package's
    `__init__.py`. Each run appends another comment line and moves the mtime one second on.
    """
    assert res.configs is not None
    if ag.exe is None or ag.problem or not ag.supports("check", "--cache-dir"):
        return []
    copy = work / "edited" / root.name
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(root, copy, symlinks=True)
    symbol = res.contracts.symbol_contract
    module = symbol.symbols[0].rpartition(".")[0] if symbol is not None and symbol.symbols else package
    target = copy.joinpath(*module.split("."))
    target = target / "__init__.py" if target.is_dir() else target.with_suffix(".py")
    original = target.read_bytes()
    edits = [0]

    def edit() -> None:
        edits[0] += 1
        target.write_bytes(original + f"# archgraph benchmark edit {edits[0]}\n".encode())
        stamp = target.stat().st_mtime_ns + edits[0] * 1_000_000_000
        os.utime(target, ns=(stamp, stamp))

    def config_copy(config: Path) -> Path:
        moved = copy.parent / config.name
        moved.write_text(config.read_text().replace(str(root), str(copy)))
        return moved

    scratch = work / "cwd"
    jobs: list[Job] = []
    il_series = Series(f"import-linter check (warm cache, {EDITED})")
    il_cache = work / "il-cache-edited"
    jobs.append(Job(il_series, il.argv(res.configs.ini, cache_dir=il_cache), copy, il_env(copy), edit))
    ag_series = Series(f"archgraph check (warm cache, {EDITED})")
    argv = [str(ag.exe), "check", str(copy), "--config", str(config_copy(res.configs.toml))]
    argv += ["--cache-dir", str(work / "ag-check-edited")]
    jobs.append(Job(ag_series, argv, scratch, base_env(), edit))
    res.pairs.append(Pair(f"check, warm cache, {EDITED}", il_series, ag_series))
    if res.configs.symbol_toml is not None and symbol_ok:
        symbol_series = Series(f"archgraph symbol contract (warm cache, {EDITED})")
        argv = [str(ag.exe), "check", str(copy), "--config", str(config_copy(res.configs.symbol_toml))]
        argv += ["--cache-dir", str(work / "ag-symbol-edited")]
        jobs.append(Job(symbol_series, argv, scratch, base_env(), edit))
        res.pairs.append(Pair(f"symbol contract, warm cache, {EDITED}", None, symbol_series))
    return jobs


def run_jobs(jobs: list[Job], runs: int, timeout: float) -> None:
    """One untimed warm-up per job (fills warm caches and the page cache), then `runs`
    rounds in which the jobs take turns, so slow drift hits both tools alike."""
    for job in jobs:
        if job.before:
            job.before()
        out = run_measured(job.argv, cwd=job.cwd, env=job.env, timeout=timeout)
        if job.after:
            job.after()
        _check_outcome(job, out, timeout)
    for r in range(runs):
        log(f"  round {r + 1}/{runs}")
        for job in jobs:
            if job.series.error:
                continue
            if job.before:
                job.before()
            out = run_measured(job.argv, cwd=job.cwd, env=job.env, timeout=timeout)
            if job.after:
                job.after()
            if _check_outcome(job, out, timeout):
                job.series.outcomes.append(out)


def _check_outcome(job: Job, out: RunOutcome, timeout: float) -> bool:
    job.series.argv = tuple(job.argv)
    if out.timed_out:
        job.series.error = f"timed out after {timeout:.0f} s"
    elif out.returncode not in job.ok_codes:
        tail = (out.stderr.strip() or out.stdout.strip()).splitlines()[-2:]
        job.series.error = f"exit {out.returncode}: " + " | ".join(tail)[:240]
    return job.series.error is None


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": str(nproc), "memory": mem, "cpu": cpu, "os": platform.platform(), "load": load,
    }  # fmt: skip


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _fmt(x: int | None) -> str:
    return "?" if x is None else str(x)


def _symbol_overhead(results: list[CorpusResult]) -> list[str]:
    """What the symbol-level contract costs beyond a module-level check, same cache state."""
    rows = []
    for res in results:
        by = {p.what: p.ag for p in res.pairs}
        for state, check, symbol in (
            ("warm cache", "check, warm cache", "symbol contract, warm cache"),
            (f"warm cache, {EDITED}", f"check, warm cache, {EDITED}", f"symbol contract, warm cache, {EDITED}"),
        ):
            base, extra = by.get(check), by.get(symbol)
            if base is None or extra is None or not (base.ok and extra.ok):
                continue
            rows.append(
                [res.label, state, f"{base.median:.3f} s", f"{extra.median:.3f} s",
                 f"{100 * (extra.median / base.median - 1):+.0f}%"]
            )
    if not rows:
        return []
    return [
        "",
        "## Symbol-level contract vs the module-level check (archgraph)",
        "",
        "The symbol contract runs alone; the check runs the module-level contracts. The target is",
        "at most +30%.",
        "",
        *_md_table(["corpus", "cache", "module-level check", "symbol contract", "difference"], rows),
    ]


def report_markdown(
    results: list[CorpusResult], il: ImportLinter, ag: Archgraph, runs: int, argv: list[str]
) -> str:
    m = machine_info()
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# archgraph vs import-linter: benchmark results",
        "",
        f"Generated by `python benchmarks/run.py{' ' + ' '.join(argv) if argv else ''}` on {now}.",
        f"Each time is the median of {runs} runs (min-max in brackets), after one untimed warm-up;",
        "RSS is the peak resident set of the tool's process (os.wait4 rusage), max over the runs.",
        "",
        "## Versions and machine",
        "",
        f"- archgraph: {ag.version}"
        + (f" ({ag.source})" if ag.source else "")
        + (f" ({ag.problem})" if ag.problem else ""),
        f"- import-linter: {il.versions.get('import-linter', '?')}"
        f" (`protected` contract type: {'yes' if il.protected_supported else 'no'})",
        f"- grimp: {il.versions.get('grimp', '?')} (import-linter's)"
        + (
            f", {ag.versions.get('grimp')} (archgraph's)"
            if ag.versions.get("grimp") and ag.versions.get("grimp") != il.versions.get("grimp")
            else ""
        ),
        f"- python: {il.versions.get('python', platform.python_version())}"
        f" (harness: {platform.python_version()})",
        f"- machine: {m['nproc']} CPUs, {m['memory']} RAM, {m['cpu']}; {m['os']}",
        f"- load average (1/5/15 min) when the report was written: {m['load']}"
        " (other work on the machine widens the min-max spreads)",
        "",
        "## Timings",
        "",
    ]
    rows = []
    for res in results:
        for p in res.pairs:
            rows.append(
                [
                    res.label,
                    p.what,
                    p.il.cell_time() if p.il else "-",
                    p.il.cell_rss() if p.il else "-",
                    p.ag.cell_time(),
                    p.ag.cell_rss(),
                    ratio(p.ag, p.il) if p.il else "-",
                    ratio(p.ag, p.il, "rss") if p.il else "-",
                ]
            )
    lines += _md_table(
        [
            "corpus", "measurement", "import-linter", "IL RSS",
            "archgraph", "AG RSS", "time AG/IL", "RSS AG/IL",
        ],
        rows,
    )  # fmt: skip
    lines += _symbol_overhead(results)
    lines += ["", "## Correctness guard", ""]
    rows = []
    for res in results:
        il_names = {c.name: c.id for c in res.contracts.contracts}
        il_status = {
            il_names.get(n, n): s for n, s in (res.lint.statuses if res.lint else {}).items()
        }
        seen = (
            f"IL {_fmt(res.lint.files if res.lint else None)} modules / "
            f"{_fmt(res.lint.dependencies if res.lint else None)} imports; AG "
            + (
                f"{_fmt(res.check.modules)} modules / {_fmt(res.check.imports)} imports"
                f" ({res.check.scan_diagnostics} scan diagnostics)"
                if res.check
                else f"n/a ({res.check_problem})"
            )
        )
        for c in res.contracts.contracts:
            a = il_status.get(c.id, "?")
            b = res.check.statuses.get(c.id, "?") if res.check else "n/a"
            agree = "yes" if a == b else ("**MISMATCH**" if res.check else "-")
            rows.append([res.label, seen, f"{c.id} ({c.type})", a, b, agree])
            seen = ""
        if res.contracts.symbol_contract:
            sc = res.contracts.symbol_contract
            rows.append(
                [res.label, "", f"{sc.id} (symbol, archgraph only)", "-", res.symbol_status, "-"]
            )
    lines += _md_table(
        ["corpus", "what each tool saw", "contract", "import-linter", "archgraph", "agree"], rows
    )
    problems = [f"- {res.label}: {m}" for res in results for m in res.mismatches]
    if problems:
        lines += ["", "**MISMATCHES:**", "", *problems]
    notes = [f"- {res.label}: {n}" for res in results for n in res.notes]
    if notes:
        lines += ["", "Differences that are no disagreement (archgraph sees more):", "", *notes]
    lines += ["", "## Scaling: archgraph check vs corpus size", ""]
    rows = []
    points: dict[str, list[tuple[int, float]]] = {"cold": [], "warm": []}
    for res in results:
        by = {p.what: p for p in res.pairs}
        cold, warm = by.get("check, cold cache"), by.get("check, warm cache")
        row = [res.label, str(res.files)]
        for key, p in (("cold", cold), ("warm", warm)):
            if p and p.ag.ok:
                row += [
                    f"{p.ag.median:.3f} s",
                    f"{1000 * p.ag.median / max(res.files, 1) * 1000:.0f} ms",
                ]
                points[key].append((res.files, p.ag.median))
            else:
                row += ["-", "-"]
        row += [
            f"{cold.il.median:.3f} s" if cold and cold.il and cold.il.ok else "-",
            f"{warm.il.median:.3f} s" if warm and warm.il and warm.il.ok else "-",
        ]
        rows.append(row)
    lines += _md_table(
        [
            "corpus", ".py files", "AG cold", "AG cold per 1k files", "AG warm",
            "AG warm per 1k files", "IL no-cache", "IL warm",
        ],
        rows,
    )  # fmt: skip
    for key, pts in points.items():
        if len(pts) >= 2 and len({x for x, _ in pts}) >= 2:
            slope, intercept = statistics.linear_regression(
                [x for x, _ in pts], [y for _, y in pts]
            )
            lines.append(
                f"\nLeast-squares fit, archgraph check {key}: "
                f"{intercept:.3f} s + {slope * 1000:.3f} s per 1000 files."
            )
    lines += ["", "## Contracts", ""]
    for res in results:
        lines.append(f"### {res.label}")
        lines.append("")
        for c in res.contracts.contracts + (
            (res.contracts.symbol_contract,) if res.contracts.symbol_contract else ()
        ):
            detail = {
                "layers": lambda c: "layers " + " > ".join(c.layers),
                "forbidden": lambda c: (
                    f"{', '.join(c.source_modules)} must not import "
                    f"{', '.join(c.forbidden_modules)}"
                    + (" (direct only)" if c.allow_indirect_imports else "")
                ),
                "protected": lambda c: (
                    f"only {', '.join(c.allowed_importers)} may import "
                    f"{', '.join(c.modules or c.symbols)}"
                ),
                "acyclic_siblings": lambda c: f"no import cycles below {', '.join(c.modules)}",
            }[c.type](c)
            lines.append(f"- `{c.id}` ({c.type}): {detail}. {c.why}")
        if res.configs:
            lines.append(
                f"- configs: `{res.configs.ini.name}`, `{res.configs.toml.name}`"
                + (f", `{res.configs.symbol_toml.name}`" if res.configs.symbol_toml else "")
            )
        lines.append("")
    lines += ["## Commands", ""]
    for res in results:
        seen_cmds = set()
        for p in res.pairs:
            for s in (p.il, p.ag):
                if s and s.argv and s.argv not in seen_cmds:
                    seen_cmds.add(s.argv)
                    lines.append(f"- {res.label}, {s.label}: `{' '.join(s.argv)}`")
    lines += [
        "",
        "import-linter runs with cwd = corpus root and PYTHONPATH = corpus root; archgraph runs",
        'from a scratch directory. "cold" for archgraph is a fresh, empty --cache-dir per run;',
        '"warm" reuses a cache filled by the warm-up run. For import-linter, cold is --no-cache.',
        "",
    ]
    return "\n".join(lines)


def print_summary(results: list[CorpusResult]) -> None:
    for res in results:
        print(f"\n== {res.label} ({res.files} .py files)")
        for p in res.pairs:
            il = f"IL {p.il.cell_time():<32} {p.il.cell_rss():>8}" if p.il else " " * 44
            print(f"  {p.what:<28} {il}  AG {p.ag.cell_time():<32} {p.ag.cell_rss():>8}"
                  f"  {ratio(p.ag, p.il) if p.il else ''}")  # fmt: skip
        if res.lint:
            print(f"  import-linter saw {res.lint.files} modules, {res.lint.dependencies} imports;"
                  f" {res.lint.statuses}")  # fmt: skip
        if res.check:
            print(f"  archgraph saw {res.check.modules} modules, {res.check.imports} imports"
                  f" ({res.check.scan_diagnostics} scan diagnostics: files not analyzed);"
                  f" {res.check.statuses}")  # fmt: skip
        elif res.check_problem:
            print(f"  archgraph: {res.check_problem}")
        print(f"  symbol contract: {res.symbol_status}")
        for m in res.mismatches:
            loud(f"MISMATCH {res.label}: {m}")


# --------------------------------------------------------------------------------------------
# smoke mode
# --------------------------------------------------------------------------------------------


def _per_contract(
    res: CorpusResult, ag: Archgraph, root: Path, scratch: Path, failures: list[str]
) -> CheckReport | None:
    """After a failed whole check: run archgraph one contract at a time (--contract ID), to
    tell which contract makes it fail and whether the others agree."""
    if ag.exe is None or not ag.supports("check", "--contract") or res.configs is None:
        return None
    statuses: dict[str, str] = {}
    modules = imports = None
    for c in res.contracts.contracts:
        argv = [str(ag.exe), "check", str(root), "--config", str(res.configs.toml)]
        argv += ["--contract", c.id, "--no-cache", "--format", "json"]
        out = run_measured(argv, cwd=scratch, env=base_env())
        try:
            one = parse_archgraph_json(out.stdout)
        except ValueError:
            one = None
        if out.returncode not in (0, 1) or one is None:
            last = (out.stderr.strip() or out.stdout.strip()).splitlines()[-1:] or [""]
            failures.append(
                f"archgraph crashes on contract {c.id}: exit {out.returncode}: {last[0]}"
            )
            continue
        statuses.update(one.statuses)
        modules, imports = one.modules, one.imports
    return CheckReport(modules=modules, imports=imports, statuses=statuses, raw={})


def smoke(il: ImportLinter, ag: Archgraph) -> int:
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="archgraph-bench-smoke-") as tmp:
        root = Path(tmp) / "corpus"
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        n = bench_smoke.generate(root)
        log(f"smoke corpus: {n} modules in {root}")
        res = CorpusResult(label="smoke", files=n, contracts=bench_smoke.CONTRACTS)
        res.configs = bench_configs.write_all(
            Path(tmp) / "configs", "smoke", res.contracts, root,
            protected_supported=il.protected_supported, also_fallback=True,
        )  # fmt: skip
        correctness(res, il, ag, root, scratch)
        compare(res)
        symbol_probe(res, ag, root, scratch)

        names = {c.name: c.id for c in res.contracts.contracts}
        il_status = {names.get(k, k): v for k, v in (res.lint.statuses if res.lint else {}).items()}
        for cid, want in bench_smoke.EXPECTED.items():
            if cid == res.contracts.symbol_contract.id:  # type: ignore[union-attr]
                continue
            if il_status.get(cid) != want:
                failures.append(f"import-linter: {cid} is {il_status.get(cid)}, designed {want}")
        if res.check is None:
            failures.append(f"archgraph check failed: {res.check_problem}")
            res.check = _per_contract(res, ag, root, scratch, failures)
        for m in res.mismatches:
            if m.startswith(("modules:", "imports:")):
                loud(f"smoke: {m}")  # reported, not fatal: only kept/broken must agree
            else:
                failures.append(m)
        sym_want = bench_smoke.EXPECTED[res.contracts.symbol_contract.id]  # type: ignore[union-attr]
        if res.symbol_status in ("KEPT", "BROKEN") and res.symbol_status != sym_want:
            loud(f"smoke: symbol contract is {res.symbol_status}, designed {sym_want}")
        print(f"  import-linter: {res.lint.files if res.lint else '?'} modules, "
              f"{res.lint.dependencies if res.lint else '?'} imports")  # fmt: skip
        if res.check:
            print(f"  archgraph:     {res.check.modules} modules, {res.check.imports} imports")
        for c in res.contracts.contracts:
            b = res.check.statuses.get(c.id, "?") if res.check else "n/a"
            print(f"  {c.id:<30} expected {bench_smoke.EXPECTED[c.id]:<7}"
                  f" import-linter {il_status.get(c.id, '?'):<7} archgraph {b}")  # fmt: skip
        print(f"  symbol contract: {res.symbol_status}")
    if failures:
        for f in failures:
            loud(f"smoke FAILED: {f}")
        return 1
    log("smoke OK: both tools agree on every contract")
    return 0


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="timed runs per measurement (default 5)"
    )
    parser.add_argument(
        "--corpus", action="append", choices=[c.name for c in bench_corpora.CORPORA],
        help="only this corpus (may be repeated)",
    )  # fmt: skip
    parser.add_argument("--smoke", action="store_true", help="tiny synthetic corpus, no downloads")
    parser.add_argument(
        "--cache", type=Path,
        default=Path(os.environ.get("ARCHGRAPH_BENCH_CACHE") or DEFAULT_CACHE),
        help="downloads, configs and caches (default: $ARCHGRAPH_BENCH_CACHE, "
        "else ~/.cache/archgraph-bench)",
    )  # fmt: skip
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md", help="markdown report")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per command")
    args = parser.parse_args(argv)
    raw_args = list(sys.argv[1:] if argv is None else argv)

    il = ensure_import_linter()
    ag = find_archgraph()
    log(f"lint-imports: {il.exe} (import-linter {il.versions.get('import-linter')}, "
        f"grimp {il.versions.get('grimp')}, protected type: {il.protected_supported})")  # fmt: skip
    log(f"archgraph: {ag.exe} {ag.version}; commands: {sorted(ag.commands) or '-'}"
        + (f"; {ag.problem}" if ag.problem else ""))  # fmt: skip

    if args.smoke:
        return smoke(il, ag)

    if args.runs < 1:
        parser.error("--runs must be >= 1")
    cache: Path = args.cache.expanduser().resolve()
    cache.mkdir(parents=True, exist_ok=True)
    specs = [c for c in bench_corpora.CORPORA if not args.corpus or c.name in args.corpus]
    corpora = [bench_corpora.prepare(spec, cache) for spec in specs]

    results: list[CorpusResult] = []
    for corpus in corpora:
        log(f"== {corpus.label}: {corpus.root}")
        res = CorpusResult(
            label=corpus.label, files=corpus.count_files(), contracts=corpus.spec.contracts
        )
        if corpus.spec.own_config is not None and ag.exe is not None:
            res.configs = bench_configs.write_own(
                cache / "configs", corpus.label, corpus.spec.own_config, ag.exe
            )
        else:
            res.configs = bench_configs.write_all(
                cache / "configs", corpus.label, res.contracts, corpus.root,
                protected_supported=il.protected_supported,
            )  # fmt: skip
        work = cache / "runs" / corpus.label
        shutil.rmtree(work, ignore_errors=True)
        (work / "cwd").mkdir(parents=True)
        correctness(res, il, ag, corpus.root, work / "cwd")
        compare(res)
        symbol_ok = symbol_probe(res, ag, corpus.root, work / "cwd")
        jobs = build_jobs(res, il, ag, corpus.root, corpus.spec.package, work, symbol_ok)
        run_jobs(jobs, args.runs, args.timeout)
        results.append(res)
        print_summary([res])

    text = report_markdown(results, il, ag, args.runs, raw_args)
    args.results.write_text(text, encoding="utf-8")
    log(f"wrote {args.results}")
    crashed = [
        f"{r.label}: {p.what}: {s.error}"
        for r in results for p in r.pairs for s in (p.il, p.ag) if s and s.error
    ]  # fmt: skip
    for c in crashed:
        loud(f"command failed: {c}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
