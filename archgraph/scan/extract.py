"""A file's facts from its syntax tree: imports, module-level names, classes, `__all__` and
attribute chains (what the class model and the symbol contracts read), and their plain rows."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from archgraph.model.facts import (
    FileFacts,
    ImportFact,
)
from archgraph.scan.fact_rows import from_row
from archgraph.scan.syntax import (
    ABSTRACT_DECORATORS,
    ImportRow,
    dotted_name,
    import_fact,
    import_rows,
    literal_names,
    node_text,
    parse,
    string_literals,
)


@dataclass
class _ModuleScan:
    """Collects module-level bindings while walking top-level statements."""

    definitions: set[str] = field(default_factory=set)
    dunder_all: list[str] | None = None
    dunder_all_partial: bool = False  # `__all__` is (partly) computed: the names seen are a subset

    def visit_block(self, statements: Iterable[Any]) -> None:
        for statement in statements:
            kind = statement.type
            if kind == "decorated_definition":
                statement = statement.child_by_field_name("definition")
                kind = statement.type if statement is not None else ""
            if kind in ("class_definition", "function_definition"):
                self.definitions.add(node_text(statement.child_by_field_name("name")))
            elif kind == "expression_statement":
                for expression in statement.named_children:
                    self.visit_assignment(expression)
            elif kind in ("if_statement", "try_statement", "with_statement", "else_clause",
                          "elif_clause", "except_clause", "finally_clause", "block"):
                # Module-level code inside if/try/with still binds module-level names.
                self.visit_block(statement.named_children)
            elif kind == "type_alias_statement":
                self.definitions.add(dotted_name(statement.child_by_field_name("left")))

    def extend_all(self, values: list[str], complete: bool) -> None:
        self.dunder_all = [*(self.dunder_all or []), *values]
        self.dunder_all_partial = self.dunder_all_partial or not complete

    def visit_assignment(self, node: Any) -> None:
        if node.type == "call":
            # `__all__.extend([...])` / `__all__.append("x")` add to a literal `__all__`.
            function = dotted_name(node.child_by_field_name("function"))
            if function in ("__all__.extend", "__all__.append"):
                arguments = node.child_by_field_name("arguments")
                argument = arguments.named_children[0] if arguments and arguments.named_children else None
                if function == "__all__.append" and argument is not None and argument.type == "string":
                    self.extend_all(string_literals(arguments), len(arguments.named_children) == 1)
                else:
                    self.extend_all(*literal_names(argument))
            return
        if node.type not in ("assignment", "augmented_assignment"):
            return
        left = node.child_by_field_name("left")
        targets = [left] if left is not None and left.type == "identifier" else (
            [c for c in left.named_children if c.type == "identifier"] if left is not None else []
        )
        for target in targets:
            name = node_text(target)
            self.definitions.add(name)
            if name == "__all__":
                values, complete = literal_names(node.child_by_field_name("right"))
                if node.type == "augmented_assignment":
                    self.extend_all(values, complete)
                else:
                    self.dunder_all, self.dunder_all_partial = values, not complete


def _qualname(node: Any, name: str) -> str:
    parts = [name]
    parent = node.parent
    while parent is not None:
        if parent.type in ("class_definition", "function_definition"):
            parts.append(node_text(parent.child_by_field_name("name")))
        parent = parent.parent
    return ".".join(reversed(parts))


def _decorators(definition: Any) -> tuple[str, ...]:
    parent = definition.parent
    if parent is None or parent.type != "decorated_definition":
        return ()
    return _decorators_of(parent)


def _decorators_of(decorated: Any) -> tuple[str, ...]:
    """The decorators of a `decorated_definition` node."""
    return tuple(
        dotted_name(d.named_children[0]) or node_text(d.named_children[0])
        for d in decorated.named_children
        if d.type == "decorator" and d.named_children
    )


def _body_statements(function: Any) -> list[Any]:
    """The function body without a leading docstring."""
    body = function.child_by_field_name("body")
    statements = list(body.named_children) if body is not None else []
    statements = [s for s in statements if s.type != "comment"]
    if statements and statements[0].type == "expression_statement":
        first = statements[0].named_children
        if first and first[0].type == "string":
            statements = statements[1:]
    return statements


def _forwarded(method: str, statements: list[Any]) -> tuple[str, str, str] | None:
    """`return self.attr.other(...)` (optionally awaited) as the whole body: a ForwardedMethod row."""
    if len(statements) != 1:
        return None
    statement = statements[0]
    expression = statement.named_children[0] if statement.named_children else None
    if expression is not None and expression.type == "await":
        expression = expression.named_children[0] if expression.named_children else None
    if expression is None or expression.type != "call":
        return None
    target = _name_chain(expression.child_by_field_name("function")).split(".")
    if len(target) == 3 and target[0] == "self":
        return (method, target[1], target[2])
    return None


def _name_chain(node: Any) -> str:
    """`a.b.c` for a plain chain of names; '' for anything else (`a[0].b`, `f().b`)."""
    if node is None:
        return ""
    if node.type == "identifier":
        return node_text(node)
    if node.type == "attribute":
        head = _name_chain(node.child_by_field_name("object"))
        return f"{head}.{node_text(node.child_by_field_name('attribute'))}" if head else ""
    return ""


def _annotated_parameters(function: Any) -> dict[str, str]:
    """Parameters annotated with a plain class name: `inner: Dispatcher` -> {inner: Dispatcher}."""
    found = {}
    parameters = function.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else ():
        if parameter.type not in ("typed_parameter", "typed_default_parameter"):
            continue
        name = parameter.child_by_field_name("name") or parameter.named_children[0]
        annotation = parameter.child_by_field_name("type")
        target = _name_chain(annotation.named_children[0]) if annotation is not None and annotation.named_children else ""
        if name.type == "identifier" and target:
            found[node_text(name)] = target
    return found


def _self_attribute_types(function: Any, statements: list[Any]) -> list[tuple[str, str]]:
    """`self.attr = Callee(...)`, or `self.attr = param` with `param: Callee`, -> (attr, Callee).

    `statements`: the function's body statements.
    """
    found = []
    parameters: dict[str, str] | None = None
    for statement in statements:
        if statement.type != "expression_statement":
            continue
        for expression in statement.named_children:
            if expression.type != "assignment":
                continue
            left = expression.child_by_field_name("left")  # `self.attr`: nothing else qualifies
            if left is None or left.type != "attribute":
                continue
            owner = left.child_by_field_name("object")
            if owner is None or owner.type != "identifier" or node_text(owner) != "self":
                continue
            right = expression.child_by_field_name("right")
            if right is None:
                continue
            attribute = node_text(left.child_by_field_name("attribute"))
            if right.type == "call":
                callee = dotted_name(right.child_by_field_name("function"))
                if callee:
                    found.append((attribute, callee))
            elif right.type == "identifier":
                if parameters is None:
                    parameters = _annotated_parameters(function)
                annotation = parameters.get(node_text(right))
                if annotation:
                    found.append((attribute, annotation))
    return found


ClassRow = tuple[Any, ...]  # ClassFact, as `to_row` writes it


def _class_row(node: Any) -> ClassRow:
    name = node_text(node.child_by_field_name("name"))
    bases: list[str] = []
    metaclass = None
    superclasses = node.child_by_field_name("superclasses")
    for argument in superclasses.named_children if superclasses is not None else []:
        if argument.type == "keyword_argument":
            if node_text(argument.child_by_field_name("name")) == "metaclass":
                metaclass = dotted_name(argument.child_by_field_name("value"))
        elif argument.type not in ("comment", "list_splat", "dictionary_splat"):
            dotted = dotted_name(argument)
            if dotted:
                bases.append(dotted)
    methods, abstract, attributes, forwarded = [], [], [], []
    body = node.child_by_field_name("body")
    for statement in body.named_children if body is not None else []:
        function, decorated = statement, statement.type == "decorated_definition"
        if decorated:
            function = statement.child_by_field_name("definition")
        if function is None or function.type != "function_definition":
            continue
        method = node_text(function.child_by_field_name("name"))
        methods.append(method)
        if decorated and not ABSTRACT_DECORATORS.isdisjoint(_decorators_of(statement)):
            abstract.append(method)
        statements = _body_statements(function)
        attributes += _self_attribute_types(function, statements)
        forward = _forwarded(method, statements)
        if forward is not None:
            forwarded.append(forward)
    return (
        name, _qualname(node, name), node.start_point[0] + 1, tuple(bases), metaclass,
        _decorators(node), tuple(methods), tuple(abstract), tuple(attributes), tuple(forwarded),
    )


# Walking the syntax tree from Python costs as much as parsing it (a tree-sitter query too: it
# visits every node). Imports, classes and `alias.Name` uses are rare, so their keywords and
# names are found in the bytes, and only those spots are looked at. A statement starts a line,
# or follows `;` or the `:` of a one-line `if x: import y`; keeping only those skips the many
# "from" and "class" words of docstrings, comments and names (`device_class`). Each keyword is
# found with `bytes.find` (memchr speed) and what precedes it is looked at; that finds what
# `lead[ \t\f]*(?:lazy[ \t\f]+)?(import|from|class)\b` finds for each lead of `_LEADS` and the
# start of the file (after a UTF-8 byte order mark, if any), in half the time of five patterns.
# PEP 810's soft keyword may lead an import statement: `lazy import x`, `lazy from x import y`.
_KEYWORDS = (b"import", b"from", b"class")
_LEADS = frozenset(b"\n\r;:")
_INDENT = frozenset(b" \t\f")
_BYTE_ORDER_MARK = b"\xef\xbb\xbf"


def _keyword_spans(source: bytes) -> list[tuple[int, int]]:
    """Where the statement keywords are (see above), by keyword, each in source order."""
    found = []
    size = len(source)
    find = source.find
    for keyword in _KEYWORDS:
        start = find(keyword)
        while start != -1:
            end = start + len(keyword)
            if end == size or source[end] not in _WORD_BYTES:
                # Most words are ruled out by the byte before them (`device_class`, `.from`).
                before = source[start - 1] if start else None
                if before is None or before in _LEADS:
                    found.append((start, end))
                elif (before in _INDENT or start == len(_BYTE_ORDER_MARK)) and _starts_statement(
                    source, start
                ):
                    found.append((start, end))
            start = find(keyword, end)
    return found


def _starts_statement(source: bytes, start: int) -> bool:
    """The keyword at `start` follows a lead, some indent and perhaps `lazy`."""
    before = start
    while before and source[before - 1] in _INDENT:
        before -= 1
    if _after_lead(source, before):
        return True
    if before == start or before < 4 or source[before - 4 : before] != b"lazy":
        return False
    before -= 4
    while before and source[before - 1] in _INDENT:
        before -= 1
    return _after_lead(source, before)


def _after_lead(source: bytes, at: int) -> bool:
    return (
        at == 0
        or source[at - 1] in _LEADS
        or (at == len(_BYTE_ORDER_MARK) and source.startswith(_BYTE_ORDER_MARK))
    )


_STATEMENT_TYPES = frozenset({"import_statement", "import_from_statement", "class_definition"})


def _walkable(node_type: str) -> bool:
    """Nodes whose statements count: not expressions, and not ERROR regions."""
    return node_type.endswith(("statement", "definition", "clause", "block")) or node_type in (
        "module",
        "decorated_definition",
    )


def _statements(root: Any, source: bytes) -> list[Any]:
    """Import statements and class definitions anywhere but in ERROR regions, in source order."""
    found: dict[int, Any] = {}
    for start, end in _keyword_spans(source):
        keyword = root.descendant_for_byte_range(start, end)
        statement = keyword.parent if keyword is not None else None
        if statement is None or statement.type not in _STATEMENT_TYPES or statement.id in found:
            continue
        ancestor = statement.parent
        while ancestor is not None and _walkable(ancestor.type):
            ancestor = ancestor.parent
        if ancestor is None:  # reached the root through statements only
            found[statement.id] = statement
    return sorted(found.values(), key=lambda node: node.start_byte)


_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_MAY_PRECEDE_DOT = frozenset(b".#\\ \t\n\r\x0b\x0c") | frozenset(range(0x80, 0x100))


def _dot_candidates(source: bytes, aliases: Iterable[str]) -> list[tuple[int, int]]:
    r"""Spans of whole-word uses of the aliases that a dot may follow.

    The spans are those of `re.finditer(rb"\b(?:alias|...)\b", source)` whose next byte may
    precede a dot: the next token of `alias.attr` is the dot, so the byte after the name must
    be the dot itself, whitespace, a comment or a line continuation (or a non-ASCII byte, which
    tree-sitter may read as whitespace); most uses of a name are not attribute accesses.
    Compiling an alternation of each file's names took 40% of fact extraction: names made of
    ASCII word characters are searched one by one with `bytes.find` (memchr speed), which finds
    the same spans, since a whole-word match of such a name is a whole run of word characters
    and two runs never overlap. Other names (`é`) keep the alternation.
    """
    words = sorted({alias.encode() for alias in aliases if alias})
    if not all(_WORD_BYTES.issuperset(word) for word in words):
        size = len(source)
        return [
            match.span()
            for match in _alias_pattern(tuple(words)).finditer(source)
            if match.end() < size and source[match.end()] in _MAY_PRECEDE_DOT
        ]
    size = len(source)
    found = []
    for word in words:
        length = len(word)
        start = source.find(word)
        while start != -1:
            end = start + length
            after = source[end] if end < size else None
            if (after is None or after not in _WORD_BYTES) and (
                start == 0 or source[start - 1] not in _WORD_BYTES
            ):
                if after is not None and after in _MAY_PRECEDE_DOT:
                    found.append((start, end))
                start = source.find(word, end)  # a match: go on after it
            else:
                start = source.find(word, start + 1)
    return found


@functools.lru_cache(maxsize=256)
def _alias_pattern(words: tuple[bytes, ...]) -> re.Pattern[bytes]:
    return re.compile(rb"\b(?:" + b"|".join(re.escape(word) for word in words) + rb")\b")


def _attribute_chains(root: Any, source: bytes, aliases: set[str]) -> list[tuple[str, int]]:
    """`alias.Name` uses (outermost attribute expressions) of module aliases bound by import."""
    found = set()
    for span in _dot_candidates(source, aliases):
        identifier = root.descendant_for_byte_range(*span)
        node = identifier.parent if identifier is not None else None
        if (
            node is None
            or identifier.type != "identifier"
            or (identifier.start_byte, identifier.end_byte) != span
            or node.type != "attribute"
            or node.child_by_field_name("object") != identifier
        ):
            continue
        while (
            node.parent is not None
            and node.parent.type == "attribute"
            and node.parent.child_by_field_name("object") == node
        ):
            node = node.parent  # climb to the outermost `a.b.c`
        found.add((dotted_name(node), node.start_point[0] + 1))
    return sorted(found, key=lambda item: (item[1], item[0]))


def extract_imports(source: bytes, tree: Any = None) -> list[ImportFact]:
    """The import statements of one file's source: `extract_facts(...).imports`, and no more.

    `tree`: the source's tree-sitter tree, when the caller has parsed it already.
    """
    root = (tree if tree is not None else parse(source)).root_node
    imports: list[ImportRow] = []
    for node in _statements(root, source):
        if node.type in ("import_statement", "import_from_statement"):
            imports += import_rows(node)
    return [import_fact(row) for row in imports]


def extract_facts(module: str, source: bytes, chains: bool = True) -> FileFacts:
    """Facts of one file's source (pure; no file access).

    `chains`: extract `attribute_chains` (a fifth of the work; only symbol contracts read
    them); without, they are None.
    """
    return from_row(extract_row(module, source, chains))


def extract_row(module: str, source: bytes, chains: bool = True, tree: Any = None) -> tuple[Any, ...]:
    """`to_row(extract_facts(module, source, chains))`, without building the facts.
    `tree`: the source's syntax tree, if the caller parsed it already."""
    root = (tree if tree is not None else parse(source)).root_node
    imports: list[ImportRow] = []
    classes: list[ClassRow] = []
    for node in _statements(root, source):
        if node.type in ("import_statement", "import_from_statement"):
            imports += import_rows(node)
        elif node.type == "class_definition":
            classes.append(_class_row(node))
    bindings = _ModuleScan()
    bindings.visit_block(root.named_children)
    definitions = bindings.definitions
    for _line, name, _level, names, alias, in_function, type_checking, _in_try in imports:
        if not (in_function or type_checking):
            if names:
                definitions.update(bound or imported for imported, bound in names if imported != "*")
            else:
                definitions.add(alias or name.split(".")[0])
    attribute_chains = _module_attribute_chains(root, source, imports) if chains else None
    error_line = None
    if root.has_error:
        error_line = _first_error_line(root)
    return (
        module,
        tuple(imports),
        tuple(sorted(definitions)),
        tuple(classes),
        tuple(bindings.dunder_all) if bindings.dunder_all is not None else None,
        attribute_chains,
        error_line,
        bindings.dunder_all_partial,
    )


def _module_attribute_chains(
    root: Any, source: bytes, imports: list[ImportRow]
) -> tuple[tuple[str, int], ...]:
    # Both `import a.b as m` and `from a import b` can bind a module, whose attributes
    # (`m.Name`, `b.Name`) give access to its names like an import does.
    bound_by_import = {alias or name.split(".")[0] for _, name, _, names, alias, *_ in imports if not names}
    bound_by_import |= {bound or imported for row in imports for imported, bound in row[3] if imported != "*"}
    return tuple(_attribute_chains(root, source, bound_by_import)) if bound_by_import else ()


def _first_error_line(root: Any) -> int | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return int(node.start_point[0]) + 1
        stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing or c.type == "ERROR"]))
    return None
