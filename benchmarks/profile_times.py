#!/usr/bin/env python3
"""Interleaved timings of archgraph and lint-imports: wall, CPU (user+sys, children too), peak RSS.

    .venv/bin/python benchmarks/profile_times.py --corpus homeassistant --runs 3 [--only ag-warm,il-warm]

A profiling aid for the performance work (benchmarks/run.py is the real benchmark). The
scenarios run round-robin, so a load spike on the shared machine hits all of them alike;
the table gives medians and each archgraph figure's ratio to import-linter's in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path.home() / ".cache" / "archgraph-bench"
BIN = Path(sys.executable).parent
SCRATCH = Path("/tmp/archgraph-profile")


def corpus_named(prefix: str) -> Path:
    for path in sorted((BENCH / "corpora").iterdir()):
        if path.name.startswith(prefix):
            return path
    raise SystemExit(f"no corpus {prefix}")


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, int]:
    """(wall s, cpu s, peak rss MiB, exit code) of one run, children included."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        err = proc.stderr.read()
        if proc.returncode not in (0, 1) and err:
            sys.stderr.write(err.decode(errors="replace")[-2000:])
    # wait4 gives this child's own usage; pool workers are its children, reaped by it.
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss // 1024, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="django")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="")
    parser.add_argument("--archgraph", default=str(BIN / "archgraph"))
    parser.add_argument("--old", help="another archgraph to time alongside (scenarios old-*)")
    args = parser.parse_args()
    root = corpus_named(args.corpus)
    name = root.name
    configs = BENCH / "configs"
    work = SCRATCH / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = dict(os.environ, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    il_env = dict(env, PYTHONPATH=str(root))
    ag = args.archgraph
    il = str(BIN / "lint-imports")

    def ag_check(config: str, cache: str | None, command: str = "check", binary: str = ag) -> list[str]:
        argv = [binary, command, str(root), "--config", str(configs / config)]
        return argv + (["--cache-dir", str(work / cache)] if cache else ["--no-cache"])

    cold = lambda d: (lambda: shutil.rmtree(work / d, ignore_errors=True))
    nothing = lambda: None
    il_argv = [il, "--config", str(configs / f"{name}.importlinter"), "--no-logo"]
    scenarios = {
        "il-cold": (il_argv + ["--no-cache"], root, il_env, nothing),
        "il-warm": (il_argv + ["--cache-dir", str(work / "il")], root, il_env, nothing),
        "ag-cold": (ag_check(f"{name}.archgraph.toml", "agc"), work, env, cold("agc")),
        "ag-warm": (ag_check(f"{name}.archgraph.toml", "agw"), work, env, nothing),
        "sym-cold": (ag_check(f"{name}.symbol.archgraph.toml", "asc"), work, env, cold("asc")),
        "sym-warm": (ag_check(f"{name}.symbol.archgraph.toml", "agw"), work, env, nothing),
        "fam-cold": (ag_check(f"{name}.archgraph.toml", "afc", "families"), work, env, cold("afc")),
        "fam-warm": (ag_check(f"{name}.archgraph.toml", "afw", "families"), work, env, nothing),
    }
    if args.old:
        for key in [k for k in scenarios if not k.startswith("il")]:
            argv, cwd, run_env, reset = scenarios[key]
            old_cache = "old-" + argv[-1].rpartition("/")[2]
            argv = [args.old, *argv[1:-2], "--cache-dir", str(work / old_cache)]
            scenarios[f"old-{key}"] = (argv, cwd, run_env, cold(old_cache) if "cold" in key else nothing)
    chosen = [s for s in args.only.split(",") if s] or list(scenarios)
    if args.old and args.only:
        chosen += [f"old-{k}" for k in chosen if f"old-{k}" in scenarios]
    for key in chosen:  # warm-up: fills the warm caches
        argv, cwd, run_env, _reset = scenarios[key]
        timed(argv, cwd, run_env)
    results: dict[str, list[tuple[float, float, int, int]]] = {k: [] for k in chosen}
    for _ in range(args.runs):
        for key in chosen:
            argv, cwd, run_env, reset = scenarios[key]
            reset()
            results[key].append(timed(argv, cwd, run_env))
    load = os.getloadavg()[0]
    print(f"{name}: {args.runs} runs, load {load:.1f}")
    print(f"{'scenario':10} {'wall':>7} {'cpu':>7} {'MiB':>5} {'exit':>4}  ratio wall/cpu vs IL")
    med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v)) for k, v in results.items()}
    for key in chosen:
        rows = results[key]
        wall, cpu = med[key]
        rss = max(r[2] for r in rows)
        base = "il-cold" if "cold" in key else "il-warm"
        ratio = ""
        if not key.startswith("il") and base in med:
            ratio = f"{wall / med[base][0]:.2f}x / {cpu / med[base][1]:.2f}x"
        print(f"{key:10} {wall:7.3f} {cpu:7.3f} {rss:5d} {rows[-1][3]:4d}  {ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
