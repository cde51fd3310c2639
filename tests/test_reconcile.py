"""Tests for analysis.reconcile: ledger running totals, month x theater, and the tally reconciliation.

The expected reconciliation is the table "Ledger vs. published tallies" of
shared/data/strikes/README.md, copied verbatim below (its numbers were worked out by the ledger's
compiler, independently of this code). Every row is checked.

Release 2026-12 corrected two things the table (still as in release 2026-06) does not yet show, so
the two affected rows below are re-derived by hand from the README's own rows:
- S020 was announced on 13 Nov 2025, not 12 Nov: on 12 Nov the ledger holds what it held on
  10 Nov (the BNO row: 19 rows, 20 vessels, 75 announced, 76 presumed), so NYT's 80 is +5 / +4.
- SOUTHCOM's 126 is as of 26 Jan 2026, not 6 Feb: the ledger then holds what it held on 24 Jan
  (the CNN row: 34, 37, 116, 126), so 126 is +10 / +0, as the README's text says ("equals the
  ledger's 116 announced / 126 +presumed"); the row moves before the Guardian's 5 Feb row.
The tally added after the ledger's end (HNGN, 20 Sep 2026) is not reconciled (see the coverage tests).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import ledgers, reconcile

# as_of | pub strikes killed | ledger rows vessels announced +presumed | diff(pub-ann) diff(pub-presumed) | publisher
README_TABLE = """
2025-10-15 |   5   27 |   5   5   27   27 |   +0   +0 | Newsday (Trinidad & Tobago)
2025-10-18 |   6   29 |   6   6   29   29 |   +0   +0 | Task & Purpose (archived by Airwars)
2025-10-19 |   7   32 |   7   7   32   32 |   +0   +0 | Antiwar.com
2025-10-22 |   8   34 |   9   9   37   37 |   -3   -3 | Associated Press (via Business Standard)
2025-10-23 |   9   37 |   9   9   37   37 |   +0   +0 | MercoPress
2025-10-24 |  10   46 |  10  10   43   43 |   +3   +3 | Associated Press (via Local News Wave)
2025-10-28 |  13   57 |  13  14   57   58 |   +0   -1 | Stars and Stripes
2025-10-29 |  14   61 |  14  15   61   62 |   +0   -1 | CNN (via KEYT)
2025-11-02 |  15   64 |  15  16   64   65 |   +0   -1 | CNN timeline (via KVIA)
2025-11-04 |  16   67 |  16  17   66   67 |   +1   +0 | CNN (cited by Newsmax/Union Herald)
2025-11-06 |  16   66 |  17  18   69   70 |   -3   -4 | Military Times list (copy)
2025-11-06 |  16   67 |  17  18   69   70 |   -2   -3 | Just Security timeline overview
2025-11-10 |  19   72 |  19  20   75   76 |   -3   -4 | BNO News
2025-11-12 |  20   80 |  19  20   75   76 |   +5   +4 | New York Times list (via DNYUZ)
2025-11-13 |  20   80 |  20  21   79   80 |   +1   +0 | CNN (via VI Free Press)
2025-11-16 |  21   82 |  21  22   82   83 |   +0   -1 | Anadolu Agency (via A News)
2025-11-16 |       82 |  21  22   82   83 |   +0   -1 | Fox News
2025-11-16 |       83 |  21  22   82   83 |   +1   +0 | BNO News (22 vessels)
2025-12-04 |  22   87 |  22  23   86   87 |   +1   +0 | Global News
2025-12-06 |  22   87 |  22  23   86   87 |   +1   +0 | CiberCuba chronology (23 boats)
2025-12-16 |       95 |  25  26   94   95 |   +1   +0 | Voz (26 boats)
2025-12-17 |  26   99 |  26  27   98   99 |   +1   +0 | ABC News (via WDBO)
2025-12-19 |  26  104 |  28  29  103  104 |   +1   +0 | UPI
2025-12-23 |      105 |  29  30  104  105 |   +1   +0 | AzerNews
2025-12-29 |  30  107 |  30  31  106  107 |   +1   +0 | Particle News summary
2026-01-01 |  34  115 |  33  36  114  123 |   +1   -8 | ABC News (via K105.3)
2026-01-01 |  35  115 |  33  36  114  123 |   +1   -8 | Xinhua (via SunStar; 35 vessels sunk)
2026-01-02 |  35  117 |  33  36  114  123 |   +3   -6 | The Intercept (copy)
2026-01-07 |  35  123 |  33  36  114  123 |   +9   +0 | SOUTHCOM figure given to The Intercept (copy; 36 boats; 114 killed in strikes + 9 presumed dead)
2026-01-24 |      117 |  34  37  116  126 |   +1   -9 | CNN timeline (copy by CRBC News; 37 boats)
2026-01-26 |  36  126 |  34  37  116  126 |  +10   +0 | SOUTHCOM figure of late January cited by AP (via PerthNow; 116 killed in strikes + 10 presumed dead; predates the 5 Feb strike)
2026-02-05 |      128 |  35  38  118  128 |  +10   +0 | The Guardian (headline feed copy)
2026-02-09 |  38  130 |  36  39  120  131 |  +10   -1 | ABC News (via The Pulse of NH)
2026-02-09 |  37  121 |  36  39  120  131 |   +1  -10 | Eyekon Radio (media tallies)
2026-02-15 |      124 |  37  40  123  134 |   +1  -10 | Antiwar.com count (40 boats)
2026-02-15 |      130 |  37  40  123  134 |   +7   -4 | Airwars (cited by Antiwar.com; includes presumed dead)
2026-02-17 |  40  144 |  40  43  134  145 |  +10   -1 | Anadolu Agency (via A News)
2026-02-17 |  41  144 |  40  43  134  145 |  +10   -1 | Fox News (cited by Breitbart)
2026-02-20 |  43  147 |  41  44  137  148 |  +10   -1 | NewsFinale
2026-02-21 |  43  148 |  41  44  137  148 |  +11   +0 | Al Jazeera
2026-02-21 |      148 |  41  44  137  148 |  +11   +0 | CNN timeline (copy; 44 boats; as_of inferred, see README)
2026-02-23 |  44  150 |  42  45  140  151 |  +10   -1 | News.az (wire-based)
2026-02-24 |      148 |  42  45  140  151 |   +8   -3 | Anadolu Agency (via A News)
2026-02-28 |  44  150 |  42  45  140  151 |  +10   -1 | New York Times (via DNYUZ)
2026-03-08 |  45  157 |  43  46  146  157 |  +11   +0 | Associated Press (cited by Breitbart)
2026-03-08 |  45  156 |  43  46  146  157 |  +10   -1 | New York Times (cited by Fox News)
2026-04-12 |      168 |  46  49  153  165 |  +15   +3 | CBS News (mirror)
2026-04-12 |      168 |  46  49  153  165 |  +15   +3 | Associated Press (via eFinder summary)
2026-04-13 |      170 |  47  50  155  167 |  +15   +3 | CBS News (mirror)
2026-04-14 |      175 |  48  51  159  171 |  +16   +4 | CBS News (mirror)
2026-04-15 |      178 |  49  52  162  174 |  +16   +4 | CBS News (mirror; at least 53 vessels)
2026-04-19 |      181 |  50  53  165  177 |  +16   +4 | Associated Press (via Manila Bulletin)
2026-05-04 |      188 |  52  55  169  181 |  +19   +7 | Associated Press (via eFinder summary)
2026-05-08 |      193 |  54  57  174  186 |  +19   +7 | Associated Press (via eFinder summary)
2026-05-18 |      193 |  54  57  174  186 |  +19   +7 | Pentagon figure reported with DoD IG probe (59 vessels; via eFinder)
2026-05-28 |      199 |  56  59  177  191 |  +22   +8 | Associated Press (cited by Prism News)
"""  # noqa: E501 (the strikes README's table, copied as printed)


def _readme_rows() -> list[dict]:
    rows = []
    for text in README_TABLE.strip().splitlines():
        as_of, published, ledger, differences, publisher = (part.strip() for part in text.split("|"))
        published = published.split()
        pub_strikes = int(published[0]) if len(published) == 2 else None
        rows_, vessels, announced, presumed = (int(v) for v in ledger.split())
        diff, diff_presumed = (int(v) for v in differences.split())
        rows.append(
            {
                "as_of": pd.Timestamp(as_of),
                "published_strikes": pub_strikes,
                "published_killed": int(published[-1]),
                "ledger_strikes": rows_,
                "ledger_vessels": vessels,
                "ledger_killed": announced,
                "ledger_killed_presumed": presumed,
                "difference": diff,
                "difference_presumed": diff_presumed,
                "publisher": publisher,
            }
        )
    return rows


README_ROWS = _readme_rows()


@pytest.fixture(scope="module")
def reconciled(strikes, tallies):
    return reconcile.reconcile_tallies(strikes, tallies)


def write_strikes(tmp_path, rows: list[str]):
    """A small strikes ledger (validated by the real loader) from 'id,date,announced,theater,
    vessels,killed,survivors,not_found' strings."""
    header = ",".join(ledgers.STRIKES_COLUMNS)
    lines = [header]
    for row in rows:
        lines.append(f"{row},SOUTHCOM,note,https://example.org/{row.split(',')[0]},SOUTHCOM,primary")
    path = tmp_path / "strikes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ledgers.load_strikes(path)


# ---------------------------------------------------------------------------------------------
# reconciliation against the README
# ---------------------------------------------------------------------------------------------


def test_readme_table_was_copied_whole():
    assert len(README_ROWS) == 56


def test_ledger_coverage_is_its_first_and_last_strike_date(strikes):
    assert reconcile.coverage(strikes) == (pd.Timestamp("2025-09-02"), pd.Timestamp("2026-06-22"))
    with pytest.raises(ValueError, match="empty"):
        reconcile.coverage(strikes.iloc[:0])


def test_tallies_after_the_ledgers_end_are_not_reconciled(strikes, tallies, reconciled):
    after = reconcile.after_ledger_end(strikes, tallies)
    # strikes README, release 2026-12: one tally after the end, HNGN's headline of 2026-09-20
    assert after["as_of"].tolist() == [pd.Timestamp("2026-09-20")]
    assert after["source_kind"].tolist() == ["headline_only"]
    assert len(reconciled) + len(after) == len(tallies)
    assert reconciled["as_of"].max() <= pd.Timestamp("2026-06-22")


def test_a_tally_on_the_ledgers_last_day_is_still_reconciled(strikes, tallies):
    last_day = tallies.iloc[[-1]].assign(as_of=pd.Timestamp("2026-06-22"))
    assert len(reconcile.reconcile_tallies(strikes, last_day)) == 1
    assert reconcile.after_ledger_end(strikes, last_day).empty


def test_reconciliation_columns_and_types(reconciled):
    assert list(reconciled.columns) == list(reconcile.RECONCILIATION_COLUMNS)
    assert len(reconciled) == 56
    for column in ("published_strikes", "ledger_strikes", "difference", "difference_presumed"):
        assert str(reconciled[column].dtype) == "Int64"
    assert reconciled["source_url"].notna().all()


@pytest.mark.parametrize("index", range(56))
def test_reconciliation_reproduces_every_readme_row(reconciled, index):
    expected = README_ROWS[index]
    row = reconciled.iloc[index]
    assert row["as_of"] == expected["as_of"]
    assert row["publisher"] == expected["publisher"]
    for column in (
        "published_killed",
        "ledger_strikes",
        "ledger_vessels",
        "ledger_killed",
        "ledger_killed_presumed",
        "difference",
        "difference_presumed",
    ):
        assert row[column] == expected[column], column
    if expected["published_strikes"] is None:
        assert pd.isna(row["published_strikes"]) and pd.isna(row["strikes_difference"])
    else:
        assert row["published_strikes"] == expected["published_strikes"]
        assert row["strikes_difference"] == expected["published_strikes"] - expected["ledger_strikes"]


def test_named_readme_checkpoints(reconciled):
    by_key = reconciled.set_index(["as_of", "published_killed"])
    ledger = ["ledger_strikes", "ledger_vessels", "ledger_killed", "ledger_killed_presumed"]
    southcom = by_key.loc[(pd.Timestamp("2026-01-07"), 123)]
    assert southcom[ledger].tolist() == [33, 36, 114, 123]
    ap = by_key.loc[(pd.Timestamp("2026-05-28"), 199)]
    assert ap[ledger].tolist() == [56, 59, 177, 191]
    assert ap["difference"] == 22 and ap["difference_presumed"] == 8


def test_readings_of_known_rows(reconciled):
    keys = zip(reconciled["as_of"].dt.strftime("%Y-%m-%d"), reconciled["publisher"], strict=True)
    reading = dict(zip(keys, reconciled["reading"], strict=True))
    assert reading[("2025-10-15", "Newsday (Trinidad & Tobago)")] == reconcile.MATCHES_ANNOUNCED
    assert reading[("2025-10-28", "Stars and Stripes")] == reconcile.MATCHES_ANNOUNCED
    assert reading[("2025-11-04", "CNN (cited by Newsmax/Union Herald)")] == reconcile.MATCHES_PRESUMED
    assert reading[("2025-10-22", "Associated Press (via Business Standard)")] == reconcile.BELOW
    assert reading[("2025-10-24", "Associated Press (via Local News Wave)")] == reconcile.ABOVE
    assert reading[("2026-01-01", "ABC News (via K105.3)")] == reconcile.BETWEEN
    assert reading[("2026-05-28", "Associated Press (cited by Prism News)")] == reconcile.ABOVE
    assert set(reconciled["reading"]) == set(reconcile.READINGS)


def test_reading_of_every_readme_row(reconciled):
    # Categories of the README's two difference columns, counted by hand from the table:
    # 9 rows at +0 announced; 16 more at +0 presumed; 15 strictly between (+ announced,
    # - presumed); 12 above even the presumed total; 4 below the announced total.
    # (Release 2026-12 moved NYT's 12 Nov row from "presumed" to "above" and SOUTHCOM's 126 from
    # "between" to "presumed".)
    expected = []
    for row in README_ROWS:
        diff, diff_presumed = row["difference"], row["difference_presumed"]
        if diff == 0:
            expected.append(reconcile.MATCHES_ANNOUNCED)
        elif diff_presumed == 0:
            expected.append(reconcile.MATCHES_PRESUMED)
        elif diff < 0:
            expected.append(reconcile.BELOW)
        elif diff_presumed > 0:
            expected.append(reconcile.ABOVE)
        else:
            expected.append(reconcile.BETWEEN)
    assert reconciled["reading"].tolist() == expected
    assert reconciled["reading"].value_counts().to_dict() == {
        reconcile.MATCHES_ANNOUNCED: 9,
        reconcile.MATCHES_PRESUMED: 16,
        reconcile.BETWEEN: 15,
        reconcile.ABOVE: 12,
        reconcile.BELOW: 4,
    }


@pytest.mark.parametrize(
    "difference, presumed, reading",
    [
        (0, 0, reconcile.MATCHES_ANNOUNCED),
        (0, -1, reconcile.MATCHES_ANNOUNCED),
        (1, 0, reconcile.MATCHES_PRESUMED),
        (1, -8, reconcile.BETWEEN),
        (3, 3, reconcile.ABOVE),
        (15, 3, reconcile.ABOVE),
        (-3, -4, reconcile.BELOW),
        (-1, -1, reconcile.BELOW),
    ],
)
def test_explain_difference_rules(difference, presumed, reading):
    assert reconcile.explain_difference(difference, presumed) == reading


def test_explain_difference_refuses_impossible_or_blank_input():
    with pytest.raises(ValueError, match="cannot exceed"):
        reconcile.explain_difference(0, 1)
    with pytest.raises(ValueError, match="blank"):
        reconcile.explain_difference(pd.NA, 0)


# ---------------------------------------------------------------------------------------------
# totals at a date (by announcement)
# ---------------------------------------------------------------------------------------------


def test_totals_count_by_announcement_date_inclusive(strikes):
    # S006 happened 2025-10-16 but was announced 2025-10-18
    before = reconcile.ledger_totals_at(strikes, "2025-10-17")
    on = reconcile.ledger_totals_at(strikes, "2025-10-18")
    assert (before.rows, before.killed) == (5, 27)
    assert (on.rows, on.killed, on.survivors) == (6, 29, 2)
    # S013's never-found survivor is credited on its announcement (2025-10-28), not its date
    assert reconcile.ledger_totals_at(strikes, "2025-10-27").killed_presumed == 43
    assert reconcile.ledger_totals_at(strikes, pd.Timestamp("2025-10-28")).killed_presumed == 58
    assert reconcile.ledger_totals_at(strikes, "2025-09-01").rows == 0


def test_whole_ledger_totals_match_the_readme(strikes):
    totals = reconcile.ledger_totals_at(strikes, "2026-12-31")
    assert totals.rows == 60
    assert totals.vessels == 63
    assert totals.killed == 188
    assert totals.survivors_not_found == 14
    assert totals.killed_presumed == 202
    assert totals.survivors_reported == 24
    assert totals.survivors_fate_unreported == 7  # 8 May: 1; 22 Jun: 6
    assert totals.survivors_unreported_rows == 13
    assert pd.isna(totals.survivors)  # 13 rows give no survivor figure: total unknown
    assert totals.as_dict()["killed"] == 188


# ---------------------------------------------------------------------------------------------
# cumulative by strike date
# ---------------------------------------------------------------------------------------------


def test_cumulative_arithmetic_and_gaps(tmp_path):
    small = write_strikes(
        tmp_path,
        [
            "S001,2025-09-02,2025-09-02,Caribbean,1,11,0,0",
            "S002,2025-09-15,2025-09-16,Caribbean,2,3,2,1",
            "S003,2025-09-15,2025-09-15,Eastern Pacific,1,4,,",
            "S004,2025-10-01,2025-10-01,Eastern Pacific,1,2,3,",
        ],
    )
    cumulative = reconcile.strikes_cumulative(small)
    dates = cumulative["date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2025-09-02", "2025-09-15", "2025-10-01"]
    assert cumulative["strikes"].tolist() == [1, 3, 4]
    assert cumulative["vessels"].tolist() == [1, 4, 5]
    assert cumulative["killed"].tolist() == [11, 18, 20]
    # the blank on 15 Sept makes the total unknown from then on; what is known stays visible
    assert cumulative["survivors"].iloc[0] == 0
    assert cumulative["survivors"].iloc[1:].isna().all()
    assert cumulative["survivors_reported"].tolist() == [0, 2, 5]
    assert cumulative["survivors_unreported_rows"].tolist() == [0, 1, 1]
    assert cumulative["survivors_not_found"].tolist() == [0, 1, 1]
    assert cumulative["survivors_fate_unreported"].tolist() == [0, 0, 3]
    assert cumulative["killed_presumed"].tolist() == [11, 19, 21]


def test_cumulative_on_the_real_ledger(strikes):
    cumulative = reconcile.strikes_cumulative(strikes)
    assert len(cumulative) == 50  # distinct strike dates
    last = cumulative.iloc[-1]
    assert last[["strikes", "vessels", "killed", "killed_presumed"]].tolist() == [60, 63, 188, 202]
    assert cumulative["strikes"].is_monotonic_increasing
    # survivors are known for every row up to 20 Feb 2026, then S042 (23 Feb) leaves a gap
    known = cumulative[cumulative["date"] <= "2026-02-20"]
    assert known["survivors"].notna().all() and known["survivors"].iloc[-1] == 13
    assert cumulative.loc[cumulative["date"] >= "2026-02-23", "survivors"].isna().all()


# ---------------------------------------------------------------------------------------------
# month x theater
# ---------------------------------------------------------------------------------------------


def test_by_month_theater_adds_up_to_the_readme_totals(strikes):
    table = reconcile.by_month_theater(strikes)
    theaters = table[table["theater"] != reconcile.ALL_THEATERS]
    totals = table[table["theater"] == reconcile.ALL_THEATERS]
    sums = theaters.groupby("theater")[["strikes", "vessels", "killed"]].sum()
    assert sums.loc["Eastern Pacific"].tolist() == [42, 45, 121]
    assert sums.loc["Caribbean"].tolist() == [16, 16, 62]
    assert sums.loc["Unknown"].tolist() == [2, 2, 5]
    assert totals[["strikes", "vessels", "killed"]].sum().tolist() == [60, 63, 188]
    assert totals["month"].tolist() == [
        "2025-09",
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
    ]
    for column in ("strikes", "vessels", "killed", "survivors_reported", "survivors_unreported_rows"):
        assert totals[column].sum() == theaters[column].sum(), column
    assert int(totals["survivors_reported"].sum()) == 24
    assert int(totals["survivors_not_found"].sum()) == 14


def test_by_month_theater_keeps_missing_survivors_visible(strikes):
    table = reconcile.by_month_theater(strikes).set_index(["month", "theater"])
    feb_caribbean = table.loc[("2026-02", "Caribbean")]  # S042 (23 Feb) reports no survivor figure
    assert pd.isna(feb_caribbean["survivors"])
    assert feb_caribbean["survivors_unreported_rows"] == 1
    dec = table.loc[("2025-12", reconcile.ALL_THEATERS)]
    assert (dec["strikes"], dec["vessels"], dec["killed"], dec["survivors"]) == (12, 14, 32, 8)


def test_by_month_theater_shows_a_month_without_strikes(tmp_path):
    small = write_strikes(
        tmp_path,
        [
            "S001,2025-09-02,2025-09-02,Caribbean,1,11,0,0",
            "S002,2025-11-15,2025-11-16,Unknown,2,3,,",
        ],
    )
    table = reconcile.by_month_theater(small)
    assert table["month"].tolist() == ["2025-09", "2025-09", "2025-10", "2025-11", "2025-11"]
    october = table[table["month"] == "2025-10"].iloc[0]
    assert october["theater"] == reconcile.ALL_THEATERS
    assert (october["strikes"], october["killed"], october["survivors"]) == (0, 0, 0)
    november = table[(table["month"] == "2025-11") & (table["theater"] == "Unknown")].iloc[0]
    assert pd.isna(november["survivors"]) and november["survivors_unreported_rows"] == 1


def test_coverage_words_are_computed_from_the_ledger(strikes):
    assert reconcile.coverage_text(strikes) == "2 Sep 2025 to 22 Jun 2026"
    assert reconcile.to_end_text(strikes) == "to 22 Jun 2026"
    assert reconcile.to_end_text(strikes.iloc[:1]) == "to 2 Sep 2025"
    assert reconcile.day_text("2026-01-05") == "5 Jan 2026"


def test_reconciliation_carries_each_tallys_source(reconciled, tallies):
    within = tallies[tallies["as_of"] <= pd.Timestamp("2026-06-22")].reset_index(drop=True)
    assert reconciled["originator"].tolist() == within["originator"].tolist()
    assert reconciled["source_kind"].tolist() == within["source_kind"].tolist()


def test_tallies_above_the_upper_count_from_12_apr_2026(strikes, tallies):
    reconciliation = reconcile.reconcile_tallies(strikes, tallies)
    excess = reconcile.above_upper_count(reconciliation)
    assert (excess.first, excess.last, excess.tallies) == (pd.Timestamp("2026-04-12"), pd.Timestamp("2026-05-28"), 10)
    assert (excess.presumed_min, excess.presumed_max, excess.announced_min, excess.announced_max) == (3, 8, 15, 22)
    assert (excess.widest_publisher, excess.widest_as_of) == ("Associated Press", pd.Timestamp("2026-05-28"))
    assert reconcile.upper_count_headline(reconciliation) == (
        "From 12 Apr 2026 every published tally is above the ledger's upper count (by 3 to 8 deaths): the ledger "
        "misses strikes (or survivors' deaths), so its totals are 'at least' figures"
    )
    lines = reconcile.upper_count_lines(reconciliation, strikes)
    assert "13 of its strike rows report no survivor count at all" in lines[2]  # said where survivors are unreported
    assert lines[-1] == "So every total of the ledger is an 'at least' figure."
    assert not any("lacks strikes" in line for line in lines)


def test_no_run_above_the_upper_count_when_the_newest_tally_is_not_above():
    frame = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2026-01-01", "2026-02-01"]),
            "publisher": ["A", "B"],
            "difference": [5, 0],
            "difference_presumed": [2, 0],
        }
    )
    assert reconcile.above_upper_count(frame) is None
    assert reconcile.upper_count_headline(frame).startswith("The newest published tally is not above")
