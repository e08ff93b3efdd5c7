"""Large generated package trees for the determinism and interruption tests."""

from __future__ import annotations

import random
from pathlib import Path

CONTRACTS = """
[archgraph]
root_packages = ["gen"]

[[contracts]]
name = "No cycles"
type = "acyclic"
packages = ["gen"]

[[contracts]]
name = "Layers"
type = "layers"
containers = ["gen"]
layers = ["p0", "p1 | p2", "p3"]

[[contracts]]
name = "Independent parts"
type = "independence"
modules = ["gen.p4", "gen.p5", "gen.p6"]

[[contracts]]
name = "p7 stays out of p0"
type = "forbidden"
source_modules = ["gen.p7"]
forbidden_modules = ["gen.p0"]

[[contracts]]
name = "Protected core"
type = "protected"
modules = ["gen.p8.s0"]
allowed_importers = ["gen.p8"]
"""


def generated_files(packages: int, subpackages: int, modules: int, seed: int = 1) -> dict[str, str]:
    """`gen.pP.sS.mM` modules, each importing five others at random (cycles and layer
    violations included), with the contracts above; relative path -> text."""
    rng = random.Random(seed)
    names = [
        f"gen.p{p}.s{s}.m{m}"
        for p in range(packages)
        for s in range(subpackages)
        for m in range(modules)
    ]
    files = {"gen/__init__.py": "", "contracts/arch.toml": CONTRACTS}
    for p in range(packages):
        files[f"gen/p{p}/__init__.py"] = ""
        for s in range(subpackages):
            files[f"gen/p{p}/s{s}/__init__.py"] = ""
    for name in names:
        imports = "".join(f"import {target}\n" for target in rng.sample(names, 5))
        body = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(20))
        files[name.replace(".", "/") + ".py"] = imports + body
    return files


def write_shuffled(root: Path, files: dict[str, str], order_seed: int) -> Path:
    """Write the files in a shuffled order (directory listings come back in another order)."""
    paths = list(files)
    random.Random(order_seed).shuffle(paths)
    for relative in paths:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[relative], encoding="utf-8")
    return root
