"""The pictures of docs/diagrams.md: each one the page shows is there, small, and of a shape a
page can hold (`make docs-pictures` draws them from the bundled example)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
VIEWS = {"default.png", "focus.png", "contract-layers.png", "contract-protected.png", "matrix.png",
         "families.png", "concept.png", "report.png"}


def test_every_view_is_shown_with_a_small_picture_of_page_shape() -> None:
    shown = set(re.findall(r"!\[[^\]]+\]\(([^)]+\.png)\)", (DOCS / "diagrams.md").read_text(encoding="utf-8")))
    assert shown == VIEWS
    for name in sorted(shown):
        data = (DOCS / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = struct.unpack(">II", data[16:24])
        assert len(data) < 200_000, (name, len(data))
        assert 1 / 3 <= width / height <= 3 and 300 <= max(width, height) <= 4000, (name, width, height)
