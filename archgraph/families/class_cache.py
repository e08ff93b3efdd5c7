"""The class model, cached whole while no analyzed file changes.

A class's resolved bases depend on other files (re-exports), so the model is cached as one unit,
keyed by every file's path, size and mtime. A warm `archgraph families` then reads one small
file instead of every file's facts. Any change rebuilds the model from the (cached) facts.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archgraph.diagnostics import Diagnostic, Location, Severity
from archgraph.model import SourceSet
from archgraph.model.classes import ClassInfo, ClassModel
from archgraph.model.facts import ForwardedMethod
from archgraph.model.files import file_texts
from archgraph.scan import cache_file
from archgraph.scan.facts_cache import FACTS_VERSION

CLASS_CACHE_VERSION = 2
CACHE_NAME = "classes.marshal"


def files_key(
    root: Path, files: Mapping[str, Path], stamps: Mapping[str, cache_file.Stamp] | None = None
) -> str:
    """A digest of every module's file and stamp (size, mtime, ctime, inode): those the walk
    took when given (8,800 files of Home Assistant need not be stat'ed twice), else stat'ed
    now; unreadable files count as changed."""
    digest = hashlib.blake2b(f"{CLASS_CACHE_VERSION}/{FACTS_VERSION}".encode(), digest_size=20)
    base = str(root)
    # Plain strings: a path object a module (made by asking `files[module]`) took three
    # quarters of the 45 ms this took on Home Assistant, at every run, warm ones included.
    for module, file in file_texts(files, sorted(files)):
        path = str(file)
        known = stamps.get(module) if stamps is not None else None
        if known is not None:
            stamp = ":".join(map(str, known))
        else:
            try:
                stamp = ":".join(map(str, cache_file.stamp_of(os.stat(os.path.join(base, path)))))
            except OSError:
                stamp = "missing"
        digest.update(f"\0{module}\0{path}\0{stamp}".encode())
    return digest.hexdigest()


def info_row(info: ClassInfo) -> tuple[Any, ...]:
    return (
        info.qualname, info.name, info.module, info.file.as_posix(), info.line, info.bases,
        info.methods, info.decorators, info.abstract, info.protocol, info.metaclass, info.nested,
        info.attribute_types, tuple((f.method, f.attribute, f.target) for f in info.forwarded),
        info.fallback,
    )


def info_from_row(row: tuple[Any, ...], paths: dict[str, Path]) -> ClassInfo:
    (qualname, name, module, file, line, bases, methods, decorators, abstract, protocol,
     metaclass, nested, attribute_types, forwarded, fallback) = row
    path = paths.get(file)
    if path is None:
        path = paths[file] = Path(file)
    return ClassInfo(
        qualname=qualname, name=name, module=module, file=path, line=line, bases=bases,
        methods=methods, decorators=decorators, abstract=abstract, protocol=protocol,
        metaclass=metaclass, nested=nested, attribute_types=attribute_types,
        forwarded=tuple(ForwardedMethod(*item) for item in forwarded), fallback=fallback,
    )


def diagnostic_row(diagnostic: Diagnostic) -> tuple[Any, ...]:
    location = diagnostic.location
    return (
        diagnostic.code, diagnostic.severity.value, diagnostic.message,
        location.path.as_posix() if location else None, location.line if location else None,
        diagnostic.hint,
    )


def diagnostic_from_row(row: tuple[Any, ...]) -> Diagnostic:
    code, severity, message, path, line, hint = row
    location = Location(Path(path), line) if path is not None else None
    return Diagnostic(code, Severity(severity), message, location, hint)


def to_rows(model: ClassModel) -> tuple[Any, ...]:
    return (
        tuple(info_row(info) for info in model.classes),
        tuple(diagnostic_row(d) for d in model.diagnostics),
        model.modules,
        tuple(sorted(model.sibling_imported)),
    )


def from_rows(rows: tuple[Any, ...]) -> ClassModel:
    classes, diagnostics, modules, sibling_imported = rows
    paths: dict[str, Path] = {}  # one Path per file, as a fresh build has; Path() is slow
    return ClassModel(
        tuple(info_from_row(row, paths) for row in classes),
        tuple(diagnostic_from_row(row) for row in diagnostics),
        tuple(modules),
        frozenset(sibling_imported),
    )


def _valid(payload: tuple[Any, ...]) -> bool:
    """((classes, diagnostics, modules, sibling_imported),) as `to_rows` writes them."""
    (classes, diagnostics, modules, sibling_imported), = payload
    return (
        type(classes) is tuple
        and all(valid_info_row(row) for row in classes)
        and type(diagnostics) is tuple
        and all(valid_diagnostic_row(row) for row in diagnostics)
        and strings(modules)
        and strings(sibling_imported)
    )


def strings(value: object) -> bool:
    # Types compared at C speed: a warm run checks every class of the project (10,000 in Django).
    return type(value) is tuple and (not value or {*map(type, value)} == _STR)


_STR = {str}
_INFO_HEAD = (str, str, str, str, int)


def valid_info_row(row: Any) -> bool:
    (_qualname, _name, _module, _file, _line, bases, methods, decorators, abstract, protocol,
     metaclass, nested, attribute_types, forwarded, fallback) = row
    return (
        tuple(map(type, row[:5])) == _INFO_HEAD
        and strings(bases) and strings(methods) and strings(decorators)
        and type(abstract) is bool and type(protocol) is bool and type(nested) is bool
        and type(fallback) is bool
        and (metaclass is None or type(metaclass) is str)
        and type(attribute_types) is tuple
        and all(strings(a) and len(a) == 2 for a in attribute_types)
        and type(forwarded) is tuple
        and all(strings(f) and len(f) == 3 for f in forwarded)
    )


def valid_diagnostic_row(row: Any) -> bool:
    code, severity, message, path, line, hint = row
    return (
        type(code) is str and severity in {s.value for s in Severity} and type(message) is str
        and (path is None or type(path) is str) and (line is None or type(line) is int)
        and (hint is None or type(hint) is str)
    )


def cached_class_model(
    sources: SourceSet,
    cache_dir: Path | None,
    stamps: Mapping[str, cache_file.Stamp] | None = None,
    key: str | None = None,
    *,
    production: bool = False,
) -> ClassModel:
    """The class model from the cache when no file changed, else built (and cached);
    `stamps`: the files' stamps as the walk took them, if known; `key`: their `files_key`,
    if the caller has it; `production`: the model of production code only
    (`SourceSet.production_class_model`)."""

    def build() -> ClassModel:
        return sources.production_class_model if production else sources.class_model

    if cache_dir is None:
        return build()
    key = (key or files_key(sources.root, sources.files, stamps)) + ("/production" if production else "")
    file = cache_dir / CACHE_NAME
    stored = cache_file.load(file, key, _valid)  # the key (version and file stamps) is the version
    if stored is not None:
        return from_rows(stored[0])
    built = build()
    cache_file.store(file, key, to_rows(built))
    return built
