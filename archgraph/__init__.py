"""archgraph: check a Python codebase's architecture from its import graph.

Public API (imported lazily, so `import archgraph` stays cheap and has no side effects):
`run`, `RunOptions`, `RunResult`, `ContractResult`, `Violation`, `ArchgraphError`, `ExitCode`.
Contract types of your own import what they need from `archgraph.plugin`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archgraph.diagnostics import ArchgraphError, ExitCode, Violation
    from archgraph.results import ContractResult, RunResult
    from archgraph.usecases.check import run
    from archgraph.usecases.project import RunOptions

__all__ = [
    "ArchgraphError",
    "ContractResult",
    "ExitCode",
    "RunOptions",
    "RunResult",
    "Violation",
    "run",
]

_HOMES = {"run": "archgraph.usecases.check", "RunOptions": "archgraph.usecases.project"}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'archgraph' has no attribute {name!r}")
    import importlib  # noqa: PLC0415

    return getattr(importlib.import_module(_HOMES.get(name, "archgraph.diagnostics")), name)
