"""Lets test modules import tests/helpers.py; the ledger fixtures several modules share."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analysis import ledgers  # noqa: E402
from analysis.paths import project_paths  # noqa: E402


@pytest.fixture(scope="session")
def strikes():
    """The committed strike ledger, loaded directly (no manifest check)."""
    return ledgers.load_strikes(project_paths().raw / "strikes.csv")


@pytest.fixture(scope="session")
def tallies():
    return ledgers.load_tallies(project_paths().raw / "tallies.csv")


@pytest.fixture(scope="session")
def claims():
    return ledgers.load_claims(project_paths().raw / "claims.csv")


@pytest.fixture(scope="session")
def real_report(tmp_path_factory):
    """The project's own report (every notebook), built once into a copy of the project."""
    from analysis.report import build_report_detailed
    from helpers import copy_whole_project

    paths = copy_whole_project(tmp_path_factory.mktemp("real-report"))
    return build_report_detailed(paths, workers=2, built_on="2026-01-02")


# The report tests' fixture notebooks (one fails on purpose) are inputs, not notebooks to validate.
collect_ignore_glob = ["fixtures/*"]
