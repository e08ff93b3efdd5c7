"""`archgraph lsp`: a real server process, driven over stdio as an editor drives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import write_tree
from tests.layered_shop import contracts, shop
from tests.stdio_clients import LanguageClient

pytest.importorskip("pygls")
pytestmark = pytest.mark.slow  # a server process each

CONTRACTS = contracts(hint="data must not know its callers: pass what it needs as arguments")
SHOP = shop(hint="data must not know its callers: pass what it needs as arguments")

UPWARD = "import os\nfrom shop import api\n"


@pytest.fixture
def client(tmp_path: Path):
    write_tree(tmp_path, SHOP)
    started = LanguageClient(tmp_path)
    yield started
    if started.process.poll() is None:
        started.process.kill()
        started.process.wait()


def test_a_buffer_edit_brings_a_violation_and_its_removal_clears_it(client: LanguageClient) -> None:
    capabilities = client.initialize()["capabilities"]
    assert capabilities["codeActionProvider"]
    client.open("shop/data.py")
    assert client.diagnostics("shop/data.py") == []

    client.change("shop/data.py", UPWARD)  # not saved: the file on disk still imports os only
    [diagnostic] = client.diagnostics("shop/data.py")
    assert diagnostic["range"]["start"] == {"line": 1, "character": 0}
    assert diagnostic["range"]["end"] == {"line": 1, "character": len("from shop import api")}
    assert diagnostic["code"] == "layers"
    assert diagnostic["source"] == "archgraph"
    assert diagnostic["severity"] == 1
    assert diagnostic["message"].startswith("Layers: ")
    assert "shop.data" in diagnostic["message"] and "shop.api" in diagnostic["message"]
    assert "hint: data must not know its callers" in diagnostic["message"]
    assert (client.root / "shop/data.py").read_text() == "import os\n"

    client.change("shop/data.py", "import os\n")
    assert client.diagnostics("shop/data.py") == []
    assert client.shutdown() == 0


def test_the_code_actions_show_the_chain_and_add_the_violation_to_the_baseline(
    client: LanguageClient,
) -> None:
    contracts = client.root / "contracts/architecture.toml"
    contracts.write_text(CONTRACTS.replace("[archgraph]\n", '[archgraph]\nbaseline = "baseline.json"\n'))
    client.initialize()
    client.open("shop/data.py", "import os\nfrom shop import api\n")
    [diagnostic] = client.diagnostics("shop/data.py")
    actions = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": client.uri("shop/data.py")},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]},
        },
    )
    assert [action["title"] for action in actions] == [
        "archgraph: show the chain shop.data -> shop.api",
        "archgraph: suppress here for layers (then write the reason after --)",
        "archgraph: add to baseline (layers)",
    ]
    show, baseline = (actions[0]["command"], actions[2]["command"])

    text = client.request("workspace/executeCommand", {"command": show["command"], "arguments": show["arguments"]})
    assert "shop.data -> shop.api  (line 2)" in text

    client.request("workspace/executeCommand", {"command": baseline["command"], "arguments": baseline["arguments"]})
    assert '"importer": "shop.data"' in (client.root / "baseline.json").read_text()
    assert client.diagnostics("shop/data.py") == []  # known now
    assert client.shutdown() == 0


def test_a_configuration_error_is_one_diagnostic_at_its_line_until_fixed(client: LanguageClient) -> None:
    contracts = client.root / "contracts/architecture.toml"
    contracts.write_text(CONTRACTS.replace('type = "layers"', 'type = "layres"'))
    client.initialize()
    client.open("shop/data.py")
    [diagnostic] = client.diagnostics("contracts/architecture.toml")
    assert diagnostic["range"]["start"]["line"] == CONTRACTS.splitlines().index('type = "layers"')
    assert "layres" in diagnostic["message"] and "did you mean 'layers'" in diagnostic["message"]

    contracts.write_text(CONTRACTS)
    client.save("contracts/architecture.toml")
    assert client.diagnostics("contracts/architecture.toml") == []
    assert client.diagnostics("shop/data.py") == []
    assert client.shutdown() == 0


def test_a_file_changed_outside_the_editor_is_read_again_when_reported(client: LanguageClient) -> None:
    watching = {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}}
    client.initialize(watching)
    registration = client.wait_for(lambda m: m.get("method") == "client/registerCapability")
    client.send({"id": registration["id"], "result": None})
    [registered] = registration["params"]["registrations"]
    assert registered["method"] == "workspace/didChangeWatchedFiles"
    assert {"globPattern": "**/*.py"} in registered["registerOptions"]["watchers"]

    (client.root / "shop/helpers.py").write_text("")
    client.open("shop/data.py", "import os\nfrom shop import helpers\n")
    assert client.diagnostics("shop/data.py") == []

    (client.root / "shop/helpers.py").write_text("from shop import api\n")  # by git, say
    client.notify(
        "workspace/didChangeWatchedFiles", {"changes": [{"uri": client.uri("shop/helpers.py"), "type": 2}]}
    )
    [diagnostic] = client.diagnostics("shop/data.py")
    assert diagnostic["range"]["start"]["line"] == 1
    assert "chain: shop.data -> shop.helpers -> shop.api" in diagnostic["message"]
    assert client.shutdown() == 0


def test_a_violation_without_a_chain_shows_on_its_file(client: LanguageClient) -> None:
    contracts = client.root / "contracts/architecture.toml"
    contracts.write_text(CONTRACTS + "exhaustive = true\n")
    (client.root / "shop/extra.py").write_text("import os\n")
    client.initialize()
    client.open("shop/extra.py")
    [diagnostic] = client.diagnostics("shop/extra.py")
    assert diagnostic["range"]["start"] == {"line": 0, "character": 0}
    assert diagnostic["code"] == "layers"
    assert "shop.extra" in diagnostic["message"] and "layer" in diagnostic["message"]
    assert client.shutdown() == 0


def test_a_project_it_cannot_check_is_said_once_in_a_message(client: LanguageClient) -> None:
    (client.root / "contracts/architecture.toml").unlink()
    client.initialize()
    client.open("shop/data.py")
    message = client.wait_for(lambda m: m.get("method") == "window/showMessage")
    assert message["params"]["type"] == 1
    assert "no contracts found" in message["params"]["message"]
    client.change("shop/data.py", "import sys\n")
    (client.root / "contracts/architecture.toml").write_text(CONTRACTS)
    client.save("contracts/architecture.toml")
    # Analyses run one after the other: the edit's (no message again), then the save's.
    seen: list[dict[str, object]] = []
    client.wait_for(lambda m: seen.append(m) or m.get("method") == "textDocument/publishDiagnostics")
    assert [m for m in seen if m.get("method") == "window/showMessage"] == []
    assert client.shutdown() == 0


def test_the_suppression_action_writes_the_comment_whose_reason_the_author_gives(
    client: LanguageClient,
) -> None:
    client.initialize()
    client.open("shop/data.py", "import os\nfrom shop import api\n")
    [diagnostic] = client.diagnostics("shop/data.py")
    actions = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": client.uri("shop/data.py")},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]},
        },
    )
    [suppress] = [a for a in actions if "suppress" in a["title"]]
    [edit] = suppress["edit"]["changes"][client.uri("shop/data.py")]
    end = {"line": 1, "character": len("from shop import api")}
    assert edit == {"range": {"start": end, "end": end}, "newText": "  # archgraph: ignore[layers] -- "}

    # Applied and saved without a reason: the suppression is refused at its line.
    without_reason = "import os\nfrom shop import api  # archgraph: ignore[layers] -- \n"
    (client.root / "shop/data.py").write_text(without_reason)
    client.change("shop/data.py", without_reason)
    client.save("shop/data.py")
    found = client.diagnostics("shop/data.py")
    while not any("reason" in d["message"] for d in found):  # the edit's analysis, then the save's
        found = client.diagnostics("shop/data.py")
    assert {d["range"]["start"]["line"] for d in found} == {1}

    with_reason = "import os\nfrom shop import api  # archgraph: ignore[layers] -- until #412 lands\n"
    (client.root / "shop/data.py").write_text(with_reason)
    client.change("shop/data.py", with_reason)
    client.save("shop/data.py")
    found = client.diagnostics("shop/data.py")
    while found:
        found = client.diagnostics("shop/data.py")
    assert client.shutdown() == 0
