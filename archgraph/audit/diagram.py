"""The concept view: one audit scorecard as a picture an architect can read.

The canonical implementation and each competing one is a box (a cluster) holding its root
class, the classes of the concept built on it, and one table of the packages that import it
with their import sites; wrappers point at what they wrap. Boxes are laid out in a grid of
about as many rows as columns, so the picture stays within an aspect ratio of 1:3..3:1 however
many implementations there are. Test code is left out unless asked for.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from archgraph.audit.scorecards import Implementation, Scorecard, Site, Standing
from archgraph.families.classify import is_excluded
from archgraph.report.diagram import FONT  # measured in it; SVGs name a stack (see there)
from archgraph.report.text import format_percent

MAX_IMPLEMENTATIONS = 16  # competing implementations drawn; the others are counted in a note
MAX_MEMBERS = 6  # classes built on a root, drawn inside its box
MAX_PACKAGES = 6  # importing packages listed per implementation
LABEL_CHARS = 34  # longer names are cut in the middle: boxes fit their labels
COLORS = {
    Standing.CANONICAL: ("#1b7f3b", "#e8f5ec"),
    Standing.COMPETING: ("#b00020", "#fdecee"),
    Standing.EXEMPT: ("#777777", "#f2f2f2"),
}


@dataclass(frozen=True, slots=True)
class ConceptView:
    """What the concept picture shows, and what it left out (said on stderr and in the legend)."""

    card: Scorecard
    boxes: tuple[tuple[Implementation, tuple[Implementation, ...]], ...]  # root, members
    importers: dict[str, tuple[tuple[str, int], ...]]  # root qualname -> (package, sites)
    wrappers: tuple[tuple[str, str], ...]  # (wrapper, wrapped) qualnames, both drawn
    notes: tuple[str, ...]

    @property
    def node_count(self) -> int:
        return sum(1 + len(members) + (1 if self.importers.get(root.qualname) else 0) for root, members in self.boxes)


def package_of(module: str, depth: int = 3) -> str:
    """The package a module is counted under: its first `depth` parts (its parent, if shorter)."""
    parts = module.split(".")
    return ".".join(parts[: min(depth, max(len(parts) - 1, 1))])


def concept_view(
    card: Scorecard,
    sites: Mapping[str, Sequence[Site]],
    wrappers: Sequence[tuple[str, str]] = (),
    include_tests: bool = False,
    exclude: Sequence[str] = (),
) -> ConceptView:
    """The boxes of a scorecard: each root with the classes built on it (transitively); the
    classes and importers in modules `exclude` names (as `families --exclude`) left out."""

    def excluded(module: str) -> bool:
        return bool(exclude) and is_excluded(module, exclude)

    kept = [i for i in card.implementations if not excluded(i.qualname.rpartition(".")[0])]
    shown = [i for i in kept if include_tests or i.standing is not Standing.EXEMPT]
    by_name = {i.qualname: i for i in shown}

    def root_of(item: Implementation) -> Implementation:
        seen = {item.qualname}
        while item.built_on in by_name and item.built_on not in seen:
            item = by_name[item.built_on]
            seen.add(item.qualname)
        return item

    members: dict[str, list[Implementation]] = {}
    roots: list[Implementation] = []
    for item in shown:
        root = root_of(item)
        if root is item:
            roots.append(item)
        else:
            members.setdefault(root.qualname, []).append(item)
    order = {Standing.CANONICAL: 0, Standing.COMPETING: 1, Standing.EXEMPT: 2}

    def weight(root: Implementation) -> tuple[object, ...]:
        group = [root, *members.get(root.qualname, [])]
        return (root.qualname != card.canonical, order[root.standing], -sum(i.import_sites for i in group), root.qualname)

    roots.sort(key=weight)
    notes = []
    if len(roots) > MAX_IMPLEMENTATIONS:
        notes.append(f"{len(roots) - MAX_IMPLEMENTATIONS} more implementations not drawn (least imported)")
        roots = roots[:MAX_IMPLEMENTATIONS]
    hidden_tests = sum(1 for i in kept if i.standing is Standing.EXEMPT) if not include_tests else 0
    if hidden_tests:
        notes.append(f"{hidden_tests} classes in test code or allowed modules not drawn (--include-tests)")
    if len(kept) < len(card.implementations):
        notes.append(f"{len(card.implementations) - len(kept)} classes in excluded modules not drawn (--exclude)")
    boxes = []
    importers = {}
    for root in roots:
        group = sorted(members.get(root.qualname, []), key=lambda i: (-i.import_sites, i.qualname))
        if len(group) > MAX_MEMBERS:
            notes.append(f"{root.qualname}: {len(group) - MAX_MEMBERS} more classes built on it not drawn")
        boxes.append((root, tuple(group[:MAX_MEMBERS])))
        counts: Counter[str] = Counter()
        for item in (root, *group):
            counts.update(
                package_of(s.importer)
                for s in sites.get(item.qualname, ())
                if (include_tests or not s.in_tests) and not excluded(s.importer)
            )
        importers[root.qualname] = tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    drawn = {i.qualname for root, group in boxes for i in (root, *group)}
    return ConceptView(
        card=card,
        boxes=tuple(boxes),
        importers=importers,
        wrappers=tuple((w, t) for w, t in wrappers if w in drawn and t in drawn),
        notes=tuple(notes),
    )


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return f"{text[:keep]}…{text[-(limit - 1 - keep):]}"


def concept_source(view: ConceptView) -> str:
    """The DOT source: a grid of implementation boxes, canonical first, with a legend."""
    card = view.card
    columns = max(1, math.ceil(math.sqrt(len(view.boxes))))
    ids: dict[str, str] = {}
    counter = 0

    def ident(key: str) -> str:
        nonlocal counter
        if key not in ids:
            counter += 1
            ids[key] = f"n{counter}"
        return ids[key]

    lines = [
        "digraph concept {",
        f'  graph [rankdir=TB, fontname="{FONT}", fontsize=12, nodesep=0.35, ranksep=0.45, newrank=true, '
        f'labelloc=t, label=<{_title(card)}>];',
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=10, margin="0.12,0.06"];',
        f'  edge [fontname="{FONT}", fontsize=9, color="#555555"];',
    ]
    tops: list[str] = []
    bottoms: list[str] = []
    for index, (root, members) in enumerate(view.boxes):
        line_color, fill = COLORS[root.standing]
        lines.append(f"  subgraph cluster_{index} {{")
        named = card.canonical if any(i.qualname == card.canonical for i in (root, *members)) else root.qualname
        lines.append(
            f'    graph [style="rounded", color="{line_color}", penwidth=1.6, fontsize=10, '
            f'label=<<b>{escape(root.standing.value)}</b>: {escape(_short((named or "").rpartition(".")[2]))}>];'
        )
        # The import sites point at the class of the box that is imported most.
        target = max((root, *members), key=lambda i: (i.import_sites, i.qualname == named, i is root))
        table = view.importers.get(root.qualname, ())
        top = bottom = ident(root.qualname)
        if table:
            shown = table[:MAX_PACKAGES]
            rows = "".join(
                f'<tr><td align="left">{escape(_short(package))}</td><td align="right">{count}</td></tr>'
                for package, count in shown
            )
            more = len(table) - len(shown)
            if more:
                rest = sum(count for _package, count in table[MAX_PACKAGES:])
                rows += f'<tr><td align="left"><i>{more} more packages</i></td><td align="right">{rest}</td></tr>'
            table_id = ident(f"importers:{root.qualname}")
            lines.append(
                f'    {table_id} [shape=plain, style="", label=<<table border="0" cellborder="1" cellspacing="0" '
                f'cellpadding="3" bgcolor="#ffffff"><tr><td colspan="2"><b>imported by</b></td></tr>{rows}</table>>];'
            )
            sites = sum(count for _package, count in table)
            lines.append(
                f'    {table_id} -> {ident(target.qualname)} [label=" {sites} site{"s" if sites != 1 else ""}", '
                f'penwidth={1 + math.log2(1 + sites):.2f}];'
            )
            top = table_id
        lines.append(f"    {ident(root.qualname)} [{_class_attributes(root, line_color, fill)}];")
        for member in members:
            member_color, member_fill = COLORS[member.standing]
            lines.append(f"    {ident(member.qualname)} [{_class_attributes(member, member_color, member_fill)}];")
            parent = member.built_on if member.built_on in ids else root.qualname
            if bottom != ident(root.qualname):
                # One under the other: a box grows down, not sideways, and the grid stays square.
                lines.append(f"    {bottom} -> {ident(member.qualname)} [style=invis];")
            # Drawn from the base down (dir=back keeps the UML arrow at the base): rows grow
            # downwards, base above what is built on it.
            lines.append(
                f"    {ident(parent or root.qualname)} -> {ident(member.qualname)} [dir=back, arrowtail=empty];"
            )
            bottom = ident(member.qualname)
        lines.append("  }")
        tops.append(top)
        bottoms.append(bottom)
    # The grid: each box sits below the one a row above it (invisible edges), so rows wrap.
    for index in range(columns, len(view.boxes)):
        lines.append(f"  {bottoms[index - columns]} -> {tops[index]} [style=invis, weight=10];")
    for wrapper, wrapped in view.wrappers:
        lines.append(f'  {ids[wrapper]} -> {ids[wrapped]} [style=dashed, color="#b06000", label=" wraps", constraint=false];')
    legend = ["canonical: green; competing: red; arrows with empty heads: built on"]
    legend += list(view.notes)
    lines.append(
        '  legend [shape=note, style="filled", fillcolor="#fffbe6", fontsize=9, label=<'
        + "<br/>".join(escape(text) for text in legend)
        + ">];"
    )
    if bottoms:
        lines.append(f"  {bottoms[-1]} -> legend [style=invis];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _title(card: Scorecard) -> str:
    figure = format_percent(card.compliance)
    source = "found by families" if card.contract_id is None else f"{card.source} contract {card.contract_id}"
    return (
        f"<b>{escape(card.concept)}</b> ({escape(source)}): {len(card.competing)} competing, "
        f"compliance {escape(figure)} ({card.canonical_sites} canonical of {card.counted_sites} sites)"
    )


def _class_attributes(item: Implementation, line_color: str, fill: str) -> str:
    name = item.qualname.rpartition(".")[2]
    module = item.qualname.rpartition(".")[0]
    lines = [
        f"<b>{escape(_short(name))}</b>",
        f"<font point-size='8'>{escape(_short(module, 44))}</font>",
        f"<font point-size='8'>{_count(item.import_sites, 'import')} · {_count(item.instantiations, 'call')}</font>",
    ]
    lines += ["<i>nested</i>"] if item.nested else []
    # One table row per line: with <br/>, dot packs lines of a smaller font so tightly that a
    # module name's underscores run into the counts below it.
    rows = "".join(f"<tr><td>{line}</td></tr>" for line in lines)
    label = f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{rows}</table>>'

    tooltip = escape(f"{item.qualname} ({item.location})", quote=True)
    return f'label={label}, color="{line_color}", fillcolor="{fill}", tooltip="{tooltip}"'


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
