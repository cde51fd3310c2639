"""Sources a reader can weigh: every ledger row's page, named by its originator and its kind in words.

Since release 2026-12 every ledger row carries ``originator`` (whose reporting or statement the
page carries) and ``source_kind`` (what kind of page was read; :data:`analysis.ledgers.SOURCE_KINDS`).
This module turns the pair into what a reader sees, by one rule applied to every row:

- :func:`source_label`: ``"<originator> · <kind in words>"``, and for a weak kind
  (:data:`WEAK_KINDS`) the marker :data:`WEAK_MARK` at the front, so it shows in a table, in text
  and in the HTML report alike: ``"WEAK: unattributed aggregator ... · aggregator rewrite"``.
- :func:`grade`: one of :data:`GRADES`, the groups the source-quality summary counts:
  ``first_hand`` (the speaker's own page, a transcript, a wire story, a national outlet, a
  fact-checker, an incident tracker: the reporting read where its originator published it),
  ``other_outlet`` (another established outlet's own page), ``copy`` (a named originator's story
  read on another site) and ``weak`` (aggregator, blog, forum, state media, headline only).
- :func:`quality_summary` / :func:`summary_line`: how many of the rows a notebook uses rest on
  each grade, computed from the rows, never typed.
"""

from __future__ import annotations

import pandas as pd

from .ledgers import SOURCE_KINDS

#: Each source kind in words (shared/data/claims/README.md, "source_kind (all ledgers)").
KIND_WORDS = {
    "primary": "the speaker's or agency's own page",
    "transcript": "full transcript",
    "wire": "wire story (AP, Reuters or AFP) on a licensed outlet",
    "national": "national outlet's own page",
    "factcheck": "fact-checker's own page",
    "tracker": "incident tracker",
    "regional": "regional, foreign or partisan outlet's own page",
    "copy": "copy of the originator's story on another site",
    "aggregator": "aggregator rewrite",
    "state_media": "state-controlled media",
    "blog": "blog post",
    "forum": "forum post",
    "headline_only": "headline only (article not read)",
}

#: Kinds a reader should treat as leads to confirm, not as evidence (issue 9).
WEAK_KINDS = ("aggregator", "blog", "forum", "state_media", "headline_only")
#: Shown at the front of a weak row's label.
WEAK_MARK = "WEAK:"

GRADES = ("first_hand", "other_outlet", "copy", "weak")
GRADE_WORDS = {
    "first_hand": "primary, transcript, wire, national, fact-check or tracker pages",
    "other_outlet": "other outlets' own pages",
    "copy": "copies of a named originator's story",
    "weak": "weak pages",
}
_GRADE_OF = {
    **{kind: "first_hand" for kind in ("primary", "transcript", "wire", "national", "factcheck", "tracker")},
    "regional": "other_outlet",
    "copy": "copy",
    **{kind: "weak" for kind in WEAK_KINDS},
}


def _known(kind: str) -> str:
    if kind not in SOURCE_KINDS:
        raise ValueError(f"unknown source kind {kind!r}; expected one of {', '.join(SOURCE_KINDS)}")
    return kind


def kind_words(kind: str) -> str:
    """The source kind in words (``"forum"`` -> ``"forum post"``)."""
    return KIND_WORDS[_known(kind)]


def is_weak(kind: str) -> bool:
    """True for the kinds listed in :data:`WEAK_KINDS`."""
    return _known(kind) in WEAK_KINDS


def grade(kind: str) -> str:
    """The summary group (one of :data:`GRADES`) a source kind belongs to."""
    return _GRADE_OF[_known(kind)]


def source_label(originator: str, kind: str) -> str:
    """What a reader sees for a row's source: originator and kind in words, weak kinds marked (dates the
    originator text gives, such as ``X post, 2025-11-03``, in words: ``3 Nov 2025``)."""
    from .prose import humanize_dates

    if not isinstance(originator, str) or not originator.strip():
        raise ValueError("a source label needs the row's originator (required in every ledger)")
    label = f"{humanize_dates(originator.strip())} · {kind_words(kind)}"
    return f"{WEAK_MARK} {label}" if is_weak(kind) else label


def labels(frame: pd.DataFrame) -> pd.Series:
    """:func:`source_label` of every row of a ledger frame (needs ``originator`` and ``source_kind``)."""
    return pd.Series(
        [source_label(o, k) for o, k in zip(frame["originator"], frame["source_kind"], strict=True)],
        index=frame.index,
        dtype="str",
        name="source",
    )


def with_source(frame: pd.DataFrame, ledger: pd.DataFrame | None = None, on: str | None = None) -> pd.DataFrame:
    """``frame`` with a ``source`` column (the row's :func:`source_label`) just before ``source_url``.

    ``frame`` either carries ``originator`` and ``source_kind`` itself, or names the ledger rows it
    comes from in column ``on`` (e.g. ``claim_id``), looked up in ``ledger``. A row whose id is not
    in the ledger is refused, so no source is shown without its originator.
    """
    if ledger is None:
        source = labels(frame)
    else:
        if on is None:
            raise ValueError("with_source: give `on`, the id column shared with the ledger")
        by_id = labels(ledger.drop_duplicates(on)).set_axis(ledger.drop_duplicates(on)[on].to_list())
        missing = sorted(set(frame[on]) - set(by_id.index))
        if missing:
            raise KeyError(f"with_source: {on} {', '.join(map(str, missing))} not in the ledger")
        source = pd.Series(by_id.loc[frame[on]].to_list(), index=frame.index, dtype="str", name="source")
    out = frame.copy()
    position = list(out.columns).index("source_url") if "source_url" in out.columns else len(out.columns)
    out.insert(position, "source", source)
    return out


def quality_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows per grade and kind: columns ``grade``, ``source_kind``, ``rows`` (grades in :data:`GRADES` order)."""
    kinds = frame["source_kind"].map(_known)
    counts = kinds.value_counts()
    records = [
        {"grade": grade(kind), "source_kind": kind, "rows": int(counts[kind])}
        for kind in SOURCE_KINDS
        if kind in counts.index
    ]
    out = pd.DataFrame(records, columns=["grade", "source_kind", "rows"])
    out["order"] = out["grade"].map(GRADES.index)
    return out.sort_values(["order"], kind="stable").drop(columns="order").reset_index(drop=True)


def summary_line(frame: pd.DataFrame, what: str) -> str:
    """One sentence: how many of ``what`` rest on each grade of page (e.g. ``what="strike rows"``)."""
    summary = quality_summary(frame)
    parts = []
    for name in GRADES:
        rows = summary[summary["grade"] == name]
        total = int(rows["rows"].sum())
        text = f"{total:,} on {GRADE_WORDS[name]}"
        if name == "weak" and total:
            text += " (" + ", ".join(f"{kind_words(r.source_kind)} {r.rows:,}" for r in rows.itertuples()) + ")"
        parts.append(text)
    return f"Sources of the {len(frame):,} {what} used here: " + "; ".join(parts) + "."


def ledger_view(frame: pd.DataFrame, columns: list[str], dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """The ledger table a notebook shows: ``dates`` written as ISO days, a ``source`` column added
    (:func:`with_source`), then ``columns`` in that order."""
    shown = frame.assign(**{name: frame[name].dt.strftime("%Y-%m-%d") for name in dates})
    return with_source(shown)[columns]
