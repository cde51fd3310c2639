"""One command for a new CDC release: ``make refresh`` (= ``python -m analysis refresh``).

:func:`run` takes a new release all the way to a report ready for review:

1. **Fetch** through :func:`analysis.refresh.refresh` (update detection, validation and the atomic
   snapshot replace are its job). When CDC has published nothing new it says so, and this command
   stops there: nothing is written, not even a summary file.
2. **Rebuild** ``data/processed/`` (:func:`analysis.build.build`), after keeping the old files' text.
3. **Re-execute the notebooks in place**: all of them first, then written together, so a failing
   notebook leaves every notebook as it was.
4. **Summarise** what changed, from the old and the new ``data/processed/`` and the snapshot's
   manifest entries (:mod:`analysis.changes`).
5. **Run the tests**: the README's test command (:data:`TEST_COMMAND`, the one ``make test`` runs)
   in the project root, its output passed through. When they fail, no report is written and the
   command exits 1; the summary is printed (and written) all the same, saying so.
6. **Write the report** (:func:`analysis.report.build_report`).
7. **Print the summary** (Markdown, also written to ``--summary-file`` for a pull request) and
   what to commit: ``data/raw/``, ``data/processed/`` and ``notebooks/``.

Any error in steps 2-6 stops the command with a message; the new snapshot stays in ``data/raw/``
(it passed the loader's validation when it was fetched), so the next step can be rerun by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import atomic, cdc, changes, lock, manifest
from .paths import ROOT_ENV, Paths, project_paths

#: The README's test command (``make test``), run from the project root.
TEST_COMMAND: tuple[str, ...] = (
    sys.executable,
    "-m",
    "pytest",
    "tests",
    "notebooks",
    "--nbval",
    "--nbval-current-env",
    "--nbval-sanitize-with",
    "notebooks/nbval_sanitize.cfg",
    "-p",
    "no:cacheprovider",
)

#: What a refresh changes and a maintainer commits.
TO_COMMIT = ("data/raw/", "data/processed/", "notebooks/")


@dataclass(frozen=True)
class Outcome:
    """What :func:`run` did. ``updated``: CDC had something new. ``tests_passed``/``report``:
    ``None`` when not reached. ``summary``: the Markdown summary (``None`` when nothing was new)."""

    updated: bool
    message: str
    summary: str | None
    tests_passed: bool | None
    report: Path | None

    @property
    def exit_code(self) -> int:
        return 1 if self.updated and not (self.tests_passed and self.report) else 0


def execute_notebooks_in_place(paths: Paths, *, workers: int = 2, say: Callable[[str], None] = print) -> list[Path]:
    """Execute every ``NN_*.ipynb`` (``workers`` at a time), then write them all back in place.

    Nothing is written unless every notebook ran: a failing one raises
    :class:`analysis.report.ReportError` naming it and its cell. Each notebook is then staged
    whole beside itself and renamed into place (:mod:`analysis.atomic`): a full disk leaves every
    notebook as it was, and a crash never leaves one truncated.
    """
    import nbformat

    from . import report

    notebooks = report.find_notebooks(paths)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(notebooks) or 1))) as pool:
        executed = list(pool.map(lambda path: report.execute_notebook(path, paths)[0], notebooks))
    staged = []
    try:
        for path, nb in zip(notebooks, executed, strict=True):
            text = nbformat.writes(nb)
            staged.append(
                (
                    atomic.stage_bytes(
                        path, (text if text.endswith("\n") else text + "\n").encode("utf-8"), kind="tmp"
                    ),
                    path,
                )
            )
        for temporary, path in staged:
            atomic.replace_file(temporary, path)
            say(f"executed {path.relative_to(paths.root)} in place")
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    return notebooks


def run_tests(paths: Paths, command: Sequence[str] = TEST_COMMAND) -> int:
    """Run ``command`` in the project root (output passed through); its exit status."""
    env = dict(os.environ)
    env[ROOT_ENV] = str(paths.root)
    if lock.held_here(paths):  # the tests read data/ inside this command's lock
        env.update(lock.held_env(paths, "refresh"))
    return subprocess.run(list(command), cwd=paths.root, env=env, check=False).returncode


def _snapshot_entry(paths: Paths) -> dict | None:
    try:
        return dict(manifest.entry(cdc.RAW_FILE, paths))
    except manifest.ManifestError:
        return None


def run(paths: Paths | None = None, *, lock_wait: float = lock.DEFAULT_WAIT, **options) -> Outcome:
    """:func:`_run` under the project lock (:mod:`analysis.lock`), held from the fetch to the report,
    so no other command changes ``data/`` between the steps."""
    paths = paths or project_paths()
    with lock.project_lock(paths, "refresh", wait=lock_wait):
        return _run(paths, **options)


def _run(
    paths: Paths | None = None,
    *,
    base_url: str | None = None,
    jurisdictions: Sequence[str] | None = ("US",),
    force: bool = False,
    test_command: Sequence[str] = TEST_COMMAND,
    workers: int = 2,
    summary_file: str | os.PathLike | None = None,
    refresh_options: dict | None = None,
    accept: bool = False,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Fetch; if CDC published something new, rebuild, re-execute, test, report and summarise.

    ``test_command``: the test step (default: the README's, :data:`TEST_COMMAND`); the end-to-end
    test passes a reduced one to keep CI fast. ``summary_file``: also write the summary there
    (only when there was something new). ``refresh_options``: passed on to
    :func:`analysis.refresh.refresh` (timeouts, retries, progress). ``accept``: install a release
    the update gate finds worse than the snapshot (:mod:`analysis.gate`).
    """
    from . import build, refresh, report

    paths = paths or project_paths()
    before_files = changes.read_folder(paths.processed)
    before_entry = _snapshot_entry(paths)

    options = dict(refresh_options or {})
    if base_url is not None:
        options["base_url"] = base_url
    options.setdefault("accept", accept)
    result = refresh.refresh(paths, jurisdictions=jurisdictions, force=force, **options)
    say(result.message)
    if not result.updated:
        say("Nothing new from CDC: data/processed/, the notebooks and the report are untouched.")
        return Outcome(updated=False, message=result.message, summary=None, tests_passed=None, report=None)

    say("== rebuilding data/processed/")
    build.build(paths, quiet=False)
    say("== re-executing the notebooks in place")
    execute_notebooks_in_place(paths, workers=workers, say=say)
    text = changes.summary(
        before_files,
        changes.read_folder(paths.processed),
        before_entry=before_entry,
        after_entry=_snapshot_entry(paths),
    )

    say(f"== running the tests: {' '.join(_display(test_command))}")
    status = run_tests(paths, test_command)
    passed = status == 0
    index = None
    if passed:
        say("== writing the report")
        index = report.build_report(paths, workers=workers)
        say(f"wrote {index.relative_to(paths.root) if index.is_relative_to(paths.root) else index}")
        text += (
            "\n### Checks\n\n- Tests passed; the notebooks were re-executed and the report rebuilt.\n"
            f"- Ready to commit: {', '.join(TO_COMMIT)}.\n"
        )
    else:
        text += (
            f"\n### Checks\n\n- **Tests FAILED** (exit status {status}); no report was written. The new "
            "snapshot, data/processed/ and the re-executed notebooks are in place for a look; fix the "
            "failures (or the tests that pin the previous release's figures) before merging.\n"
        )
    say("")
    say(text.rstrip())
    if summary_file is not None:
        target = Path(summary_file)
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(target, text)
        say(f"\nwrote the summary to {target}")
    return Outcome(updated=True, message=result.message, summary=text, tests_passed=passed, report=index)


def _display(command: Sequence[str]) -> list[str]:
    """The command as shown: the interpreter by its name, not its absolute path."""
    parts = list(command)
    if parts and parts[0] == sys.executable:
        parts[0] = "python"
    return parts
