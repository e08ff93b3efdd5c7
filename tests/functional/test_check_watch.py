"""`archgraph check --watch`: a real process watching a real tree, each edit reported as the
violations it brings and those it fixes."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import write_tree
from tests.layered_shop import contracts, shop

pytest.importorskip("watchfiles")
pytestmark = pytest.mark.slow  # a watching process

CONTRACTS = contracts()
SHOP = shop()


class Watcher:
    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "archgraph", "check", "--watch", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, text: str, timeout: float = 30) -> list[str]:
        """The lines read until one that contains `text` (included)."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no line with {text!r} in {seen}") from None
            seen.append(line)
            if text in line:
                return seen


def test_each_edit_prints_the_violations_it_brings_and_fixes(tmp_path: Path) -> None:
    write_tree(tmp_path, SHOP)
    watcher = Watcher(tmp_path)
    try:
        assert any("KEPT" in line for line in watcher.until("watching"))
        # The watch starts just after that line: the first edit is written again until seen.
        for attempt in range(10):
            (tmp_path / "shop/data.py").write_text("import os\nfrom shop import api\n")
            try:
                heading, *rest = watcher.until("shop.data -> shop.api", timeout=3)[-2:]
                break
            except AssertionError:
                assert attempt < 9, "the watch never saw the edit"
        assert "shop/data.py changed: 1 new, 0 fixed; contracts broken" in heading
        assert rest == ["  new [layers] shop.data -> shop.api"]

        (tmp_path / "shop/services.py").write_text("from shop import data\n# a comment\n")
        unchanged = watcher.until("shop/services.py changed")[-1]
        assert "shop/services.py changed: 0 new, 0 fixed; contracts broken" in unchanged

        (tmp_path / "shop/data.py").write_text("import os\n")
        heading, fixed = watcher.until("fixed [layers]")[-2:]
        assert "shop/data.py changed: 0 new, 1 fixed; contracts kept" in heading
        assert fixed == "fixed [layers] shop.data -> shop.api"
    finally:
        watcher.process.send_signal(signal.SIGTERM)
        assert watcher.process.wait(timeout=10) == 143
