"""Tests for analysis.qualifiers: floor / range / point / ceiling read from the quote, on every ledger row."""

from __future__ import annotations

import pytest

from analysis import compare, qualifiers

# Every claims-ledger row of the qualified topics (release 2026-12): claim_id -> (qualifier, words before the figure).
# Read by hand from each row's quote.
EXPECTED = {
    # overdose deaths per year: claims
    "C001": ("range", ""),
    "C014": ("point", ""),
    "C092": ("point", ""),
    "C002": ("range", ""),
    "C003": ("point", ""),
    "C004": ("floor", "over"),
    "C094": ("point", ""),
    "C005": ("point", ""),
    "C006": ("point", ""),
    "C007": ("none", ""),
    "C008": ("floor", "over"),
    "C009": ("point", "close to"),
    "C010": ("point", ""),
    "C011": ("range", ""),
    "C012": ("range", ""),
    "C013": ("none", ""),
    "C070": ("none", ""),
    "C071": ("range", ""),
    # lives saved per boat / in total
    "C015": ("floor", "more than"),
    "C026": ("point", "about"),
    "C016": ("range", ""),
    "C017": ("point", ""),
    "C018": ("point", ""),
    "C019": ("point", ""),
    "C020": ("point", ""),
    "C021": ("point", ""),
    "C022": ("point", ""),
    "C023": ("range", ""),
    "C096": ("point", ""),
    "C024": ("point", ""),
    "C025": ("point", ""),
    "C027": ("floor", "at least"),
    "C028": ("none", ""),
    # seaborne flow
    "C029": ("point", ""),
    "C030": ("point", ""),
    "C031": ("point", "about"),
    "C032": ("point", ""),
    "C033": ("point", ""),
    "C034": ("point", ""),
    "C035": ("point", ""),
    "C036": ("point", ""),
    "C072": ("point", ""),
    "C037": ("point", ""),
    "C038": ("point", "almost"),
    "C073": ("point", ""),
    "C074": ("point", ""),
    "C039": ("point", ""),
    "C040": ("point", ""),
    "C075": ("none", ""),
    "C041": ("point", ""),
    "C076": ("point", ""),
    "C077": ("point", ""),
    "C042": ("point", ""),
    # counter-figures of the overdose topic
    "CF01": ("point", ""),
    "CF02": ("point", ""),
    "CF03": ("point", "an estimated"),
    "CF04": ("point", ""),
    "CF05": ("ceiling", "up to"),
    "CF17": ("floor", "over"),
    "CF18": ("point", "nearly"),
    "CF19": ("point", "nearly"),
    "CF06": ("point", "an estimated"),
    "CF07": ("point", ""),
    "CF15": ("point", ""),
    "CF16": ("point", "about"),
    "CF08": ("point", ""),
    "CF09": ("point", ""),
}


def test_every_ledger_row_of_the_qualified_topics(claims):
    table = qualifiers.qualifier_table(claims)
    rows = set(claims.loc[claims["topic"].isin(qualifiers.QUALIFIED_TOPICS), "claim_id"])
    assert set(table["claim_id"]) == rows == set(EXPECTED)
    got = {row.claim_id: (row.qualifier, row.qualifier_words) for row in table.itertuples()}
    assert got == EXPECTED
    assert set(table["qualifier"]) <= set(qualifiers.QUALIFIERS)


def test_the_figure_as_written_is_quoted_back(claims):
    table = qualifiers.qualifier_table(claims).set_index("claim_id")["as_written"]
    assert table["C004"] == "over 200"
    assert table["C011"] == "200 to 300,000"  # spoken shared thousands
    assert table["C016"] == "25 TO 50 THOUSAND"
    assert table["C003"] == "300 million"
    assert table["C007"] == "hundreds of thousands"  # an unquantified row keeps its words


@pytest.mark.parametrize(
    "quote, low, high, kind, words",
    [
        ("killed over 200,000 people last year", 200000, 200000, "floor", "over"),
        ("more than 25,000 Americans", 25000, 25000, "floor", "more than"),
        ("up to 76,516 drug overdose deaths", 76516, 76516, "ceiling", "up to"),
        ("less than 5%", 5, 5, "ceiling", "less than"),
        ("close to 300,000 people", 300000, 300000, "point", "close to"),
        ("We lose 300,000 people a year", 300000, 300000, "point", ""),
        ("200 to 300,000 people", 200000, 300000, "range", ""),
        ("25 TO 50 THOUSAND PEOPLE", 25000, 50000, "range", ""),
        ("300 million people died", 300000000, 300000000, "point", ""),
        ("Hemos perdido a más de 300 mil personas", 300000, 300000, "floor", "más de"),
        ("the overall toll (over 45,000 of which involved fentanyl)", 45000, 45000, "floor", "over"),
        ("moreover 12,000 of them", 12000, 12000, "point", ""),  # "over" inside a word is not a qualifier
    ],
)
def test_read_qualifier(quote, low, high, kind, words):
    result = qualifiers.read_qualifier(quote, low, high, "T1")
    assert (result.kind, result.words) == (kind, words)


def test_a_quote_without_its_figure_is_refused_by_name():
    with pytest.raises(qualifiers.QualifierError, match="claim C9, field quote: the stated figure 300,000"):
        qualifiers.read_qualifier("a great many people", 300000, 300000, "C9")
    with pytest.raises(qualifiers.QualifierError, match="claim C9, fields value_low/value_high"):
        qualifiers.read_qualifier("300,000", 300000, None, "C9")


def test_unquantified_row_has_no_figure():
    result = qualifiers.read_qualifier(
        "tens of thousands of Americans", None, None, "C1", "unquantified: 'tens of thousands'"
    )
    assert (result.kind, result.as_written) == ("none", "tens of thousands")
    assert result.describe() == "no figure ('tens of thousands')"
    assert qualifiers.read_qualifier("over 200", 200, 200).describe() == "a floor ('over 200')"


def test_an_error_names_the_ledger_file_and_line(claims):
    broken = claims.copy()
    broken.loc[broken["claim_id"] == "C004", "quote"] = "a great many deaths daily"
    with pytest.raises(compare.MatchError, match=r"claims\.csv, line \d+: claim C004, field quote"):
        qualifiers.qualifier_table(broken)
