"""Every output stays valid when module names, file paths and contract names are hostile.

Directories may be named anything importlib can load (`a&b<c>`, `x:y`, a newline, an ANSI escape,
a right-to-left override...), so module names and paths reach every renderer; contract names may
hold anything. test_html.py and test_diagram.py cover hostile contract ids and names on the shop
fixture; this file covers hostile *module names and paths* through the command line.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from helpers import run_cli, write_tree

HOSTILE_DIRECTORIES = [
    "a&b<c>",
    'q"t\'',
    "{brace}",
    "ünï漢",
    "new\nline",
    "<img src=x onerror=alert(1)>",
    "x:y",
    "esc\x1b[31mred",
    "bidi\u202eevil",
    "%0A::error file=x::",
    "]]>--><!--",
    "back\\slash",
]
HOSTILE_NAME = 'Core <b>&amp; "quoted" {braces} ünï\nline </script><script>alert(1)</script> ]]> %0A \x1b[2J'
CONTRACTS = f"""
[archgraph]
root_packages = ["pkg"]

[[contracts]]
id = "core-protected"
name = {json.dumps(HOSTILE_NAME)}
type = "protected"
modules = ["pkg.core"]
allowed_importers = ["pkg.svc"]

[[contracts]]
name = "No cycles"
type = "acyclic"
packages = ["pkg"]
"""
SARIF_SCHEMA = Path(__file__).parents[1] / "fixtures" / "sarif-schema-2.1.0.json"
# What a terminal or a log viewer would act on: controls (ANSI escapes) and bidi overrides.
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files: dict[str, str] = {
        "pkg/__init__.py": "",
        "pkg/core.py": "",
        "pkg/svc.py": "import pkg.core\n",
        "contracts/arch.toml": CONTRACTS,
    }
    for name in HOSTILE_DIRECTORIES:
        files[f"pkg/{name}/__init__.py"] = "import pkg.svc\n"
        files[f"pkg/{name}/m.py"] = "import pkg.core\n"
    return write_tree(tmp_path_factory.mktemp("hostile"), files)


def hostile_modules() -> set[str]:
    return {f"pkg.{name}.m" for name in HOSTILE_DIRECTORIES}


def run(project: Path, *args: str) -> str:
    code, stdout, stderr = run_cli([*args, str(project), "--no-cache"])
    assert code in (0, 1), stderr
    return stdout


def test_json_keeps_every_name_exactly(project: Path) -> None:
    report = json.loads(run(project, "check", "--format", "json"))
    protected = report["contracts"][0]
    assert protected["name"] == HOSTILE_NAME
    assert {v["importer"] for v in protected["violations"]} == hostile_modules()
    files = {v["file"] for v in protected["violations"]}
    assert files == {f"pkg/{name}/m.py" for name in HOSTILE_DIRECTORIES}


def test_sarif_is_valid_and_keeps_the_paths(project: Path) -> None:
    log = json.loads(run(project, "check", "--format", "sarif"))
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text("utf-8")))
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in log["runs"][0]["results"]
        if result["ruleId"] == "core-protected"
    }
    assert len(uris) == len(HOSTILE_DIRECTORIES)
    assert all(" " not in uri and "\n" not in uri and "<" not in uri for uri in uris)


def test_junit_is_well_formed_xml(project: Path) -> None:
    suites = ET.fromstring(run(project, "check", "--format", "junit"))
    names = [case.get("name") for case in suites.iter("testcase")]
    assert f"{HOSTILE_NAME.replace(chr(27), chr(92) + 'x1b')} [core-protected]" in names
    failure = next(suites.iter("failure"))
    assert failure.text is not None and "pkg.a&b<c>.m -> pkg.core" in failure.text
    assert not INVISIBLE.search(failure.text)


def test_text_lines_cannot_be_forged_or_act_on_the_terminal(project: Path) -> None:
    text = run(project, "check")
    assert not INVISIBLE.search(text)
    assert "pkg.new\\nline.m -> pkg.core" in text  # the newline is shown, not obeyed
    assert "pkg.esc\\x1b[31mred.m" in text and "pkg.bidi\\u202eevil.m" in text
    starts = {line.split()[0] for line in text.splitlines() if line.startswith(("BROKEN", "KEPT"))}
    assert starts == {"BROKEN", "KEPT"}
    assert sum(line.startswith(("BROKEN", "KEPT")) for line in text.splitlines()) == 2


def test_github_annotations_are_one_command_per_line(project: Path) -> None:
    text = run(project, "check", "--format", "github")
    lines = text.splitlines()
    # One plain summary line ends the output; everything else is a workflow command.
    assert [line for line in lines if not line.startswith("::")] == [lines[-1]]
    assert lines[-1].startswith("archgraph: 1 kept, 1 broken")
    violations = [line for line in lines if "title=archgraph core-protected" in line]
    assert len(violations) == len(HOSTILE_DIRECTORIES)


class Tags(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_report_runs_no_injected_markup(project: Path, tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    code, _stdout, stderr = run_cli(["report", str(project), "--no-cache", "-o", str(page_file)])
    assert code in (0, 1), stderr
    page = page_file.read_text("utf-8")
    tags = Tags(page).tags
    assert not [tag for tag, _ in tags if tag == "img"]
    assert not [(tag, a) for tag, attributes in tags for a in attributes if a.startswith("on")]
    scripts = [attributes for tag, attributes in tags if tag == "script"]
    assert all(a.get("type") in ("application/json", "module", None) for a in scripts)
    assert len(scripts) <= 3
    assert "pkg.a&amp;b&lt;c&gt;.m" in page or "pkg.a\\u0026b\\u003cc\\u003e.m" in page


@pytest.mark.parametrize("suffix", ["svg", "dot"])
def test_diagrams_draw(project: Path, tmp_path: Path, suffix: str) -> None:
    """A module in a directory named `x:y` made the whole diagram a Graphviz syntax error."""
    output = tmp_path / f"graph.{suffix}"
    code, _stdout, stderr = run_cli(["render", str(project), "--no-cache", "-o", str(output)])
    assert code == 0, stderr
    content = output.read_text("utf-8")
    if suffix == "svg":
        svg = ET.fromstring(content)
        titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
        assert "pkg.x:y.m" in titles and "pkg.a&b<c>.m" in titles
        assert not [e for e in svg.iter() if e.tag.endswith("script")]
    else:
        assert '"pkg.x:y.m" -> "pkg.core"' in content


@pytest.mark.parametrize("export_format", ["json", "graphml", "gexf", "mermaid", "dot"])
def test_exports_parse(project: Path, export_format: str) -> None:
    text = run(project, "export", "--format", export_format)
    if export_format == "json":
        nodes = {node["id"] for node in json.loads(text)["nodes"]}
        assert hostile_modules() <= nodes
    elif export_format in ("graphml", "gexf"):
        root = ET.fromstring(text.encode("utf-8"))
        ids = {element.get("id") for element in root.iter() if element.tag.endswith("node")}
        assert "pkg.a&b<c>.m" in ids and "pkg.x:y.m" in ids
    elif export_format == "mermaid":
        body = [line.strip() for line in text.splitlines()[2:] if line.strip()]
        pattern = re.compile(r'^(subgraph \w+\["[^"\n]*"\]|end|\w+\["[^"\n]*"\]|\w+ -->(\|"[^"\n]*"\|)? \w+|linkStyle [\d,]+ .*|classDef .*|class .*|style .*)$')
        assert [line for line in body if not pattern.match(line)] == []
    else:
        assert '"pkg.x:y.m" -> "pkg.core"' in text or '"pkg.x:y.m" -> "pkg.core" ' in text


CLASS = "class ToolDispatcher:\n    def run(self):\n        return 1\n\n    def stop(self):\n        return 2\n"


@pytest.fixture(scope="module")
def class_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Competing classes in hostile directories (fewer than ten: with ten or more subpackages,
    `families` takes them for side-by-side plugins)."""
    files = {"pkg/__init__.py": "", "pkg/core.py": CLASS}
    for name in ["new\nline", "esc\x1b[31mred", "<img src=x onerror=alert(1)>", "x:y"]:
        files[f"pkg/{name}/__init__.py"] = ""
        files[f"pkg/{name}/m.py"] = CLASS
    return write_tree(tmp_path_factory.mktemp("classes"), files)


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_families_reports_stay_valid(class_project: Path, output_format: str) -> None:
    text = run(class_project, "families", "-p", "pkg", "--format", output_format)
    if output_format == "text":
        assert not INVISIBLE.search(text)
        assert "pkg.new\\nline.m.ToolDispatcher" in text
        assert "pkg.esc\\x1b[31mred.m.ToolDispatcher" in text
    else:
        (family,) = json.loads(text)["families"]
        assert "pkg.x:y.m.ToolDispatcher" in family["roots"]
        assert "pkg.new\nline.m.ToolDispatcher" in family["roots"]  # exact, escaped by JSON
        assert {c["file"] for c in family["classes"]} >= {"pkg/x:y/m.py", "pkg/esc\x1b[31mred/m.py"}


def test_families_refuses_formats_it_cannot_write(class_project: Path) -> None:
    """`families --format sarif` (junit, github) printed the text report: CI got the wrong file."""
    code, stdout, stderr = run_cli(["families", str(class_project), "-p", "pkg", "--format", "sarif"])
    assert code == 2 and stdout == "" and "sarif" in stderr


def test_markdown_items_stay_one_line_with_whole_links(project: Path) -> None:
    """A newline in a path ended the list item, and `)`, `<` or a space in a directory name
    ended the link early."""
    text = run(project, "check", "--format", "markdown")
    assert not INVISIBLE.search(text)
    items = [line for line in text.splitlines() if line.startswith("- [")]
    assert len(items) == 10  # the first ten violations; the rest are counted
    for item in items:
        target = re.match(r"- \[`[^`\n]*`\]\(([^)\s]*)\) ", item)
        assert target is not None, item
        assert target.group(1).endswith("/m.py#L1"), item
    assert "(pkg/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/m.py#L1)" in text
