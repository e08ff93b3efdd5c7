"""`render --families --concept`: the concept view of an audit scorecard stays readable with
many competing implementations, leaves test code out, and counts what it shows."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import run_cli, write_tree

from archgraph.report.layout import locate

METHODS = "    def dispatch(self, tool):\n        pass\n\n    def register(self, tool):\n        pass\n"
IMPLEMENTATIONS = 14
SVG = "{http://www.w3.org/2000/svg}"


def tree() -> dict[str, str]:
    files = {"app/__init__.py": ""}
    for index in range(IMPLEMENTATIONS):
        package = f"app/area{index}"
        name = f"Area{index}VeryLongDescriptiveNameForTheToolDispatcher"
        files[f"{package}/__init__.py"] = ""
        files[f"{package}/dispatch.py"] = (
            f"class {name}:\n{METHODS}\n\n"
            + "".join(f"class Sub{k}{name}({name}):\n    pass\n\n\n" for k in range(3))
        )
        for user in range(index % 4 + 1):  # importers in several packages, more for some
            files[f"app/users{user}/__init__.py"] = ""
            files[f"app/users{user}/use{index}.py"] = (
                f"from app.area{index}.dispatch import {name}\n\nd = {name}()\n"
            )
    files["app/tests/__init__.py"] = ""
    files["app/tests/doubles.py"] = f"class MockToolDispatcher:\n{METHODS}"
    files["app/tests/test_all.py"] = "from app.tests.doubles import MockToolDispatcher\n"
    return files


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("concept"), tree())


def svg_of(project: Path, output: Path, *extra: str) -> ElementTree.Element:
    if locate("dot") is None:
        pytest.skip("the dot layout engine is not installed (apt-get install graphviz)")
    code, _out, err = run_cli(
        ["render", project, "-p", "app", "--no-cache", "--families", "--concept", "*ToolDispatcher", "-o", output, *extra]
    )
    assert code == 0, err
    return ElementTree.fromstring(output.read_bytes())


def size(svg: ElementTree.Element) -> tuple[float, float]:
    return tuple(float(re.sub(r"[a-z]+$", "", svg.get(key, "0"))) for key in ("width", "height"))  # type: ignore[return-value]


def test_many_competing_implementations_stay_within_the_budget(project: Path, tmp_path: Path) -> None:
    svg = svg_of(project, tmp_path / "concept.svg")
    width, height = size(svg)
    assert 1 / 3 <= width / height <= 3, (width, height)
    nodes = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "node"]
    assert len(nodes) <= 80
    texts = [t.text or "" for t in svg.iter(f"{SVG}text")]
    text = " ".join(texts)
    # Every implementation drawn in its own box, each with what is built on it; names cut to
    # fit their boxes.
    assert (texts.count("competing"), texts.count("canonical")) == (IMPLEMENTATIONS - 1, 1)
    assert sum(1 for t in texts if t.startswith("Sub")) == 3 * IMPLEMENTATIONS
    assert "…" in text and "Area13VeryLongDescriptiveNameForTheToolDispatcher" not in text
    assert "MockToolDispatcher" not in text  # test code left out...
    assert "not drawn (--include-tests)" in text  # ...and the legend says so
    with_tests = svg_of(project, tmp_path / "with-tests.svg", "--include-tests")
    assert "MockToolDispatcher" in " ".join(t.text or "" for t in with_tests.iter(f"{SVG}text"))


def test_the_picture_is_a_png_of_readable_proportions(project: Path, tmp_path: Path) -> None:
    output = tmp_path / "concept.png"
    svg_of(project, tmp_path / "unused.svg")  # skips without dot
    code, _out, err = run_cli(
        ["render", project, "-p", "app", "--no-cache", "--families", "--concept", "*ToolDispatcher", "-o", output]
    )
    assert code == 0, err
    data = output.read_bytes()
    assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n".decode("unicode_escape").encode("latin-1")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert 1 / 3 <= width / height <= 3 and width <= 4000 and height <= 4000, (width, height)


def test_exclude_leaves_out_classes_and_importers_as_families_does(project: Path, tmp_path: Path) -> None:
    svg = svg_of(project, tmp_path / "excluded.svg", "--exclude", "app.area13", "--exclude", "users3")
    texts = [t.text or "" for t in svg.iter(f"{SVG}text")]
    text = " ".join(texts)
    assert "Area13" not in text and "app.users3" not in text  # users3 imported area3, area7 and area11
    assert (texts.count("competing"), texts.count("canonical")) == (IMPLEMENTATIONS - 2, 1)
    assert "4 classes in excluded modules not drawn (--exclude)" in text
