"""A small synthetic corpus (about 200 modules) whose contract outcomes are known by design.

Layers, top to bottom: ui, api | app (independent), domain, infra, util. Every generated
import points down the stack, except a few deliberate ones (`INJECTED`). The expected
status of each contract follows from those injections alone.
"""

from __future__ import annotations

import random
from pathlib import Path

from bench_configs import Contract, ContractSet

PKG = "smokepkg"
LAYERS = ("ui", "api", "app", "domain", "infra", "util")  # api and app are one level
SIZES = {"ui": 30, "api": 30, "app": 30, "domain": 35, "infra": 30, "util": 30}
LEVEL = {"ui": 0, "api": 1, "app": 1, "domain": 2, "infra": 3, "util": 4}
DB = ("m0", "m1", "m2", "m3", "m4")  # smokepkg.infra.db.*: protected, only domain may import
PRIVATE = ("p0", "p1", "p2", "p3")  # smokepkg.util.private.*: protected, only util may import

# The deliberate imports: importer module -> imported module (statement style varies).
INJECTED = (
    ("smokepkg.util.m5", "smokepkg.domain.m3"),  # upward: util -> domain
    ("smokepkg.infra.m7", "smokepkg.api.m2"),  # upward: infra -> api
    ("smokepkg.api.m4", "smokepkg.app.m1"),  # sibling: api -> app (independent layers)
    ("smokepkg.app.m3", "smokepkg.infra.db.m1"),  # into the protected db package
    ("smokepkg.domain.m3", "smokepkg.infra.m0"),  # legal; makes util -> infra indirect
)

CONTRACTS = ContractSet(
    root_package=PKG,
    contracts=(
        Contract(
            id="layers-all",
            name="Smoke layers",
            type="layers",
            layers=(
                "smokepkg.ui",
                "smokepkg.api | smokepkg.app",
                "smokepkg.domain",
                "smokepkg.infra",
                "smokepkg.util",
            ),
        ),
        Contract(
            id="layers-ignored",
            name="Smoke domain over util, one import ignored",
            type="layers",
            layers=("smokepkg.domain", "smokepkg.util"),
            ignore_imports=("smokepkg.util.m5 -> smokepkg.domain.m3",),
        ),
        Contract(
            id="layers-containers",
            name="Smoke db layers in containers",
            type="layers",
            layers=("m4", "m3", "m2", "m1", "m0"),
            containers=("smokepkg.infra.db",),
        ),
        Contract(
            id="forbidden-infra-api",
            name="Smoke infra does not import api",
            type="forbidden",
            source_modules=("smokepkg.infra",),
            forbidden_modules=("smokepkg.api",),
        ),
        Contract(
            id="forbidden-domain-ui",
            name="Smoke domain does not import ui",
            type="forbidden",
            source_modules=("smokepkg.domain",),
            forbidden_modules=("smokepkg.ui",),
        ),
        Contract(
            id="forbidden-util-infra",
            name="Smoke util does not reach infra",
            type="forbidden",
            source_modules=("smokepkg.util",),
            forbidden_modules=("smokepkg.infra",),
        ),
        Contract(
            id="forbidden-util-infra-direct",
            name="Smoke util does not import infra directly",
            type="forbidden",
            source_modules=("smokepkg.util",),
            forbidden_modules=("smokepkg.infra",),
            allow_indirect_imports=True,
        ),
        Contract(
            id="protected-db",
            name="Smoke db only used by domain",
            type="protected",
            modules=("smokepkg.infra.db",),
            allowed_importers=("smokepkg.domain",),
        ),
        Contract(
            id="protected-private",
            name="Smoke util private stays in util",
            type="protected",
            modules=("smokepkg.util.private",),
            allowed_importers=("smokepkg.util",),
        ),
    ),
    symbol_contract=Contract(
        id="protected-symbol-entity",
        name="Smoke Entity only imported by domain",
        type="protected",
        symbols=("smokepkg.domain.m0.Entity",),
        allowed_importers=("smokepkg.domain",),
    ),
)

EXPECTED = {
    "layers-all": "BROKEN",
    "layers-ignored": "KEPT",
    "layers-containers": "KEPT",
    "forbidden-infra-api": "BROKEN",
    "forbidden-domain-ui": "KEPT",
    "forbidden-util-infra": "BROKEN",
    "forbidden-util-infra-direct": "KEPT",
    "protected-db": "BROKEN",
    "protected-private": "KEPT",
    "protected-symbol-entity": "BROKEN",
}


def _statement(rng: random.Random, importer: str, imported: str) -> str:
    """One import statement, in one of several styles grimp understands."""
    head, _, leaf = imported.rpartition(".")
    style = rng.randrange(4)
    if style == 0:
        return f"import {imported}"
    if style == 1:
        return f"from {head} import {leaf}"
    if style == 2:
        # relative import, when importer and imported share the package `smokepkg`
        importer_pkg = importer.rpartition(".")[0]
        up = importer_pkg.count(".")  # levels from importer's package up to smokepkg
        rel = imported[len(PKG) + 1 :]
        rel_head, _, rel_leaf = rel.rpartition(".")
        dots = "." * (up + 1)
        return f"from {dots}{rel_head} import {rel_leaf}"
    return f"def _uses_{leaf}():\n    import {imported}\n    return {imported}"


def generate(root: Path, seed: int = 7) -> int:
    """Write the package under `root`; return the number of modules."""
    rng = random.Random(seed)
    modules: dict[str, list[str]] = {}  # module -> imported modules

    def names(layer: str) -> list[str]:
        return [f"{PKG}.{layer}.m{i}" for i in range(SIZES[layer])]

    for layer in LAYERS:
        below = [other for other in LAYERS if LEVEL[other] > LEVEL[layer]]
        for i, mod in enumerate(names(layer)):
            targets: set[str] = set()
            for j in rng.sample(range(i), k=min(i, rng.randrange(3))):  # lower index: no cycles
                targets.add(f"{PKG}.{layer}.m{j}")
            for other in rng.sample(below, k=min(len(below), rng.randrange(1, 3))):
                targets.update(rng.sample(names(other), k=rng.randrange(1, 3)))
            if layer == "domain" and i % 5 == 0:
                targets.add(f"{PKG}.infra.db.{rng.choice(DB)}")
            if layer == "util" and i % 4 == 0:
                targets.add(f"{PKG}.util.private.{rng.choice(PRIVATE)}")
            modules[mod] = sorted(targets)
    for k, name in enumerate(DB):
        modules[f"{PKG}.infra.db.{name}"] = [f"{PKG}.infra.db.{DB[k - 1]}"] if k else []
    for k, name in enumerate(PRIVATE):
        modules[f"{PKG}.util.private.{name}"] = (
            [f"{PKG}.util.private.{PRIVATE[k - 1]}"] if k else []
        )
    for importer, imported in INJECTED:
        modules[importer].append(imported)

    pkg_dir = root / PKG
    for sub in ("", *LAYERS, "infra/db", "util/private"):
        d = pkg_dir / sub
        d.mkdir(parents=True, exist_ok=True)
        (d / "__init__.py").write_text(f'"""{PKG} {sub or "root"}."""\n')
    for mod, targets in modules.items():
        body = [f'"""{mod} (generated)."""', "from __future__ import annotations", ""]
        body += [_statement(rng, mod, t) for t in targets]
        if mod == f"{PKG}.domain.m0":
            body += ["", "", "class Entity:", "    pass"]
        if mod == f"{PKG}.app.m2":
            body += [f"from {PKG}.domain.m0 import Entity", "", "ENTITY = Entity"]
        path = pkg_dir.joinpath(*mod.split(".")[1:]).with_suffix(".py")
        path.write_text("\n".join(body) + "\n")
    packages = 1 + len(LAYERS) + 2
    return len(modules) + packages
