"""One versioned marshal file per cache: read as a miss when anything is off, written atomically.

Every cache of the scan stage (imports, facts, symbol memo, import audit, class model) goes
through these two functions, so each treats a corrupt, foreign or read-only cache the same way.
"""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

from archgraph.atomic import write_atomically


def load(file: Path | None, version: object) -> tuple[Any, ...] | None:
    """The payload stored under `version`, or None: a missing, corrupt or foreign file is a miss."""
    if file is None:
        return None
    try:
        stored = marshal.loads(file.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(stored, tuple) or not stored or stored[0] != version:
        return None
    return stored[1:]


def store(file: Path | None, version: object, *payload: Any) -> None:
    """Write `(version, *payload)`; a read-only cache folder (or unmarshallable data) only costs speed."""
    if file is None:
        return
    try:
        record: Any = (version, *payload)
        data = marshal.dumps(record)
    except ValueError:
        return
    try:
        write_atomically(file, data)
    except OSError:
        return
