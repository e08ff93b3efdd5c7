"""Wrappers and parallel hierarchies: the findings that relate two classes or two hierarchies
rather than the members of one family (see `families/analysis.py`, which ranks them all).

- A *wrapper* builds a member of its own family (`self.inner = Other(...)`) and forwards most
  of its public methods to it: one implementation dressed as two.
- Two hierarchies are *parallel* when their subclasses mirror each other by name
  (`XmlExporter`/`XmlImporter`, `CsvExporter`/`CsvImporter`): every change is made twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from archgraph.families.classify import camel_words
from archgraph.families.findings import ParallelHierarchy, Wrapper
from archgraph.model.classes import ClassInfo, ClassModel

MAX_TOPS_PER_KEY = 40  # a mirror key shared by more hierarchies than this says nothing
MIN_MIRROR_WEIGHT = 1.5  # two name pairs specific to the two hierarchies, or more common ones


def find_wrappers(
    model: ClassModel, classes: Sequence[ClassInfo], role_of: Mapping[str, str]
) -> list[Wrapper]:
    """Classes that build a member of their own family and forward most public methods to it."""
    found = []
    for info in sorted(classes, key=lambda i: i.qualname):
        public = info.public_methods
        for attribute, wrapped_name in info.attribute_types:
            wrapped = model.by_qualname.get(wrapped_name)
            if (
                wrapped is None
                or wrapped.qualname == info.qualname
                or role_of.get(wrapped.qualname) != role_of[info.qualname]
            ):
                continue
            forwarded = tuple(
                sorted({f.method for f in info.forwarded if f.attribute == attribute} & public)
            )
            if len(forwarded) >= 2 and 2 * len(forwarded) > len(public):
                found.append(
                    Wrapper(
                        wrapper=info,
                        wrapped=wrapped,
                        attribute=attribute,
                        forwarded_methods=forwarded,
                        public_methods=len(public),
                        score=round(2.0 * len(forwarded) * len(forwarded) / len(public), 2),
                    )
                )
                break
    return found


def _common_affixes(names: Sequence[tuple[str, ...]]) -> tuple[int, int]:
    """Lengths of the word prefix and suffix that all names share (never a whole name)."""
    shortest = min(len(words) for words in names)
    prefix = 0
    while prefix < shortest and len({w[prefix] for w in names}) == 1:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and len({w[-suffix - 1] for w in names}) == 1:
        suffix += 1
    return prefix, suffix


@dataclass(frozen=True, slots=True)
class _Hierarchy:
    top: str
    affixes: tuple[tuple[str, ...], tuple[str, ...]]
    by_key: Mapping[tuple[str, ...], str]  # a subclass's name without the shared affixes


def _hierarchy(model: ClassModel, top: str, subclasses: Sequence[str]) -> _Hierarchy | None:
    words = [camel_words(model.by_qualname[s].name) for s in subclasses]
    prefix, suffix = _common_affixes(words)
    by_key: dict[tuple[str, ...], str] = {}
    ambiguous = set()
    for sub, name in zip(subclasses, words, strict=True):
        key = name[prefix : len(name) - suffix]
        if not key:
            continue
        if key in by_key:
            ambiguous.add(key)
        by_key[key] = sub
    for key in ambiguous:
        del by_key[key]
    if len(by_key) < 2:
        return None
    affixes = (words[0][:prefix], words[0][len(words[0]) - suffix :])
    return _Hierarchy(top, affixes, by_key)


def find_parallel_hierarchies(
    model: ClassModel, classes: Sequence[ClassInfo]
) -> list[ParallelHierarchy]:
    """Pairs of unrelated hierarchies whose direct subclasses mirror each other by name.

    `Chat…Factory`/`Batch…Factory` under one base beside `AdminChat…Factory`/`AdminBatch…Factory`
    under another: strip the words all subclasses of a hierarchy share, and match what is left.
    A match counts less the more hierarchies have it: every plugin having a `…Sensor` and a
    `…Switch` entity is a convention, a `ChatDispatcherFactory` copied as `AdminChat…` is not.
    """
    eligible = {c.qualname for c in classes}
    hierarchies = []
    for top in sorted(eligible):
        subclasses = [s for s in model.subclasses(top) if s in eligible]
        if len(subclasses) >= 2:
            hierarchy = _hierarchy(model, top, subclasses)
            if hierarchy is not None:
                hierarchies.append(hierarchy)
    tops_by_key: dict[tuple[str, ...], list[int]] = {}
    for index, hierarchy in enumerate(hierarchies):
        for key in hierarchy.by_key:
            tops_by_key.setdefault(key, []).append(index)
    shared_keys: dict[tuple[int, int], int] = {}
    for indexes in tops_by_key.values():
        if len(indexes) > MAX_TOPS_PER_KEY:
            continue
        for pair in combinations(indexes, 2):
            shared_keys[pair] = shared_keys.get(pair, 0) + 1
    found = []
    for (first, second), count in sorted(shared_keys.items()):
        if count >= 2:
            mirror = _mirror(model, hierarchies[first], hierarchies[second], tops_by_key)
            if mirror is not None:
                found.append(mirror)
    return found


def _mirror(
    model: ClassModel,
    left: _Hierarchy,
    right: _Hierarchy,
    tops_by_key: Mapping[tuple[str, ...], list[int]],
) -> ParallelHierarchy | None:
    if left.affixes == right.affixes:
        return None  # same names on both sides: duplicates, not a mirror
    if model.is_subclass(left.top, right.top) or model.is_subclass(right.top, left.top):
        return None
    pairs = []
    weight = 0.0
    for key in sorted(set(left.by_key) & set(right.by_key)):
        a, b = left.by_key[key], right.by_key[key]
        if model.is_subclass(a, right.top) or model.is_subclass(b, left.top):
            continue  # one class in both hierarchies: multiple inheritance, not a mirror
        pairs.append((model.by_qualname[a], model.by_qualname[b]))
        weight += 1 / (len(tops_by_key[key]) - 1)
    if len(pairs) < 2 or weight < MIN_MIRROR_WEIGHT:
        return None
    smaller = min(len(left.by_key), len(right.by_key))
    return ParallelHierarchy(
        left=model.by_qualname[left.top],
        right=model.by_qualname[right.top],
        pairs=tuple(pairs),
        score=round(2.0 * weight * len(pairs) / smaller, 2),
    )
