"""`protected`: only the allowed importers may import these modules, or these names.

`modules` rules on direct imports of the modules. `symbols` rules on every import statement that
obtains the named object, however it travels: re-exports (`__init__.py`, chains, aliases, star
imports), relative imports, imports in functions, under `TYPE_CHECKING` or in `try`, and
`import m` followed by `m.Name`. Re-exporting is importing: a re-exporter must be allowed too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from archgraph import codes
from archgraph.diagnostics import Diagnostic, ImportSite, ImportStep, Location, Severity, Violation
from archgraph.model import ArchModel, ModuleExpr
from archgraph.model.files import packages_of
from archgraph.model.names import is_within
from archgraph.model.schema import TablePosition, did_you_mean
from archgraph.results import ContractResult
from archgraph.rules.base import Contract, modules_named, skipped_namespace_directory
from archgraph.rules.registry import register

if TYPE_CHECKING:
    # At run time each use imports it: a contract that protects modules only never loads the
    # symbol machinery (about 2 ms of every check).
    from archgraph.model.symbols import Symbol, SymbolSite


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Protected(Contract):
    """Only the allowed importers may import these modules, or these names.

    Compliance, over import sites (importer, module imported): violating = every import of a
    protected module, or statement obtaining a protected symbol, from outside the allowed
    importers; respecting = every import of a gate (an allowed importer that imports the protected
    code itself) from outside the allowed importers, and every statement taking the symbol from
    the `replacement`: the permitted ways to the protected code; exempt = the allowed importers'
    own imports of it and ignored imports.
    """

    kind: ClassVar[str] = "protected"
    compliance_formula: ClassVar[str] = (
        "respecting / (respecting + violating) import sites; violating: imports of the protected "
        "code outside the allowed importers; respecting: imports of an allowed importer that "
        "imports it, or of the replacement, or of the interface and the names of __all__ (the "
        "permitted paths); exempt: allowed importers, ignore_imports"
    )
    modules: tuple[ModuleExpr, ...] = ()
    symbols: tuple[str, ...] = ()  # `package.module.Name`, defined in that module
    allowed_importers: tuple[ModuleExpr, ...] = ()
    # The canonical import path of the (one) protected symbol, `pkg.registry.AgentRegistry`: a
    # module that re-exports it. Taking it from there is allowed to anyone; `archgraph fix`
    # rewrites the other imports to it.
    replacement: str | None = None
    # The public face of the protected `modules`: outside modules may import these (and what is
    # inside them), and the names in a protected package's `__all__`; nothing else of it.
    interface: tuple[ModuleExpr, ...] = ()

    def named_modules(self, model: ArchModel) -> frozenset[str]:
        """The protected modules and the modules defining the protected symbols."""
        defining = {text.rpartition(".")[0] for text in self.symbols}
        return modules_named(model, self.modules) | {m for m in defining if model.contains(m)}

    def validate(self, at: TablePosition) -> list[object]:
        problems: list[object] = []
        if not self.modules and not self.symbols:
            problems.append(at.error(None, "set 'modules', 'symbols' or both"))
        if self.symbols or self.replacement is not None:
            from archgraph.model.symbols import Symbol  # noqa: PLC0415 - see the imports above
        for text in self.symbols:
            problem = Symbol.problem(text)
            if problem:
                problems.append(at.error("symbols", problem))
        if self.interface and not self.modules:
            problems.append(
                at.error("interface", "an interface needs 'modules' (the packages it is the face of)")
            )
        plain = [m.text for m in self.modules if not m.is_wildcard]
        for expr in self.interface:
            if plain and len(plain) == len(self.modules) and not any(
                is_within(expr.text, m) for m in plain
            ):
                problems.append(
                    at.error(
                        "interface",
                        f"'{expr}' is not inside a protected module ({', '.join(plain)})",
                        suggestion=_closest_inside(expr.text, plain),
                    )
                )
        if self.replacement is not None:
            problem = Symbol.problem(self.replacement)
            if problem:
                problems.append(at.error("replacement", problem))
            elif len(self.symbols) != 1:
                problems.append(
                    at.error("replacement", "a replacement needs exactly one protected symbol; "
                             "write one contract per symbol")
                )
        return problems


    def check(self, model: ArchModel) -> ContractResult:
        """Report each import of a protected module or symbol from outside the allowed importers."""
        view, diagnostics = self.view(model)
        protected, problems = self.resolve(model, "modules", self.modules)
        allowed, more = self.resolve(model, "allowed_importers", self.allowed_importers)
        interface, missing = self.resolve(model, "interface", self.interface)
        more += missing
        symbols, notes, sites = symbol_findings(model, self.symbols)
        problems += more + notes
        if self.replacement is not None and symbols:
            problems += self._replacement_problems(model, symbols[0])
        if any(p.severity is Severity.ERROR for p in problems):
            return self.result(diagnostics=diagnostics + problems)
        modules = self._module_imports(self.in_scope(model), view, protected, allowed, interface)
        named = self._symbol_imports(model, symbols, sites, allowed)
        gates = modules.gates | named.gates
        # Importing a gate is the permitted way to the protected code: those imports respect it.
        through_gates = {
            (importer, gate)
            for gate in gates
            for importer in view.importers_of(gate)
            if not _inside(importer, allowed) and not _inside(importer, protected)
        }
        return self.result(
            modules.violations + named.violations,
            diagnostics + problems,
            governed=modules.governed | named.governed | through_gates,
            exempt=modules.exempt | named.exempt,
        )

    def _module_imports(
        self,
        model: ArchModel,
        view: ArchModel,
        protected: Sequence[str],
        allowed: Sequence[str],
        interface: Sequence[str] = (),
    ) -> ProtectedImports:
        found = ProtectedImports()
        for target_root in protected:
            face = [m for m in interface if is_within(m, target_root)]
            for target in sorted(model.within(target_root)):
                for importer in sorted(model.importers_of(target)):
                    if is_within(importer, target_root):
                        continue  # a protected module may use its own parts
                    if target not in view.imports_of(importer):  # ignored
                        found.exempt.add((importer, target))
                        continue
                    if _inside(importer, allowed):
                        found.exempt.add((importer, target))
                        found.gates.add(importer)
                        continue
                    found.governed.add((importer, target))
                    if _inside(target, face):
                        continue  # the interface is open to every importer: respecting
                    if self.interface:
                        found.violations.extend(
                            self._past_interface(view, importer, target, target_root, face)
                        )
                        continue
                    found.violations.append(
                        self.chain_violation(
                            view,
                            codes.PROTECTED_MODULE_IMPORT.code,
                            (importer, target),
                            f"{importer} imports protected module {target}",
                        )
                    )
        return found

    def _past_interface(
        self, view: ArchModel, importer: str, target: str, package: str, face: Sequence[str]
    ) -> list[Violation]:
        """An import of a protected module outside its interface: of the package itself, only
        the names its `__all__` lists are allowed (one violation per other name imported)."""
        shown = ", ".join(face) if face else "none"
        if target != package:
            return [
                self.chain_violation(
                    view,
                    codes.PROTECTED_INTERFACE_BYPASS.code,
                    (importer, target),
                    f"{importer} imports {target}, which is not in the interface of {package} "
                    f"(interface: {shown}, and the names in {package}.__all__)",
                )
            ]
        exported = _dunder_all(view, package)
        found = []
        for line, name in _names_taken(view, importer, package):
            if name in exported or f"{package}.{name}" in view.modules:
                continue  # public, or a submodule (an import of its own)
            step = ImportStep(importer, package, (line,), (view.kind_of(importer, line),))
            violation = self.steps_violation(
                view,
                codes.PROTECTED_INTERFACE_BYPASS.code,
                (step,),
                f"{importer} imports {package}.{name}, which is not in {package}.__all__ "
                f"nor in its interface ({shown})",
            )
            found.append(violation._replace(symbol=f"{package}.{name}"))
        return found

    def _symbol_imports(
        self,
        model: ArchModel,
        symbols: Sequence[Symbol],
        sites: Sequence[Sequence[SymbolSite]],
        allowed: Sequence[str],
    ) -> ProtectedImports:
        """Every statement obtaining a symbol outside `allowed` violates, counted by its site
        (importer, module named); those of allowed importers and ignored ones are exempt."""
        found = ProtectedImports()
        for symbol, symbol_sites in zip(symbols, sites, strict=True):
            for site in symbol_sites:
                pair = (site.importer, site.module)
                if any(expr.covers(site.importer, site.module) for expr in self.ignore_imports):
                    found.exempt.add(pair)
                elif not self.governs_kind(model.kind_of(site.importer, site.line)):
                    continue  # an import kind the contract does not govern: out of its scope
                elif model.suppresses(self.id, site.importer, site.line):
                    found.exempt.add(pair)  # an inline suppression with its reason
                elif _inside(site.importer, allowed):
                    found.exempt.add(pair)
                    found.gates.add(site.importer)
                else:
                    # Taken from the replacement (the canonical path): governed and respecting.
                    found.governed.add(pair)
                    if not self.by_replacement(site):
                        found.violations.append(self._symbol_violation(model, symbol, site))
        return found

    def by_replacement(self, site: SymbolSite) -> bool:
        """Whether the site takes the symbol from the replacement's module (the canonical path)."""
        from archgraph.model.symbols import Symbol  # noqa: PLC0415

        return self.replacement is not None and site.module == Symbol.parse(self.replacement).module

    def _replacement_problems(self, model: ArchModel, symbol: Symbol) -> list[Diagnostic]:
        """The replacement must hold the very object protected (a re-export of it)."""
        from archgraph.model.symbols import Symbol, origin_of  # noqa: PLC0415

        named = Symbol.parse(self.replacement or "")
        origin = None
        if named.module in model.internal_modules:
            origin = origin_of(
                named.module,
                named.name,
                lambda module: model.facts([module], chains=True).get(module),
                model.internal_modules,
                packages_of(model.files).__contains__,
                not model.exclude_type_checking_imports,
            )
        if origin is not None and origin.symbol == symbol:
            return []
        found = f"it is {origin.symbol}" if origin is not None else "it is not defined or imported there"
        return [
            Diagnostic(
                codes.INVALID_MODULE_LIST.code,
                Severity.ERROR,
                f"replacement: '{self.replacement}' is not the protected {symbol} ({found})",
                hint=f"name a module that imports {symbol.name} from {symbol.module} (a re-export)",
            )
        ]

    def _symbol_violation(self, model: ArchModel, symbol: Symbol, site: SymbolSite) -> Violation:
        from archgraph.model.symbols import STAR  # noqa: PLC0415

        alias = site.written if site.written != symbol.name else None
        if site.by_attribute:
            lines = ", ".join(map(str, site.uses))
            message = (
                f"{site.importer} uses protected {symbol} as {site.written} at line"
                f"{'s' if len(site.uses) > 1 else ''} {lines} (imported at line {site.line})"
            )
        else:
            message = f"{site.importer} imports protected {symbol}"
            if alias == STAR:
                message += " by a star import"
            elif alias:
                message += f" as {alias}"
            message += f" via {' -> '.join(site.via)}" if site.via else ""
        return Violation(
            code=codes.PROTECTED_SYMBOL_IMPORT.code,
            contract=self.id,
            message=message,
            chain=(
                ImportStep(
                    site.importer, site.module, (site.line,), (model.kind_of(site.importer, site.line),)
                ),
            ),
            location=model.location_of(site.importer, site.line),
            symbol=str(symbol),
            alias=alias,
            via=site.via,
        )


def _closest_inside(text: str, packages: Sequence[str]) -> str | None:
    """`app.cor.api` or `api` for a protected `app.core`: did you mean `app.core.api`?"""
    candidates = [f"{package}.{text.rpartition('.')[2]}" for package in packages]
    return did_you_mean(text, candidates) or (candidates[0] if len(candidates) == 1 else None)


def _dunder_all(model: ArchModel, package: str) -> frozenset[str]:
    facts = model.facts([package]).get(package)
    return frozenset(facts.dunder_all or ()) if facts is not None else frozenset()


def _names_taken(model: ArchModel, importer: str, package: str) -> list[tuple[int, str]]:
    """(line, name) of each name `importer` takes from `package` by `from package import name`
    on the lines the graph records; a plain `import package` takes its public face (none
    listed), and a star import the names of `__all__`."""
    from archgraph.model.symbols import STAR, absolute_module  # noqa: PLC0415

    facts = model.facts([importer]).get(importer)
    lines = set(model.graph.import_lines(importer, package))
    if facts is None:
        return []
    packages = packages_of(model.files)
    taken = []
    for fact in facts.imports:
        if fact.line not in lines or not fact.names:
            continue
        if absolute_module(importer, fact, packages.__contains__) != package:
            continue
        taken += [(fact.line, i.name) for i in fact.names if i.name != STAR]
    return sorted(set(taken))


class ProtectedImports:
    """What the protected modules or symbols contribute to the result: violations, violating
    sites, exempt sites (allowed importers, ignored imports), and the gates: allowed importers
    that import the protected code themselves."""

    __slots__ = ("exempt", "gates", "governed", "violations")

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.governed: set[ImportSite] = set()
        self.exempt: set[ImportSite] = set()
        self.gates: set[str] = set()


def _inside(module: str, ancestors: Sequence[str]) -> bool:
    return any(is_within(module, ancestor) for ancestor in ancestors)


def symbol_findings(
    model: ArchModel, texts: Sequence[str]
) -> tuple[list[Symbol], list[Diagnostic], list[list[SymbolSite]]]:
    """The symbols' definitions, notes on the names, and the import sites of each symbol.

    The slowest part of a symbol contract, and a function of the analyzed files alone: kept
    across runs while no file changes (`ArchModel.memoized`).
    """
    if not texts:
        return [], [], []
    from archgraph.model.symbols import Symbol, SymbolSite  # noqa: PLC0415

    def compute() -> tuple[Any, ...]:
        # Here: a contract that protects modules only never loads the symbol machinery.
        from archgraph.model.symbol_reading import symbol_index  # noqa: PLC0415

        symbols, notes = find_symbols(model, texts)
        index = symbol_index(model, symbols) if symbols else None
        sites = [index.sites(symbol) for symbol in symbols] if index is not None else []
        return (
            tuple((s.module, s.name) for s in symbols),
            tuple(_diagnostic_row(note) for note in notes),
            tuple(tuple(_site_row(site) for site in found) for found in sites),
        )

    key = ("protected.symbols", tuple(texts), not model.exclude_type_checking_imports)
    symbols, notes, sites = model.memoized(key, compute, _valid_findings)
    return (
        [Symbol(module, name) for module, name in symbols],
        [_diagnostic(row) for row in notes],
        [[SymbolSite(*row) for row in found] for found in sites],
    )


def _valid_findings(value: Any) -> bool:
    """The shape `symbol_findings` keeps: (symbols, notes, sites per symbol) as plain rows."""
    symbols, notes, sites = value
    return (
        all(type(m) is str and type(n) is str for m, n in symbols)
        and all(_valid_diagnostic_row(row) for row in notes)
        and len(sites) == len(symbols)
        and all(_valid_site_row(row) for found in sites for row in found)
    )


def _valid_diagnostic_row(row: Any) -> bool:
    code, severity, message, path, line, column, hint = row
    return (
        type(code) is str and severity in {s.value for s in Severity} and type(message) is str
        and (path is None or type(path) is str)
        and all(x is None or type(x) is int for x in (line, column))
        and (hint is None or type(hint) is str)
    )


def _valid_site_row(row: Any) -> bool:
    importer, line, module, written, via, uses, in_function, type_checking, in_try = row
    return (
        type(importer) is str and type(line) is int and type(module) is str
        and type(written) is str
        and type(via) is tuple and all(type(v) is str for v in via)
        and type(uses) is tuple and all(type(u) is int for u in uses)
        and all(type(flag) is bool for flag in (in_function, type_checking, in_try))
    )


def _site_row(site: SymbolSite) -> tuple[Any, ...]:
    return (
        site.importer, site.line, site.module, site.written, site.via, site.uses,
        site.in_function, site.type_checking, site.in_try,
    )


def _diagnostic_row(diagnostic: Diagnostic) -> tuple[Any, ...]:
    location = diagnostic.location
    return (
        diagnostic.code, diagnostic.severity.value, diagnostic.message,
        location.path.as_posix() if location else None,
        location.line if location else None,
        location.column if location else None,
        diagnostic.hint,
    )


def _diagnostic(row: tuple[Any, ...]) -> Diagnostic:
    code, severity, message, path, line, column, hint = row
    location = Location(Path(path), line, column) if path is not None else None
    return Diagnostic(code, Severity(severity), message, location, hint)


def find_symbols(model: ArchModel, texts: Sequence[str]) -> tuple[list[Symbol], list[Diagnostic]]:
    """The defining symbol of each `module.Name`; a name that is not there is a config error.

    A name re-exported by the module given is followed to where it is defined (with a note), so
    the contract protects the object whichever way it is imported.
    """
    from archgraph.model.symbols import Symbol, origin_of  # noqa: PLC0415

    packages = packages_of(model.files)
    found: list[Symbol] = []
    notes: list[Diagnostic] = []
    for text in dict.fromkeys(texts):
        named = Symbol.parse(text)
        if named.module not in model.internal_modules:
            notes.append(_unknown_module(model, text, named))
            continue
        origin = origin_of(
            named.module,
            named.name,
            # With chains: the symbol index reads these files again, and needs them (see FactsPort).
            lambda module: model.facts([module], chains=True).get(module),
            model.internal_modules,
            packages.__contains__,
            not model.exclude_type_checking_imports,
        )
        if origin is None or origin.symbol.module not in model.internal_modules:
            notes.append(_undefined_name(model, text, named))
            continue
        if origin.symbol != named:
            notes.append(
                Diagnostic(
                    codes.SYMBOL_REEXPORTED.code,
                    Severity.INFO,
                    f"symbols: '{text}' is imported there from elsewhere; protecting its "
                    f"definition {origin.symbol}",
                )
            )
        if origin.symbol not in found:
            found.append(origin.symbol)
    return found, notes


def _unknown_module(model: ArchModel, text: str, named: Symbol) -> Diagnostic:
    import difflib  # noqa: PLC0415 - only for a did-you-mean
    close = difflib.get_close_matches(named.module, model.sorted_modules, n=1, cutoff=0.75)
    hint = f"did you mean '{close[0]}.{named.name}'?" if close else "check the module name"
    skipped = skipped_namespace_directory(model, named.module)
    if skipped is not None:
        hint = (
            f"{skipped.as_posix()} is a directory without __init__.py (a namespace package); "
            "set include_namespace_dirs = true to analyze it"
        )
    return Diagnostic(
        codes.NO_MATCHING_MODULE.code,
        Severity.ERROR,
        f"symbols: '{text}': module '{named.module}' is not in the graph",
        hint=hint,
    )


def _undefined_name(model: ArchModel, text: str, named: Symbol) -> Diagnostic:
    facts = model.facts([named.module]).get(named.module)
    defined = sorted(facts.definitions) if facts is not None else []
    import difflib  # noqa: PLC0415 - only for a did-you-mean
    close = difflib.get_close_matches(named.name, defined, n=3, cutoff=0.6)
    if text in model.modules:
        hint = f"'{text}' is a module: list it under 'modules'"
    elif close:
        hint = "did you mean " + " or ".join(f"'{named.module}.{name}'" for name in close) + "?"
    elif facts is None:
        hint = f"{named.module} has no Python file that could be read"
    else:
        hint = f"names defined there: {', '.join(defined[:12]) or 'none'}"
    return Diagnostic(
        codes.INVALID_MODULE_LIST.code,
        Severity.ERROR,
        f"symbols: '{text}': {named.module} does not define '{named.name}'",
        location=model.location_of(named.module),
        hint=hint,
    )
