"""`archgraph init`'s inference: layer order by fewest upward imports, independence, TOML."""

from __future__ import annotations

import itertools
import random
import re
import tomllib
from pathlib import Path

import pytest

from archgraph.init.inference import infer, infer_independence, infer_layers
from archgraph.init.render import proposal_toml, proposed_contracts
from archgraph.model.ordering import layering, minimum_upward_order, upward_weight
from tests.helpers import contract, scan_tree, write_tree

# Imports planted against the layering: (importer module, imported module).
PLANTED = (
    ("top.l5p0.m0", "top.l2p1.m1"),
    ("top.l4p1.m1", "top.l1p0.m0"),
    ("top.l3p0.m1", "top.l0p1.m0"),
)


def layered_tree(root: Path, layers: int, per_layer: int, planted=PLANTED) -> list[list[str]]:
    """Package `top` with `layers` layers of `per_layer` packages (lLpP), two modules each.

    Every module of a package imports every package of the next layer down, and some of the
    layers further down (seeded), so each layer sits exactly one above the next; `planted`
    imports point upward. Returns the packages per layer, top first.
    """
    rng = random.Random(layers * 100 + per_layer)
    names = [[f"l{layer}p{index}" for index in range(per_layer)] for layer in range(layers)]
    files: dict[str, str] = {"top/__init__.py": ""}
    extra = {importer: imported for importer, imported in planted}
    for layer, packages in enumerate(names):
        below = [p for deeper in names[layer + 2 :] for p in deeper]
        for package in packages:
            files[f"top/{package}/__init__.py"] = ""
            for module in ("m0", "m1"):
                targets = list(names[layer + 1]) if layer + 1 < layers else []
                targets += rng.sample(below, min(2, len(below)))
                lines = [f"import top.{target}.m{rng.randint(0, 1)}" for target in targets]
                name = f"top.{package}.{module}"
                if name in extra:
                    lines.append(f"import {extra[name]}")
                files[f"top/{package}/{module}.py"] = "\n".join(lines) + "\n"
    write_tree(root, files)
    return names


@pytest.mark.parametrize(("layers", "per_layer", "exact"), [(6, 2, True), (6, 4, False)])
def test_init_recovers_a_known_layering_and_lists_exactly_the_planted_imports(
    tmp_path: Path, layers: int, per_layer: int, exact: bool
) -> None:
    expected = layered_tree(tmp_path, layers, per_layer)
    model = scan_tree(tmp_path, "top").model

    proposal = infer_layers(model, "top")

    assert not isinstance(proposal, str)
    assert proposal.exact is exact  # 12 children are solved exactly, 24 by the heuristic
    assert proposal.layers == tuple(tuple(layer) for layer in expected)
    listed = {(e.importer, e.imported) for pair in proposal.upward for e in pair.examples}
    assert listed == set(PLANTED)
    assert proposal.upward_count == len(PLANTED)
    assert {(p.importer, p.imported) for p in proposal.upward} == {
        ("top.l5p0", "top.l2p1"),
        ("top.l4p1", "top.l1p0"),
        ("top.l3p0", "top.l0p1"),
    }


def test_the_proposed_file_reads_back_and_its_layers_contract_reports_the_planted_imports(
    tmp_path: Path,
) -> None:
    layered_tree(tmp_path, 6, 2)
    model = scan_tree(tmp_path, "top").model
    proposal = infer(model, ["top"])
    text = proposal_toml(proposal, proposed_contracts(proposal), {"root_packages": ["top"]})

    document = tomllib.loads(text)
    (layers_table,) = [t for t in document["contracts"] if t["type"] == "layers"]
    assert layers_table["layers"] == [f"l{n}p0 | l{n}p1" for n in range(6)]
    commented = set(re.findall(r'^#\s+"([^"]+)",  # top/', text, re.MULTILINE))
    assert commented == {f"{a} -> {b}" for a, b in PLANTED}

    result = contract(**layers_table).check(model)
    direct = {(v.chain[0].importer, v.chain[0].imported) for v in result.violations if not v.is_indirect}
    assert direct == set(PLANTED)


def test_independence_is_proposed_for_plugins_that_share_only_a_base(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/core.py": "",
            "app/plugins/__init__.py": "",
            "app/plugins/base/__init__.py": "import app.core\n",
            "app/plugins/mail/__init__.py": "import app.plugins.base\n",
            "app/plugins/sms/__init__.py": "import app.plugins.base\n",
            "app/plugins/push/__init__.py": "import app.plugins.base\nimport app.plugins.mail\n",
            "app/plugins/fax/__init__.py": "import app.core\n",
        },
    )
    model = scan_tree(tmp_path, "app").model

    (group,) = infer_independence(model, ["app"])

    # push imports mail, and base is imported by three: the largest group without a chain.
    assert group.package == "app.plugins"
    assert group.modules == ("app.plugins.fax", "app.plugins.mail", "app.plugins.sms")
    checked = contract(name="i", type="independence", modules=list(group.modules)).check(model)
    assert checked.kept and checked.governed


def test_sibling_packages_that_import_nothing_get_no_independence_contract(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/locale/__init__.py": "",
            "app/locale/de/__init__.py": "",
            "app/locale/fr/__init__.py": "",
        },
    )
    assert infer_independence(scan_tree(tmp_path, "app").model, ["app"]) == ()


def brute_force_minimum(nodes: list[str], weights: dict[tuple[str, str], int]) -> int:
    return min(upward_weight(order, weights) for order in itertools.permutations(nodes))


def test_the_exact_order_is_the_minimum_and_the_heuristic_never_beats_it() -> None:
    rng = random.Random(3)
    for _ in range(100):
        nodes = [f"n{i}" for i in range(rng.randint(2, 6))]
        weights = {
            (a, b): rng.randint(1, 5) for a in nodes for b in nodes if a != b and rng.random() < 0.4
        }
        best = brute_force_minimum(nodes, weights)
        exact = minimum_upward_order(nodes, weights)
        heuristic = minimum_upward_order(nodes, weights, exact_limit=1)

        assert exact.exact and exact.upward == best == upward_weight(exact.order, weights)
        assert heuristic.upward >= best
        assert heuristic.upward == upward_weight(heuristic.order, weights)


def test_layering_separates_parts_that_import_each_other_and_sinks_land_at_the_bottom() -> None:
    weights = {("api", "services"): 3, ("admin", "services"): 1, ("services", "core"): 2, ("core", "api"): 1}
    order = minimum_upward_order(["admin", "api", "core", "services", "version"], weights)

    assert order.upward == 1  # core -> api is the cheapest import to point upward
    assert layering(order.order, weights) == (("admin", "api"), ("services",), ("core", "version"))


def test_the_contract_file_reads_back_as_proposed_whatever_the_paths_it_quotes() -> None:
    """Paths and names in comments come from the tree: a line break in them must not end the
    comment (`severity = "warning"` would demote the contract), nor make invalid TOML."""
    import tomllib  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from archgraph.diagnostics import Location  # noqa: PLC0415
    from archgraph.init.inference import (  # noqa: PLC0415
        ImportExample,
        LayersProposal,
        Proposal,
        UpwardImports,
    )
    from archgraph.init.render import proposal_toml, proposed_contracts  # noqa: PLC0415

    hostile = 'zz\nseverity = "warning"\n#\r\x7f\x1b\u2028\x85'
    example = ImportExample("app.core.x", "app.ui.y", Location(Path(f"app/core/{hostile}/x.py"), 3))
    proposal = Proposal(
        packages=("app",),
        layers=(
            LayersProposal(
                package="app",
                layers=(("ui",), ("core",)),
                upward=(UpwardImports("app.core", "app.ui", (example,)),),
                imports=1,
                exact=True,
                unnamed=(hostile,),
            ),
        ),
        notes=(f"app.{hostile}: a note",),
    )
    contracts = proposed_contracts(proposal)
    text = proposal_toml(proposal, contracts, {"root_packages": ["app"]}, [f"header {hostile}"])
    document = tomllib.loads(text)
    assert document["contracts"] == [dict(contract.table) for contract in contracts]
    assert document["contracts"][0]["exhaustive_ignores"] == [hostile]
    assert "severity" not in document["contracts"][0]
    assert not any(line.startswith("severity") for line in text.splitlines())
    assert '"app.core.x -> app.ui.y",  # app/core/zz\\nseverity = "warning"\\n#\\r\\x7f\\x1b\\u2028\\x85/x.py:3' in text
