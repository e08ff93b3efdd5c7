"""Small helpers shared by the tests."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write `files` (relative path -> text) under root, creating parents; returns root.

    Indented text (a triple-quoted block) is dedented and loses its opening newline.
    """
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(content)
        if text != content:
            text = text.removeprefix("\n")
        path.write_text(text, encoding="utf-8")
    return root
