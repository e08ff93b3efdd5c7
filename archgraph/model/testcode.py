"""Which modules are test code: recognised without configuration, refined by pytest's own.

Production first: families, init, the audit and the contract summaries keep test code apart
(never ranked above production findings, never proposed as canonical, counted apart). A module
is test code when

- a package on its path is named `tests` or `test` (`app.tests.unit.helpers`), or
- its file is `conftest.py`, or its file name matches pytest's `python_files` globs
  (`test_*.py` and `*_test.py` unless the project's pytest configuration names others), or
- its file lies under one of the `testpaths` the project's pytest configuration names.

Pure: the pytest configuration is read by `archgraph.scan.pytest_config`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePath, PurePosixPath

TEST_PACKAGE_NAMES = frozenset({"tests", "test"})
DEFAULT_TEST_FILES = ("test_*.py", "*_test.py")


@dataclass(frozen=True, slots=True)
class TestCodeRule:
    """What makes a module test code (see the module docstring)."""

    __test__ = False  # not a pytest test class, despite its name

    file_globs: tuple[str, ...] = DEFAULT_TEST_FILES  # pytest `python_files`
    folders: tuple[str, ...] = ()  # pytest `testpaths`, POSIX paths relative to the root

    def is_test(self, module: str, path: PurePath | None = None) -> bool:
        """Whether `module` (its file `path` relative to the root, when known) is test code."""
        parts = module.split(".")
        if any(part in TEST_PACKAGE_NAMES for part in parts):
            return True
        if path is None:
            name = parts[-1] + ".py"
            return name == "conftest.py" or any(fnmatchcase(name, g) for g in self.file_globs)
        posix = PurePosixPath(path.as_posix())
        if posix.name == "conftest.py" or any(fnmatchcase(posix.name, g) for g in self.file_globs):
            return True
        return any(_under(posix, folder) for folder in self.folders)

    def test_modules(self, files: Iterable[tuple[str, PurePath | None]]) -> frozenset[str]:
        """The modules of `(module, file)` pairs that are test code."""
        return frozenset(module for module, path in files if self.is_test(module, path))


def _under(path: PurePosixPath, folder: str) -> bool:
    folder_path = PurePosixPath(folder)
    if folder_path.parts in ((), (".",)):
        return False  # `testpaths = .` names the whole project, not its tests
    return path.parts[: len(folder_path.parts)] == folder_path.parts


DEFAULT_RULE = TestCodeRule()
