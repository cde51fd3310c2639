"""The benchmark's parts that can be checked without timing anything: the synthetic file, the
targets and the table, the results file, the memory sampler and the refresh measurement.

Nothing here asserts a duration: this machine is shared and noisy (see issue 6).
"""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest

from analysis import cdc, refresh
from analysis.paths import project_paths
from benchmarks import bench, synthetic
from benchmarks.__main__ import main as bench_cli
from fake_socrata import api_rows_from_export
from helpers import ROOT, copy_project

RAW_CDC = ROOT / "data" / "raw" / "cdc_vsrr.csv"
FEW = (("AK", "Alaska"), ("US", "United States"), ("YC", "New York City"))


# ------------------------------------------------------------------------------------------
# The synthetic file
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_file(tmp_path_factory):
    return synthetic.write_synthetic_export(tmp_path_factory.mktemp("synthetic"), paths=project_paths(ROOT))


def test_full_file_has_the_size_of_cdc_all_jurisdiction_release(full_file):
    assert full_file.jurisdictions == 54
    assert full_file.source_rows == 12 * 124
    assert full_file.rows == 54 * 12 * 124 == 80_352
    assert full_file.path.name.startswith("SYNTHETIC_") and "TIMING_ONLY" in full_file.path.name
    lines = full_file.path.read_bytes().count(b"\n")
    assert lines == full_file.rows + 1


def test_full_file_reads_with_the_project_loader(full_file):
    table = cdc.read_cdc_csv(full_file.path)
    cdc.check_tidy(table)
    assert len(table) == full_file.rows
    assert table["jurisdiction"].nunique() == 54
    assert set(table.groupby("jurisdiction").size()) == {1488}


@pytest.fixture(scope="module")
def small_file(tmp_path_factory):
    """Three jurisdictions, same writer: enough to check the form row by row, quickly."""
    return synthetic.write_synthetic_export(
        tmp_path_factory.mktemp("small"), paths=project_paths(ROOT), jurisdictions=FEW
    )


def test_header_and_us_rows_are_the_national_snapshot_byte_for_byte(full_file):
    raw_lines = RAW_CDC.read_bytes().split(b"\n")
    lines = full_file.path.read_bytes().split(b"\n")
    assert lines[0] == raw_lines[0]
    assert not full_file.path.read_bytes().startswith(b"\xef\xbb\xbf")
    us = [line for line in lines if line.startswith(b"US,")]
    assert us == [line for line in raw_lines[1:] if line]


def test_same_quoting_thousands_separators_and_empty_fields(small_file):
    text = small_file.path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    ak = [row for row in rows if row["State"] == "AK"]
    assert len(ak) == 1488 and {row["State Name"] for row in ak} == {"Alaska"}
    # Counts of 1,000 or more carry a separator and are quoted, as in CDC's export.
    big = [row for row in rows if row["Indicator"] == "Number of Deaths" and row["State"] != "US"]
    assert all("," in row["Data Value"] for row in big)
    assert '"' + big[0]["Data Value"] + '"' in text
    no_predicted = {"Number of Deaths", "Percent with drugs specified"}
    for row in rows:
        assert (row["Predicted Value"] == "") == (row["Indicator"] in no_predicted), row
        assert row["Data Value"] != ""
    percents = [float(row["Data Value"]) for row in rows if row["Indicator"] == "Percent with drugs specified"]
    assert 0 <= min(percents) and max(percents) <= 100


def test_values_are_varied_not_copied(full_file):
    table = cdc.read_cdc_csv(full_file.path)
    all_drugs = table[table["indicator"] == "all_drugs"].pivot(
        index="period_end", columns="jurisdiction", values="reported"
    )
    assert (all_drugs.drop(columns="US").lt(all_drugs["US"], axis=0)).all().all()
    assert all_drugs.drop(columns="US").T.duplicated().sum() == 0


def test_same_seed_same_bytes_other_seed_other_values(tmp_path):
    paths = project_paths(ROOT)
    one = synthetic.write_synthetic_export(tmp_path / "a", paths=paths, jurisdictions=FEW)
    two = synthetic.write_synthetic_export(tmp_path / "b", paths=paths, jurisdictions=FEW)
    other = synthetic.write_synthetic_export(tmp_path / "c", paths=paths, jurisdictions=FEW, seed=7)
    assert one.path.read_bytes() == two.path.read_bytes()
    assert one.path.read_bytes() != other.path.read_bytes()
    assert one.rows == 3 * 1488


def test_refuses_to_write_inside_the_project_data_folder(tmp_path):
    paths = copy_project(tmp_path / "project")
    for target in (paths.raw, paths.processed, paths.root / "data", paths.raw / "sub"):
        with pytest.raises(synthetic.SyntheticDataError, match="timing only"):
            synthetic.write_synthetic_export(target, paths=paths, jurisdictions=FEW)
    assert not list(paths.raw.glob("SYNTHETIC_*")) and not (paths.raw / "sub").exists()


def test_api_schema_snapshot_is_converted_to_the_export_form(tmp_path):
    api_csv = tmp_path / "api.csv"
    with open(api_csv, "w", encoding="utf-8", newline="") as handle:
        refresh.write_snapshot_csv(api_rows_from_export(RAW_CDC), handle)
    assert synthetic.national_rows(api_csv) == synthetic.national_rows(RAW_CDC)


def test_unknown_header_is_refused_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(synthetic.SyntheticDataError, match=r"bad\.csv, line 1: .*a, b"):
        synthetic.national_rows(bad)


# ------------------------------------------------------------------------------------------
# Targets, table, results file
# ------------------------------------------------------------------------------------------


def test_targets_decide_met_and_leave_unmeasured_open():
    assert bench.Target("<=", 1.5).met(1.5) is True
    assert bench.Target("<=", 1.5).met(1.51) is False
    assert bench.Target("==", 1).met(1) is True and bench.Target("==", 1).met(2) is False
    assert bench.Target("<=", 1).met(None) is None
    met = bench.evaluate({"load_ratio": 2.0, "tests_seconds": 30.0})
    assert met["load_ratio"] is False and met["tests_seconds"] is True and met["report_seconds"] is None
    assert list(met) == sorted(bench.TARGETS)


def test_table_shows_value_target_and_verdict():
    table = bench.format_table({"load_ratio": 1.8, "tests_seconds": 50.0, "refresh_unchanged_requests": 1})
    lines = table.splitlines()
    assert lines[0].split() == ["figure", "value", "target", "met?"]
    load = next(line for line in lines if line.startswith("1. load"))
    assert "1.80 x" in load and "<= 1.5 x" in load and load.endswith("NO")
    assert next(line for line in lines if line.startswith("6.")).endswith("yes")
    report = next(line for line in lines if line.startswith("3."))
    assert "not measured" in report and report.endswith("n/a")
    assert next(line for line in lines if line.startswith("2.")).endswith("-")  # build: no target


def test_results_file_is_sorted_deterministic_json(tmp_path):
    results = {"b": 1, "a": {"z": 1, "y": [2, 1]}, "load_ratio": 1.2}
    first = bench.write_results(results, tmp_path / "one" / "results.json").read_bytes()
    second = bench.write_results(dict(reversed(list(results.items()))), tmp_path / "two.json").read_bytes()
    assert first == second and first.endswith(b"}\n")
    assert list(json.loads(first)) == ["a", "b", "load_ratio"]
    assert json.loads(first) == results


def fake_step(values):
    return lambda *args, **kwargs: dict(values)


def test_main_writes_every_required_key_and_prints_the_table(tmp_path, monkeypatch, capsys):
    paths = copy_project(tmp_path / "project", processed=False)
    monkeypatch.setattr(bench, "measure_load", fake_step({"load_ratio": 1.2}))

    def fake_build(copy, repeats):
        copy.processed.mkdir(parents=True, exist_ok=True)
        (copy.processed / "cdc_national.csv").write_text("x\n")
        return {"build_seconds": 1.0, "build_peak_memory_mb": 80.0}

    monkeypatch.setattr(bench, "measure_build", fake_build)
    monkeypatch.setattr(bench, "measure_report", fake_step({"report_seconds": 20.0, "report_peak_memory_mb": 300.0}))
    monkeypatch.setattr(
        bench, "measure_refresh", fake_step({"refresh_unchanged_requests": 1, "refresh_unchanged_bytes": 10})
    )
    monkeypatch.setattr(bench, "measure_tests", fake_step({"tests_seconds": 60.0, "tests_passed": True}))
    assert bench.main(paths, repeats=3) == 0
    results = json.loads((paths.root / "benchmarks" / "results.json").read_text())
    for key in (
        "load_ratio",
        "build_seconds",
        "report_seconds",
        "tests_seconds",
        "peak_memory_mb",
        "refresh_unchanged_requests",
        "refresh_unchanged_bytes",
        "cores",
        "date",
        "targets",
        "met",
    ):
        assert key in results, key
    assert results["peak_memory_mb"] == 300.0  # the larger of build and report
    assert results["met"]["load_ratio"] is True and results["repeats"] == 3
    out = capsys.readouterr().out
    assert "met?" in out and "wrote benchmarks/results.json" in out
    assert not (paths.root / "reports").exists()  # the benchmark works on a copy


def test_main_reports_a_failed_step_and_skipped_tests(tmp_path, monkeypatch, capsys):
    paths = copy_project(tmp_path / "project", processed=False)

    def broken(*args, **kwargs):
        raise RuntimeError("benchmark: build failed (exit 1)")

    monkeypatch.setattr(bench, "measure_load", fake_step({"load_ratio": 1.2}))
    monkeypatch.setattr(bench, "measure_build", broken)
    monkeypatch.setattr(bench, "measure_refresh", fake_step({"refresh_unchanged_requests": 1}))
    monkeypatch.setattr(bench, "measure_tests", broken)
    assert bench.main(paths, repeats=1, skip_tests=True) == 1
    results = json.loads((paths.root / "benchmarks" / "results.json").read_text())
    assert results["tests_seconds"] is None and results["tests_skipped"] is True
    assert any("build failed" in p for p in results["problems"])
    assert any("report: not run" in p for p in results["problems"])
    assert "NOT MEASURED" in capsys.readouterr().err


def test_repeats_below_one_are_refused(tmp_path, capsys):
    with pytest.raises(ValueError, match="at least 1"):
        bench.main(project_paths(tmp_path), repeats=0)
    assert bench_cli(["--root", str(tmp_path), "--repeats", "0"]) == 1
    assert "error: --repeats must be at least 1" in capsys.readouterr().err


def test_command_line_passes_its_options_to_the_benchmark(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(bench, "main", lambda paths, **options: calls.append((paths, options)) or 0)
    assert bench_cli(["--root", str(tmp_path), "--repeats", "2", "--skip-tests"]) == 0
    assert calls == [(project_paths(tmp_path), {"repeats": 2, "skip_tests": True})]


def test_the_library_holds_no_benchmark_code():
    """The pipeline's package has neither the benchmark nor the synthetic file, nor a CLI for them."""
    from analysis.__main__ import parser

    library = ROOT / "analysis"
    assert not (library / "bench.py").exists() and not (library / "synthetic.py").exists()
    for module in library.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert "import bench" not in text and "benchmarks import" not in text, module.name
    with pytest.raises(SystemExit):
        parser().parse_args(["bench"])


# ------------------------------------------------------------------------------------------
# Memory sampling and the refresh measurement
# ------------------------------------------------------------------------------------------

ALLOCATE = (
    "import time; block = bytearray(120 * 1024 * 1024); block[::4096] = b'x' * len(block[::4096]); time.sleep(0.6)"
)


def test_memory_of_a_process_tree_includes_grandchildren(tmp_path):
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {ALLOCATE!r}], check=True)"
    result = bench.run_measured([sys.executable, "-c", parent], cwd=tmp_path)
    assert result.returncode == 0
    assert result.peak_tree_pss_mb >= 110  # the grandchild's 120 MB block
    assert result.peak_tree_rss_mb >= result.peak_tree_pss_mb


def test_failed_command_is_an_error_naming_it(tmp_path):
    result = bench.run_measured([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"], cwd=tmp_path)
    with pytest.raises(RuntimeError, match=r"build failed \(exit 3\).*\n.*boom"):
        result.check("build")


def test_refresh_when_cdc_unchanged_is_one_metadata_request(tmp_path):
    paths = copy_project(tmp_path / "project", processed=False)
    before = {p.name: p.read_bytes() for p in paths.raw.iterdir()}
    figures = bench.measure_refresh(paths, tmp_path / "work")
    assert figures["refresh_unchanged_requests"] == 1
    assert figures["refresh_unchanged_endpoints"] == ["metadata"]
    assert figures["refresh_unchanged_row_requests"] == 0
    assert figures["refresh_unchanged_bytes"] == figures["refresh_metadata_document_bytes"] > 0
    assert figures["refresh_unchanged_bytes_beyond_metadata"] == 0
    assert {p.name: p.read_bytes() for p in paths.raw.iterdir()} == before  # worked on a copy
