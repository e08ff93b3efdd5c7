"""The class diagram's data (ClassView) and its DOT source, from small real trees (no engine runs)."""

from __future__ import annotations

import colorsys
import re
from pathlib import Path

from helpers import write_tree

from archgraph.families.classview import (
    ClassCluster,
    ClassEdge,
    ClassNode,
    ClassView,
    ClusterKind,
    EdgeKind,
)
from archgraph.families.classview_build import _consistent_rows
from archgraph.families.classview_units import MAX_SUBCLASSES_PER_GROUP, more_id
from archgraph.families.diagram import ROW_ANCHOR, class_diagram_source, group_colors
from archgraph.families.drawing import render_class_diagram
from archgraph.usecases.project import RunOptions

NO_CACHE = RunOptions(use_cache=False)


def view_of(root: Path) -> ClassView:
    view = render_class_diagram(root, "dot", NO_CACHE).view
    assert isinstance(view, ClassView)
    return view


def edges_of(view: ClassView, kind: EdgeKind) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in view.edges if e.kind is kind}


def test_roots_grouped_by_a_shared_base_are_joined_by_drawing_that_base(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/work.py": """
            import threading


            class Worker:
                def heartbeat(self): ...


            class QueueRunner(Worker):
                def run(self): ...
                def stop(self): ...


            class JobRunner(Worker):
                def run(self): ...
                def stop(self): ...


            class TaskRunner:
                def run(self): ...
                def stop(self): ...


            class PollerLoop(threading.Thread):
                def run(self): ...
                def stop(self): ...


            class ReaderLoop(threading.Thread):
                def run(self): ...
                def stop(self): ...


            class EventLoop:
                def run(self): ...
                def stop(self): ...
            """,
    })
    view = view_of(tmp_path)
    worker = view.node("app.work.Worker")
    queue = view.node("app.work.QueueRunner")
    assert worker.context and not worker.external and worker.group == queue.group
    assert view.node("app.work.TaskRunner").group != queue.group
    assert {("app.work.QueueRunner", "app.work.Worker"), ("app.work.JobRunner", "app.work.Worker")} <= (
        edges_of(view, EdgeKind.INHERITS))
    thread = view.node("threading.Thread")  # an external base, drawn as written
    assert thread.external and thread.context and thread.module == "threading"
    assert {("app.work.PollerLoop", "threading.Thread"), ("app.work.ReaderLoop", "threading.Thread")} <= (
        edges_of(view, EdgeKind.INHERITS))
    source = class_diagram_source(view)
    assert 'class="class group-0 external"' in source or 'class="class group-1 external"' in source


def test_a_protocol_implemented_without_being_named_gets_a_realizes_edge(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/notify.py": """
            from typing import Protocol


            class Notifier(Protocol):
                def send(self, text): ...
                def close(self): ...
                def retry(self): ...


            class EmailNotifier:
                def send(self, text): ...
                def close(self): ...
                def retry(self): ...


            class LegacyNotifier:
                def send(self, text): ...
                def close(self): ...
            """,
    })
    view = view_of(tmp_path)
    assert edges_of(view, EdgeKind.REALIZES) == {("app.notify.EmailNotifier", "app.notify.Notifier")}
    assert view.node("app.notify.Notifier").protocol
    assert view.node("app.notify.EmailNotifier").group == view.node("app.notify.Notifier").group
    source = class_diagram_source(view)
    assert '"app.notify.Notifier" -> "app.notify.EmailNotifier" [label=implements arrowsize=0.9 ' \
           'arrowtail=empty class=realizes' in source
    assert "style=dashed" in source.split('class=realizes')[1].split("\n")[0]


def test_big_trees_show_their_nearest_subclasses_and_count_the_rest(tmp_path: Path) -> None:
    names = [f"{letter}Handler" for letter in "ABCDEFGHIJKLMNO"]
    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/handlers.py": "class BaseHandler:\n    def handle(self): ...\n    def close(self): ...\n"
        + "".join(f"\n\nclass {name}(BaseHandler):\n    pass\n" for name in names)
        + "\n\nclass LegacyHandler:\n    def handle(self): ...\n    def close(self): ...\n",
    })
    view = view_of(tmp_path)
    subclasses = [n for n in view.nodes if n.id.endswith("Handler") and not n.root and not n.hidden]
    assert len(subclasses) == MAX_SUBCLASSES_PER_GROUP
    more = view.node(more_id("app.handlers.BaseHandler"))
    assert more.hidden == len(names) - MAX_SUBCLASSES_PER_GROUP and more.name == "+3 more subclasses"
    assert (more.id, "app.handlers.BaseHandler") in edges_of(view, EdgeKind.INHERITS)
    source = class_diagram_source(view)
    assert '"app.handlers.BaseHandler +more" [label="+3 more subclasses" class=more' in source
    # Twelve leaves under one base: spread over three rows, not one.
    assert {int(m) for m in re.findall(r"minlen=(\d)", source)} == {2, 3}


def test_an_abstract_class_nothing_implements_is_marked(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/cache.py": """
            from abc import ABC, abstractmethod


            class AbstractCache(ABC):
                @abstractmethod
                def get(self, key): ...


            class MemoryCache:
                def clear(self): ...
            """,
    })
    view = view_of(tmp_path)
    cache = view.node("app.cache.AbstractCache")
    assert cache.unimplemented and cache.abstract
    assert view.clusters[0].detail == "1 abstract, implemented by no class; 1 more Cache classes not drawn"
    assert "«abstract, not implemented»" in class_diagram_source(view)


def test_mirrored_pairs_that_contradict_the_inheritance_ranks_are_not_aligned() -> None:
    inherits = [
        ClassEdge("left.Sub", "left.Top", EdgeKind.INHERITS),
        ClassEdge("right.Sub", "right.Top", EdgeKind.INHERITS),
    ]
    # (left.Top, right.Sub) and then (left.Sub, right.Top) would need Top above Sub and Sub above Top.
    pairs = [("left.Top", "right.Sub"), ("left.Sub", "right.Top"), ("left.Top", "other.X")]
    assert _consistent_rows(pairs, inherits) == (("left.Top", "right.Sub"), ("left.Top", "other.X"))
    assert _consistent_rows([("left.Sub", "right.Sub")], inherits) == (("left.Sub", "right.Sub"),)


def test_group_colours_are_all_different_and_never_red() -> None:
    colours = [group_colors(index) for index in range(300)]
    assert len(set(colours)) == 300
    for fill, border in colours:
        for colour in (fill, border):
            red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
            hue, saturation, _value = colorsys.rgb_to_hsv(red, green, blue)
            assert saturation < 0.1 or 0.05 < hue < 0.92, colour


def synthetic_view(findings: int) -> ClassView:
    """`findings` boxes of one base with two subclasses each."""
    nodes, edges, clusters = [], [], []
    for index in range(1, findings + 1):
        cluster = f"finding_{index}"
        clusters.append(ClassCluster(cluster, ClusterKind.FAMILY, f"Role{index}", rank=index))
        top = f"pkg.m{index}.Top{index}"
        nodes.append(ClassNode(top, f"Top{index}", f"pkg.m{index}", cluster, 0, root=True))
        for side in ("A", "B"):
            sub = f"pkg.m{index}.{side}Sub{index}"
            nodes.append(ClassNode(sub, f"{side}Sub{index}", f"pkg.m{index}", cluster, 0))
            edges.append(ClassEdge(sub, top, EdgeKind.INHERITS))
    return ClassView("t", tuple(nodes), tuple(edges), tuple(clusters), (), findings, findings, 0)


def test_many_findings_are_stacked_in_rows_in_rank_order() -> None:
    assert ROW_ANCHOR.format(index=0) not in class_diagram_source(synthetic_view(2))
    source = class_diagram_source(synthetic_view(40))
    anchors = sorted(set(re.findall(r'"row anchor (\d+)"', source)), key=int)
    assert len(anchors) >= 3
    first_row = {int(m) for m in re.findall(r'"row anchor 1" -> "pkg\.m(\d+)\.Top', source)}
    last = anchors[-1]
    last_row = {int(m) for m in re.findall(rf'"row anchor {last}" -> "pkg\.m(\d+)\.Top', source)}
    assert first_row and last_row and max(first_row) < min(last_row)
    assert '"pkg.m1.Top1"' not in re.sub(r'\t"row anchor \d+" -> "pkg\.m\d+\..*\n', "", source).split(
        "subgraph cluster_finding_2")[1]  # the first row hangs from no anchor


def test_contract_classes_in_no_finding_get_a_box_of_their_own(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/a.py": "class Clock:\n    def now(self): ...\n",
        "app/b.py": "class SystemClock:\n    def time(self): ...\n",  # no method in common: no family
        "contracts/architecture.toml": """
            [archgraph]
            root_packages = ["app"]

            [[contracts]]
            id = "one-clock"
            name = "One clock"
            type = "single-implementation"
            concept = "*Clock"
            canonical = "app.a.Clock"
            """,
    })
    view = view_of(tmp_path)
    assert view.findings == 0
    assert [(c.id, c.kind, c.title) for c in view.clusters] == [
        ("contract_1", ClusterKind.CONTRACT, "contract one-clock")
    ]
    assert view.node("app.a.Clock").canonical_of == ("one-clock",)
    assert view.node("app.b.SystemClock").violations == (("AG160", "one-clock"),)
    assert view.notes == ("no competing families, wrappers or parallel hierarchies found",)
