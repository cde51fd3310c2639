"""Tests for analysis.ledgers: the real ledgers load typed; each validation rule rejects one bad row.

Bad files are built in tmp_path from the real file with a single field (or the header) changed,
so each test shows one rule firing on otherwise valid data, and the error names file, line, field.
"""

from __future__ import annotations

import csv
import io
import shutil

import pandas as pd
import pytest

from analysis import ledgers
from analysis.ledgers import LedgerError
from analysis.manifest import ChecksumMismatch
from analysis.paths import project_paths

RAW = project_paths().raw


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _lines(name: str) -> list[str]:
    return (RAW / name).read_text(encoding="utf-8").splitlines(keepends=True)


def _render(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    return buffer.getvalue()


def edited(tmp_path, name: str, line: int, field: str, value: str):
    """Copy of data/raw/<name> with ``field`` of CSV line ``line`` (header = 1) set to ``value``."""
    lines = _lines(name)
    header = next(csv.reader([lines[0]]))
    fields = next(csv.reader([lines[line - 1]]))
    fields[header.index(field)] = value
    lines[line - 1] = _render(fields)
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def with_header(tmp_path, name: str, header: list[str], drop: str | None = None):
    """Copy of data/raw/<name> with a new header row; ``drop`` removes that column from every row."""
    lines = _lines(name)
    original = next(csv.reader([lines[0]]))
    out = [_render(header)]
    for text in lines[1:]:
        fields = next(csv.reader([text]))
        if drop is not None:
            del fields[original.index(drop)]
        out.append(_render(fields))
    path = tmp_path / name
    path.write_text("".join(out), encoding="utf-8")
    return path


def line_of(name: str, first_field: str) -> int:
    """CSV line number of the record whose first field is ``first_field``."""
    for number, text in enumerate(_lines(name), start=1):
        if text.startswith(first_field + ","):
            return number
    raise AssertionError(f"{first_field} not in {name}")


def assert_rejects(loader, path, line: int, field: str | None, value: str | None, words: str):
    with pytest.raises(LedgerError) as caught:
        loader(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"line {line}" in message
    if field is not None:
        assert f"field {field!r}" in message
    if value is not None:
        assert f"value {value!r}" in message
    assert words in message
    assert isinstance(caught.value, ValueError)
    return caught.value


# ---------------------------------------------------------------------------------------------
# the real files
# ---------------------------------------------------------------------------------------------


def test_real_files_load_with_their_row_counts(strikes, tallies, claims):
    # release 2026-12 (strikes and claims READMEs): 60 strike rows, 57 tallies, 117 claims rows
    assert len(strikes) == 60
    assert len(tallies) == 57
    assert len(claims) == 117
    assert list(strikes.columns) == list(ledgers.STRIKES_COLUMNS)
    assert list(tallies.columns) == list(ledgers.TALLIES_COLUMNS)
    assert list(claims.columns[: len(ledgers.CLAIMS_COLUMNS)]) == list(ledgers.CLAIMS_COLUMNS)


def test_verified_loaders_match_direct_loaders(strikes, tallies, claims):
    pd.testing.assert_frame_equal(ledgers.load_strikes_verified(), strikes)
    pd.testing.assert_frame_equal(ledgers.load("tallies"), tallies)
    pd.testing.assert_frame_equal(ledgers.load_claims_verified(), claims)


def test_verified_loader_refuses_a_file_that_no_longer_matches_the_manifest(tmp_path):
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    for name in ("MANIFEST.json", "strikes.csv", "tallies.csv", "claims.csv"):
        shutil.copy2(RAW / name, raw / name)
    paths = project_paths(tmp_path)
    assert len(ledgers.load_strikes_verified(paths)) == 60
    (raw / "strikes.csv").write_text(
        (RAW / "strikes.csv").read_text(encoding="utf-8").replace(",11,0,0,Trump", ",12,0,0,Trump"),
        encoding="utf-8",
    )
    with pytest.raises(ChecksumMismatch):
        ledgers.load_strikes_verified(paths)


def test_unknown_ledger_name_is_refused():
    with pytest.raises(ValueError, match="unknown ledger 'boats'"):
        ledgers.load("boats")


def test_strike_types_and_blanks_stay_missing(strikes):
    assert str(strikes["vessels"].dtype) == "Int64"
    assert str(strikes["survivors"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(strikes["date"])
    assert pd.api.types.is_datetime64_any_dtype(strikes["announced_date"])
    # 13 rows report no survivor figure either way, 15 no never-found figure: NA, not 0.
    assert int(strikes["survivors"].isna().sum()) == 13
    assert int(strikes["survivors_not_found"].isna().sum()) == 15
    s042 = strikes.set_index("strike_id").loc["S042"]
    assert pd.isna(s042["survivors"]) and pd.isna(s042["survivors_not_found"])
    s054 = strikes.set_index("strike_id").loc["S054"]
    assert s054["survivors"] == 1 and pd.isna(s054["survivors_not_found"])
    assert strikes["date"].iloc[0] == pd.Timestamp("2025-09-02")
    assert strikes["announced_date"].max() == pd.Timestamp("2026-06-22")


def test_strike_totals_from_the_readme(strikes):
    assert int(strikes["vessels"].sum()) == 63
    assert int(strikes["killed"].sum()) == 188
    assert int(strikes["survivors"].sum()) == 24  # sum of reported values; blanks stay NA
    assert int(strikes["survivors_not_found"].sum()) == 14
    by_theater = strikes.groupby("theater").agg(
        rows=("strike_id", "size"), vessels=("vessels", "sum"), killed=("killed", "sum")
    )
    assert by_theater.loc["Eastern Pacific"].tolist() == [42, 45, 121]
    assert by_theater.loc["Caribbean"].tolist() == [16, 16, 62]
    assert by_theater.loc["Unknown"].tolist() == [2, 2, 5]


def test_tally_types_and_blanks(tallies):
    assert pd.api.types.is_datetime64_any_dtype(tallies["as_of"])
    assert str(tallies["strikes"].dtype) == "Int64"
    assert int(tallies["strikes"].isna().sum()) == 21
    assert int(tallies["survivors"].isna().sum()) == 51
    assert int(tallies["killed"].isna().sum()) == 0
    # the last tally of release 2026-06 (AP, 28 May 2026), then the one added after the ledger's end
    assert tallies["killed"].iloc[-2] == 199
    last = tallies.iloc[-1]
    assert (last["as_of"], last["killed"], last["source_kind"]) == (pd.Timestamp("2026-09-20"), 230, "headline_only")
    assert int(tallies["notes"].notna().sum()) == 11


def test_claim_derived_columns(claims):
    by_id = claims.set_index("claim_id")
    # README: 98 administration claims (C001-C098) and 19 counter-figures (CF01-CF19)
    assert (claims["kind"] == "claim").sum() == 98
    assert (claims["kind"] == "counter_figure").sum() == 19
    assert str(claims["value_low"].dtype) == "Float64"
    assert by_id.loc["C001", ["value_low", "value_high"]].tolist() == [250000, 300000]
    # dates: 101 full days, 13 month-only, 3 blank (C042, CF09 and, in release 2026-12, CF08)
    assert claims["date_precision"].value_counts().to_dict() == {"day": 101, "month": 13, "none": 3}
    assert set(claims.loc[claims["date_precision"] == "none", "claim_id"]) == {"C042", "CF08", "CF09"}
    assert by_id.loc["C076", "date"] == "2026-03"
    assert by_id.loc["C076", "date_precision"] == "month"
    assert by_id.loc["C076", "date_value"] == pd.Timestamp("2026-03-01")
    assert pd.isna(by_id.loc["C042", "date"]) and pd.isna(by_id.loc["C042", "date_value"])
    assert by_id.loc["C042", "date_precision"] == "none"
    # units: base, qualifier, quantified; unquantified rows keep blank values as NA
    assert int((~claims["quantified"]).sum()) == 11
    assert claims.loc[~claims["quantified"], "value_low"].isna().all()
    assert claims.loc[claims["quantified"], ["value_low", "value_high"]].notna().all().all()
    assert set(claims["unit_base"]) <= set(ledgers.CLAIM_BASE_UNITS)


@pytest.mark.parametrize(
    "unit, base, qualifier, quantified",
    [
        ("lives_per_boat", "lives_per_boat", None, True),
        (
            "deaths_per_year (unquantified: 'tens of thousands')",
            "deaths_per_year",
            "unquantified: 'tens of thousands'",
            False,
        ),
        ("deaths (unquantified, cumulative)", "deaths", "unquantified, cumulative", False),
        ("deaths (cumulative); vessels >=40", "deaths", "cumulative; vessels >=40", True),
        ("comparison (no number)", "comparison", "no number", False),
        ("vessels destroyed (cumulative)", "vessels destroyed", "cumulative", True),
        (
            "lives_per_boat (potential deaths from one boat's cargo)",
            "lives_per_boat",
            "potential deaths from one boat's cargo",
            True,
        ),
    ],
)
def test_split_unit(unit, base, qualifier, quantified):
    assert ledgers.split_unit(unit) == (base, qualifier)
    assert ledgers.is_quantified(qualifier) is quantified


def test_split_unit_refuses_an_unclosed_parenthesis():
    with pytest.raises(ValueError, match="unbalanced"):
        ledgers.split_unit("deaths (cumulative")


# ---------------------------------------------------------------------------------------------
# header rules (all three files share the code; exercised on each)
# ---------------------------------------------------------------------------------------------


def test_header_missing_column_is_named(tmp_path):
    header = [c for c in ledgers.STRIKES_COLUMNS if c != "notes"]
    path = with_header(tmp_path, "strikes.csv", header, drop="notes")
    assert_rejects(ledgers.load_strikes, path, 1, None, None, "header lacks column(s) notes")


def test_header_unknown_column_is_named(tmp_path):
    header = list(ledgers.TALLIES_COLUMNS)
    header[header.index("publisher")] = "outlet"
    path = with_header(tmp_path, "tallies.csv", header)
    error = assert_rejects(ledgers.load_tallies, path, 1, None, None, "unknown column(s) outlet")
    assert "lacks column(s) publisher" in str(error)


def test_header_out_of_order_is_refused(tmp_path):
    header = list(ledgers.CLAIMS_COLUMNS)
    header[7], header[8] = header[8], header[7]
    path = with_header(tmp_path, "claims.csv", header)
    assert_rejects(ledgers.load_claims, path, 1, None, None, "out of order")


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "tallies.csv"
    path.write_text("", encoding="utf-8")
    assert_rejects(ledgers.load_tallies, path, 1, None, None, "empty")


def test_row_with_wrong_number_of_fields(tmp_path):
    lines = _lines("tallies.csv")
    lines[4] = lines[4].rstrip("\n") + ",extra\n"
    path = tmp_path / "tallies.csv"
    path.write_text("".join(lines), encoding="utf-8")
    assert_rejects(ledgers.load_tallies, path, 5, None, None, "has 10 fields, the header has 9")


def test_blank_line_is_not_skipped(tmp_path):
    lines = _lines("tallies.csv")
    lines.insert(3, "\n")
    path = tmp_path / "tallies.csv"
    path.write_text("".join(lines), encoding="utf-8")
    assert_rejects(ledgers.load_tallies, path, 4, None, None, "empty line")


# ---------------------------------------------------------------------------------------------
# strikes.csv rules
# ---------------------------------------------------------------------------------------------

S010 = line_of("strikes.csv", "S010")


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("strike_id", "S10", "not an id of the form Snnn"),
        ("strike_id", "S009", "duplicate id (first on line 10)"),
        ("date", "2025-10-32", "not a valid calendar date"),
        ("date", "10/24/2025", "not a date in YYYY-MM-DD form"),
        ("announced_date", "", "is blank but required"),
        ("theater", "Atlantic", "not one of Caribbean, Eastern Pacific, Unknown"),
        ("theater", "caribbean", "not one of"),
        ("announced_by", "Rubio", "not one of Trump, Hegseth, SOUTHCOM"),
        ("vessels", "1.0", "not a whole non-negative number"),
        ("vessels", "0", "at least 1 vessel"),
        ("killed", "-2", "not a whole non-negative number"),
        ("killed", "", "is blank but required"),
        ("killed", " 6", "leading or trailing whitespace"),
        ("survivors", "two", "not a whole non-negative number"),
        ("notes", "", "is blank but required"),
        ("source_url", "", "is blank but required"),
        ("source_url", "www.cbsnews.com/news/x", "not an http(s) URL"),
        ("source_url", "ftp://example.org/x", "not an http(s) URL"),
    ],
)
def test_strike_field_rules(tmp_path, field, value, words):
    path = edited(tmp_path, "strikes.csv", S010, field, value)
    assert_rejects(ledgers.load_strikes, path, S010, field, value, words)


def test_strike_announced_before_it_happened(tmp_path):
    path = edited(tmp_path, "strikes.csv", S010, "announced_date", "2025-10-20")
    assert_rejects(ledgers.load_strikes, path, S010, "announced_date", "2025-10-20", "before the strike date")


def test_strike_never_found_exceeds_survivors(tmp_path):
    line = line_of("strikes.csv", "S013")  # 1 survivor, 1 never found
    path = edited(tmp_path, "strikes.csv", line, "survivors_not_found", "2")
    assert_rejects(ledgers.load_strikes, path, line, "survivors_not_found", "2", "exceeds survivors (1)")


def test_strike_never_found_without_survivors(tmp_path):
    line = line_of("strikes.csv", "S042")  # both survivor fields blank
    path = edited(tmp_path, "strikes.csv", line, "survivors_not_found", "0")
    assert_rejects(ledgers.load_strikes, path, line, "survivors_not_found", "0", "survivors is blank")


def test_strike_rows_out_of_date_order(tmp_path):
    path = edited(tmp_path, "strikes.csv", S010, "date", "2025-09-01")
    error = assert_rejects(ledgers.load_strikes, path, S010, "date", "2025-09-01", "strike ids run in date order")
    assert "previous row S009" in str(error)


def test_all_problems_of_a_file_are_reported_together(tmp_path):
    path = edited(tmp_path, "strikes.csv", S010, "theater", "Atlantic")
    line = line_of("strikes.csv", "S020")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = next(csv.reader([lines[line - 1]]))
    fields[5] = "many"
    lines[line - 1] = _render(fields)
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        ledgers.load_strikes(path)
    problems = caught.value.problems
    assert [(p.line, p.field, p.value) for p in problems] == [
        (S010, "theater", "Atlantic"),
        (line, "killed", "many"),
    ]
    assert str(caught.value).startswith(f"{path}: 2 problems")


def test_line_numbers_count_newlines_inside_quoted_fields(tmp_path):
    lines = _lines("strikes.csv")
    fields = next(csv.reader([lines[1]]))
    fields[9] = "first line of a note\nsecond line\nthird line"
    lines[1] = _render(fields)  # record 1 now spans CSV lines 2-4
    path = tmp_path / "strikes.csv"
    path.write_text("".join(lines), encoding="utf-8")
    loaded = ledgers.load_strikes(path)
    assert loaded["notes"].iloc[0].count("\n") == 2  # kept as written
    fields = next(csv.reader([lines[S010 - 1]]))  # same record, now on file line S010 + 2
    assert fields[0] == "S010"
    fields[3] = "Atlantic"
    lines[S010 - 1] = _render(fields)
    path.write_text("".join(lines), encoding="utf-8")
    assert_rejects(ledgers.load_strikes, path, S010 + 2, "theater", "Atlantic", "not one of")


# ---------------------------------------------------------------------------------------------
# tallies.csv rules
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("as_of", "2025-11-31", "not a valid calendar date"),
        ("as_of", "", "is blank but required"),
        ("strikes", "about 20", "not a whole non-negative number"),
        ("killed", "", "is blank but required"),
        ("killed", "1,000", "not a whole non-negative number"),
        ("survivors", "-1", "not a whole non-negative number"),
        ("publisher", "", "is blank but required"),
        ("source_url", "https://", "not an http(s) URL"),
    ],
)
def test_tally_field_rules(tmp_path, field, value, words):
    path = edited(tmp_path, "tallies.csv", 12, field, value)
    assert_rejects(ledgers.load_tallies, path, 12, field, value, words)


# ---------------------------------------------------------------------------------------------
# claims.csv rules
# ---------------------------------------------------------------------------------------------

C001 = line_of("claims.csv", "C001")  # 250000-300000 deaths_per_year
C042 = line_of("claims.csv", "C042")  # blank date
CF01 = line_of("claims.csv", "CF01")
UNQUANTIFIED = next(
    number for number, text in enumerate(_lines("claims.csv"), start=1) if "(unquantified: 'tens of thousands')" in text
)


@pytest.mark.parametrize(
    "line, field, value, words",
    [
        (C001, "claim_id", "C1", "not an id of the form Cnnn or CFnn"),
        (C001, "claim_id", "CF001", "not an id of the form Cnnn or CFnn"),
        (C001, "claim_id", "C014", "duplicate id"),
        (C001, "date", "2025-13", "not a valid month"),
        (C001, "date", "2025-02-29", "not a valid calendar date"),
        (C001, "date", "20 Jan 2025", "not a date in YYYY-MM-DD or YYYY-MM form"),
        (C001, "topic", "overdoses", "not one of overdose_deaths_per_year"),
        (C001, "speaker", "", "is blank but required"),
        (C001, "value_low", "250,000", "not a non-negative number"),
        (C001, "value_low", "", "is blank but the unit 'deaths_per_year' is quantified"),
        (C001, "value_high", "200000", "is below value_low (250000)"),
        (C001, "unit", "deaths per year", "base unit 'deaths per year' is not one of"),
        (C001, "unit", "deaths_per_year (2024", "unbalanced parenthesis"),
        (C001, "role", "Counter-figure: President", "must not begin with 'Counter-figure:'"),
        (CF01, "role", "Federal statistical agency", "must begin with 'Counter-figure:'"),
        (UNQUANTIFIED, "value_low", "10000", "must be blank: the unit"),
        (C042, "source_url", "", "is blank but required"),
        (C042, "source_url", "intermati.com/forum", "not an http(s) URL"),
    ],
)
def test_claim_field_rules(tmp_path, line, field, value, words):
    path = edited(tmp_path, "claims.csv", line, field, value)
    assert_rejects(ledgers.load_claims, path, line, field, value, words)


def test_claim_decimal_values_are_kept_as_written(tmp_path):
    lines = _lines("claims.csv")
    fields = next(csv.reader([lines[C001 - 1]]))
    fields[7:9] = ["86.9", "86.9"]
    lines[C001 - 1] = _render(fields)
    path = tmp_path / "claims.csv"
    path.write_text("".join(lines), encoding="utf-8")
    loaded = ledgers.load_claims(path).set_index("claim_id")
    assert loaded.loc["C001", "value_low"] == 86.9


def test_malformed_quoting_is_refused_with_its_line(tmp_path):
    lines = _lines("tallies.csv")
    line = next(n for n, text in enumerate(lines, start=1) if ",Stars and Stripes," in text)
    lines[line - 1] = lines[line - 1].replace(",Stars and Stripes,", ',"Stars and" Stripes,')
    path = tmp_path / "tallies.csv"
    path.write_text("".join(lines), encoding="utf-8")
    assert_rejects(ledgers.load_tallies, path, line, None, None, "malformed CSV")


def test_non_utf8_bytes_are_refused_with_their_line(tmp_path):
    data = (RAW / "tallies.csv").read_bytes()
    line = data[: data.index(b"MercoPress")].count(b"\n") + 1
    path = tmp_path / "tallies.csv"
    path.write_bytes(data.replace(b"MercoPress", b"Merc\xf6Press"))
    assert_rejects(ledgers.load_tallies, path, line, None, None, "not UTF-8 text (byte 0xf6)")


# ---------------------------------------------------------------------------------------------
# release 2026-12: originator and source_kind (every ledger), tallies' notes, the two new files
# ---------------------------------------------------------------------------------------------

SOURCED = {
    "strikes.csv": ledgers.load_strikes,
    "tallies.csv": ledgers.load_tallies,
    "claims.csv": ledgers.load_claims,
    "context_facts.csv": ledgers.load_context_facts,
    "land_operations.csv": ledgers.load_land_operations,
}


@pytest.mark.parametrize("name", sorted(SOURCED))
def test_every_row_names_an_originator_and_a_known_source_kind(name):
    frame = SOURCED[name](RAW / name)
    assert frame["originator"].notna().all() and (frame["originator"].str.strip() != "").all()
    assert set(frame["source_kind"]) <= set(ledgers.SOURCE_KINDS)


@pytest.mark.parametrize("name", sorted(SOURCED))
@pytest.mark.parametrize(
    "field, value, words",
    [
        ("originator", "", "is blank but required"),
        ("source_kind", "", "is blank but required"),
        ("source_kind", "newspaper", "not one of primary, transcript, wire"),
        ("source_kind", "Wire", "not one of"),
    ],
)
def test_originator_and_source_kind_rules(tmp_path, name, field, value, words):
    path = edited(tmp_path, name, 2, field, value)
    assert_rejects(SOURCED[name], path, 2, field, value, words)


def test_source_kind_vocabulary_is_the_readmes():
    assert ledgers.SOURCE_KINDS == (
        "primary",
        "transcript",
        "wire",
        "national",
        "factcheck",
        "tracker",
        "regional",
        "copy",
        "aggregator",
        "state_media",
        "blog",
        "forum",
        "headline_only",
    )


def test_tally_notes_are_optional_text(tallies):
    corrected = tallies[tallies["notes"].fillna("").str.startswith("as_of corrected")]
    assert corrected["as_of"].tolist() == [pd.Timestamp("2026-01-26")]
    assert pd.isna(tallies["notes"].iloc[0])


def test_context_facts_load_typed():
    facts = ledgers.load_context_facts(RAW / "context_facts.csv")
    assert len(facts) == 23  # claims README, release 2026-12
    assert list(facts.columns) == list(ledgers.CONTEXT_FACTS_COLUMNS)
    assert str(facts["figure"].dtype) == "Float64"
    by_id = facts.set_index("fact_id")
    assert by_id.loc["F01", "figure"] == 93
    # a fact with no number: blank figure (NA, never 0) and a unit that says so
    assert pd.isna(by_id.loc["F08", "figure"]) and by_id.loc["F08", "unit"].startswith("(no figure)")
    assert facts["figure"].isna().sum() == facts["unit"].str.startswith("(no figure)").sum() == 7


FACT_F01 = line_of("context_facts.csv", "F01")
FACT_F08 = line_of("context_facts.csv", "F08")


@pytest.mark.parametrize(
    "line, field, value, words",
    [
        (FACT_F01, "fact_id", "F1", "not an id of the form Fnn"),
        (FACT_F01, "fact_id", "F08", "duplicate id"),
        (FACT_F01, "topic", "Fentanyl route", "not a lower-case snake_case name"),
        (FACT_F01, "figure", "93%", "not a non-negative number"),
        (FACT_F01, "figure", "", "is blank but the unit does not begin with '(no figure)'"),
        (FACT_F08, "figure", "12", "must be blank: the unit begins with '(no figure)'"),
        (FACT_F01, "unit", "", "is blank but required"),
        (FACT_F01, "period", "", "is blank but required"),
        (FACT_F01, "quote", "", "is blank but required"),
        (FACT_F01, "source_url", "www.example.org", "not an http(s) URL"),
    ],
)
def test_context_fact_field_rules(tmp_path, line, field, value, words):
    path = edited(tmp_path, "context_facts.csv", line, field, value)
    assert_rejects(ledgers.load_context_facts, path, line, field, value, words)


def test_land_operations_load_typed():
    land = ledgers.load_land_operations(RAW / "land_operations.csv")
    assert len(land) == 5  # strikes README, release 2026-12
    assert list(land.columns) == list(ledgers.LAND_OPERATIONS_COLUMNS)
    assert pd.api.types.is_datetime64_any_dtype(land["date"])
    assert str(land["killed"].dtype) == "Int64"
    by_id = land.set_index("operation_id")
    # L01 (the dock strike): no page gives a date or a toll; both stay missing, never 0
    assert pd.isna(by_id.loc["L01", "date"]) and pd.isna(by_id.loc["L01", "killed"])
    # L02 (Caracas raid): the toll as the cited page gives it (Venezuela's interior minister)
    assert by_id.loc["L02", "killed"] == 100 and by_id.loc["L02", "date"] == pd.Timestamp("2026-01-03")
    assert sorted(land["country"].unique()) == ["Ecuador", "Mexico", "Venezuela"]


LAND_L02 = line_of("land_operations.csv", "L02")


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("operation_id", "L2", "not an id of the form Lnn"),
        ("operation_id", "L01", "duplicate id"),
        ("date", "2026-01-32", "not a valid calendar date"),
        ("date", "Jan 2026", "not a date in YYYY-MM-DD form"),
        ("country", "", "is blank but required"),
        ("killed", "about 100", "not a whole non-negative number"),
        ("killed", " 100", "leading or trailing whitespace"),
        ("us_role", "", "is blank but required"),
        ("source_url", "ftp://example.org/x", "not an http(s) URL"),
    ],
)
def test_land_operation_field_rules(tmp_path, field, value, words):
    path = edited(tmp_path, "land_operations.csv", LAND_L02, field, value)
    assert_rejects(ledgers.load_land_operations, path, LAND_L02, field, value, words)


@pytest.mark.parametrize("name", ["context_facts", "land_operations"])
def test_new_ledgers_load_through_the_manifest(name):
    frame = ledgers.load(name)
    assert len(frame) == {"context_facts": 23, "land_operations": 5}[name]
