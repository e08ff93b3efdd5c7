"""Files grimp's scanner must not read as they are: their text as Python reads it (a coding
declaration grimp does not know, names Python normalises, a package beside a module of its
name), scanned from copies; and the files that bind TYPE_CHECKING themselves, whose guarded
imports are kept."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from archgraph.scan import grimp_api
from archgraph.scan.file_scan import read_whole
from archgraph.scan.finder import FoundTree, ModuleSource
from archgraph.scan.grimp_api import SourceSyntaxError
from archgraph.scan.import_cache import ImportRow
from archgraph.scan.python_source import SourceTexts

_SETS_TYPE_CHECKING = re.compile(
    rb"^[ \t]*TYPE_CHECKING[ \t]*(?::[^=\n]*)?=(?!=)|\bas[ \t]+TYPE_CHECKING\b", re.MULTILINE
)


def setting_type_checking(sources: Sequence[ModuleSource]) -> dict[str, int]:
    """The files that bind TYPE_CHECKING themselves, and the line where they first do."""
    found = {}
    for source in sources:
        try:
            data = read_whole(source.path, source.stamp[0])
        except OSError:
            continue
        if b"TYPE_CHECKING" not in data:
            continue
        match = _SETS_TYPE_CHECKING.search(data)
        if match is not None:
            found[source.path] = data.count(b"\n", 0, match.start()) + 1
    return found


def python_text(source: ModuleSource, texts: SourceTexts) -> bytes | None:
    """The file's source as Python reads it, when grimp's scanner would read its imports
    otherwise (an encoding it does not know, names Python normalises in its import lines, see
    python_source; a package beside a module file of its name); else None."""
    try:
        data = read_whole(source.path, source.stamp[0])
    except OSError:
        return None  # the scanner says why
    return python_text_of(source, data, texts)


def python_text_of(source: ModuleSource, data: bytes, texts: SourceTexts) -> bytes | None:
    """`python_text` of the file's bytes `data`, already read."""
    prepared = texts.import_source(source.path, source.stamp, data)
    if prepared is None and source.is_package:
        package = Path(source.path).parent
        if package.with_name(f"{package.name}.py").is_file():
            return data  # the scanner would read the module file the package shadows
    return prepared


def scan_texts(
    trees: Sequence[FoundTree],
    skipped: frozenset[str],
    texts: Mapping[str, bytes],
    include_external_packages: bool,
    exclude_type_checking_imports: bool,
) -> dict[str, tuple[ImportRow, ...]]:
    """The imports of the files of `texts`, scanned from those texts (see `TextScanner`), in a
    temporary folder of their own."""
    import tempfile  # noqa: PLC0415 - rare: files grimp's scanner would read otherwise

    with tempfile.TemporaryDirectory(prefix="archgraph-") as folder:
        scanner = TextScanner(trees, skipped, Path(folder))
        return scanner.scan(texts, include_external_packages, exclude_type_checking_imports)


class TextScanner:
    """Scans texts as the files of `trees` they stand for: each written to `folder` at its
    file's place under its package's directory, which grimp's scanner is told the packages
    are in (it resolves names against the module lists, not the disk). The packages, every
    module's name, are made once: a scanner serves one walk, text after text."""

    def __init__(self, trees: Sequence[FoundTree], skipped: frozenset[str], folder: Path) -> None:
        self.trees, self.folder = trees, folder
        self.packages = {
            grimp_api.found_package(
                tree.package,
                str(folder / str(index)),
                [s.module for s in tree.sources if s.path not in skipped],
                tree.namespace_modules,
            )
            for index, tree in enumerate(trees)
        }

    def scan(
        self,
        texts: Mapping[str, bytes],
        include_external_packages: bool,
        exclude_type_checking_imports: bool,
    ) -> dict[str, tuple[ImportRow, ...]]:
        """The imports of the files of `texts`, scanned from those texts."""
        modules: list[tuple[str, float]] = []
        real: dict[str, str] = {}
        for index, tree in enumerate(self.trees):
            directory = self.folder / str(index)
            for source in tree.sources:
                if source.path in texts:
                    copy = directory / Path(source.path).relative_to(tree.directory)
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    copy.write_bytes(texts[source.path])
                    real[str(copy)] = source.path
                    modules.append((source.module, source.mtime))
        try:
            return grimp_api.scan_for_imports(
                module_files=modules,
                found_packages=self.packages,
                include_external_packages=include_external_packages,
                exclude_type_checking_imports=exclude_type_checking_imports,
            )
        except SourceSyntaxError as error:  # named after the file, not its copy
            raise SourceSyntaxError(
                str(real.get(error.filename, error.filename)), error.lineno, error.text
            ) from None
