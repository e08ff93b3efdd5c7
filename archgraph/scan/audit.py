"""Imports grimp leaves out without a word: of modules that do not exist, climbing one level above
the top-level package, and dynamic ones (`importlib.import_module("pkg.x")`).

Every file's bytes are searched first (cheap); only files that may hold such an import are
parsed, with the same tree-sitter facts as everywhere else, which give the exact lines.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archgraph.diagnostics import Diagnostic, Location, Severity
from archgraph.model.names import is_within
from archgraph.scan.facts import _get_parser, _text, extract_facts
from archgraph.scan.finder import ModuleSource, relative

_CLIMBING = re.compile(rb"\bfrom[\s\\]*\.[\s\\]*\.")
_DYNAMIC = re.compile(rb"\b(?:import_module|__import__)\s*\(")
# Candidate import targets, read from line starts; tree-sitter confirms (strings, docstrings...).
_IMPORT_LINE = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import\b|import[ \t]+([\w. \t,]+))", re.MULTILINE
)
_EXTENSION_SUFFIXES = (".so", ".pyd")


@dataclass(frozen=True, slots=True)
class DynamicImport:
    """`importlib.import_module("pkg.x")` (or `__import__`) with a literal, internal name."""

    importer: str
    imported: str
    line: int


@dataclass(frozen=True, slots=True)
class ImportAudit:
    diagnostics: tuple[Diagnostic, ...]
    dynamic_imports: tuple[DynamicImport, ...]


class _Auditor:
    def __init__(
        self,
        sources: Sequence[ModuleSource],
        modules: Collection[str],
        root_packages: Sequence[str],
        project_root: Path,
    ) -> None:
        self.modules = frozenset(modules)
        self.directories: dict[str, Path] = {}  # package -> its directory
        for source in sources:
            if source.path.name == "__init__.py":
                self.directories[source.module] = source.path.parent
            else:
                self.directories.setdefault(source.module.rpartition(".")[0], source.path.parent)
        self.roots = tuple(root_packages)
        self.project_root = project_root
        self.diagnostics: list[Diagnostic] = []
        self.dynamic: list[DynamicImport] = []

    def internal(self, name: str) -> bool:
        return any(is_within(name, root) for root in self.roots)

    def exists(self, name: str) -> bool:
        """In the graph, or on disk though left out of it (excluded, a skipped namespace
        directory, an unreadable file), or inside an extension module (`x.cpython-311-...so`,
        which may register submodules of its own): Python imports those."""
        if name in self.modules:
            return True
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            directory = self.directories.get(".".join(parts[:cut]))
            if directory is None:
                continue
            rest = parts[cut:]
            for index, part in enumerate(rest):
                if _is_extension_module(directory, part):
                    return True
                if (directory / part).is_dir():
                    directory = directory / part
                    continue
                return index == len(rest) - 1 and (directory / f"{part}.py").exists()
            return True
        return False

    def note(
        self,
        code: str,
        severity: Severity,
        message: str,
        source: ModuleSource,
        line: int,
        hint: str | None,
    ) -> None:
        self.diagnostics.append(
            Diagnostic(
                code,
                severity,
                message,
                Location(relative(source.path, self.project_root), line),
                hint=hint,
            )
        )

    def audit(self, source: ModuleSource) -> None:
        try:
            data = source.path.read_bytes()
        except OSError:
            return
        climbing = _CLIMBING.search(data) is not None
        dynamic = _DYNAMIC.search(data) is not None
        if not (climbing or dynamic or self.may_import_a_missing_module(data, source)):
            return
        facts = extract_facts(source.module, data)
        is_package = source.path.name == "__init__.py"
        allowed = source.module.count(".") + (1 if is_package else 0)
        for fact in facts.imports:
            if fact.level > allowed:
                if fact.level == allowed + 1:  # two or more levels: grimp fails, AG202 already
                    self.note(
                        "AG202",
                        Severity.WARNING,
                        "relative import goes 1 level above the top-level package; import ignored",
                        source,
                        fact.line,
                        "make the import absolute, or fix the number of dots",
                    )
                continue
            target = self.resolve(source.module, is_package, fact.level, fact.module)
            if not self.internal(target) or fact.in_try:
                continue  # an import inside `try:` is optional on purpose
            names = [target] if fact.is_from else [fact.module]
            for name in names:
                if not self.exists(name):
                    self.note(
                        "AG211",
                        Severity.WARNING,
                        f"import of {name}: no such module; Python would raise ImportError",
                        source,
                        fact.line,
                        "fix the module name, or add the module",
                    )
        if dynamic:
            for line, name in dynamic_imports(data):
                if self.internal(name) and name in self.modules:
                    self.dynamic.append(DynamicImport(source.module, name, line))
                    self.note(
                        "AG210",
                        Severity.INFO,
                        f"dynamic import of {name} (importlib); not an import of the graph"
                        " unless include_dynamic_imports = true",
                        source,
                        line,
                        None,
                    )

    def may_import_a_missing_module(self, data: bytes, source: ModuleSource) -> bool:
        is_package = source.path.name == "__init__.py"
        for match in _IMPORT_LINE.finditer(data):
            from_target, import_targets = match.groups()
            if from_target is not None:
                text = from_target.decode("ascii", "replace")
                level = len(text) - len(text.lstrip("."))
                names = [self.resolve(source.module, is_package, level, text.lstrip("."))]
            else:
                names = [
                    part.split()[0]
                    for part in import_targets.decode("ascii", "replace").split(",")
                    if part.split()
                ]
            if any(self.internal(n) and n not in self.modules for n in names):
                return True
        return False

    @staticmethod
    def resolve(importer: str, is_package: bool, level: int, module: str) -> str:
        if not level:
            return module
        parts = importer.split(".")
        base = parts if is_package else parts[:-1]
        base = base[: max(0, len(base) - (level - 1))]
        return ".".join([*base, *([module] if module else [])])


def _is_extension_module(directory: Path, name: str) -> bool:
    return any(path.name.endswith(_EXTENSION_SUFFIXES) for path in directory.glob(f"{name}.*"))


def dynamic_imports(source: bytes) -> list[tuple[int, str]]:
    """(line, name) of `import_module("x")`, `importlib.import_module("x")`, `__import__("x")`
    calls whose first argument is a plain string literal."""
    found = []
    stack = [_get_parser().parse(source).root_node]
    while stack:  # a loop, not recursion: generated code nests deeply
        node = stack.pop()
        stack.extend(node.named_children)
        if node.type != "call":
            continue
        function = _text(node.child_by_field_name("function"))
        if function.rpartition(".")[2] not in ("import_module", "__import__"):
            continue
        arguments = node.child_by_field_name("arguments")
        first: Any = arguments.named_children[0] if arguments is not None and arguments.named_children else None
        if first is None or first.type != "string":
            continue
        parts = [c for c in first.named_children if c.type == "string_content"]
        if len(parts) != 1 or any(c.type == "interpolation" for c in first.named_children):
            continue
        found.append((first.start_point[0] + 1, _text(parts[0])))
    return sorted(set(found))


def audit_imports(
    sources: Sequence[ModuleSource],
    modules: Collection[str],
    root_packages: Sequence[str],
    project_root: Path,
) -> ImportAudit:
    """Report imports of missing modules (AG211), one-level climbing relative imports (AG202)
    and dynamic imports (AG210) in the files that were analyzed."""
    auditor = _Auditor(sources, modules, root_packages, project_root)
    for source in sources:
        auditor.audit(source)
    dynamic = sorted(set(auditor.dynamic), key=lambda d: (d.importer, d.line, d.imported))
    return ImportAudit(tuple(auditor.diagnostics), tuple(dynamic))
