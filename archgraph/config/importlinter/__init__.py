"""import-linter configuration read as archgraph configuration, with the same verdicts.

import-linter keeps its options in `setup.cfg` or `.importlinter` (INI, `[importlinter]` and
`[importlinter:contract:ID]` sections) or in `pyproject.toml` (`[tool.importlinter]` and
`[[tool.importlinter.contracts]]`). This package reads them the way import-linter does and produces
the `Config` the archgraph loader produces (settings plus contract tables), so every later stage
is unchanged. Where the two tools mean different things by the same words, the translation keeps
import-linter's meaning:

- `ignore_imports` entries name exact modules (archgraph's cover descendants): `ignore_imports_exact`.
- an ignore that matches nothing fails the run by default: `unmatched_ignore_imports = "error"`.
- `**` is one or more segments (archgraph's is zero or more): written `*.**`.
- patterns import-linter lets match nothing (most wildcards, external forbidden packages)
  are written optional, `"(pattern)"`; optional layers keep their `(layer)` form.
- grimp ignores directories without `__init__.py` inside packages: `include_namespace_dirs = false`.
- `acyclic_siblings` becomes `acyclic` with `depth` and `skip_descendants`.
- `private_modules` (proposed in import-linter's issue #159: `_foo` is imported only by its
  parent package) becomes `private` with `names = false`.

Options archgraph cannot honour (custom contract types, `as_packages = false`) are
configuration errors naming the file, section and key.
"""

from archgraph.config.importlinter.reading import discover
from archgraph.config.importlinter.translation import Translation, load, translate
from archgraph.config.importlinter.writing import render_toml

__all__ = ["Translation", "discover", "load", "render_toml", "translate"]
