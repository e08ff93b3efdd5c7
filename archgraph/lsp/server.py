"""The language server: pygls speaks the protocol over stdio, a `LiveCheck` judges the contracts.

On open, change and save of a Python file, every open Python buffer is analysed as the editor
holds it (unsaved text stands for the file) and each gets its diagnostics, an empty list once
fixed. Edits that arrive while an analysis runs are analysed together, once it is done. A
configuration problem is one diagnostic on its file, at its line; the configuration is read
again when a file of it is saved. Code actions on a violation: "show the chain" (the shortest
import chains, as `archgraph why` prints them) and "add to baseline".
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from archgraph.diagnostics import ArchgraphError, ConfigurationError, Severity, ViolationKey
from archgraph.lsp.findings import Finding, configuration_findings, file_findings
from archgraph.usecases.live import LiveCheck, LiveResult
from archgraph.usecases.project import RunOptions

SOURCE = "archgraph"
SHOW_CHAIN = "archgraph.showChain"
ADD_TO_BASELINE = "archgraph.addToBaseline"
CONFIGURATION_SUFFIXES = frozenset({".toml", ".cfg", ".ini", ".importlinter"})
WATCHED_GLOBS = ("**/*.py", "**/*.pyi", "**/*.toml", "**/*.cfg", "**/*.ini", "**/.importlinter")
_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


@dataclass(frozen=True, slots=True)
class _Pending:
    """What happened since the last analysis: files saved, configuration saved, tree changed."""

    saved: frozenset[Path] = frozenset()
    configuration: bool = False
    walk_again: bool = False


class ArchgraphLanguageServer(LanguageServer):
    """pygls' server with archgraph's state: the live check, and what was published where."""

    def __init__(self, root: Path | None, options: RunOptions) -> None:
        super().__init__("archgraph", version("archgraph"))
        self.given_root = root
        self.run_options = options
        self.live: LiveCheck | None = None
        self.last: LiveResult | None = None
        self.published: set[str] = set()  # uris with diagnostics now
        self.last_error: str | None = None  # the failure last shown
        self.uris: dict[Path, str] = {}  # each file's uri as the editor names it
        self.pending = _Pending()
        self.dirty = False
        self.task: asyncio.Task[None] | None = None

    def start(self, root: Path) -> None:
        self.live = LiveCheck(root, self.run_options)

    def schedule(self, pending: _Pending | None = None) -> None:
        """Analyse again once the running analysis (if any) is done."""
        if pending is not None:
            self.pending = _Pending(
                self.pending.saved | pending.saved,
                self.pending.configuration or pending.configuration,
                self.pending.walk_again or pending.walk_again,
            )
        self.dirty = True
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._analyse_while_dirty())

    async def _analyse_while_dirty(self) -> None:
        while self.dirty and self.live is not None:
            self.dirty = False
            pending, self.pending = self.pending, _Pending()
            texts = self._open_python_texts()
            try:
                outcome = await asyncio.to_thread(_analyse, self.live, pending, texts)
            except Exception:  # a defect: said, and the next edit is analysed again
                logging.getLogger(__name__).exception("archgraph: the analysis failed")
                outcome = ArchgraphError("internal error: the analysis failed (see the server's log)")
            self._publish(outcome, texts)

    def _open_python_texts(self) -> dict[Path, bytes]:
        """The open Python buffers, by file (their uris as the editor wrote them kept)."""
        texts = {}
        for uri, document in self.workspace.text_documents.items():
            path = _path_of(uri)
            if path is not None and path.suffix in (".py", ".pyi"):
                texts[path] = document.source.encode("utf-8", "surrogatepass")
                self.uris[path] = uri
        return texts

    def _uri(self, path: Path) -> str:
        return self.uris.get(path) or from_fs_path(str(path)) or path.as_uri()

    def _publish(self, outcome: LiveResult | ArchgraphError, texts: dict[Path, bytes]) -> None:
        by_uri: dict[str, list[types.Diagnostic]] = {}
        if isinstance(outcome, LiveResult):
            self.last = outcome
            for path, text in texts.items():
                found = file_findings(outcome, path)
                by_uri[self._uri(path)] = _diagnostics(found, text)
        elif isinstance(outcome, ConfigurationError):
            root = self.live.root if self.live is not None else Path.cwd()
            for file, found in configuration_findings(outcome.errors, root).items():
                text = texts.get(file) or _read(file)
                by_uri[self._uri(file)] = _diagnostics(found, text)
        elif str(outcome) != self.last_error:  # once, not at every keystroke
            self.window_show_message(
                types.ShowMessageParams(types.MessageType.Error, f"archgraph: {outcome}")
            )
        self.last_error = None if isinstance(outcome, LiveResult) else str(outcome)
        for uri in sorted(self.published - by_uri.keys()):
            by_uri[uri] = []
        for uri, diagnostics in sorted(by_uri.items()):
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
            )
        self.published = {uri for uri, diagnostics in by_uri.items() if diagnostics}


def _analyse(live: LiveCheck, pending: _Pending, texts: dict[Path, bytes]) -> LiveResult | ArchgraphError:
    """One analysis, on a worker thread: the loop stays free to take the next edits."""
    if pending.configuration:
        live.configuration_changed()
    if pending.walk_again:
        live.files_added_or_removed()
    live.edited(pending.saved)
    try:
        return live.run(texts)
    except ArchgraphError as error:
        return error


def _path_of(uri: str) -> Path | None:
    path = to_fs_path(uri)
    return Path(path).resolve() if path else None


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError:
        return b""


def _diagnostics(found: list[Finding], text: bytes) -> list[types.Diagnostic]:
    lines = text.decode("utf-8", "replace").splitlines()
    return [_diagnostic(finding, lines) for finding in found]


def _diagnostic(finding: Finding, lines: list[str]) -> types.Diagnostic:
    """The finding over its whole line (the import statement's first line)."""
    line = max(finding.line - 1, 0)
    width = len(lines[line]) if line < len(lines) else 0
    data: dict[str, Any] | None = None
    if finding.importer is not None and finding.imported is not None:
        data = {"importer": finding.importer, "imported": finding.imported}
        if finding.key is not None:
            data["key"] = finding.key.as_dict()
    return types.Diagnostic(
        range=types.Range(types.Position(line, 0), types.Position(line, width)),
        message=finding.message,
        severity=_SEVERITIES[finding.severity],
        code=finding.code,
        source=SOURCE,
        data=data,
    )


def _suppression_edit(
    ls: ArchgraphLanguageServer, uri: str, diagnostic: types.Diagnostic
) -> types.TextEdit | None:
    """An inline suppression of the diagnostic's contract on its import's first line: the
    comment added at the end of the line, or the id added to the one there. The reason is left
    for the author to write (a suppression without one is refused: AG340)."""
    if not isinstance(diagnostic.code, str):
        return None
    line_number = diagnostic.range.start.line
    lines = ls.workspace.get_text_document(uri).lines
    if line_number >= len(lines):
        return None
    line = lines[line_number].rstrip("\r\n")
    written = line.find("archgraph: ignore[")
    if written == -1:
        at, text = len(line), f"  # archgraph: ignore[{diagnostic.code}] -- "
    else:
        closing = line.find("]", written)
        named = line[written + len("archgraph: ignore[") : closing].split(",")
        if closing == -1 or diagnostic.code in (n.strip() for n in named):
            return None
        at, text = closing, f", {diagnostic.code}"
    position = types.Position(line_number, at)
    return types.TextEdit(range=types.Range(position, position), new_text=text)


def build_server(root: Path | None, options: RunOptions) -> ArchgraphLanguageServer:
    """The server, its features registered; `root`: the project (default: the workspace's)."""
    server = ArchgraphLanguageServer(root, options)

    @server.feature(types.INITIALIZE)
    def initialize(ls: ArchgraphLanguageServer, params: types.InitializeParams) -> None:
        root = ls.given_root
        if root is None and params.workspace_folders:
            root = _path_of(params.workspace_folders[0].uri)
        if root is None and params.root_uri:
            root = _path_of(params.root_uri)
        if root is None and params.root_path:
            root = Path(params.root_path)
        ls.start((root or Path.cwd()).resolve())

    @server.feature(types.INITIALIZED)
    async def initialized(ls: ArchgraphLanguageServer, params: types.InitializedParams) -> None:
        """Ask the editor to report changes to the tree made outside it (git, other tools),
        when it can watch files for a server."""
        workspace = ls.client_capabilities.workspace
        watching = workspace.did_change_watched_files if workspace is not None else None
        if watching is None or not watching.dynamic_registration:
            return
        watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS]
        await ls.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id="archgraph-watched-files",
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers),
                    )
                ]
            )
        )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ArchgraphLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ArchgraphLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ArchgraphLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.schedule()  # its saved file stands for it again

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ArchgraphLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        path = _path_of(params.text_document.uri)
        if path is None:
            return
        configuration = path.suffix in CONFIGURATION_SUFFIXES
        ls.schedule(_Pending(saved=frozenset({path}), configuration=configuration))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: ArchgraphLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = {p for change in params.changes if (p := _path_of(change.uri)) is not None}
        added_or_removed = any(c.type != types.FileChangeType.Changed for c in params.changes)
        configuration = any(p.suffix in CONFIGURATION_SUFFIXES for p in paths)
        ls.schedule(_Pending(frozenset(paths), configuration, added_or_removed))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(
        ls: ArchgraphLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        actions = []
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data
            if diagnostic.source != SOURCE or not isinstance(data, dict) or "importer" not in data:
                continue
            ends = [data["importer"], data["imported"]]
            actions.append(
                types.CodeAction(
                    title=f"archgraph: show the chain {ends[0]} -> {ends[1]}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    command=types.Command(title="Show the import chain", command=SHOW_CHAIN, arguments=ends),
                )
            )
            suppression = _suppression_edit(ls, params.text_document.uri, diagnostic)
            if suppression is not None:
                actions.append(
                    types.CodeAction(
                        title=f"archgraph: suppress here for {diagnostic.code} (then write the reason after --)",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=types.WorkspaceEdit(changes={params.text_document.uri: [suppression]}),
                    )
                )
            if "key" in data:
                actions.append(
                    types.CodeAction(
                        title=f"archgraph: add to baseline ({diagnostic.code})",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        command=types.Command(
                            title="Add to baseline", command=ADD_TO_BASELINE, arguments=[data["key"]]
                        ),
                    )
                )
        return actions

    @server.command(SHOW_CHAIN)
    def show_chain(ls: ArchgraphLanguageServer, *arguments: Any) -> str:
        from archgraph.report.text import why_lines  # noqa: PLC0415
        from archgraph.usecases.why import chains_in  # noqa: PLC0415

        importer, imported = (str(a) for a in arguments[:2])
        if ls.last is None:
            text = "archgraph: no analysis yet"
        else:
            try:
                text = "\n".join(why_lines(importer, imported, chains_in(ls.last.model, importer, imported)))
            except ArchgraphError as error:
                text = f"archgraph: {error}"
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Info, text))
        return text

    @server.command(ADD_TO_BASELINE)
    def add_to_baseline(ls: ArchgraphLanguageServer, *arguments: Any) -> str:
        from archgraph.usecases.baseline import add_to_baseline  # noqa: PLC0415

        if ls.last is None or not arguments or not isinstance(arguments[0], dict):
            return "archgraph: nothing to add"
        given = {name: arguments[0].get(name) for name in ("importer", "imported", "symbol", "message")}
        key = ViolationKey(
            str(arguments[0].get("contract")),
            str(arguments[0].get("code")),
            **{name: str(value) for name, value in given.items() if value is not None},
        )
        try:
            file = add_to_baseline(ls.last.project, key)
        except ArchgraphError as error:
            text = f"archgraph: {error}"
            ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, text))
            return text
        ls.schedule(_Pending(saved=frozenset({file.resolve()})))
        return f"archgraph: added {key} to {file.as_posix()}"

    return server


def serve(root: Path | None, options: RunOptions = RunOptions()) -> None:
    """Answer a client on stdin/stdout until it exits."""
    build_server(root, options).start_io()
