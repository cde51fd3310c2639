"""All-or-nothing writes: the one helper every writer of ``data/``, ``notebooks/`` and ``reports/`` uses.

Three shapes, each safe against a crash (``kill -9``, power loss) at any instant:

* :func:`write_bytes` / :func:`write_text`: one file, written to a temporary file beside it,
  synced, then renamed over it. Readers see the old file or the new one, never a part.
* :func:`staging_dir` + :func:`swap_dir`: a whole folder (``data/processed/``, ``reports/``)
  built beside its target and swapped in with one atomic exchange of the two names (Linux
  ``renameat2(RENAME_EXCHANGE)``). Where the exchange is unavailable, two renames; a crash
  between them is undone by :func:`recover` at the next start.
* :func:`replace_together`: several files of one folder (a snapshot and ``MANIFEST.json``)
  replaced as a pair. The new files are staged and synced, the old ones kept as hard links,
  then a journal naming both sets (with their sha256) is written; that journal is the commit
  point. A crash before it leaves the old pair; a crash after it is rolled forward by
  :func:`recover`. Until recovery has run, :func:`refuse_if_pending` (called by the manifest
  reader) stops every reader, so no one ever reads a mixed pair.

Every file keeps the permission bits of the file it replaces (a new file gets the usual
``0666 & ~umask``), so a temporary file's private 0600 never leaks into ``data/``.

Temporary names all contain ``.atomic-`` (``.cdc_vsrr.csv.atomic-1f2e3d4c.staged``): they are
git-ignored, and :func:`clean_stale` removes those a crashed run left behind. Both run at the
start of every command, under the project lock (:mod:`analysis.lock`), when no writer can be
using them.

Tests inject crashes with :data:`crash_hook`: it is called with the name of each step (see
:data:`STEPS`) and may kill the process there or raise.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import secrets
import shutil
import stat
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

#: The mark in every temporary name this module makes.
MARK = ".atomic-"

#: Steps at which :data:`crash_hook` is called, by operation.
STEPS = {
    "write": ("write:synced", "write:renamed"),
    "together": (
        "together:staged",
        "together:journal",
        "together:replaced",  # once per file, suffixed ":<name>"
    ),
    "dir": ("dir:synced", "dir:exchanged", "dir:moved-old", "dir:renamed"),
}

#: Called with a step name at each step of a write (None: no-op). For crash-injection tests.
crash_hook: Callable[[str], None] | None = None

_CHUNK = 1 << 20


class AtomicError(OSError):
    """A write could not be completed or recovered; the message says what was left where."""


def _step(name: str) -> None:
    if crash_hook is not None:
        crash_hook(name)


# -- modes ------------------------------------------------------------------------------------
_umask_lock = threading.Lock()
_umask_value: int | None = None


def _umask() -> int:
    global _umask_value
    with _umask_lock:
        if _umask_value is None:
            current = os.umask(0o022)
            os.umask(current)
            _umask_value = current
    return _umask_value


def default_mode(directory: bool = False) -> int:
    """Mode a new file (``0666``) or folder (``0777``) gets under the process umask."""
    return (0o777 if directory else 0o666) & ~_umask()


def mode_of(target: Path, *, directory: bool = False) -> int:
    """Permission bits of ``target`` if it exists, else :func:`default_mode`."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return default_mode(directory)


# -- names ------------------------------------------------------------------------------------
def temp_path(target: str | os.PathLike, kind: str = "tmp", token: str | None = None) -> Path:
    """A fresh temporary name beside ``target``: ``.<name>.atomic-<token>.<kind>``."""
    target = Path(target)
    token = token or secrets.token_hex(4)
    return target.parent / f".{target.name}{MARK}{token}.{kind}"


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is a name this module makes."""
    return path.name.startswith(".") and MARK in path.name


# -- syncing ----------------------------------------------------------------------------------
def fsync_dir(folder: Path) -> None:
    """Make renames inside ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_chunk(handle, chunk: bytes) -> None:
    """Write one chunk (a seam the tests use to simulate a full disk)."""
    handle.write(chunk)


# -- one file ---------------------------------------------------------------------------------
def stage_bytes(target: str | os.PathLike, data: bytes, *, kind: str = "staged", token: str | None = None) -> Path:
    """Write ``data`` to a synced temporary file beside ``target`` (mode: ``target``'s) and return
    its path; nothing is renamed. On failure the temporary file is removed."""
    target = Path(target)
    tmp = temp_path(target, kind, token)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            for start in range(0, len(data), _CHUNK):
                _write_chunk(handle, data[start : start + _CHUNK])
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode_of(target))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_bytes(target: str | os.PathLike, data: bytes) -> None:
    """Replace ``target`` with ``data`` all at once (temporary file, sync, rename); its mode is kept.
    If anything fails, ``target`` is unchanged and no temporary file is left."""
    target = Path(target)
    tmp = stage_bytes(target, data, kind="tmp")
    try:
        _step("write:synced")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
    _step("write:renamed")


def write_text(target: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> None:
    """:func:`write_bytes` of ``text`` (``\\n`` line endings are written as given)."""
    write_bytes(target, text.encode(encoding))


def replace_file(staged: str | os.PathLike, target: str | os.PathLike) -> None:
    """Rename the complete file ``staged`` over ``target`` (same folder), keeping ``target``'s mode."""
    staged, target = Path(staged), Path(target)
    os.chmod(staged, mode_of(target))
    fsync_file(staged)
    os.replace(staged, target)
    fsync_dir(target.parent)


# -- several files, together ------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _journal_path(folder: Path, token: str) -> Path:
    return folder / f".swap{MARK}{token}.journal"


def pending(folder: Path) -> list[Path]:
    """Journals of :func:`replace_together` calls in ``folder`` that did not finish."""
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f".swap{MARK}*.journal"))


def refuse_if_pending(folder: Path) -> None:
    """Raise :class:`AtomicError` if a replacement of files in ``folder`` was interrupted and not
    yet recovered: until then the folder may hold old and new files side by side."""
    journals = pending(folder)
    if journals:
        names = []
        for journal in journals:
            try:
                names += [item["target"] for item in json.loads(journal.read_text(encoding="utf-8"))["files"]]
            except (OSError, ValueError, KeyError, TypeError):
                names.append(journal.name)
        raise AtomicError(
            f"{folder}: an update of {', '.join(sorted(set(names)))} was interrupted and not finished; "
            "run `python -m analysis verify`, which completes or undoes it, then try again"
        )


def _link_or_copy(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def replace_together(pairs: Mapping[str | os.PathLike, str | os.PathLike]) -> None:
    """Replace each ``target`` with its complete, validated ``staged`` file, all or none.

    ``pairs`` maps target -> staged; all in one folder. The staged files are consumed (renamed).
    A failure before the commit point leaves every target as it was; a failure after it is
    undone at once (old files restored), and a crash after it is finished by :func:`recover`.
    """
    items = [(Path(target), Path(staged)) for target, staged in pairs.items()]
    if not items:
        return
    folder = items[0][0].parent
    if any(t.parent != folder or s.parent != folder for t, s in items):
        raise ValueError("replace_together: every target and staged file must be in one folder")
    token = secrets.token_hex(4)
    journal = _journal_path(folder, token)
    entries = []
    backups: list[Path] = []
    try:
        for target, staged in items:
            os.chmod(staged, mode_of(target))
            fsync_file(staged)
            backup = None
            if target.exists():
                backup = temp_path(target, "old", token)
                _link_or_copy(target, backup)
                backups.append(backup)
            entries.append(
                {
                    "target": target.name,
                    "staged": staged.name,
                    "backup": None if backup is None else backup.name,
                    "new_sha256": sha256_of(staged),
                    "old_sha256": None if backup is None else sha256_of(target),
                }
            )
        fsync_dir(folder)
        _step("together:staged")
        write_text(journal, json.dumps({"format": 1, "files": entries}, indent=2) + "\n")
    except BaseException:
        journal.unlink(missing_ok=True)
        for backup in backups:
            backup.unlink(missing_ok=True)
        raise
    try:
        _step("together:journal")
        for target, staged in items:
            os.replace(staged, target)
            _step(f"together:replaced:{target.name}")
        fsync_dir(folder)
    except BaseException:
        _finish(folder, journal, entries, roll_forward=False)
        raise
    _finish(folder, journal, entries, roll_forward=True)


def _finish(folder: Path, journal: Path, entries: list[dict], *, roll_forward: bool) -> str:
    """Complete (``roll_forward``) or undo the replacement a journal describes; remove the journal
    and every temporary file it names. Returns "new" or "old": the pair now in place."""
    outcome = "new"
    if roll_forward:
        for item in entries:
            target, staged = folder / item["target"], folder / item["staged"]
            if _sha_or_none(target) == item["new_sha256"]:
                continue
            if staged.exists() and sha256_of(staged) == item["new_sha256"]:
                os.replace(staged, target)
            else:
                roll_forward = False
                break
    if not roll_forward:
        outcome = "old"
        for item in entries:
            target = folder / item["target"]
            backup = folder / item["backup"] if item["backup"] else None
            if _sha_or_none(target) == item["old_sha256"]:
                continue
            if item["old_sha256"] is None:
                target.unlink(missing_ok=True)
            elif backup is not None and backup.exists() and sha256_of(backup) == item["old_sha256"]:
                os.replace(backup, target)
            else:
                raise AtomicError(
                    f"{folder}: cannot finish or undo the update of {item['target']} (journal {journal.name}); "
                    "restore data/raw/ with `git checkout -- data/raw/`"
                )
    fsync_dir(folder)
    journal.unlink(missing_ok=True)
    fsync_dir(folder)
    for item in entries:
        for name in (item["staged"], item["backup"]):
            if name:
                (folder / name).unlink(missing_ok=True)
    return outcome


def _sha_or_none(path: Path) -> str | None:
    try:
        return sha256_of(path)
    except FileNotFoundError:
        return None


# -- a whole folder ---------------------------------------------------------------------------
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux ``renameat2`` with ``RENAME_EXCHANGE``). False if unavailable."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def staging_dir(target: str | os.PathLike) -> Path:
    """A new empty folder beside ``target`` to build its replacement in (mode: ``target``'s)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = temp_path(target, "staging")
    staging.mkdir(mode=0o700)
    os.chmod(staging, mode_of(target, directory=True))
    return staging


def swap_dir(staging: str | os.PathLike, target: str | os.PathLike) -> None:
    """Make the complete folder ``staging`` the new ``target`` in one step; the old one is removed.

    Every file in ``staging`` is synced first, and takes the mode of the file it replaces. With
    ``renameat2`` the two names are exchanged atomically; a crash afterwards leaves only the old
    folder under a temporary name, removed by :func:`clean_stale`. Without it: old folder aside,
    new one in; :func:`recover` puts the old folder back if a crash fell between the two renames.
    """
    staging, target = Path(staging), Path(target)
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            previous = target / path.relative_to(staging)
            if previous.is_file():
                os.chmod(path, mode_of(previous))  # a file's mode survives its replacement
            fsync_file(path)
    fsync_dir(staging)
    _step("dir:synced")
    if not target.exists():
        os.rename(staging, target)
        fsync_dir(target.parent)
        _step("dir:renamed")
        return
    if exchange(staging, target):
        fsync_dir(target.parent)
        _step("dir:exchanged")
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous folder
        return
    old = temp_path(target, "old")
    os.rename(target, old)
    try:
        _step("dir:moved-old")
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        raise
    fsync_dir(target.parent)
    _step("dir:renamed")
    shutil.rmtree(old, ignore_errors=True)


# -- the next start ---------------------------------------------------------------------------
def recover(folders: Iterable[Path], dir_targets: Iterable[Path] = ()) -> list[str]:
    """Finish or undo what a crashed run left half done; returns one line per thing done.

    ``folders``: folders whose :func:`replace_together` journals are completed (rolled forward)
    or, if a staged file is gone, undone. ``dir_targets``: folders swapped by :func:`swap_dir`;
    one that is missing while its previous version waits under a temporary name is put back.
    Call it only while holding the project lock.
    """
    done: list[str] = []
    for folder in folders:
        for journal in pending(Path(folder)):
            try:
                entries = json.loads(journal.read_text(encoding="utf-8"))["files"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise AtomicError(f"{journal}: unreadable journal of an interrupted update ({exc})") from None
            names = " and ".join(item["target"] for item in entries)
            outcome = _finish(Path(folder), journal, entries, roll_forward=True)
            if outcome == "new":
                done.append(f"completed an interrupted update of {names} in {folder} (the new files are in place)")
            else:
                done.append(f"undid an interrupted update of {names} in {folder} (the previous files are in place)")
    for target in dir_targets:
        target = Path(target)
        if target.exists() or not target.parent.is_dir():
            continue
        olds = sorted(target.parent.glob(f".{target.name}{MARK}*.old"), key=lambda p: p.stat().st_mtime)
        if olds:
            os.rename(olds[-1], target)
            fsync_dir(target.parent)
            done.append(f"put back {target} as it was before an interrupted swap")
    return done


#: Names older versions of the project left behind when interrupted (cleaned like ours).
LEGACY_PATTERNS = {
    "raw": (".*.staged", ".*.bak", ".*.tmp"),
    "processed": (".staging-*",),
    "root": (".reports-staging-*", ".reports-old-*"),
}


def clean_stale(folders: Iterable[Path], legacy: Mapping[Path, Iterable[str]] | None = None) -> list[Path]:
    """Remove temporary files and folders a crashed run left in ``folders`` (names with
    :data:`MARK`, journals excepted: :func:`recover` handles those) and, per folder in
    ``legacy``, names matching the given patterns. Returns what was removed. Call it only while
    holding the project lock, after :func:`recover`."""
    removed: list[Path] = []
    candidates: list[Path] = []
    for folder in folders:
        folder = Path(folder)
        if folder.is_dir():
            candidates += [p for p in folder.iterdir() if is_temporary(p) and not p.name.endswith(".journal")]
    for folder, patterns in (legacy or {}).items():
        folder = Path(folder)
        if folder.is_dir():
            for pattern in patterns:
                candidates += [p for p in folder.glob(pattern) if p.name.startswith(".")]
    for path in sorted(set(candidates)):
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.ENOENT,):
                raise
        removed.append(path)
    return removed
