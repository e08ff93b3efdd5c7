"""A small package whose imports break every contract type in known ways.

Direct imports (the numbers are referred to by the tests' expected counts):
  1 shop.api.views       -> shop.services.orders
  2 shop.services.orders -> shop.data.store
  3 shop.services.billing -> shop.api.views          (services imports api: up a layer)
  4 shop.data.store      -> shop.utils.helpers       (starts data -> utils -> services -> api)
  5 shop.utils.helpers   -> shop.services.billing
  6 shop.data.store      -> shop.utils.text
  7 shop.cli             -> shop.api.views
  8 shop.cli             -> shop.data.store          (store is protected; cli is not allowed)
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import write_tree

SHOP_FILES = {
    "shop/__init__.py": "",
    "shop/cli.py": """\
        from shop.api import views
        from shop.data import store
        """,
    "shop/api/__init__.py": "",
    "shop/api/views.py": "from shop.services import orders\n",
    "shop/services/__init__.py": "",
    "shop/services/orders.py": "from shop.data import store\n",
    "shop/services/billing.py": "\n\nfrom shop.api import views\n",
    "shop/data/__init__.py": "",
    "shop/data/store.py": """\
        import shop.utils.helpers
        from shop.utils import text
        """,
    "shop/utils/__init__.py": "",
    "shop/utils/helpers.py": "from shop.services import billing\n",
    "shop/utils/text.py": "",
}

# The same imports for a model built in memory (tests/helpers.py, model_from_edges).
SHOP_EDGES = {
    "shop.cli": ["shop.api.views", ("shop.data.store", 2)],
    "shop.api.views": ["shop.services.orders"],
    "shop.services.orders": ["shop.data.store"],
    "shop.services.billing": [("shop.api.views", 3)],
    "shop.data.store": ["shop.utils.helpers", ("shop.utils.text", 2)],
    "shop.utils.helpers": ["shop.services.billing"],
}

SETTINGS = '[archgraph]\nroot_packages = ["shop"]\n'

ALL_CONTRACTS = SETTINGS + """
[[contracts]]
id = "layers"
name = "Layers"
type = "layers"
containers = ["shop"]
layers = ["api", "services", "data"]

[[contracts]]
id = "data-not-api"
name = "Data does not reach the API"
type = "forbidden"
source_modules = ["shop.data"]
forbidden_modules = ["shop.api"]

[[contracts]]
id = "api-data-independent"
name = "API and data are independent"
type = "independence"
modules = ["shop.api", "shop.data"]

[[contracts]]
id = "store-protected"
name = "Only orders use the store"
type = "protected"
modules = ["shop.data.store"]
allowed_importers = ["shop.services.orders"]

[[contracts]]
id = "no-cycles"
name = "No cycles"
type = "acyclic"
packages = ["shop"]
"""


def write_shop(root: Path, contracts: str = ALL_CONTRACTS) -> Path:
    """The shop package plus `contracts/architecture.toml`; returns root."""
    return write_tree(root, {**SHOP_FILES, "contracts/architecture.toml": contracts})
