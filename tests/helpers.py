"""Small shared helpers for the tests (not fixtures, so any test module can import them)."""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis.paths import Paths, project_paths

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
VINTAGES = SHARED / "data" / "cdc" / "vintages"


def copy_project(target: Path, *, processed: bool = True) -> Paths:
    """A throwaway copy of the project's data (raw + manifest, and processed) under ``target``."""
    shutil.copytree(ROOT / "data" / "raw", target / "data" / "raw")
    if processed and (ROOT / "data" / "processed").exists():
        shutil.copytree(ROOT / "data" / "processed", target / "data" / "processed")
    else:
        (target / "data" / "processed").mkdir(parents=True)
    return project_paths(target)


def copy_report_project(target: Path, notebooks, extra_files=()) -> Paths:
    """A throwaway project for the report tests: a copy of data/raw plus the given notebooks."""
    (target / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "raw", target / "data" / "raw")
    (target / "notebooks").mkdir()
    for path in [*notebooks, *extra_files]:
        shutil.copy(path, target / "notebooks" / Path(path).name)
    return project_paths(target)


def copy_whole_project(target: Path) -> Paths:
    """A throwaway copy of the real project for building its report: data (raw and processed),
    the notebooks and the changelog."""
    copy_project(target)
    shutil.copytree(ROOT / "notebooks", target / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / "CHANGELOG.md", target / "CHANGELOG.md")
    return project_paths(target)


def snapshot_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name -> bytes), to assert nothing changed. The project
    lock's file (``.overdose.lock``, empty, left in place by design) is not data and is left out."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != ".overdose.lock"
    }
