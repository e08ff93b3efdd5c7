"""`archgraph mcp`: a real server process, driven over stdio as an agent's client drives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import write_tree
from tests.layered_shop import contracts, shop
from tests.stdio_clients import AgentClient

pytest.importorskip("mcp")
pytestmark = pytest.mark.slow  # a server process each

CONTRACTS = contracts(hint="data must not know its callers")
SHOP = shop(
    hint="data must not know its callers",
    **{
        "shop/other.py": "",
        "shop/api_client.py": "class Client:\n    def send(self): ...\n",
        "shop/data_client.py": "class Client:\n    def send(self): ...\n",
    },
)


@pytest.fixture
def agent(tmp_path: Path):
    write_tree(tmp_path, SHOP)
    client = AgentClient(tmp_path)
    client.initialize()
    yield client
    if client.process.poll() is None:
        client.close()


def test_the_tools_are_listed_with_their_parameters(agent: AgentClient) -> None:
    tools = {tool["name"]: tool for tool in agent.request("tools/list")["tools"]}
    assert sorted(tools) == ["audit", "check", "explain_contract", "families", "why"]
    assert set(tools["why"]["inputSchema"]["required"]) == {"importer", "imported"}
    assert "files" in tools["check"]["inputSchema"]["properties"]


def test_check_sees_each_change_on_disk_and_can_be_limited_to_files(agent: AgentClient) -> None:
    first = agent.call("check")
    assert first["summary"]["violations"] == 0 and first["summary"]["exit_code"] == 0

    (agent.root / "shop/data.py").write_text("import os\nfrom shop import services\n")
    broken = agent.call("check")
    [contract] = broken["contracts"]
    [violation] = contract["violations"]
    assert (violation["importer"], violation["imported"]) == ("shop.data", "shop.services")
    assert broken["summary"]["exit_code"] == 1

    unrelated = agent.call("check", {"files": ["shop/other.py"]})
    assert unrelated["contracts"][0]["violations"] == []
    assert unrelated["affected"]["changed_files"] == 1
    related = agent.call("check", {"files": ["shop/data.py"]})
    assert len(related["contracts"][0]["violations"]) == 1

    contracts = agent.root / "contracts/architecture.toml"
    contracts.write_text(CONTRACTS.replace("layers = [", "layres = ["))
    broken_configuration = agent.request("tools/call", {"name": "check", "arguments": {}})
    assert broken_configuration["isError"] is True
    message = broken_configuration["content"][0]["text"]
    assert "invalid configuration" in message and "layres" in message


def test_why_and_explain_contract_answer_in_json(agent: AgentClient) -> None:
    chains = agent.call("why", {"importer": "shop.api", "imported": "shop.data"})
    assert chains["chains"] == [
        [
            {"importer": "shop.api", "imported": "shop.services", "lines": [1]},
            {"importer": "shop.services", "imported": "shop.data", "lines": [1]},
        ]
    ]
    explained = agent.call("explain_contract", {"contract_id": "layers"})
    assert explained["type"] == "layers"
    assert explained["file"] == "contracts/architecture.toml"
    assert explained["line"] == 4
    assert explained["hint"] == "data must not know its callers"
    assert explained["text"] == CONTRACTS[CONTRACTS.index("[[contracts]]") :].rstrip("\n")
    assert explained["allowed"][0] == "api may import services, data (within shop)"

    unknown = agent.request("tools/call", {"name": "explain_contract", "arguments": {"contract_id": "layer"}})
    assert unknown["isError"] is True
    assert "did you mean 'layers'" in unknown["content"][0]["text"]


def test_families_and_audit_answer_in_json(agent: AgentClient) -> None:
    [duplicate] = agent.call("families")["duplicates"]
    assert duplicate["name"] == "Client"
    assert [d["module"] for d in duplicate["definitions"]] == ["shop.api_client", "shop.data_client"]
    [card] = agent.call("audit")["scorecards"]
    assert card["concept"] == "Client" and card["competing_implementations"] == 1

