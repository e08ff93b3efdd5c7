"""Which entries of a hostile tree the checkout writes: links judged as the kernel follows them,
and the same answer whether a tree is taken whole or as the changes from the last one."""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from archgraph.trend.entries import SYMLINK_MODE, TreeEntries, TreeEntry

FILE = "100644"


def entries_of(tree: Mapping[str, str | bytes], reserved: Sequence[str] = ()) -> TreeEntries:
    """path -> content; a bytes content is a link's target."""
    blobs = {f"{index:040x}": value for index, value in enumerate(tree.values())}
    listed = {path.encode("utf-8", "surrogateescape"): (SYMLINK_MODE if isinstance(value, bytes) else FILE, oid)
              for (path, value), oid in zip(tree.items(), blobs, strict=True)}
    known = TreeEntries(reserved, lambda ids: {oid: blobs[oid] for oid in ids})  # type: ignore[misc]
    known.replace(listed, ())
    return known


def test_a_link_is_judged_by_where_the_kernel_goes_not_by_its_text() -> None:
    known = entries_of({
        "pkg/real/a.py": "",
        "pkg/real/top": b"../..",  # the checkout's top: inside
        "pkg/up": b"real/top/..",  # reads as pkg/real, but goes to the top's parent: out
        "pkg/deep": b"real",
        "pkg/back": b"deep/../..",  # pkg/real, pkg, the top: inside
        "pkg/loop": b"loop",  # the kernel gives up (ELOOP): nowhere
        "pkg/missing": b"nothing/../../../..",  # stops at 'nothing' (ENOENT): nowhere
        "pkg/absolute": b"/etc",
        "pkg/through": b"up/x",  # through a link that leaves
        "pkg/empty": b"",
        "pkg/nul": b"a\0b",
        "pkg/latin": b"caf\xe9",
    })
    assert sorted(known.link_targets) == ["pkg/back", "pkg/deep", "pkg/loop", "pkg/missing", "pkg/real/top"]
    assert known.refused == (
        "pkg/absolute: a link that leads out of the checkout (to '/etc')",
        "pkg/empty: a link with an empty target",
        "pkg/latin: a link whose target is not valid UTF-8",
        "pkg/nul: a link whose target holds a NUL character",
        "pkg/through: a link that leads out of the checkout (to 'up/x')",
        "pkg/up: a link that leads out of the checkout (to 'real/top/..')",
    )


def test_a_file_or_link_where_a_folder_is_needed_is_left_out() -> None:
    known = entries_of({"pkg": "", "pkg/a.py": "", "src": b"pkg", "src/b.py": ""}, reserved=["src"])
    assert sorted(known.admitted) == ["pkg/a.py", "src/b.py"]
    assert known.refused == (
        "pkg: a file where the tree also has a folder of that name",
        "src: a link where the tree also has a folder of that name",
    )


NAMES = ["a", "b.py", "..", ".", "", ".Git", "\udcff"]
TARGETS = [b"a", b"../a", b"..", b"../..", b"/abs", b"a/..", b"b.py", b"a/a/../../..", b"a/b.py"]
paths = st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map("/".join)
trees = st.dictionaries(paths, st.one_of(st.just(""), st.sampled_from(TARGETS)), max_size=8)


@given(st.lists(trees, min_size=2, max_size=4))
def test_changes_applied_one_tree_after_another_give_what_the_whole_tree_gives(
    history: list[dict[str, str | bytes]],
) -> None:
    blobs = {value: f"{index:040x}" for index, value in enumerate(["", *TARGETS])}
    contents = {oid: value for value, oid in blobs.items()}

    def listing(tree: Mapping[str, str | bytes]) -> dict[bytes, TreeEntry]:
        return {path.encode("utf-8", "surrogateescape"): (SYMLINK_MODE if value else FILE, blobs[value])
                for path, value in tree.items()}

    def read(ids: Sequence[str]) -> dict[str, bytes | None]:
        return {oid: contents[oid] or None for oid in ids}  # '' is a file here, never read

    moved = TreeEntries(["a"], read)
    moved.replace(listing(history[0]), ())
    for before, after in itertools.pairwise(history):
        old, new = listing(before), listing(after)
        moved.apply({path: new.get(path) for path in {*old, *new} if old.get(path) != new.get(path)})
        fresh = TreeEntries(["a"], read)
        fresh.replace(new, ())
        assert (moved.admitted, moved.link_targets, moved.refused) == (
            fresh.admitted, fresh.link_targets, fresh.refused)


@given(trees)
def test_no_admitted_link_reaches_outside_on_a_real_file_system(tmp_path_factory: object, tree: dict[str, str | bytes]) -> None:
    """Written as admitted, every link that the kernel can follow ends inside the checkout."""
    top = Path(os.path.realpath(tmp_path_factory.mktemp("checkout")))  # type: ignore[attr-defined]
    known = entries_of(tree)
    for path, (mode, _oid) in sorted(known.admitted.items()):
        target = top / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == SYMLINK_MODE:
            os.symlink(known.link_targets[path], target)
        else:
            target.write_text("")
    for path in known.link_targets:
        try:
            # The kernel first: realpath reads `file/..` lexically, where the kernel stops
            # (ENOTDIR); once the kernel follows the whole way, realpath names where it ends.
            os.stat(top / path)
            reached = Path(os.path.realpath(top / path, strict=True))
        except OSError:
            continue  # the kernel stops on the way: nothing is reached
        assert reached == top or reached.is_relative_to(top), (path, reached)
