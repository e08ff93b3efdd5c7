"""A dependency structure matrix: packages at one depth, in levelized order, with import counts.

Row and column i are the same package. The cell in row R, column C counts the imports that the
modules of C make of the modules of R (read a column to see what a package uses, a row to see
who uses it). The order lists importers above what they import (the configured layers, else the
order with the fewest upward imports, as `init` infers it), so a layered code base fills only
the cells below the diagonal: a cell above it is an upward import. Cells on a contract
violation's chain are marked, and each strongly connected group of packages (an import cycle)
is boxed.

`build_matrix` is pure data; `matrix_image` (svg, png, pdf through matplotlib) and
`matrix_html_fragment` (a table the HTML report can embed) draw it.
"""

from __future__ import annotations

import html
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archgraph.model import ArchModel
from archgraph.model.names import is_within
from archgraph.model.ordering import minimum_upward_order
from archgraph.report.graphview import LayerPlan
from archgraph.report.view_budget import collapse_to, module_depth
from archgraph.results import ContractResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MAX_ROWS = 60  # the default depth is the deepest that gives at most this many rows
MAX_DRAWN_COUNTS = 3000  # above, an image shows the cells' colours only (drawing 15,000 took 70 s)
MATRIX_FORMATS = ("svg", "png", "pdf", "html")

VIOLATION_FILL = "#f6b3b3"
VIOLATION_TEXT = "#a00012"
UPWARD_FILL = "#ffe2a8"
IMPORT_FILL = "#dbe7f5"
DIAGONAL_FILL = "#8c8c8c"
CYCLE_COLOR = "#e67e00"
GRID_COLOR = "#c8c8c8"


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One package (or module) of the matrix, a row and the column of the same index."""

    name: str
    members: int  # modules it stands for
    layer: str | None  # its layer in the configured layers contract, if any
    cycle: int | None  # the index of its strongly connected group, when that holds several rows


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """The imports that the package of `column` makes of the package of `row`."""

    row: int  # the imported package
    column: int  # the importing package
    imports: int  # module-level imports
    contracts: tuple[str, ...]  # contracts with a violation chain through one of these imports
    cycle: bool  # both packages are in the same strongly connected group

    @property
    def upward(self) -> bool:
        """Above the diagonal: the importer is listed below what it imports."""
        return self.column > self.row

    @property
    def violation(self) -> bool:
        return bool(self.contracts)


@dataclass(frozen=True, slots=True)
class CycleBox:
    """Rows first..last (inclusive), next to each other, of one strongly connected group."""

    group: int
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class DependencyMatrix:
    title: str
    rows: tuple[MatrixRow, ...]
    cells: tuple[MatrixCell, ...]  # sorted by (row, column); only cells with imports
    cycles: tuple[CycleBox, ...]
    depth: int
    order: str  # where the order comes from, for the legend
    notes: tuple[str, ...] = ()

    @property
    def upward_imports(self) -> int:
        return sum(cell.imports for cell in self.cells if cell.upward)

    @property
    def violating_cells(self) -> int:
        return sum(1 for cell in self.cells if cell.violation)

    def cell(self, row: int, column: int) -> MatrixCell | None:
        return next((c for c in self.cells if (c.row, c.column) == (row, column)), None)


def default_depth(modules: Sequence[str], max_rows: int = MAX_ROWS) -> int:
    """The deepest depth at which the modules collapse to at most `max_rows` rows (at least 1)."""
    deepest = max((module_depth(m) for m in modules), default=1)
    chosen = 1
    for depth in range(1, deepest + 1):
        if len({collapse_to(m, depth) for m in modules}) > max_rows:
            break
        chosen = depth
    return chosen


def build_matrix(
    model: ArchModel,
    results: Sequence[ContractResult],
    layers: LayerPlan | None = None,
    depth: int | None = None,
    title: str = "",
) -> DependencyMatrix:
    """The matrix of the model's internal modules collapsed to `depth` (default: `default_depth`),
    ordered by `layers` when given, else by the fewest upward imports; every violation of
    `results` marks the cells its chain passes through."""
    modules = sorted(model.internal_modules)
    depth = depth or default_depth(modules)
    row_of = {module: collapse_to(module, depth) for module in modules}
    members = Counter(row_of.values())
    weights: Counter[tuple[str, str]] = Counter()
    for importer, imported in model.iter_imports():
        if importer in row_of and imported in row_of and row_of[importer] != row_of[imported]:
            weights[(row_of[importer], row_of[imported])] += 1

    inferred = minimum_upward_order(members, weights)
    order = list(inferred.order)
    layer_of: dict[str, int | None] = {name: None for name in order}
    if layers is not None:
        layer_of = {name: layers.layer_of(name) for name in order}
        # Layered rows in the contract's order (the inferred order inside a layer); a row in no
        # layer above them if it holds layers (a container's own module), else below them.
        layered = [name for name in order if layer_of[name] is not None]
        last = len(layers.names)

        def rank(name: str) -> int:
            layer = layer_of[name]
            if layer is not None:
                return layer
            return -1 if any(is_within(other, name) for other in layered) else last

        order.sort(key=rank)
        source = f"layers of contract {layers.contract_id}"
    else:
        source = "inferred layering (fewest upward imports" + (")" if inferred.exact else ", heuristic)")
    index = {name: position for position, name in enumerate(order)}

    group_of = _strongly_connected(order, weights)
    violation_contracts: dict[tuple[str, str], set[str]] = {}
    for result in results:
        for violation in result.violations:
            for step in violation.chain:
                pair = (row_of.get(step.importer), row_of.get(step.imported))
                if pair in weights:
                    violation_contracts.setdefault(pair, set()).add(result.contract_id)  # type: ignore[arg-type]

    rows = tuple(
        MatrixRow(
            name=name,
            members=members[name],
            layer=layers.names[layer] if layers is not None and (layer := layer_of[name]) is not None else None,
            cycle=group_of.get(name),
        )
        for name in order
    )
    cells = tuple(
        sorted(
            (
                MatrixCell(
                    row=index[imported],
                    column=index[importer],
                    imports=count,
                    contracts=tuple(sorted(violation_contracts.get((importer, imported), ()))),
                    cycle=importer in group_of and group_of.get(importer) == group_of.get(imported),
                )
                for (importer, imported), count in weights.items()
            ),
            key=lambda cell: (cell.row, cell.column),
        )
    )
    notes = []
    if len(rows) > MAX_ROWS:
        notes.append(f"{len(rows)} rows at depth {depth}: more than {MAX_ROWS} (choose a smaller --depth)")
    return DependencyMatrix(
        title=title or ", ".join(model.root_packages),
        rows=rows,
        cells=cells,
        cycles=_cycle_boxes(rows),
        depth=depth,
        order=source,
        notes=tuple(notes),
    )


def _strongly_connected(order: Sequence[str], weights: Counter[tuple[str, str]]) -> dict[str, int]:
    """Each row in an import cycle -> its group's number (groups numbered in row order)."""
    import networkx as nx  # noqa: PLC0415 - heavy import, only for whole-graph work

    graph = nx.DiGraph()
    graph.add_nodes_from(order)
    graph.add_edges_from(weights)
    position = {name: index for index, name in enumerate(order)}
    groups = sorted(
        (sorted(group, key=position.__getitem__) for group in nx.strongly_connected_components(graph)
         if len(group) > 1),
        key=lambda group: position[group[0]],
    )
    return {name: number for number, group in enumerate(groups) for name in group}


def _cycle_boxes(rows: Sequence[MatrixRow]) -> tuple[CycleBox, ...]:
    """One box per run of adjacent rows of the same group (a group is one run unless the
    configured layers split it)."""
    boxes: list[CycleBox] = []
    for index, row in enumerate(rows):
        if row.cycle is None:
            continue
        if boxes and boxes[-1].group == row.cycle and boxes[-1].last == index - 1:
            boxes[-1] = CycleBox(row.cycle, boxes[-1].first, index)
        else:
            boxes.append(CycleBox(row.cycle, index, index))
    return tuple(boxes)


def legend_lines(matrix: DependencyMatrix) -> list[str]:
    """What the marks mean and how the matrix was made, one line each."""
    return [
        "cell in row R, column C: imports from C to R (read a column: what it uses)",
        f"order: {matrix.order}; depth {matrix.depth}; {len(matrix.rows)} rows",
        f"above the diagonal: upward imports ({matrix.upward_imports})",
        f"red: on a contract violation's chain ({matrix.violating_cells} cells)",
        f"boxed: import cycles ({len({box.group for box in matrix.cycles})}); "
        "an orange frame: an import inside one",
        *matrix.notes,
    ]


def _fill(cell: MatrixCell) -> str:
    if cell.violation:
        return VIOLATION_FILL
    return UPWARD_FILL if cell.upward else IMPORT_FILL


def _tooltip(matrix: DependencyMatrix, cell: MatrixCell) -> str:
    importer, imported = matrix.rows[cell.column].name, matrix.rows[cell.row].name
    text = f"{importer} -> {imported}: {cell.imports} import(s)"
    if cell.upward:
        text += ", upward"
    if cell.contracts:
        text += f"; violations of {', '.join(cell.contracts)}"
    return text


def matrix_image(matrix: DependencyMatrix, output_format: str) -> bytes:
    """The matrix drawn as svg, png or pdf.

    Each mark carries an id the tests (and a reader of the SVG) can find: `count-R-C` for the
    number of cell (R, C), `upward-R-C` and `violation-R-C` for its fill, `cycle-F-L` for a box.
    """
    import matplotlib  # noqa: PLC0415 - heavy: only the matrix formats import it
    from matplotlib.collections import LineCollection  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.patches import Rectangle  # noqa: PLC0415

    size = len(matrix.rows)
    cell_inches = 0.3
    labels = [f"{index + 1}  {_literal(row.name)}" for index, row in enumerate(matrix.rows)]
    label_inches = 0.5 + 0.075 * max((len(label) for label in labels), default=4)
    legend = legend_lines(matrix)
    if len(matrix.cells) > MAX_DRAWN_COUNTS:
        legend.append(f"{len(matrix.cells)} cells: counts only in --format html (its cells' tooltips)")
    legend_inches = 0.2 * len(legend) + 0.3
    grid_inches = max(size, 1) * cell_inches
    width = label_inches + grid_inches + 0.4
    height = 0.9 + grid_inches + legend_inches
    with matplotlib.rc_context(
        {"svg.hashsalt": "archgraph-matrix", "svg.fonttype": "none", "font.size": 8}
    ):
        figure = Figure(figsize=(width, height))
        axes = figure.add_axes((label_inches / width, legend_inches / height,
                                grid_inches / width, grid_inches / height))
        axes.set_xlim(0, max(size, 1))
        axes.set_ylim(max(size, 1), 0)
        axes.set_xticks([index + 0.5 for index in range(size)], [str(i + 1) for i in range(size)],
                        fontsize=7)
        axes.set_yticks([index + 0.5 for index in range(size)], labels, fontsize=8)
        axes.xaxis.tick_top()
        axes.tick_params(length=0)
        for index in range(size):
            axes.add_patch(Rectangle((index, index), 1, 1, facecolor=DIAGONAL_FILL, linewidth=0))
        if len(matrix.cells) <= MAX_DRAWN_COUNTS:
            _draw_counted_cells(axes, matrix)
        else:
            _draw_filled_cells(axes, matrix)
        grid = [((0, b), (size, b)) for b in range(size + 1)] + [((b, 0), (b, size)) for b in range(size + 1)]
        axes.add_collection(LineCollection(grid, colors=GRID_COLOR, linewidths=0.5))
        for box in matrix.cycles:
            span = box.last - box.first + 1
            patch = Rectangle((box.first, box.first), span, span, fill=False, edgecolor=CYCLE_COLOR,
                              linewidth=2.2)
            patch.set_gid(f"cycle-{box.first + 1}-{box.last + 1}")
            axes.add_patch(patch)
        for spine in axes.spines.values():
            spine.set_visible(False)
        figure.suptitle(_literal(f"dependency matrix of {matrix.title}"), x=0.02, ha="left",
                        y=1 - 0.15 / height, fontsize=10)
        for number, line in enumerate(legend):
            figure.text(0.02, (legend_inches - 0.25 - 0.2 * number) / height, _literal(line),
                        fontsize=7.5, color="#333333")
        stream = io.BytesIO()
        figure.savefig(stream, format=output_format, metadata=_metadata(output_format), dpi=100)
    return stream.getvalue()


def _draw_counted_cells(axes: Axes, matrix: DependencyMatrix) -> None:
    """Each cell a patch and a number, with ids (`count-R-C`, `upward-R-C`...), and a frame
    on each import inside a cycle."""
    from matplotlib.patches import Rectangle  # noqa: PLC0415

    for cell in matrix.cells:
        kind = "violation" if cell.violation else "upward" if cell.upward else "import"
        patch = Rectangle((cell.column, cell.row), 1, 1, facecolor=_fill(cell), linewidth=0)
        patch.set_gid(f"{kind}-{cell.row + 1}-{cell.column + 1}")
        axes.add_patch(patch)
        text = axes.text(
            cell.column + 0.5, cell.row + 0.5, str(cell.imports), ha="center", va="center",
            fontsize=7 if cell.imports < 1000 else 5,
            color=VIOLATION_TEXT if cell.violation else "#1d2329",
            fontweight="bold" if cell.violation or cell.upward else "normal",
        )
        text.set_gid(f"count-{cell.row + 1}-{cell.column + 1}")
        if cell.cycle:  # an import inside a cycle, wherever the layers put its rows
            axes.add_patch(Rectangle((cell.column + 0.06, cell.row + 0.06), 0.88, 0.88,
                                     fill=False, edgecolor=CYCLE_COLOR, linewidth=1.2))


def _draw_filled_cells(axes: Axes, matrix: DependencyMatrix) -> None:
    """Colours only, one collection per kind: thousands of numbers took a minute to draw and
    cannot be read at that size anyway."""
    from matplotlib.collections import PatchCollection  # noqa: PLC0415
    from matplotlib.patches import Rectangle  # noqa: PLC0415

    fills: dict[str, list[Rectangle]] = {}
    for cell in matrix.cells:
        fills.setdefault(_fill(cell), []).append(Rectangle((cell.column, cell.row), 1, 1))
    for color, patches in sorted(fills.items()):
        axes.add_collection(PatchCollection(patches, facecolor=color, linewidth=0))
    framed = [Rectangle((c.column + 0.06, c.row + 0.06), 0.88, 0.88) for c in matrix.cells if c.cycle]
    axes.add_collection(PatchCollection(framed, facecolor="none", edgecolor=CYCLE_COLOR, linewidth=0.8))


def _metadata(output_format: str) -> dict[str, None] | None:
    """No creation date in the file: the same matrix gives the same bytes."""
    if output_format == "svg":
        return {"Date": None}
    if output_format == "pdf":
        return {"CreationDate": None}
    return None


def _literal(text: str) -> str:
    """Text matplotlib shows as written (a pair of `$` would start mathtext)."""
    return text.replace("$", r"\$")


MATRIX_STYLE = f"""\
.archgraph-matrix {{ font: 12px Helvetica, Arial, sans-serif; overflow: auto; max-width: 100%; }}
.archgraph-matrix table {{ border-collapse: collapse; }}
.archgraph-matrix th, .archgraph-matrix td {{ border: 1px solid {GRID_COLOR}; padding: 0;
  min-width: 22px; height: 20px; text-align: center; font-size: 11px; }}
.archgraph-matrix th.name {{ text-align: left; padding: 0 6px; white-space: nowrap;
  font-weight: normal; }}
.archgraph-matrix td.diagonal {{ background: {DIAGONAL_FILL}; }}
.archgraph-matrix td.import {{ background: {IMPORT_FILL}; }}
.archgraph-matrix td.upward {{ background: {UPWARD_FILL}; font-weight: bold; }}
.archgraph-matrix td.violation {{ background: {VIOLATION_FILL}; color: {VIOLATION_TEXT};
  font-weight: bold; }}
.archgraph-matrix td.cycle {{ outline: 2px solid {CYCLE_COLOR}; outline-offset: -3px; }}
.archgraph-matrix td.cycle-top {{ border-top: 2px solid {CYCLE_COLOR}; }}
.archgraph-matrix td.cycle-bottom {{ border-bottom: 2px solid {CYCLE_COLOR}; }}
.archgraph-matrix td.cycle-left {{ border-left: 2px solid {CYCLE_COLOR}; }}
.archgraph-matrix td.cycle-right {{ border-right: 2px solid {CYCLE_COLOR}; }}
.archgraph-matrix ul {{ margin: 6px 0; padding-left: 18px; color: #333; }}
"""


def matrix_html_fragment(matrix: DependencyMatrix, with_style: bool = True) -> str:
    """The matrix as one `<div class="archgraph-matrix">`: a table with its own style and legend,
    no script and nothing fetched, for a page (or the HTML report) to embed. `with_style=False`
    leaves MATRIX_STYLE out, for a page whose security policy admits only its own style."""
    cells = {(cell.row, cell.column): cell for cell in matrix.cells}
    box_of = {
        index: box for box in matrix.cycles for index in range(box.first, box.last + 1)
    }
    size = len(matrix.rows)
    header = "".join(f'<th scope="col">{index + 1}</th>' for index in range(size))
    lines = [
        '<div class="archgraph-matrix">',
        f"<style>{MATRIX_STYLE}</style>" if with_style else "",
        f"<table><caption>{html.escape(f'dependency matrix of {matrix.title}')}</caption>",
        f"<tr><th></th>{header}</tr>",
    ]
    for row_index, row in enumerate(matrix.rows):
        tds = []
        for column in range(size):
            classes, text, title = [], "", ""
            cell = cells.get((row_index, column))
            if row_index == column:
                classes.append("diagonal")
                title = row.name
            elif cell is not None:
                classes.append("violation" if cell.violation else "upward" if cell.upward else "import")
                classes += ["cycle"] if cell.cycle else []
                text, title = str(cell.imports), _tooltip(matrix, cell)
            box = box_of.get(row_index)
            if box is not None and box_of.get(column) == box:
                classes += [
                    side
                    for side, edge in (("cycle-top", row_index == box.first),
                                       ("cycle-bottom", row_index == box.last),
                                       ("cycle-left", column == box.first),
                                       ("cycle-right", column == box.last))
                    if edge
                ]
            attributes = f' class="{" ".join(classes)}"' if classes else ""
            attributes += f' title="{html.escape(title)}"' if title else ""
            tds.append(f"<td{attributes}>{text}</td>")
        name = html.escape(row.name) + (f" ({row.members})" if row.members > 1 else "")
        lines.append(f'<tr><th class="name" scope="row">{row_index + 1}  {name}</th>{"".join(tds)}</tr>')
    lines.append("</table>")
    lines.append("<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in legend_lines(matrix)) + "</ul>")
    lines.append("</div>")
    return "\n".join(lines) + "\n"


def matrix_html_page(matrix: DependencyMatrix) -> str:
    """A whole offline page holding the matrix."""
    title = html.escape(f"dependency matrix of {matrix.title}")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body>\n{matrix_html_fragment(matrix)}</body></html>\n"
    )


def render_matrix(matrix: DependencyMatrix, output_format: str) -> bytes:
    """The matrix in one of MATRIX_FORMATS."""
    if output_format == "html":
        return matrix_html_page(matrix).encode("utf-8")
    return matrix_image(matrix, output_format)
