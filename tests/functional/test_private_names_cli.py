"""`type = "private"` and `interface` on protected packages, end to end: real trees, real CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli, write_tree

TREE = {
    "app/__init__.py": "",
    "app/core/__init__.py": (
        "from app.core._cache import store\n"
        "_registry = {}\n"
        "__version__ = '1'\n"
        "__all__ = ['store', 'Engine']\n"
        "from app.core.engine import Engine\n"
    ),
    "app/core/_cache/__init__.py": "def store():\n    pass\n",
    "app/core/engine.py": "class Engine:\n    pass\n",
    "app/core/util.py": "def _helper():\n    pass\n\n\ndef helper():\n    return _helper()\n",
    "app/core/api.py": "from app.core.util import _helper\n",  # inside the package: allowed
    "app/core/inner/__init__.py": "",
    "app/core/inner/deep.py": "from .. import _cache\nfrom ..util import _helper\n",  # allowed
    "app/web.py": (
        "from app.core.util import _helper, helper\n"  # line 1: private name
        "from app.core import __version__\n"  # dunder: public
        "import app.core._cache\n"  # line 3: private module
        "from app.core import util as u\n"
        "\n"
        "\n"
        "def view():\n"
        "    return u._helper()\n"  # line 8: private name by attribute access
    ),
    "app/cli.py": "from app.core import _registry\nfrom app.core import store, Engine\n",
    "app/admin.py": "from app.core._cache import store\n",
}

PRIVATE = """\
[[contracts]]
id = "private"
name = "Private names stay in their package"
type = "private"
{extra}
"""

INTERFACE = """\
[[contracts]]
id = "core-face"
name = "The core is used through its interface"
type = "protected"
modules = ["app.core"]
interface = [{interface}]
"""


def tree(tmp_path: Path, contracts: str, **files: str) -> Path:
    toml = f'[archgraph]\nroot_packages = ["app"]\n\n{contracts}'
    return write_tree(tmp_path, {**TREE, **files, "contracts/arch.toml": toml})


def check(root: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(["check", root, "--no-cache", *args])


def violations(output: str) -> list[tuple[Any, ...]]:
    (contract,) = json.loads(output)["contracts"]
    return sorted(
        (v["importer"], v["line"], v["imported"], v["symbol"], v["code"]) for v in contract["violations"]
    )


def messages(output: str) -> dict[tuple[str, int], str]:
    (contract,) = json.loads(output)["contracts"]
    return {(v["importer"], v["line"]): v["message"] for v in contract["violations"]}


def test_private_modules_and_names_imported_from_outside_their_package(tmp_path: Path) -> None:
    root = tree(tmp_path, PRIVATE.format(extra=""))

    code, out, _ = check(root, "--format", "json")
    text_code, text, _ = check(root)

    assert code == text_code == 1
    assert violations(out) == [
        ("app.admin", 1, "app.core._cache", None, "AG135"),
        ("app.cli", 1, "app.core", "app.core._registry", "AG135"),
        ("app.web", 1, "app.core.util", "app.core.util._helper", "AG135"),
        ("app.web", 3, "app.core._cache", None, "AG135"),
        ("app.web", 4, "app.core.util", "app.core.util._helper", "AG135"),
    ]
    said = messages(out)
    assert said["app.admin", 1] == "app.admin imports the private module app.core._cache from outside app.core"
    assert said["app.web", 4] == (
        "app.web imports the private name app.core.util._helper from outside app.core (used at line 8)"
    )
    assert "    - app.cli imports app.core._registry\n        app/cli.py:1\n" in text
    assert "app.core.api" not in text and "app.core.inner" not in text  # inside: allowed


def test_scope_and_allowed_importers(tmp_path: Path) -> None:
    extra = 'modules = ["app.core"]\nallowed_importers = ["app.web"]\n'
    root = tree(tmp_path, PRIVATE.format(extra=extra))

    code, out, _ = check(root, "--format", "json")

    assert code == 1
    assert [v[0] for v in violations(out)] == ["app.admin", "app.cli"]


def test_a_private_name_of_another_package_is_out_of_scope(tmp_path: Path) -> None:
    extra = 'modules = ["app.core.inner"]\n'
    root = tree(tmp_path, PRIVATE.format(extra=extra))

    code, out, _ = check(root)

    assert code == 0, out


def test_a_private_scope_that_matches_nothing_has_a_did_you_mean(tmp_path: Path) -> None:
    root = tree(tmp_path, PRIVATE.format(extra='modules = ["app.kore"]\n'))

    code, out, _ = check(root)

    assert code == 2
    assert "modules: 'app.kore' matches no module in the graph" in out
    assert "did you mean 'app.core'?" in out


def test_an_unknown_key_of_a_private_contract_has_a_did_you_mean(tmp_path: Path) -> None:
    root = tree(tmp_path, PRIVATE.format(extra='allowed_importer = ["app.web"]\n'))

    code, _out, err = check(root)

    assert code == 2
    assert "contracts/arch.toml:8: contracts[0].allowed_importer: unknown key" in err
    assert "did you mean 'allowed_importers'?" in err


@pytest.mark.parametrize(
    ("output_format", "read"),
    [
        ("sarif", lambda text: " ".join(r["message"]["text"] for r in json.loads(text)["runs"][0]["results"])),
        ("junit", lambda text: ET.fromstring(text).find(".//failure").text),  # type: ignore[union-attr]
        ("markdown", lambda text: text.replace("\\_", "_")),
        ("github", lambda text: text),
    ],
)
def test_every_format_shows_private_imports(tmp_path: Path, output_format: str, read: Any) -> None:
    code, out, _ = check(tree(tmp_path, PRIVATE.format(extra="")), "--format", output_format)

    assert code == 1
    assert "app.core._registry" in read(out)
    assert "app.core._cache" in read(out)


def test_interface_allows_the_interface_and_the_names_of_all(tmp_path: Path) -> None:
    root = tree(tmp_path, INTERFACE.format(interface='"app.core._cache"'))

    code, out, _ = check(root, "--format", "json")
    text_code, text, _ = check(root)

    assert code == text_code == 1
    assert violations(out) == [
        ("app.cli", 1, "app.core", "app.core._registry", "AG132"),
        ("app.web", 1, "app.core.util", None, "AG132"),
        ("app.web", 2, "app.core", "app.core.__version__", "AG132"),
    ]
    assert messages(out) == {
        ("app.cli", 1): "app.cli imports app.core._registry, which is not in app.core.__all__ "
        "nor in its interface (app.core._cache)",
        ("app.web", 1): "app.web imports app.core.util, which is not in the interface of app.core "
        "(interface: app.core._cache, and the names in app.core.__all__)",
        ("app.web", 2): "app.web imports app.core.__version__, which is not in app.core.__all__ "
        "nor in its interface (app.core._cache)",
    }
    # `store` and `Engine` (in __all__) and the interface module itself are open to anyone.
    assert "app.admin" not in text
    assert "app.cli imports app.core.store" not in text


def test_without_interface_a_protected_package_is_closed_to_every_import(tmp_path: Path) -> None:
    root = tree(tmp_path, INTERFACE.format(interface="").replace("interface = []\n", ""))

    code, out, _ = check(root, "--format", "json")

    assert code == 1
    assert {v[0] for v in violations(out)} == {"app.admin", "app.cli", "app.web"}
    assert {v[4] for v in violations(out)} == {"AG130"}


@pytest.mark.parametrize(
    ("interface", "expected"),
    [
        ('"app.cor._cache"', "'app.cor._cache' is not inside a protected module (app.core) "
                             "(did you mean 'app.core._cache'?)"),
        ('"api"', "'api' is not inside a protected module (app.core) (did you mean 'app.core.api'?)"),
    ],
)
def test_an_interface_outside_the_protected_package_is_a_configuration_error(
    tmp_path: Path, interface: str, expected: str
) -> None:
    root = tree(tmp_path, INTERFACE.format(interface=interface))

    code, _out, err = check(root)

    assert code == 2
    assert f"contracts/arch.toml:9: contracts[0].interface: {expected}" in err


def test_an_interface_without_modules_is_a_configuration_error(tmp_path: Path) -> None:
    contracts = INTERFACE.format(interface='"app.core.api"').replace(
        'modules = ["app.core"]', 'symbols = ["app.core.engine.Engine"]'
    )

    code, _out, err = check(tree(tmp_path, contracts))

    assert code == 2
    assert "contracts[0].interface: an interface needs 'modules'" in err


def test_an_interface_module_that_does_not_exist_has_a_did_you_mean(tmp_path: Path) -> None:
    code, out, _ = check(tree(tmp_path, INTERFACE.format(interface='"app.core.apy"')))

    assert code == 2
    assert "interface: 'app.core.apy' matches no module in the graph" in out
    assert "did you mean 'app.core.api'?" in out
