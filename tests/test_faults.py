"""The fault suite of issue 12: a worse update never replaces better data, every write is all or nothing.

Each case (the ids name them as the issue lists them) asserts its outcome, a clear error naming
what was wrong or a correct recovery, and that ``data/raw``, ``data/processed`` and ``reports``
are byte-identical afterwards (or, where the case is an update that should go through, wholly
new). Crashes are injected at every step of every swap, both as a raised error and as a real
``SIGKILL`` of a forked child. Deadlines are parameters shortened here: no case waits out a real
timeout.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from datetime import UTC

from analysis import atomic, bounds, build, cdc, charts, compare, gate, ledgers, lock, manifest, refresh, report  # noqa: E402
from analysis.__main__ import main  # noqa: E402
from analysis.paths import project_paths  # noqa: E402
from analysis.socrata import SocrataError  # noqa: E402
from fake_socrata import api_rows_from_export  # noqa: E402
from helpers import ROOT, copy_project, copy_report_project, snapshot_bytes  # noqa: E402

TOKEN = "tok-Zp4-echoed-app-token-91c3"
RETRIEVED_EPOCH = 1768469400  # 2026-01-15 09:30 UTC, the fixed "now" of these runs
RELEASE_2019_07 = 1563321600  # 2019-07-17 00:00 UTC
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "report"


# -- fixtures and helpers ---------------------------------------------------------------------
@pytest.fixture(autouse=True)
def no_token(monkeypatch):
    monkeypatch.delenv("CDC_APP_TOKEN", raising=False)
    monkeypatch.delenv(lock.HELD_ENV, raising=False)


def run(paths, url, **options):
    from datetime import datetime

    settings = dict(
        base_url=url,
        page_size=500,
        retries=1,
        backoff_factor=0,
        timeout=(1.0, 1.0),
        progress=False,
        clock=lambda: datetime.fromtimestamp(RETRIEVED_EPOCH, UTC),
        request_deadline=5.0,
        fetch_deadline=20.0,
        lock_wait=1.0,
    )
    settings.update(options)
    return refresh.refresh(paths, **settings)


def trees(paths) -> dict[str, dict[str, bytes]]:
    """Every byte of data/raw, data/processed and reports (absent folders as empty)."""
    return {
        name: snapshot_bytes(folder) if folder.exists() else {}
        for name, folder in (("raw", paths.raw), ("processed", paths.processed), ("reports", paths.reports))
    }


def temporaries(paths) -> list[str]:
    """Temporary names anywhere under the project (ours and the legacy ones)."""
    found = []
    for path in paths.root.rglob(".*"):
        if path.name in (lock.LOCK_NAME,):
            continue
        found.append(str(path.relative_to(paths.root)))
    return sorted(found)


def cli(paths, *args, capsys):
    code = main(["--root", str(paths.root), "--wait", "1", *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


def tamper(paths, name, change, *, fix_rows=False):
    """Rewrite raw file ``name`` with ``change(bytes) -> bytes`` and fix its manifest sha256 (and, if
    asked, its row count): bad data that passes the checksum check."""
    path = paths.raw / name
    path.write_bytes(change(path.read_bytes()))
    data = manifest.load(paths)
    data["files"][name]["sha256"] = manifest.sha256_of(path)
    if fix_rows:
        data["files"][name]["rows"] = manifest.count_csv_records(path)
    manifest.write(data, paths)


def vintage_rows(release: str) -> list[dict]:
    """The national rows of an older CDC release, from the project's own snapshot of them (so these cases
    run without ../shared)."""
    path = ROOT / "data" / "raw" / f"cdc_vsrr_{release}.csv"
    return [row for row in api_rows_from_export(path) if row["state"] == "US"]


# == 1. Worse data installed, then built ======================================================
def test_older_release_is_refused_before_any_row_is_downloaded(project, fake, capsys):
    """An old release served (2019-07, 564 rows, latest period 2018-11) after a fetched snapshot."""
    run(project, fake.url)
    build.build(project)
    before = trees(project)
    fake.rows = vintage_rows("2019-07")
    fake.metadata["rowsUpdatedAt"] = RELEASE_2019_07
    fake.log.clear()
    code, out, err = cli(project, "fetch", "--base-url", fake.url, capsys=capsys)
    assert code == 1 and "Updated" not in out
    assert (
        "it is older: CDC's rowsUpdatedAt 1563321600 (2019-07-17 00:00 UTC) is before the snapshot's 1758110400" in err
    )
    assert "--accept" in err and "The snapshot and manifest are unchanged" in err
    assert [r.endpoint for r in fake.log] == ["metadata"]
    assert trees(project) == before


def test_older_release_against_the_export_snapshot_is_refused(project, fake):
    fake.rows = vintage_rows("2019-07")
    fake.metadata["rowsUpdatedAt"] = RELEASE_2019_07
    before = trees(project)
    with pytest.raises(gate.UpdateRefused, match=r"is before the snapshot's release, 2025-09"):
        run(project, fake.url)
    assert trees(project) == before


def test_old_rows_under_a_newer_rows_updated_at_are_refused_naming_each_regression(project, fake):
    fake.rows = vintage_rows("2019-07")  # the server lies about its release time
    before = trees(project)
    with pytest.raises(gate.UpdateRefused) as caught:
        run(project, fake.url)
    message = str(caught.value)
    assert "its latest period is the 12 months ending 2018-11, the snapshot's 2025-04" in message
    assert "it covers less: 77 period(s) of the snapshot missing: 2018-12 to 2025-04 (77 periods)" in message
    assert "--accept" in message
    assert trees(project) == before


def test_accept_installs_a_refused_release_deliberately(project, fake):
    fake.rows = vintage_rows("2019-07")
    result = run(project, fake.url, accept=True)
    assert result.updated and result.rows == 564 and result.latest_period == "2018-11"
    assert "Accepted although worse than the snapshot (--accept)" in result.message
    manifest.verify_all(project)


def test_every_data_value_blank_is_refused(project, fake):
    for row in fake.rows:
        row.pop("data_value", None)
    before = trees(project)
    with pytest.raises(
        gate.UpdateRefused, match=r"it lost values: 1,364 of the snapshot's 1,364 reported counts are blank"
    ):
        run(project, fake.url)
    assert trees(project) == before


def test_rows_of_the_2018_schema_under_todays_columns_are_refused(project, fake):
    fake.rows = vintage_rows("2018-04")  # 330 rows, no predicted_value, no footnote_symbol
    assert len(fake.rows) == 330
    before = trees(project)
    with pytest.raises(gate.UpdateRefused) as caught:
        run(project, fake.url)
    assert "latest period is the 12 months ending 2017-09" in str(caught.value)
    assert trees(project) == before
    # The same rows for exactly the snapshot's periods still lack every predicted value.
    current = cdc.read_cdc_csv(project.raw / "cdc_vsrr.csv")
    candidate = cdc.tidy_from_records(fake.rows, source="2018 rows")
    shared = current[current["period_end"].isin(candidate["period_end"])]
    found = gate.table_regressions(shared, candidate)
    assert any(line.startswith("it lost values:") and "predicted values are blank" in line for line in found)


def test_a_revision_beyond_the_tolerance_is_refused_and_one_within_it_installed(project, fake):
    original = [dict(row) for row in fake.rows]
    fake.rows[0]["data_value"] = str(int(fake.rows[0]["data_value"]) * 2)  # 5,496 -> 10,992
    before = trees(project)
    with pytest.raises(
        gate.UpdateRefused,
        match=(
            r"it revises too far: 1 reported value\(s\) .* more than 50% \(and more than 100 deaths\), "
            r"e\.g\. US, Cocaine \(T40\.5\), 12 months ending 2015-01: 5,496 -> 10,992"
        ),
    ):
        run(project, fake.url)
    assert trees(project) == before
    fake.rows = original
    fake.rows[0]["data_value"] = str(int(fake.rows[0]["data_value"]) + 150)  # +2.7%: an ordinary revision
    assert run(project, fake.url).updated


# == 2. Silent overflow =========================================================================
@pytest.mark.parametrize("field", ["data_value", "predicted_value"])
def test_an_overflowing_count_from_the_server_is_refused(project, fake, field):
    fake.rows[5][field] = "99999999999999999999"
    before = trees(project)
    with pytest.raises(refresh.RefreshError, match=rf"record 6, field {field}: above the ceiling of 10,000,000 deaths"):
        run(project, fake.url)
    assert trees(project) == before


def test_an_overflowing_count_in_the_raw_file_stops_the_build(project, capsys):
    tamper(project, "cdc_vsrr.csv", lambda b: b.replace(b'"5,496"', b"99999999999999999999", 1))
    before = trees(project)
    code, _, err = cli(project, "build", capsys=capsys)
    assert code == 1
    assert "data/raw/cdc_vsrr.csv, line 2, field data_value: above the ceiling of 10,000,000 deaths" in err
    assert trees(project) == before
    assert b"-9223372036854775808" not in b"".join(trees(project)["processed"].values())


def test_an_overflowing_ledger_count_is_a_ledger_error_not_a_traceback(project, capsys):
    tamper(
        project,
        "strikes.csv",
        lambda b: b.replace(
            b"S001,2025-09-02,2025-09-02,Caribbean,1,11,",
            b"S001,2025-09-02,2025-09-02,Caribbean,1,99999999999999999999,",
            1,
        ),
    )
    before = trees(project)
    code, _, err = cli(project, "build", capsys=capsys)
    assert code == 1
    assert "strikes.csv: line 2, field 'killed', value '99999999999999999999': above the ceiling of 1,000" in err
    assert "OverflowError" not in err
    assert trees(project) == before


# == 3. All or nothing: crashes at every step of every swap ======================================
def _record_steps(action) -> list[str]:
    seen: list[str] = []
    atomic.crash_hook = seen.append
    try:
        action()
    finally:
        atomic.crash_hook = None
    return seen


def _killed_at(step_index: int, action) -> None:
    """Run ``action`` in a forked child that SIGKILLs itself at the ``step_index``-th step."""
    pid = os.fork()
    if pid == 0:  # the child: no cleanup of any kind runs after the kill
        try:
            calls = {"n": 0}

            def hook(step):
                if calls["n"] == step_index:
                    os.kill(os.getpid(), signal.SIGKILL)
                calls["n"] += 1

            atomic.crash_hook = hook
            action()
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
        f"child was not killed at step {step_index}"
    )


def _raised_at(step_index: int, action) -> None:
    calls = {"n": 0}

    def hook(step):
        if calls["n"] == step_index:
            raise RuntimeError(f"injected failure at {step}")
        calls["n"] += 1

    atomic.crash_hook = hook
    try:
        with pytest.raises(RuntimeError, match="injected failure"):
            action()
    finally:
        atomic.crash_hook = None


def _fresh(base: Path, target: Path):
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(base, target, symlinks=True)
    return project_paths(target)


def _smaller_tallies(paths):
    """A valid change of the raw data that changes the build output: the first tally removed."""

    def drop_first_row(data):
        header_end = data.find(b"\n") + 1
        return data[:header_end] + data[data.find(b"\n", header_end) + 1 :]

    tamper(paths, "tallies.csv", drop_first_row, fix_rows=True)


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two renames"])
def test_build_killed_or_failing_at_any_step_leaves_processed_old_or_new(tmp_path, monkeypatch, exchange):
    base = copy_project(tmp_path / "base")
    build.build(base)
    _smaller_tallies(base)
    old = snapshot_bytes(base.processed)
    if not exchange:
        monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    clone = _fresh(base.root, tmp_path / "clone")
    steps = _record_steps(lambda: build.build(clone))
    new = snapshot_bytes(clone.processed)
    assert new != old and any(step.startswith("dir:") for step in steps)
    for index, step in enumerate(steps):
        for crash in (_killed_at, _raised_at):
            paths = _fresh(base.root, tmp_path / "run")
            crash(index, lambda paths=paths: build.build(paths))
            state = snapshot_bytes(paths.processed) if paths.processed.exists() else None
            if state is not None:
                assert state in (old, new), f"{crash.__name__} at {step}: data/processed/ is mixed"
            with lock.project_lock(paths, "next start"):  # recovery and cleanup
                pass
            assert snapshot_bytes(paths.processed) in (old, new), f"{crash.__name__} at {step}: not recovered"
            assert temporaries(paths) == [], f"{crash.__name__} at {step}: left {temporaries(paths)}"


def _new_pair(tmp_path, fake):
    """Bytes of the snapshot and manifest after a fetch, and the manifest entry to install them."""
    clone = copy_project(tmp_path / "fetched")
    run(clone, fake.url)
    entry = {k: v for k, v in manifest.entry("cdc_vsrr.csv", clone).items() if k not in ("sha256", "rows")}
    return snapshot_bytes(clone.raw), entry


def _swap(paths, new_raw, entry):
    staged = atomic.temp_path(paths.raw / "cdc_vsrr.csv", "staged")
    staged.write_bytes(new_raw["cdc_vsrr.csv"])
    try:
        manifest.replace_snapshot("cdc_vsrr.csv", staged, entry, paths)
    finally:
        staged.unlink(missing_ok=True)  # as refresh.refresh does


def test_snapshot_and_manifest_swap_killed_at_any_step_leaves_the_old_or_the_new_pair(tmp_path, fake, capsys):
    base = copy_project(tmp_path / "base")
    old = snapshot_bytes(base.raw)
    new, entry = _new_pair(tmp_path, fake)
    assert new["cdc_vsrr.csv"] != old["cdc_vsrr.csv"] and new["MANIFEST.json"] != old["MANIFEST.json"]
    probe = _fresh(base.root, tmp_path / "probe")
    steps = _record_steps(lambda: _swap(probe, new, entry))
    assert snapshot_bytes(probe.raw) == new
    assert "together:journal" in steps and "together:replaced:cdc_vsrr.csv" in steps
    outcomes = set()
    for index, step in enumerate(steps):
        paths = _fresh(base.root, tmp_path / "run")
        _killed_at(index, lambda paths=paths: _swap(paths, new, entry))
        if atomic.pending(paths.raw):  # the crash fell after the commit point: readers must refuse
            with pytest.raises(
                manifest.ManifestError, match=r"was interrupted and not finished; run `python -m analysis verify`"
            ):
                cdc.load_national(paths)
        code, out, err = cli(paths, "verify", capsys=capsys)
        assert code == 0, err
        state = snapshot_bytes(paths.raw)
        assert state in (old, new), f"killed at {step}: data/raw/ holds a mixed pair"
        pair = "new" if state == new else "old"
        outcomes.add(pair)
        sha = manifest.sha256_of(paths.raw / "cdc_vsrr.csv")
        assert f"ok  data/raw/cdc_vsrr.csv  sha256 {sha[:12]}" in out  # verify shows which pair is in place
        assert temporaries(paths) == []
        if pair == "new" and index < len(steps) - 1 and step.startswith("together:"):
            assert "completed an interrupted update of cdc_vsrr.csv and MANIFEST.json" in err
    assert outcomes == {"old", "new"}


def test_snapshot_and_manifest_swap_failing_at_any_step_leaves_the_old_pair(tmp_path, fake):
    base = copy_project(tmp_path / "base")
    old = snapshot_bytes(base.raw)
    new, entry = _new_pair(tmp_path, fake)
    steps = _record_steps(lambda: _swap(_fresh(base.root, tmp_path / "probe"), new, entry))
    for index, step in enumerate(steps):
        paths = _fresh(base.root, tmp_path / "run")
        _raised_at(index, lambda paths=paths: _swap(paths, new, entry))
        assert snapshot_bytes(paths.raw) == old, f"failure at {step} did not leave the old pair"
        assert temporaries(paths) == []


def test_an_interrupted_fetch_leaves_nothing_git_would_pick_up(tmp_path, project, fake, api_rows):
    """Killed while writing the staged snapshot: the next start removes it; git ignores it meanwhile."""
    before = snapshot_bytes(project.raw)
    real_open = refresh._open_staging

    class DiesMidWrite:
        def __init__(self, handle):
            self.handle, self.left = handle, 50_000

        def write(self, text):
            self.left -= len(text)
            if self.left < 0:
                self.handle.flush()
                os.kill(os.getpid(), signal.SIGKILL)
            return self.handle.write(text)

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    def stage():
        refresh._open_staging = lambda path: DiesMidWrite(real_open(path))
        refresh.stage_snapshot(api_rows, project)

    _killed_at(10**9, stage)  # the writer kills the child, not a swap step
    left = [p for p in project.raw.iterdir() if p.name.startswith(".")]
    assert left and all(atomic.is_temporary(p) for p in left)
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *[f"data/raw/{p.name}" for p in left]],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ignored.returncode == 0 and len(ignored.stdout.split()) == len(left)
    with lock.project_lock(project, "next start"):
        pass
    assert snapshot_bytes(project.raw) == before


def test_stale_temporaries_of_any_crashed_run_are_removed_at_the_next_start_and_ignored_by_git(project, capsys):
    (project.root / "notebooks").mkdir()
    leftovers = [
        "data/raw/.cdc_vsrr.csv.k3j2h1.staged",  # names of the previous version
        "data/raw/.cdc_vsrr.csv.x9y8z7.bak",
        "data/raw/.MANIFEST.json.q1w2e3.tmp",
        "data/processed/.staging-abc123/cdc_national.csv",
        ".reports-staging-abc/index.html",
        ".reports-old-def/index.html",
        "data/raw/.MANIFEST.json.atomic-0badf00d.tmp",  # this version's
        "data/.processed.atomic-12345678.staging/cdc_national.csv",
        "notebooks/.03_maritime_strikes.ipynb.atomic-deadbeef.tmp",
        ".reports.atomic-cafe0001.staging/index.html",
    ]
    before = trees(project)
    for name in leftovers:
        (project.root / name).parent.mkdir(parents=True, exist_ok=True)
        (project.root / name).write_text("left by a crash", encoding="utf-8")
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *leftovers, ".overdose.lock", ".overdose.lock.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert sorted(ignored.stdout.split()) == sorted(leftovers + [".overdose.lock", ".overdose.lock.json"])
    code, _, err = cli(project, "verify", capsys=capsys)
    assert code == 0 and "removed 10 temporary file(s) a crashed run left" in err
    assert temporaries(project) == []
    assert trees(project) == before


def test_a_full_disk_while_writing_a_notebook_leaves_it_intact(tmp_path, monkeypatch, capsys):
    import nbformat

    paths = copy_report_project(tmp_path / "project", [ROOT / "notebooks" / "03_maritime_strikes.ipynb"])
    notebook = paths.notebooks / "03_maritime_strikes.ipynb"
    before = notebook.read_bytes()
    os.chmod(notebook, 0o640)

    def executed(path, _paths, **_):  # stands in for the kernel: the outputs change
        nb = nbformat.read(path, as_version=4)
        nb.cells[0].source += "\n"
        return nb, report.NotebookTiming(notebook=path.name)

    written = {"n": 0}

    def disk_full(handle, chunk):
        written["n"] += len(chunk)
        handle.write(chunk[:1000])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(report, "execute_notebook", executed)
    monkeypatch.setattr(atomic, "_write_chunk", disk_full)
    code, _, err = cli(paths, "notebooks", capsys=capsys)
    assert code == 1 and "No space left on device" in err
    assert notebook.read_bytes() == before and json.loads(before)
    assert temporaries(paths) == []
    monkeypatch.setattr(atomic, "_write_chunk", lambda handle, chunk: handle.write(chunk))
    assert cli(paths, "notebooks", capsys=capsys)[0] == 0
    assert notebook.read_bytes() != before and json.loads(notebook.read_bytes())
    assert oct(os.stat(notebook).st_mode & 0o777) == oct(0o640)  # the mode is kept


# == 4. Mixed releases: one lock, and the report's checksums ======================================
HOLDER = """
import sys, time
from analysis.lock import project_lock
from analysis.paths import project_paths
with project_lock(project_paths(sys.argv[1]), sys.argv[2]):
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _hold(paths, command, seconds):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(paths.root), command, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_fetch_while_a_report_runs_stops_with_a_message_and_touches_nothing(project, fake, capsys):
    before = trees(project)
    holder = _hold(project, "report", 30)
    try:
        code = main(["--root", str(project.root), "--wait", "0.3", "fetch", "--base-url", fake.url])
        err = capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    assert f"fetch: waiting for `report` (pid {holder.pid}" in err
    assert "still holds the project lock" in err and "nothing was read or written" in err
    assert fake.log == [] and trees(project) == before


def test_the_second_command_waits_with_a_message_then_runs(project, capsys):
    holder = _hold(project, "fetch", 0.6)
    try:
        started = time.monotonic()
        code = main(["--root", str(project.root), "--wait", "20", "verify"])
        waited = time.monotonic() - started
    finally:
        holder.wait()
    out = capsys.readouterr()
    assert code == 0 and "ok  data/raw/cdc_vsrr.csv" in out.out
    assert "verify: waiting for `fetch`" in out.err and waited >= 0.2


def test_a_refresh_inside_a_locked_commands_kernel_stops_at_once(project, fake, monkeypatch):
    monkeypatch.setenv(lock.HELD_ENV, f"{os.getpid() + 1} report {project.root}")
    with pytest.raises(lock.LockBusy, match=r"`report` \(pid \d+\) is running .* may read data/ but not change it"):
        run(project, fake.url)
    assert fake.log == []


def test_the_report_refuses_to_finish_when_the_snapshots_change_under_it(tmp_path, monkeypatch):
    import nbformat

    paths = copy_report_project(
        tmp_path / "project", [FIXTURES / "02_ledger_table.ipynb"], [FIXTURES / "ledger_row.csv"]
    )

    def executed_while_data_changes(path, _paths, **_):
        claims = paths.raw / "claims.csv"
        claims.write_bytes(claims.read_bytes() + b"\n")  # e.g. a hand edit or a checkout meanwhile
        return nbformat.read(path, as_version=4), report.NotebookTiming(notebook=path.name)

    monkeypatch.setattr(report, "execute_notebook", executed_while_data_changes)
    with pytest.raises(report.ReportError, match=r"data/raw/ changed while the report was being built \(claims\.csv\)"):
        report.build_report(paths, built_on="2026-01-02", workers=1)
    assert not paths.reports.exists() and temporaries(paths) == []


def test_the_report_records_the_checksums_it_started_from(tmp_path, monkeypatch):
    import nbformat

    paths = copy_report_project(
        tmp_path / "project", [FIXTURES / "02_ledger_table.ipynb"], [FIXTURES / "ledger_row.csv"]
    )
    monkeypatch.setattr(
        report,
        "execute_notebook",
        lambda path, _p, **_: (nbformat.read(path, as_version=4), report.NotebookTiming(notebook=path.name)),
    )
    index = report.build_report(paths, built_on="2026-01-02", workers=1)
    recorded = json.loads((index.parent / "snapshots.json").read_text(encoding="utf-8"))["data/raw"]
    assert recorded == {p.name: manifest.sha256_of(p) for p in paths.raw.iterdir()}


# == 5. Bounded network work ====================================================================
def test_a_trickling_server_hits_the_request_deadline(project, fake):
    fake.fail("metadata", "trickle", chunk=2, seconds=0.05, times=None)  # ~36 s for the metadata alone
    before = trees(project)
    started = time.monotonic()
    with pytest.raises(
        SocrataError, match=r"api/views/xkb8-kh2a\.json: no complete answer within the 0\.5 s deadline for one request"
    ):
        run(project, fake.url, request_deadline=0.5)
    assert time.monotonic() - started < 2.5
    assert trees(project) == before


def test_a_silent_server_fails_within_the_deadline_not_attempts_times_timeout(project, fake):
    fake.fail("metadata", "delay", seconds=10, times=None)
    started = time.monotonic()
    with pytest.raises(SocrataError, match=r"failed with no usable response within the 1 s deadline for one request"):
        run(project, fake.url, request_deadline=1.0, timeout=(1.0, 0.4), retries=5)  # 6 x 0.4 s without it
    assert time.monotonic() - started < 1.9


def test_the_default_deadlines_fail_a_dead_server_within_about_a_minute():
    from analysis import socrata

    assert socrata.DEFAULT_REQUEST_DEADLINE <= 60
    assert socrata.DEFAULT_TIMEOUT[1] < socrata.DEFAULT_REQUEST_DEADLINE
    assert socrata.DEFAULT_FETCH_DEADLINE is not None and socrata.DEFAULT_MAX_RESPONSE_BYTES <= 128 * 1024 * 1024


def test_a_whole_fetch_has_its_own_deadline(project, fake):
    fake.fail("rows", "delay", seconds=0.35, times=None)
    with pytest.raises(SocrataError, match=r"deadline for the whole fetch|the whole fetch passed its 0\.6 s deadline"):
        run(project, fake.url, fetch_deadline=0.6, request_deadline=5.0, timeout=(1.0, 2.0))


def test_a_retry_after_longer_than_the_deadline_is_not_waited_out(project, fake):
    fake.fail("count", "status", status=429, headers={"Retry-After": "30"}, times=None, body=b'{"error": "slow down"}')
    started = time.monotonic()
    with pytest.raises(SocrataError, match=r"count%28%2A%29"):
        run(project, fake.url, request_deadline=1.0, retries=3)
    assert time.monotonic() - started < 2.5


def test_a_200_mb_response_is_refused_while_streaming_without_reading_it_into_memory(project, fake):
    fake.fail("rows", "huge", size=200 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(SocrataError) as caught:
            run(project, fake.url, max_response_bytes=1 << 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    assert "the response is larger than the ceiling of 1,048,576 bytes for one response" in message
    assert "paging returned" not in message
    assert peak < 32 * 1024 * 1024


def test_a_declared_oversize_response_is_refused_before_reading(project, fake):
    fake.fail("rows", "huge", size=200 * 1024 * 1024, declare=True)
    with pytest.raises(
        SocrataError,
        match=r"declares 209,715,200 bytes, over the ceiling of 1,048,576 bytes for one response; not read",
    ):
        run(project, fake.url, max_response_bytes=1 << 20)


def test_a_gzip_bomb_is_refused_on_its_decoded_size(project, fake):
    fake.fail("rows", "gzip_bomb", size=100 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(
            SocrataError, match=r"larger than the ceiling of 1,048,576 bytes for one response \(decoded, gzip\)"
        ):
            run(project, fake.url, max_response_bytes=1 << 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1024 * 1024


# == 6. Bad input accepted or reported badly ====================================================
def _far_future(old: bytes, new: bytes):
    return lambda data: data.replace(old, new)


@pytest.mark.parametrize(
    "name, old, new, expected",
    [
        (
            "strikes.csv",
            b"S060,2026-06-22,2026-06-22",
            b"S060,2099-06-22,2099-06-22",
            r"strikes\.csv: 2 problems\n  .*line 61, field 'date', value '2099-06-22': "
            r"is after {limit}, the file's release or retrieval date",
        ),
        (
            "tallies.csv",
            b"2026-05-28,",
            b"2099-05-28,",
            r"tallies\.csv: line 57, field 'as_of', value '2099-05-28': is after {limit}",
        ),
        (
            "claims.csv",
            b"C001,2025-01-20,",
            b"C001,2099-01-20,",
            r"claims\.csv: line 2, field 'date', value '2099-01-20': is after {limit}",
        ),
        (
            "claims.csv",
            b"C001,2025-01-20,",
            b"C001,2099-01,",
            r"claims\.csv: line 2, field 'date', value '2099-01': is after {limit}",
        ),
    ],
    ids=["strike dated 2099", "tally dated 2099", "claim dated 2099", "claim dated 2099-01"],
)
def test_a_row_dated_after_its_release_is_refused(project, capsys, name, old, new, expected):
    assert old in (project.raw / name).read_bytes()
    limit = bounds.not_after(manifest.entry(name, project))  # the file's release or retrieval date
    expected = expected.replace("{limit}", limit.isoformat())
    tamper(project, name, _far_future(old, new))
    before = trees(project)
    code, _, err = cli(project, "build", capsys=capsys)
    assert code == 1
    import re

    assert re.search(expected, err), err
    assert trees(project) == before


def test_a_claim_rows_matching_error_names_its_file_and_line(project, capsys):
    tamper(
        project, "claims.csv", lambda b: b.replace(b"per year (vs '100' reported for 15 years)", b"in 2023 and 2024", 1)
    )
    code, _, err = cli(project, "build", capsys=capsys)
    assert code == 1
    assert (
        "data/raw/claims.csv, line 2: claim C001, field period, value 'in 2023 and 2024': names more than one year"
        in err
    )


def test_a_deleted_row_with_a_fixed_checksum_is_refused_by_its_row_count(project, capsys):
    rows = manifest.entry("tallies.csv", project)["rows"]
    tamper(project, "tallies.csv", lambda b: b[: b.rstrip(b"\n").rfind(b"\n") + 1])
    code, _, err = cli(project, "verify", capsys=capsys)
    assert code == 1
    assert f"tallies.csv: {rows - 1} rows, but the manifest records {rows} for it" in err


def test_an_invalid_utf8_byte_is_reported_by_line_and_column(project, capsys):
    def one_bad_byte(data):
        start = data.find(b"\n", 200_000) + 30
        return data[:start] + b"\xff" + data[start + 1 :]

    tamper(project, "cdc_vsrr.csv", one_bad_byte)
    code, _, err = cli(project, "build", capsys=capsys)
    assert code == 1 and "data/raw/cdc_vsrr.csv, line 1045, column 30: not UTF-8 text (byte 0xff)" in err


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[]", "expected {'format': 1, 'files': {...}}, got list []"),
        ('{"format": 1, "files": {"cdc_vsrr.csv": 7}}', "entry 'cdc_vsrr.csv' is int 7, not an object"),
        ('{"format": 1, "files": []}', "got dict"),
    ],
)
def test_a_malformed_manifest_is_an_error_not_a_traceback(project, capsys, text, expected):
    project.manifest.write_text(text, encoding="utf-8")
    for command in ("verify", "build"):
        code, _, err = cli(project, command, capsys=capsys)
        assert code == 1 and expected in err


@pytest.mark.parametrize(
    "value, expected",
    [
        (10**20, r"'rowsUpdatedAt' 100000000000000000000: in the future"),
        (-5, r"'rowsUpdatedAt' -5: before 2010-01-01"),
        ("1758110400", r"not an integer number of seconds"),
    ],
)
def test_an_implausible_rows_updated_at_is_refused(project, fake, capsys, value, expected):
    fake.metadata["rowsUpdatedAt"] = value
    before = trees(project)
    with pytest.raises(SocrataError, match=expected):
        run(project, fake.url)
    code, _, err = cli(project, "fetch", "--base-url", fake.url, capsys=capsys)
    assert code == 1 and "rowsUpdatedAt" in err
    assert trees(project) == before


def test_an_empty_ledger_stops_the_build_and_the_report_before_any_notebook(tmp_path, capsys):
    paths = copy_report_project(
        tmp_path / "project", [FIXTURES / "02_ledger_table.ipynb"], [FIXTURES / "ledger_row.csv"]
    )
    tamper(paths, "tallies.csv", lambda b: b[: b.find(b"\n") + 1], fix_rows=True)
    code, _, err = cli(paths, "build", capsys=capsys)
    assert code == 1 and "tallies.csv: line 2: no rows after the header" in err
    code, _, err = cli(paths, "report", capsys=capsys)
    assert code == 1 and "no notebook was run" in err and "tallies.csv: line 2: no rows after the header" in err


@pytest.mark.parametrize(
    "variable, value, command, expected",
    [
        ("SOURCE_DATE_EPOCH", "abc", "report", "$SOURCE_DATE_EPOCH is 'abc': it must be a whole number of seconds"),
        ("SOURCE_DATE_EPOCH", "99999999999999999999", "report", "$SOURCE_DATE_EPOCH is '99999999999999999999'"),
        (
            "CDC_APP_TOKEN",
            "abc def\n",
            "fetch",
            "$CDC_APP_TOKEN: the app token holds characters an HTTP header cannot carry",
        ),
    ],
)
def test_a_wrong_environment_variable_is_named(tmp_path, monkeypatch, capsys, variable, value, command, expected):
    paths = copy_report_project(
        tmp_path / "project", [FIXTURES / "02_ledger_table.ipynb"], [FIXTURES / "ledger_row.csv"]
    )
    monkeypatch.setenv(variable, value)
    extra = ["--base-url", "http://127.0.0.1:9"] if command == "fetch" else []
    code, _, err = cli(paths, command, *extra, capsys=capsys)
    assert code == 1 and expected in err
    if variable == "CDC_APP_TOKEN":
        assert "abc def" not in err


def test_a_wrong_project_root_variable_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OVERDOSE_PROJECT_ROOT", str(tmp_path / "nowhere"))
    code = main(["build"])
    err = capsys.readouterr().err
    assert code == 1 and f"$OVERDOSE_PROJECT_ROOT gives {tmp_path / 'nowhere'}, which holds no data/raw/ folder" in err


# == 7. Chart text is text ======================================================================
def test_a_dollar_sign_in_a_ledger_field_is_drawn_as_text(project):
    def dollars(data):
        data = data.replace(
            b"percent_reduction (unquantified: 'practically stopped completely' by water and sea)",
            b"percent_reduction (unquantified: 'paid $x^$ a kilo')",
            1,
        )
        return data

    tamper(project, "claims.csv", dollars)
    claims = ledgers.load("claims", project)
    charts.use_house_style()
    assert matplotlib.rcParams["text.parse_math"] is False
    fig = charts.flow_series_chart(compare.seaborne_flow_series(claims), "source with $5bn to $1bn")
    fig.canvas.draw()  # mathtext would raise on '$x^$'
    texts = [t for t in fig.findobj(matplotlib.text.Text) if "$" in t.get_text()]
    assert any("$x^$" in t.get_text() and "a kilo" in t.get_text() for t in texts)
    assert any("$5bn to $1bn" in t.get_text() for t in texts)
    assert all(t._preprocess_math(t.get_text()) == (t.get_text(), False) for t in texts)  # plain text
    matplotlib.pyplot.close(fig)


# == 8. Secrets and permissions =================================================================
@pytest.mark.parametrize("endpoint", ["metadata", "rows"], ids=["as a column name", "as a row value"])
def test_a_token_the_server_echoes_back_is_scrubbed_everywhere(project, fake, monkeypatch, capsys, caplog, endpoint):
    monkeypatch.setenv("CDC_APP_TOKEN", TOKEN)
    caplog.set_level(logging.DEBUG)
    fake.fail(endpoint, "echo", times=None)
    before = trees(project)
    code = main(["--root", str(project.root), "--wait", "1", "fetch", "--base-url", fake.url])
    out = capsys.readouterr()
    assert code == 1 and "[app token]" in out.err
    for text in (out.out, out.err, caplog.text):
        assert TOKEN not in text
    assert trees(project) == before


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_file_modes_are_kept_by_fetch_and_build(project, fake, mode):
    for name in ("cdc_vsrr.csv", "MANIFEST.json"):
        os.chmod(project.raw / name, mode)
    os.chmod(project.processed / "cdc_national.csv", mode)
    assert run(project, fake.url).updated
    build.build(project)
    for path in (project.raw / "cdc_vsrr.csv", project.manifest, project.processed / "cdc_national.csv"):
        assert oct(os.stat(path).st_mode & 0o777) == oct(mode), path.name
    assert oct(os.stat(project.processed).st_mode & 0o777) == oct(0o755)


# == 9. The same bounds on the files of the evidence release 2026-12 ============================
def _load_land(paths):
    return ledgers.load("land_operations", paths)


def _load_facts(paths):
    return ledgers.load("context_facts", paths)


def _load_calendar(paths):
    from analysis import releases

    return releases.load_releases(paths)


@pytest.mark.parametrize(
    "name, old, new, load, expected",
    [
        (
            "land_operations.csv",
            b"L02,2026-01-03,",
            b"L02,2099-01-03,",
            _load_land,
            "line 3, field 'date', value '2099-01-03': is after {limit}, the file's release or retrieval date",
        ),
        (
            "land_operations.csv",
            b",100,U.S. airstrikes",
            b",99999999999999999999,U.S. airstrikes",
            _load_land,
            "line 3, field 'killed', value '99999999999999999999': above the ceiling of 100,000",
        ),
        (
            "context_facts.csv",
            b"F01,fentanyl_route_ports_of_entry,93,",
            b"F01,fentanyl_route_ports_of_entry,1e99,",
            _load_facts,
            "line 2, field 'figure', value '1e99'",
        ),
        (
            "context_facts.csv",
            b"F01,fentanyl_route_ports_of_entry,93,",
            b"F01,fentanyl_route_ports_of_entry,99999999999999999999,",
            _load_facts,
            "line 2, field 'figure', value '99999999999999999999': above the ceiling of 10,000,000,000",
        ),
        (
            "cdc_releases.csv",
            b"2026-11,2026-11-11,2026-06",
            b"2026-11,2099-11-11,2026-06",
            _load_calendar,
            "field 'release_date', value '2099-11-11': is after {limit}, the file's release or retrieval date",
        ),
    ],
    ids=[
        "land operation dated 2099",
        "land operation killed overflow",
        "context figure not a number",
        "context figure overflow",
        "release calendar date 2099",
    ],
)
def test_the_bounds_hold_for_the_new_files(project, name, old, new, load, expected):
    assert old in (project.raw / name).read_bytes()
    limit = bounds.not_after(manifest.entry(name, project))
    tamper(project, name, lambda data: data.replace(old, new, 1))
    with pytest.raises(ledgers.LedgerError) as caught:
        load(project)
    assert expected.replace("{limit}", limit.isoformat()) in str(caught.value)


def test_an_older_cdc_snapshot_cannot_hold_periods_after_its_release(project):
    from analysis import vintages

    assert len(vintages.load_vintage("2019-07", project)) == 564
    data = manifest.load(project)
    data["files"]["cdc_vsrr_2019-07.csv"]["source_release"] = "2018-06"  # before its last period, 2018-11
    manifest.write(data, project)
    with pytest.raises(
        cdc.CDCSchemaError,
        match=r"cdc_vsrr_2019-07\.csv, field year/month: rows for the 12 months ending "
        r"2018-07, 2018-08, 2018-09, 2018-10 end after 2018-06-30",
    ):
        vintages.load_vintage("2019-07", project)


def test_kernels_started_by_a_locked_command_know_it_from_any_thread(project):
    from concurrent.futures import ThreadPoolExecutor

    assert lock.HELD_ENV not in report._kernel_env(project)
    with lock.project_lock(project, "report"), ThreadPoolExecutor(1) as pool:  # the report's worker threads
        env = pool.submit(report._kernel_env, project).result()
    assert env[lock.HELD_ENV] == f"{os.getpid()} report {project.root}"
    assert lock.HELD_ENV not in report._kernel_env(project)
