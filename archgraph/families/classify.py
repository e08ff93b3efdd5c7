"""What the families analysis asks and how it sorts classes before comparing them.

The query (a name glob, a minimum size, --exclude patterns), the plugin scope of each module, the
role of each class name (a CamelCase tail) and the kind of each class (behaviour, exception, enum,
data, test, mixin). Pure functions over names and a `ClassModel`; `families/analysis.py`
explains the heuristics and uses them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase

from archgraph.model.classes import ClassInfo, ClassModel
from archgraph.model.names import ModuleExpr

MAX_ROLE_WORDS = 3
PLUGIN_CONTAINER_MIN_PACKAGES = 10
# At most this share of a plugin container's subpackages is imported by a sibling: plugins use a
# few shared ones (Home Assistant's integrations import `components.sensor`), an application's
# own subpackages use each other (`routes` -> `services` -> `core`, `db`, `models`).
PLUGIN_MAX_SIBLING_IMPORTED_SHARE = 1 / 3
_TEST_PREFIX = re.compile(r"Test(?![a-z])")  # TestParser, not Testament
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")
_NEUTRAL_TAILS = frozenset({"Base", "Abstract", "ABC", "Interface", "Protocol", "Impl", "Implementation"})
_EXCEPTION_ROOTS = frozenset({"BaseException", "Exception"})
_ENUM_BASES = frozenset(
    {"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum", "TextChoices", "IntegerChoices", "Choices"}
)
_DATA_BASES = frozenset({"NamedTuple", "TypedDict", "BaseModel", "Struct", "namedtuple", "Structure"})
_DATA_DECORATORS = frozenset(
    {
        "attr.s", "attr.attrs", "attr.define", "attr.frozen", "attr.mutable",
        "attrs.define", "attrs.frozen", "attrs.mutable", "define", "frozen", "mutable",
    }
)


class ClassKind(StrEnum):
    BEHAVIOUR = "behaviour"
    EXCEPTION = "exception"
    ENUM = "enum"
    DATA = "data"
    TEST = "test"
    MIXIN = "mixin"


@dataclass(frozen=True, slots=True)
class FamiliesQuery:
    """What to look at: a class-name glob, a minimum size, and modules to leave out."""

    concept: str | None = None  # e.g. `*Dispatcher*`
    min_size: int = 2
    exclude: tuple[str, ...] = ()  # module patterns (`app.tests`), or a name any segment matches
    include_tests: bool = False  # analyze test code too; its findings rank after production's


def exclude_problem(pattern: str) -> str | None:
    """Why `pattern` is not a valid --exclude pattern, or None."""
    if "." in pattern:
        return ModuleExpr.problem(pattern)
    return None if pattern.strip() else "empty pattern"


def is_excluded(module: str, patterns: Sequence[str]) -> bool:
    """A dotted pattern covers a module and its descendants; a plain name matches any segment."""
    for pattern in patterns:
        if "." in pattern:
            if ModuleExpr(pattern).covers(module):
                return True
        elif any(fnmatchcase(segment, pattern) for segment in module.split(".")):
            return True
    return False


Scope = Callable[[str], str | None]


def plugin_scopes(modules: Iterable[str], sibling_imported: AbstractSet[str] = frozenset()) -> Scope:
    """The plugin each module belongs to, or None for the application's own code.

    A package whose many subpackages do not import each other (`homeassistant.components`:
    1,200 integrations that subclass the entities of a few shared ones) holds plugins: each
    child is one plugin, and plugins do not compete with each other; each may have its own
    `FooData` or `OptionsFlowHandler`. They still compete with the core code. An application's
    own subpackages (`app.agents`, `app.services`, `app.core`...) import each other: however
    many they are, they are one codebase whose classes compete.

    Args:
        modules: every analyzed module.
        sibling_imported: `ClassModel.sibling_imported`, the modules that code under another
            child of their parent imports.
    """
    packages: set[str] = set()
    for module in modules:
        parts = module.split(".")
        packages.update(".".join(parts[:i]) for i in range(1, len(parts)))
    children: dict[str, int] = {}
    imported: dict[str, int] = {}
    for package in packages:
        parent = package.rpartition(".")[0]
        if parent:
            children[parent] = children.get(parent, 0) + 1
            if package in sibling_imported:
                imported[parent] = imported.get(parent, 0) + 1
    containers = frozenset(
        parent
        for parent, count in children.items()
        if count >= PLUGIN_CONTAINER_MIN_PACKAGES
        and imported.get(parent, 0) <= PLUGIN_MAX_SIBLING_IMPORTED_SHARE * count
    )

    def scope(module: str) -> str | None:
        parts = module.split(".")
        for size in range(1, len(parts)):
            if ".".join(parts[:size]) in containers:
                return ".".join(parts[: size + 1])
        return None

    return scope


def compatible(first: str | None, second: str | None) -> bool:
    """Two scopes can hold competing code: core with anything, a plugin with itself."""
    return first is None or second is None or first == second


# --- names ----------------------------------------------------------------------------------


def camel_words(name: str) -> tuple[str, ...]:
    """`RequestScopedToolDispatcher` -> (Request, Scoped, Tool, Dispatcher); `HTTPServer` -> (HTTP, Server)."""
    return tuple(_WORD.findall(name.strip("_"))) or (name,)


def role_words(name: str) -> tuple[str, ...]:
    words = camel_words(name)
    while len(words) > 1 and words[-1] in _NEUTRAL_TAILS:
        words = words[:-1]
    return words


def roles(names: Iterable[str]) -> dict[str, str]:
    """The role (CamelCase tail) of each class name: its concept in the code.

    `names`: one per class (a name defined three times is given three times). The role is the
    tail after which the most different words come (fan-out); but when a longer tail is the
    name of two or more classes, the shortest such tail: `AgentRegistry` defined three times is
    a concept of its own (with `LegacyAgentRegistry`), not one of the many `Registry`s. A name
    defined once (`ChatDispatcherFactory` beside `AdminChatDispatcherFactory`) is a variant of
    the role, not a concept of its own.
    """
    count_of: dict[str, int] = {}
    for name in names:
        count_of[name] = count_of.get(name, 0) + 1
    words_of = {name: role_words(name) for name in count_of}
    carried: dict[tuple[str, ...], int] = {}  # classes whose role words are exactly these
    for name, words in words_of.items():
        carried[words] = carried.get(words, 0) + count_of[name]
    fanout: dict[tuple[str, ...], set[str]] = {}
    for words in carried:
        for size in range(1, min(MAX_ROLE_WORDS, len(words)) + 1):
            qualifier = words[-size - 1] if len(words) > size else ""
            fanout.setdefault(words[-size:], set()).add(qualifier)
    result = {}
    for name, words in words_of.items():
        sizes = range(1, min(MAX_ROLE_WORDS, len(words)) + 1)
        best = max(sizes, key=lambda size: (len(fanout[words[-size:]]), -size))
        best = next(
            (
                size
                for size in range(best + 1, len(words) + 1)
                if carried.get(words[-size:], 0) >= 2
            ),
            best,
        )
        result[name] = "".join(words[-best:])
    return result


def roles_apart(production: Iterable[str], tests: Iterable[str]) -> dict[str, str]:
    """`roles` of the production names among themselves, so that the names of test doubles
    neither split a production concept (`FakeAlphaDispatcher` and `StubAlphaDispatcher`
    beside `AlphaDispatcher` made `AlphaDispatcher` a role apart from `ZetaDispatcher`'s) nor
    merge two.

    A test name keeps its role among all the names when that is a production role, or a name
    that two or more classes carry (three `NoNextBuffer` doubles are a concept of their own);
    else it takes the longest production role its name ends with (`MockToolDispatcher` stands
    in for a `Dispatcher`, whatever its own name adds to the fan-out), else its role among all.
    """
    production, tests = list(production), list(tests)
    found = roles(production)
    if not tests:
        return found
    everything = roles([*production, *tests])
    carried = Counter(role_words(name) for name in [*production, *tests])  # classes, as `roles`
    taken = set(found.values())
    for name in tests:
        if name in found:
            continue
        words = role_words(name)
        tails = [words[-size:] for size in range(len(words), 0, -1)]  # the longest first
        own = everything[name]
        own_words = next((tail for tail in tails if "".join(tail) == own), ())
        if own in taken or carried[own_words] >= 2:
            found[name] = own
        else:
            found[name] = next(("".join(tail) for tail in tails if "".join(tail) in taken), own)
    return found


# --- kinds ----------------------------------------------------------------------------------


def _last(dotted: str) -> str:
    return dotted.rpartition(".")[2]


def _is_data_decorator(decorator: str) -> bool:
    return decorator in _DATA_DECORATORS or decorator.endswith("dataclass")


def class_kind(model: ClassModel, info: ClassInfo) -> ClassKind:
    """What sort of class this is, judged from its name, decorators and (inherited) bases."""
    name = info.name.lstrip("_")
    external_names = model.external_bases(info.qualname)
    external = {_last(base) for base in external_names}
    if (
        _TEST_PREFIX.match(name)
        or name.endswith(("Test", "Tests", "TestCase"))
        or any(base.endswith("TestCase") for base in external)
    ):
        return ClassKind.TEST
    if any(
        base in _EXCEPTION_ROOTS or base.endswith(("Error", "Exception", "Warning"))
        for base in external
    ):
        return ClassKind.EXCEPTION
    if external & _ENUM_BASES or any(b.startswith("enum.") for b in external_names):
        return ClassKind.ENUM
    if external & _DATA_BASES or any(
        _is_data_decorator(d)
        for owner in (info, *(model.by_qualname[a] for a in model.ancestors(info.qualname)))
        for d in owner.decorators
    ):
        return ClassKind.DATA
    if name.endswith("Mixin"):
        return ClassKind.MIXIN
    return ClassKind.BEHAVIOUR
