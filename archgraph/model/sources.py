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
from archgraph.model.files import FileMap, file_texts, packages_of
from archgraph.model.resolve import imported_closure
from archgraph.model.testcode import DEFAULT_RULE, TestCodeRule

if TYPE_CHECKING:
    from archgraph.model.classes import ClassModel


# Test code left out is read with the rest while it is less than 1/FEW_TESTS of the modules.
FEW_TESTS = 8


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

    @cached_property
    def production_class_model(self) -> ClassModel:
        """The classes of production code (`ClassModelBuild.production`), without reading the
        test code it does not import.

        Read: every module that is not test code, and the test modules these import (and those
        that these import...), so that a base class taken from a test helper resolves as in the
        whole model (`django.contrib.staticfiles.testing` subclasses `django.test`'s
        `LiveServerTestCase`). The other test files are not parsed: where the tests live inside
        the package, they are most of the work (pandas: 1,116 of 1,415 files).
        """
        from archgraph.model.classes import update_class_model  # noqa: PLC0415 - same package

        tests = self.test_modules
        if not tests:
            return self.class_model
        facts: Mapping[str, FileFacts]
        if len(tests) * FEW_TESTS < len(self.files):
            # Few test modules are read with the rest, in its parallel pass: a pass of their own,
            # after it, would run alone (Django: 11 of 909 modules, 40 ms of a 0.8 s run).
            # `production` reports the same either way.
            facts, files = self.facts(), self.files
        else:
            facts = dict(self.facts([m for m in self.sorted_modules if m not in tests]))
            reached = imported_closure(facts, self.facts, packages_of(self.files), tests)
            facts.update(self.facts(sorted(reached)))  # parsed by the closure already
            unread = tests.difference(reached)
            files = (
                self.files.without(unread)  # a path object a module only when asked for
                if isinstance(self.files, FileMap)
                else {m: f for m, f in self.files.items() if m not in unread}
            )
        return update_class_model(None, facts, files).production(tests)
