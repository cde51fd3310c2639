"""Provenance: the manifest describes every raw file, and a changed file is refused."""

from __future__ import annotations

import json

import pytest

from analysis import atomic, manifest
from helpers import ROOT, copy_project, snapshot_bytes


def test_every_raw_file_is_described_and_matches():
    names = manifest.verify_all()
    on_disk = sorted(p.name for p in (ROOT / "data" / "raw").iterdir() if p.name != "MANIFEST.json")
    assert names == on_disk


def test_entries_record_rows_and_sources():
    files = manifest.load()["files"]
    for name, item in files.items():
        assert item["rows"] == manifest.count_csv_records(ROOT / "data" / "raw" / name)
        assert item["method"] in manifest.METHODS
        if item["method"] == "compiled":
            assert item["row_source_column"] == "source_url"
        else:
            assert item["source_urls"] and all(url.startswith("https://") for url in item["source_urls"])
    assert files["cdc_vsrr.csv"]["rows"] == 1488
    assert files["cdc_vsrr.csv"]["dataset_id"] == "xkb8-kh2a"


def test_changed_file_is_refused_with_a_remedy(tmp_path):
    paths = copy_project(tmp_path)
    target = paths.raw / "strikes.csv"
    target.write_bytes(target.read_bytes().replace(b",11,", b",12,", 1))
    with pytest.raises(manifest.ChecksumMismatch) as error:
        manifest.verified_path("strikes.csv", paths)
    message = str(error.value)
    assert "strikes.csv" in message and "does not match" in message
    assert "git checkout -- data/raw/strikes.csv" in message
    # A compiled ledger is renewed with the snapshot command, a CDC file with fetch.
    assert "python -m analysis snapshot data/raw/strikes.csv --release" in message
    assert "analysis fetch" not in message
    cdc_file = paths.raw / "cdc_vsrr.csv"
    cdc_file.write_bytes(cdc_file.read_bytes() + b"\n")
    with pytest.raises(manifest.ChecksumMismatch, match=r"newer CDC release use `python -m analysis fetch`"):
        manifest.verified_path("cdc_vsrr.csv", paths)


def test_missing_file_manifest_or_entry(tmp_path):
    paths = copy_project(tmp_path)
    (paths.raw / "tallies.csv").unlink()
    with pytest.raises(manifest.ManifestError, match="tallies.csv: listed in the manifest but missing"):
        manifest.verified_path("tallies.csv", paths)
    with pytest.raises(manifest.ManifestError, match="no entry for 'other.csv'"):
        manifest.entry("other.csv", paths)
    paths.manifest.write_text("{not json", encoding="utf-8")
    with pytest.raises(manifest.ManifestError, match="not valid JSON"):
        manifest.load(paths)
    paths.manifest.unlink()
    with pytest.raises(manifest.ManifestError, match="no manifest"):
        manifest.load(paths)


def test_malformed_entry(tmp_path):
    paths = copy_project(tmp_path)
    data = json.loads(paths.manifest.read_text())
    del data["files"]["claims.csv"]["sha256"]
    data["files"]["strikes.csv"]["method"] = "guessed"
    paths.manifest.write_text(json.dumps(data))
    with pytest.raises(manifest.ManifestError, match="lacks sha256|has method 'guessed'"):
        manifest.load(paths)


def test_dumps_is_deterministic():
    data = manifest.load()
    assert manifest.dumps(data) == manifest.dumps(json.loads(manifest.dumps(data)))
    assert (ROOT / "data" / "raw" / "MANIFEST.json").read_text(encoding="utf-8") == manifest.dumps(data)


def test_replace_snapshot_updates_file_and_entry(tmp_path):
    paths = copy_project(tmp_path)
    staged = paths.raw / ".staged.csv"
    staged.write_text("as_of,strikes\n2026-01-01,1\n", encoding="utf-8")
    entry = dict(manifest.entry("tallies.csv", paths), source_release="2026-07")
    manifest.replace_snapshot("tallies.csv", staged, entry, paths)
    new = manifest.entry("tallies.csv", paths)
    assert new["rows"] == 1 and new["source_release"] == "2026-07"
    assert new["sha256"] == manifest.sha256_of(paths.raw / "tallies.csv")
    assert not staged.exists()
    manifest.verify_all(paths)


def test_replace_snapshot_rolls_back_when_manifest_write_fails(tmp_path, monkeypatch):
    paths = copy_project(tmp_path)
    before = snapshot_bytes(paths.raw)
    staged = paths.raw / ".staged.csv"
    staged.write_text("as_of,strikes\n2026-01-01,1\n", encoding="utf-8")

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "_write_chunk", disk_full)  # the manifest's staged copy cannot be written
    with pytest.raises(OSError, match="No space left"):
        manifest.replace_snapshot("tallies.csv", staged, manifest.entry("tallies.csv", paths), paths)
    after = snapshot_bytes(paths.raw)
    after.pop(".staged.csv", None)
    before.pop(".staged.csv", None)
    assert after == before


def test_source_lines_name_release_address_and_checksum():
    lines = manifest.source_lines(["cdc_vsrr.csv", "strikes.csv"])
    item = manifest.entry("cdc_vsrr.csv")
    assert lines[0].startswith("cdc_vsrr.csv: VSRR Provisional Drug Overdose Death Counts")
    assert f"  release: {item['source_release']}; retrieved {item['retrieved']}; rows 1488" in lines
    assert f"  sha256 (data/raw/MANIFEST.json): {item['sha256']}" in lines
    assert "  address: compiled; each row cites its page (source_url)" in lines
    assert len(lines) == 10
