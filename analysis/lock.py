"""One lock around every command that reads or writes ``data/`` and ``reports/``.

``fetch``, ``build``, ``report``, ``all``, ``notebooks``, ``verify`` and ``bench`` (and the
library calls behind them: :func:`analysis.refresh.refresh`, :func:`analysis.build.build`,
:func:`analysis.report.build_report`) run inside :func:`project_lock`, a ``filelock`` lock on
``<root>/.overdose.lock``. So a ``fetch`` cannot replace the snapshot while a ``build``,
``notebooks`` or ``report`` reads it: the second command waits, saying for what, and gives up
with a message after ``wait`` seconds.

Taking the lock is also "the start" of a command: what a crashed run left half done is finished
or undone (:func:`analysis.atomic.recover`) and its temporary files removed
(:func:`analysis.atomic.clean_stale`); no writer can be using them then.

The lock is re-entrant within one thread (``all`` = build then report holds it once). The
notebook kernels a locked command starts get ``$OVERDOSE_LOCK_HELD`` in their environment:
they only read, and a ``REFRESH = True`` inside them stops at once with a message instead of
waiting for its own parent.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from filelock import FileLock, Timeout

from . import atomic
from .paths import Paths

LOCK_NAME = ".overdose.lock"
OWNER_NAME = ".overdose.lock.json"
#: Set in the environment of notebook kernels started under the lock: "<pid> <command> <root>".
HELD_ENV = "OVERDOSE_LOCK_HELD"
#: Seconds a command waits for another to finish before giving up.
DEFAULT_WAIT = 300.0


class LockBusy(RuntimeError):
    """Another command holds the project lock; nothing was read or written."""


_held = threading.local()
#: Roots whose lock some thread of this process holds.
_held_in_process: set[Path] = set()


def _depths() -> dict[Path, int]:
    if not hasattr(_held, "depths"):
        _held.depths = {}
    return _held.depths


def held_here(paths: Paths) -> bool:
    """Whether this process (any of its threads) holds the project lock of ``paths``."""
    return paths.root in _held_in_process


def lock_path(paths: Paths) -> Path:
    return paths.root / LOCK_NAME


def owner(paths: Paths) -> dict | None:
    """Who holds the lock, as its holder recorded it (``command``, ``pid``, ``since``), or None."""
    try:
        return json.loads((paths.root / OWNER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _describe(info: dict | None) -> str:
    if not info:
        return "another command"
    return f"`{info.get('command', '?')}` (pid {info.get('pid', '?')}, since {info.get('since', '?')})"


def held_env(paths: Paths, command: str) -> dict[str, str]:
    """Environment entries telling a child process that this process holds the lock."""
    return {HELD_ENV: f"{os.getpid()} {command} {paths.root}"}


def _held_by_parent(paths: Paths) -> str | None:
    value = os.environ.get(HELD_ENV, "")
    parts = value.split(" ", 2)
    if len(parts) == 3 and Path(parts[2]) == paths.root and parts[0] != str(os.getpid()):
        return f"`{parts[1]}` (pid {parts[0]})"
    return None


def start_of_command(paths: Paths) -> list[str]:
    """Recover from a crashed run and remove its temporary files; lines saying what was done."""
    notes = atomic.recover([paths.raw], dir_targets=[paths.processed, paths.reports])
    legacy = {
        paths.raw: atomic.LEGACY_PATTERNS["raw"],
        paths.processed: atomic.LEGACY_PATTERNS["processed"],
        paths.root: atomic.LEGACY_PATTERNS["root"],
    }
    removed = atomic.clean_stale(
        [paths.raw, paths.processed, paths.root / "data", paths.notebooks, paths.root, paths.reports],
        legacy,
    )
    if removed:
        shown = ", ".join(str(p.relative_to(paths.root)) for p in removed[:5])
        more = f" and {len(removed) - 5} more" if len(removed) > 5 else ""
        notes.append(f"removed {len(removed)} temporary file(s) a crashed run left: {shown}{more}")
    return notes


@contextmanager
def project_lock(
    paths: Paths,
    command: str,
    *,
    wait: float = DEFAULT_WAIT,
    stream: TextIO | None = None,
) -> Iterator[None]:
    """Hold the project lock for ``command``; wait up to ``wait`` seconds for another holder.

    Raises :class:`LockBusy` when it cannot be had. Messages (waiting, recovery) go to
    ``stream`` (stderr by default).
    """
    depths = _depths()
    if depths.get(paths.root, 0) > 0:
        depths[paths.root] += 1
        try:
            yield
        finally:
            depths[paths.root] -= 1
        return
    parent = _held_by_parent(paths)
    if parent is not None:
        raise LockBusy(
            f"{command}: {parent} is running and holds the project lock of {paths.root}; this code runs "
            "inside it (a notebook kernel), so it may read data/ but not change it. Run it on its own."
        )
    out = stream if stream is not None else sys.stderr
    if not paths.root.is_dir():  # no project there, nothing to protect: the command says what is missing
        yield
        return
    lock = FileLock(lock_path(paths), thread_local=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(
            f"{command}: waiting for {_describe(owner(paths))} to finish: it holds the project lock "
            f"(data/ and reports/); giving up after {wait:g} s",
            file=out,
            flush=True,
        )
        started = time.monotonic()
        try:
            lock.acquire(timeout=max(0.0, wait))
        except Timeout:
            raise LockBusy(
                f"{command}: {_describe(owner(paths))} still holds the project lock of {paths.root} after "
                f"{time.monotonic() - started:.1f} s; nothing was read or written. Try again when it has finished."
            ) from None
    try:
        info = {"command": command, "pid": os.getpid(), "since": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
        try:
            atomic.write_text(paths.root / OWNER_NAME, json.dumps(info) + "\n")
        except OSError:
            pass  # the lock holds without its label
        for note in start_of_command(paths):
            print(f"{command}: {note}", file=out, flush=True)
        depths[paths.root] = 1
        _held_in_process.add(paths.root)
        try:
            yield
        finally:
            depths[paths.root] = 0
            _held_in_process.discard(paths.root)
            (paths.root / OWNER_NAME).unlink(missing_ok=True)
    finally:
        lock.release()
