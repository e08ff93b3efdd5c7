"""`private`: a `_name` stays inside the package that holds it.

A module whose name starts with one underscore (`app.core._cache`, and everything inside it)
is private to the package that holds it (`app.core`); so is a name bound at the top level of a
module with one (`_helper` in `app.core.util`, or in `app/core/__init__.py`): private to that
module's package (`app.core`). No module outside that package may import them, whichever way:
`import app.core._cache`, `from app.core import _cache`, `from app.core.util import _helper`,
relative imports, and attribute access through a module bound by an import
(`import app.core.util as u; u._helper()`). Dunder names (`__version__`) are public.

The import statements are read with the symbol machinery (`archgraph.model.symbols`).
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import ClassVar

from archgraph import codes
from archgraph.diagnostics import ImportKind, ImportSite, ImportStep, Violation
from archgraph.model import ArchModel, ModuleExpr
from archgraph.model.facts import FileFacts, ImportFact
from archgraph.model.files import packages_of
from archgraph.model.names import is_within, parent
from archgraph.model.symbols import STAR, SymbolIndex, statements_for
from archgraph.results import ContractResult
from archgraph.rules.base import Contract, modules_named
from archgraph.rules.registry import register


def is_private(name: str) -> bool:
    """`_name` is private; `__dunder__` and `_` alone are not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__")) and name != "_"


def private_owner(module: str) -> str | None:
    """The package a module is private to: the one holding its first private part (the root
    package itself is never private); None for a public module."""
    parts = module.split(".")
    for index in range(1, len(parts)):
        if is_private(parts[index]):
            return ".".join(parts[:index])
    return None


@dataclass(frozen=True, slots=True, order=True)
class PrivateSite:
    """One import statement (or attribute use) that reaches a private module or name."""

    importer: str
    line: int  # the import statement's line
    module: str  # the private module, or the module the private name is taken from
    name: str | None  # the private name; None when the module is what is private
    owner: str  # the package it is private to
    uses: tuple[int, ...] = ()  # lines of `m._name` uses, for attribute access

    @property
    def target(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Private(Contract):
    kind: ClassVar[str] = "private"
    compliance_formula: ClassVar[str] = (
        "respecting / (respecting + violating) import sites; governed: imports of a private "
        "module or name within the contract's modules; violating: those from outside its "
        "package; exempt: allowed importers, ignore_imports"
    )
    # The packages whose private modules and names are ruled on; none: every root package.
    modules: tuple[ModuleExpr, ...] = ()
    allowed_importers: tuple[ModuleExpr, ...] = ()
    # false: only private modules are ruled on, not the `_names` bound in modules.
    names: bool = True

    def named_modules(self, model: ArchModel) -> frozenset[str]:
        """The packages listed (none when the contract covers every root package: a hygiene
        rule over everything governs no module in particular)."""
        return modules_named(model, self.modules)

    def check(self, model: ArchModel) -> ContractResult:
        """Report each import of a private module or name from outside its package."""
        _view, diagnostics = self.view(model)
        scope, problems = self.resolve(model, "modules", self.modules)
        allowed, more = self.resolve(model, "allowed_importers", self.allowed_importers)
        if problems or more:
            return self.result(diagnostics=diagnostics + problems + more)
        roots = scope or [r for r in model.root_packages if model.contains(r)]
        violations = []
        governed: set[ImportSite] = set()
        exempt: set[ImportSite] = set()
        for found in private_sites(model):
            site = found if self.names else _module_only(found)
            if site is None or not any(is_within(site.module, root) for root in roots):
                continue
            kind = model.kind_of(site.importer, site.line)
            if not self.governs_kind(kind):
                continue
            pair = (site.importer, site.module)
            if (
                any(expr.covers(*pair) for expr in self.ignore_imports)
                or model.suppresses(self.id, site.importer, site.line)  # with its reason
                or any(is_within(site.importer, a) for a in allowed)
            ):
                exempt.add(pair)
                continue
            governed.add(pair)
            if not is_within(site.importer, site.owner):
                violations.append(self._violation(model, site, kind))
        return self.result(violations, diagnostics, governed=governed, exempt=exempt - governed)

    def _violation(self, model: ArchModel, site: PrivateSite, kind: ImportKind) -> Violation:
        what = "private name" if site.name else "private module"
        message = f"{site.importer} imports the {what} {site.target} from outside {site.owner}"
        if site.uses:
            lines = ", ".join(map(str, site.uses))
            message += f" (used at line{'s' if len(site.uses) > 1 else ''} {lines})"
        return Violation(
            code=codes.PRIVATE_NAME_IMPORT.code,
            contract=self.id,
            message=message,
            chain=(ImportStep(site.importer, site.module, (site.line,), (kind,)),),
            location=model.location_of(site.importer, site.line),
            symbol=site.target if site.name else None,
        )


# --- reading the import sites -----------------------------------------------------------------


@dataclass(frozen=True)
class PrivateProjection:
    """What the private contract reads of a file: the import statements that name a private
    module or name, the attribute chains with a private part, and the imports binding their
    heads (kept per file across runs, like the symbol index's projection)."""

    @property
    def key(self) -> tuple[str, ...]:
        return ("private", str(PRIVATE_PROJECTION_VERSION))

    def __call__(self, facts: FileFacts) -> FileFacts:
        chains = tuple(
            (text, line)
            for text, line in facts.attribute_chains or ()
            if any(is_private(part) for part in text.split(".")[1:])
        )
        heads = {text.partition(".")[0] for text, _line in chains}
        return facts._replace(
            imports=tuple(fact for fact in facts.imports if _concerns(fact, heads)),
            definitions=(),
            classes=(),
            dunder_all=None,
            attribute_chains=chains,
        )


PRIVATE_PROJECTION_VERSION = 1  # bump when what the projection keeps changes


def _concerns(fact: ImportFact, heads: AbstractSet[str]) -> bool:
    if any(is_private(part) for part in fact.module.split(".")):
        return True
    if not fact.names:
        return (fact.alias or fact.module.split(".")[0]) in heads
    return any(is_private(i.name) or i.bound_as in heads for i in fact.names)


def private_sites(model: ArchModel) -> list[PrivateSite]:
    """Every import statement of the analyzed code that reaches a private module or name of
    it, the owner's own imports included (the contract tells them apart)."""
    # Every file that may name a private part holds an underscore.
    projection = PrivateProjection()
    facts = model.mentioning([b"_"], projection, projection.key)
    include_type_checking = not model.exclude_type_checking_imports
    index = SymbolIndex(facts, model.modules, packages_of(model.files), include_type_checking)
    internal = model.internal_modules
    found: set[PrivateSite] = set()
    for importer in sorted(facts):
        statements: set[PrivateSite] = set()
        for fact in facts[importer].imports:
            if fact.type_checking and not include_type_checking:
                continue
            statements |= _statement_sites(index, internal, importer, fact)
        # `import a._b` then `a._b.f()`: the statement is the site already.
        seen = {(s.line, s.module, s.name) for s in statements}
        found |= statements
        found |= {
            site
            for site in _attribute_sites(index, internal, importer, facts[importer])
            if (site.line, site.module, site.name) not in seen
        }
    return sorted(found)


def _statement_sites(
    index: SymbolIndex, internal: AbstractSet[str], importer: str, fact: ImportFact
) -> set[PrivateSite]:
    source = index.absolute(importer, fact)
    if source is None:
        return set()
    sites: set[PrivateSite] = set()
    for imported in fact.names:
        if imported.name == STAR:
            continue  # a star import binds no private name (unless `__all__` lists it)
        submodule = f"{source}.{imported.name}"
        if submodule in internal:
            sites |= _module_site(importer, fact.line, submodule, internal)
        elif is_private(imported.name) and source in internal:
            sites.add(_name_site(index, importer, fact.line, source, imported.name))
    if not sites:  # `import a._b`, `from a._b import c`: the module itself is private
        sites |= _module_site(importer, fact.line, source, internal)
    return sites


def _module_only(site: PrivateSite) -> PrivateSite | None:
    """The site as an import of a private module (`names = false`), if it is one."""
    if site.name is None:
        return site
    owner = private_owner(site.module)
    return replace(site, name=None, owner=owner) if owner is not None else None


def _module_site(
    importer: str, line: int, module: str, internal: AbstractSet[str], uses: tuple[int, ...] = ()
) -> set[PrivateSite]:
    owner = private_owner(module)
    if owner is None or module not in internal:
        return set()
    return {PrivateSite(importer, line, module, None, owner, uses)}


def _name_site(
    index: SymbolIndex, importer: str, line: int, module: str, name: str, uses: tuple[int, ...] = ()
) -> PrivateSite:
    package = module if index.is_package(module) else (parent(module) or module)
    # A private module's owner is further out: the name's package is the stricter one.
    return PrivateSite(importer, line, module, name, package, uses)


def _attribute_sites(
    index: SymbolIndex, internal: AbstractSet[str], importer: str, facts: FileFacts
) -> set[PrivateSite]:
    """`import a.b as m` (or `from a import b`), then `m._name` or `m._sub`: one site per
    statement and target, with the lines of its uses."""
    heads = index.module_bindings(importer)
    uses: dict[tuple[int, str, str | None], list[int]] = {}
    for text, use_line in facts.attribute_chains or ():
        parts = text.split(".")
        for fact, base in statements_for(heads.get(parts[0], ()), parts, use_line)[:1]:
            target = _attribute_target(index, internal, base, parts[1:])
            if target is not None:
                uses.setdefault((fact.line, *target), []).append(use_line)
    sites: set[PrivateSite] = set()
    for (line, module, name), lines in uses.items():
        used = tuple(sorted(set(lines)))
        if name is None:
            sites |= _module_site(importer, line, module, internal, used)
        else:
            sites.add(_name_site(index, importer, line, module, name, used))
    return sites


def _attribute_target(
    index: SymbolIndex, internal: AbstractSet[str], base: str, parts: Sequence[str]
) -> tuple[str, str | None] | None:
    """The private module or (module, name) an attribute chain reaches, if any."""
    module = base
    for part in parts:
        if f"{module}.{part}" in index.modules:
            module = f"{module}.{part}"
            if is_private(part):
                return (module, None) if module in internal else None
            continue
        return (module, part) if is_private(part) and module in internal else None
    return None
