"""Test code is recognised without configuration, and pytest's own configuration refines it."""

from pathlib import Path, PurePosixPath

import pytest

from archgraph.config.pytest_settings import read_test_code_rule
from archgraph.model.testcode import DEFAULT_RULE, TestCodeRule
from archgraph.usecases.project import RunOptions
from archgraph.usecases.scanning import build_model
from tests.helpers import write_tree


@pytest.mark.parametrize(
    ("module", "path", "expected"),
    [
        ("app.tests.unit.helpers", "app/tests/unit/helpers.py", True),
        ("app.test", "app/test/__init__.py", True),
        ("app.conftest", "app/conftest.py", True),
        ("app.services.test_chat", "app/services/test_chat.py", True),
        ("app.services.chat_test", "app/services/chat_test.py", True),
        ("app.services.chat", "app/services/chat.py", False),
        ("app.testing", "app/testing.py", False),
        ("app.contest", "app/contest.py", False),
        ("app.attestation", "app/attestation.py", False),
    ],
)
def test_default_recognition(module: str, path: str, expected: bool) -> None:
    assert DEFAULT_RULE.is_test(module, PurePosixPath(path)) is expected
    assert DEFAULT_RULE.is_test(module) is expected  # from the name alone, for in-memory models


def test_testpaths_and_python_files_refine_it() -> None:
    rule = TestCodeRule(file_globs=("check_*.py",), folders=("app/qa",))
    assert rule.is_test("app.qa.smoke", PurePosixPath("app/qa/smoke.py"))
    assert rule.is_test("app.core.check_db", PurePosixPath("app/core/check_db.py"))
    assert not rule.is_test("app.core.test_db", PurePosixPath("app/core/test_db.py"))
    assert not rule.is_test("app.quality", PurePosixPath("app/quality.py"))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pytest.ini", "[pytest]\npython_files = check_*.py\ntestpaths = app/qa\n"),
        ("pyproject.toml", '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\ntestpaths = ["app/qa"]\n'),
        ("tox.ini", "[pytest]\npython_files = check_*.py\ntestpaths =\n    app/qa\n"),
        ("setup.cfg", "[tool:pytest]\npython_files = check_*.py\ntestpaths = app/qa\n"),
    ],
)
def test_pytest_configuration_is_read(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    assert read_test_code_rule(tmp_path) == TestCodeRule(file_globs=("check_*.py",), folders=("app/qa",))


def test_unreadable_or_hostile_pytest_configuration_keeps_defaults(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest\nbroken")
    (tmp_path / "secret.toml").write_text('[tool.pytest.ini_options]\npython_files = ["*.py"]\n')
    assert read_test_code_rule(tmp_path) == DEFAULT_RULE
    (tmp_path / "pytest.ini").unlink()
    outside = tmp_path.parent / f"{tmp_path.name}-outside.toml"
    outside.write_text('[tool.pytest.ini_options]\npython_files = ["*.py"]\n')
    (tmp_path / "pyproject.toml").symlink_to(outside)
    try:
        assert read_test_code_rule(tmp_path) == DEFAULT_RULE  # a link out of the tree is not followed
    finally:
        outside.unlink()


def test_testpaths_cannot_name_places_outside_the_tree(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\ntestpaths = /etc ../x app/qa\n")
    assert read_test_code_rule(tmp_path).folders == ("app/qa",)


def test_the_scanned_model_knows_its_tests(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pytest.ini": "[pytest]\ntestpaths = app/qa\n",
            "app/__init__.py": "",
            "app/core.py": "",
            "app/qa/__init__.py": "",
            "app/qa/smoke.py": "import app.core\n",
            "app/tests/__init__.py": "",
            "app/tests/test_core.py": "import app.core\n",
        },
    )
    _, outcome, _ = build_model(tmp_path, RunOptions(packages=("app",), use_cache=False))
    model = outcome.model
    assert model.test_modules == {"app.qa", "app.qa.smoke", "app.tests", "app.tests.test_core"}
    assert model.sources.test_modules == model.test_modules
    assert not model.is_test("app.core")
