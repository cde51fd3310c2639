"""Raw -> processed: every file in ``data/processed/`` is written here, deterministically.

``python -m analysis build`` reads the checksum-verified snapshots in ``data/raw/`` and writes the
files listed in :data:`OUTPUTS`. Rebuilding from the same raw files gives byte-identical output
(fixed row order, fixed column order, ``\\n`` line endings, no timestamps). The files are written to a
staging folder beside ``data/processed/`` and the whole folder is swapped in at once
(:func:`analysis.atomic.swap_dir`), so neither a failure nor a crash (``kill -9``) at any point
leaves a half-updated ``data/processed/``: it is the old folder or the new one. The build runs
under the project lock (:mod:`analysis.lock`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import atomic, cdc, ledgers, lock, reconcile, releases, revisions, sensitivity, verdicts
from .paths import Paths, project_paths


@dataclass
class Inputs:
    """The cleaned inputs every output is computed from, loaded once."""

    cdc_national: pd.DataFrame
    strikes: pd.DataFrame
    tallies: pd.DataFrame
    claims: pd.DataFrame
    cdc_releases: dict[str, pd.DataFrame]  # every CDC release held, oldest first (the last is cdc_national)
    release_calendar: pd.DataFrame  # CDC's release calendar (data/raw/cdc_releases.csv)

    @classmethod
    def load(cls, paths: Paths) -> Inputs:
        national = cdc.load_national(paths)
        return cls(
            cdc_national=national,
            strikes=ledgers.load_strikes_verified(paths),
            tallies=ledgers.load_tallies_verified(paths),
            claims=ledgers.load_claims_verified(paths),
            cdc_releases=revisions.load_held_releases(paths, latest=national),
            release_calendar=releases.load_releases(paths),
        )


def cdc_national(inputs: Inputs) -> pd.DataFrame:
    """The tidy CDC table for the United States, one row per (indicator, period_end)."""
    return cdc.sort_tidy(inputs.cdc_national)[cdc.TIDY_COLUMNS]


def cdc_calendar_years(inputs: Inputs) -> pd.DataFrame:
    """December 12 month-ending values: what "a year" means throughout the project."""
    return cdc.calendar_years(inputs.cdc_national)


def strikes_cumulative(inputs: Inputs) -> pd.DataFrame:
    return reconcile.strikes_cumulative(inputs.strikes)


def tallies_reconciled(inputs: Inputs) -> pd.DataFrame:
    return reconcile.reconcile_tallies(inputs.strikes, inputs.tallies)


def claims_vs_cdc(inputs: Inputs) -> pd.DataFrame:
    """Every overdose-deaths-per-year row: matched CDC figure and tier, qualifier, verdict (default
    thresholds), and the sensitivity ratios (the revision band's among them)."""
    return verdicts.scored_comparison(
        inputs.claims, inputs.cdc_national, inputs.release_calendar, band=revision_band(inputs)
    )


def claims_sensitivity(inputs: Inputs) -> pd.DataFrame:
    """The sensitivity table, judged: one row per quantified per-year claim and comparison."""
    comparison_rows = verdicts.matching.claims_vs_cdc(inputs.claims, inputs.cdc_national, inputs.release_calendar)
    table = sensitivity.sensitivity_table(
        inputs.claims, inputs.cdc_national, inputs.release_calendar, band=revision_band(inputs)
    )
    return verdicts.judge_table(table, comparison_rows)


def cdc_revisions(inputs: Inputs) -> pd.DataFrame:
    """Each period's first-published value (earliest release held) against the latest release."""
    return revisions.first_published(revisions.revision_pairs(inputs.cdc_releases))


def revision_band(inputs: Inputs) -> revisions.BandBasis:
    """What the claims' revision band rests on: :func:`cdc_revisions` of the releases loaded."""
    return revisions.BandBasis(cdc_revisions(inputs))


#: Output file -> the function that computes it.
OUTPUTS: dict[str, Callable[[Inputs], pd.DataFrame]] = {
    "cdc_national.csv": cdc_national,
    "cdc_calendar_years.csv": cdc_calendar_years,
    "strikes_cumulative.csv": strikes_cumulative,
    "tallies_reconciled.csv": tallies_reconciled,
    "claims_vs_cdc.csv": claims_vs_cdc,
    "claims_sensitivity.csv": claims_sensitivity,
    "cdc_revisions.csv": cdc_revisions,
}


def to_csv_text(frame: pd.DataFrame) -> str:
    """The one CSV form of every processed file.

    No index, ``\\n`` endings, dates as ``YYYY-MM-DD``, and numbers written with up to 15
    significant digits and no trailing ``.0`` (a claimed 250,000 is ``250000``, not ``250000.0``).
    """
    # float_format applies to numpy floats only: nullable Float64 columns are written as float64
    # (<NA> becomes an empty field either way).
    floats = {column: "float64" for column, dtype in frame.dtypes.items() if str(dtype) == "Float64"}
    return frame.astype(floats).to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d", float_format="%.15g")


def build(paths: Paths | None = None, *, quiet: bool = True, lock_wait: float = lock.DEFAULT_WAIT) -> list[Path]:
    """Write every file of :data:`OUTPUTS` into ``data/processed/`` (swapped in whole); returns their paths."""
    paths = paths or project_paths()
    with lock.project_lock(paths, "build", wait=lock_wait):
        inputs = Inputs.load(paths)
        texts = {name: to_csv_text(function(inputs)) for name, function in OUTPUTS.items()}
        staging = atomic.staging_dir(paths.processed)
        try:
            for name, text in texts.items():
                (staging / name).write_text(text, encoding="utf-8", newline="\n")
            atomic.swap_dir(staging, paths.processed)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    written = [paths.processed / name for name in texts]
    if not quiet:
        for name, text in texts.items():
            print(f"wrote data/processed/{name} ({text.count(chr(10)) - 1} rows)")
    return written
