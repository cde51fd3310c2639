"""The figures the project started from, reconciled in one table.

Two kinds of figure are often quoted side by side as if they were one:

1. **The same 2023 quantity in different CDC products** (:func:`products_2023`): every claims-ledger
   row of the overdose topic that gives a 2023 figure, in its period or in its quote ("2023: 76,282",
   "110,037 in 2023"), beside the project's snapshot (reported and predicted). Final data (NCHS),
   provisional reported and provisional predicted counts of different releases differ; the table
   says which is which. :func:`mixing_line` computes what setting an all-drug claim against a
   synthetic-opioid count does.
2. **Campaign counts** (:func:`strike_figures`): "more than N strikes" and "at least M killed" by a
   date, computed from the strike ledger (strikes dated on or before the day; deaths as announced,
   and with survivors reported never found).
"""

from __future__ import annotations

import re

import pandas as pd

from . import compare, matching, reconcile

SEED_COLUMNS = ["topic", "figure", "quantity", "product", "row", "reading"]

_NUMBER = r"(\d{1,3}(?:,\d{3})+)"


def figure_in_text(text: object, year: int) -> float | None:
    """The count a text gives for ``year``: ``2023: 76,282``, ``2023 = 76,282``, ``110,037 in 2023``."""
    if compare._missing(text):
        return None
    for pattern in (rf"\b{year}\s*[:=]\s*{_NUMBER}", rf"{_NUMBER}(?:\s+deaths)?\s+in\s+{year}\b"):
        found = re.search(pattern, str(text))
        if found:
            return float(found.group(1).replace(",", ""))
    return None


def _product(row, releases: pd.DataFrame, own_figure: bool) -> str:
    main = "" if compare._missing(row.period) else str(row.period).split(";", 1)[0]
    if own_figure and "final" in main.lower():
        return f"NCHS final data, as published by {row.speaker}"
    if row.kind == "counter_figure" and not compare._missing(row.date_value):
        release = matching.release_at(releases, row.date_value)
        if release is not None and pd.Timestamp(release.release_date) == pd.Timestamp(row.date_value):
            measure = ", predicted" if own_figure and "predicted" in main else ""
            return f"CDC provisional{measure}, {matching.release_words(release)}"
    return f"cited by {row.speaker}; product and release not named"


def products_2023(
    claims: pd.DataFrame, cdc_tidy: pd.DataFrame, releases: pd.DataFrame, year: int = 2023
) -> pd.DataFrame:
    """Every figure for ``year`` (all drugs and synthetic opioids) in the claims ledger and the snapshot."""
    lookup = matching.cdc_lookup(cdc_tidy)
    latest = matching.snapshot_latest_period(cdc_tidy)
    snapshot = matching.snapshot_release(releases, latest)
    rows = []
    overdose = claims[claims["topic"] == compare.OVERDOSE_TOPIC]
    for row in overdose.itertuples(index=False):
        reading = matching.claim_class(row.kind, row.unit_qualifier, row.period, row.quote)
        named = compare.named_period(row.period, row.date_value, row.claim_id)
        if named is not None and named.period_end == f"{year}-12" and not compare._missing(row.value_low):
            value, own = float(row.value_low), True
        else:
            value = figure_in_text(row.period, year) or figure_in_text(row.quote, year)
            own = False
        if value is None or reading.indicator not in (matching.ALL_DRUGS, matching.SYNTHETIC_OPIOIDS):
            continue
        rows.append(
            {
                "indicator": reading.indicator,
                "value": value,
                "product": _product(row, releases, own),
                "row": row.claim_id,
            }
        )
    for indicator in (matching.ALL_DRUGS, matching.SYNTHETIC_OPIOIDS):
        reported, predicted = lookup[(indicator, f"{year}-12")]
        for measure, value in (("reported", reported), ("predicted", predicted)):
            rows.append(
                {
                    "indicator": indicator,
                    "value": float(value),
                    "product": f"CDC provisional, {measure}, "
                    + (
                        f"{matching.release_words(snapshot)} (this project's snapshot)"
                        if snapshot
                        else "this project's snapshot"
                    ),
                    "row": "snapshot",
                }
            )
    out = pd.DataFrame(rows, columns=["indicator", "value", "product", "row"])
    order = {matching.SYNTHETIC_OPIOIDS: 0, matching.ALL_DRUGS: 1}
    out["_order"] = out["indicator"].map(order)
    return out.sort_values(["_order", "value"], kind="stable").drop(columns="_order").reset_index(drop=True)


def mixing_line(products: pd.DataFrame) -> str:
    """What an all-drug claim set against a synthetic-opioid count does, from the final figures."""
    final = products[products["product"].str.startswith("NCHS final data")]
    by_class = {row.indicator: row for row in final.itertuples()}
    if matching.ALL_DRUGS not in by_class or matching.SYNTHETIC_OPIOIDS not in by_class:
        return "The table has no final figure for both classes, so the share cannot be computed from final data."
    synthetic, total = by_class[matching.SYNTHETIC_OPIOIDS], by_class[matching.ALL_DRUGS]
    share = synthetic.value / total.value
    return (
        f"Deaths involving synthetic opioids other than methadone were {share:.0%} of all drug overdose deaths in "
        f"final data ({synthetic.value:,.0f} of {total.value:,.0f}; {synthetic.row}, {total.row}): an all-drug claim "
        f"set against the synthetic-opioid count looks {1 / share:.2f} times larger than against all deaths, "
        "because it mixes classes."
    )


def strike_figures(strikes: pd.DataFrame, as_of: object, more_than_strikes: int, at_least_killed: int) -> list[dict]:
    """ "more than N strikes" and "at least M killed" by ``as_of``, computed from the ledger."""
    day = pd.Timestamp(as_of)
    rows = strikes[strikes["date"] <= day]
    count, vessels = len(rows), int(rows["vessels"].sum())
    killed = int(rows["killed"].sum())
    unfound = int(rows["survivors_not_found"].sum(skipna=True))
    when = reconcile.day_text(day)
    strikes_reading = (
        f"{'holds' if count > more_than_strikes else 'does not hold'}: the ledger has {count} strike "
        f"rows ({vessels} vessels) dated on or before {when}"
    )
    if killed >= at_least_killed:
        killed_reading = f"holds: {killed} deaths as announced ({killed + unfound} with survivors never found)"
    elif killed + unfound >= at_least_killed:
        killed_reading = (
            f"holds only with survivors never found: {killed} deaths as announced, {killed + unfound} "
            f"with the {unfound} survivors reported never found"
        )
    else:
        killed_reading = f"does not hold: {killed} deaths as announced, {killed + unfound} with survivors never found"
    source = f"strike ledger, strikes dated on or before {when}"
    return [
        {
            "topic": "campaign",
            "figure": f"more than {more_than_strikes} strikes by {when}",
            "quantity": "strikes",
            "product": source,
            "row": f"{rows['strike_id'].iloc[0]} ... {rows['strike_id'].iloc[-1]}" if count else "",
            "reading": strikes_reading,
        },
        {
            "topic": "campaign",
            "figure": f"at least {at_least_killed} killed by {when}",
            "quantity": "people killed",
            "product": source,
            "row": f"{rows['strike_id'].iloc[0]} ... {rows['strike_id'].iloc[-1]}" if count else "",
            "reading": killed_reading,
        },
    ]


def seed_figures(
    claims: pd.DataFrame,
    cdc_tidy: pd.DataFrame,
    releases: pd.DataFrame,
    strikes: pd.DataFrame,
    as_of: object = "2026-01-01",
    more_than_strikes: int = 30,
    at_least_killed: int = 115,
    year: int = 2023,
) -> pd.DataFrame:
    """One table: the ``year`` figures by product (:func:`products_2023`), then the campaign counts."""
    rows = []
    for item in products_2023(claims, cdc_tidy, releases, year).itertuples():
        rows.append(
            {
                "topic": f"overdose deaths {year}",
                "figure": f"{item.value:,.0f}",
                "quantity": matching.CLASS_DEATHS[item.indicator],
                "product": item.product,
                "row": item.row,
                "reading": "",
            }
        )
    rows.extend(strike_figures(strikes, as_of, more_than_strikes, at_least_killed))
    return pd.DataFrame(rows, columns=SEED_COLUMNS)
