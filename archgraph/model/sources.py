"""The analyzed files and their parsed facts, without the import graph.

What the class model, and so `archgraph families`, is made of: a command that reads only facts
gets this, never a graph that would answer "no imports" to every question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from archgraph.model.facts import FactsPort, FileFacts
from archgraph.model.files import file_texts
from archgraph.model.testcode import DEFAULT_RULE, TestCodeRule

if TYPE_CHECKING:
    from archgraph.model.classes import ClassModel


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
