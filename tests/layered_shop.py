"""A three-layer shop (api above services above data) for the tests of the long-running
commands: the language server, the MCP server and `check --watch` edit it and watch the verdict."""

from __future__ import annotations


def contracts(hint: str | None = None) -> str:
    """The one layers contract, with an optional hint."""
    text = (
        '[archgraph]\nroot_packages = ["shop"]\n\n[[contracts]]\nid = "layers"\nname = "Layers"\n'
        'type = "layers"\ncontainers = ["shop"]\nlayers = ["api", "services", "data"]\n'
    )
    return text + (f'hint = "{hint}"\n' if hint else "")


def shop(hint: str | None = None, **more: str) -> dict[str, str]:
    """The shop's files, its contract, and `more` (path -> text)."""
    return {
        "shop/__init__.py": "",
        "shop/api.py": "from shop import services\n",
        "shop/services.py": "from shop import data\n",
        "shop/data.py": "import os\n",
        **more,
        "contracts/architecture.toml": contracts(hint),
    }
