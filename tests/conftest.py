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

# The report tests' fixture notebooks (one fails on purpose) are inputs, not notebooks to validate.
collect_ignore_glob = ["fixtures/*"]
