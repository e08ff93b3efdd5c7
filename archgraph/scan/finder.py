"""Find the module files of the root packages, reporting every path that is left out.

Unlike grimp's own finder, directories without `__init__.py` inside a package (PEP 420
namespace portions) are modules too, and nothing is skipped silently.
"""

from __future__ import annotations

import errno
import keyword
import operator
import os
import stat
import unicodedata
from collections.abc import Collection, Sequence
from pathlib import Path
from sys import intern
from typing import NamedTuple

from archgraph import codes
from archgraph.diagnostics import Diagnostic, Location, Severity
from archgraph.links import leads_within
from archgraph.model.files import FileMap
from archgraph.model.names import ModuleExpr, ancestors
from archgraph.scan.cache_file import Stamp, stamp_of

_NAME = operator.attrgetter("name")
# Installed third-party code, not modules of the package (`site-packages` cannot be named by an
# import statement either). `__pycache__` and `node_modules` are walked like any directory: both
# are identifiers Python imports, and a pull request can put modules there.
_INSTALLED_DIRS = frozenset({"site-packages"})


# The walk recurses once a level: deeper than this is a tree built to exhaust it (a RecursionError
# ended the run at about 1,000 levels), reported rather than walked.
MAX_NESTING = 200

class ModuleSource(NamedTuple):
    """One module's file. Its paths are text, not path objects: those (each with a list of its
    parts) were 260,000 of the 475,000 objects the garbage collector went through, again and
    again, in a check of 65,000 modules, and a third of the walk (see model.files.FileMap)."""

    module: str
    path: str  # absolute
    mtime: float
    stamp: Stamp = (0, 0, 0, 0)  # what the caches check a file against (see cache_file.Stamp)
    file: str = ""  # relative to the project root when inside it (else absolute), as reported

    @property
    def is_package(self) -> bool:
        """Whether the file is a package's `__init__.py`."""
        return os.path.basename(self.path) == "__init__.py"


class FoundTree(NamedTuple):
    """The modules of one root package found in one directory."""

    package: str
    directory: Path
    sources: tuple[ModuleSource, ...]
    namespace_modules: frozenset[str]
    # The `__init__.py` of each package beside a module file of its name (`x/` and `x.py`):
    # Python imports the package, grimp's scanner would read the file.
    shadowing: frozenset[str] = frozenset()


class FindResult(NamedTuple):
    trees: tuple[FoundTree, ...]
    diagnostics: tuple[Diagnostic, ...]
    excluded: int = 0
    # Some module file is a symlink or lies in a symlinked directory: its content can change
    # when another file is written, so no edit accounts for everything that changed.
    through_links: bool = False


def is_module_name(name: str) -> bool:
    """A name `import a.b` can spell: an identifier in the form Python reads it (NFKC: the
    statement `import pkg.Ａpi` looks for `Api`, so a file `Ａpi.py` only importlib can load)."""
    return (
        name.isidentifier()
        and not keyword.iskeyword(name)
        and (name.isascii() or unicodedata.is_normalized("NFKC", name))
    )


def is_loadable_name(name: str) -> bool:
    """A name importlib can load (`0001_initial`, `is`, `my-module`): no dots, not empty.

    Real code loads such modules (Django migrations, locale packages), so they are modules.
    """
    return bool(name) and "." not in name and not name.startswith(".")


def relative(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path


def locate_package(name: str, source_roots: Sequence[Path]) -> list[Path]:
    """Directories that hold root package `name` (several for a namespace package)."""
    found = []
    for source_root in source_roots:
        candidate = source_root.joinpath(*name.split("."))
        if candidate.is_dir():
            found.append(candidate)
    regular = [d for d in found if (d / "__init__.py").is_file()]
    return regular[:1] if regular else found


def locate_single_module(name: str, source_roots: Sequence[Path]) -> Path | None:
    for source_root in source_roots:
        candidate = source_root.joinpath(*name.split(".")).with_suffix(".py")
        if candidate.is_file():
            return candidate
    return None


def discover_root_packages(source_roots: Sequence[Path]) -> list[str]:
    """Top-level regular packages in the source roots, for when none are configured."""
    names: set[str] = set()
    for source_root in source_roots:
        if not source_root.is_dir():
            continue
        for entry in source_root.iterdir():
            if (
                entry.is_dir()
                and is_module_name(entry.name)
                and (entry / "__init__.py").is_file()
                and entry.name not in {"tests", "test", "docs", "examples", "benchmarks"}
            ):
                names.add(entry.name)
    return sorted(names)


class _Walk:
    """State of one package walk; collects sources and diagnostics."""

    def __init__(
        self,
        package: str,
        directory: Path,
        project_root: Path,
        include_namespace_dirs: bool,
        exclude: Sequence[ModuleExpr],
        roots: Sequence[str],  # the analysed roots, resolved: where a link may lead
    ) -> None:
        self.package = package
        self.directory = directory
        self.project_root = project_root
        self.include_namespace_dirs = include_namespace_dirs
        self.exclude = exclude
        self.roots = roots
        self.sources: list[ModuleSource] = []
        self.namespace_candidates: set[str] = set()
        self.diagnostics: list[Diagnostic] = []
        self.excluded = 0
        self.through_links = self.directory.is_symlink()
        self.top = str(self.directory)
        self.walk_roots = [os.path.realpath(self.top)]
        self.seen_links: set[str] = set()
        self.unusual_dirs: dict[str, Path] = {}  # module -> directory, noted if it holds modules
        self.shadowing_inits: set[str] = set()  # see FoundTree.shadowing
        self.root_prefix = os.path.join(self.project_root, "")

    def shown_folder(self, directory: str) -> str:
        """A folder's path as reported: relative to the project root when inside it ("." for
        the root itself), as text; cutting the root's text off costs a fifth of
        Path.relative_to, and the walk asks for every folder that holds a module."""
        if directory.startswith(self.root_prefix):
            return os.path.normpath(directory[len(self.root_prefix) :])
        return str(relative(Path(directory), self.project_root))

    def warn(
        self,
        code: str,
        message: str,
        path: Path,
        hint: str | None = None,
        severity: Severity = Severity.WARNING,
    ) -> None:
        self.diagnostics.append(
            Diagnostic(code, severity, message, Location(relative(path, self.project_root)), hint=hint)
        )

    def note_unusual_name(self, path: Path, kind: str) -> None:
        self.warn(
            codes.UNUSUAL_MODULE_NAME.code,
            f"{kind} name '{path.name}' is not a Python identifier; analyzed as a module that"
            " only importlib can load",
            path,
            severity=Severity.INFO,
        )

    def is_excluded(self, module: str) -> bool:
        return bool(self.exclude) and any(expr.covers(module) for expr in self.exclude)

    def run(self) -> FoundTree:
        self.visit(self.top, intern(self.package))
        # A directory without __init__.py is a namespace package only if it holds modules.
        # The packages above every module: those of each distinct parent (a few thousand
        # folders, not every module's ancestors one by one).
        parents = {s.module.rpartition(".")[0] for s in self.sources} - {""}
        holding_modules = parents.union(*(ancestors(p) for p in parents))
        namespace = frozenset(self.namespace_candidates & holding_modules)
        for module in sorted(holding_modules & set(self.unusual_dirs)):
            self.note_unusual_name(self.unusual_dirs[module], "directory")
        return FoundTree(
            self.package, self.directory, tuple(self.sources), namespace, frozenset(self.shadowing_inits)
        )

    def visit(self, directory: str, module: str) -> None:
        """Walk one directory (str paths: this loop runs for every file of the project)."""
        try:
            entries = _entries_that_may_matter(directory)
        except OSError as error:
            self.warn(
                codes.UNREADABLE_PATH.code,
                f"directory cannot be read: {error.strerror}",
                Path(directory),
            )
            return
        if not entries:
            # Data only (Django's 1,500 `locale/xx/LC_MESSAGES` folders): nothing to walk or
            # report, and no module in it makes it a namespace package.
            return
        # Every name the checks below look for (`__init__.py`, `x.py` beside `x/` or `x.pyc`)
        # is one of a Python file, so the entries kept hold them all.
        names = {e.name for e in entries}
        entries.sort(key=_NAME)
        # Each file's path as reported is made from its directory's, once a directory that
        # holds a file: parsing every file's whole path took half of the walk (and Django has a
        # thousand `locale/xx` folders that hold only a folder).
        shown_folder: str | None = None
        is_namespace = "__init__.py" not in names or not any(
            e.name == "__init__.py" and _is_file(e) for e in entries
        )
        if is_namespace and directory == self.top:
            # A namespace root package (PEP 420): a module of the graph like any other.
            self.namespace_candidates.add(module)
        elif is_namespace:
            if not self.include_namespace_dirs:
                count = _count_python_files(directory)
                if count:
                    self.warn(
                        codes.NAMESPACE_DIRECTORY_SKIPPED.code,
                        f"namespace directory skipped ({count} Python files not analyzed)",
                        Path(directory),
                        hint="set include_namespace_dirs = true to analyze it",
                    )
                return
            self.namespace_candidates.add(module)

        shadowed = self.shadowing(entries, names)
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name in shadowed:
                continue
            if not name.isascii() and not _utf8(name):
                self.warn(
                    codes.NOT_A_MODULE_NAME.code,
                    "name is not valid UTF-8; not analyzed",
                    Path(os.fsencode(entry.path).decode("utf-8", "backslashreplace")),
                    hint="rename it to a valid identifier to have it analyzed",
                )
                continue
            if entry.is_symlink() and not self.stays_within_roots(entry):
                continue
            if _is_dir(entry):
                if name in _INSTALLED_DIRS:
                    count = _count_python_files(entry.path)
                    if count:
                        self.warn(
                            codes.INSTALLED_PACKAGES_SKIPPED.code,
                            f"'{name}' holds installed packages; {count} Python files not analyzed",
                            Path(entry.path),
                            severity=Severity.INFO,
                        )
                    continue
                if not is_loadable_name(name):
                    count = _count_python_files(entry.path)
                    if count:
                        self.warn(
                            codes.NOT_A_MODULE_NAME.code,
                            f"directory name '{name}' cannot be a module name; {count}"
                            " Python files not analyzed",
                            Path(entry.path),
                            hint="rename it to a valid identifier to have it analyzed",
                        )
                    continue
                child = intern(f"{module}.{name}")  # one string for the module, used everywhere
                if child.count(".") >= MAX_NESTING:
                    self.warn(
                        codes.NESTED_TOO_DEEP.code,
                        f"directories nested more than {MAX_NESTING} levels deep; not analyzed"
                        " below this one",
                        Path(entry.path),
                    )
                    continue
                if self.is_excluded(child):
                    self.excluded += 1
                    continue
                if entry.is_symlink():
                    if self.is_loop(entry.path):
                        continue
                    self.through_links = True
                if not is_module_name(name):
                    self.unusual_dirs[child] = Path(entry.path)
                self.visit(entry.path, child)
            elif name.endswith(".py") and _is_file(entry):
                self.through_links = self.through_links or entry.is_symlink()
                if shown_folder is None:
                    shown_folder = self.shown_folder(directory)
                self.add_file(entry, module, shown_folder)
            elif name.endswith(".py") or (entry.is_symlink() and is_loadable_name(name)):
                self.note_unusable(entry)
            elif name.endswith(".pyc") and name[:-1] not in names and is_loadable_name(name[:-4]):
                self.warn(
                    codes.SOURCELESS_MODULE.code,
                    f"compiled module '{name}' has no '{name[:-1]}' beside it: Python imports it,"
                    " but it has no source to analyze",
                    Path(entry.path),
                    hint="commit its source, or remove the compiled file",
                )
            elif name.endswith(".pyi") and name[:-1] not in names:
                self.warn(
                    codes.STUB_WITHOUT_MODULE.code,
                    f"stub '{name}' has no '{name[:-1]}' beside it; Python cannot import a stub,"
                    " so it is not analyzed",
                    Path(entry.path),
                    severity=Severity.INFO,
                )

    def shadowing(self, entries: Sequence[os.DirEntry[str]], names: Collection[str]) -> set[str]:
        """Names of a directory that Python never imports because another entry has their
        module name: `x.py` beside a package `x/` (the package wins), or a directory `x/`
        without `__init__.py` beside `x.py` (a namespace portion comes last); each reported."""
        shadowed = set()
        for entry in entries:
            file = f"{entry.name}.py"
            if file not in names or not _is_dir(entry):
                continue
            if not os.path.isfile(os.path.join(os.path.dirname(entry.path), file)):
                continue
            if os.path.isfile(os.path.join(entry.path, "__init__.py")):
                shadowed.add(file)
                self.shadowing_inits.add(os.path.join(entry.path, "__init__.py"))
                self.warn(
                    codes.SHADOWED_MODULE.code,
                    f"'{file}' is shadowed by the package '{entry.name}/' beside it (Python"
                    " imports the package); not analyzed",
                    Path(os.path.dirname(entry.path), file),
                    hint="remove or rename the file",
                )
            else:
                shadowed.add(entry.name)
                count = _count_python_files(entry.path)
                if count:
                    self.warn(
                        codes.SHADOWED_MODULE.code,
                        f"directory '{entry.name}/' has no __init__.py and is shadowed by"
                        f" '{file}' beside it (Python imports the file); {count} Python files"
                        " not analyzed",
                        Path(entry.path),
                        hint="add an __init__.py to make it the package, or rename one of them",
                    )
        return shadowed

    def note_unusable(self, entry: os.DirEntry[str]) -> None:
        """A `.py` name that is not a regular file, or a broken link where a package could be."""
        path = Path(entry.path)
        try:
            mode = os.stat(entry.path).st_mode
        except FileNotFoundError:
            self.warn(
                codes.UNREADABLE_PATH.code,
                "broken symbolic link: its target does not exist",
                path,
                hint="restore the target or remove the link",
            )
            return
        except OSError as error:
            if error.errno == errno.ELOOP:
                self.warn(
                    codes.SYMLINK_LOOP.code,
                    "symbolic link loop: the link leads back to itself",
                    path,
                )
            else:
                self.warn(
                    codes.UNREADABLE_PATH.code, f"file cannot be read: {error.strerror}", path
                )
            return
        if stat.S_ISDIR(mode):
            return  # a directory named like a file (`x.py/`): reported as a directory name
        if not stat.S_ISREG(mode):
            self.warn(
                codes.UNREADABLE_PATH.code,
                f"not a regular file ({_file_kind(mode)}); not analyzed",
                path,
            )

    def stays_within_roots(self, entry: os.DirEntry[str]) -> bool:
        """A link is followed only within the analysed roots (the tree may be hostile: a link
        to `~/.git-credentials` or `/` is never read); one the walk would have followed is noted."""
        target = os.path.realpath(entry.path)
        if leads_within(target, self.roots):
            return True
        if entry.name.endswith(".py") or os.path.isdir(target):
            self.warn(
                codes.LINK_LEAVES_ROOTS.code,
                "symbolic link leads outside the source roots (or into a hidden folder);"
                " not followed, nothing read through it",
                Path(entry.path),
                hint="replace the link by what it points at, or add its folder to source_roots",
            )
        return False

    def is_loop(self, path: str) -> bool:
        """A symlinked directory that leads back into what is being walked."""
        target = os.path.realpath(path)
        if target in self.seen_links or any(
            target == a or target.startswith(a + os.sep) for a in self.walk_roots
        ):
            self.warn(
                codes.SYMLINK_LOOP.code, "symbolic link loop: directory already visited", Path(path)
            )
            return True
        self.seen_links.add(target)
        return False

    def add_file(self, entry: os.DirEntry[str], package_module: str, shown_folder: str) -> None:
        """`shown_folder`: the entry's folder as reported (see `shown`), as text."""
        stem = entry.name[:-3]
        if not is_loadable_name(stem):
            self.warn(
                codes.NOT_A_MODULE_NAME.code,
                f"file name '{entry.name}' cannot be a module name (extra dots); not analyzed",
                Path(entry.path),
                hint="rename it to a valid identifier to have it analyzed",
            )
            return
        if not is_module_name(stem):
            self.note_unusual_name(Path(entry.path), "file")
        module = package_module if stem == "__init__" else intern(f"{package_module}.{stem}")
        if self.exclude and self.is_excluded(module):
            self.excluded += 1
            return
        try:
            stat = entry.stat()
        except OSError as error:
            self.warn(
                codes.UNREADABLE_PATH.code, f"file cannot be read: {error.strerror}", Path(entry.path)
            )
            return
        if not os.access(entry.path, os.R_OK):
            self.warn(
                codes.UNREADABLE_PATH.code, "file cannot be read: permission denied", Path(entry.path)
            )
            return
        self.sources.append(
            ModuleSource(
                module,
                entry.path,
                stat.st_mtime,
                stamp_of(stat),
                entry.name if shown_folder == "." else f"{shown_folder}{os.sep}{entry.name}",
            )
        )


_PYTHON_SUFFIXES = (".py", ".pyc", ".pyi")


def _entries_that_may_matter(directory: str) -> list[os.DirEntry[str]]:
    """The entries of a directory the walk may do anything with (see `_may_matter`); only
    these are walked, read or reported, the rest is data (Home Assistant: 36,000 entries,
    three in four of them translations, manifests and the like)."""
    with os.scandir(directory) as listing:
        return [entry for entry in listing if _may_matter(entry)]


def _may_matter(entry: os.DirEntry[str]) -> bool:
    """Whether the walk may do anything with the entry: a folder or a link (walked or
    reported), a Python file, a compiled module or a stub, or a name that is not UTF-8."""
    name = entry.name
    return (
        name.endswith(_PYTHON_SUFFIXES)
        or (not name.isascii() and not _utf8(name))
        or _is_dir(entry)
        or entry.is_symlink()
    )


def _utf8(name: str) -> bool:
    """A name the file system gave as valid UTF-8 (else it holds surrogate escapes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _count_python_files(directory: str | Path) -> int:
    count = 0
    try:
        for _dirpath, _dirs, files in os.walk(directory):
            count += sum(1 for name in files if name.endswith(".py"))
    except RecursionError:  # os.walk recurses once a level: a tree built to exhaust it
        pass
    return count


def find_modules(
    project_root: Path,
    root_packages: Sequence[str],
    source_roots: Sequence[Path],
    *,
    include_namespace_dirs: bool = True,
    exclude: Sequence[ModuleExpr] = (),
) -> FindResult:
    """Walk each root package's directories and list its module files; links are followed
    only within the source roots."""
    trees: list[FoundTree] = []
    diagnostics: list[Diagnostic] = []
    excluded = 0
    through_links = False
    allowed = [os.path.realpath(r) for r in source_roots]
    for package in root_packages:
        for directory in locate_package(package, source_roots):
            if not leads_within(os.path.realpath(directory), allowed):
                diagnostics.append(_package_out_of_roots(directory, project_root))
                continue
            walk = _Walk(package, directory, project_root, include_namespace_dirs, exclude, allowed)
            trees.append(walk.run())
            diagnostics.extend(walk.diagnostics)
            excluded += walk.excluded
            through_links = through_links or walk.through_links
    return FindResult(tuple(trees), tuple(diagnostics), excluded, through_links)


def _package_out_of_roots(directory: Path, project_root: Path) -> Diagnostic:
    return Diagnostic(
        codes.LINK_LEAVES_ROOTS.code,
        Severity.WARNING,
        "the package's folder is a symbolic link (or lies behind one) that leads outside the"
        " source roots (or into a hidden folder); not analyzed, nothing read through it",
        Location(relative(directory, project_root)),
        hint="replace the link by what it points at, or add its folder to source_roots",
    )


def module_files(trees: Sequence[FoundTree]) -> FileMap:
    """Each module's file, as the walk reports it (relative to the project root when inside)."""
    return FileMap({s.module: s.file for tree in trees for s in tree.sources})
