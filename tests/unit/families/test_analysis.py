"""Families analysis on small real packages: each pattern found, and no false alarms."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree

from archgraph.families.analysis import analyze
from archgraph.families.classify import (
    FamiliesQuery,
    camel_words,
    is_excluded,
    plugin_scopes,
    roles,
    roles_apart,
)
from archgraph.families.findings import FamiliesReport, TestCode
from archgraph.model.classes import ClassModel, DefinitionKind, sibling_imports
from archgraph.model.facts import FileFacts, ImportedName, ImportFact
from archgraph.usecases.project import RunOptions
from archgraph.usecases.scanning import read_sources

DISPATCH = """
    def register_tool(self, name, handler):
        self._tools[name] = handler

    def dispatch(self, name, **arguments):
        return self._tools[name](**arguments)
"""


def classes_of(root: Path, files: dict[str, str]) -> ClassModel:
    write_tree(root, {"pkg/__init__.py": "", **files})
    options = RunOptions(packages=("pkg",), use_cache=False)
    _project, _options, outcome, _notes = read_sources(root, options)
    return outcome.sources.class_model


def report_of(root: Path, files: dict[str, str], query: FamiliesQuery | None = None) -> FamiliesReport:
    return analyze(classes_of(root, files), query or FamiliesQuery())


def assert_nothing_found(report: FamiliesReport) -> None:
    assert report.ranked() == (), [type(f).__name__ for f in report.ranked()]


def cls(name: str, bases: str = "", body: str = DISPATCH) -> str:
    return f"class {name}{f'({bases})' if bases else ''}:{body}\n"


# --- names ------------------------------------------------------------------------------------


def test_camel_words_split_acronyms_and_digits() -> None:
    assert camel_words("RequestScopedToolDispatcher") == ("Request", "Scoped", "Tool", "Dispatcher")
    assert camel_words("HTTPServer") == ("HTTP", "Server")
    assert camel_words("_OAuth2Session") == ("O", "Auth2", "Session")


def test_roles_group_by_the_tail_after_which_names_fan_out() -> None:
    names = [
        "UnifiedToolDispatcher", "AdminToolDispatcher", "ToolDispatcher", "ToolDispatcherBase",
        "BaseDispatcherFactory", "ChatDispatcherFactory", "AdminChatDispatcherFactory",
        "JsonHandler", "XmlHandler",
    ]
    assert roles(names) == {
        "UnifiedToolDispatcher": "ToolDispatcher",
        "AdminToolDispatcher": "ToolDispatcher",
        "ToolDispatcher": "ToolDispatcher",
        "ToolDispatcherBase": "ToolDispatcher",
        "BaseDispatcherFactory": "DispatcherFactory",
        "ChatDispatcherFactory": "DispatcherFactory",
        "AdminChatDispatcherFactory": "DispatcherFactory",
        "JsonHandler": "Handler",
        "XmlHandler": "Handler",
    }


def test_test_doubles_names_neither_split_nor_merge_production_roles() -> None:
    production = ["AlphaToolDispatcher", "ZetaToolDispatcher", "BaseBuffer", "ReadBuffer"]
    doubles = [
        "FakeAlphaToolDispatcher", "StubAlphaToolDispatcher", "NoNextBuffer", "NoNextBuffer", "RecordingMailer"
    ]
    # Among all the names, the doubles make `AlphaToolDispatcher` a role apart from Zeta's.
    assert roles([*production, *doubles])["AlphaToolDispatcher"] == "AlphaToolDispatcher"
    assert roles_apart(production, doubles) == {
        "AlphaToolDispatcher": "ToolDispatcher",
        "ZetaToolDispatcher": "ToolDispatcher",
        "BaseBuffer": "Buffer",
        "ReadBuffer": "Buffer",
        # The longest production role the name ends with...
        "FakeAlphaToolDispatcher": "ToolDispatcher",
        "StubAlphaToolDispatcher": "ToolDispatcher",
        # ...but a name two test doubles carry is a concept of its own...
        "NoNextBuffer": "NoNextBuffer",
        # ...and a name with no production role ending it keeps its role among all the names.
        "RecordingMailer": "Mailer",
    }


def test_exclude_patterns_cover_modules_or_match_any_segment() -> None:
    assert is_excluded("app.tests.test_x", ["app.tests"])
    assert is_excluded("app.x.tests.y", ["tests"])
    assert is_excluded("app.legacy.old", ["app.*.old"]) and not is_excluded("app.legacy", ["app.*.old"])
    assert not is_excluded("app.latest", ["tests"])


# --- each pattern is found ----------------------------------------------------------------------


def test_independent_roots_sharing_methods_are_competing_implementations(tmp_path: Path) -> None:
    report = report_of(
        tmp_path,
        {
            "pkg/core.py": "import abc\n" + cls("BaseToolDispatcher", "abc.ABC") + cls("UnifiedToolDispatcher", "BaseToolDispatcher"),
            "pkg/chat.py": cls("ChatToolDispatcher"),
            "pkg/admin.py": cls("AdminToolDispatcher"),
        },
    )
    (family,) = report.families
    assert family.concept == "ToolDispatcher"
    assert family.competing
    assert [r.qualname for r in family.roots] == [
        "pkg.admin.AdminToolDispatcher", "pkg.chat.ChatToolDispatcher", "pkg.core.BaseToolDispatcher",
    ]
    assert family.shared_methods == ("dispatch", "register_tool")
    assert [c.qualname for c in family.classes] == [
        "pkg.admin.AdminToolDispatcher", "pkg.chat.ChatToolDispatcher",
        "pkg.core.BaseToolDispatcher", "pkg.core.UnifiedToolDispatcher",
    ]
    assert family.unimplemented_interfaces == ()


def test_the_same_class_name_in_two_modules_is_a_duplicate(tmp_path: Path) -> None:
    report = report_of(tmp_path, {"pkg/a.py": cls("Dispatcher"), "pkg/b.py": cls("Dispatcher")})
    (duplicate,) = report.duplicates
    assert duplicate.name == "Dispatcher"
    assert [d.qualname for d in duplicate.definitions] == ["pkg.a.Dispatcher", "pkg.b.Dispatcher"]
    assert not duplicate.related
    assert duplicate.shared_methods == ("dispatch", "register_tool")


def test_a_class_forwarding_to_a_family_member_is_a_wrapper(tmp_path: Path) -> None:
    report = report_of(
        tmp_path,
        {
            "pkg/unified.py": cls("UnifiedToolDispatcher"),
            "pkg/legacy.py": """
                from pkg.unified import UnifiedToolDispatcher

                class LegacyToolDispatcher:
                    def __init__(self):
                        self._inner = UnifiedToolDispatcher()

                    def register_tool(self, name, handler):
                        return self._inner.register_tool(name, handler)

                    def dispatch(self, name, **arguments):
                        return self._inner.dispatch(name, **arguments)
            """,
        },
    )
    (wrapper,) = report.wrappers
    assert (wrapper.wrapper.qualname, wrapper.wrapped.qualname, wrapper.attribute) == (
        "pkg.legacy.LegacyToolDispatcher", "pkg.unified.UnifiedToolDispatcher", "_inner",
    )
    assert wrapper.forwarded_methods == ("dispatch", "register_tool")


def test_prefixed_subclasses_under_a_second_base_are_a_parallel_hierarchy(tmp_path: Path) -> None:
    report = report_of(
        tmp_path,
        {
            "pkg/normal.py": cls("BaseDispatcherFactory") + cls("ChatDispatcherFactory", "BaseDispatcherFactory") + cls("BatchDispatcherFactory", "BaseDispatcherFactory"),
            "pkg/admin.py": cls("AdminDispatcherFactory") + cls("AdminChatDispatcherFactory", "AdminDispatcherFactory") + cls("AdminBatchDispatcherFactory", "AdminDispatcherFactory"),
        },
    )
    (parallel,) = report.parallel_hierarchies
    assert (parallel.left.qualname, parallel.right.qualname) == (
        "pkg.admin.AdminDispatcherFactory", "pkg.normal.BaseDispatcherFactory",
    )
    assert [(a.name, b.name) for a, b in parallel.pairs] == [
        ("AdminBatchDispatcherFactory", "BatchDispatcherFactory"),
        ("AdminChatDispatcherFactory", "ChatDispatcherFactory"),
    ]


def test_each_dispatcher_with_its_own_factory_is_a_parallel_hierarchy(tmp_path: Path) -> None:
    report = report_of(
        tmp_path,
        {
            "pkg/dispatchers.py": cls("Dispatcher") + cls("ChatDispatcher", "Dispatcher") + cls("BatchDispatcher", "Dispatcher") + cls("StreamDispatcher", "Dispatcher"),
            "pkg/factories.py": "\n".join(
                f"class {n}DispatcherFactory{'(DispatcherFactory)' if n else ''}:\n    def create(self): ...\n"
                for n in ("", "Chat", "Batch", "Stream")
            ),
        },
    )
    (parallel,) = report.parallel_hierarchies
    assert [(a.name, b.name) for a, b in parallel.pairs] == [
        ("BatchDispatcher", "BatchDispatcherFactory"),
        ("ChatDispatcher", "ChatDispatcherFactory"),
        ("StreamDispatcher", "StreamDispatcherFactory"),
    ]


def test_an_abstract_interface_nothing_implements_is_reported(tmp_path: Path) -> None:
    report = report_of(
        tmp_path,
        {
            "pkg/store.py": """
                from abc import ABC, abstractmethod

                class BlobStore(ABC):
                    @abstractmethod
                    def put(self, key, data): ...

                class FileStore:
                    def read(self, key): ...
            """,
        },
    )
    (family,) = report.families
    assert family.concept == "Store" and not family.competing
    assert [i.qualname for i in family.unimplemented_interfaces] == ["pkg.store.BlobStore"]


def test_findings_are_ranked_most_suspicious_first(tmp_path: Path) -> None:
    report = report_of(
        tmp_path,
        {
            "pkg/a.py": cls("AToolDispatcher") + cls("BToolDispatcher") + cls("CToolDispatcher"),
            "pkg/b.py": cls("Sender", body="\n    def send(self): ...\n"),
            "pkg/c.py": cls("Sender", body="\n    def post(self): ...\n"),
        },
    )
    kinds = [type(f).__name__ for f in report.ranked()]
    assert kinds == ["Family", "Duplicate"]
    scores = [f.score for f in report.ranked()]
    assert scores == sorted(scores, reverse=True)


# --- no false alarms ----------------------------------------------------------------------------


def test_an_ordinary_hierarchy_is_not_a_finding(tmp_path: Path) -> None:
    assert_nothing_found(
        report_of(
            tmp_path,
            {
                "pkg/base.py": cls("BaseHandler"),
                "pkg/json.py": "from pkg.base import BaseHandler\n" + cls("JsonHandler", "BaseHandler"),
                "pkg/xml.py": "from pkg import base\n" + cls("XmlHandler", "base.BaseHandler"),
                "pkg/yaml.py": "from .base import BaseHandler\n" + cls("YamlHandler", "BaseHandler"),
            },
        )
    )


def test_one_abstract_base_with_many_subclasses_is_not_a_finding(tmp_path: Path) -> None:
    files = {"pkg/base.py": "from abc import ABC\n" + cls("Exporter", "ABC")}
    for name in ("Csv", "Json", "Xml", "Parquet", "Avro"):
        files[f"pkg/{name.lower()}.py"] = "from pkg.base import Exporter\n" + cls(f"{name}Exporter", "Exporter")
    assert_nothing_found(report_of(tmp_path, files))


def test_exception_enum_dataclass_and_test_families_are_not_findings(tmp_path: Path) -> None:
    assert_nothing_found(
        report_of(
            tmp_path,
            {
                "pkg/errors.py": """
                    class AppError(Exception):
                        def describe(self): ...

                    class NotFoundError(AppError): ...
                """,
                "pkg/more_errors.py": """
                    class ParseError(ValueError):
                        def describe(self): ...

                    class TimeoutError_(OSError):
                        def describe(self): ...

                    class ConfigWarning(UserWarning):
                        def describe(self): ...
                """,
                "pkg/enums.py": """
                    import enum

                    class ColorEnum(enum.Enum):
                        RED = 1
                        def label(self): ...

                    class SizeEnum(enum.IntEnum):
                        SMALL = 1
                        def label(self): ...
                """,
                "pkg/configs.py": """
                    from dataclasses import dataclass

                    @dataclass
                    class DatabaseConfig:
                        url: str
                        def validate(self): ...

                    @dataclass(frozen=True)
                    class CacheConfig:
                        size: int
                        def validate(self): ...
                """,
                "pkg/checks.py": """
                    import unittest

                    class TestParser(unittest.TestCase):
                        def test_ok(self): ...

                    class ParserTest:
                        def test_ok(self): ...

                    class TestLexer:
                        def test_ok(self): ...
                """,
            },
        )
    )


def test_classes_with_a_shared_role_name_but_different_jobs_are_not_competing(tmp_path: Path) -> None:
    assert_nothing_found(
        report_of(
            tmp_path,
            {
                "pkg/chat.py": cls("ChatService", body="\n    def send(self, text): ...\n"),
                "pkg/session.py": cls("SessionService", body="\n    def open(self): ...\n"),
                "pkg/agent.py": cls("AgentService", body="\n    def run_agent(self): ...\n"),
            },
        )
    )


def test_mixins_and_subclasses_extending_a_namesake_are_not_findings(tmp_path: Path) -> None:
    assert_nothing_found(
        report_of(
            tmp_path,
            {
                "pkg/mixins.py": cls("LoggingMixin") + cls("CachingMixin"),
                "pkg/base.py": cls("Client"),
                "pkg/compat.py": "from pkg import base\n" + cls("Client", "base.Client"),
            },
        )
    )


def test_each_plugin_may_have_its_own_implementation(tmp_path: Path) -> None:
    # 12 plugins under one container package: their `*Client`s live side by side by design.
    files = {"pkg/plugins/__init__.py": ""}
    for index in range(12):
        files[f"pkg/plugins/p{index}/__init__.py"] = ""
        files[f"pkg/plugins/p{index}/client.py"] = cls(f"P{index}Client") + cls("Helper")
    assert_nothing_found(report_of(tmp_path, files))
    # ...but a core class doing the same job does compete with them.
    files["pkg/core.py"] = cls("CoreClient")
    report = report_of(tmp_path / "again", files)
    assert [f.concept for f in report.families] == ["Client"]
    assert report.duplicates == ()


# --- options ------------------------------------------------------------------------------------


@pytest.fixture
def mixed(tmp_path: Path) -> ClassModel:
    return classes_of(
        tmp_path,
        {
            "pkg/a.py": cls("AToolDispatcher") + cls("BToolDispatcher"),
            "pkg/b.py": cls("ARouter") + cls("BRouter") + cls("CRouter"),
            "pkg/tests/__init__.py": "",
            "pkg/tests/fakes.py": cls("FakeToolDispatcher"),
        },
    )


def test_concept_glob_narrows_the_classes(mixed: ClassModel) -> None:
    report = analyze(mixed, FamiliesQuery(concept="*Dispatcher", include_tests=True))
    assert [f.concept for f in report.families] == ["ToolDispatcher"]
    assert report.classes_analyzed == 3
    assert report.test_code == TestCode(modules=2, classes=1, included=True)
    production = analyze(mixed, FamiliesQuery(concept="*Dispatcher"))
    assert production.classes_analyzed == 2
    # Left-out test code is counted in modules: its classes are not read (see SourceSet).
    assert production.test_code == TestCode(modules=2, classes=None, included=False)


def test_min_size_hides_small_families(mixed: ClassModel) -> None:
    def concepts(min_size: int) -> list[str]:
        return [f.concept for f in analyze(mixed, FamiliesQuery(min_size=min_size, include_tests=True)).families]

    assert concepts(3) == ["Router", "ToolDispatcher"]
    assert concepts(4) == []


def test_exclude_leaves_modules_out(mixed: ClassModel) -> None:
    report = analyze(mixed, FamiliesQuery(exclude=("tests",), include_tests=True))
    family = next(f for f in report.families if f.concept == "ToolDispatcher")
    assert [c.name for c in family.classes] == ["AToolDispatcher", "BToolDispatcher"]


def test_a_wrapper_may_receive_the_wrapped_instance_as_an_annotated_parameter(tmp_path: Path) -> None:
    report = report_of(
        tmp_path,
        {
            "pkg/unified.py": cls("UnifiedToolDispatcher"),
            "pkg/audited.py": """
                from pkg import unified

                class AuditedToolDispatcher:
                    def __init__(self, inner: unified.UnifiedToolDispatcher) -> None:
                        self._inner = inner

                    def register_tool(self, name, handler):
                        return self._inner.register_tool(name, handler)

                    def dispatch(self, name, **arguments):
                        print("audit", name)
                        return self._inner.dispatch(name, **arguments)
            """,
        },
    )
    # One of two public methods forwarded is not "most": a decorator that adds behaviour is no wrapper.
    assert report.wrappers == ()
    forwarding = report_of(
        tmp_path / "forwarding",
        {
            "pkg/unified.py": cls("UnifiedToolDispatcher"),
            "pkg/audited.py": """
                from pkg import unified

                class AuditedToolDispatcher:
                    def __init__(self, inner: unified.UnifiedToolDispatcher) -> None:
                        self._inner = inner

                    def register_tool(self, name, handler):
                        return self._inner.register_tool(name, handler)

                    def dispatch(self, name, **arguments):
                        return self._inner.dispatch(name, **arguments)
            """,
        },
    )
    assert [(w.wrapper.name, w.wrapped.qualname) for w in forwarding.wrappers] == [
        ("AuditedToolDispatcher", "pkg.unified.UnifiedToolDispatcher")
    ]


def test_namesakes_deriving_from_one_base_are_a_hierarchy_not_duplicates(tmp_path: Path) -> None:
    files = {"pkg/backends/__init__.py": "", "pkg/backends/base.py": cls("BaseDatabaseWrapper")}
    for backend in ("sqlite", "postgres", "mysql"):
        files[f"pkg/backends/{backend}.py"] = (
            "from pkg.backends.base import BaseDatabaseWrapper\n"
            + cls("DatabaseWrapper", "BaseDatabaseWrapper")
        )
    for command in ("migrate", "shell"):  # each module's Command of an external framework
        files[f"pkg/commands/{command}.py"] = (
            "from framework.management import BaseCommand\n" + cls("Command", "BaseCommand")
        )
    assert_nothing_found(report_of(tmp_path, files))


# --- definitions, nested classes, plugins ------------------------------------------------------


def test_classes_nested_in_classes_and_functions_are_implementations(tmp_path: Path) -> None:
    inner = DISPATCH.replace("\n    ", "\n        ")
    report = report_of(
        tmp_path,
        {
            "pkg/a.py": cls("Client"),
            "pkg/b.py": f"class Outer:\n    class Client:{inner}\n    class Meta:\n        x = 1\n",
            "pkg/c.py": f"def make():\n    class Client:{inner}\n    return Client\n",
        },
    )
    (found,) = report.duplicates
    assert [(d.qualname, d.definition_kind) for d in found.definitions] == [
        ("pkg.a.Client", DefinitionKind.PRIMARY),
        ("pkg.b.Outer.Client", DefinitionKind.NESTED),
        ("pkg.c.make.Client", DefinitionKind.NESTED),
    ]


def test_sibling_imports_name_the_child_of_the_common_package() -> None:
    def imports(module: str, *statements: ImportFact, package: bool = False) -> frozenset[str]:
        return sibling_imports(module, FileFacts(module, imports=statements), package)

    assert imports("app.services.chat", ImportFact(1, "app.core.db.session")) == {"app.core"}
    assert imports("app.services.chat", ImportFact(1, "app.services.tools.x")) == {"app.services.tools"}
    assert imports("app.services.chat", ImportFact(1, "app")) == frozenset()
    assert imports("app.main", ImportFact(1, "app.core", names=(ImportedName("db"),))) == {"app.core"}
    assert imports("app.services.chat", ImportFact(1, "", level=2, names=(ImportedName("core"),))) == {"app.core"}
    assert imports("app", ImportFact(1, "app.core")) == frozenset()
    assert imports("app.services", ImportFact(1, "", level=1, names=(ImportedName("chat"),)), package=True) == frozenset()
    assert imports("app.services.chat", ImportFact(1, "os"), ImportFact(2, "", level=9)) == frozenset()


def _siblings_by_definition(module: str, facts: FileFacts, is_package: bool) -> frozenset[str]:
    """`sibling_imports` as its docstring defines it, target by target."""
    parts = module.split(".")
    package = parts if is_package else parts[:-1]
    found = set()
    for fact in facts.imports:
        if fact.level and fact.level - 1 >= len(package):
            continue
        base = package[: len(package) - (fact.level - 1)] if fact.level else []
        target = [*base, *fact.module.split(".")] if fact.module else base
        targets = [target] + [[*target, n.name] for n in fact.names if n.name != "*"]
        for each in targets:
            common = 0
            while common < len(parts) - 1 and common < len(each) - 1 and parts[common] == each[common]:
                common += 1
            if common and parts[common] != each[common]:
                found.add(".".join(each[: common + 1]))
    return frozenset(found)


_hypothesis = pytest.importorskip("hypothesis")
_names = _hypothesis.strategies.lists(_hypothesis.strategies.sampled_from("abc"), min_size=1, max_size=4)


@_hypothesis.settings(max_examples=400, deadline=None)
@_hypothesis.given(
    module=_names,
    is_package=_hypothesis.strategies.booleans(),
    statements=_hypothesis.strategies.lists(
        _hypothesis.strategies.tuples(
            _hypothesis.strategies.integers(0, 3),
            _hypothesis.strategies.lists(_hypothesis.strategies.sampled_from("abc"), max_size=3),
            _hypothesis.strategies.lists(_hypothesis.strategies.sampled_from("abc*"), max_size=3),
        ),
        max_size=4,
    ),
)
def test_sibling_imports_agree_with_their_definition(
    module: list[str], is_package: bool, statements: list[tuple[int, list[str], list[str]]]
) -> None:
    """The shortcuts (another top-level package, the names of one `from` import at once) give
    what comparing every target part by part gives."""
    imports = tuple(
        ImportFact(line, ".".join(target), level, tuple(ImportedName(n) for n in names))
        for line, (level, target, names) in enumerate(statements, 1)
        if level or target
    )
    facts = FileFacts(".".join(module), imports=imports)
    assert sibling_imports(facts.module, facts, is_package) == _siblings_by_definition(
        facts.module, facts, is_package
    )


def test_many_subpackages_are_plugins_only_while_few_of_them_are_imported_by_a_sibling() -> None:
    modules = [f"pkg.parts.p{index}.mod" for index in range(12)]
    scope = plugin_scopes(modules, frozenset({"pkg.parts.p0", "pkg.parts.p1", "pkg.parts.p2", "pkg.parts.p3"}))
    assert scope("pkg.parts.p5.mod") == "pkg.parts.p5"  # 4 of 12 used by siblings: plugins
    scope = plugin_scopes(modules, frozenset(f"pkg.parts.p{index}" for index in range(5)))
    assert scope("pkg.parts.p5.mod") is None  # 5 of 12: one application's parts


def test_a_protocol_deriving_from_another_protocol_of_the_family_ties_its_implementations(
    tmp_path: Path,
) -> None:
    """pkg_resources' IResourceProvider(IMetadataProvider, Protocol): the derived protocol is
    not a root of the family; its implementations join its root's hierarchy."""
    methods = "\n    def has_metadata(self, name): ...\n    def get_metadata(self, name): ...\n"
    resources = methods + "    def has_resource(self, name): ...\n"
    report = report_of(
        tmp_path,
        {
            "pkg/base.py": "from typing import Protocol\n\n"
            f"class MetadataProvider(Protocol):{methods}\n"
            f"class ResourceProvider(MetadataProvider, Protocol):{resources}",
            "pkg/default.py": f"class DefaultProvider:{resources}",
            "pkg/archive.py": f"class ZipProvider:{resources}",
        },
    )
    competing = [f for f in report.families if f.concept == "Provider" and f.competing]
    assert competing == [], competing
