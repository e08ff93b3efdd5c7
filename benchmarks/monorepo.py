#!/usr/bin/env python3
"""A generated monorepo, and how archgraph's cost grows with it against import-linter's.

    python benchmarks/monorepo.py --sizes 1000 4000 16000 65000 --results /tmp/curve.md

The tree (`mono`): 30 top packages `mono.p00` ... `mono.p29`, layered top to bottom; each
holds subpackages down to 8 levels below `mono`, and some directories without `__init__.py`
(namespace directories: grimp and import-linter leave them out, and so does archgraph with
`include_namespace_dirs = false`, the setting `convert-importlinter` writes). Each module
imports about 3.4 others, mostly in its own package or the layers below; one import in 500
goes up a layer, so the layers contract is broken by a known few. `mono.p29.core.registry`
defines `Registry`, protected (archgraph only): only `mono.p28` may import it, and a few
others do.

Measured per size, each tool in turn (A B A B), median of `--runs`: check cold (a fresh cache
directory; import-linter --no-cache) and warm, families cold and warm, `check --affected`
after one edited file (a git repository, the edit uncommitted), and the peak RSS.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_configs import Contract, ContractSet, write_archgraph_toml, write_importlinter_ini
from bench_measure import run_measured

PACKAGES = 30
DEPTH = 8  # levels below `mono` of the deepest modules
IMPORTS_PER_MODULE = 3.4
UPWARD_EVERY = 500
NAMESPACE_EVERY = 40  # one directory in this many is a namespace directory


def generate(root: Path, modules: int, seed: int = 3) -> dict[str, int]:
    """Write `mono` under root with about `modules` modules; return what was written."""
    rng = random.Random(seed)
    shutil.rmtree(root, ignore_errors=True)
    per_package = max(4, modules // PACKAGES)
    names: list[list[str]] = []  # per top package, its module names
    files: dict[str, Path] = {}
    namespace_modules = 0
    for p in range(PACKAGES):
        top = f"mono.p{p:02d}"
        own: list[str] = [top]
        files[top] = root.joinpath(*top.split("."), "__init__.py")
        # Subpackages, two per package, breadth first, down to DEPTH levels below `mono`.
        packages = [top]
        frontier = [top]
        while len(packages) < max(1, per_package // 6) and frontier:
            parent = frontier.pop(0)
            if parent.count(".") >= DEPTH - 1:
                continue
            for k in range(2):
                child = f"{parent}.s{k}"
                packages.append(child)
                frontier.append(child)
        for package in packages[1:]:
            own.append(package)
            files[package] = root.joinpath(*package.split("."), "__init__.py")
        index = 0
        while len(own) < per_package:
            package = packages[index % len(packages)]
            module = f"{package}.m{index}"
            own.append(module)
            files[module] = root.joinpath(*package.split("."), f"m{index}.py")
            index += 1
        names.append(own)
    registry = "mono.p29.core"
    names[29] += [registry, f"{registry}.registry"]
    files[registry] = root / "mono/p29/core/__init__.py"
    files[f"{registry}.registry"] = root / "mono/p29/core/registry.py"
    imports: dict[str, list[str]] = {name: [] for own in names for name in own}
    count = 0
    for p, own in enumerate(names):
        for module in own:
            if module == f"{registry}.registry":
                continue
            for _ in range(rng.choice((2, 3, 3, 4, 4, 5))):
                roll = rng.random()
                if count % UPWARD_EVERY == UPWARD_EVERY - 1 and p > 0:
                    target = rng.choice(names[p - 1])  # the known few upward imports
                elif roll < 0.6:
                    target = rng.choice(own)
                else:
                    target = rng.choice(names[rng.randrange(p, PACKAGES)])
                if target != module:
                    imports[module].append(target)
                    count += 1
    users = rng.sample([m for own in names[20:28] for m in own], k=5) + rng.sample(names[28], k=5)
    for module in users:
        imports[module].append(f"{registry}.registry:Registry")
    for module, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = []
        for target in sorted(set(imports[module])):
            if ":" in target:
                where, name = target.split(":")
                lines.append(f"from {where} import {name}")
            else:
                lines.append(f"import {target}")
        if module == f"{registry}.registry":
            lines.append("\n\nclass Registry:\n    def register(self, name, item):\n        pass\n")
        else:
            lines.append(f"\n\ndef work_{module.rpartition('.')[2]}():\n    return 1\n")
        path.write_text("\n".join(lines) + "\n")
    # Namespace directories: a directory without __init__.py, one module inside.
    directories = sorted({path.parent for path in files.values()})
    for index, directory in enumerate(directories):
        if index % NAMESPACE_EVERY == NAMESPACE_EVERY - 1:
            (directory / "ns").mkdir(exist_ok=True)
            (directory / "ns" / "loose.py").write_text("import mono\n")
            namespace_modules += 1
    return {"modules": len(files), "imports": count, "namespace_modules": namespace_modules}


CONTRACTS = ContractSet(
    root_package="mono",
    contracts=(
        Contract(
            id="layers",
            name="Thirty layers",
            type="layers",
            layers=tuple(f"mono.p{p:02d}" for p in range(PACKAGES)),
            why="broken by one import in 500, which goes up a layer",
        ),
        Contract(
            id="protected-core",
            name="The core registry only for p28",
            type="protected",
            modules=("mono.p29.core",),
            allowed_importers=("mono.p28", "mono.p29"),
            why="broken: five modules of p20-p27 import it",
        ),
    ),
    symbol_contract=Contract(
        id="protected-symbol-registry",
        name="Registry only for p28",
        type="protected",
        symbols=("mono.p29.core.registry.Registry",),
        allowed_importers=("mono.p28",),
        why="broken: five modules of p20-p27 import it",
    ),
)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def measure(
    size: int, work: Path, runs: int, archgraph: Path, lint_imports: Path
) -> dict[str, object]:
    corpus = work / f"mono-{size}"
    written = generate(corpus, size)
    _git(corpus, "init", "-q")
    _git(corpus, "add", "-A")
    _git(
        corpus,
        "-c",
        "user.name=bench",
        "-c",
        "user.email=bench@example.invalid",
        "commit",
        "-qm",
        "tree",
    )
    ini, toml = work / f"mono-{size}.importlinter", work / f"mono-{size}.archgraph.toml"
    write_importlinter_ini(ini, CONTRACTS, protected_supported=True, source_root=corpus)
    # The check runs the contracts both tools know; the protected symbol (archgraph only) is
    # timed on its own, so that it does not weigh on the ratio.
    write_archgraph_toml(toml, "mono", corpus, CONTRACTS.contracts)
    symbol_toml = work / f"mono-{size}.symbol.archgraph.toml"
    write_archgraph_toml(symbol_toml, "mono", corpus, [CONTRACTS.symbol_contract])  # type: ignore[list-item]
    symbol_toml.write_text(
        symbol_toml.read_text().replace(
            "[archgraph]\n", "[archgraph]\ninclude_namespace_dirs = false\n", 1
        )
    )
    with toml.open("a") as out:
        out.write("\n")
    text = toml.read_text().replace(
        "[archgraph]\n", "[archgraph]\ninclude_namespace_dirs = false\n", 1
    )
    toml.write_text(text)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(corpus))
    caches = work / "caches" / str(size)  # one set per size: a cache never holds another tree
    edited = corpus.joinpath("mono", "p15", "__init__.py")
    original = edited.read_bytes()

    def fresh(path: Path) -> Path:
        shutil.rmtree(path, ignore_errors=True)
        return path

    ag_check = [str(archgraph), "check", str(corpus), "--config", str(toml)]
    ag_symbol = [str(archgraph), "check", str(corpus), "--config", str(symbol_toml)]
    ag_families = [str(archgraph), "families", str(corpus), "-p", "mono"]
    jobs: dict[str, tuple[list[str], object]] = {
        "IL check cold": ([str(lint_imports), "--config", str(ini), "--no-cache"], None),
        "IL check warm": (
            [str(lint_imports), "--config", str(ini), "--cache-dir", str(caches / "il")],
            None,
        ),
        "AG check cold": (
            [*ag_check, "--cache-dir", str(caches / "ag-cold")],
            lambda: fresh(caches / "ag-cold"),
        ),
        "AG check warm": ([*ag_check, "--cache-dir", str(caches / "ag-warm")], None),
        "AG families cold": (
            [*ag_families, "--cache-dir", str(caches / "fam-cold")],
            lambda: fresh(caches / "fam-cold"),
        ),
        "AG families warm": ([*ag_families, "--cache-dir", str(caches / "fam-warm")], None),
        "AG symbol contract warm": ([*ag_symbol, "--cache-dir", str(caches / "sym-warm")], None),
        "AG check --affected, 1 file edited": (
            [*ag_check, "--cache-dir", str(caches / "ag-warm"), "--affected", "HEAD"],
            None,
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in jobs}
    rss: dict[str, int] = dict.fromkeys(jobs, 0)
    verdicts: dict[str, str] = {}
    for round_ in range(runs + 1):  # round 0 warms the caches, untimed
        for name, (argv, before) in jobs.items():
            if callable(before):
                before()
            if "affected" in name:
                edited.write_bytes(original + f"# edit {round_}\n".encode())
            out = run_measured(argv, cwd=corpus, env=env)
            if "affected" in name:
                edited.write_bytes(original)
                # Undoing the edit changes the file's ctime, which every cache's stamp holds:
                # the warm caches are brought up to date, untimed, so that the next round's
                # warm runs are warm (`families` after an edit builds its class model again).
                for warm in [j for j in jobs if "warm" in j]:
                    run_measured(jobs[warm][0], cwd=corpus, env=env)
            if out.returncode not in (0, 1):
                raise RuntimeError(f"{name}: exit {out.returncode}: {out.stderr[-400:]}")
            if round_:
                times[name].append(out.seconds)
                rss[name] = max(rss[name], out.max_rss_kib)
            elif name == "IL check cold":
                verdicts["import-linter"] = "BROKEN" if out.returncode else "KEPT"
            elif name == "AG check cold":
                verdicts["archgraph"] = "BROKEN" if out.returncode else "KEPT"
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {"size": size, **written, "medians": medians, "rss": rss, "verdicts": verdicts}


def markdown(rows: list[dict[str, object]], runs: int) -> str:
    lines = [
        "## Generated monorepo: the curve",
        "",
        f"`python benchmarks/monorepo.py` (median of {runs} runs after one untimed round, the tools",
        "taking turns; RSS = peak resident set of the process). 30 layers, packages 8 deep,",
        "namespace directories, a protected module and a protected symbol; `--affected HEAD`",
        "after one uncommitted edit of `mono/p15/__init__.py`, warm cache. The check runs the",
        "contracts both tools know (layers, protected module); the protected symbol runs alone.",
        "After each `--affected` run the edit is undone and the warm caches are brought up to",
        "date, untimed: the warm columns are runs on an unchanged tree.",
        "",
        "| modules | imports | IL cold | AG cold | AG/IL | IL warm | AG warm | AG/IL |"
        " families cold | families warm | symbol contract warm | --affected | IL RSS | AG RSS (cold)"
        " | verdicts IL / AG |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        m: dict[str, float] = row["medians"]  # type: ignore[assignment]
        r: dict[str, int] = row["rss"]  # type: ignore[assignment]
        v: dict[str, str] = row["verdicts"]  # type: ignore[assignment]
        lines.append(
            f"| {row['modules']} | {row['imports']} | {m['IL check cold']:.2f} s | {m['AG check cold']:.2f} s"
            f" | {m['AG check cold'] / m['IL check cold']:.2f}x | {m['IL check warm']:.2f} s"
            f" | {m['AG check warm']:.2f} s | {m['AG check warm'] / m['IL check warm']:.2f}x"
            f" | {m['AG families cold']:.2f} s | {m['AG families warm']:.2f} s"
            f" | {m['AG symbol contract warm']:.2f} s"
            f" | {m['AG check --affected, 1 file edited']:.2f} s"
            f" | {r['IL check cold'] // 1024} MiB | {r['AG check cold'] // 1024} MiB"
            f" | {v.get('import-linter')} / {v.get('archgraph')} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 16000, 65000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--work", type=Path, default=Path.home() / ".cache" / "archgraph-bench" / "monorepo"
    )
    parser.add_argument("--results", type=Path, required=True, help="markdown table written here")
    parser.add_argument(
        "--append", action="store_true", help="add the table to the end of --results (RESULTS.md)"
    )
    args = parser.parse_args()
    before = args.results.read_text(encoding="utf-8") + "\n" if args.append else ""
    bin_dir = Path(sys.executable).parent
    archgraph, lint_imports = bin_dir / "archgraph", bin_dir / "lint-imports"
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        print(f"[monorepo] {size} modules", flush=True)
        rows.append(measure(size, args.work, args.runs, archgraph, lint_imports))
        args.results.write_text(before + markdown(rows, args.runs), encoding="utf-8")
        print(markdown(rows[-1:], args.runs).splitlines()[-1], flush=True)
    disagree = [row["size"] for row in rows if len(set(row["verdicts"].values())) != 1]  # type: ignore[attr-defined]
    if disagree:
        print(f"[monorepo] MISMATCH: the tools disagree at sizes {disagree}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
