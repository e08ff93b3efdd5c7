"""Each module's file, as the walk reports it (relative to the analysed root when inside it), kept
as text, and what its name alone tells: whether the module is a package."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path, PurePath


class FileMap(Mapping[str, Path]):
    """Each module's file (relative to the root when inside it, as reported), kept as text and
    made a path object when asked for: one path object a module, with the list of its parts,
    was 130,000 of the 345,000 objects the garbage collector went through again and again in a
    check of 65,000 modules, and a third of the walk; a check asks for a few."""

    __slots__ = ("_paths", "_texts")

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._paths: dict[str, Path] = {}

    def __getitem__(self, module: str) -> Path:
        path = self._paths.get(module)
        if path is None:
            path = self._paths[module] = Path(self._texts[module])
        return path

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __contains__(self, module: object) -> bool:
        return module in self._texts

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FileMap):
            return self._texts == other._texts
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # a mapping, as a dict is

    def text(self, module: str) -> str | None:
        """The module's file as text, or None; no path object is made."""
        return self._texts.get(module)

    def without(self, modules: Collection[str]) -> FileMap:
        """The files of the other modules."""
        return FileMap({m: t for m, t in self._texts.items() if m not in modules})


def file_texts(
    files: Mapping[str, PurePath], modules: Iterable[str] | None = None
) -> Iterable[tuple[str, PurePath | str | None]]:
    """(module, file) pairs of `modules` (by default every module of `files`), each file as
    text where the files are kept so (a FileMap makes no path object for them)."""
    names = files if modules is None else modules
    if isinstance(files, FileMap):
        return ((module, files.text(module)) for module in names)
    return ((module, files.get(module)) for module in names)


def packages_of(files: Mapping[str, PurePath]) -> frozenset[str]:
    """Modules that are packages: their file is an `__init__.py`."""
    return frozenset(
        module
        for module, file in file_texts(files)
        if file is not None and os.path.basename(file) == "__init__.py"
    )
