"""How long `archgraph lsp` takes to publish diagnostics after an edit of a buffer, on a large
project: the time from a didChange to the publishDiagnostics of the edited file, median of
several edits that alternately add an import breaking a contract and remove it again.

The server is a real process talking the protocol over stdio (the client of the tests). The
first didOpen pays for the cold scan (in memory: no cache folder is read); every edit after it
is served warm. Usage:

    python benchmarks/lsp_latency.py                    # Home Assistant (the benchmark corpus)
    python benchmarks/lsp_latency.py --edits 20 --file homeassistant/helpers/json.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.stdio_clients import LanguageClient  # noqa: E402 - after the repository is on the path

BENCH = Path.home() / ".cache/archgraph-bench"
CORPUS = BENCH / "corpora/homeassistant-2026.2.3"
CONFIG = BENCH / "configs/homeassistant-2026.2.3.archgraph.toml"
FILE = "homeassistant/helpers/json.py"
# helpers over core: an import of an integration from helpers breaks the `layers` contract.
BREAKING = "from homeassistant.components import sensor  # added by the benchmark\n"


def measure(corpus: Path, config: Path, file: str, edits: int) -> None:
    client = LanguageClient(corpus, ["--config", str(config)])
    try:
        client.initialize()
        text = (corpus / file).read_text()
        started = time.perf_counter()
        client.open(file, text)
        before = client.diagnostics(file, timeout=600)
        cold = time.perf_counter() - started
        print(f"first diagnostics (cold scan in memory): {cold:.2f} s, {len(before)} on {file}")
        adding, removing = [], []
        for number in range(edits):
            breaking = number % 2 == 0
            started = time.perf_counter()
            client.change(file, BREAKING + text if breaking else text)
            found = client.diagnostics(file, timeout=120)
            elapsed = time.perf_counter() - started
            (adding if breaking else removing).append(elapsed)
            expected = len(before) + (1 if breaking else 0)
            if len(found) != expected:
                raise SystemExit(f"edit {number}: {len(found)} diagnostics, expected {expected}")
        every = adding + removing
        print(
            f"after a didChange ({edits} edits): median {statistics.median(every) * 1000:.0f} ms "
            f"(adding the violation {statistics.median(adding) * 1000:.0f} ms, removing it "
            f"{statistics.median(removing) * 1000:.0f} ms; min {min(every) * 1000:.0f} ms, "
            f"max {max(every) * 1000:.0f} ms)"
        )
        client.shutdown()
    finally:
        if client.process.poll() is None:
            client.process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--file", default=FILE, help="the buffer edited (relative to the corpus)")
    parser.add_argument("--edits", type=int, default=10)
    arguments = parser.parse_args()
    measure(arguments.corpus, arguments.config, arguments.file, arguments.edits)


if __name__ == "__main__":
    main()
