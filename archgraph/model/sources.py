"""The analyzed files and their parsed facts, without the import graph.

What the class model, and so `archgraph families`, is made of: a command that reads only facts
gets this, never a graph that would answer "no imports" to every question.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from archgraph.model.facts import FactsPort, FileFacts
from archgraph.model.testcode import DEFAULT_RULE, TestCodeRule

if TYPE_CHECKING:
    from archgraph.model.classes import ClassModel


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


def file_texts(files: Mapping[str, Path]) -> Iterable[tuple[str, Path | str | None]]:
    """(module, file) pairs for telling test code, as text where the files are kept so."""
    if isinstance(files, FileMap):
        return ((module, files.text(module)) for module in files)
    return files.items()


@dataclass(frozen=True)
class SourceSet:
    """The modules' files under `root` and the parser of their facts."""

    root: Path
    root_packages: tuple[str, ...]
    files: Mapping[str, Path]  # module -> file, relative to root
    namespace_modules: frozenset[str] = frozenset()
    facts_provider: FactsPort | None = None  # parses files on demand (symbols, classes)
    test_code: TestCodeRule = DEFAULT_RULE  # which modules are tests (see model/testcode.py)

    def facts(
        self,
        modules: Iterable[str] | None = None,
        mentions: Iterable[bytes] = (),
        chains: bool = False,
    ) -> Mapping[str, FileFacts]:
        """Parsed facts of the modules' files (all of them by default).

        With `mentions`, files whose bytes contain none of them are not parsed (and omitted).
        `chains`: with `attribute_chains` (symbol contracts); without, they may be None.
        """
        if self.facts_provider is None:
            return {}
        chosen = self.sorted_modules if modules is None else modules
        return self.facts_provider.facts(chosen, mentions, chains)

    @cached_property
    def sorted_modules(self) -> tuple[str, ...]:
        return tuple(sorted(self.files))

    @cached_property
    def test_modules(self) -> frozenset[str]:
        """The modules that are test code (tests/ folders, test_*.py, conftest.py...)."""
        return self.test_code.test_modules(file_texts(self.files))

    def is_test(self, module: str) -> bool:
        return module in self.test_modules

    @cached_property
    def class_model(self) -> ClassModel:
        """Every class of the files, built once."""
        from archgraph.model.classes import class_model_from_facts  # noqa: PLC0415 - same package

        return class_model_from_facts(self.facts(), self.files)
