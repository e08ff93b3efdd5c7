"""The real-world corpora: pinned wheels from PyPI, unpacked once into the bench cache.

Contracts were chosen against the real import graphs of these versions: each layer order is
what the code mostly respects, and each "broken" contract is broken by real imports (the
`why` line says which), so both tools have violations to find.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench_configs import Contract, ContractSet

# Wheels are pure Python; asking for a 3.14 interpreter lets pip fetch releases whose
# Requires-Python is newer than the one running the benchmark (homeassistant, django 6).
PIP_TARGET_PYTHON = "3.14"


@dataclass(frozen=True)
class CorpusSpec:
    name: str  # PyPI project name
    version: str  # pinned version (the newest available is used if it does not exist)
    package: str  # top-level package at the wheel root
    contracts: ContractSet
    # The project's own import-linter configuration (INI text, as its source distribution
    # ships it): import-linter reads it as is, archgraph reads it converted by
    # `archgraph convert-importlinter`, as a new user would. `contracts` then only names the
    # contracts (id = section name, name = the `name` key) for the correctness guard.
    own_config: str | None = None


DJANGO = ContractSet(
    root_package="django",
    contracts=(
        Contract(
            id="layers",
            name="Django request stack layers",
            type="layers",
            layers=(
                "django.contrib",
                "django.views",
                "django.template",
                "django.http",
                "django.utils",
            ),
            why="broken: e.g. django.utils.autoreload -> django.http, django.http.response -> "
            "django.core.serializers ... -> django.template",
        ),
        Contract(
            id="forbidden-db-forms",
            name="ORM does not import forms",
            type="forbidden",
            source_modules=("django.db",),
            forbidden_modules=("django.forms",),
            why="broken: django.db.models.fields imports django.forms (formfield())",
        ),
        Contract(
            id="forbidden-db-test",
            name="ORM does not import the test framework",
            type="forbidden",
            source_modules=("django.db",),
            forbidden_modules=("django.test",),
            why="kept: no chain from django.db to django.test",
        ),
        Contract(
            id="protected-sql",
            name="SQL compiler only used by models and backends",
            type="protected",
            modules=("django.db.models.sql",),
            allowed_importers=("django.db.models", "django.db.backends"),
            why="broken: django.contrib.contenttypes/gis/postgres import django.db.models.sql",
        ),
    ),
    symbol_contract=Contract(
        id="protected-symbol-queryset",
        name="QuerySet only imported by the ORM",
        type="protected",
        symbols=("django.db.models.query.QuerySet",),
        allowed_importers=("django.db.models",),
        why="expected broken: django.contrib.admin.utils and django.views.generic.list "
        "import QuerySet",
    ),
)

SYMPY = ContractSet(
    root_package="sympy",
    contracts=(
        Contract(
            id="layers",
            name="SymPy core at the bottom",
            type="layers",
            layers=("sympy.physics | sympy.stats", "sympy.solvers", "sympy.simplify", "sympy.core"),
            why="broken: lazy imports such as sympy.core.relational -> sympy.simplify and "
            "core tests -> physics",
        ),
        Contract(
            id="forbidden-polys-physics",
            name="Polynomials do not import physics",
            type="forbidden",
            source_modules=("sympy.polys",),
            forbidden_modules=("sympy.physics",),
            why="broken (indirectly): e.g. sympy.polys.subresultants_qq_zz -> sympy.matrices.dense "
            "-> ... -> sympy.physics.matrices",
        ),
        Contract(
            id="forbidden-logic-stats",
            name="Logic does not import statistics",
            type="forbidden",
            source_modules=("sympy.logic",),
            forbidden_modules=("sympy.stats",),
            why="kept: no chain from sympy.logic to sympy.stats",
        ),
        Contract(
            id="protected-densebasic",
            name="Dense polynomial basics private to polys",
            type="protected",
            modules=("sympy.polys.densebasic",),
            allowed_importers=("sympy.polys",),
            why="kept: only sympy.polys.* imports sympy.polys.densebasic",
        ),
    ),
    symbol_contract=Contract(
        id="protected-symbol-poly",
        name="Poly only imported inside polys",
        type="protected",
        symbols=("sympy.polys.polytools.Poly",),
        allowed_importers=("sympy.polys",),
        why="expected broken: solvers, integrals, simplify ... import Poly",
    ),
)

HOMEASSISTANT = ContractSet(
    root_package="homeassistant",
    contracts=(
        Contract(
            id="layers",
            name="Integrations over helpers over core over util",
            type="layers",
            layers=(
                "homeassistant.components",
                "homeassistant.helpers",
                "homeassistant.core",
                "homeassistant.util",
            ),
            why="broken: e.g. homeassistant.helpers.condition -> homeassistant.components.sensor, "
            "homeassistant.core -> homeassistant.helpers.json",
        ),
        Contract(
            id="forbidden-util-helpers",
            name="util does not import helpers",
            type="forbidden",
            source_modules=("homeassistant.util",),
            forbidden_modules=("homeassistant.helpers",),
            why="broken: e.g. homeassistant.util.loop -> homeassistant.core -> "
            "homeassistant.helpers.typing",
        ),
        Contract(
            id="forbidden-components-startup",
            name="Integrations do not import startup code",
            type="forbidden",
            source_modules=("homeassistant.components",),
            forbidden_modules=(
                "homeassistant.bootstrap",
                "homeassistant.runner",
                "homeassistant.scripts",
            ),
            why="kept: no integration reaches bootstrap/runner/scripts",
        ),
        Contract(
            id="protected-db-schema",
            name="Recorder schema private to recorder and logbook",
            type="protected",
            modules=("homeassistant.components.recorder.db_schema",),
            allowed_importers=(
                "homeassistant.components.recorder",
                "homeassistant.components.logbook",
            ),
            why="broken: homeassistant.components.usage_prediction.common_control imports it",
        ),
    ),
    symbol_contract=Contract(
        id="protected-symbol-hass",
        name="HomeAssistant only imported by helpers and integrations",
        type="protected",
        symbols=("homeassistant.core.HomeAssistant",),
        allowed_importers=("homeassistant.helpers", "homeassistant.components"),
        why="expected broken: auth, config_entries, util ... import HomeAssistant",
    ),
)

PYDANTIC = ContractSet(
    root_package="pydantic",
    contracts=(
        Contract(
            id="layers",
            name="Public API over internals over plugin hooks",
            type="layers",
            layers=("pydantic.deprecated | pydantic.experimental", "pydantic._internal", "pydantic.plugin"),
            why="a small library (105 modules); the verdict is whatever both tools agree on",
        ),
        Contract(
            id="forbidden-internal-v1",
            name="Internals do not import the v1 compatibility package",
            type="forbidden",
            source_modules=("pydantic._internal",),
            forbidden_modules=("pydantic.v1",),
            why="the v2 internals stand apart from pydantic.v1",
        ),
        Contract(
            id="forbidden-v1-internal",
            name="v1 compatibility package does not import the v2 internals",
            type="forbidden",
            source_modules=("pydantic.v1",),
            forbidden_modules=("pydantic._internal",),
            why="pydantic.v1 is the frozen v1 code base",
        ),
        Contract(
            id="protected-generate-schema",
            name="Schema generation private to the internals",
            type="protected",
            modules=("pydantic._internal._generate_schema",),
            allowed_importers=("pydantic._internal",),
            why="the public modules reach it through the internals, or not",
        ),
    ),
)

PIP = ContractSet(
    root_package="pip",
    contracts=(
        Contract(
            id="layers",
            name="Commands over operations over network over models",
            type="layers",
            layers=(
                "pip._internal.commands",
                "pip._internal.operations",
                "pip._internal.network",
                "pip._internal.models",
            ),
            why="a medium library (398 modules, 300 of them vendored)",
        ),
        Contract(
            id="forbidden-vendor-internal",
            name="Vendored packages do not import pip itself",
            type="forbidden",
            source_modules=("pip._vendor",),
            forbidden_modules=("pip._internal",),
            why="vendored code is third-party code",
        ),
        Contract(
            id="forbidden-models-commands",
            name="Models do not import commands",
            type="forbidden",
            source_modules=("pip._internal.models",),
            forbidden_modules=("pip._internal.commands", "pip._internal.cli"),
            why="plain data classes at the bottom",
        ),
        Contract(
            id="protected-session",
            name="The HTTP session is made by the CLI and the network layer",
            type="protected",
            modules=("pip._internal.network.session",),
            allowed_importers=("pip._internal.cli", "pip._internal.network", "pip._internal.index"),
            why="other code gets a session handed in",
        ),
    ),
)

# import-linter's own contracts, from the `.importlinter` file of its 2.17 source distribution
# (41 modules: the small end, with an `acyclic_siblings` contract).
IMPORT_LINTER_OWN = """\
[importlinter]
root_package = importlinter

[importlinter:contract:layers]
name=Layered architecture
type=layers
containers =
    importlinter
layers=
    cli
    ui
    api
    contracts
    configuration
    adapters
    application
    domain
exhaustive = true

[importlinter:contract:acyclic]
name=All packages are acyclic
type=acyclic_siblings
ancestors = importlinter
"""

IMPORT_LINTER = ContractSet(
    root_package="importlinter",
    contracts=(
        Contract(
            id="layers",
            name="Layered architecture",
            type="layers",
            layers=("cli", "ui", "api", "contracts", "configuration", "adapters", "application", "domain"),
            containers=("importlinter",),
            why="the project's own contract (exhaustive)",
        ),
        Contract(
            id="acyclic",
            name="All packages are acyclic",
            type="acyclic_siblings",
            modules=("importlinter",),
            why="the project's own contract",
        ),
    ),
)

CORPORA: tuple[CorpusSpec, ...] = (
    CorpusSpec("import-linter", "2.17", "importlinter", IMPORT_LINTER, own_config=IMPORT_LINTER_OWN),
    CorpusSpec("pydantic", "2.12.5", "pydantic", PYDANTIC),
    CorpusSpec("pip", "25.3", "pip", PIP),
    CorpusSpec("django", "6.1.3", "django", DJANGO),
    CorpusSpec("sympy", "1.14.0", "sympy", SYMPY),
    CorpusSpec("homeassistant", "2026.11.0", "homeassistant", HOMEASSISTANT),
)


@dataclass(frozen=True)
class Corpus:
    spec: CorpusSpec
    version: str  # the version actually used
    root: Path  # corpus root: the top package dir is directly under it

    @property
    def label(self) -> str:
        return f"{self.spec.name}-{self.version}"

    @property
    def package_dir(self) -> Path:
        return self.root / self.spec.package

    def count_files(self) -> int:
        return sum(1 for _ in self.package_dir.rglob("*.py"))


def _log(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


def _wheel_stem(name: str) -> str:
    """A wheel's file name spells the project name with underscores (import_linter-2.17-...)."""
    return re.sub(r"[-_.]+", "_", name)


def _available_versions(name: str) -> list[str]:
    """Versions on the index, newest first, as `pip index versions` reports them."""
    cmd = [
        sys.executable, "-m", "pip", "index", "versions", name,
        "--python-version", PIP_TARGET_PYTHON, "--only-binary=:all:",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True)
    match = re.search(r"Available versions:\s*(.+)", proc.stdout)
    if proc.returncode != 0 or not match:
        raise RuntimeError(f"`{' '.join(cmd)}` failed:\n{proc.stdout}\n{proc.stderr}")
    return [v.strip() for v in match.group(1).split(",") if v.strip()]


def _resolve_version(spec: CorpusSpec, cache: Path) -> str:
    """The pinned version if PyPI has it, else the newest; remembered in the cache."""
    memo_path = cache / "resolved-versions.json"
    memo = json.loads(memo_path.read_text()) if memo_path.is_file() else {}
    key = f"{spec.name}=={spec.version}"
    if key in memo:
        version = memo[key]
    elif list((cache / "wheels").glob(f"{_wheel_stem(spec.name)}-{spec.version}-*.whl")):
        version = spec.version
    else:
        versions = _available_versions(spec.name)
        version = spec.version if spec.version in versions else versions[0]
        memo[key] = version
        memo_path.write_text(json.dumps(memo, indent=2, sort_keys=True))
    if version != spec.version:
        _log(
            f"{spec.name}=={spec.version} does not exist on PyPI; "
            f"using the newest available version, {spec.name}=={version}"
        )
    return version


def _download_wheel(name: str, version: str, wheel_dir: Path) -> Path:
    wheel_dir.mkdir(parents=True, exist_ok=True)
    existing = sorted(wheel_dir.glob(f"{_wheel_stem(name)}-{version}-*.whl"))
    if existing:
        return existing[0]
    _log(f"downloading {name}=={version} (pure wheel) into {wheel_dir}")
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--python-version", PIP_TARGET_PYTHON, "--dest", str(wheel_dir), f"{name}=={version}",
    ]  # fmt: skip
    _log("$ " + " ".join(cmd))
    subprocess.run(cmd, check=True)
    existing = sorted(wheel_dir.glob(f"{_wheel_stem(name)}-{version}-*.whl"))
    if not existing:
        raise RuntimeError(f"pip download left no wheel for {name}=={version} in {wheel_dir}")
    return existing[0]


def _unpack(wheel: Path, dest: Path) -> None:
    if dest.is_dir():
        return
    _log(f"unpacking {wheel.name} -> {dest}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=dest.parent))
    try:
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(tmp)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def prepare(spec: CorpusSpec, cache: Path) -> Corpus:
    version = _resolve_version(spec, cache)
    wheel = _download_wheel(spec.name, version, cache / "wheels")
    root = cache / "corpora" / f"{spec.name}-{version}"
    _unpack(wheel, root)
    if not (root / spec.package / "__init__.py").is_file():
        raise RuntimeError(f"{root} has no {spec.package}/__init__.py")
    return Corpus(spec=spec, version=version, root=root)
