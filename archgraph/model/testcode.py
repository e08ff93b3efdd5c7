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
        if not TEST_PACKAGE_NAMES.isdisjoint(parts):
            return True
        if path is None:
            return self._test_file(parts[-1] + ".py")
        # Plain strings: a PurePosixPath per module cost more than all the rest (a third of a
        # second on Home Assistant's 8,800 modules, at every `families`).
        posix = path.as_posix()
        if self._test_file(posix.rpartition("/")[2]):
            return True
        return bool(self.folders) and any(posix.startswith(f) for f in self._folder_prefixes())

    def _test_file(self, name: str) -> bool:
        return name == "conftest.py" or any(fnmatchcase(name, g) for g in self.file_globs)

    def _folder_prefixes(self) -> list[str]:
        """`folders` as `tests/`-style prefixes of POSIX paths; `testpaths = .` names the whole
        project, not its tests."""
        parts = (PurePosixPath(folder).parts for folder in self.folders)
        return ["/".join(p) + "/" for p in parts if p not in ((), (".",))]

    def test_modules(self, files: Iterable[tuple[str, PurePath | None]]) -> frozenset[str]:
        """The modules of `(module, file)` pairs that are test code."""
        return frozenset(module for module, path in files if self.is_test(module, path))


DEFAULT_RULE = TestCodeRule()
