"""The same code gives byte-identical reports, whatever the file-system order, the process's
string-hash seed or the order in which grimp's scanning threads finish."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from generated import generated_files, write_shuffled

# Full runs in subprocesses, seconds in all: `-m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

FILES = {"text": "report.txt", "json": "report.json", "sarif": "report.sarif", "junit": "report.junit.xml"}


def reports(root: Path, out: Path, hash_seed: str, cache: Path | None = None) -> dict[str, str]:
    """Every format from one run, with the root path normalised."""
    cache_args = ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    formats = [arg for name in FILES for arg in ("--format", name)]
    completed = subprocess.run(
        [sys.executable, "-m", "archgraph", "check", str(root), *formats, "--output-dir", str(out),
         "--quiet", *cache_args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
    )
    assert completed.returncode == 1, completed.stderr  # the generated tree breaks its contracts
    return {
        name: (out / file).read_text("utf-8").replace(str(root), "<ROOT>")
        for name, file in FILES.items()
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    """The same 450 modules written in two orders into two directories, checked four ways."""
    files = generated_files(packages=10, subpackages=4, modules=10)
    base = tmp_path_factory.mktemp("determinism")
    first = write_shuffled(base / "first", files, order_seed=1)
    second = write_shuffled(base / "second", files, order_seed=2)
    return [
        reports(first, base / "out1", hash_seed="1"),
        reports(second, base / "out2", hash_seed="2"),
        reports(first, base / "out3", hash_seed="3", cache=base / "cache"),  # cold cache
        reports(first, base / "out4", hash_seed="4", cache=base / "cache"),  # warm cache
    ]


@pytest.mark.parametrize("output_format", FILES)
def test_reports_are_byte_identical(runs: list[dict[str, str]], output_format: str) -> None:
    texts = [run[output_format] for run in runs]
    assert texts[0], "empty report"
    for index, text in enumerate(texts[1:], start=2):
        assert text == texts[0], f"run {index} differs from run 1 ({output_format})"
