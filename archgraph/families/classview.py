"""The class diagram as plain data: what `families/diagram.py` draws (nothing here knows Graphviz).

`families/classview_build.py` builds a ClassView from what `archgraph families` finds, the class
model it read, and the marks of `single-implementation` contracts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

DEFAULT_MAX_CLASSES = 400  # like the module diagram's node budget


class EdgeKind(StrEnum):
    INHERITS = "inherits"  # subclass -> base (or a drawn ancestor, when the classes between are not drawn)
    REALIZES = "realizes"  # a root -> the family's Protocol it implements without naming it
    WRAPS = "wraps"  # wrapper -> the class it keeps and forwards to
    MIRRORS = "mirrors"  # left -> right class of a parallel hierarchy (drawn side by side)


class ClusterKind(StrEnum):
    FAMILY = "family"
    WRAPPER = "wrapper"
    PARALLEL = "parallel"
    CONTRACT = "contract"


@dataclass(frozen=True, slots=True)
class ContractMarks:
    """What one `single-implementation` contract says about classes."""

    contract: str  # the contract id
    concept: str  # its class-name glob
    canonical: str  # the canonical class's qualified name
    canonical_found: bool  # False: the class is not in the analyzed code (AG314)
    violations: tuple[tuple[str, str], ...] = ()  # (qualified name, code), e.g. AG160


@dataclass(frozen=True, slots=True)
class ClassNode:
    """One drawn class (or an external base class the roots of a group share)."""

    id: str  # the qualified name (as written, for an external base)
    name: str
    module: str  # "" for an external base
    cluster: str  # ClassCluster.id
    group: int | None  # colour index inside its cluster; None: no competing tree
    root: bool = False  # a root of its family (no ancestor in the family)
    abstract: bool = False
    protocol: bool = False
    context: bool = False  # not a member of the finding: a base its roots share
    external: bool = False  # outside the analyzed code
    unimplemented: bool = False  # abstract, and nothing implements it
    hidden: int = 0  # not a class: stands for this many subclasses of a root, not drawn
    canonical_of: tuple[str, ...] = ()  # ids of the contracts naming it canonical
    violations: tuple[tuple[str, str], ...] = ()  # (code, contract id)
    location: str | None = None  # "file:line"

    @property
    def violating(self) -> bool:
        return bool(self.violations)


@dataclass(frozen=True, slots=True)
class ClassEdge:
    source: str
    target: str
    kind: EdgeKind
    label: str = ""
    direct: bool = True  # INHERITS: False when classes between the two are not drawn


@dataclass(frozen=True, slots=True)
class ClassCluster:
    """A box around the classes of one finding (or of one contract, for classes in no finding)."""

    id: str  # a plain identifier: `finding_3`, `contract_1`
    kind: ClusterKind
    title: str
    detail: str = ""
    rank: int | None = None  # the finding's number in `archgraph families`
    also: tuple[str, ...] = ()  # later findings drawn entirely inside this box


@dataclass(frozen=True, slots=True)
class ClassView:
    """The class diagram to draw, in a stable order."""

    title: str
    nodes: tuple[ClassNode, ...]
    edges: tuple[ClassEdge, ...]
    clusters: tuple[ClassCluster, ...]  # only those holding a node
    same_rank: tuple[tuple[str, str], ...]  # mirrored pairs, drawn side by side
    findings: int  # findings a class diagram can show (families, wrappers, parallel hierarchies)
    findings_drawn: int
    classes_analyzed: int
    concept: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def node_ids(self) -> frozenset[str]:
        return frozenset(node.id for node in self.nodes)

    def node(self, node_id: str) -> ClassNode:
        return next(n for n in self.nodes if n.id == node_id)


@dataclass(frozen=True, slots=True)
class ClassViewOptions:
    max_nodes: int | None = DEFAULT_MAX_CLASSES
    concept: str | None = None  # the class-name glob the analysis was narrowed to
