#!/usr/bin/env python3
"""Where fact extraction spends its time, in one process: parse vs. the Python walk.

    .venv/bin/python benchmarks/profile_facts.py homeassistant [--limit 3000] [--profile] [--chains]

Without `--chains`, as `families` extracts (symbol contracts also extract attribute chains).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

from archgraph.scan.extract import extract_row
from archgraph.scan.syntax import _get_parser

BENCH = Path.home() / ".cache" / "archgraph-bench" / "corpora"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--chains", action="store_true")
    args = parser.parse_args()
    root = next(p for p in sorted(BENCH.iterdir()) if p.name.startswith(args.corpus))
    files = sorted(root.rglob("*.py"))
    if args.limit:
        files = files[: args.limit]
    sources = [(str(p.relative_to(root))[:-3].replace("/", "."), p.read_bytes()) for p in files]
    size = sum(len(s) for _m, s in sources)
    print(f"{len(sources)} files, {size / 1e6:.1f} MB")
    ts = _get_parser()
    started = time.perf_counter()
    for _module, source in sources:
        ts.parse(source)
    parse = time.perf_counter() - started
    started = time.perf_counter()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    for module, source in sources:
        extract_row(module, source, chains=args.chains)
    if profiler:
        profiler.disable()
    total = time.perf_counter() - started
    print(f"tree-sitter parse only: {parse:.2f} s; extract_facts: {total:.2f} s")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
