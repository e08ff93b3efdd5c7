"""The class model: real package trees, the real scanner, bases resolved through imports."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from helpers import write_tree

from archgraph.diagnostics import Diagnostic, Location, Severity
from archgraph.model.classes import (
    ClassModel,
    class_model_from_facts,
    update_class_model,
)
from archgraph.scan.extract import extract_facts
from archgraph.usecases.project import RunOptions
from archgraph.usecases.scanning import read_sources


def classes_of(root: Path, files: dict[str, str], package: str = "pkg") -> ClassModel:
    write_tree(root, files)
    options = RunOptions(packages=(package,), use_cache=False)
    _project, _options, outcome, _notes = read_sources(root, options)
    return outcome.sources.class_model


def bases(model: ClassModel, qualname: str) -> tuple[str, ...]:
    info = model.get(qualname)
    assert info is not None, f"{qualname} not in {model.qualnames}"
    return info.bases


def test_bases_resolve_through_aliases_relative_imports_and_module_imports(tmp_path: Path) -> None:
    model = classes_of(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/core/__init__.py": "",
            "pkg/core/base.py": "class Base:\n    pass\n",
            "pkg/a.py": "from pkg.core.base import Base as Root\n\nclass A(Root): ...\n",
            "pkg/core/b.py": "from .base import Base\n\nclass B(Base): ...\n",
            "pkg/core/c.py": "from . import base\n\nclass C(base.Base): ...\n",
            "pkg/d.py": "import pkg.core.base as b\n\nclass D(b.Base): ...\n",
            "pkg/e.py": "import pkg.core.base\n\nclass E(pkg.core.base.Base): ...\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/f.py": "from ..core.base import Base\n\nclass F(Base): ...\n",
        },
    )
    for qualname in ("pkg.a.A", "pkg.core.b.B", "pkg.core.c.C", "pkg.d.D", "pkg.e.E", "pkg.sub.f.F"):
        assert bases(model, qualname) == ("pkg.core.base.Base",), qualname
    assert model.subclasses("pkg.core.base.Base") == (
        "pkg.a.A", "pkg.core.b.B", "pkg.core.c.C", "pkg.d.D", "pkg.e.E", "pkg.sub.f.F",
    )


def test_bases_follow_re_exports_star_imports_and_namespace_directories(tmp_path: Path) -> None:
    model = classes_of(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.tools.base import Base\n\n__all__ = ['Base']\n",
            # a namespace directory (no __init__.py) inside the package
            "pkg/tools/base.py": "class Base:\n    pass\n",
            "pkg/api/__init__.py": "from pkg.api.shapes import *\n",
            "pkg/api/shapes.py": "__all__ = ['Shape']\n\nclass Shape: ...\n\nclass Hidden: ...\n",
            "pkg/one.py": "from pkg import Base\n\nclass One(Base): ...\n",
            "pkg/two.py": "from pkg.api import Shape\n\nclass Two(Shape): ...\n",
            "pkg/three.py": "from pkg.api import Hidden\n\nclass Three(Hidden): ...\n",
        },
    )
    assert bases(model, "pkg.one.One") == ("pkg.tools.base.Base",)
    assert bases(model, "pkg.two.Two") == ("pkg.api.shapes.Shape",)
    # `Hidden` is not in `__all__`, so the star import does not bind it: kept as written.
    assert bases(model, "pkg.three.Three") == ("Hidden",)
    assert model.get("pkg.tools.base.Base") is not None


def test_external_bases_stay_as_written_and_nested_classes_are_qualified(tmp_path: Path) -> None:
    model = classes_of(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/m.py": """
                import enum
                from collections.abc import Mapping

                class Failure(Exception): ...

                class Color(enum.Enum):
                    RED = 1

                class Table(Mapping[str, int]): ...

                class Outer:
                    class Inner(Failure): ...
            """,
        },
    )
    assert bases(model, "pkg.m.Failure") == ("Exception",)
    assert bases(model, "pkg.m.Color") == ("enum.Enum",)
    assert bases(model, "pkg.m.Table") == ("collections.abc.Mapping",)
    inner = model.get("pkg.m.Outer.Inner")
    assert inner is not None and inner.nested and inner.bases == ("pkg.m.Failure",)
    assert model.external_bases("pkg.m.Outer.Inner") == frozenset({"Exception"})


def test_abstract_classes_are_recognised_four_ways(tmp_path: Path) -> None:
    model = classes_of(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/m.py": """
                import abc
                from abc import ABC, ABCMeta, abstractmethod
                from typing import Protocol

                class ByBase(ABC): ...

                class ByMeta(metaclass=ABCMeta): ...

                class ByProtocol(Protocol):
                    def run(self) -> None: ...

                class ByMethod:
                    @abc.abstractmethod
                    def run(self) -> None: ...

                class Concrete(ByBase):
                    def run(self) -> None: ...
            """,
        },
    )
    abstract = {c.name for c in model.classes if c.abstract}
    assert abstract == {"ByBase", "ByMeta", "ByProtocol", "ByMethod"}
    assert [c.name for c in model.classes if c.protocol] == ["ByProtocol"]


def test_attribute_types_and_forwarding_are_resolved(tmp_path: Path) -> None:
    model = classes_of(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/inner.py": "class Inner:\n    def run(self): ...\n",
            "pkg/outer.py": """
                from pkg.inner import Inner

                class Outer:
                    def __init__(self) -> None:
                        self._inner = Inner()

                    def run(self):
                        return self._inner.run()
            """,
        },
    )
    outer = model.get("pkg.outer.Outer")
    assert outer is not None
    assert outer.attribute_types == (("_inner", "pkg.inner.Inner"),)
    assert [(f.method, f.attribute, f.target) for f in outer.forwarded] == [("run", "_inner", "run")]


def test_ancestors_and_descendants_are_transitive_and_survive_cycles(tmp_path: Path) -> None:
    model = classes_of(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/m.py": "class A: ...\nclass B(A): ...\nclass C(B): ...\n",
            # A base that resolves back to the class itself (shadowed import) must not loop.
            "pkg/loop.py": "from pkg.loop2 import Y as X\nclass Y(X): ...\n",
            "pkg/loop2.py": "from pkg.loop import Y\n",
        },
    )
    assert model.ancestors("pkg.m.C") == frozenset({"pkg.m.A", "pkg.m.B"})
    assert model.descendants("pkg.m.A") == frozenset({"pkg.m.B", "pkg.m.C"})
    assert model.is_subclass("pkg.m.C", "pkg.m.A") and not model.is_subclass("pkg.m.A", "pkg.m.C")
    assert model.ancestors("pkg.loop.Y") == frozenset()


def test_a_broken_file_is_a_diagnostic_and_its_readable_classes_are_kept(tmp_path: Path) -> None:
    model = classes_of(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/broken.py": "class Before: ...\n<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> other\nclass After: ...\n",
        },
    )
    assert model.diagnostics == (
        Diagnostic(
            "AG216",
            Severity.WARNING,
            "syntax error; classes near it may be missing or incomplete",
            Location(Path("pkg/broken.py"), 2),
            hint="fix the file (merge-conflict markers?); the rest is analyzed meanwhile",
        ),
    )
    assert "pkg.broken.Before" in model.by_qualname


def test_a_file_without_facts_could_not_be_read_and_is_reported() -> None:
    facts = {"pkg": extract_facts("pkg", b"class Kept: ...\n")}
    files = {"pkg": Path("pkg/__init__.py"), "pkg.gone": Path("pkg/gone.py")}
    model = class_model_from_facts(facts, files)
    assert [c.qualname for c in model.classes] == ["pkg.Kept"]
    assert model.diagnostics == (
        Diagnostic(
            "AG215",
            Severity.WARNING,
            "file cannot be read; its classes are not analyzed",
            Location(Path("pkg/gone.py")),
        ),
    )


def test_a_custom_resolver_replaces_import_resolution() -> None:
    facts = {"pkg": extract_facts("pkg", b"class A(Anything): ...\n")}
    model = class_model_from_facts(
        facts, {"pkg": Path("pkg/__init__.py")}, resolver=lambda module, name: f"shared.{name}"
    )
    assert bases(model, "pkg.A") == ("shared.Anything",)


# --- incremental rebuilds (`archgraph trend` moves one tree from commit to commit) -----------

LAYERED_BASES = {
    "pkg/__init__.py": "",
    "pkg/bases.py": "class Notifier:\n    pass\n\n\nclass Sender:\n    pass\n",
    "pkg/core/__init__.py": "from pkg.bases import Notifier as Base\n",
    "pkg/core/a.py": "from pkg.core import Base\n\n\nclass A(Base):\n    pass\n",
    "pkg/core/b.py": "from . import Base\n\n\nclass B(Base):\n    pass\n",
    "pkg/other.py": "class Other:\n    pass\n",
}


class Tree:
    """A package tree read again after each edit, facts kept in a store in memory as `archgraph
    trend` keeps them (unchanged files give the very same facts)."""

    def __init__(self, root: Path, files: dict[str, str]) -> None:
        from archgraph.scan import ScanStore  # noqa: PLC0415

        self.root = root.resolve()
        self.store = ScanStore.in_memory()
        write_tree(root, files)

    def edit(self, files: dict[str, str]) -> None:
        write_tree(self.root, files)
        for relative in files:
            path = self.root / relative
            stat = path.stat()  # a stamp of its own within the file system clock's tick
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    def facts_and_files(self) -> tuple[Any, Any]:
        from archgraph.scan import ScanOptions, scan_files  # noqa: PLC0415

        sources = scan_files(self.root, ScanOptions(("pkg",)), self.store).sources
        return sources.facts(), sources.files


def test_an_incremental_rebuild_follows_a_changed_re_export_into_unchanged_files(
    tmp_path: Path,
) -> None:
    tree = Tree(tmp_path, LAYERED_BASES)
    first = update_class_model(None, *tree.facts_and_files())
    assert bases(first.model, "pkg.core.a.A") == ("pkg.bases.Notifier",)
    # Only the package's re-export changes; a.py and b.py are the same files.
    tree.edit({"pkg/core/__init__.py": "from pkg.bases import Sender as Base\n"})
    facts, files = tree.facts_and_files()
    second = update_class_model(first, facts, files)
    assert bases(second.model, "pkg.core.a.A") == ("pkg.bases.Sender",)
    assert bases(second.model, "pkg.core.b.B") == ("pkg.bases.Sender",)
    assert second.model == class_model_from_facts(facts, files)


def test_an_edit_to_a_re_exporting_module_that_keeps_its_names_leaves_its_readers_alone(
    tmp_path: Path,
) -> None:
    tree = Tree(tmp_path, LAYERED_BASES)
    first = update_class_model(None, *tree.facts_and_files())
    # Lines move and an import is added; `Base` still names pkg.bases.Notifier.
    tree.edit({"pkg/core/__init__.py": "import os\n\nfrom pkg.bases import Notifier as Base\n"})
    facts, files = tree.facts_and_files()
    second = update_class_model(first, facts, files)
    assert second.modules["pkg.core.a"] is first.modules["pkg.core.a"]  # not resolved again
    assert second.modules["pkg.core"] is not first.modules["pkg.core"]
    assert second.model == class_model_from_facts(facts, files)
    # Now the name the readers resolve through changes: they are resolved again.
    tree.edit({"pkg/core/__init__.py": "import os\n\nfrom pkg.bases import Sender as Base\n"})
    facts, files = tree.facts_and_files()
    third = update_class_model(second, facts, files)
    assert third.modules["pkg.core.a"] is not second.modules["pkg.core.a"]
    assert bases(third.model, "pkg.core.a.A") == ("pkg.bases.Sender",)
    assert third.model == class_model_from_facts(facts, files)


def test_an_edit_that_changes_no_class_keeps_the_very_same_model(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LAYERED_BASES)
    first = update_class_model(None, *tree.facts_and_files())
    # New imports and comments below the class: its line, bases and methods stay as they were.
    tree.edit({"pkg/other.py": "class Other:\n    pass\n\n\nimport os  # late\n"})
    second = update_class_model(first, *tree.facts_and_files())
    assert second.model is first.model
    tree.edit({"pkg/other.py": "class Other(Exception):\n    pass\n"})
    facts, files = tree.facts_and_files()
    third = update_class_model(second, facts, files)
    assert third.model is not first.model
    assert bases(third.model, "pkg.other.Other") == ("Exception",)
    assert third.model == class_model_from_facts(facts, files)


def test_an_edit_that_changes_which_siblings_a_module_imports_rebuilds_the_model(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LAYERED_BASES)
    first = update_class_model(None, *tree.facts_and_files())
    # pkg.core imports pkg.bases; a and b import within pkg.core (`Base` is no module).
    assert first.model.sibling_imported == {"pkg.bases"}
    # No class changes, but `other` now uses `core`: how the subpackages depend on each other does.
    tree.edit({"pkg/other.py": "import pkg.core.b\n\n\nclass Other:\n    pass\n"})
    facts, files = tree.facts_and_files()
    second = update_class_model(first, facts, files)
    assert second.model is not first.model
    assert second.model.sibling_imported == {"pkg.bases", "pkg.core"}
    assert second.model == class_model_from_facts(facts, files)
    tree.edit({"pkg/core/a.py": "import pkg.other\nfrom pkg.core import Base\n\n\nclass A(Base):\n    pass\n"})
    facts, files = tree.facts_and_files()
    third = update_class_model(second, facts, files)
    assert third.model is not second.model
    assert third.model.sibling_imported == {"pkg.bases", "pkg.core", "pkg.other"}
    assert third.model == class_model_from_facts(facts, files)


def test_a_new_file_or_a_broken_one_rebuilds_what_it_touches(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LAYERED_BASES)
    first = update_class_model(None, *tree.facts_and_files())
    tree.edit({"pkg/core/c.py": "from pkg.core import Base\n\n\nclass C(Base):\n    pass\n"})
    facts, files = tree.facts_and_files()
    second = update_class_model(first, facts, files)
    assert bases(second.model, "pkg.core.c.C") == ("pkg.bases.Notifier",)
    assert second.model == class_model_from_facts(facts, files)
    tree.edit({"pkg/core/a.py": "from pkg.core import Base\n<<<<<<< HEAD\nclass A(Base):\n    pass\n"})
    facts, files = tree.facts_and_files()
    third = update_class_model(second, facts, files)
    assert [d.code for d in third.model.diagnostics] == ["AG216"]
    assert third.model == class_model_from_facts(facts, files)


def test_reported_edits_give_the_facts_and_classes_of_a_fresh_scan(tmp_path: Path) -> None:
    from archgraph.scan import ScanOptions, scan_files  # noqa: PLC0415

    tree = Tree(tmp_path, LAYERED_BASES)
    build = update_class_model(None, *tree.facts_and_files())
    edits = [
        {"pkg/core/__init__.py": "from pkg.bases import Sender as Base\n"},  # readers resolve anew
        {"pkg/other.py": "class Other:\n    pass\n\n\nclass More(Other):\n    pass\n"},
        {"pkg/core/b.py": "from . import Base\n<<<<<<< HEAD\nclass B(Base):\n    pass\n"},
        {"pkg/core/b.py": "class B:\n    pass\n", "pkg/bases.py": "class Sender:\n    pass\n"},
    ]
    files = build.files
    for edit in edits:
        assert build.facts is not None
        untouched = {m: f for m, f in build.facts.items() if files[m].as_posix() not in edit}
        tree.edit(edit)
        facts, files = tree.facts_and_files()
        fresh = scan_files(tree.root, ScanOptions(("pkg",))).sources
        assert facts == fresh.facts()
        assert all(facts[m] is f for m, f in untouched.items())  # kept, not read again
        build = update_class_model(build, facts, files)
        assert build.model == class_model_from_facts(fresh.facts(), fresh.files), edit
    assert bases(build.model, "pkg.core.a.A") == ("pkg.bases.Sender",)
    assert bases(build.model, "pkg.other.More") == ("pkg.other.Other",)
