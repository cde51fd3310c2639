"""Tests for `python -m analysis snapshot`: refusal leaves data/raw/ byte-identical; success swaps file and entry."""

from __future__ import annotations

import json

import pytest

from analysis import atomic, ledgers, manifest, snapshot
from analysis.__main__ import main, parser
from helpers import ROOT, copy_project, snapshot_bytes

CHANGELOG = "# Changelog\n\nIntro.\n\n## 2026-12-02\n- Evidence release 2026-12.\n\n## 2026-11-23\n- First release.\n"


@pytest.fixture
def project(tmp_path):
    paths = copy_project(tmp_path / "project", processed=False)
    (paths.root / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    return paths


def _new_strikes(tmp_path, edit=None):
    """The committed strike ledger plus one new row (S061), optionally edited."""
    text = (ROOT / "data" / "raw" / "strikes.csv").read_text(encoding="utf-8")
    row = (
        "S061,2026-06-25,2026-06-26,Caribbean,1,3,0,0,SOUTHCOM,Test row.,"
        "https://www.example.org/s061,CBS News,national\n"
    )
    if edit:
        row = edit(row)
    path = tmp_path / "strikes_new.csv"
    path.write_text(text + row, encoding="utf-8")
    return path


def _run(paths, *args):
    return main(["--root", str(paths.root), "snapshot", str(paths.raw / "strikes.csv"), *args])


def test_success_swaps_file_and_manifest_entry_and_adds_the_changelog_line(project, tmp_path, capsys):
    new = _new_strikes(tmp_path)
    before = manifest.entry("strikes.csv", project)
    assert (
        _run(project, "--from", str(new), "--release", "2027-01", "--note", "S061 added", "--date", "2027-01-15") == 0
    )
    out = capsys.readouterr().out
    assert (project.raw / "strikes.csv").read_bytes() == new.read_bytes()
    after = manifest.entry("strikes.csv", project)
    assert after["sha256"] == manifest.sha256_of(new) != before["sha256"]
    assert (after["rows"], after["source_release"], after["retrieved"]) == (61, "2027-01", "2027-01-15")
    assert after["title"] == before["title"] and after["method"] == before["method"]
    assert after["distinct_row_sources"] == before["distinct_row_sources"] + 1
    assert manifest.verify_all(project)  # every checksum still matches
    assert len(ledgers.load_strikes_verified(project)) == 61
    line = f"- `strikes.csv`: release 2027-01 (61 rows, was 60; sha256 {after['sha256'][:12]}): S061 added"
    assert line in out
    changelog = (project.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog\n\nIntro.\n\n## 2027-01-15\n" + line + "\n\n## 2026-12-02\n")
    # nothing else in data/raw/ changed, no temporary file left behind
    assert sorted(p.name for p in project.raw.iterdir()) == sorted(p.name for p in (ROOT / "data" / "raw").iterdir())


def test_a_second_release_the_same_day_goes_under_the_same_heading(project, tmp_path):
    snapshot.add_to_changelog(project.root / "CHANGELOG.md", "- first", "2026-12-02")
    text = (project.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## 2026-12-02\n- Evidence release 2026-12.\n- first\n\n## 2026-11-23" in text


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda row: row.replace(",Caribbean,", ",Atlantic,"), "field 'theater', value 'Atlantic': not one of"),
        (
            lambda row: row.replace(",CBS News,national", ",CBS News,newspaper"),
            "field 'source_kind', value 'newspaper'",
        ),
        (
            lambda row: row.replace(",CBS News,national", ",,national"),
            "field 'originator', value '': is blank but required",
        ),
        (lambda row: row.replace("2026-06-25,2026-06-26", "2026-06-25,2026-06-24"), "is before the strike date"),
        (lambda row: row.replace("S061", "S060"), "duplicate id"),
    ],
)
def test_refusal_names_line_and_field_and_leaves_everything_byte_identical(project, tmp_path, capsys, edit, words):
    new = _new_strikes(tmp_path, edit)
    before = snapshot_bytes(project.root)
    assert _run(project, "--from", str(new), "--release", "2027-01", "--note", "x") == 1
    err = capsys.readouterr().err
    assert str(new) in err and "line 62" in err and words in err
    assert snapshot_bytes(project.root) == before


@pytest.mark.parametrize(
    "args, words",
    [
        (["--release", "2027-13", "--note", "x"], "expected YYYY-MM"),
        (["--release", "27-01", "--note", "x"], "expected YYYY-MM"),
        (["--release", "2027-01", "--note", "  "], "--note is empty"),
        (["--release", "2027-01", "--note", "x", "--date", "15 Jan 2027"], "expected YYYY-MM-DD"),
        (["--release", "2027-01", "--note", "x", "--from", "/nonexistent/strikes.csv"], "no such file"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_read(project, capsys, args, words):
    before = snapshot_bytes(project.root)
    assert _run(project, *args) == 1
    assert words in capsys.readouterr().err
    assert snapshot_bytes(project.root) == before


def test_files_it_does_not_register(project, capsys, tmp_path):
    assert (
        main(
            [
                "--root",
                str(project.root),
                "snapshot",
                str(project.raw / "cdc_vsrr.csv"),
                "--release",
                "2026-01",
                "--note",
                "x",
            ]
        )
        == 1
    )
    assert "python -m analysis fetch" in capsys.readouterr().err
    other = tmp_path / "strikes.csv"
    other.write_text("x", encoding="utf-8")
    assert main(["--root", str(project.root), "snapshot", str(other), "--release", "2026-01", "--note", "x"]) == 1
    assert "a snapshot lives in" in capsys.readouterr().err
    manifest_data = json.loads(project.manifest.read_text(encoding="utf-8"))
    del manifest_data["files"]["land_operations.csv"]
    project.manifest.write_text(manifest.dumps(manifest_data), encoding="utf-8")
    assert (
        main(
            [
                "--root",
                str(project.root),
                "snapshot",
                str(project.raw / "land_operations.csv"),
                "--release",
                "2026-12",
                "--note",
                "x",
            ]
        )
        == 1
    )
    assert "no entry for 'land_operations.csv'" in capsys.readouterr().err


def test_in_place_file_is_validated_and_registered(project, tmp_path, capsys):
    new = _new_strikes(tmp_path)
    (project.raw / "strikes.csv").write_bytes(new.read_bytes())
    assert _run(project, "--release", "2027-01", "--note", "S061 added", "--no-changelog") == 0
    assert manifest.entry("strikes.csv", project)["sha256"] == manifest.sha256_of(new)
    assert "add it to CHANGELOG.md" in capsys.readouterr().out
    assert (project.root / "CHANGELOG.md").read_text(encoding="utf-8") == CHANGELOG


def test_an_unchanged_file_writes_nothing(project, capsys):
    before = snapshot_bytes(project.root)
    release = manifest.entry("strikes.csv", project)["source_release"]
    assert _run(project, "--release", release, "--note", "again") == 0
    assert "unchanged" in capsys.readouterr().out
    assert snapshot_bytes(project.root) == before


def test_a_failing_manifest_write_restores_the_old_snapshot(project, tmp_path, monkeypatch):
    new = _new_strikes(tmp_path)
    before = snapshot_bytes(project.root)

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    real_stage = atomic.stage_bytes

    def fail_for_the_manifest(target, data, **options):  # the manifest's staged copy cannot be written
        if target.name == "MANIFEST.json":
            fail()
        return real_stage(target, data, **options)

    monkeypatch.setattr(atomic, "stage_bytes", fail_for_the_manifest)
    with pytest.raises(OSError, match="disk full"):
        snapshot.register(project.raw / "strikes.csv", "2027-01", "x", source=new, paths=project)
    assert snapshot_bytes(project.root) == before


def test_release_calendar_goes_through_its_own_loader(project, tmp_path, capsys):
    text = (ROOT / "data" / "raw" / "cdc_releases.csv").read_text(encoding="utf-8")
    bad = tmp_path / "cdc_releases.csv"
    bad.write_text(text.replace("2025-10,,,none", "2025-10,2025-10-08,,none"), encoding="utf-8")
    assert (
        main(
            [
                "--root",
                str(project.root),
                "snapshot",
                str(project.raw / "cdc_releases.csv"),
                "--from",
                str(bad),
                "--release",
                "2027-01",
                "--note",
                "x",
            ]
        )
        == 1
    )
    assert "field 'release_date', value '2025-10-08': must be blank: basis is none" in capsys.readouterr().err


def test_help_explains_the_command():
    sub = parser()._subparsers._group_actions[0].choices["snapshot"]
    text = sub.format_help()
    for words in ("--release", "--note", "--from", "byte-identical", "atomically", "CHANGELOG"):
        assert words in text
