"""`protected` with `symbols`: every import form that obtains the name, and nothing else.

Each test writes a real package tree, scans it with the real scanner and checks the contract.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archgraph.diagnostics import ImportStep, Location, Severity, Violation
from archgraph.model import ArchModel, ImportExpr, ModuleExpr
from archgraph.model.symbol_reading import symbol_index
from archgraph.model.symbols import Symbol
from archgraph.rules.protected import Protected
from archgraph.scan import ScanOptions, scan
from tests.helpers import write_tree

TARGET = "pkg.core.defs.Target"

TREE = {
    "pkg/__init__.py": "",
    "pkg/core/__init__.py": """\
        from pkg.core.defs import Target

        __all__ = ["Target"]
    """,
    "pkg/core/defs.py": """\
        class Target:
            pass


        class Other:
            pass


        class _Hidden:
            pass
    """,
    # Re-export of the re-export, under another name.
    "pkg/core/reexport.py": "from pkg.core import Target as Aliased\n",
    # Re-export under a name that the final importer's file never mentions as `Target`.
    "pkg/core/renamed.py": "from pkg.core.defs import Target as Renamed\n",
    "pkg/starred/__init__.py": "from pkg.core.defs import *  # no __all__ in defs: public names\n",
    "pkg/limited.py": """\
        class Target:
            pass


        class Shown:
            pass


        __all__ = ["Shown"]
    """,
    "pkg/users/__init__.py": "",
    "pkg/users/direct.py": "from pkg.core.defs import Target\n",
    "pkg/users/multiline.py": """\
        from pkg.core.defs import (
            Other,
            Target as T,
        )
    """,
    "pkg/users/relative.py": "from ..core.defs import Target\n",
    "pkg/users/deep/__init__.py": "from ...core import Target\n",
    "pkg/users/deep/rel3.py": "from ...core.defs import Target\n",
    "pkg/users/via_init.py": "from pkg.core import Target\n",
    "pkg/users/via_chain.py": "\n\nfrom pkg.core.reexport import Aliased\n",
    "pkg/users/via_renamed.py": "from pkg.core.renamed import Renamed as Again\n",
    "pkg/users/via_star_package.py": "from pkg.starred import Target\n",
    "pkg/users/star_with_all.py": "from pkg.core import *\n",
    "pkg/users/star_without_all.py": "from pkg.core.defs import *\n",
    "pkg/users/star_limited.py": "from pkg.limited import *\n",
    "pkg/users/in_function.py": """\
        def build():
            from pkg.core.defs import Target

            return Target()
    """,
    "pkg/users/type_checking.py": """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from pkg.core.defs import Target
    """,
    "pkg/users/fallback.py": """\
        try:
            from pkg.core.defs import Target
        except ImportError:
            Target = None
    """,
    "pkg/users/attribute.py": """\
        import pkg.core.defs

        value = pkg.core.defs.Target()
    """,
    "pkg/users/attribute_alias.py": """\
        import pkg.core.defs as d


        def make():
            return d.Target()


        again = d.Target
    """,
    "pkg/users/attribute_from.py": """\
        from pkg.core import defs

        value = defs.Target
    """,
    "pkg/users/pep695.py": """\
        from pkg.core.defs import Target

        type Pair[T] = tuple[T, T]


        class Box[T: Target]:
            def first[S](self, items: list[S]) -> S:
                return items[0]
    """,
    # Mention the name, or import the module, without obtaining the symbol: no violation.
    "pkg/users/other_name.py": "from pkg.core.defs import Other\n",
    "pkg/users/other_attribute.py": """\
        import pkg.core.defs as d

        # Target is only mentioned here.
        value = d.Other
    """,
    "pkg/allowed/__init__.py": "",
    "pkg/allowed/user.py": "from pkg.core.defs import Target\n",
}


def scan_tree(root: Path, **options: object) -> ArchModel:
    return scan(root, ScanOptions(root_packages=("pkg",), **options)).model  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("symbols"), TREE)


def contract(*symbols: str, allowed: tuple[str, ...] = ("pkg.allowed",), **fields: object) -> Protected:
    return Protected(
        name="protect target",
        id="protect-target",
        symbols=symbols,
        allowed_importers=tuple(ModuleExpr(a) for a in allowed),
        **fields,  # type: ignore[arg-type]
    )


def violation(
    importer: str,
    line: int,
    module: str,
    *,
    alias: str | None = None,
    via: tuple[str, ...] = (),
    message: str | None = None,
    symbol: str = TARGET,
) -> Violation:
    base = Path(*importer.split("."))
    package = (base / "__init__.py").as_posix() in TREE
    path = base / "__init__.py" if package else base.with_suffix(".py")
    if message is None:
        message = f"{importer} imports protected {symbol}"
        message += " by a star import" if alias == "*" else f" as {alias}" if alias else ""
        message += f" via {' -> '.join(via)}" if via else ""
    return Violation(
        code="AG131",
        contract="protect-target",
        message=message,
        chain=(ImportStep(importer, module, (line,)),),
        location=Location(path, line),
        symbol=symbol,
        alias=alias,
        via=via,
    )


DEFS = "pkg.core.defs"

EXPECTED = [
    violation("pkg.core.reexport", 1, "pkg.core", alias="Aliased", via=("pkg.core",)),
    violation("pkg.core.renamed", 1, DEFS, alias="Renamed"),
    violation("pkg.starred", 1, DEFS, alias="*"),
    violation("pkg.users.attribute", 1, DEFS, alias="pkg.core.defs.Target", message=(
        f"pkg.users.attribute uses protected {TARGET} as pkg.core.defs.Target at line 3 "
        "(imported at line 1)"
    )),
    violation("pkg.users.attribute_alias", 1, DEFS, alias="d.Target", message=(
        f"pkg.users.attribute_alias uses protected {TARGET} as d.Target at lines 5, 8 "
        "(imported at line 1)"
    )),
    violation("pkg.users.attribute_from", 1, DEFS, alias="defs.Target", message=(
        f"pkg.users.attribute_from uses protected {TARGET} as defs.Target at line 3 "
        "(imported at line 1)"
    )),
    violation("pkg.users.deep", 1, "pkg.core", via=("pkg.core",)),
    violation("pkg.users.deep.rel3", 1, DEFS),
    violation("pkg.users.direct", 1, DEFS),
    violation("pkg.users.fallback", 2, DEFS),
    violation("pkg.users.in_function", 2, DEFS),
    violation("pkg.users.multiline", 1, DEFS, alias="T"),
    violation("pkg.users.pep695", 1, DEFS),
    violation("pkg.users.relative", 1, DEFS),
    violation("pkg.users.star_with_all", 1, "pkg.core", via=("pkg.core",), alias="*"),
    violation("pkg.users.star_without_all", 1, DEFS, alias="*"),
    violation("pkg.users.type_checking", 4, DEFS),
    violation("pkg.users.via_chain", 3, "pkg.core.reexport", alias="Aliased",
              via=("pkg.core.reexport", "pkg.core")),
    violation("pkg.users.via_init", 1, "pkg.core", via=("pkg.core",)),
    violation("pkg.users.via_renamed", 1, "pkg.core.renamed", alias="Again",
              via=("pkg.core.renamed",)),
    violation("pkg.users.via_star_package", 1, "pkg.starred", via=("pkg.starred",)),
]


def test_every_import_form_is_reported_once_with_its_line_alias_and_route(tree: Path) -> None:
    result = contract(TARGET).check(scan_tree(tree))

    # Re-exporting is importing: pkg.core is not allowed here, so its re-export is reported too.
    expected = sorted(
        [*EXPECTED, violation("pkg.core", 1, DEFS)], key=Violation.sort_key
    )
    assert list(result.violations) == expected
    assert result.diagnostics == ()
    # pkg.allowed.user is allowed: exempt; nothing imports it, so no import respects the contract.
    assert (result.governed, result.violating, result.exempt) == (len(expected), len(expected), 1)


def test_allowed_importers_are_exempt_and_not_reported(tree: Path) -> None:
    result = contract(TARGET, allowed=("pkg.allowed", "pkg.core")).check(scan_tree(tree))

    importers = {v.importer for v in result.violations}
    assert "pkg.allowed.user" not in importers
    assert not any(i.startswith("pkg.core") for i in importers)
    assert len(result.violations) == len(EXPECTED) - 2  # minus pkg.core.reexport, pkg.core.renamed
    # Exempt: the imports of pkg.core, pkg.core.reexport, pkg.core.renamed and pkg.allowed.user.
    # Every other importer obtains the symbol (through pkg.core's re-exports too): none respects.
    assert (result.governed, result.respecting, result.exempt) == (len(EXPECTED) - 2, 0, 4)
    assert result.compliance == 0


def test_type_checking_imports_are_skipped_when_excluded(tree: Path) -> None:
    model = scan_tree(tree, exclude_type_checking_imports=True)

    result = contract(TARGET).check(model)

    importers = {v.importer for v in result.violations}
    assert "pkg.users.type_checking" not in importers
    assert "pkg.users.direct" in importers


def test_star_imports_follow_dunder_all(tree: Path) -> None:
    shown = contract("pkg.limited.Shown").check(scan_tree(tree))
    hidden = contract("pkg.limited.Target").check(scan_tree(tree))

    assert [v.importer for v in shown.violations] == ["pkg.users.star_limited"]
    assert hidden.violations == ()
    assert hidden.governed == 0


def test_star_import_without_dunder_all_skips_private_names(tree: Path) -> None:
    result = contract("pkg.core.defs._Hidden").check(scan_tree(tree))

    assert result.violations == ()
    assert result.kept


def test_importing_another_name_from_the_module_is_not_a_violation(tree: Path) -> None:
    result = contract("pkg.core.defs.Other").check(scan_tree(tree))

    lines = {(v.importer, v.chain[0].lines) for v in result.violations}
    assert ("pkg.users.other_name", (1,)) in lines
    assert ("pkg.users.other_attribute", (1,)) in lines
    assert ("pkg.users.direct", (1,)) not in lines  # imports Target only


def test_symbol_in_a_namespace_directory(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/ns/defs.py": "class NsThing:\n    pass\n",  # pkg/ns has no __init__.py
            "pkg/ns/sibling.py": "from .defs import NsThing\n",
            "pkg/user.py": "import pkg.ns.defs as nd\n\nthing = nd.NsThing()\n",
            "pkg/bystander.py": "from pkg.ns.defs import NsThing as Thing\n",
        },
    )
    result = contract("pkg.ns.defs.NsThing", allowed=("pkg.ns",)).check(scan_tree(root))

    assert [(v.importer, v.alias) for v in result.violations] == [
        ("pkg.bystander", "Thing"),
        ("pkg.user", "nd.NsThing"),
    ]
    assert (result.governed, result.respecting, result.exempt) == (2, 0, 1)  # pkg.ns.sibling


def test_modules_and_symbols_together_add_up(tree: Path) -> None:
    both = Protected(
        name="both",
        id="both",
        modules=(ModuleExpr("pkg.limited"),),
        symbols=(TARGET,),
        allowed_importers=(ModuleExpr("pkg.allowed"),),
    )
    result = both.check(scan_tree(tree))

    codes = [v.code for v in result.violations]
    assert codes.count("AG130") == 1  # pkg.users.star_limited -> pkg.limited
    assert codes.count("AG131") == len(EXPECTED) + 1


def test_ignore_imports_drop_symbol_sites(tree: Path) -> None:
    result = contract(
        TARGET, ignore_imports=(ImportExpr(ModuleExpr("pkg.users.direct"), ModuleExpr(DEFS)),)
    ).check(scan_tree(tree))

    assert "pkg.users.direct" not in {v.importer for v in result.violations}
    assert not result.diagnostics  # the ignore matched


def test_naming_a_reexport_protects_the_definition(tree: Path) -> None:
    result = contract("pkg.core.Target").check(scan_tree(tree))

    assert {v.symbol for v in result.violations} == {TARGET}
    assert len(result.violations) == len(EXPECTED) + 1
    assert [(d.code, d.severity) for d in result.diagnostics] == [("AG313", Severity.INFO)]


@pytest.mark.parametrize(
    ("symbol", "code", "hint"),
    [
        ("pkg.core.defs.Targt", "AG312", "did you mean 'pkg.core.defs.Target'?"),
        ("pkg.core.def.Target", "AG310", "did you mean 'pkg.core.defs.Target'?"),
        ("pkg.core.defs", "AG312", "'pkg.core.defs' is a module: list it under 'modules'"),
    ],
)
def test_unknown_symbol_is_a_configuration_error(
    tree: Path, symbol: str, code: str, hint: str
) -> None:
    result = contract(symbol).check(scan_tree(tree))

    assert [(d.code, d.severity, d.hint) for d in result.diagnostics] == [
        (code, Severity.ERROR, hint)
    ]
    assert result.misconfigured
    assert result.violations == ()


def test_only_files_that_can_import_the_name_are_parsed(tree: Path) -> None:
    index = symbol_index(scan_tree(tree), [Symbol.parse(TARGET)])

    assert "pkg.users.other_name" not in index.facts  # never mentions Target (or an alias of it)
    # Found only because `Renamed`, the alias pkg.core.renamed re-exports it as, joined the search.
    assert "pkg.users.via_renamed" in index.facts
    assert "pkg.starred" in index.facts  # `import *` binds names without writing them
