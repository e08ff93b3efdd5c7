"""The import audit's reading of the files, ahead of it, in a forked child while grimp's
scanner builds the graph: on a cold run it puts the second CPU to work (15-17% of a cold check's
wall time on an idle 2-CPU machine, Django and Home Assistant; nothing on a warm run, which
reads nothing). Only the command line allows it (see `archgraph.forking`)."""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import sys
import threading
from collections.abc import Collection, Sequence

from archgraph.scan.audit import (
    AUDIT_CACHE_VERSION,
    AuditScans,
    UnknownNames,
    climb_allowed,
)
from archgraph.scan.finder import ModuleSource

# Below this much stale source the audit is read in line: a helper would cost more than it saves.
PRESCAN_MIN_BYTES = 2 << 20
CHILD_NICENESS = 5  # see AuditPrescan._run
NICE_MIN_BYTES = 16 << 20  # from this much stale source on; see AuditPrescan._run


class AuditPrescan:
    """The audit's reading of the files, done in a child process while grimp's scanner builds
    the graph: what each file's bytes say, and the import rows of the files that look suspect.

    A process, not a thread: grimp releases the GIL while it parses but holds it while it turns
    its results into Python objects (a quarter of a second on Home Assistant), and a thread
    measured no faster than reading in line. Forking is done only where it is safe (Linux, a
    single-threaded process, as the CLI is) and worth it (megabytes of files whose cache entry
    is stale: none on a warm run); otherwise `audit_imports` reads the files itself, as it does
    whatever the child did not send. The child writes and reports nothing, so stopping it
    (`finish(cancel=True)`) or its failing loses nothing: the diagnostics are the same.
    """

    def __init__(
        self,
        sources: Sequence[ModuleSource],
        modules: Collection[str],
        root_packages: Sequence[str],
        scans: AuditScans,
        *,
        mode: str | None = None,
    ) -> None:
        """`modules`: the internal modules the walk found, to guess which files are suspect;
        `scans`: the byte scans known so far (the store's), which the child's are added to.
        `mode`: "process" or "inline" (nothing ahead: `audit_imports` reads every file);
        by default chosen from the amount of stale source and whether forking is safe here."""
        self._scans = scans
        self._todo = [s for s in sources if not scans.fresh(s)]
        self._modules = frozenset(modules)
        self._roots = tuple(root_packages)
        self._child: tuple[int, int] | None = None  # (pid, read end of its pipe)
        self._stale_bytes = sum(s.stamp[0] for s in self._todo)
        self.mode = mode or _prescan_mode(self._stale_bytes)

    def start(self) -> None:
        """Start the child; call `finish` afterwards in every case (it reaps the child)."""
        if self.mode == "process" and not self._fork():
            self.mode = "inline"

    def _run(self) -> None:
        """The child's work: scan the stale files, parse the ones that look suspect.

        On a large project, at a lower priority: grimp's scanner threads in the parent are the
        run's critical path, and the child takes the CPU time they leave (while the scanner
        turns its results into Python objects, holding the GIL, one CPU is idle) and what the
        parent's assembly of the graph leaves after the scan. On a small one the parent needs
        the child's answer as soon as the scan ends, and a child held back only makes it wait.
        Cold checks against the child at the parent's priority, interleaved: Home Assistant
        (42 MiB of source) 1.83 s -> 1.74 s, SymPy (25 MiB) 0.911 s -> 0.862 s; Django (5.7 MiB)
        0.315 s -> 0.320 s and pip (4 MiB) 0.251 s -> 0.264 s, slower. Not lower than 5: should
        other processes take the CPUs while the parent waits, a child at 19 would get 1.5% of
        one (at 5, a quarter of its share), and an unprivileged process cannot raise it back."""
        if self._stale_bytes >= NICE_MIN_BYTES:
            with contextlib.suppress(OSError):
                os.nice(CHILD_NICENESS)
        scans, unknown = self._scans, UnknownNames(self._modules, self._roots)
        for source in self._todo:
            scanned = scans.scan(source)
            if scanned is None:
                continue
            found, data = scanned
            dynamic = any(name in self._modules for name in found.dynamic_names)
            if found.climb > climb_allowed(source) or dynamic or unknown.any_in(found.targets):
                scans.imports(source, data)
                if dynamic:
                    scans.dynamic(source, data)

    def _fork(self) -> bool:
        """Run the prescan in a child process that sends its entries back through a pipe."""
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return False
        # Ctrl-C and SIGTERM stay blocked until the child has their default actions: it must
        # never run the parent's handlers, nor unwind the parent's stack (`finally` blocks there
        # remove temporary files).
        shielded = {signal.SIGINT, signal.SIGTERM}
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, shielded)
        try:
            pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            os.close(read_end)
            os.close(write_end)
            return False
        if pid == 0:  # the child: never returns
            status = 1
            try:
                for number in shielded:
                    signal.signal(number, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
                os.close(read_end)
                self._run()
                entries = self._scans.entries
                made = {key: entries[key] for s in self._todo if (key := s.path) in entries}
                with os.fdopen(write_end, "wb") as stream:
                    stream.write(marshal.dumps((AUDIT_CACHE_VERSION, made)))
                status = 0
            finally:
                os._exit(status)
        self._child = (pid, read_end)  # before a pending Ctrl-C can interrupt: finish() reaps it
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        os.close(write_end)
        return True

    def finish(self, *, cancel: bool = False) -> AuditScans:
        """Wait for the child (or stop it, if `cancel`); the cache with what it sent."""
        if self._child is not None:
            pid, pipe = self._child
            self._child = None
            received = None
            try:
                if not cancel:
                    with os.fdopen(pipe, "rb", closefd=False) as stream:
                        received = stream.read()
            finally:
                os.close(pipe)
                with contextlib.suppress(ChildProcessError, ProcessLookupError):  # SIGCHLD ignored
                    if received is None:  # stopped, or interrupted while reading: do not wait
                        os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
            if received:
                self._merge(received)
        return self._scans

    def _merge(self, received: bytes) -> None:
        try:
            version, entries = marshal.loads(received)
        except (EOFError, ValueError, TypeError):
            return  # a child that failed sends nothing: audit_imports reads the files itself
        # Not checked entry by entry as a cache file is (11 ms on Home Assistant): the child is
        # this process's own code, forked, and a failed one sends nothing or a broken stream.
        if version == AUDIT_CACHE_VERSION and type(entries) is dict:
            self._scans.entries.update(entries)
            self._scans.dirty = True


def _prescan_mode(stale_bytes: int) -> str:
    worth_it = stale_bytes >= PRESCAN_MIN_BYTES and _can_fork() and _idle_cpu()
    return "process" if worth_it else "inline"


def _idle_cpu() -> bool:
    """Whether a CPU is free right now. On a machine already busy the child only competes with
    grimp's scanner threads: measured on Home Assistant beside another CPU-bound job, the child
    made the check 0.2 s slower and cost 0.13 s more CPU than reading in line."""
    try:
        with open("/proc/loadavg", "rb") as stream:
            running = int(stream.read().split()[3].split(b"/")[0])  # runnable now, this one included
        return running < len(os.sched_getaffinity(0))
    except (OSError, ValueError, IndexError, AttributeError):
        return False


def _can_fork() -> bool:
    """Linux, the main thread, and no other thread: a fork copies only the forking thread, so
    another thread's locks would stay held in the child (grimp's scanner threads, a host app's)."""
    if sys.platform != "linux" or threading.current_thread() is not threading.main_thread():
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False
