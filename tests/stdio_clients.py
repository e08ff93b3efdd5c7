"""Clients of archgraph's servers, as an editor or an agent talks to them: a real server process,
JSON-RPC over its stdin and stdout (the language server protocol frames each message with a
Content-Length header; MCP's stdio transport writes one JSON message a line)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Message = dict[str, Any]


class ServerProcess:
    """`archgraph ARGS` started with pipes; a thread reads its messages into a queue."""

    def __init__(self, arguments: Sequence[str], cwd: Path, framed: bool) -> None:
        self.framed = framed
        self.process = subprocess.Popen(
            [sys.executable, "-m", "archgraph", *arguments],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.messages: queue.Queue[Message | None] = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            if self.framed:
                length = None
                while True:
                    header = stream.readline()
                    if not header:
                        self.messages.put(None)
                        return
                    if header in (b"\r\n", b"\n"):
                        break
                    name, _, value = header.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                assert length is not None
                self.messages.put(json.loads(stream.read(length)))
            else:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line.strip():
                    self.messages.put(json.loads(line))

    def send(self, message: Message) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        stdin = self.process.stdin
        assert stdin is not None
        if self.framed:
            stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        else:
            stdin.write(body + b"\n")
        stdin.flush()

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"method": method, **({"params": params} if params is not None else {})})

    def request(self, method: str, params: Any = None, timeout: float = 30) -> Any:
        """Send a request and wait for its response; the result (an error fails the test)."""
        self._next_id += 1
        number = self._next_id
        self.send({"id": number, "method": method, **({"params": params} if params is not None else {})})
        response = self.wait_for(lambda m: m.get("id") == number and "method" not in m, timeout)
        assert "error" not in response, response["error"]
        return response.get("result")

    def wait_for(self, wanted: Callable[[Message], bool], timeout: float = 30) -> Message:
        """The next message that is `wanted`; those before it are dropped (requests from the
        server are answered with null, as a client that supports none of them would)."""
        while True:
            try:
                message = self.messages.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no awaited message within {timeout} s: {self.stderr()}") from None
            if message is None:
                raise AssertionError(f"the server stopped: {self.stderr()}")
            if wanted(message):
                return message
            if "id" in message and "method" in message:
                self.send({"id": message["id"], "result": None})

    def stderr(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        assert self.process.stderr is not None
        return self.process.stderr.read().decode(errors="replace")

    def close(self) -> int:
        """Close stdin and wait for the exit code (killed after a while)."""
        try:
            assert self.process.stdin is not None
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


class LanguageClient(ServerProcess):
    """An editor's side of `archgraph lsp`."""

    def __init__(self, root: Path, arguments: Sequence[str] = ()) -> None:
        super().__init__(["lsp", *arguments], root, framed=True)
        self.root = root
        self.versions: dict[str, int] = {}

    def initialize(self, capabilities: dict[str, Any] | None = None) -> Any:
        result = self.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": self.root.as_uri(), "capabilities": capabilities or {}},
        )
        self.notify("initialized", {})
        return result

    def uri(self, relative: str) -> str:
        return (self.root / relative).as_uri()

    def open(self, relative: str, text: str | None = None) -> None:
        text = (self.root / relative).read_text() if text is None else text
        self.versions[relative] = 1
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": self.uri(relative), "languageId": "python", "version": 1, "text": text}},
        )

    def change(self, relative: str, text: str) -> None:
        """The whole buffer replaced by `text` (unsaved)."""
        self.versions[relative] += 1
        self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": self.uri(relative), "version": self.versions[relative]},
                "contentChanges": [{"text": text}],
            },
        )

    def save(self, relative: str) -> None:
        self.notify("textDocument/didSave", {"textDocument": {"uri": self.uri(relative)}})

    def diagnostics(self, relative: str, timeout: float = 30) -> list[Message]:
        """The next diagnostics published for the file."""
        uri = self.uri(relative)
        message = self.wait_for(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri,
            timeout,
        )
        return list(message["params"]["diagnostics"])

    def shutdown(self) -> int:
        self.request("shutdown")
        self.notify("exit")
        return self.close()


class AgentClient(ServerProcess):
    """An agent's side of `archgraph mcp`."""

    def __init__(self, root: Path, arguments: Sequence[str] = ()) -> None:
        super().__init__(["mcp", *arguments], root, framed=False)
        self.root = root

    def initialize(self) -> Any:
        result = self.request(
            "initialize",
            {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "tests", "version": "0"},
            },
        )
        self.notify("notifications/initialized")
        return result

    def call(self, tool: str, arguments: dict[str, Any] | None = None) -> Any:
        """The tool's result; its JSON text parsed."""
        result = self.request("tools/call", {"name": tool, "arguments": arguments or {}})
        assert not result.get("isError"), result
        if result.get("structuredContent") is not None:
            content = result["structuredContent"]
            return content.get("result", content) if set(content) == {"result"} else content
        return json.loads(result["content"][0]["text"])
