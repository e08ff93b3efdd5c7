"""The project's own pytest configuration, read for what says which files are tests.

pytest looks for its settings in `pytest.ini`, `pyproject.toml` (`[tool.pytest.ini_options]`,
or `[tool.pytest]` since pytest 9), `tox.ini` (`[pytest]`) and `setup.cfg` (`[tool:pytest]`),
and uses the first file that has them; archgraph does the same, in the project's root only.
These files come from the analysed tree: one that cannot be read or parsed (a link out of the
tree, a named pipe, broken syntax) leaves the defaults in force, it never fails the run.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from archgraph.links import leaves, read_input
from archgraph.model.testcode import DEFAULT_RULE, DEFAULT_TEST_FILES, TestCodeRule

_MAX_PYTEST_CONFIG_BYTES = 1 << 20

_INI_FILES = (("pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest"))


def read_test_code_rule(root: Path) -> TestCodeRule:
    """What makes a module test code under `root`, from its pytest configuration if any."""
    for name in ("pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg"):
        path = root / name
        if not path.is_file() or leaves(path, root):
            continue
        try:
            text = read_input(path, _MAX_PYTEST_CONFIG_BYTES)
        except (OSError, UnicodeDecodeError):
            continue
        found = _from_toml(text) if name == "pyproject.toml" else _from_ini(text, name)
        if found is not None:
            return found
    return DEFAULT_RULE


def _from_toml(text: str) -> TestCodeRule | None:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    tool = data.get("tool")
    pytest = tool.get("pytest") if isinstance(tool, dict) else None
    if not isinstance(pytest, dict):
        return None
    options = pytest.get("ini_options", pytest)
    if not isinstance(options, dict):
        return None
    return _rule(options.get("python_files"), options.get("testpaths"))


def _from_ini(text: str, name: str) -> TestCodeRule | None:
    import configparser  # noqa: PLC0415 - only for a project with a tox.ini or setup.cfg

    section = dict(_INI_FILES)[name]
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section(section):
        return None
    return _rule(parser.get(section, "python_files", fallback=None), parser.get(section, "testpaths", fallback=None))


def _rule(python_files: object, testpaths: object) -> TestCodeRule:
    globs = _words(python_files) or DEFAULT_TEST_FILES
    folders = tuple(
        folder.strip("/")
        for folder in _words(testpaths)
        if not folder.startswith("/") and ".." not in folder.split("/")
    )
    return TestCodeRule(file_globs=globs, folders=tuple(f for f in folders if f))


def _words(value: object) -> tuple[str, ...]:
    """An ini value (whitespace-separated) or a TOML list (or string), as words."""
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(w for item in value if isinstance(item, str) for w in item.split())
    return ()
