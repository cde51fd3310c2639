"""Land operations tied to the campaign, and the "did the U.S. hit land?" question, as written rules.

Input is :func:`analysis.ledgers.load_land_operations` output: one row per U.S. strike on land or
U.S.-supported operation on land, with ``us_role`` as free text from the cited pages.

:func:`us_role_class` reads ``us_role`` into one of :data:`ROLE_CLASSES` by the rules in its
docstring; a wording none of them covers is refused, so a new row cannot be sorted silently.
:func:`strikes_on_soil` answers "which U.S. strikes on <country>'s soil are on record up to a
date?" and :func:`answer` says it in a sentence, computed from the rows.
"""

from __future__ import annotations

import re

import pandas as pd

US_STRIKE = "U.S. strike"
US_SUPPORT = "U.S. support to another country's operation"
ROLE_CLASSES = (US_STRIKE, US_SUPPORT)

_NOT_A_STRIKE = re.compile(r"\bnot a U\.S\. strike\b|\bintelligence only\b", re.IGNORECASE)
_SUPPORT = re.compile(r"\bsupport(?:ed|s|ing)?\b", re.IGNORECASE)
_STRIKE = re.compile(r"\bU\.S\.[^;]*\b(?:air)?strikes?\b|\bU\.S\.[^;]*\braid\b|\bairstrike\b", re.IGNORECASE)


def us_role_class(us_role: str) -> str:
    """The U.S. role of one land operation, from its ``us_role`` text.

    Rules, first match wins:
    1. the text says "not a U.S. strike" or "intelligence only" -> :data:`US_SUPPORT`;
    2. it says the U.S. "supported" (or support/supports) the operation -> :data:`US_SUPPORT`;
    3. it names a U.S. strike, airstrike or raid -> :data:`US_STRIKE` (an airstrike described as
       joint with another government is still a U.S. strike);
    otherwise ValueError naming the text.
    """
    if not isinstance(us_role, str) or not us_role.strip():
        raise ValueError("us_role is blank: a land operation must say what the U.S. did")
    if _NOT_A_STRIKE.search(us_role) or _SUPPORT.search(us_role):
        return US_SUPPORT
    if _STRIKE.search(us_role):
        return US_STRIKE
    raise ValueError(f"us_role {us_role!r} fits no rule (U.S. strike, or U.S. support); add a rule for it")


def classified(land: pd.DataFrame) -> pd.DataFrame:
    """``land`` with a ``us_role_class`` column (:func:`us_role_class` of every row)."""
    out = land.copy()
    out["us_role_class"] = pd.Series([us_role_class(text) for text in land["us_role"]], index=land.index, dtype="str")
    return out


def strikes_on_soil(land: pd.DataFrame, country: str, up_to) -> pd.DataFrame:
    """U.S. strikes on ``country``'s soil on record up to ``up_to`` (inclusive).

    A row with no date is in the release and counts as on record (the release covers the ledger's
    period); a dated row after ``up_to`` does not.
    """
    rows = classified(land)
    on_record = rows["date"].isna() | (rows["date"] <= pd.Timestamp(up_to))
    return rows[on_record & (rows["country"] == country) & (rows["us_role_class"] == US_STRIKE)].reset_index(drop=True)


def _day(value) -> str:
    if pd.isna(value):
        return "date not given"
    value = pd.Timestamp(value)
    return f"{value.day} {value:%b %Y}"


def answer(land: pd.DataFrame, country: str, up_to) -> str:
    """The plain answer, computed: is any U.S. strike on ``country``'s soil on record up to ``up_to``?"""
    rows = classified(land)
    on_record = rows[rows["date"].isna() | (rows["date"] <= pd.Timestamp(up_to))]
    hits = strikes_on_soil(land, country, up_to)
    in_country = on_record[on_record["country"] == country]
    end = _day(up_to)
    if len(hits):
        listed = "; ".join(f"{_day(r.date)}, {r.place} ({r.operation_id})" for r in hits.itertuples())
        return f"Yes: {len(hits):,} U.S. strike(s) on {country}'s soil are on record to {end}: {listed}."
    others = "; ".join(f"{_day(r.date)}, {r.place}: {r.us_role_class} ({r.us_role})" for r in in_country.itertuples())
    text = (
        f"No: none of the {len(on_record):,} land operations on record to {end} is a U.S. strike on {country}'s soil."
    )
    if others:
        text += f" The {len(in_country):,} in {country}: {others}."
    return text
