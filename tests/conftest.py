"""Lets test modules import tests/helpers.py; the ledger fixtures and the fake Socrata server's
fixtures several modules share."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analysis import ledgers  # noqa: E402
from analysis.paths import project_paths  # noqa: E402
from fake_socrata import FakeSocrata, api_rows_from_export  # noqa: E402
from helpers import ROOT, copy_project  # noqa: E402


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


@pytest.fixture(scope="module")
def api_rows():
    """The committed CDC snapshot's rows in the resource API's JSON shape."""
    return api_rows_from_export(ROOT / "data" / "raw" / "cdc_vsrr.csv")


@pytest.fixture
def fake(api_rows):
    """A local fake Socrata server serving a fresh copy of ``api_rows``."""
    with FakeSocrata([dict(row) for row in api_rows]) as server:
        yield server


@pytest.fixture
def project(tmp_path):
    """A throwaway copy of the project's data (raw and processed); a module may override it."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def real_report(tmp_path_factory):
    """The project's own report (every notebook), built once into a copy of the project."""
    from analysis.report import build_report_detailed
    from helpers import copy_whole_project

    paths = copy_whole_project(tmp_path_factory.mktemp("real-report"))
    return build_report_detailed(paths, workers=2, built_on="2026-01-02")


# The report tests' fixture notebooks (one fails on purpose) are inputs, not notebooks to validate.
collect_ignore_glob = ["fixtures/*"]
