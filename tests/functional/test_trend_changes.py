"""`archgraph trend` shows new and fixed violations per commit, not only net counts, and
`--concept` picks the families followed."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from helpers import run_cli

from tests.functional.test_trend import build_history

CONTRACT = """
[archgraph]
root_packages = ["app"]

[[contracts]]
id = "no-db-in-api"
name = "The api does not import the database"
type = "forbidden"
source_modules = ["app.api"]
forbidden_modules = ["app.db"]
"""


def dispatcher(name: str) -> str:
    return f"class {name}:\n    def dispatch(self, tool):\n        pass\n\n    def register(self, tool):\n        pass\n"


def notifier(name: str) -> str:
    return f"class {name}:\n    def send(self, message):\n        pass\n\n    def close(self):\n        pass\n"


def api_modules(importing_db: set[str]) -> dict[str, str]:
    return {
        f"app/api/{name}.py": ("from app import db\n" if name in importing_db else "")
        for name in ("users", "orders", "carts", "search", "admin")
    }


HISTORY = [
    (
        "Four api modules read the database",
        {
            "contracts/architecture.toml": CONTRACT,
            "app/__init__.py": "",
            "app/db.py": "",
            "app/api/__init__.py": "",
            **api_modules({"users", "orders", "carts", "search"}),
            "app/tools/__init__.py": "",
            "app/tools/local.py": dispatcher("LocalToolDispatcher"),
            "app/tools/remote.py": dispatcher("RemoteToolDispatcher"),
            "app/notify/__init__.py": "",
            "app/notify/mail.py": notifier("MailNotifier"),
            "app/notify/sms.py": notifier("SmsNotifier"),
        },
    ),
    (
        "Three fixed, one new",
        {**api_modules({"search", "admin"}), "app/tools/admin.py": dispatcher("AdminToolDispatcher")},
    ),
]


def test_a_commit_that_fixes_three_and_adds_one_shows_both(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    build_history(repository, HISTORY)
    output = tmp_path / "trend.json"
    code, _out, err = run_cli(["trend", repository, "--revs", "main", "-o", output, "--concept", "*ToolDispatcher"])
    assert code == 0, err
    document = json.loads(output.read_text())
    first, second = (c["contracts"]["no-db-in-api"] for c in document["commits"])
    assert (first["violations"], first["new"], first["fixed"]) == (4, None, None)
    assert (second["violations"], second["new"], second["fixed"]) == (2, 1, 3)  # not a net -2
    assert [k["importer"] for k in second["new_violations"]] == ["app.api.admin"]
    assert [k["importer"] for k in second["fixed_violations"]] == ["app.api.carts", "app.api.orders", "app.api.users"]
    assert all(k["imported"] == "app.db" and k["contract"] == "no-db-in-api" for k in second["fixed_violations"])
    # --concept: only the families of the concept being migrated, however many others there are.
    assert document["concept"] == "*ToolDispatcher"
    assert [sorted(c["families"]) for c in document["commits"]] == [["ToolDispatcher"], ["ToolDispatcher"]]
    assert [c["families"]["ToolDispatcher"]["implementations"] for c in document["commits"]] == [2, 3]

    everything = tmp_path / "all.json"
    assert run_cli(["trend", repository, "--revs", "main", "-o", everything])[0] == 0
    families = json.loads(everything.read_text())["commits"][0]["families"]
    assert sorted(families) == ["Notifier", "ToolDispatcher"]

    chart = tmp_path / "trend.svg"
    assert run_cli(["trend", repository, "--revs", "main", "-o", chart])[0] == 0
    ids = {e.get("id", "") for e in ElementTree.fromstring(chart.read_text()).iter()}
    assert {"new:no-db-in-api:1", "fixed:no-db-in-api:1"} <= ids  # the bars of the second commit
    bars = {
        e.get("id"): e for e in ElementTree.fromstring(chart.read_text()).iter() if e.get("id", "").startswith(("new:", "fixed:"))
    }
    assert len(bars) == 4  # one new and one fixed bar per commit
