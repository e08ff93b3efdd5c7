"""How long `archgraph lsp` takes to publish diagnostics after an edit of a buffer, on a large
project: the time from a didChange to the publishDiagnostics of the edited file, median of
several edits of each kind.

Three kinds of edit, in rounds: adding a breaking import, typing a comment (no import
changes: the last verdicts stand), removing the import. The server is a real process talking the protocol over stdio (the client of the tests). The
first didOpen pays for the cold scan (in memory: no cache folder is read); every edit after it
is served warm. Usage:

    python benchmarks/lsp_latency.py                    # Home Assistant (the benchmark corpus)
    python benchmarks/lsp_latency.py --edits 20 --file homeassistant/helpers/json.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.stdio_clients import LanguageClient

BENCH = Path.home() / ".cache/archgraph-bench"
CORPUS = BENCH / "corpora/homeassistant-2026.2.3"
CONFIG = BENCH / "configs/homeassistant-2026.2.3.archgraph.toml"
FILE = "homeassistant/helpers/json.py"
# helpers over core: an import of an integration from helpers breaks the `layers` contract.
BREAKING = "from homeassistant.components import sensor  # added by the benchmark"


def measure(corpus: Path, config: Path, file: str, edits: int, breaking: str = BREAKING) -> None:
    client = LanguageClient(corpus, ["--config", str(config)])
    try:
        client.initialize()
        text = (corpus / file).read_text()
        started = time.perf_counter()
        client.open(file, text)
        before = client.diagnostics(file, timeout=600)
        cold = time.perf_counter() - started
        print(f"first diagnostics (cold scan in memory): {cold:.2f} s, {len(before)} on {file}")
        # Each round: add the breaking import, then type a comment (no import changes), then
        # remove both; the diagnostics of the file are checked after each edit.
        kinds = {"adding the violation": [], "an edit that changes no import": [], "removing it": []}
        cpu_kinds: dict[str, list[float]] = {kind: [] for kind in kinds}
        edits_made = 0
        while edits_made < edits:
            for kind, buffer, expected in (
                ("adding the violation", breaking + text, len(before) + 1),
                ("an edit that changes no import", breaking + text + "# typed\n", len(before) + 1),
                ("removing it", text, len(before)),
            ):
                started, cpu = time.perf_counter(), cpu_seconds(client.process.pid)
                client.change(file, buffer)
                found = client.diagnostics(file, timeout=120)
                kinds[kind].append(time.perf_counter() - started)
                cpu_after = cpu_seconds(client.process.pid)
                if cpu is not None and cpu_after is not None:
                    cpu_kinds[kind].append(cpu_after - cpu)
                if len(found) != expected:
                    raise SystemExit(f"{kind}: {len(found)} diagnostics, expected {expected}")
                edits_made += 1
        every = [t for times in kinds.values() for t in times]
        print(
            f"after a didChange ({edits_made} edits): median {statistics.median(every) * 1000:.0f} ms;"
            + ";".join(
                f" {kind} {statistics.median(times) * 1000:.0f} ms"
                f" ({min(times) * 1000:.0f}-{max(times) * 1000:.0f})"
                for kind, times in kinds.items()
            )
        )
        if all(cpu_kinds.values()):
            # On a loaded machine the wall time is mostly waiting for a CPU: the server's own
            # CPU time (all its threads) is what an idle machine would take.
            print(
                "server CPU time per edit (median):"
                + ";".join(
                    f" {kind} {statistics.median(times) * 1000:.0f} ms" for kind, times in cpu_kinds.items()
                )
            )
        client.shutdown()
    finally:
        if client.process.poll() is None:
            client.process.kill()


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user + system, every thread) the process has used; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--file", default=FILE, help="the buffer edited (relative to the corpus)")
    parser.add_argument("--edits", type=int, default=15, help="edits made (rounds of three)")
    parser.add_argument("--breaking", default=BREAKING, help="the import line added, which must break a contract")
    arguments = parser.parse_args()
    measure(arguments.corpus, arguments.config, arguments.file, arguments.edits, arguments.breaking + "\n")


if __name__ == "__main__":
    main()
