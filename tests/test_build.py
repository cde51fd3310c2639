"""raw -> processed: deterministic, checked, and never half-written."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import build, manifest
from analysis.__main__ import main
from helpers import ROOT, copy_project, snapshot_bytes


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    paths = copy_project(root, processed=False)
    build.build(paths)
    return paths


def test_every_output_is_written(built):
    assert sorted(p.name for p in built.processed.iterdir()) == sorted(build.OUTPUTS)


def test_rebuild_is_byte_identical(built):
    first = snapshot_bytes(built.processed)
    build.build(built)
    assert snapshot_bytes(built.processed) == first


def test_committed_processed_files_are_current(built):
    """data/processed/ in the repository is what the committed raw files build to."""
    committed = snapshot_bytes(ROOT / "data" / "processed")
    assert committed == snapshot_bytes(built.processed), (
        "data/processed/ is stale: run `python -m analysis build` and commit the result"
    )


def test_cdc_national_reproduces_the_snapshot(built):
    table = pd.read_csv(built.processed / "cdc_national.csv", dtype={"period_end": str})
    assert len(table) == 1488
    assert table.duplicated(["period_end", "indicator"]).sum() == 0
    row = table[(table["period_end"] == "2023-12") & (table["indicator"] == "all_drugs")].iloc[0]
    assert (row["reported"], row["predicted"]) == (106881, 108550)
    # Every count in the export is in the processed file, unchanged.
    raw = pd.read_csv(ROOT / "data" / "raw" / "cdc_vsrr.csv", thousands=",")
    assert raw["Data Value"].sum() == pytest.approx(table["reported"].sum() + table["reported_percent"].sum())
    assert raw["Predicted Value"].sum() == table["predicted"].sum()


def test_calendar_years_file(built):
    years = pd.read_csv(built.processed / "cdc_calendar_years.csv")
    assert list(years.columns) == ["year", "indicator", "reported", "predicted"]
    row = years[(years["year"] == 2023) & (years["indicator"] == "synthetic_opioids")].iloc[0]
    assert (row["reported"], row["predicted"]) == (74091, 75219)


def test_strike_and_tally_files(built):
    cumulative = pd.read_csv(built.processed / "strikes_cumulative.csv")
    assert cumulative.iloc[-1][["strikes", "vessels", "killed"]].tolist() == [60, 63, 188]
    tallies = pd.read_csv(built.processed / "tallies_reconciled.csv")
    assert len(tallies) == 56
    for column in ("as_of", "publisher", "published_killed", "ledger_killed", "difference"):
        assert column in tallies.columns


def test_claims_file_columns(built):
    claims = pd.read_csv(built.processed / "claims_vs_cdc.csv")
    assert list(claims.columns[:12]) == [
        "claim_id",
        "date",
        "speaker",
        "topic",
        "claimed_low",
        "claimed_high",
        "cdc_period_end",
        "cdc_indicator",
        "cdc_reported",
        "cdc_predicted",
        "ratio_low",
        "ratio_high",
    ]


def test_revisions_file(built):
    """cdc_revisions.csv: each period's first-published value against the latest release (issue's example row)."""
    table = pd.read_csv(
        built.processed / "cdc_revisions.csv", dtype={"period_end": str, "first_release": str, "latest_release": str}
    )
    assert list(table.columns[:10]) == [
        "period_end",
        "indicator",
        "measure",
        "first_release",
        "first_value",
        "latest_release",
        "latest_value",
        "revision",
        "revision_percent",
        "age_months",
    ]
    assert len(table) == 282 and set(table["first_release"]) == {"2018-04", "2019-06", "2019-07"}
    row = table[(table["period_end"] == "2018-11") & (table["indicator"] == "all_drugs")].set_index("measure")
    reported = row.loc["reported", ["first_value", "latest_value", "revision", "age_months"]].tolist()
    assert reported == [66986, 68102, 1116, 8]
    assert row.loc["predicted", ["first_value", "latest_value", "revision"]].tolist() == [69096, 68873, -223]
    assert set(table["latest_release"]) == {"2025-09"}


def test_changed_raw_file_stops_the_build_and_keeps_processed(tmp_path):
    paths = copy_project(tmp_path)
    before = snapshot_bytes(paths.processed)
    raw = paths.raw / "cdc_vsrr.csv"
    raw.write_bytes(raw.read_bytes().replace(b'"106,881"', b'"116,881"'))
    with pytest.raises(manifest.ChecksumMismatch, match="cdc_vsrr.csv"):
        build.build(paths)
    assert snapshot_bytes(paths.processed) == before


def test_cli_build_and_verify(tmp_path, capsys):
    paths = copy_project(tmp_path, processed=False)
    assert main(["--root", str(paths.root), "verify"]) == 0
    assert main(["--root", str(paths.root), "build"]) == 0
    assert "wrote data/processed/cdc_national.csv (1488 rows)" in capsys.readouterr().out
    (paths.raw / "claims.csv").write_text("tampered", encoding="utf-8")
    assert main(["--root", str(paths.root), "verify"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "claims.csv" in err and "Traceback" not in err
