"""``make refresh`` (analysis.new_release) against the local fake CDC server, on throwaway copies of the project.

* Nothing new from CDC: it says so and touches nothing (no step after the fetch runs).
* A new release whose tests fail: data rebuilt, summary printed and written, no report, exit 1.
* End to end, through the command line: a new release goes to re-executed notebooks, a passing test
  step, a new report and a printed summary; run again against the same server it does nothing.

The "new release" the fake serves is the committed snapshot plus one more month (12 months ending
May 2025), whose counts are the April counts less 2 per cent: TEST VALUES made up for these tests,
not CDC's. The end-to-end test's test step is REDUCED to keep CI fast: nbval on the re-executed
notebook 01 of the copy (the README's full command would re-run the whole suite inside the suite).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys

import nbformat
import pytest

from analysis import build, changes, manifest, new_release, refresh, report
from analysis.__main__ import main
from fake_socrata import FakeSocrata, api_rows_from_export, default_metadata
from helpers import ROOT, copy_project, copy_report_project, snapshot_bytes

#: rowsUpdatedAt of the fake's new release (2025-10-15 12:00 UTC): a fixture value, not CDC's.
NEW_RELEASE = 1760529600
FAST = {"progress": False, "retries": 0, "backoff_factor": 0, "timeout": (5.0, 30.0)}
NOTEBOOK = "01_cdc_overdose_trends.ipynb"
REDUCED_TESTS = [
    sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
    "--nbval", "--nbval-current-env", "--nbval-sanitize-with", "notebooks/nbval_sanitize.cfg",
    f"notebooks/{NOTEBOOK}",
]  # fmt: skip


@pytest.fixture(scope="module")
def committed_rows():
    return api_rows_from_export(ROOT / "data" / "raw" / "cdc_vsrr.csv")


@pytest.fixture(scope="module")
def new_release_rows(committed_rows):
    """The committed rows plus May 2025: April's counts less 2 per cent (TEST VALUES, see above)."""
    may = []
    for row in committed_rows:
        if (row["year"], row["month"]) == ("2025", "April"):
            new = dict(row, month="May")
            if not row["indicator"].startswith("Percent"):
                for field in ("data_value", "predicted_value"):
                    if field in new:
                        new[field] = str(round(int(new[field]) * 0.98))
            may.append(new)
    assert len(may) == 12
    return [*committed_rows, *may]


@pytest.fixture(autouse=True)
def no_token(monkeypatch):
    monkeypatch.delenv("CDC_APP_TOKEN", raising=False)


def project(tmp_path, *, notebooks: bool):
    paths = copy_project(tmp_path / "project")
    if notebooks:
        shutil.copytree(ROOT / "notebooks", paths.notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return paths


def forbid(monkeypatch, *names):
    """Make the steps after the fetch fail the test if they are reached."""

    def refuse(*args, **kwargs):
        pytest.fail("a step after the fetch ran although CDC had nothing new")

    targets = {
        "build": (build, "build"),
        "notebooks": (new_release, "execute_notebooks_in_place"),
        "tests": (new_release, "run_tests"),
        "report": (report, "build_report"),
    }
    for name in names:
        monkeypatch.setattr(*targets[name], refuse)


def test_nothing_new_says_so_and_touches_nothing(tmp_path, committed_rows, monkeypatch, capsys):
    paths = project(tmp_path, notebooks=True)
    with FakeSocrata([dict(r) for r in committed_rows]) as fake:
        # The committed export snapshot records no rowsUpdatedAt, so the first fetch always downloads;
        # after it the snapshot knows the release the server has.
        assert refresh.refresh(paths, base_url=fake.url, **FAST).updated
        before = snapshot_bytes(paths.root)
        fake.log.clear()
        forbid(monkeypatch, "build", "notebooks", "tests", "report")
        summary_file = tmp_path / "summary.md"
        outcome = new_release.run(paths, base_url=fake.url, summary_file=summary_file, refresh_options=FAST)
        endpoints = [entry.endpoint for entry in fake.log]
    assert (outcome.updated, outcome.summary, outcome.exit_code) == (False, None, 0)
    assert endpoints == ["metadata"]
    assert snapshot_bytes(paths.root) == before
    assert not summary_file.exists() and not paths.reports.exists()
    out = capsys.readouterr().out
    assert "CDC has not updated" in out and "Nothing new from CDC" in out


def test_failing_tests_stop_before_the_report_and_say_so(tmp_path, new_release_rows, capsys):
    paths = project(tmp_path, notebooks=False)
    summary_file = tmp_path / "out" / "summary.md"
    failing = [sys.executable, "-c", "import sys; print('3 failed'); sys.exit(3)"]
    with FakeSocrata(new_release_rows, default_metadata(NEW_RELEASE)) as fake:
        outcome = new_release.run(
            paths, base_url=fake.url, test_command=failing, summary_file=summary_file, refresh_options=FAST
        )
    assert outcome.updated and outcome.tests_passed is False and outcome.report is None
    assert outcome.exit_code == 1
    assert not paths.reports.exists()
    assert "2025-05" in (paths.processed / "cdc_national.csv").read_text()  # rebuilt from the new snapshot
    text = summary_file.read_text(encoding="utf-8")
    assert text == outcome.summary
    assert "**Tests FAILED** (exit status 3); no report was written." in text
    assert "- Latest period: 12 months ending Apr 2025 -> 12 months ending May 2025" in text
    assert "Tests FAILED" in capsys.readouterr().out


def test_a_new_release_end_to_end_then_nothing_new(tmp_path, new_release_rows, capfd):
    """``python -m analysis refresh`` (what ``make refresh`` runs) against the fake CDC server."""
    paths = project(tmp_path, notebooks=True)
    old_notebook = (paths.notebooks / NOTEBOOK).read_text(encoding="utf-8")
    old_processed = changes.read_folder(paths.processed)
    summary_file = tmp_path / "summary.md"
    with FakeSocrata(new_release_rows, default_metadata(NEW_RELEASE)) as fake:
        command = [
            "--root", str(paths.root), "refresh", "--base-url", fake.url,
            "--summary-file", str(summary_file), "--test-command", shlex.join(REDUCED_TESTS),
        ]  # fmt: skip
        status = main(command)
        out = capfd.readouterr().out
        assert status == 0, out

        # The new snapshot, and data/processed/ rebuilt from it.
        entry = manifest.entry("cdc_vsrr.csv", paths)
        assert (entry["rows_updated_at"], entry["latest_period"], entry["rows"]) == (NEW_RELEASE, "2025-05", 1500)
        rebuilt = changes.read_folder(paths.processed)
        assert rebuilt != old_processed and "US,2025-05-31" not in old_processed["cdc_national.csv"]
        assert any(line.startswith("US,2025-05") for line in rebuilt["cdc_national.csv"].splitlines())

        # Every notebook re-executed in place: notebook 01 now reports the new latest month.
        notebook = (paths.notebooks / NOTEBOOK).read_text(encoding="utf-8")
        assert notebook != old_notebook and "May 2025" in notebook and "May 2025" not in old_notebook
        for path in report.find_notebooks(paths):
            nb = nbformat.read(path, as_version=4)
            assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code" and c.source.strip())

        # The (reduced) test step ran and passed, then the report was written with the new vintage.
        test_step = out.split("== running the tests: ")[1].split("== writing the report")[0]
        assert test_step.startswith(shlex.join(["python", *REDUCED_TESTS[1:]]))
        assert re.search(r"^\d+ passed in ", test_step, re.MULTILINE), test_step
        index = (paths.reports / "index.html").read_text(encoding="utf-8")
        assert "release of 15 Oct 2025" in index and "12 months ending May 2025" in index  # dates in words
        timings = json.loads((paths.reports / "timings.json").read_text(encoding="utf-8"))
        assert len(timings["notebooks"]) == len(report.find_notebooks(paths))

        # The summary: printed, and written for the pull request.
        text = summary_file.read_text(encoding="utf-8")
        assert text.rstrip() in out
        assert "- CDC release: Sep 2025 -> 15 Oct 2025 (rowsUpdatedAt 1760529600)" in text
        assert "- Latest period: 12 months ending Apr 2025 -> 12 months ending May 2025" in text
        assert "- Rows in the CDC snapshot: 1,488 -> 1,500" in text
        assert "| all_drugs, predicted, latest period | 76,516 | 74,986 |" in text  # 76,516 less 2 per cent
        assert "### cdc_national.csv (1,488 -> 1,500 rows)" in text and "12 rows added" in text
        # Claims are matched by CDC's release calendar, which lists no release in Oct 2025: C006 (a claim of
        # 23 Oct 2025) stays matched to the 12 months ending Apr 2025, which this release does not revise,
        # so no ratio and no verdict moves; the figures now name the new snapshot.
        assert "| C006 | ratio_low |" not in text
        assert not re.search(r"C\d+: verdict (overstates|consistent with CDC|understates|not checkable) ->", text)
        assert "this project's snapshot" in rebuilt["claims_vs_cdc.csv"]
        assert "Tests passed; the notebooks were re-executed and the report rebuilt." in text

        # Again, against the same server: CDC has nothing new, nothing is touched.
        before = snapshot_bytes(paths.root)
        summary_file.unlink()
        assert main(command) == 0
        out = capfd.readouterr().out
    assert "Nothing new from CDC" in out and "== rebuilding" not in out
    assert snapshot_bytes(paths.root) == before
    assert not summary_file.exists()


def test_a_failing_notebook_leaves_every_notebook_as_it_was(tmp_path):
    fixtures = ROOT / "tests" / "fixtures" / "report"
    paths = copy_report_project(
        tmp_path / "project",
        [fixtures / "01_figure.ipynb", *sorted((fixtures / "failing").glob("*.ipynb"))],
        [fixtures / "ledger_row.csv"],
    )
    before = snapshot_bytes(paths.notebooks)
    with pytest.raises(report.ReportError, match=r"notebook .*\.ipynb, cell \d+"):
        new_release.execute_notebooks_in_place(paths, say=lambda text: None)
    assert snapshot_bytes(paths.notebooks) == before
