"""The families report, kept while neither the analyzed files nor the question change.

A warm `archgraph families` then reads the report (the few classes its findings show) instead
of the whole class model, and skips the analysis: on Home Assistant the model's 11,000 classes
took 0.15 s to load and 0.3 s to compare, of a 0.75 s run.

The report follows from the class model (`class_cache.files_key`), the query, the modules that
are test code, and the analysis's own code. The code counts by its files' stamps rather than by
a version number: the heuristics change often, and a developer who edits one must not be shown
the old report by a warm run.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archgraph.diagnostics import Diagnostic
from archgraph.families import class_cache
from archgraph.families.classify import FamiliesQuery
from archgraph.families.findings import (
    Duplicate,
    FamiliesReport,
    Family,
    ParallelHierarchy,
    TestCode,
    Wrapper,
)
from archgraph.model.classes import ClassInfo
from archgraph.scan import cache_file

REPORT_CACHE_VERSION = 2  # 2: left-out test code is not read (its classes: None)
CACHE_NAME = "families.marshal"
KEPT_REPORTS = 8  # one per recent question (`--concept`, `--include-tests`...), the latest last

# Whose code decides the report: the analysis, and the class model it reads.
_CODE_FOLDERS = (Path(__file__).parent, Path(__file__).parent.parent / "model")


@dataclass(frozen=True, slots=True)
class KeptReport:
    """A report with what else the run shows of the class model."""

    report: FamiliesReport
    diagnostics: tuple[Diagnostic, ...]  # the class model's
    classes: int  # how many classes the model has (a progress message gives it)


def report_key(files_key: str, query: FamiliesQuery, test_modules: frozenset[str]) -> str:
    """What a kept report is valid for: the files (see `class_cache.files_key`), the query,
    the test modules and the analysis's code."""
    digest = hashlib.blake2b(
        repr((REPORT_CACHE_VERSION, files_key, query, sorted(test_modules))).encode(), digest_size=20
    )
    digest.update(repr(_code_stamps()).encode())
    return digest.hexdigest()


def _code_stamps() -> list[tuple[str, int, int]]:
    stamps = []
    for folder in _CODE_FOLDERS:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py"):
                try:
                    status = entry.stat()
                except OSError:
                    continue
                stamps.append((entry.path, status.st_size, status.st_mtime_ns))
    return sorted(stamps)


def load_report(cache_dir: Path, key: str) -> KeptReport | None:
    """The report kept under `key`, or None."""
    stored = cache_file.load(cache_dir / CACHE_NAME, REPORT_CACHE_VERSION, _valid)
    data = stored[0].get(key) if stored is not None else None
    if data is None:
        return None
    try:  # only the report asked for is unmarshalled and checked
        rows = marshal.loads(data)
        return _kept(rows) if _valid_rows(rows) else None
    except Exception:
        return None


def store_report(cache_dir: Path, key: str, kept: KeptReport) -> None:
    """Keep `kept` under `key`, with the latest few others."""
    file = cache_dir / CACHE_NAME
    stored = cache_file.load(file, REPORT_CACHE_VERSION, _valid)
    reports: dict[str, bytes] = stored[0] if stored is not None else {}
    reports.pop(key, None)
    reports = dict(list(reports.items())[-(KEPT_REPORTS - 1) :])
    try:
        reports[key] = marshal.dumps(_rows(kept))
    except ValueError:
        return
    cache_file.store(file, REPORT_CACHE_VERSION, reports)


# --- rows: findings refer to the report's classes by their index --------------------------


class _Classes:
    """The classes a report shows, each once, numbered as they are met."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self._index: dict[int, int] = {}  # by id(): a report holds the model's very objects

    def ref(self, info: ClassInfo) -> int:
        found = self._index.get(id(info))
        if found is None:
            found = self._index[id(info)] = len(self.rows)
            self.rows.append(class_cache.info_row(info))
        return found

    def refs(self, infos: Sequence[ClassInfo]) -> tuple[int, ...]:
        return tuple(map(self.ref, infos))

    def maybe(self, info: ClassInfo | None) -> int | None:
        return None if info is None else self.ref(info)


def _rows(kept: KeptReport) -> tuple[Any, ...]:
    report, table = kept.report, _Classes()
    duplicates = tuple(
        (d.name, table.refs(d.definitions), d.related, d.shared_methods, d.score,
         table.refs(d.shadows), table.maybe(d.canonical), d.in_tests)
        for d in report.duplicates
    )
    families = tuple(
        (f.concept, table.refs(f.classes), table.refs(f.roots), f.groups, f.competing_groups,
         table.refs(f.unimplemented_interfaces), f.shared_methods, f.score,
         table.maybe(f.canonical), f.in_tests)
        for f in report.families
    )
    parallels = tuple(
        (table.ref(p.left), table.ref(p.right),
         tuple((table.ref(a), table.ref(b)) for a, b in p.pairs), p.score, p.in_tests)
        for p in report.parallel_hierarchies
    )
    wrappers = tuple(
        (table.ref(w.wrapper), table.ref(w.wrapped), w.attribute, w.forwarded_methods,
         w.public_methods, w.score, w.in_tests)
        for w in report.wrappers
    )
    test_code = report.test_code
    return (
        tuple(table.rows), duplicates, families, parallels, wrappers, report.classes_analyzed,
        (test_code.modules, test_code.classes, test_code.included),
        tuple(sorted(report.test_modules)),
        tuple(class_cache.diagnostic_row(d) for d in kept.diagnostics),
        kept.classes,
    )


def _kept(rows: tuple[Any, ...]) -> KeptReport:
    (class_rows, duplicates, families, parallels, wrappers, analyzed, test_code, test_modules,
     diagnostics, classes) = rows
    paths: dict[str, Path] = {}
    infos = [class_cache.info_from_row(row, paths) for row in class_rows]

    def many(refs: tuple[int, ...]) -> tuple[ClassInfo, ...]:
        return tuple(infos[i] for i in refs)

    def maybe(ref: int | None) -> ClassInfo | None:
        return None if ref is None else infos[ref]

    report = FamiliesReport(
        duplicates=tuple(
            Duplicate(name, many(definitions), related, shared, score, many(shadows),
                      maybe(canonical), in_tests)
            for name, definitions, related, shared, score, shadows, canonical, in_tests in duplicates
        ),
        families=tuple(
            Family(concept, many(members), many(roots), groups, competing, many(unimplemented),
                   shared, score, maybe(canonical), in_tests)
            for (concept, members, roots, groups, competing, unimplemented, shared, score,
                 canonical, in_tests) in families
        ),
        parallel_hierarchies=tuple(
            ParallelHierarchy(infos[left], infos[right],
                              tuple((infos[a], infos[b]) for a, b in pairs), score, in_tests)
            for left, right, pairs, score, in_tests in parallels
        ),
        wrappers=tuple(
            Wrapper(infos[wrapper], infos[wrapped], attribute, forwarded, public, score, in_tests)
            for wrapper, wrapped, attribute, forwarded, public, score, in_tests in wrappers
        ),
        classes_analyzed=analyzed,
        test_code=TestCode(*test_code),
        test_modules=frozenset(test_modules),
    )
    return KeptReport(
        report, tuple(class_cache.diagnostic_from_row(row) for row in diagnostics), classes
    )


# --- shape checks: the cache folder may be the tree's -------------------------------------


def _valid(payload: tuple[Any, ...]) -> bool:
    """({key: marshalled rows},) as `store_report` writes them; the rows of a report are
    checked when it is read (`_valid_rows`)."""
    (reports,) = payload
    return type(reports) is dict and all(
        type(key) is str and type(data) is bytes for key, data in reports.items()
    )


def _valid_rows(rows: Any) -> bool:
    (class_rows, duplicates, families, parallels, wrappers, analyzed, test_code, test_modules,
     diagnostics, classes) = rows
    if type(class_rows) is not tuple or not all(map(class_cache.valid_info_row, class_rows)):
        return False
    count = len(class_rows)

    def ref(value: Any) -> bool:
        return type(value) is int and 0 <= value < count

    def refs(value: Any) -> bool:
        return type(value) is tuple and all(map(ref, value))

    def maybe(value: Any) -> bool:
        return value is None or ref(value)

    def groups(value: Any) -> bool:
        return type(value) is tuple and all(map(class_cache.strings, value))

    def number(value: Any) -> bool:
        return type(value) in (int, float)

    return (
        _rows_of(duplicates, lambda name, definitions, related, shared, score, shadows, canonical,
                 in_tests: type(name) is str and refs(definitions) and type(related) is bool
                 and class_cache.strings(shared) and number(score) and refs(shadows)
                 and maybe(canonical) and type(in_tests) is bool)
        and _rows_of(families, lambda concept, members, roots, grouped, competing, unimplemented,
                     shared, score, canonical, in_tests: type(concept) is str and refs(members)
                     and refs(roots) and groups(grouped) and groups(competing)
                     and refs(unimplemented) and class_cache.strings(shared) and number(score)
                     and maybe(canonical) and type(in_tests) is bool)
        and _rows_of(parallels, lambda left, right, pairs, score, in_tests: ref(left) and ref(right)
                     and type(pairs) is tuple
                     and all(type(p) is tuple and len(p) == 2 and ref(p[0]) and ref(p[1]) for p in pairs)
                     and number(score) and type(in_tests) is bool)
        and _rows_of(wrappers, lambda wrapper, wrapped, attribute, forwarded, public, score,
                     in_tests: ref(wrapper) and ref(wrapped) and type(attribute) is str
                     and class_cache.strings(forwarded) and type(public) is int and number(score)
                     and type(in_tests) is bool)
        and type(analyzed) is int
        and type(test_code) is tuple and len(test_code) == 3
        and type(test_code[0]) is int and (test_code[1] is None or type(test_code[1]) is int)
        and type(test_code[2]) is bool
        and class_cache.strings(test_modules)
        and type(diagnostics) is tuple and all(map(class_cache.valid_diagnostic_row, diagnostics))
        and type(classes) is int
    )


def _rows_of(rows: Any, valid: Any) -> bool:
    """A tuple of tuples, each valid when spread into `valid` (a wrong length raises: a miss)."""
    return type(rows) is tuple and all(type(row) is tuple and valid(*row) for row in rows)
