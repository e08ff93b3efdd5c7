"""Process-wide settings the command line makes for its own process, and no library call makes.

`archgraph.run()`, the use cases and the pytest plugin run inside someone else's process: they
leave its environment and its file descriptors as they found them. The command line owns its
process and sets it up here (see archgraph.__main__). Speed is not sought here: the garbage
collector, for one, runs as Python sets it (what a run allocates is the engine's business).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

# grimp's Rust parser recurses once per nesting level on its scanning threads, whose stack is
# 2 MiB: `x = 1 + 1 + ...` with 100,000 terms (generated code) overflowed it and the whole process
# died with SIGSEGV. Rust sizes the threads it spawns from RUST_MIN_STACK, read when the first
# thread starts; the memory is only reserved, and used only by files that need it. Measured:
# such a sum needs 70-80 bytes a term (100,000 terms pass with 8 MiB, 400,000 with 32 MiB), so
# 64 MiB parses close to a million. Reserved per thread: 512 MiB kept 8 threads from starting
# under a 4 GB address-space limit (`ulimit -v`); 8 x 64 MiB start under 2 GB.
PARSER_STACK_BYTES = 64 * 1024 * 1024


def deep_parser_stacks(environ: MutableMapping[str, str] = os.environ) -> None:
    """Give grimp's scanning threads room for deeply nested code, unless the user chose a size.

    Call before grimp starts its threads: Rust reads the variable once.
    """
    environ.setdefault("RUST_MIN_STACK", str(PARSER_STACK_BYTES))
