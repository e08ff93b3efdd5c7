"""How long `archgraph check --affected HEAD` takes with a warm cache on a ~4,000-module project.

Generates a layered project (or uses the source tree given with --corpus), commits it to a
temporary git repository, warms the cache with one full check, changes one file, then times
`check --affected HEAD` (in-process through the CLI, and as a fresh process) against a full
`check`. Usage:

    python benchmarks/affected.py                        # generated project, 4,000 modules
    python benchmarks/affected.py --corpus DIR -p PKG    # a real source tree, e.g. an unpacked wheel,
                                                         # with the contracts `archgraph init` proposes
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from archgraph.cli import main

LAYERS = ("api", "services", "domain", "adapters", "storage", "events", "support", "core")
PACKAGES_PER_LAYER = 5
SUBPACKAGES = 10
MODULES_PER_SUBPACKAGE = 9  # plus each subpackage's __init__: 10 modules per subpackage
IMPORTS_PER_MODULE = 5


def generate_project(root: Path, seed: int = 7) -> str:
    """A layered package `big` of about 4,000 modules, imports only pointing down, plus contracts."""
    rng = random.Random(seed)
    big = root / "big"
    modules: dict[int, list[str]] = {}
    for depth, layer in enumerate(LAYERS):
        for package in range(PACKAGES_PER_LAYER):
            for sub in range(SUBPACKAGES):
                name = f"big.{layer}.p{package}.s{sub}"
                modules.setdefault(depth, []).append(name)
                modules[depth] += [f"{name}.m{index}" for index in range(MODULES_PER_SUBPACKAGE)]
    for depth, names in modules.items():
        below = [m for d in range(depth + 1, len(LAYERS)) for m in modules[d]]
        for name in names:
            lines = [f"import {target}" for target in rng.sample(below, min(len(below), IMPORTS_PER_MODULE))]
            path = big.joinpath(*name.split(".")[1:])
            is_package = not name.rsplit(".", 1)[1].startswith("m")
            file = path / "__init__.py" if is_package else path.with_suffix(".py")
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text("\n".join(lines) + "\n" + "VALUE = 1\n")
    for package_dir in [big, *(big / layer for layer in LAYERS)] + [
        big / layer / f"p{p}" for layer in LAYERS for p in range(PACKAGES_PER_LAYER)
    ]:
        (package_dir / "__init__.py").touch()
    (root / "contracts").mkdir()
    (root / "contracts" / "architecture.toml").write_text(
        '[archgraph]\nroot_packages = ["big"]\n\n'
        '[[contracts]]\nname = "Layers"\ntype = "layers"\ncontainers = ["big"]\n'
        f"layers = {list(LAYERS)!r}\n\n".replace("'", '"')
        + '[[contracts]]\nname = "No cycles"\ntype = "acyclic"\npackages = ["big", "big.*"]\n\n'
        + '[[contracts]]\nname = "Core is pure"\ntype = "forbidden"\n'
        + 'source_modules = ["big.core"]\nforbidden_modules = ["big.api"]\n'
    )
    return "big"


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
        cwd=root, check=True, capture_output=True,
    )


def timed(args: list[str], repeat: int) -> tuple[float, int]:
    """Median wall time of the CLI in-process, and its exit code."""
    times, code = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        code = CliRunner().invoke(main, args).exit_code
        times.append(time.perf_counter() - start)
    return statistics.median(times), code


def process_time(args: list[str], repeat: int) -> tuple[float, float]:
    """Median wall time and CPU time (user + system) of a fresh `archgraph` process.

    CPU time is what a quiet machine's wall time would be; on a busy one wall time is longer.
    """
    executable = Path(sys.executable).with_name("archgraph")
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([str(executable), *args], capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main_benchmark() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="copy this source tree instead of generating one")
    parser.add_argument("-p", "--package", help="root package of --corpus")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--change", help="file to change, relative to the project (default: a middle one)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="archgraph-affected-") as temporary:
        root = Path(temporary) / "project"
        if options.corpus:
            shutil.copytree(options.corpus, root)
            package = options.package or parser.error("--corpus needs -p PACKAGE")
            # The contracts `archgraph init` proposes: layers, independence groups, acyclic.
            init = CliRunner().invoke(main, ["init", str(root), "-p", package, "--no-cache"])
            assert init.exit_code == 0, init.output
        else:
            root.mkdir()
            package = generate_project(root)
        (root / ".gitignore").write_text(".archgraph_cache/\n")
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "project")
        args = ["check", str(root), "--quiet"]
        first, _ = timed(args, 1)  # cold: fills the cache
        sources = sorted((root / package).rglob("*.py"))
        changed = root / options.change if options.change else sources[len(sources) // 2]
        changed.write_text(changed.read_text() + "CHANGED = True\n")
        full, full_code = timed(args, options.repeat)
        affected_args = [*args, "--affected", "HEAD"]
        affected, affected_code = timed(affected_args, options.repeat)
        process, process_cpu = process_time(affected_args, options.repeat)
        full_process, full_process_cpu = process_time(args, options.repeat)
        result = CliRunner().invoke(main, affected_args)
        scope_line = next((line for line in result.stdout.splitlines() if "in scope" in line), "")
        modules = sum(1 for _ in (root / package).rglob("*.py"))
        print(f"project: {package}, {modules} Python files; changed {changed.relative_to(root)}")
        print(f"cold full check (fills the cache):   {first:.2f} s")
        print(f"warm full check:                     {full:.3f} s (exit {full_code})")
        print(f"warm check --affected HEAD:          {affected:.3f} s (exit {affected_code}), in-process median of {options.repeat}")
        print(f"warm check --affected HEAD, process: {process:.3f} s wall, {process_cpu:.3f} s CPU (new Python process each time)")
        print(f"warm full check, process:            {full_process:.3f} s wall, {full_process_cpu:.3f} s CPU")
        print(f"  {scope_line.strip()}")


if __name__ == "__main__":
    main_benchmark()
