"""Finding (and, for import-linter, installing) the two tools; probing what they support;
parsing what they print."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


def _log(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


def _bin_dir() -> Path:
    # Not resolved: in a venv, sys.executable is the venv's symlinked python.
    return Path(sys.executable).parent


def _script_python(script: Path) -> str:
    """The interpreter a console script runs under (its shebang), else ours."""
    try:
        first = script.read_bytes()[:400].split(b"\n", 1)[0].decode()
    except OSError:
        return sys.executable
    if first.startswith("#!"):
        parts = first[2:].strip().split()
        if parts and Path(parts[0]).name != "env" and Path(parts[0]).exists():
            return parts[0]
    return sys.executable


def _versions(python: str, dists: list[str]) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, sys, platform\n"
        "out = {'python': platform.python_version()}\n"
        f"for d in {dists!r}:\n"
        "    try: out[d] = m.version(d)\n"
        "    except m.PackageNotFoundError: out[d] = 'not installed'\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=Path.home())
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {}


# --------------------------------------------------------------------------------------------
# import-linter
# --------------------------------------------------------------------------------------------


@dataclass
class ImportLinter:
    exe: Path
    python: str
    versions: dict[str, str]
    protected_supported: bool
    flags: str  # `lint-imports --help`

    def argv(self, config: Path, *, cache_dir: Path | None) -> list[str]:
        argv = [str(self.exe), str(config)]  # positional config (--config is deprecated in 2.x)
        if "--no-logo" in self.flags:
            argv.append("--no-logo")
        if cache_dir is None:
            argv.append("--no-cache")
        else:
            argv += ["--cache-dir", str(cache_dir)]
        return argv


def ensure_import_linter() -> ImportLinter:
    exe = _bin_dir() / "lint-imports"
    if not exe.exists():
        _log(
            f"lint-imports is not installed in this environment ({sys.prefix}); "
            "installing import-linter into it with pip"
        )
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "import-linter>=2.0"]
        _log("$ " + " ".join(cmd))
        subprocess.run(cmd, check=True)
    if not exe.exists():
        found = shutil.which("lint-imports")
        if not found:
            raise RuntimeError("import-linter was installed but lint-imports is not to be found")
        exe = Path(found)
    python = _script_python(exe)
    versions = _versions(python, ["import-linter", "grimp"])
    probe = subprocess.run(
        [python, "-c", "import importlinter.contracts.protected"], capture_output=True
    )
    flags = subprocess.run([str(exe), "--help"], capture_output=True, text=True).stdout
    return ImportLinter(
        exe=exe,
        python=python,
        versions=versions,
        protected_supported=probe.returncode == 0,
        flags=flags,
    )


@dataclass(frozen=True)
class LintReport:
    files: int | None
    dependencies: int | None
    statuses: dict[str, str]  # contract name -> KEPT | BROKEN


_ANALYZED = re.compile(r"Analyzed (\d+) files, (\d+) dependencies")
# "NAME KEPT", "NAME BROKEN [0.06s]", "NAME KEPT (1 ignored import)", ...
_STATUS = re.compile(
    r"^(?P<name>\S.*?)\s+(?P<status>KEPT|BROKEN)(?:\s+\([^)]*\))?(?:\s+\[[^\]]*\])?\s*$"
)
_TOTALS = re.compile(r"^Contracts: \d+ kept, \d+ broken\.")


def parse_lint_imports(stdout: str) -> LintReport:
    m = _ANALYZED.search(stdout)
    statuses: dict[str, str] = {}
    in_summary = False
    for line in stdout.splitlines():
        if _ANALYZED.search(line):
            in_summary = True
            continue
        if in_summary and _TOTALS.match(line):
            break
        if in_summary and (s := _STATUS.match(line)):
            statuses[s.group("name").strip()] = s.group("status")
    return LintReport(
        files=int(m.group(1)) if m else None,
        dependencies=int(m.group(2)) if m else None,
        statuses=statuses,
    )


# --------------------------------------------------------------------------------------------
# archgraph
# --------------------------------------------------------------------------------------------


@dataclass
class Archgraph:
    exe: Path | None
    python: str | None = None
    version: str = "not installed"
    versions: dict[str, str] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)  # subcommand -> its --help text
    problem: str | None = None
    source: str = ""  # git revision of an editable install, if any

    def has(self, command: str) -> bool:
        return command in self.commands

    def supports(self, command: str, flag: str) -> bool:
        return flag in self.commands.get(command, "")

    def cache_args(self, command: str, cache_dir: Path | None) -> list[str] | None:
        """Flags for a cold/warm cache dir, or for no cache; None if unsupported."""
        if cache_dir is None:
            return ["--no-cache"] if self.supports(command, "--no-cache") else None
        return ["--cache-dir", str(cache_dir)] if self.supports(command, "--cache-dir") else None


def _source_revision(python: str) -> str:
    """`git describe` of the checkout archgraph is imported from (editable installs)."""
    code = (
        "import importlib.util as u; print(u.find_spec('archgraph').submodule_search_locations[0])"
    )
    where = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, cwd=Path.home()
    ).stdout.strip()
    if not where or not shutil.which("git"):
        return ""
    rev = subprocess.run(
        ["git", "-C", where, "describe", "--always", "--dirty"], capture_output=True, text=True
    )
    return f"git {rev.stdout.strip()}" if rev.returncode == 0 and rev.stdout.strip() else ""


_COMMAND_LINE = re.compile(r"^\s{2,}([a-z][a-z0-9_-]*)(?:\s|$)")


def _subcommands(help_text: str) -> list[str]:
    names: list[str] = []
    in_commands = False
    for line in help_text.splitlines():
        if re.match(r"^\s*Commands:\s*$", line):
            in_commands = True
            continue
        if in_commands:
            if line.strip() and not line.startswith(" "):
                break
            if m := _COMMAND_LINE.match(line):
                names.append(m.group(1))
    return names


def find_archgraph() -> Archgraph:
    override = os.environ.get("ARCHGRAPH_BIN")
    candidates = [Path(override)] if override else []
    candidates += [_bin_dir() / "archgraph"]
    if which := shutil.which("archgraph"):
        candidates.append(Path(which))
    exe = next((c for c in candidates if c.exists()), None)
    if exe is None:
        return Archgraph(exe=None, problem="archgraph is not installed")
    ag = Archgraph(exe=exe, python=_script_python(exe))
    ag.versions = _versions(ag.python, ["archgraph", "grimp"])
    proc = subprocess.run([str(exe), "--help"], capture_output=True, text=True)
    if proc.returncode != 0:
        ag.problem = f"`archgraph --help` failed: {(proc.stderr or proc.stdout).strip()[-300:]}"
        return ag
    for name in _subcommands(proc.stdout):
        sub = subprocess.run([str(exe), name, "--help"], capture_output=True, text=True)
        if sub.returncode == 0:
            ag.commands[name] = sub.stdout
    ag.source = _source_revision(ag.python)
    v = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    found = re.search(r"version\s+(\S+)", v.stdout) if v.returncode == 0 else None
    ag.version = found.group(1) if found else ag.versions.get("archgraph", "unknown")
    if "check" not in ag.commands:
        ag.problem = "archgraph has no `check` command yet"
    return ag


@dataclass(frozen=True)
class CheckReport:
    modules: int | None
    imports: int | None
    statuses: dict[str, str]  # contract id -> KEPT | BROKEN
    raw: dict

    @property
    def scan_diagnostics(self) -> int:
        """Scan-stage diagnostics (AG2xx): files or directories archgraph did not analyze."""
        return sum(
            1 for d in self.raw.get("diagnostics", []) if str(d.get("code", "")).startswith("AG2")
        )


def parse_archgraph_json(text: str) -> CheckReport:
    start = text.find("{")
    data = json.loads(text[start:]) if start >= 0 else {}
    summary = data.get("summary", {})
    statuses = {
        str(c.get("id")): str(c.get("status", "?")).upper() for c in data.get("contracts", [])
    }
    return CheckReport(
        modules=summary.get("modules"),
        imports=summary.get("imports"),
        statuses=statuses,
        raw=data,
    )


_CONFIG_ERROR = re.compile(r"unknown key|unknown field|config|symbols", re.IGNORECASE)


def looks_like_config_error(returncode: int, output: str) -> bool:
    return returncode == 2 and bool(_CONFIG_ERROR.search(output))
