"""A generated backend of 4,000+ modules, shaped like the real ones the diagrams must stay readable at.

`big` has layered packages of very different sizes (`core` 1,600 modules, `plugins` 30 tiny
ones side by side, `cli` 3), test code inside packages and beside them, a protected module
(`big.core.secrets`) with ~100 violating importers, upward imports that break the layers, and a
concept with competing implementations: a dozen production `*ToolDispatcher` classes in the core
and the utils, each with subclasses, imported from many packages above them, one of them canonical
(a single-implementation contract), and test doubles in the test code.
Writing it takes well under a second; scanning it a few seconds (use a module-scoped fixture).
"""

from __future__ import annotations

import random
from pathlib import Path

PROTECTED = "big.core.secrets"
CONCEPT = "*ToolDispatcher"
# Where each production implementation lives (big.core's subpackages, then big.utils'); the
# first is the canonical one.
DISPATCHER_HOMES = tuple(f"big.core.s{index}" for index in range(10)) + ("big.utils.s0", "big.utils.s1")
DISPATCHERS = tuple(
    f"{home}.dispatch.{prefix}ToolDispatcher"
    for home, prefix in zip(DISPATCHER_HOMES, (
        "Core", "Local", "Remote", "Queued", "Batch", "Async", "Cached", "Retrying", "Sandboxed",
        "Logging", "Plain", "Threaded"), strict=True)
)
CANONICAL = DISPATCHERS[0]
SUBCLASSES = 2  # per production implementation, in its module
TEST_DOUBLES = ("big.tests.doubles.FakeToolDispatcher", "big.tests.doubles.MockToolDispatcher",
                "big.services.s0.tests.doubles.StubToolDispatcher")
LAYERS = ("api", "services", "core", "utils")

CONTRACTS = f"""\
[archgraph]
root_packages = ["big"]

[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["big"]
layers = {list(LAYERS)!r}

[[contracts]]
id = "secrets"
name = "Only the core reads the secrets"
type = "protected"
modules = ["{PROTECTED}"]
allowed_importers = ["big.core"]

[[contracts]]
id = "dispatchers"
name = "One tool dispatcher"
type = "single-implementation"
concept = "*ToolDispatcher"
canonical = "{CANONICAL}"
"""

# (package, subpackage sizes): sizes differ by two orders of magnitude on purpose.
SHAPE: dict[str, tuple[int, ...]] = {
    "big.core": (540, 400, 250, 150, 120, 80, 50, 30, 12, 8),
    "big.services": (300, 250, 150, 100, 60, 40, 20),
    "big.api": (200, 150, 100, 60, 30, 10),
    "big.utils": (20, 10, 5),
    "big.plugins": (2, 3, 4, 5) * 8,
    "big.cli": (3,),
    "big.tests": (300, 200),
}
LOWER = {"big.api": "big.services", "big.services": "big.core", "big.core": "big.utils",
         "big.cli": "big.api", "big.plugins": "big.services"}
PROTECTED_IMPORTERS = 100
UPWARD_IMPORTS = 25  # core modules importing the api: layer violations


def big_tree_files(seed: int = 7) -> dict[str, str]:
    """Relative path -> text of the whole tree, contracts/arch.toml included."""
    rng = random.Random(seed)
    files = {"big/__init__.py": "", "contracts/arch.toml": CONTRACTS,
             "big/core/secrets.py": "KEY = 1\n"}
    modules: dict[str, list[str]] = {}  # top package -> its modules
    subpackages: dict[str, list[list[str]]] = {}  # top package -> the modules of each subpackage
    for top, sizes in SHAPE.items():
        files[f"{top.replace('.', '/')}/__init__.py"] = ""
        for index, size in enumerate(sizes):
            sub = f"{top}.s{index}"
            files[f"{sub.replace('.', '/')}/__init__.py"] = ""
            group = []
            for number in range(size):
                # Big subpackages nest one level deeper, in groups of 25.
                package = f"{sub}.g{number // 25}" if size > 50 else sub
                if size > 50 and number % 25 == 0:
                    files[f"{package.replace('.', '/')}/__init__.py"] = ""
                group.append(f"{package}.{'test_m' if top == 'big.tests' else 'm'}{number}")
            subpackages.setdefault(top, []).append(group)
        modules[top] = [name for group in subpackages[top] for name in group]
    tests_inside = [f"big.services.s0.tests.test_m{number}" for number in range(40)]
    files["big/services/s0/tests/__init__.py"] = ""
    # Imports stay mostly local and point downwards (to the same subpackage, a later one of the same
    # package, the layer below), as in a real codebase; the violations below are the exceptions.
    imports: dict[str, list[str]] = {name: [] for group in modules.values() for name in group}
    for top, groups in subpackages.items():
        for index, group in enumerate(groups):
            for name in group:
                imports[name] += rng.sample(group, min(2, len(group)))
                if index + 1 < len(groups):
                    imports[name].append(rng.choice(rng.choice(groups[index + 1:])))
                lower = LOWER.get(top, "big.services" if top == "big.tests" else None)
                if lower and rng.random() < 0.3:
                    imports[name].append(rng.choice(modules[lower]))
    for name in tests_inside:
        imports[name] = [rng.choice(modules["big.services"])]
    outsiders = modules["big.api"] + modules["big.services"]
    for name in rng.sample(outsiders, PROTECTED_IMPORTERS):
        imports[name].append(PROTECTED)
    for name in rng.sample(modules["big.core"], UPWARD_IMPORTS):
        imports[name].append(rng.choice(modules["big.api"]))
    for name, targets in imports.items():
        lines = "".join(f"import {target}\n" for target in sorted(set(targets) - {name}))
        files[name.replace(".", "/") + ".py"] = lines
    add_dispatchers(files, modules, random.Random(seed + 1))
    return files


DISPATCH_METHODS = "    def dispatch(self, tool):\n        return tool\n\n    def register(self, tool):\n        return None\n"


def add_dispatchers(files: dict[str, str], modules: dict[str, list[str]], rng: random.Random) -> None:
    """The competing `*ToolDispatcher` implementations, their importers above them (downward
    imports: no layer is broken) and the test doubles."""
    users = modules["big.api"] + modules["big.services"] + modules["big.plugins"] + modules["big.cli"]
    for dispatcher in DISPATCHERS:
        module, _, name = dispatcher.rpartition(".")
        subclasses = [f"{kind}{name}" for kind in ("Fast", "Audited")[:SUBCLASSES]]
        files[module.replace(".", "/") + ".py"] = (
            f"class {name}:\n{DISPATCH_METHODS}"
            + "".join(f"\n\nclass {sub}({name}):\n    pass\n" for sub in subclasses)
        )
        # The canonical one is used most, the others by 3 to 15 modules each.
        for user in rng.sample(users, 40 if dispatcher == CANONICAL else rng.randint(3, 15)):
            imported = rng.choice([name, *subclasses])
            files[user.replace(".", "/") + ".py"] += f"from {module} import {imported}\n"
    for double in TEST_DOUBLES:
        module, _, name = double.rpartition(".")
        path = module.replace(".", "/") + ".py"
        files[path] = files.get(path, "") + f"\n\nclass {name}:\n{DISPATCH_METHODS}"
        for index in range(3):
            user = module.replace("doubles", f"test_doubles_{name.lower()}_{index}")
            files[user.replace(".", "/") + ".py"] = f"from {module} import {name}\n"


def write_big_tree(root: Path, seed: int = 7) -> Path:
    """Write the tree under root and return root."""
    for relative, text in big_tree_files(seed).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
