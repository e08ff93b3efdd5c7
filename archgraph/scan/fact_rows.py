"""A file's facts as a row of plain tuples, what the caches keep (marshal loads them fast), and
back; and the check that a row read from a cache the tree may hold has the shape written here."""

from __future__ import annotations

import functools
from typing import Any

from archgraph.model.facts import ClassFact, FileFacts, ForwardedMethod, ImportedName, ImportFact


def to_row(facts: FileFacts) -> tuple[Any, ...]:
    return (
        facts.module,
        tuple(
            (i.line, i.module, i.level, tuple(tuple(n) for n in i.names), i.alias,
             i.in_function, i.type_checking, i.in_try)
            for i in facts.imports
        ),
        facts.definitions,
        tuple(
            (c.name, c.qualname, c.line, c.bases, c.metaclass, c.decorators, c.methods,
             c.abstract_methods, c.attribute_types, tuple((f.method, f.attribute, f.target) for f in c.forwarded))
            for c in facts.classes
        ),
        facts.dunder_all,
        facts.attribute_chains,
        facts.error_line,
        facts.dunder_all_partial,
    )


def from_row(row: tuple[Any, ...]) -> FileFacts:
    module, imports, definitions, classes, dunder_all, chains, error_line, all_partial = row
    return FileFacts(
        module=module,
        imports=tuple(
            ImportFact(line, name, level, _imported_names(names), alias, f, t, x)
            for line, name, level, names, alias, f, t, x in imports
        ),
        definitions=definitions,
        classes=tuple(
            ClassFact(n, q, line, bases, meta, decorators, methods, abstract, attributes,
                      tuple(ForwardedMethod(*item) for item in forwarded))
            for n, q, line, bases, meta, decorators, methods, abstract, attributes, forwarded in classes
        ),
        dunder_all=dunder_all,
        dunder_all_partial=all_partial,
        attribute_chains=chains,
        error_line=error_line,
    )


@functools.lru_cache(maxsize=1 << 16)
def _imported_names(names: tuple[tuple[str, str | None], ...]) -> tuple[ImportedName, ...]:
    """The names of a `from` import, shared by every import of the same names: a project
    imports the same few names over and over (Home Assistant: 127,000 names, 8,000 distinct
    lists of them), and each object made is one more that the garbage collector goes over."""
    return tuple(map(ImportedName._make, names))


def valid_row(row: object) -> bool:
    """Whether `row` has the shape `to_row` writes (a row read from a cache the tree holds)."""
    if type(row) is not tuple or len(row) != 8:
        return False
    module, imports, definitions, classes, dunder_all, chains, error_line, all_partial = row
    return (
        type(module) is str
        and type(imports) is tuple
        and all(_valid_import(i) for i in imports)
        and _strings(definitions)
        and type(classes) is tuple
        and all(_valid_class(c) for c in classes)
        and (dunder_all is None or _strings(dunder_all))
        and (
            chains is None
            or (type(chains) is tuple and all(_pair(c, str, int) for c in chains))
        )
        and (error_line is None or type(error_line) is int)
        and type(all_partial) is bool
    )


def _strings(value: object) -> bool:
    return type(value) is tuple and all(type(item) is str for item in value)


def _pair(value: object, first: type, second: type) -> bool:
    return type(value) is tuple and len(value) == 2 and type(value[0]) is first and type(value[1]) is second


def _valid_import(value: object) -> bool:
    if type(value) is not tuple or len(value) != 8:
        return False
    line, name, level, names, alias, in_function, type_checking, in_try = value
    return (
        type(line) is int
        and type(name) is str
        and type(level) is int
        and type(names) is tuple
        and all(
            type(n) is tuple and len(n) == 2 and type(n[0]) is str and (n[1] is None or type(n[1]) is str)
            for n in names
        )
        and (alias is None or type(alias) is str)
        and type(in_function) is bool
        and type(type_checking) is bool
        and type(in_try) is bool
    )


def _valid_class(value: object) -> bool:
    if type(value) is not tuple or len(value) != 10:
        return False
    name, qualname, line, bases, metaclass, decorators, methods, abstract, attributes, forwarded = value
    return (
        type(name) is str
        and type(qualname) is str
        and type(line) is int
        and _strings(bases)
        and (metaclass is None or type(metaclass) is str)
        and _strings(decorators)
        and _strings(methods)
        and _strings(abstract)
        and type(attributes) is tuple
        and all(_pair(a, str, str) for a in attributes)
        and type(forwarded) is tuple
        and all(type(f) is tuple and len(f) == 3 and all(type(x) is str for x in f) for f in forwarded)
    )
