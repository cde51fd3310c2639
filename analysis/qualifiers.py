"""Say what the speaker said: is a claimed figure a floor, a range, a point or a ceiling?

The claims ledger stores "over 200,000" as ``200000 / 200000`` and keeps the qualifier in the
quote (``shared/data/claims/README.md``). This module reads it back from the quote, by one rule
applied to every row:

1. A row whose ``value_low`` differs from ``value_high`` is a **range** ("200,000 to 300,000",
   "250,000, 300,000", "25 TO 50 THOUSAND").
2. Otherwise the stated figure is found in the quote (digits, with ``million`` / ``thousand`` /
   ``mil`` read as multipliers, and the spoken "200 to 300,000" / "25 TO 50 THOUSAND" where the
   first number shares the second's thousands), and the words just before it decide:
   :data:`FLOOR_WORDS` ("over", "more than", "at least") make a **floor**, :data:`CEILING_WORDS`
   ("up to", "less than") a **ceiling**, :data:`ABOUT_WORDS` ("about", "close to", "nearly",
   "an estimated") a **point** said approximately, and no such word a **point** as said.
3. A row with no figure (``unit`` says ``unquantified``) has qualifier **none**.

A quote that does not carry its row's figure raises :class:`QualifierError` naming the row, the
field and the figure looked for: the ledger would then disagree with itself, and no reading is
guessed.

The verdict rule (:mod:`analysis.verdicts`) reads the qualifier: a floor asks whether CDC's figure
is at or above it, a range whether CDC's figure falls within it, a point whether CDC's figure is
close to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

FLOOR = "floor"
CEILING = "ceiling"
RANGE = "range"
POINT = "point"
NONE = "none"
#: The closed set of qualifiers, in the order tables list them.
QUALIFIERS = (FLOOR, RANGE, POINT, CEILING, NONE)

#: Words before a figure that make it a floor, a ceiling, or an approximate point (lower case).
FLOOR_WORDS = ("over", "more than", "at least", "in excess of", "upwards of", "más de")
CEILING_WORDS = ("up to", "less than", "fewer than", "no more than", "under")
ABOUT_WORDS = (
    "about",
    "around",
    "close to",
    "nearly",
    "almost",
    "roughly",
    "approximately",
    "an estimated",
    "estimated",
    "some",
)

#: Topics whose figures the qualifier is read for (verdicts, lives per boat, the seaborne-flow series).
QUALIFIED_TOPICS = (
    "overdose_deaths_per_year",
    "lives_saved_per_boat",
    "lives_saved_total",
    "seaborne_flow_reduction_pct",
)

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\s+(million|thousand|mil)\b)?", re.IGNORECASE)
_MULTIPLIERS = {"million": 1_000_000, "thousand": 1_000, "mil": 1_000}
_JOINER = re.compile(r"\s*(?:to|or|-|–)\s*$", re.IGNORECASE)


def _match_error() -> type:
    from .compare import MatchError

    return MatchError


class QualifierError(_match_error()):
    """A quote does not carry its row's figure; the message names the row, field and figure (and, through
    :func:`qualifier_table`, the ledger file and line)."""


@dataclass(frozen=True)
class Qualifier:
    """How the speaker stated a figure."""

    kind: str  # one of QUALIFIERS
    words: str  # the words read ("over", "close to", ...; "" for a plain figure or a range)
    as_written: str  # the figure as the quote writes it, with its words ("over 200", "200 to 300,000")

    def describe(self) -> str:
        """In words: ``a floor ('over 200,000')``, ``a range ('200,000 to 300,000')``, ``a point``."""
        names = {FLOOR: "a floor", CEILING: "a ceiling", RANGE: "a range", POINT: "a point", NONE: "no figure"}
        if self.kind == NONE:
            return f"no figure ('{self.as_written}')" if self.as_written else "no figure"
        return f"{names[self.kind]} ('{self.as_written}')"


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _tokens(quote: str) -> list[tuple[int, int, float, bool]]:
    """(start, end, value, has_multiplier) of every number in the quote."""
    out = []
    for match in _NUMBER.finditer(quote):
        value = float(match.group(1).replace(",", ""))
        multiplier = match.group(2)
        if multiplier:
            value *= _MULTIPLIERS[multiplier.lower()]
        out.append((match.start(), match.end(), value, bool(multiplier)))
    return out


def _locate(quote: str, figures: list[float]) -> tuple[int, int] | None:
    """(start, end) in the quote of the first number that states one of ``figures``."""
    tokens = _tokens(quote)
    for index, (start, end, value, has_multiplier) in enumerate(tokens):
        if value in figures:
            return start, end
        # spoken shared thousands: "200 to 300,000", "25 TO 50 THOUSAND"
        if index + 1 < len(tokens) and not has_multiplier and value * 1000 in figures:
            following = tokens[index + 1]
            between = quote[end : following[0]]
            if _JOINER.fullmatch(between) and following[2] >= 1000:
                return start, following[1]
    return None


def _word_before(quote: str, start: int) -> tuple[str, str]:
    """(kind, words) from the words just before ``start`` (FLOOR / CEILING / POINT with about-words)."""
    before = quote[:start].rstrip().rstrip("'\"(“‘").rstrip().lower()
    for kind, words in ((FLOOR, FLOOR_WORDS), (CEILING, CEILING_WORDS), (POINT, ABOUT_WORDS)):
        for word in sorted(words, key=len, reverse=True):
            if before.endswith(word) and (len(before) == len(word) or not before[-len(word) - 1].isalnum()):
                return kind, word
    return POINT, ""


def read_qualifier(
    quote: object, value_low: object, value_high: object, claim_id: str = "?", unquantified_words: object = None
) -> Qualifier:
    """The qualifier of one ledger row (the module docstring's rules 1-3)."""
    if _missing(value_low) and _missing(value_high):
        words = "" if _missing(unquantified_words) else str(unquantified_words)
        match = re.search(r"'([^']+)'", words)
        return Qualifier(NONE, "", match.group(1) if match else "")
    if _missing(value_low) or _missing(value_high):
        raise QualifierError(f"claim {claim_id}, fields value_low/value_high: one is blank and the other is not")
    low, high = float(value_low), float(value_high)
    text = "" if _missing(quote) else str(quote)
    where = _locate(text, [low, high])
    if where is None:
        raise QualifierError(
            f"claim {claim_id}, field quote: the stated figure {low:,.0f} (or {high:,.0f}) is not written "
            f"in the quote {text!r}"
        )
    kind, words = _word_before(text, where[0])
    written = text[where[0] : where[1]]
    if low != high:
        last = _locate(text, [high])
        end = max(where[1], last[1]) if last else where[1]
        return Qualifier(RANGE, "", text[where[0] : end])
    return Qualifier(kind, words, f"{words} {written}" if words else written)


QUALIFIER_COLUMNS = ["claim_id", "qualifier", "qualifier_words", "as_written"]


def qualifier_table(claims: pd.DataFrame, topics=QUALIFIED_TOPICS) -> pd.DataFrame:
    """The qualifier of every ledger row of ``topics`` (claims and counter-figures), in ledger order.

    ``claims`` is :func:`analysis.ledgers.load_claims` output. Columns :data:`QUALIFIER_COLUMNS`. A
    :class:`QualifierError` names the ledger file and line when the frame came from the loader.
    """
    from .compare import _located

    return _located(_qualifier_table)(claims, topics)


def _qualifier_table(claims: pd.DataFrame, topics=QUALIFIED_TOPICS) -> pd.DataFrame:
    rows = []
    for claim in claims[claims["topic"].isin(topics)].itertuples(index=False):
        qualifier = read_qualifier(claim.quote, claim.value_low, claim.value_high, claim.claim_id, claim.unit_qualifier)
        rows.append(
            {
                "claim_id": claim.claim_id,
                "qualifier": qualifier.kind,
                "qualifier_words": qualifier.words,
                "as_written": qualifier.as_written,
            }
        )
    return pd.DataFrame(rows, columns=QUALIFIER_COLUMNS).astype("str")
