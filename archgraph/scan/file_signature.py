"""What a check reads of one file, as digests: to tell, without scanning the tree again, that an
edited file still says the same to every contract (`check --affected`, usecases/affected_record.py).

A file's signature holds a digest of its import rows (grimp's: imported module, line, line
text, lazy) and of its audit scan (the climb of its relative imports, the names its dynamic
imports may name, the names its import statements name, its `# archgraph: ignore[...]`
comments); and, when the run read them, of the audit's own import rows and dynamic import
calls and of the kinds of its imports (each read only for the files a check asked about:
their other versions cannot change a verdict that never read them).
Two versions of a file with the same signature give the same graph, the same audit findings and
the same suppressions, so every verdict on imports is the same.

A file the scan left out (unparsable, too large, read from a prepared text) has no signature:
any change to it means scanning again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from archgraph.scan.finder import ModuleSource

# (imports and audit scan, then what the run read of the file only when it needed it: the
# audit's import rows and its dynamic import calls, or None; the import kinds or None)
Signature = tuple[bytes, bytes | None, bytes | None]
_WORD = re.compile(r"\w+")


def digest(value: object) -> bytes:
    """A digest of plain data (tuples, strings, numbers, None): equal values, equal digests.

    The scan keeps every part of a signature in tuples, in memory and in its caches (marshal
    gives back the tuples it was given): the same data in a list would only differ, and make
    the file be read again."""
    text = repr(value).encode("utf-8", "backslashreplace")
    return _blake2b(text, digest_size=16).digest()


_blake2b = hashlib.blake2b


def signature_of(
    rows: Sequence[Any], scan: Sequence[Any], parsed: tuple[object, object], kinds: object
) -> Signature:
    """`scan`: (climb, dynamic names, targets, suppressions); `parsed`: (the audit's import
    rows, its dynamic calls), each None when not read; `kinds`: None when not read."""
    return (
        digest((tuple(rows), tuple(scan))),
        None if parsed == (None, None) else digest(parsed),
        None if kinds is None else digest(kinds),
    )


def recorded_signatures(
    sources: Iterable[ModuleSource],
    import_entries: Mapping[str, tuple[str, Any, Any]],
    audit_entries: Mapping[str, list[Any]],
    kinds_read: Collection[str],
) -> dict[str, Signature]:
    """The signature of each file as the scan just read it, from the store's entries for the
    file's version (its stamp); a file without both entries has none."""
    found: dict[str, Signature] = {}
    for source in sources:
        imported = import_entries.get(source.module)
        audited = audit_entries.get(source.path)
        if imported is None or audited is None:
            continue
        if imported[0] != source.path or tuple(imported[1]) != source.stamp:
            continue
        if tuple(audited[0]) != source.stamp:
            continue
        kinds = audited[5]
        if source.module in kinds_read and kinds is None:
            continue  # kinds read but not kept: nothing to compare an edit with
        found[source.module] = signature_of(
            imported[2],
            (audited[1], audited[2], audited[3], audited[6]),
            (audited[4], audited[7]),
            kinds,
        )
    return found


def current_signature(
    source: ModuleSource,
    package: str,
    directory: str,
    resolvable: Callable[[set[str]], Iterable[str]],
    namespace: Iterable[str],
    include_external_packages: bool,
    recorded: Signature,
) -> Signature | None:
    """The signature of the file's content now, read the way a scan reads it, with the parts
    `recorded` has; None when the scan would not read it as it is (a prepared text, a file
    the scanner cannot parse or decode).

    `resolvable(words)`: the modules of the file's root package (`package` in `directory`)
    that imported names resolve against, of those whose every part is one of the words of the
    file or of its own name: the others cannot be named by its imports (a relative import
    names its module's own parts). `namespace`: the package's namespace modules.
    """
    from archgraph.scan import grimp_api  # noqa: PLC0415 - the scan's own start-up
    from archgraph.scan.file_scan import (  # noqa: PLC0415
        FileScan,
        dynamic_imports,
        read_whole,
    )
    from archgraph.scan.import_blocks import import_kinds  # noqa: PLC0415
    from archgraph.scan.prepared import python_text_of  # noqa: PLC0415
    from archgraph.scan.python_source import SourceTexts  # noqa: PLC0415
    from archgraph.scan.scanner_errors import is_panic  # noqa: PLC0415
    from archgraph.scan.syntax import LazyTree  # noqa: PLC0415

    try:
        data = read_whole(source.path, source.stamp[0])
    except OSError:
        return None
    if python_text_of(source, data, SourceTexts()) is not None:
        return None  # Python reads it otherwise than as it is: the full check says how
    words = set(_WORD.findall(data.decode("utf-8", "replace")))
    words.update(source.module.split("."))
    named = list(resolvable(words))
    found = grimp_api.found_package(
        package, directory, named, [m for m in namespace if words.issuperset(m.split("."))]
    )
    try:
        scanned = grimp_api.scan_for_imports(
            module_files=[(source.module, source.mtime)],
            found_packages={found},
            include_external_packages=include_external_packages,
            exclude_type_checking_imports=False,
        )
    except BaseException as error:
        if isinstance(error, Exception) or is_panic(error):
            return None
        raise
    tree = LazyTree(data)
    scan = FileScan.of(data, source, tree)
    parsed_parts: tuple[object, object] = (None, None)
    if recorded[1] is not None:
        # Read when the run needed them, each on its own: both are compared, so that a file
        # whose run read only one of them differs from this one (and is checked again).
        from archgraph.scan.extract import extract_imports  # noqa: PLC0415

        audit_rows = tuple(
            (f.line, f.level, f.module, f.is_from, f.in_try) for f in extract_imports(data, tree())
        )
        parsed_parts = (audit_rows, tuple(dynamic_imports(data, tree())))
    kinds = tuple(import_kinds(data, None)) if recorded[2] is not None else None
    current = signature_of(
        scanned.get(source.module, ()),
        (scan.climb, scan.dynamic_names, scan.targets, scan.suppressions),
        parsed_parts,
        kinds,
    )
    if recorded[1] is not None and current[1] != recorded[1]:
        # The run read only one of the two: compare what it read.
        for partial in ((parsed_parts[0], None), (None, parsed_parts[1])):
            if digest(partial) == recorded[1]:
                return (current[0], recorded[1], current[2])
    return current
