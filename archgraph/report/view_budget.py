"""How many boxes a module diagram draws: the depth modules collapse to, the packages opened
within a box budget, and what is kept when even the top level is too big.

Pure functions over module names; `report/graphview.py` builds the view with them.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from archgraph.model.names import ancestors


def collapse_to(module: str, depth: int | None) -> str:
    """`a.b.c.d` at depth 2 is `a.b`."""
    if depth is None:
        return module
    return ".".join(module.split(".")[:depth])


def module_depth(module: str) -> int:
    return module.count(".") + 1


def choose_depth(
    selected: set[str], depth_asked: int | None, budget: int | None
) -> tuple[int | None, list[str]]:
    """The requested depth, or a shallower one when the node budget is exceeded."""
    if not selected:
        return depth_asked, []
    deepest = max(module_depth(m) for m in selected)
    requested = depth_asked if depth_asked is not None else deepest
    start = min(requested, deepest)
    depth = start
    while budget is not None and depth > 1 and len({collapse_to(m, depth) for m in selected}) > budget:
        depth -= 1
    notes = []
    if depth < start:
        drawn = len({collapse_to(m, depth) for m in selected})
        before = len({collapse_to(m, start) for m in selected})
        notes.append(
            f"{before} nodes at depth {start} exceed the budget of {budget} (--max-nodes); "
            f"collapsed to depth {depth} ({drawn} nodes)"
        )
    return (depth if depth < deepest else None), notes


def open_within_budget(
    selected: Iterable[str],
    budget: int,
    is_test: Callable[[str], bool] = lambda module: False,
    focus: str | None = None,
    open_in_part: bool = False,
) -> tuple[dict[str, str], list[str]]:
    """Which box each module is drawn in: from the top packages down, the biggest package opened
    first while the boxes stay within the budget; small packages stay collapsed.

    Test packages open after production ones, and the packages above `focus` always open, so the
    focused module or package is a box of its own. Greedy and deterministic (ties by name).
    With `open_in_part`, a package left collapsed that holds most of the modules is opened in
    part: its biggest children are boxes of their own, the others share one box
    (`components.957 other packages`), so that the bulk of the code is not one box.
    """
    members: dict[str, list[str]] = {}
    for module in sorted(selected):
        members.setdefault(collapse_to(module, 1), []).append(module)
    forced = set(ancestors(focus)) if focus is not None else set()

    def open_up(node: str) -> dict[str, list[str]]:
        level = module_depth(node) + 1
        children: dict[str, list[str]] = {}
        for module in members.pop(node):
            children.setdefault(collapse_to(module, level), []).append(module)
        members.update(children)
        return children

    def priority(node: str) -> tuple[tuple[bool, bool, int], str]:
        tests = all(is_test(module) for module in members[node])
        return (node not in forced, tests, -len(members[node])), node

    queue = [priority(node) for node, group in members.items() if group != [node]]
    heapq.heapify(queue)
    total = sum(len(group) for group in members.values())
    notes: list[str] = []
    while queue:
        _rank, node = heapq.heappop(queue)
        children = {collapse_to(m, module_depth(node) + 1) for m in members[node]}
        # A nearly empty picture opens its next package anyway (a flat package of 300 modules
        # would otherwise be one box); the most connected boxes are kept afterwards.
        nearly_empty = len(members) < budget // 4
        too_many = node not in forced and len(members) - 1 + len(children) > budget
        if too_many and open_in_part and len(members[node]) > DOMINANT_SHARE * total:
            opened = _open_in_part(members, node, int((budget - len(members)) * PART_SHARE))
            notes += opened
            if opened:
                continue
        if too_many and not nearly_empty:
            continue
        for child, group in open_up(node).items():
            if group != [child]:
                heapq.heappush(queue, priority(child))
    collapsed = sorted(
        (node for node, group in members.items() if group != [node] and not node.endswith(OTHERS)),
        key=lambda node: (-len(members[node]), node),
    )
    representative = {module: node for node, group in members.items() for module in group}
    if collapsed:
        biggest = ", ".join(f"{node} ({len(members[node])})" for node in collapsed[:3])
        notes.append(
            f"{len(collapsed)} package(s) drawn collapsed to keep {len(members)} boxes within "
            f"the budget of {budget} (--max-nodes, --depth); the biggest: {biggest}"
        )
    return representative, notes


OTHERS = " other packages"  # the end of the id of the box that holds a package's smaller children
DOMINANT_SHARE = 0.5  # a collapsed package holding more than this share of the modules opens in part
MIN_PART = 8  # ...when at least this many of its children can be drawn as boxes
PART_SHARE = 0.75  # of the boxes left, the share it takes (the rest for the packages after it)


def _open_in_part(members: dict[str, list[str]], node: str, room: int) -> list[str]:
    """Open `node` in part, in place: its `room` biggest children as boxes, the others in one
    (see `open_within_budget`); nothing when too few would be drawn or its children are modules."""
    if room < MIN_PART:
        return []
    level = module_depth(node) + 1
    children: dict[str, list[str]] = {}
    for module in members[node]:
        children.setdefault(collapse_to(module, level), []).append(module)
    if sum(1 for group in children.values() if len(group) > 1) < MIN_PART:
        return []  # a flat package of modules: the most connected are kept instead (_truncate)
    ranked = sorted(children, key=lambda child: (-len(children[child]), child))
    shown, others = ranked[:room], ranked[room:]
    del members[node]
    for child in shown:
        members[child] = children[child]
    rest = f"{node}.{len(others)}{OTHERS}"
    members[rest] = [module for child in others for module in children[child]]
    return [
        f"{node} ({len(children)} packages) drawn in part: its {len(shown)} biggest, and "
        f"{len(others)} others in one box"
    ]


def expand_within_budget(
    representative: dict[str, str], budget: int
) -> tuple[dict[str, str], str | None]:
    """After a uniform collapse, open the smallest collapsed packages again while the budget allows.

    One huge package (say `components` with 1,500 modules) then no longer hides the structure of
    all the small ones beside it. Greedy and deterministic: smallest first, ties by name.
    """
    members: dict[str, list[str]] = {}
    for module, node in representative.items():
        members.setdefault(node, []).append(module)
    total = len(members)
    queue = [(len(group), node) for node, group in members.items() if group != [node]]
    heapq.heapify(queue)
    opened = 0
    while queue:
        _size, node = heapq.heappop(queue)
        level = module_depth(node) + 1
        children: dict[str, list[str]] = {}
        for module in members[node]:
            children.setdefault(collapse_to(module, level), []).append(module)
        if total - 1 + len(children) > budget:
            continue
        total += len(children) - 1
        opened += 1
        del members[node]
        for child, group in children.items():
            members[child] = group
            for module in group:
                representative[module] = child
            if group != [child]:
                heapq.heappush(queue, (len(group), child))
    note = f"opened {opened} smaller package(s) further ({total} nodes)" if opened else None
    return representative, note


def truncate(
    node_ids: set[str],
    imports: Sequence[tuple[str, str]],
    representative: dict[str, str],
    budget: int,
    where: str = " even at depth 1",
) -> tuple[set[str], str]:
    """Even at depth 1 (or in a package too big for the budget) there are too many nodes: keep
    the most connected ones."""
    degree: Counter[str] = Counter()
    for importer, imported in imports:
        a, b = representative[importer], representative[imported]
        if a != b:
            degree[a] += 1
            degree[b] += 1
    kept = sorted(node_ids, key=lambda n: (-degree[n], n))[:budget]
    note = (
        f"{len(node_ids)} nodes exceed the budget of {budget} (--max-nodes){where}; "
        f"showing the {budget} most connected"
    )
    return set(kept), note
