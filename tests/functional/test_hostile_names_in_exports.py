"""GraphML and GEXF stay well-formed XML whatever the module names hold.

Module names come from file and folder names, which may hold control characters XML 1.0 cannot
carry even escaped (`\\x01`, an ANSI escape); each is written with Python's escapes, a backslash
doubled, so that no two modules become one node.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import run_cli, write_tree

from archgraph.report.export import xml_text

FOLDERS = ["ctl\x01x", "esc\x1b[31mred", "back\\x01slash", "tab\tand\x7fdel"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {"pkg/__init__.py": "", "pkg/core.py": ""}
    for name in FOLDERS:
        files[f"pkg/{name}/__init__.py"] = ""
        files[f"pkg/{name}/m.py"] = "import pkg.core\n"
    return write_tree(tmp_path_factory.mktemp("names"), files)


@pytest.mark.parametrize("export_format", ["graphml", "gexf"])
def test_control_characters_in_module_names_keep_the_xml_well_formed(
    project: Path, tmp_path: Path, export_format: str
) -> None:
    output = tmp_path / f"graph.{export_format}"
    code, _stdout, stderr = run_cli(
        ["export", project, "-p", "pkg", "--no-cache", "--format", export_format, "-o", output]
    )
    assert code == 0, stderr

    root = ET.fromstring(output.read_bytes())  # raised "not well-formed" before

    ids = {element.get("id") for element in root.iter() if element.tag.endswith("}node")}
    assert {f"pkg.{xml_text(name)}.m" for name in FOLDERS} <= ids
    assert "pkg.ctl\\x01x.m" in ids and "pkg.back\\\\x01slash.m" in ids  # two modules, two nodes
    assert "pkg.tab\tand\x7fdel.m" in ids  # XML 1.0 holds these two as they are
    assert len(ids) == 2 + 2 * len(FOLDERS)


def test_xml_text_gives_each_name_its_own_text() -> None:
    names = ["a\x01", "a\\x01", "a\\\\x01", "a\\", "a"]
    assert len({xml_text(name) for name in names}) == len(names)
    assert xml_text("plain.name_ünï") == "plain.name_ünï"
