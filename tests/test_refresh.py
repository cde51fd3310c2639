"""analysis.refresh against the local fake Socrata server, on a throwaway copy of the project.

The fault suite: every case asserts its outcome (the error, naming what was wrong) and that
``data/raw`` (snapshot, MANIFEST.json, and no stray temporary file) is byte-identical afterwards.
Then the happy path, update detection, jurisdictions, and the app token never reaching a file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
from datetime import UTC, datetime

import pytest

from analysis import atomic, build, cdc, gate, manifest, refresh
from analysis.refresh import RefreshError
from analysis.socrata import FetchError, SocrataError
from fake_socrata import (
    FAKE_ROWS_UPDATED_AT,
    closed_port_url,
    default_metadata,
)
from helpers import ROOT, copy_project, snapshot_bytes

TOKEN = "tok-Qx7-secret-app-token-8b1e"
RETRIEVED = datetime(2026, 1, 15, 9, 30, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_token(monkeypatch):
    monkeypatch.delenv("CDC_APP_TOKEN", raising=False)


def run(paths, url, **options):
    """refresh() with tiny backoff and timeouts so each fault costs well under a second."""
    settings = dict(
        base_url=url,
        page_size=500,
        retries=2,
        backoff_factor=0,
        timeout=(1.0, 1.0),
        progress=False,
        clock=lambda: RETRIEVED,
    )
    settings.update(options)
    return refresh.refresh(paths, **settings)


def rename_field(fake, old, new):
    for column in fake.metadata["columns"]:
        if column["fieldName"] == old:
            column["fieldName"] = new
    for row in fake.rows:
        if old in row:
            row[new] = row.pop(old)


def drop_field(fake, name):
    fake.metadata["columns"] = [c for c in fake.metadata["columns"] if c["fieldName"] != name]
    for row in fake.rows:
        row.pop(name, None)


class _FullDisk:
    """A staging file that fails with ENOSPC once ``limit`` characters have been written."""

    def __init__(self, handle, limit):
        self._handle, self._left = handle, limit

    def write(self, text):
        if len(text) > self._left:
            self._handle.write(text[: self._left])
            self._handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")
        self._left -= len(text)
        return self._handle.write(text)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


# -- the fault suite ----------------------------------------------------------------------------------
# Each case: set the fault up, the options for refresh(), the error expected, a regex its message
# must match, and the endpoints that must NOT have been asked (e.g. no rows after bad metadata).
def _timeout(fake, monkeypatch):
    fake.fail("rows", "delay", seconds=1.5, times=None, skip=1)  # page 2 never comes in time
    return {"timeout": (1.0, 0.2), "retries": 1}


def _refused(fake, monkeypatch):
    return {"base_url": closed_port_url(), "retries": 1}


def _500_forever(fake, monkeypatch):
    fake.fail("count", "status", status=500, times=None)
    return {}


def _html_200(fake, monkeypatch):
    fake.fail("rows", "html", skip=1)
    return {}


def _truncated(fake, monkeypatch):
    fake.fail("rows", "truncate", skip=2)
    return {}


def _cut_mid_row(fake, monkeypatch):
    fake.fail("rows", "cut", skip=1)
    return {}


def _renamed_column(fake, monkeypatch):
    rename_field(fake, "data_value", "data_val")
    return {}


def _renamed_in_rows_only(fake, monkeypatch):
    fake.rows[700]["deaths"] = fake.rows[700].pop("data_value")
    return {}


def _missing_column(fake, monkeypatch):
    drop_field(fake, "predicted_value")
    return {}


def _missing_value_in_row(fake, monkeypatch):
    del fake.rows[41]["indicator"]
    return {}


def _empty_result(fake, monkeypatch):
    return {"jurisdictions": ["AK"]}


def _duplicate_rows(fake, monkeypatch):
    fake.rows.insert(900, dict(fake.rows[10]))
    return {}


def _non_numeric(fake, monkeypatch):
    fake.rows[5]["data_value"] = "n/a"
    return {}


def _same_page_twice(fake, monkeypatch):
    fake.fail("rows", "repeat_first_page", times=None)
    return {}


def _metadata_down(fake, monkeypatch):
    fake.fail("metadata", "status", status=503, times=None, body=b"<html>503 Service Unavailable</html>")
    return {}


def _metadata_html(fake, monkeypatch):
    fake.fail("metadata", "html", times=None)
    return {}


def _disk_full_while_staging(fake, monkeypatch):
    real_open = refresh._open_staging
    monkeypatch.setattr(refresh, "_open_staging", lambda path: _FullDisk(real_open(path), 100_000))
    return {}


def _disk_fails_writing_manifest(fake, monkeypatch):
    real_stage = atomic.stage_bytes

    def fail(target, data, **options):
        if target.name == "MANIFEST.json":
            raise OSError(errno.EIO, "Input/output error")
        return real_stage(target, data, **options)

    monkeypatch.setattr(atomic, "stage_bytes", fail)
    return {}


def _staged_file_differs(fake, monkeypatch):
    real_write = refresh.write_snapshot_csv

    def write_one_value_wrong(records, handle):  # e.g. a bad disk or a bug in the writer
        records = [dict(record) for record in records]
        records[99]["data_value"] = "1" + records[99].get("data_value", "")
        real_write(records, handle)

    monkeypatch.setattr(refresh, "write_snapshot_csv", write_one_value_wrong)
    return {}


FAULTS = [
    ("timeout", _timeout, SocrataError, r"offset=500 failed with no usable response after 2 attempts.*timed out", ()),
    (
        "connection refused",
        _refused,
        SocrataError,
        r"api/views/xkb8-kh2a\.json failed with no usable response after 2 attempts",
        (),
    ),
    ("500 forever", _500_forever, SocrataError, r"count%28%2A%29.*HTTP 500 .*after 3 attempts", ("rows",)),
    ("HTML page with status 200", _html_200, SocrataError, r"offset=500: status 200 but the body is an HTML page", ()),
    ("body cut off in transit", _truncated, SocrataError, r"offset=1000: the body was cut off in transit", ()),
    ("body ends mid-row", _cut_mid_row, SocrataError, r"offset=500: the body .* is not complete JSON", ()),
    (
        "renamed column",
        _renamed_column,
        RefreshError,
        r"unknown column\(s\) data_val; missing column\(s\) data_value",
        ("count", "rows"),
    ),
    (
        "renamed in rows only",
        _renamed_in_rows_only,
        RefreshError,
        r"row 701 as received: unknown field\(s\) deaths",
        (),
    ),
    ("missing column", _missing_column, RefreshError, r"missing column\(s\) predicted_value", ("count", "rows")),
    (
        "missing value in a row",
        _missing_value_in_row,
        RefreshError,
        r"rows from .*/resource/xkb8-kh2a\.json, record 42, field indicator: required value is empty",
        (),
    ),
    ("empty result", _empty_result, RefreshError, r"no rows for state = 'AK' \(empty result\)", ("rows",)),
    (
        "duplicate rows",
        _duplicate_rows,
        RefreshError,
        r"duplicate rows for \(jurisdiction, year, month, indicator\) = \(US, 2015, 11, 'Cocaine \(T40\.5\)'\): "
        r"record 11; record 901",
        (),
    ),
    ("non-numeric count", _non_numeric, RefreshError, r"record 6, field data_value: not a number: 'n/a'", ()),
    ("same page twice", _same_page_twice, SocrataError, r"page 2 \(offset 500\) repeats page 1", ()),
    ("metadata endpoint down", _metadata_down, SocrataError, r"api/views/xkb8-kh2a\.json: HTTP 503", ("count", "rows")),
    (
        "metadata is an HTML page",
        _metadata_html,
        SocrataError,
        r"api/views/xkb8-kh2a\.json: status 200 but the body is an HTML page",
        ("count", "rows"),
    ),
    (
        "disk full while staging",
        _disk_full_while_staging,
        RefreshError,
        r"could not write the new snapshot .*No space left on device",
        (),
    ),
    (
        "staged file differs from the rows",
        _staged_file_differs,
        RefreshError,
        r"does not hold the 1,488 rows received, value for value; not installed",
        (),
    ),
    (
        "disk fails writing the manifest",
        _disk_fails_writing_manifest,
        RefreshError,
        r"could not replace data/raw/cdc_vsrr\.csv and its manifest entry .*Input/output error",
        (),
    ),
]


@pytest.mark.parametrize(
    "setup, error, message, never_asked", [case[1:] for case in FAULTS], ids=[case[0] for case in FAULTS]
)
def test_fault_leaves_snapshot_byte_identical(project, fake, monkeypatch, setup, error, message, never_asked):
    before = snapshot_bytes(project.raw)
    options = setup(fake, monkeypatch)
    with pytest.raises(error, match=message) as caught:
        run(project, fake.url, **options)
    assert isinstance(caught.value, FetchError)
    assert snapshot_bytes(project.raw) == before  # snapshot, manifest, and no stray temporary file
    for endpoint in never_asked:
        assert fake.requests_to(endpoint) == [], f"{endpoint} was requested after the failure"


def test_status_errors_carry_the_last_status(project, fake):
    fake.fail("rows", "status", status=502, times=None)
    with pytest.raises(SocrataError) as caught:
        run(project, fake.url)
    assert caught.value.status == 502
    assert "?" in caught.value.url and caught.value.url.startswith(f"{fake.url}/resource/xkb8-kh2a.json")


# -- transient faults that succeed: same bytes as a run without the fault -------------------------------
def _clean_run_bytes(tmp_path, fake):
    clean = copy_project(tmp_path / "clean")
    run(clean, fake.url)
    fake.log.clear()
    return snapshot_bytes(clean.raw)


def test_429_with_retry_after_then_success(tmp_path, project, fake):
    expected = _clean_run_bytes(tmp_path, fake)
    fake.fail("rows", "status", status=429, headers={"Retry-After": "1"}, skip=1, body=b'{"error": "too many"}')
    result = run(project, fake.url)
    assert result.updated and result.rows == 1488
    second_page = [r for r in fake.requests_to("rows") if r.params["$offset"] == "500"]
    assert len(second_page) == 2 and second_page[1].at - second_page[0].at >= 0.95
    assert snapshot_bytes(project.raw) == expected


def test_500_then_success(tmp_path, project, fake):
    expected = _clean_run_bytes(tmp_path, fake)
    fake.fail("rows", "status", status=500, skip=2)
    result = run(project, fake.url)
    assert result.updated
    assert [r.params["$offset"] for r in fake.requests_to("rows")] == ["0", "500", "1000", "1000"]
    assert result.requests == 1 + 1 + 3 + 1  # metadata, count, 3 pages, 1 retry
    assert snapshot_bytes(project.raw) == expected


# -- the happy path -------------------------------------------------------------------------------------
def test_happy_path_replaces_snapshot_and_manifest_then_build_uses_it(project, fake, capsys):
    old_table = cdc.load_national(project)
    result = run(project, fake.url, progress=True)

    assert result.updated and result.rows == 1488 and result.latest_period == "2025-04"
    assert result.rows_updated_at == FAKE_ROWS_UPDATED_AT
    offsets = [r.params["$offset"] for r in fake.requests_to("rows")]
    assert offsets == ["0", "500", "1000"]  # three pages, the last one short
    assert all(r.params["$where"] == "state = 'US'" and r.params["$order"] == ":id" for r in fake.requests_to("rows"))
    assert len(fake.requests_to("count")) == 1

    snapshot = project.raw / "cdc_vsrr.csv"
    lines = snapshot.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(cdc.API_FIELDS)
    assert lines[1] == (
        "US,2015,January,12 month-ending,Cocaine (T40.5),5496,100,0.143178356,United States,"
        "Numbers may differ from published reports using final data. See Technical Notes.,**,5546"
    )
    assert len(lines) == 1489

    entry = manifest.entry("cdc_vsrr.csv", project)
    assert entry["method"] == "socrata_api" and entry["schema"] == "api"
    assert entry["dataset_id"] == "xkb8-kh2a" and entry["jurisdictions"] == ["US"]
    assert entry["source_urls"] == [f"{fake.url}/resource/xkb8-kh2a.json", f"{fake.url}/api/views/xkb8-kh2a.json"]
    assert entry["query"] == {"$where": "state = 'US'", "$order": ":id", "$limit": "500"}
    assert entry["rows_updated_at"] == FAKE_ROWS_UPDATED_AT
    assert entry["source_release"] == "2025-09-17"
    assert entry["latest_period"] == "2025-04"
    assert entry["retrieved"] == "2026-01-15T09:30:00Z"
    assert entry["rows"] == 1488
    assert entry["sha256"] == hashlib.sha256(snapshot.read_bytes()).hexdigest()
    assert manifest.verified_path("cdc_vsrr.csv", project) == snapshot
    assert [p.name for p in project.raw.iterdir() if p.name.startswith(".")] == []

    # Same release in the API's schema: the loader gives the very same table as from the export.
    new_table = cdc.load_national(project)
    assert new_table.equals(old_table)

    written = build.build(project)
    assert written and all(path.exists() for path in written)

    err = capsys.readouterr().err
    assert "fetch: page 1: 500 rows so far of 1,488" in err
    assert "fetch: page 3: 1,488 rows so far of 1,488" in err
    assert "fetching: the current snapshot (method cdc_export, release 2025-09) records no rowsUpdatedAt" in err
    assert "Updated data/raw/cdc_vsrr.csv: 1,488 rows" in result.message


def test_build_output_follows_the_new_release(project, fake):
    """A release whose latest period differs reaches data/processed through the build, unchanged code."""
    build.build(project)
    before = snapshot_bytes(project.processed)
    fake.rows = [row for row in fake.rows if not (row["year"] == "2025" and row["month"] == "April")]
    refused = r"latest period is the 12 months ending 2025-03, the snapshot's 2025-04"
    with pytest.raises(gate.UpdateRefused, match=refused):
        run(project, fake.url)  # one period fewer: worse than the snapshot, refused by the gate
    assert snapshot_bytes(project.raw)["cdc_vsrr.csv"] == (ROOT / "data" / "raw" / "cdc_vsrr.csv").read_bytes()
    result = run(project, fake.url, accept=True)  # an analyst's deliberate choice
    assert result.latest_period == "2025-03" and result.rows == 1476
    build.build(project)
    after = snapshot_bytes(project.processed)
    assert after != before
    national = [name for name in after if "2025-04" in before[name].decode() and "2025-04" not in after[name].decode()]
    assert national, "no processed file lost the April 2025 period"


# -- update detection ------------------------------------------------------------------------------------
def test_export_snapshot_without_rows_updated_at_is_fetched(project, fake):
    assert manifest.entry("cdc_vsrr.csv", project)["rows_updated_at"] is None
    result = run(project, fake.url)
    assert result.updated
    assert "records no rowsUpdatedAt" not in result.message  # the reason is a progress note
    assert len(fake.requests_to("rows")) == 3


def test_unchanged_cdc_costs_one_metadata_request_and_no_rows(project, fake):
    run(project, fake.url)
    before = snapshot_bytes(project.raw)
    fake.log.clear()
    result = run(project, fake.url)
    assert not result.updated
    assert "has not updated" in result.message and "nothing downloaded" in result.message
    assert [r.endpoint for r in fake.log] == ["metadata"]
    assert result.requests == 1
    assert result.bytes_received == len(json.dumps(fake.metadata).encode())
    assert snapshot_bytes(project.raw) == before


def test_newer_rows_updated_at_triggers_fetch(project, fake):
    run(project, fake.url)
    fake.metadata["rowsUpdatedAt"] = FAKE_ROWS_UPDATED_AT + 86_400 * 30
    fake.log.clear()
    result = run(project, fake.url)
    assert result.updated and len(fake.requests_to("rows")) == 3
    assert manifest.entry("cdc_vsrr.csv", project)["rows_updated_at"] == FAKE_ROWS_UPDATED_AT + 86_400 * 30


def test_force_fetches_even_when_unchanged(project, fake):
    run(project, fake.url)
    fake.log.clear()
    assert run(project, fake.url, force=True).updated
    assert len(fake.requests_to("rows")) == 3


def test_damaged_snapshot_is_refetched_even_when_unchanged(project, fake):
    run(project, fake.url)
    good = (project.raw / "cdc_vsrr.csv").read_bytes()
    (project.raw / "cdc_vsrr.csv").write_bytes(good.replace(b"5496", b"5497", 1))
    result = run(project, fake.url)
    assert result.updated
    assert (project.raw / "cdc_vsrr.csv").read_bytes() == good


# -- jurisdictions ---------------------------------------------------------------------------------------
def test_all_jurisdictions_sends_no_where(project, fake):
    result = run(project, fake.url, jurisdictions=None)
    assert result.updated
    assert all("$where" not in r.params for r in fake.requests_to("rows") + fake.requests_to("count"))
    assert manifest.entry("cdc_vsrr.csv", project)["jurisdictions"] == "all"
    fake.log.clear()
    assert not run(project, fake.url, jurisdictions=None).updated
    assert run(project, fake.url, jurisdictions=["US"]).updated  # a different scope is fetched


def test_a_list_of_jurisdictions_is_one_where_and_each_must_have_rows(project, fake):
    before = snapshot_bytes(project.raw)
    with pytest.raises(RefreshError, match="asked for jurisdictions NY, US; no rows for NY"):
        run(project, fake.url, jurisdictions=["us", "NY", "US"])
    assert fake.requests_to("count")[0].params["$where"] == "state = 'NY' OR state = 'US'"
    assert snapshot_bytes(project.raw) == before


@pytest.mark.parametrize("bad", [[], ["USA"], ["U'"], ["1 or 1=1"]])
def test_bad_jurisdiction_codes_are_refused_before_any_request(project, fake, bad):
    with pytest.raises(ValueError, match="jurisdictions"):
        run(project, fake.url, jurisdictions=bad)
    assert fake.log == []


# -- the app token ---------------------------------------------------------------------------------------
def test_token_is_sent_but_never_written_logged_or_shown(tmp_path, project, fake, monkeypatch, capsys, caplog):
    monkeypatch.setenv("CDC_APP_TOKEN", TOKEN)
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []

    result = run(project, fake.url, progress=True)
    assert result.updated
    assert {r.headers.get("X-App-Token") for r in fake.log} == {TOKEN}
    seen += [repr(result), result.message]
    build.build(project)

    fake.fail("rows", "status", status=500, times=None, body=f'{{"message": "token {TOKEN} throttled"}}'.encode())
    with pytest.raises(SocrataError) as caught:
        run(project, fake.url, force=True, progress=True)
    seen += [str(caught.value), repr(caught.value), caught.value.url]
    fake.faults["rows"].clear()
    fake.fail("metadata", "html")
    with pytest.raises(SocrataError) as caught:
        run(project, fake.url, progress=True)
    seen += [str(caught.value), caught.value.url]

    out = capsys.readouterr()
    seen += [out.out, out.err, caplog.text]
    assert "app token from $CDC_APP_TOKEN" in out.err
    for text in seen:
        assert TOKEN not in text
    needle = TOKEN.encode()
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.name == "MANIFEST.json" for path in files)
    for path in files:
        assert needle not in path.read_bytes(), f"token written to {path.relative_to(tmp_path)}"
    assert all(TOKEN not in r.path and TOKEN not in json.dumps(r.params) for r in fake.log)


def test_metadata_fixture_matches_what_the_loader_expects():
    assert tuple(c["fieldName"] for c in default_metadata()["columns"]) == cdc.API_FIELDS


# -- the one command ---------------------------------------------------------------------------------------
def test_fetch_command_updates_then_builds_and_fails_cleanly(project, fake, capsys):
    from analysis.__main__ import main

    assert main(["--root", str(project.root), "fetch", "--base-url", fake.url]) == 0
    out = capsys.readouterr().out
    assert "Updated data/raw/cdc_vsrr.csv: 1,488 rows" in out
    assert "wrote data/processed/" in out
    assert manifest.entry("cdc_vsrr.csv", project)["method"] == "socrata_api"

    before = snapshot_bytes(project.raw)
    fake.fail("metadata", "status", status=404, body=b'{"error": "gone"}')
    assert main(["--root", str(project.root), "fetch", "--base-url", fake.url, "--force"]) == 1
    assert "error: GET " in capsys.readouterr().err
    assert snapshot_bytes(project.raw) == before
