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

import fnmatch
import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath

TEST_PACKAGE_NAMES = frozenset({"tests", "test"})
DEFAULT_TEST_FILES = ("test_*.py", "*_test.py")


@dataclass(frozen=True, slots=True)
class TestCodeRule:
    """What makes a module test code (see the module docstring)."""

    __test__ = False  # not a pytest test class, despite its name

    file_globs: tuple[str, ...] = DEFAULT_TEST_FILES  # pytest `python_files`
    folders: tuple[str, ...] = ()  # pytest `testpaths`, POSIX paths relative to the root

    def is_test(self, module: str, path: PurePath | str | None = None) -> bool:
        """Whether `module` (its file `path` relative to the root, when known, as a path or as
        text) is test code."""
        parts = module.split(".")
        if not TEST_PACKAGE_NAMES.isdisjoint(parts):
            return True
        if path is None:
            return self._test_file(parts[-1] + ".py")
        # Plain strings and one compiled pattern: this runs for every module of every run
        # (8,800 on Home Assistant), where a PurePosixPath or an fnmatch per glob cost tens of ms.
        if self._test_file(os.path.basename(path) if isinstance(path, str) else path.name):
            return True
        if not self.folders:
            return False
        posix = path.replace(os.sep, "/") if isinstance(path, str) else path.as_posix()
        return posix.startswith(_folder_prefixes(self.folders))

    def _test_file(self, name: str) -> bool:
        return name == "conftest.py" or _file_pattern(self.file_globs).match(name) is not None

    def test_modules(self, files: Iterable[tuple[str, PurePath | str | None]]) -> frozenset[str]:
        """The modules of `(module, file)` pairs that are test code."""
        return frozenset(module for module, path in files if self.is_test(module, path))


@functools.lru_cache(maxsize=8)
def _folder_prefixes(folders: tuple[str, ...]) -> tuple[str, ...]:
    """`folders` as `tests/`-style prefixes of POSIX paths; `testpaths = .` names the whole
    project, not its tests. Made once: a module's path is matched against them in every run,
    for every module (making them each time took 40 ms of a Home Assistant check)."""
    parts = (PurePosixPath(folder).parts for folder in folders)
    return tuple("/".join(p) + "/" for p in parts if p not in ((), (".",)))


@functools.lru_cache(maxsize=8)
def _file_pattern(globs: tuple[str, ...]) -> re.Pattern[str]:
    """pytest's `python_files` globs as one pattern, matched against a file's name."""
    return re.compile("|".join(f"(?:{fnmatch.translate(glob)})" for glob in globs) or "(?!)")


DEFAULT_RULE = TestCodeRule()
