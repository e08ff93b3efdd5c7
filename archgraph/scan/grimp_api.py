"""Every import of grimp in one place: the public names and the private ones archgraph uses.

archgraph drives grimp's Rust import scanner over its own file walk (so that it can leave out
and report files grimp would stop at), which takes names grimp does not publish. Those can
change in any release, so the installed version is checked when this module is first imported,
before the private modules are: outside the supported range, archgraph says which version is
installed and which it needs instead of failing somewhere inside a scan.

Supported: grimp 3.18 up to, not including, 4.0 (a major release may move the private names).
3.17 is the first whose scanner reports lazy imports (`DirectImport.is_lazy`), but it panics on
a file it cannot decode instead of raising UnicodeError (archgraph's encoding tests fail there);
the suite passes on 3.18 to 3.20. Keep this range and pyproject.toml's requirement the same.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from sys import intern

import grimp

from archgraph.diagnostics import ArchgraphError
from archgraph.scan.import_cache import ImportRow

OLDEST_SUPPORTED = (3, 18)
FIRST_UNSUPPORTED = (4, 0)
SUPPORTED_RANGE = ">=3.18,<4"


def check_version(version: str) -> None:
    """Raise ArchgraphError unless `version` (grimp's `__version__`) is one archgraph supports."""
    found = re.match(r"(\d+)\.(\d+)", version)
    if found is None or not OLDEST_SUPPORTED <= (int(found[1]), int(found[2])) < FIRST_UNSUPPORTED:
        raise ArchgraphError(
            f"grimp {version} is installed; archgraph needs grimp{SUPPORTED_RANGE} "
            f"(for example: pip install 'grimp{SUPPORTED_RANGE}')"
        )


# Before the private imports below: an incompatible grimp is named, not a missing module.
check_version(grimp.__version__)

from grimp import _rustgrimp  # type: ignore[attr-defined]  # noqa: E402
from grimp.exceptions import ModuleNotPresent, SourceSyntaxError  # noqa: E402

VERSION: str = grimp.__version__
ImportGraph = grimp.ImportGraph
Layer = grimp.Layer


# What grimp's scanner reads of its arguments, by attribute: the fields of grimp's own
# FoundPackage, ModuleFile and Module, whose frozen dataclasses cost 1.4 us each to make (two a
# module, twice a scan: 50 ms on Home Assistant's 8,800, 0.35 s at 65,000 modules).


class _Module:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _ModuleFile:
    __slots__ = ("module", "mtime")

    def __init__(self, module: str, mtime: float) -> None:
        self.module = _Module(module)
        self.mtime = mtime


class FoundPackage:
    """A root package as grimp's scanner takes it (grimp's FoundPackage, by its fields)."""

    __slots__ = ("directory", "module_files", "name", "namespace_packages")

    def __init__(
        self,
        name: str,
        directory: str,
        module_files: frozenset[_ModuleFile],
        namespace_packages: frozenset[str],
    ) -> None:
        self.name = name
        self.directory = directory
        self.module_files = module_files
        self.namespace_packages = namespace_packages


def found_package(
    name: str, directory: str, modules: Iterable[str], namespace_packages: Collection[str]
) -> FoundPackage:
    """A root package as grimp's scanner takes it, to resolve imported names against.

    The files' mtimes play no part in the scan (they key grimp's own cache): 0.
    """
    return FoundPackage(
        name,
        directory,
        frozenset(_ModuleFile(m, 0.0) for m in modules),
        frozenset(namespace_packages),
    )


def scan_for_imports(
    *,
    module_files: Sequence[tuple[str, float]],
    found_packages: set[FoundPackage],
    include_external_packages: bool,
    exclude_type_checking_imports: bool,
) -> dict[str, tuple[ImportRow, ...]]:
    """The direct imports of each module of `module_files` ((module, mtime) pairs), sorted.

    Runs grimp's scanner on its threads (sized by RUST_MIN_STACK, see archgraph.process).
    Raises SourceSyntaxError or UnicodeError for a file it cannot read; on some inputs it
    panics (pyo3's PanicException, a BaseException).

    The scanner answers with a Python object per import and per module name (a dataclass with
    its own dict each, four to five times the size of a row): the modules are scanned in up to
    `SCAN_BATCHES` batches, each batch's answer turned into rows and dropped before the next,
    so that only a batch of those objects is alive at once (at 65,000 modules, all of them at
    once took 250 MiB, more than the rest of the check). Not more batches: every call pays for
    handing the scanner all the packages' modules again (0.13 s at 65,000). Module names are
    interned: every row's imported name is then the graph's one string for that module.
    """
    rows: dict[str, tuple[ImportRow, ...]] = {}
    batch = max(SMALLEST_BATCH, -(-len(module_files) // SCAN_BATCHES))
    for start in range(0, len(module_files), batch):
        scanned = _rustgrimp.scan_for_imports(
            module_files=tuple(
                _ModuleFile(m, mtime) for m, mtime in module_files[start : start + batch]
            ),
            found_packages=found_packages,
            include_external_packages=bool(include_external_packages),
            exclude_type_checking_imports=bool(exclude_type_checking_imports),
            file_system=_rustgrimp.RealBasicFileSystem(),
        )
        while scanned:  # each module's objects freed as its rows are made
            module, imports = scanned.popitem()
            rows[intern(module.name)] = tuple(
                sorted(
                    (intern(i.imported.name), i.line_number, i.line_contents, i.is_lazy)
                    for i in imports
                )
            )
    return rows


SCAN_BATCHES = 4
SMALLEST_BATCH = 4096
"""At most `SCAN_BATCHES` calls of grimp's scanner, of at least `SMALLEST_BATCH` modules."""


__all__ = [
    "SUPPORTED_RANGE",
    "VERSION",
    "FoundPackage",
    "ImportGraph",
    "Layer",
    "ModuleNotPresent",
    "SourceSyntaxError",
    "check_version",
    "found_package",
    "scan_for_imports",
]
