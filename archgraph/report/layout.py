"""Layout engines: Graphviz's `dot` when installed, else `graphviz-pure` (a PyPI wheel that ships a
Rust port of dot as one program), so `pip install archgraph` alone can draw.

Both take DOT on stdin and write the chosen format to stdout. Every run has a time limit, so a graph
too big for the engine ends in an error that says what to do, never in an endless render.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from archgraph.diagnostics import ArchgraphError

ENGINE_CHOICES = ("auto", "dot", "graphviz-pure")
DIAGRAM_FORMATS = ("svg", "png", "pdf", "dot")
DEFAULT_TIMEOUT = 120.0
# What each engine can write; graphviz-pure has no PDF output (yet).
_ENGINE_FORMATS = {
    "dot": frozenset({"svg", "png", "pdf", "json"}),
    "graphviz-pure": frozenset({"svg", "png", "json"}),
}


class LayoutFailed(ArchgraphError):
    """The engine ran and gave up on the graph (not a timeout): another layout may succeed."""


@dataclass(frozen=True, slots=True)
class Engine:
    name: str  # "dot" or "graphviz-pure"
    executable: Path

    @property
    def formats(self) -> frozenset[str]:
        return _ENGINE_FORMATS[self.name]

    def version(self) -> str:
        """`dot -V` prints its version on stderr."""
        completed = subprocess.run(
            [str(self.executable), "-V"], capture_output=True, text=True, timeout=10, check=False
        )
        return (completed.stderr or completed.stdout).strip()


def locate(name: str) -> Path | None:
    """The engine's executable: on PATH, or in this Python's scripts folder (a venv not on PATH)."""
    found = shutil.which(name)
    if found:
        return Path(found)
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / name
        if candidate.is_file():
            return candidate
    return None


def find_engine(choice: str = "auto", output_format: str = "svg") -> Engine:
    """The engine to run: the one asked for, or with `auto` dot if it can write the format.

    Raises:
        ArchgraphError: the engine is missing or cannot write the format.
    """
    if choice not in ENGINE_CHOICES:
        raise ArchgraphError(f"unknown engine '{choice}' (choose from {', '.join(ENGINE_CHOICES)})")
    names = ["dot", "graphviz-pure"] if choice == "auto" else [choice]
    missing = []
    for name in names:
        executable = locate(name)
        if executable is None:
            missing.append(name)
            continue
        engine = Engine(name, executable)
        if output_format in engine.formats:
            return engine
        if choice != "auto":
            raise ArchgraphError(
                f"the {name} engine cannot write {output_format}; "
                + ("install Graphviz (its dot writes PDF) or choose svg or png"
                   if output_format == "pdf" else "choose svg or png")
            )
    if missing and len(missing) == len(names):
        raise ArchgraphError(
            f"no layout engine found ({' or '.join(missing)}): install Graphviz, or "
            "`pip install graphviz-pure`"
        )
    raise ArchgraphError(
        f"no installed engine writes {output_format}: install Graphviz for PDF, or choose svg or png"
    )


def run_engine(
    engine: Engine, source: str, output_format: str, timeout: float = DEFAULT_TIMEOUT
) -> bytes:
    """Lay out DOT source and return the output bytes.

    Raises:
        LayoutFailed: the engine exited with an error.
        ArchgraphError: the engine ran out of time.
    """
    try:
        completed = subprocess.run(
            [str(engine.executable), f"-T{output_format}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ArchgraphError(
            f"{engine.name} did not finish the layout in {timeout:g} s; draw fewer nodes with "
            "--depth, --focus or a lower --max-nodes (or allow more time with --timeout)"
        ) from error
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LayoutFailed(
            f"{engine.name} failed (exit {completed.returncode}): " + " / ".join(message[:5])
        )
    return completed.stdout


_SVG_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')


def drawing_size(content: bytes, output_format: str) -> tuple[float, float] | None:
    """Width and height of an engine's SVG (pt) or PNG (px) output; None for other formats."""
    if output_format == "png" and content[12:16] == b"IHDR":
        return float(int.from_bytes(content[16:20], "big")), float(int.from_bytes(content[20:24], "big"))
    if output_format == "svg":
        found = _SVG_SIZE.search(content[:2000])
        if found:
            return float(found.group(1)), float(found.group(2))
    return None


def aspect_ratio(size: tuple[float, float]) -> float:
    """Long side over short side: 1 for a square, 3 for 3:1 or 1:3."""
    width, height = size
    return max(width, height) / max(min(width, height), 1.0)


@dataclass(frozen=True, slots=True)
class NodeBox:
    name: str
    x: float  # centre, y growing downwards
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class ClusterBox:
    name: str
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True, slots=True)
class EdgePath:
    tail: str
    head: str
    path: str  # SVG path data of the spline, ending at the arrow tip
    label_x: float | None
    label_y: float | None


@dataclass(frozen=True, slots=True)
class Layout:
    """Positions from the engine's JSON output, flipped so that y grows downwards as in SVG."""

    width: float
    height: float
    nodes: Mapping[str, NodeBox]
    clusters: Mapping[str, ClusterBox]
    edges: tuple[EdgePath, ...]


# Module names become DOT node and cluster IDs, and Graphviz copies IDs into SVG <title>s: a
# control character there (a directory named with an ANSI escape) made the SVG invalid XML and
# dot's JSON unreadable, and a trailing backslash ended the quoted ID early. Such characters,
# and `%` itself so that the encoding reverses, are written as %XX (UTF-8) in IDs; labels and
# tooltips show the real name.
_UNSAFE_IN_ID = re.compile("[%\\\\\x00-\x1f\x7f-\x9f\u2028\u2029]")


def dot_id(name: str) -> str:
    """The DOT ID for a module name (the name itself unless it holds unsafe characters)."""
    return _UNSAFE_IN_ID.sub(
        lambda match: "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8")), name
    )


def name_of_dot_id(identifier: str) -> str:
    """The module name a DOT ID stands for (dot_id reversed)."""
    return unquote(identifier) if "%" in identifier else identifier


def parse_layout(data: Mapping[str, Any]) -> Layout:
    """Read `-Tjson` output (same shape from dot and graphviz-pure)."""
    left, bottom, right, top = _numbers(data["bb"])
    height = top - bottom

    def flip(y: float) -> float:
        return round(top - y, 2)

    nodes: dict[str, NodeBox] = {}
    clusters: dict[str, ClusterBox] = {}
    names: dict[int, str] = {}
    for item in data.get("objects", []):
        name = name_of_dot_id(str(item["name"]))
        names[int(item["_gvid"])] = name
        if "bb" in item and name.startswith("cluster"):
            x0, y0, x1, y1 = _numbers(item["bb"])
            clusters[name.removeprefix("cluster_")] = ClusterBox(name, x0 - left, flip(y1), x1 - left, flip(y0))
        elif "pos" in item:
            x, y = _numbers(item["pos"])
            nodes[name] = NodeBox(
                name, round(x - left, 2), flip(y),
                round(float(item["width"]) * 72, 2), round(float(item["height"]) * 72, 2),
            )
    edges = []
    for item in data.get("edges", []):
        if "pos" not in item or item.get("style") == "invis":
            continue
        label = _numbers(item["lp"]) if "lp" in item else None
        edges.append(
            EdgePath(
                tail=names[int(item["tail"])],
                head=names[int(item["head"])],
                path=_spline_path(str(item["pos"]), left, flip),
                label_x=round(label[0] - left, 2) if label else None,
                label_y=flip(label[1]) if label else None,
            )
        )
    return Layout(round(right - left, 2), round(height, 2), nodes, clusters, tuple(edges))


def layout(engine: Engine, source: str, timeout: float = DEFAULT_TIMEOUT) -> Layout:
    return parse_layout(json.loads(run_engine(engine, source, "json", timeout)))


def _numbers(text: str) -> Sequence[float]:
    return [float(part) for part in str(text).split(",")]


def _spline_path(pos: str, left: float, flip: Any) -> str:
    """`e,x,y p0 p1 ...` (B-spline control points, optional end point) as SVG path data."""
    end = None
    points = []
    for part in pos.split():
        fields = part.split(",")
        if fields[0] == "e":
            end = (float(fields[1]), float(fields[2]))
        elif fields[0] == "s":
            continue
        else:
            points.append((float(fields[0]), float(fields[1])))

    def at(point: tuple[float, float]) -> str:
        return f"{round(point[0] - left, 2)},{flip(point[1])}"

    path = f"M{at(points[0])}"
    for index in range(1, len(points) - 2, 3):
        path += f"C{at(points[index])} {at(points[index + 1])} {at(points[index + 2])}"
    if end is not None:
        path += f"L{at(end)}"
    return path
