"""The catalog imports a built-in contract type only for a table that names its kind."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys

from archgraph.rules.base import Contract
from archgraph.rules.catalog import BUILT_IN, contract_types


def test_each_built_in_kind_names_the_module_that_defines_it() -> None:
    for kind, module_name in BUILT_IN.items():
        module = importlib.import_module(module_name)
        defined = [
            c for _n, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, Contract) and c.__module__ == module_name
        ]
        assert [c.kind for c in defined] == [kind], module_name
    assert set(contract_types(third_party=False)) >= set(BUILT_IN)


def test_a_check_of_one_kind_loads_no_other_type() -> None:
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from archgraph.model.schema import ContractTable, TablePosition\n"
        "from archgraph.rules.catalog import build_contracts\n"
        "table = ContractTable({'type': 'forbidden', 'name': 'n', 'source_modules': ['a'],"
        " 'forbidden_modules': ['b']}, TablePosition(Path('c.toml'), 'contracts[0]'))\n"
        "contracts, errors = build_contracts([table])\n"
        "assert not errors and contracts[0].kind == 'forbidden', errors\n"
        "print(sorted(m for m in sys.modules if m.startswith('archgraph.rules.')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    modules = ast.literal_eval(loaded.stdout)  # a printed list of module names
    assert "archgraph.rules.forbidden" in modules
    assert not {"archgraph.rules.protected", "archgraph.rules.single_implementation"} & set(modules)
