"""A generated package tree big enough to show what a small one hides in the HTML report."""

from __future__ import annotations

import random
from pathlib import Path

from helpers import write_tree

BIG_CONTRACTS = """\
[archgraph]
root_packages = ["big"]

[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["big"]
layers = ["web", "api", "core", "util"]

[[contracts]]
id = "kernel-protected"
name = "Only the kernel uses its registry"
type = "protected"
modules = ["big.core.kernel.registry"]
allowed_importers = ["big.core.kernel"]

[[contracts]]
id = "one-dispatcher"
name = "One dispatcher"
type = "single-implementation"
concept = "*Dispatcher"
canonical = "big.core.kernel.m0.Dispatcher"

[[contracts]]
id = "plugins-apart"
name = "Plugins do not import the web"
type = "forbidden"
source_modules = ["big.plugins"]
forbidden_modules = ["big.web"]
"""

# A module below every depth the overview draws: search must still find it.
DEEP_MODULE = "big.core.part3.sub0.deep.m4"
PROTECTED = "big.core.kernel.registry"


def _package(modules: list[str], prefix: str, count: int, subpackages: tuple = ()) -> None:
    modules.append(prefix)
    modules.extend(f"{prefix}.m{index}" for index in range(count))
    for name, size, deeper in subpackages:
        _package(modules, f"{prefix}.{name}", size, deeper)


def big_modules() -> list[str]:
    """716 modules in packages of very different sizes, five levels deep in `big.core`."""
    modules: list[str] = []
    core_parts = tuple(
        (f"part{i}", 12, tuple((f"sub{j}", 8, (("deep", 5, ()),) if j == 0 else ()) for j in range(4)))
        for i in range(8)
    )
    _package(modules, "big", 0, (
        ("web", 30, (("views", 25, ()), ("forms", 12, ()))),
        ("api", 40, (("v1", 30, ()), ("v2", 20, ()))),
        ("core", 10, (*core_parts, ("kernel", 6, (("registry", 3, ()),)))),
        ("util", 8, ()),
        ("plugins", 0, tuple((f"plug{i}", 3, ()) for i in range(20))),
    ))
    return modules


def big_files(seed: int = 7) -> dict[str, str]:
    """Every module imports a few others, mostly downward through web > api > core > util;
    a hundred import the protected registry; a few import upward; two dispatchers compete."""
    rng = random.Random(seed)
    modules = big_modules()
    leaves = [m for m in modules if m.rpartition(".")[2].startswith("m")]
    rank = {"web": 0, "plugins": 0, "api": 1, "core": 2, "util": 3}
    by_rank: dict[int, list[str]] = {}
    for module in leaves:
        by_rank.setdefault(rank[module.split(".")[1]], []).append(module)
    imports: dict[str, set[str]] = {m: set() for m in modules}
    for module in leaves:
        level = rank[module.split(".")[1]]
        for _ in range(rng.randint(1, 4)):
            target_level = min(3, level + rng.choice((0, 0, 1, 1, 2)))
            imports[module].add(rng.choice(by_rank[target_level]))
        if rng.random() < 0.01:  # a rare upward import: a layers violation
            imports[module].add(rng.choice(by_rank[0]))
    registry_users = rng.sample([m for m in leaves if not m.startswith("big.core.kernel")], 100)
    for module in registry_users:
        imports[module].add(f"{PROTECTED}.m0")
    imports["big.plugins.plug3.m1"].add("big.web.views.m2")
    files: dict[str, str] = {"contracts/architecture.toml": BIG_CONTRACTS}
    for module in modules:
        is_package = any(other.startswith(module + ".") for other in modules)
        path = module.replace(".", "/") + ("/__init__.py" if is_package else ".py")
        lines = [f"import {target}" for target in sorted(imports[module] - {module})]
        if module == "big.core.kernel.m0":
            lines.append("class Dispatcher:\n    pass")
        if module == "big.web.m3":
            lines.append("class FastDispatcher:\n    pass")
        files[path] = "\n".join(lines) + "\n"
    return files


def write_big_tree(root: Path) -> Path:
    return write_tree(root, big_files())
