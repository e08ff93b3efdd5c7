#!/usr/bin/env python3
"""Warm runs after an edit: time `check` once one file's mtime moved (the edit-then-check loop).

    .venv/bin/python benchmarks/profile_touch.py --corpus homeassistant \
        --file homeassistant/components/sensor/__init__.py --runs 3

The corpus is copied to a scratch folder first (the shared corpora are never touched). Each
round moves the file's mtime on by a second, then runs the module-level contracts and the
symbol contract, each with its own warm cache; the table gives median wall and CPU seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from profile_times import BENCH, BIN, corpus_named, timed  # noqa: E402

SCRATCH = Path("/tmp/archgraph-touch")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="homeassistant")
    parser.add_argument("--file", required=True, help="path inside the corpus to touch")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--archgraph", default=str(BIN / "archgraph"))
    args = parser.parse_args()
    source = corpus_named(args.corpus)
    root = SCRATCH / source.name
    if not root.is_dir():
        shutil.copytree(source, root)
    configs = BENCH / "configs"
    env = dict(os.environ, NO_COLOR="1")
    scenarios = {}
    for label, config in (("check", "archgraph"), ("symbol", "symbol.archgraph")):
        text = (configs / f"{source.name}.{config}.toml").read_text()
        toml = SCRATCH / f"{source.name}.{config}.toml"
        toml.write_text(text.replace(str(source), str(root)))
        cache = SCRATCH / f"cache-{source.name}-{label}"
        scenarios[label] = [args.archgraph, "check", str(root), "--config", str(toml), "--cache-dir", str(cache)]
    touched = root / args.file
    for argv in scenarios.values():  # warm the caches
        timed(argv, SCRATCH, env)
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in scenarios}
    for _ in range(args.runs):
        for label, argv in scenarios.items():
            stat = touched.stat()
            os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
            wall, cpu, _rss, _code = timed(argv, SCRATCH, env)
            results[label].append((wall, cpu))
    print(f"{source.name}, {args.file} touched before each run, {args.runs} runs")
    for label, rows in results.items():
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        print(f"{label:8} wall {wall:.3f} s  cpu {cpu:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
