"""Tests for analysis.sources: the wording and grading rule, applied to every row of every ledger."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import ledgers, prose, sources
from analysis.paths import project_paths

RAW = project_paths().raw
LOADERS = {
    "strikes.csv": ledgers.load_strikes,
    "tallies.csv": ledgers.load_tallies,
    "claims.csv": ledgers.load_claims,
    "context_facts.csv": ledgers.load_context_facts,
    "land_operations.csv": ledgers.load_land_operations,
}


def test_every_kind_has_words_and_a_grade():
    assert set(sources.KIND_WORDS) == set(ledgers.SOURCE_KINDS)
    for kind in ledgers.SOURCE_KINDS:
        assert sources.grade(kind) in sources.GRADES
        assert sources.kind_words(kind) not in ("", kind)
    assert {k for k in ledgers.SOURCE_KINDS if sources.grade(k) == "weak"} == set(sources.WEAK_KINDS)


@pytest.mark.parametrize(
    "kind, grade",
    [
        ("primary", "first_hand"),
        ("transcript", "first_hand"),
        ("wire", "first_hand"),
        ("national", "first_hand"),
        ("factcheck", "first_hand"),
        ("tracker", "first_hand"),
        ("regional", "other_outlet"),
        ("copy", "copy"),
        ("aggregator", "weak"),
        ("blog", "weak"),
        ("forum", "weak"),
        ("state_media", "weak"),
        ("headline_only", "weak"),
    ],
)
def test_grades_follow_the_issue(kind, grade):
    assert sources.grade(kind) == grade


def test_labels_name_originator_and_kind_and_mark_weak_pages():
    assert sources.source_label("CBS News", "national") == "CBS News · national outlet's own page"
    assert sources.source_label("CNN's Daniel Dale (X post, 2025-11-03)", "copy").startswith(
        "CNN's Daniel Dale (X post, 3 Nov 2025) · "
    )
    forum = sources.source_label("Washington Post Fact Checker, copy read at intermati.com forum", "forum")
    assert forum == "WEAK: Washington Post Fact Checker, copy read at intermati.com forum · forum post"


@pytest.mark.parametrize("bad", ["", "  ", None])
def test_a_label_needs_an_originator(bad):
    with pytest.raises(ValueError, match="originator"):
        sources.source_label(bad, "wire")


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown source kind 'newspaper'"):
        sources.grade("newspaper")


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_rule_on_every_ledger_row(name):
    frame = LOADERS[name](RAW / name)
    shown = sources.labels(frame)
    for label, originator, kind in zip(shown, frame["originator"], frame["source_kind"], strict=True):
        assert prose.humanize_dates(originator) in label  # dates in words, the text otherwise as written
        assert sources.KIND_WORDS[kind] in label
        assert label.startswith(sources.WEAK_MARK) == (kind in sources.WEAK_KINDS)
        assert "://" not in label.split(" · ")[-1]  # the kind is words, never an address


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_summary_counts_every_row_once(name):
    frame = LOADERS[name](RAW / name)
    summary = sources.quality_summary(frame)
    assert int(summary["rows"].sum()) == len(frame)
    assert summary["grade"].tolist() == sorted(summary["grade"], key=sources.GRADES.index)


def test_summary_line_of_the_strike_ledger():
    strikes = ledgers.load_strikes(RAW / "strikes.csv")
    # strikes README, release 2026-12: national 24, wire 16, tracker 3; regional 3; copy 7; aggregator 5, blog 2
    assert sources.summary_line(strikes, "strike rows") == (
        "Sources of the 60 strike rows used here: 43 on primary, transcript, wire, national, fact-check or tracker "
        "pages; 3 on other outlets' own pages; 7 on copies of a named originator's story; 7 on weak pages "
        "(aggregator rewrite 5, blog post 2)."
    )


def test_with_source_from_own_columns_and_by_id():
    ledger = pd.DataFrame(
        {
            "claim_id": ["C1", "C2"],
            "originator": ["AP", "x.com user"],
            "source_kind": ["wire", "forum"],
            "source_url": ["https://a", "https://b"],
        }
    )
    own = sources.with_source(ledger)
    assert list(own.columns) == ["claim_id", "originator", "source_kind", "source", "source_url"]
    derived = pd.DataFrame({"claim_id": ["C2", "C1", "C2"], "ratio": [1, 2, 3], "source_url": ["u", "v", "w"]})
    out = sources.with_source(derived, ledger, on="claim_id")
    assert out["source"].tolist() == [
        "WEAK: x.com user · forum post",
        "AP · wire story (AP, Reuters or AFP) on a licensed outlet",
        "WEAK: x.com user · forum post",
    ]
    assert list(out.columns) == ["claim_id", "ratio", "source", "source_url"]
    with pytest.raises(KeyError, match="C9"):
        sources.with_source(pd.DataFrame({"claim_id": ["C9"]}), ledger, on="claim_id")
