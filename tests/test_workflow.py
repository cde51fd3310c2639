"""The monthly refresh workflow (.github/workflows/refresh.yml), checked offline.

It cannot run here: the schema check is the one .ci/run makes (check-jsonschema's vendored GitHub
workflow schema), and the tests below read what the file asks for. The command it runs,
``make refresh``, is tested end to end in test_new_release.py.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis import schedule
from helpers import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "refresh.yml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def schema_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def workflow():
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow):
    return workflow["jobs"]["refresh"]["steps"]


def step(workflow, name):
    return next(s for s in steps(workflow) if s.get("name") == name)


def test_workflow_passes_the_github_schema():
    result = schema_check(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "refresh.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "runs_on:"), encoding="utf-8")
    assert schema_check(broken).returncode != 0


def cron_days(field: str) -> set[int]:
    out = set()
    for part in field.split(","):
        low, _, high = part.partition("-")
        out.update(range(int(low), int(high or low) + 1))
    return out


def test_cron_fires_on_every_day_after_a_release_day_and_not_much_more(workflow):
    (entry,) = workflow["on"]["schedule"]
    minute, hour, day_of_month, month, day_of_week = entry["cron"].split()
    assert (month, day_of_week) == ("*", "*")  # both restricted would mean either, not both
    fire = cron_days(day_of_month)
    assert len(fire) <= 7
    start, end = dt.date(2025, 1, 1), dt.date(2030, 12, 31)
    for offset in range((end - start).days + 1):
        day = start + dt.timedelta(days=offset)
        if schedule.is_day_after_release_day(day):
            assert day.day in fire, day


def test_the_run_goes_on_only_the_day_after_and_runs_make_refresh_with_the_token(workflow):
    assert "python -m analysis release-day" in step(workflow, "Is today the day after CDC's usual release day?")["run"]
    refresh = step(workflow, "make refresh")
    assert refresh["run"].startswith("make refresh ")
    assert "--summary-file $SUMMARY" in refresh["run"]
    assert refresh["env"] == {"CDC_APP_TOKEN": "${{ secrets.CDC_APP_TOKEN }}"}
    assert refresh["if"] == "steps.day.outputs.go == 'yes'"
    assert "workflow_dispatch" in workflow["on"]


def test_the_pull_request_carries_the_snapshot_the_notebooks_and_the_summary(workflow):
    pr = next(s for s in steps(workflow) if str(s.get("uses", "")).startswith("peter-evans/create-pull-request@"))
    assert pr["with"]["body-path"] == "${{ env.SUMMARY }}"
    assert pr["with"]["add-paths"].split() == ["data/raw", "data/processed", "notebooks"]
    assert pr["if"] == "steps.new.outputs.release == 'yes'"
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write"}


def test_the_day_check_needs_nothing_but_the_standard_library():
    """The workflow asks before installing anything: no site-packages (-S), the checkout as cwd."""
    result = subprocess.run(
        [sys.executable, "-S", "-m", "analysis", "release-day", "--date", "2026-12-10"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "yes\n"), result.stderr
