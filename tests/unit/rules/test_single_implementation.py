"""`single-implementation` contracts on small real packages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import write_tree

from archgraph.diagnostics import ConfigError, Diagnostic, Location, Severity, Violation
from archgraph.model import ArchModel
from archgraph.model.schema import ContractTable, TablePosition
from archgraph.results import ContractResult
from archgraph.rules import build_contracts
from archgraph.rules.single_implementation import SingleImplementation
from archgraph.usecases.project import RunOptions
from archgraph.usecases.scanning import build_model

CONFIG = Path("contracts/architecture.toml")
METHODS = "\n    def dispatch(self, name): ...\n\n    def list_tools(self): ...\n"

TREE = {
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/base.py": f"from abc import ABC\n\nclass BaseToolDispatcher(ABC):{METHODS}",
    "app/core/unified.py": (
        "from app.core.base import BaseToolDispatcher\n\n"
        f"class UnifiedToolDispatcher(BaseToolDispatcher):{METHODS}"
    ),
    "app/core/scoped.py": (
        "from .unified import UnifiedToolDispatcher\n\n"
        f"class ScopedToolDispatcher(UnifiedToolDispatcher):{METHODS}"
    ),
    "app/chat.py": f"class ChatToolDispatcher:{METHODS}",
    "app/chat_v2.py": f"from app.chat import ChatToolDispatcher\n\nclass FastToolDispatcher(ChatToolDispatcher):{METHODS}",
    "app/other.py": f"from app.core.base import BaseToolDispatcher\n\nclass OtherToolDispatcher(BaseToolDispatcher):{METHODS}",
    "app/api/__init__.py": "",
    "app/api/tool_dispatcher.py": f"class ToolDispatcher:{METHODS}",
    "app/services/__init__.py": "",
    "app/services/tool_dispatcher.py": f"class ToolDispatcher:{METHODS}",
    "app/legacy.py": """
        from app.core.unified import UnifiedToolDispatcher

        class LegacyToolDispatcher:
            def __init__(self):
                self._inner = UnifiedToolDispatcher()

            def dispatch(self, name):
                return self._inner.dispatch(name)

            def list_tools(self):
                return self._inner.list_tools()
    """,
    "app/tests/__init__.py": "",
    "app/tests/fakes.py": f"class FakeToolDispatcher:{METHODS}",
    "app/unrelated.py": f"class Dispatcher:{METHODS}",
}


def contract(**table: Any) -> SingleImplementation:
    data = {"name": "One tool dispatcher", "type": "single-implementation", **table}
    contracts, errors = build_contracts([ContractTable(data, TablePosition(CONFIG, "contracts[0]"))])
    assert errors == []
    (built,) = contracts
    assert isinstance(built, SingleImplementation)
    return built


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> ArchModel:
    root = write_tree(tmp_path_factory.mktemp("single"), TREE)
    _config, outcome, _notes = build_model(root, RunOptions(packages=("app",), use_cache=False))
    return outcome.model


def violation(code: str, qualname: str, file: str, line: int, reason: str) -> Violation:
    return Violation(
        code=code,
        contract="one-tool-dispatcher",
        message=f"{qualname}: {reason}",
        location=Location(Path(file), line),
        symbol=qualname,
    )


def test_every_other_implementation_of_the_concept_is_a_violation(model: ArchModel) -> None:
    result = contract(
        concept="*ToolDispatcher",
        canonical="app.core.unified.UnifiedToolDispatcher",
        allowed_modules=["app.tests"],
    ).check(model)
    assert result.violations == (
        violation(
            "AG160", "app.chat.ChatToolDispatcher", "app/chat.py", 1,
            "independent implementation; it does not derive from UnifiedToolDispatcher",
        ),
        violation(
            "AG160", "app.chat_v2.FastToolDispatcher", "app/chat_v2.py", 3,
            "derives from app.chat.ChatToolDispatcher, not from UnifiedToolDispatcher",
        ),
        violation(
            "AG160", "app.other.OtherToolDispatcher", "app/other.py", 3,
            "derives from app.core.base.BaseToolDispatcher, not from UnifiedToolDispatcher",
        ),
        violation(
            "AG161", "app.legacy.LegacyToolDispatcher", "app/legacy.py", 3,
            "wraps UnifiedToolDispatcher (self._inner) and forwards 2 of its 2 public methods; "
            "use UnifiedToolDispatcher directly",
        ),
        violation(
            "AG162", "app.api.tool_dispatcher.ToolDispatcher", "app/api/tool_dispatcher.py", 1,
            "a second implementation under the same name (also in app.services.tool_dispatcher); "
            "it does not derive from UnifiedToolDispatcher",
        ),
        violation(
            "AG162", "app.services.tool_dispatcher.ToolDispatcher", "app/services/tool_dispatcher.py", 1,
            "a second implementation under the same name (also in app.api.tool_dispatcher); "
            "it does not derive from UnifiedToolDispatcher",
        ),
    )
    # The 10 classes matching the concept: the fake in allowed_modules is exempt; of the 9
    # governed, the base, the canonical class and its subclass respect it, 6 violate it.
    assert (result.governed, result.respecting, result.exempt, result.unit) == (9, 3, 1, "classes")
    assert result.compliance == pytest.approx(1 / 3)
    assert not result.kept and result.diagnostics == ()


def test_a_concept_without_wildcards_governs_only_its_namesakes(model: ArchModel) -> None:
    result = contract(concept="Dispatcher", canonical="app.unrelated.Dispatcher").check(model)
    assert result.governed == 1 and result.kept


def test_a_missing_canonical_class_is_a_configuration_error_with_a_suggestion(model: ArchModel) -> None:
    result = contract(
        concept="*ToolDispatcher", canonical="app.core.unifed.UnifiedToolDispatcher"
    ).check(model)
    assert result.diagnostics == (
        Diagnostic(
            "AG314",
            Severity.ERROR,
            "canonical: class 'app.core.unifed.UnifiedToolDispatcher' is not defined in the analyzed code",
            hint="did you mean 'app.core.unified.UnifiedToolDispatcher'?",
        ),
    )
    assert result.misconfigured and not result.kept


def test_allowed_modules_that_match_nothing_are_a_warning(model: ArchModel) -> None:
    result: ContractResult = contract(
        concept="*ToolDispatcher",
        canonical="app.core.unified.UnifiedToolDispatcher",
        allowed_modules=["app.testz", "app.tests"],
    ).check(model)
    assert [d.code for d in result.diagnostics] == ["AG315"]
    assert "app.testz" in result.diagnostics[0].message
    assert not result.misconfigured


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            {"concept": "*ToolDispatcher", "canonical": "app.core.Registry"},
            ConfigError(CONFIG, "contracts[0].canonical", "class name 'Registry' does not match concept '*ToolDispatcher'"),
        ),
        (
            {"concept": "*ToolDispatcher", "canonical": "UnifiedToolDispatcher"},
            ConfigError(CONFIG, "contracts[0].canonical", "'UnifiedToolDispatcher' is not a qualified class name (module.Class)"),
        ),
        (
            {"concept": "*ToolDispatcher"},
            ConfigError(CONFIG, "contracts[0]", "missing required key 'canonical'"),
        ),
        (
            {"concept": "*ToolDispatcher", "canonical": "a.B", "alowed_modules": []},
            ConfigError(CONFIG, "contracts[0].alowed_modules", "unknown key", suggestion="allowed_modules"),
        ),
    ],
)
def test_configuration_errors_say_which_key_is_wrong(table: dict[str, Any], expected: ConfigError) -> None:
    data = {"name": "One tool dispatcher", "type": "single-implementation", **table}
    contracts, errors = build_contracts([ContractTable(data, TablePosition(CONFIG, "contracts[0]"))])
    assert contracts == []
    assert errors == [expected]
