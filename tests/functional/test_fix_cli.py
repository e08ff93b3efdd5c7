"""`archgraph fix`: imports of a protected symbol rewritten to the contract's replacement, every
import form, files left alone when they must be, checked on the graph before writing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli, write_tree

CONTRACT = """
[archgraph]
root_packages = ["app"]

[[contracts]]
id = "registry"
name = "AgentRegistry only through app.registry"
type = "protected"
symbols = ["app.agents.impl.AgentRegistry"]
allowed_importers = ["app.agents", "app.registry"]
replacement = "app.registry.AgentRegistry"
"""

BASE = {
    "contracts/architecture.toml": CONTRACT,
    "app/__init__.py": "",
    "app/agents/__init__.py": "",
    "app/agents/impl.py": "class AgentRegistry:\n    pass\n\n\nclass Other:\n    pass\n",
    "app/registry.py": "from app.agents.impl import AgentRegistry\n\n__all__ = ['AgentRegistry']\n",
    "app/services/__init__.py": "",
}

FORMS = {
    # A plain import, with a comment kept.
    "app/services/plain.py": "from app.agents.impl import AgentRegistry  # the registry\n\nR = AgentRegistry\n",
    # An alias.
    "app/services/aliased.py": "from app.agents.impl import AgentRegistry as Reg\n\nR = Reg\n",
    # Several names, parenthesised: the other name stays where it was.
    "app/services/several.py": (
        "from app.agents.impl import (\n    Other,\n    AgentRegistry,\n)\n\nR = (AgentRegistry, Other)\n"
    ),
    # Relative: stays relative.
    "app/services/relative.py": "from ..agents.impl import AgentRegistry\n\nR = AgentRegistry\n",
    # Under TYPE_CHECKING, and in a function.
    "app/services/typed.py": (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.agents.impl import AgentRegistry\n\n\n"
        "def make():\n    from app.agents.impl import AgentRegistry\n    return AgentRegistry()\n"
    ),
    # A module bound by import, then `m.AgentRegistry`: the import goes when nothing else uses it...
    "app/services/attribute.py": (
        "import os\n\nimport app.agents.impl as impl\n\n\ndef make():\n    return impl.AgentRegistry(), os.sep\n"
    ),
    # ...and stays when it is used for something else.
    "app/services/attribute_kept.py": (
        "from app.agents import impl\n\n\ndef make():\n    return impl.AgentRegistry(), impl.Other()\n"
    ),
}

EXPECTED = {
    "app/services/plain.py": "from app.registry import AgentRegistry  # the registry\n\nR = AgentRegistry\n",
    "app/services/aliased.py": "from app.registry import AgentRegistry as Reg\n\nR = Reg\n",
    "app/services/several.py": (
        "from app.agents.impl import (\n    Other,\n)\nfrom app.registry import AgentRegistry\n\n"
        "R = (AgentRegistry, Other)\n"
    ),
    "app/services/relative.py": "from ..registry import AgentRegistry\n\nR = AgentRegistry\n",
    "app/services/typed.py": (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.registry import AgentRegistry\n\n\n"
        "def make():\n    from app.registry import AgentRegistry\n    return AgentRegistry()\n"
    ),
    "app/services/attribute.py": (
        "import os\n\nfrom app.registry import AgentRegistry\n\n\ndef make():\n    return AgentRegistry(), os.sep\n"
    ),
    "app/services/attribute_kept.py": (
        "from app.agents import impl\nfrom app.registry import AgentRegistry\n\n\n"
        "def make():\n    return AgentRegistry(), impl.Other()\n"
    ),
}


def fix(root: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(["fix", root, "--contract", "registry", "--no-cache", *extra])


def check_json(root: Path) -> dict:
    _code, out, _ = run_cli(["check", root, "--no-cache", "--format", "json"])
    return json.loads(out)


def registry_violations(root: Path) -> int:
    contract = next(c for c in check_json(root)["contracts"] if c["id"] == "registry")
    return len(contract["violations"])


def test_every_import_form_is_rewritten_and_the_contract_is_then_kept(tmp_path: Path) -> None:
    write_tree(tmp_path, {**BASE, **FORMS})
    assert registry_violations(tmp_path) == len(FORMS) + 1  # typed.py has two
    code, out, err = fix(tmp_path, "--dry-run")
    assert code == 0, err
    assert all(tmp_path.joinpath(f).read_text() == text for f, text in FORMS.items())  # nothing written
    assert "+from app.registry import AgentRegistry  # the registry" in out
    assert "8 imports to fix in 7 files; 0 left alone" in out
    code, out, err = fix(tmp_path)
    assert code == 0, err
    assert "violations: 8 before, 0 after" in out
    for file, text in EXPECTED.items():
        assert tmp_path.joinpath(file).read_text() == text, file
        compile(text, file, "exec")  # every written file parses
    assert registry_violations(tmp_path) == 0
    assert tmp_path.joinpath("app/agents/impl.py").read_text() == BASE["app/agents/impl.py"]


def test_files_that_cannot_be_rewritten_are_left_alone_with_the_reason(tmp_path: Path) -> None:
    broken = "from app.agents.impl import AgentRegistry\n\nx = (\n"  # reported by the scan, not analysed
    star = "from app.agents.impl import *\n"
    bound = "import app.agents.impl as impl\n\nAgentRegistry = 1\nR = impl.AgentRegistry\n"
    write_tree(tmp_path, {**BASE, "app/services/broken.py": broken, "app/services/star.py": star,
                          "app/services/bound.py": bound, **{"app/services/plain.py": FORMS["app/services/plain.py"]}})
    code, out, err = fix(tmp_path)
    assert code == 1, err  # violations remain
    assert "1 import fixed in 1 file; 2 left alone" in out
    assert "app/services/star.py:1" in out and "a star import" in out
    assert "app/services/bound.py:1" in out and "`AgentRegistry` is already bound" in out
    assert tmp_path.joinpath("app/services/broken.py").read_text() == broken
    assert tmp_path.joinpath("app/services/star.py").read_text() == star
    assert tmp_path.joinpath("app/services/bound.py").read_text() == bound


def test_a_rewrite_that_would_close_a_cycle_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    registry = "from app.agents.impl import AgentRegistry\nfrom app.services import chat\n"
    chat = "from app.agents.impl import AgentRegistry\n\nR = AgentRegistry\n"
    write_tree(tmp_path, {**BASE, "app/registry.py": registry, "app/services/chat.py": chat,
                          "app/services/plain.py": FORMS["app/services/plain.py"]})
    code, out, _ = fix(tmp_path)
    assert "would close an import cycle: app.services.chat -> app.registry -> app.services.chat" in out
    assert tmp_path.joinpath("app/services/chat.py").read_text() == chat
    assert "1 import fixed in 1 file" in out and code == 1


def test_the_baseline_is_pruned_of_what_the_fix_removed(tmp_path: Path) -> None:
    write_tree(tmp_path, {**BASE, **{f: FORMS[f] for f in ("app/services/plain.py", "app/services/aliased.py")}})
    config = tmp_path / "contracts/architecture.toml"
    config.write_text(config.read_text().replace("[archgraph]\n", '[archgraph]\nbaseline = "baseline.json"\n'))
    assert run_cli(["baseline", tmp_path, "--no-cache"])[0] == 0
    recorded = json.loads((tmp_path / "baseline.json").read_text())
    assert sum(e["count"] for e in recorded["violations"]) == 2
    code, out, err = fix(tmp_path)
    assert code == 0, err
    assert "baseline: 2 entries the fix removed were pruned" in out
    assert json.loads((tmp_path / "baseline.json").read_text())["violations"] == []
    assert run_cli(["check", tmp_path, "--no-cache", "--fail-on-stale"])[0] == 0


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        ('"app.agents.impl.Other"', "replacement: 'app.agents.impl.Other' is not the protected app.agents.impl.AgentRegistry"),
        ('"app.services.AgentRegistry"', "it is not defined or imported there"),
    ],
)
def test_a_replacement_that_is_not_the_protected_object_is_a_configuration_error(
    tmp_path: Path, replacement: str, message: str
) -> None:
    write_tree(tmp_path, {**BASE, "app/services/plain.py": FORMS["app/services/plain.py"]})
    config = tmp_path / "contracts/architecture.toml"
    config.write_text(config.read_text().replace('"app.registry.AgentRegistry"', replacement))
    code, _out, err = run_cli(["check", tmp_path, "--no-cache"])
    assert code == 2 and message in _out + err
    code, _out, err = fix(tmp_path)
    assert code == 2 and "cannot be checked" in err


def test_a_replacement_needs_one_symbol(tmp_path: Path) -> None:
    write_tree(tmp_path, BASE)
    config = tmp_path / "contracts/architecture.toml"
    config.write_text(config.read_text().replace(
        'symbols = ["app.agents.impl.AgentRegistry"]', 'symbols = ["app.agents.impl.AgentRegistry", "app.agents.impl.Other"]'
    ))
    code, _out, err = run_cli(["check", tmp_path, "--no-cache"])
    assert code == 2
    assert "architecture.toml:11: contracts[0].replacement: a replacement needs exactly one protected symbol" in err


def test_plan_for_a_single_implementation_contract(tmp_path: Path) -> None:
    methods = "    def dispatch(self, tool):\n        pass\n\n    def register(self, tool):\n        pass\n"
    write_tree(tmp_path, {
        "contracts/architecture.toml": (
            '[archgraph]\nroot_packages = ["app"]\n\n[[contracts]]\nid = "one"\nname = "One dispatcher"\n'
            'type = "single-implementation"\nconcept = "*ToolDispatcher"\ncanonical = "app.core.UnifiedToolDispatcher"\n'
        ),
        "app/__init__.py": "",
        "app/core.py": f"class UnifiedToolDispatcher:\n{methods}",
        "app/legacy.py": f"class LegacyToolDispatcher:\n{methods}",
        "app/api/__init__.py": "",
        "app/api/a.py": "from app.legacy import LegacyToolDispatcher\n",
        "app/api/b.py": "from app.legacy import LegacyToolDispatcher\n",
        "app/jobs/__init__.py": "",
        "app/jobs/c.py": "from app.legacy import LegacyToolDispatcher\n",
        "app/jobs/d.py": "from app.core import UnifiedToolDispatcher\n",
    })
    plan = tmp_path / "plan.md"
    code, _out, err = run_cli(["fix", tmp_path, "--contract", "one", "--plan", "-o", plan, "--no-cache"])
    assert code == 0, err
    text = plan.read_text()
    assert "Compliance today: 25.0% (1 canonical of 4 import sites" in text
    assert "| `app.legacy.LegacyToolDispatcher` | app/legacy.py:1 |" in text
    first, second = text.index("### 1. `app.api`: 2 sites (compliance after: 75.0%)"), text.index(
        "### 2. `app.jobs`: 1 site (compliance after: 100.0%)")
    assert first < second
    assert "- app/api/a.py:1: `app.api.a` imports `app.legacy.LegacyToolDispatcher`" in text
    code, _out, err = run_cli(["fix", tmp_path, "--contract", "one", "--no-cache"])
    assert code == 2 and "fix --plan" in err


def test_a_source_that_does_not_parse_is_never_rewritten() -> None:
    from archgraph.fix.rewrite import Edit, RewriteError, rewrite  # noqa: PLC0415

    with pytest.raises(RewriteError, match="cannot be parsed"):
        rewrite(b"from a import B\nx = (\n", [Edit(1, "B", "c")])
    with pytest.raises(RewriteError, match="no import of B found at line 2"):
        rewrite(b"from a import B\n", [Edit(2, "B", "c")])


MODULE_CONTRACT = """
[archgraph]
root_packages = ["app"]

[[contracts]]
id = "impl"
name = "Only the registry package imports its implementation"
type = "protected"
modules = ["app.registry.impl"]
allowed_importers = ["app.registry", "app.admin"]
"""


def test_a_protected_module_is_reached_through_the_allowed_module_that_reexports_the_names(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "contracts/architecture.toml": MODULE_CONTRACT,
        "app/__init__.py": "",
        "app/registry/__init__.py": "from app.registry.impl import Registry\n\n__all__ = ['Registry']\n",
        "app/registry/impl.py": "class Registry:\n    pass\n\n\nclass Hidden:\n    pass\n\n\nLIMIT = 3\n",
        # An allowed module that also binds Registry (for its own use): the package's __init__,
        # which exports it, is the one to go through.
        "app/admin/__init__.py": "",
        "app/admin/panel.py": "from app.registry.impl import Registry, Hidden\n",
        "app/services/__init__.py": "",
        "app/services/a.py": "from app.registry.impl import Registry\n",
        "app/services/b.py": "import app.registry.impl as impl\n\nR = impl.Registry\n",
        "app/services/c.py": "from app.registry.impl import LIMIT\n",  # nothing allowed re-exports it
        "app/services/d.py": "import app.registry.impl\n",  # the module itself
    })
    code, out, err = run_cli(["fix", tmp_path, "--contract", "impl", "--no-cache"])
    assert tmp_path.joinpath("app/services/a.py").read_text() == "from app.registry import Registry\n"
    assert tmp_path.joinpath("app/services/b.py").read_text() == "from app.registry import Registry\n\nR = Registry\n"
    assert tmp_path.joinpath("app/services/c.py").read_text() == "from app.registry.impl import LIMIT\n"
    assert "2 imports fixed in 2 files; 2 left alone" in out
    assert "app/services/c.py:1" in out and "no allowed module re-exports LIMIT" in out
    assert "app/services/d.py  app.services.d (app.registry.impl): imports the module itself" in out
    assert code == 1 and "violations: 4 before, 2 after" in out, err


def test_several_allowed_modules_exporting_the_name_are_an_ambiguous_reexport(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "contracts/architecture.toml": MODULE_CONTRACT,
        "app/__init__.py": "",
        "app/registry/__init__.py": "from app.registry.impl import Registry\n",
        "app/registry/impl.py": "class Registry:\n    pass\n",
        "app/admin/__init__.py": "from app.registry.impl import Registry\n",
        "app/services/__init__.py": "",
        "app/services/a.py": "from app.registry.impl import Registry\n",
    })
    code, out, _ = run_cli(["fix", tmp_path, "--contract", "impl", "--no-cache"])
    assert code == 1
    assert "ambiguous re-export: app.admin, app.registry all re-export Registry" in out
    assert tmp_path.joinpath("app/services/a.py").read_text() == "from app.registry.impl import Registry\n"


def test_forbidden_and_layers_contracts_fix_through_their_replacements(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "contracts/architecture.toml": (
            '[archgraph]\nroot_packages = ["app"]\n\n'
            '[[contracts]]\nid = "layers"\nname = "api above core"\ntype = "layers"\n'
            'containers = ["app"]\nlayers = ["api", "core"]\n'
            # The model moved down to core; api.models still re-exports it for old callers.
            'replacements = ["app.api.models -> app.core.models"]\n\n'
            '[[contracts]]\nid = "no-legacy-db"\nname = "services use app.db"\ntype = "forbidden"\n'
            'source_modules = ["app.services"]\nforbidden_modules = ["app.legacy"]\nallow_indirect_imports = true\n'
            'replacements = ["app.legacy.db -> app.core.db"]\n'
        ),
        "app/__init__.py": "",
        "app/api/__init__.py": "",
        "app/api/models.py": "from app.core.models import Model\n\n\nclass View:\n    pass\n",
        "app/core/__init__.py": "",
        "app/core/models.py": "class Model:\n    pass\n",
        "app/core/db.py": "from app.legacy.db import connect\n",
        "app/core/users.py": "from app.api.models import Model, View\n",  # Model moves; View stays up
        "app/legacy/__init__.py": "",
        "app/legacy/db.py": "def connect():\n    pass\n\n\ndef vacuum():\n    pass\n",
        "app/services/__init__.py": "",
        "app/services/store.py": "from app.legacy.db import connect, vacuum\n",
    })
    code, out, err = run_cli(["fix", tmp_path, "--contract", "layers", "--no-cache"])
    assert tmp_path.joinpath("app/core/users.py").read_text() == (
        "from app.api.models import View\nfrom app.core.models import Model\n"
    )
    assert "app.core.users (app.api.models.View): app.core.models does not hold app.api.models.View" in out
    assert code == 1, err  # View still comes from above
    code, out, err = run_cli(["fix", tmp_path, "--contract", "no-legacy-db", "--no-cache"])
    assert tmp_path.joinpath("app/services/store.py").read_text() == (
        "from app.legacy.db import vacuum\nfrom app.core.db import connect\n"
    )
    assert "app.core.db does not hold app.legacy.db.vacuum" in out and code == 1, err
    config = tmp_path / "contracts/architecture.toml"
    config.write_text(config.read_text().replace("app.legacy.db -> app.core.db", "app.legacy.* -> app.core.db"))
    code, _out, err = run_cli(["check", tmp_path, "--no-cache"])
    assert code == 2 and "contracts[1].replacements: 'app.legacy.* -> app.core.db': name one module on each side" in err


def test_select_limits_the_rewrite_to_the_files_named(tmp_path: Path) -> None:
    write_tree(tmp_path, {**BASE, **{f: FORMS[f] for f in ("app/services/plain.py", "app/services/aliased.py")}})
    code, out, _ = fix(tmp_path, "--select", "app/services/plain.py")
    assert "1 import fixed in 1 file" in out and code == 1  # aliased.py still breaks it
    assert tmp_path.joinpath("app/services/plain.py").read_text() == EXPECTED["app/services/plain.py"]
    assert tmp_path.joinpath("app/services/aliased.py").read_text() == FORMS["app/services/aliased.py"]
