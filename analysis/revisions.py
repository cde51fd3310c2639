"""How far CDC's provisional counts move: revisions between the older releases and the latest one.

The project holds four releases of the same CDC dataset (``xkb8-kh2a``): the national rows of the
April 2018, mid-2019 and July 2019 releases (:mod:`analysis.vintages`) and the current snapshot
(September 2025, whose 2015-2023 values rest on final data). For every period and indicator that an
older release and the latest release both hold, this module sets the older value against the latest
one, measure by measure (reported against reported, predicted against predicted):

* :func:`revision_pairs` — every (period, older release) pair, with the revision in deaths and percent,
  the period's age at that release and, for the question "does predicted anticipate the revision?",
  each value's error against the latest **reported** count (for 2015-2023, final data);
* :func:`first_published` — for each period, the pair from the earliest release the project holds
  that gives a value ("first published" means first among the releases held: CDC published each
  period earlier than the oldest file the project has); this is ``data/processed/cdc_revisions.csv``;
* :func:`summary`, :func:`largest_revision`, :func:`anticipation` — the figures notebook 05 prints;
* :func:`band` — a stated range for a provisional figure of a given age: the largest revision seen
  among figures of about that age, labelled as an **empirical bound from N periods of named releases,
  not a statistical interval**;
* :func:`ratio_range` — the claims comparison's question "even if this period were revised by the
  largest revision seen, what would the ratio be?";
* :func:`quoted_releases` — figures from other releases that the claims ledger quotes (counter-figures),
  set against the snapshot, labelled as quoted.

Rules: values CDC left empty (the 2018 release has no predicted values) give no pair, nothing is
filled; a revision is ``latest - older`` (positive = revised up), its percent is of the older value;
the age is the months from the period's last month to the release month (the older releases' months
are approximate, see :data:`analysis.vintages.VINTAGES`; ``months_before_newest`` is exact).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from . import cdc, manifest, vintages
from .paths import Paths, project_paths

#: Indicators of the study: all drugs, synthetic opioids (T40.4), cocaine (T40.5).
INDICATORS = ("all_drugs", "synthetic_opioids", "cocaine")
MEASURES = ("reported", "predicted")

#: Columns of every (period, older release) pair, in order.
PAIR_COLUMNS = [
    "period_end",
    "indicator",
    "measure",
    "release",
    "value",
    "latest_release",
    "latest_value",
    "revision",
    "revision_percent",
    "age_months",
    "months_before_newest",
    "provisional_at_release",
    "latest_reported",
    "error",
    "error_percent",
    "first",
]
#: Columns of ``data/processed/cdc_revisions.csv`` (:func:`first_published`), in order.
REVISION_COLUMNS = [
    "period_end",
    "indicator",
    "measure",
    "first_release",
    "first_value",
    "latest_release",
    "latest_value",
    "revision",
    "revision_percent",
    "age_months",
    "months_before_newest",
    "provisional_at_release",
    "latest_reported",
    "error",
    "error_percent",
]
PERCENT_DECIMALS = 3
RATIO_DECIMALS = 3  # as analysis.compare
LATEST_FILE = cdc.RAW_FILE
_UNDERREPORTED = "underreported"  # CDC's footnote on provisional periods, in every layout held


class RevisionError(ValueError):
    """Releases that cannot be compared as given; the message names the release, period and field."""


# ---------------------------------------------------------------------------------------------
# Loading


def release_month(entry: Mapping[str, object]) -> str:
    """``YYYY-MM`` of a manifest entry's ``source_release`` (an API fetch records a day: its month)."""
    text = str(entry.get("source_release") or "")
    try:
        return str(pd.Period(text[:7], freq="M"))
    except ValueError:
        raise RevisionError(
            f"manifest entry {entry.get('file')!r}, field source_release: {text!r} is not a YYYY-MM month"
        ) from None


def load_held_releases(paths: Paths | None = None, latest: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every CDC release the project holds: release month -> tidy national table, oldest first.

    The older releases come through :func:`analysis.vintages.load_vintage`, the latest one through
    :func:`analysis.cdc.load_national` (or is ``latest``, that table already loaded); both check the
    manifest's checksum. The last key is the latest release.
    """
    paths = paths or project_paths()
    out = {release: vintages.load_vintage(release, paths) for release in sorted(vintages.VINTAGES)}
    month = release_month(manifest.entry(LATEST_FILE, paths))
    if month <= max(out):
        raise RevisionError(
            f"data/raw/{LATEST_FILE}: its release {month} is not newer than every older release held ({', '.join(out)})"
        )
    out[month] = cdc.load_national(paths) if latest is None else latest
    return out


def release_label(release: str) -> str:
    """'2019-06' -> 'Jun 2019'."""
    return pd.Period(release, freq="M").strftime("%b %Y")


def releases_text(releases) -> str:
    """'the Apr 2018, Jun 2019 and Jul 2019 releases' from release months."""
    names = [release_label(release) for release in sorted(set(releases))]
    if not names:
        return "no release"
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"the {joined} release{'s' if len(names) > 1 else ''}"


def months_between(period_end: str, when: object) -> int:
    """Whole months from a period's last month to ``when`` (a ``YYYY-MM`` month, a date or a Timestamp)."""
    end = pd.Period(str(period_end), freq="M")
    if isinstance(when, str) and len(when) == 7:
        month = pd.Period(when, freq="M")
    else:
        month = pd.Timestamp(when).to_period("M")
    return (month - end).n


# ---------------------------------------------------------------------------------------------
# The revision arithmetic


def _provisional(footnote: object) -> bool:
    return isinstance(footnote, str) and _UNDERREPORTED in footnote.lower()


def _national(table: pd.DataFrame) -> pd.DataFrame:
    """The United States rows (a table from ``fetch --all`` holds every jurisdiction)."""
    return table[table["jurisdiction"] == "US"] if "jurisdiction" in table else table


def _check_release(release: str, table: pd.DataFrame) -> None:
    missing = [
        column for column in ("period_end", "indicator", "reported", "predicted", "footnote") if column not in table
    ]
    if missing:
        raise RevisionError(f"release {release}: the table lacks column(s) {', '.join(missing)}")
    rows = _national(table)
    duplicated = rows[rows.duplicated(["period_end", "indicator"], keep=False)]
    if len(duplicated):
        first = duplicated.iloc[0]
        raise RevisionError(
            f"release {release}: period {first['period_end']}, indicator {first['indicator']} appears "
            f"{int(((rows['period_end'] == first['period_end']) & (rows['indicator'] == first['indicator'])).sum())}"
            " times"
        )
    late = rows[rows["period_end"].astype(str) >= release]
    if len(late):
        raise RevisionError(
            f"release {release}: period {late.iloc[0]['period_end']} ends in or after the release month "
            "(a release can only hold periods that ended before it)"
        )


def revision_pairs(releases: Mapping[str, pd.DataFrame], indicators=INDICATORS) -> pd.DataFrame:
    """Every (period, indicator, measure, older release) value set against the latest release.

    ``releases`` maps release month (``YYYY-MM``) to a tidy national table (:func:`load_held_releases`);
    the newest month is the latest release. A pair exists only where both the older and the latest
    release give a value. Columns :data:`PAIR_COLUMNS`; ``first`` marks the earliest release held
    with a value for that period, indicator and measure. Sorted by indicator, measure, period, release.
    """
    if len(releases) < 2:
        raise RevisionError(f"need an older release and a latest one, got {len(releases)} release(s)")
    for release, table in releases.items():
        if str(pd.Period(release, freq="M")) != release:
            raise RevisionError(f"release {release!r} is not a YYYY-MM month")
        _check_release(release, table)
    order = sorted(releases)
    latest_release = order[-1]
    latest = _national(releases[latest_release])
    latest = latest[latest["indicator"].isin(indicators)].set_index(["indicator", "period_end"])
    frames = []
    for release in order[:-1]:
        table = _national(releases[release])
        table = table[table["indicator"].isin(indicators)]
        newest = str(table["period_end"].max())
        for measure in MEASURES:
            older = table.dropna(subset=[measure])
            if older.empty:
                continue
            joined = older.join(latest[["reported", "predicted"]].add_suffix("_latest"), on=["indicator", "period_end"])
            latest_column = f"{measure}_latest"
            joined = joined.dropna(subset=[latest_column])
            if joined.empty:
                continue
            value = joined[measure].astype("int64")
            latest_value = joined[latest_column].astype("int64")
            latest_reported = joined["reported_latest"]
            revision = latest_value - value
            error = (value - latest_reported).astype("Int64")
            frames.append(
                pd.DataFrame(
                    {
                        "period_end": joined["period_end"].astype(str).to_numpy(),
                        "indicator": joined["indicator"].astype(str).to_numpy(),
                        "measure": measure,
                        "release": release,
                        "value": value.to_numpy(),
                        "latest_release": latest_release,
                        "latest_value": latest_value.to_numpy(),
                        "revision": revision.to_numpy(),
                        "revision_percent": (100 * revision / value).round(PERCENT_DECIMALS).to_numpy(),
                        "age_months": [months_between(period, release) for period in joined["period_end"].astype(str)],
                        "months_before_newest": [
                            (pd.Period(newest, "M") - pd.Period(str(p), "M")).n for p in joined["period_end"]
                        ],
                        "provisional_at_release": [_provisional(note) for note in joined["footnote"]],
                        "latest_reported": latest_reported.astype("Int64").to_numpy(),
                        "error": error.to_numpy(),
                        "error_percent": (100 * error.astype("Float64") / latest_reported.astype("Float64"))
                        .round(PERCENT_DECIMALS)
                        .to_numpy(),
                    }
                )
            )
    if not frames:
        raise RevisionError("no period is held by both an older release and the latest one")
    pairs = pd.concat(frames, ignore_index=True)
    pairs = pairs.sort_values(["indicator", "measure", "period_end", "release"], kind="stable").reset_index(drop=True)
    pairs["first"] = ~pairs.duplicated(["indicator", "measure", "period_end"], keep="first")
    pairs["latest_reported"] = pairs["latest_reported"].astype("Int64")
    pairs["error"] = pairs["error"].astype("Int64")
    pairs["error_percent"] = pairs["error_percent"].astype("Float64")
    return pairs[PAIR_COLUMNS]


def first_published(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each period's value in the earliest release held against the latest: ``cdc_revisions.csv``."""
    first = pairs[pairs["first"]].rename(columns={"release": "first_release", "value": "first_value"})
    return first[REVISION_COLUMNS].reset_index(drop=True)


def revisions(paths: Paths | None = None, indicators=INDICATORS, latest: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`first_published` of :func:`revision_pairs` of every release in ``data/raw/`` (``latest``:
    the latest release's table when already loaded)."""
    return first_published(revision_pairs(load_held_releases(paths, latest=latest), indicators))


# ---------------------------------------------------------------------------------------------
# What the revisions show


def _release_column(table: pd.DataFrame) -> str:
    return "first_release" if "first_release" in table else "release"


def _value_column(table: pd.DataFrame) -> str:
    return "first_value" if "first_value" in table else "value"


@dataclass(frozen=True)
class Largest:
    """The largest revision (by size) among some figures, and where it was."""

    indicator: str
    measure: str
    period_end: str
    release: str
    value: int
    latest_value: int
    revision: int
    revision_percent: float
    age_months: int
    figures: int  # how many figures it was the largest of

    def text(self) -> str:
        return (
            f"{self.revision_percent:+.1f}% ({self.value:,} -> {self.latest_value:,}, 12 months ending "
            f"{release_label(self.period_end)} in the {release_label(self.release)} release, "
            f"{self.age_months} months old)"
        )


def largest_revision(table: pd.DataFrame, indicator: str, measure: str, provisional_only: bool = True) -> Largest:
    """The revision of largest size (ties: the earliest period) of one indicator and measure."""
    rows = _select(table, indicator, measure, provisional_only)
    share = (rows["revision"].astype(float) / rows[_value_column(rows)].astype(float)).abs()
    row = rows.loc[share.idxmax()]
    return Largest(
        indicator,
        measure,
        str(row["period_end"]),
        str(row[_release_column(rows)]),
        int(row[_value_column(rows)]),
        int(row["latest_value"]),
        int(row["revision"]),
        float(row["revision_percent"]),
        int(row["age_months"]),
        len(rows),
    )


def _select(table: pd.DataFrame, indicator: str, measure: str, provisional_only: bool) -> pd.DataFrame:
    rows = table[(table["indicator"] == indicator) & (table["measure"] == measure)]
    if provisional_only:
        rows = rows[rows["provisional_at_release"]]
    if rows.empty:
        raise RevisionError(
            f"no {'provisional ' if provisional_only else ''}{measure} figure of {indicator} in the revisions table"
        )
    return rows


SUMMARY_COLUMNS = [
    "indicator",
    "measure",
    "periods",
    "provisional_periods",
    "releases",
    "ages",
    "median_percent",
    "largest_percent",
    "largest_where",
]


def summary(table: pd.DataFrame, indicators=INDICATORS) -> pd.DataFrame:
    """Per indicator and measure: figures (all, and provisional at release), the releases they come from,
    their ages, and the median and largest revision in percent **of the provisional figures**."""
    rows = []
    for indicator in indicators:
        for measure in MEASURES:
            part = table[(table["indicator"] == indicator) & (table["measure"] == measure)]
            provisional = part[part["provisional_at_release"]]
            if provisional.empty:
                continue
            top = largest_revision(table, indicator, measure)
            rows.append(
                {
                    "indicator": indicator,
                    "measure": measure,
                    "periods": len(part),
                    "provisional_periods": len(provisional),
                    "releases": ", ".join(release_label(r) for r in sorted(set(provisional[_release_column(part)]))),
                    "ages": f"{int(provisional['age_months'].min())}-{int(provisional['age_months'].max())} months",
                    "median_percent": round(float(provisional["revision_percent"].median()), 2),
                    "largest_percent": round(top.revision_percent, 2),
                    "largest_where": (
                        f"{top.period_end} ({release_label(top.release)} release, {top.age_months} months old)"
                    ),
                }
            )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _frame(rows: list[dict], columns: list[str], whole: tuple[str, ...]) -> pd.DataFrame:
    """``rows`` as a frame in ``columns`` order, the ``whole`` columns as nullable integers (Int64)."""
    out = pd.DataFrame(rows, columns=columns)
    for column in whole:
        out[column] = out[column].astype("Int64")
    return out


ANTICIPATION_COLUMNS = [
    "indicator",
    "ages",
    "periods",
    "predicted_closer",
    "median_error_reported_percent",
    "median_error_predicted_percent",
]


def anticipation(
    table: pd.DataFrame, indicators=INDICATORS, provisional_only: bool = True, young_months: int = 12
) -> pd.DataFrame:
    """Does the predicted value anticipate the revision? Per indicator and age group, for figures whose
    release gave both measures: how often the predicted value was closer than the reported one to the
    latest reported count, and the median error of each (percent of the latest reported count; a
    reported figure's error is minus its revision)."""
    release = _release_column(table)
    rows = []
    for indicator in indicators:
        part = table[table["indicator"] == indicator]
        if provisional_only:
            part = part[part["provisional_at_release"]]
        wide = part.pivot_table(
            index=["period_end", release, "age_months"], columns="measure", values="error_percent", aggfunc="first"
        ).dropna()
        if wide.empty or not {"reported", "predicted"} <= set(wide.columns):
            continue
        wide = wide.reset_index()
        groups = [
            (f"up to {young_months} months", wide["age_months"] <= young_months),
            (f"over {young_months} months", wide["age_months"] > young_months),
            ("all ages", wide["age_months"] >= 0),
        ]
        for label, mask in groups:
            group = wide[mask]
            if group.empty:
                continue
            closer = (group["predicted"].abs() < group["reported"].abs()).sum()
            rows.append(
                {
                    "indicator": indicator,
                    "ages": label,
                    "periods": len(group),
                    "predicted_closer": int(closer),
                    "median_error_reported_percent": float(group["reported"].median()),
                    "median_error_predicted_percent": float(group["predicted"].median()),
                }
            )
    return pd.DataFrame(rows, columns=ANTICIPATION_COLUMNS)


def pairs_at_same_age(pairs: pd.DataFrame, indicator: str = "all_drugs", measure: str = "reported") -> pd.DataFrame:
    """Ages at which more than one release holds a provisional figure: the revision each release's figure
    of that age later had (does the same age move less in a later release?). One row per age and release."""
    part = pairs[(pairs["indicator"] == indicator) & (pairs["measure"] == measure) & pairs["provisional_at_release"]]
    counts = part.groupby("age_months")["release"].nunique()
    shared = counts[counts > 1].index
    part = part[part["age_months"].isin(shared)]
    return (
        part.groupby(["age_months", "release"], as_index=False)
        .agg(periods=("period_end", "size"), median_percent=("revision_percent", "median"))
        .sort_values(["age_months", "release"], kind="stable")
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------------------------------------
# The band


@dataclass(frozen=True)
class Band:
    """An empirical bound on how far a provisional figure of a given age may still move.

    ``largest_percent`` is the largest revision (by size, percent of the first value) seen among the
    figures of about that age; :meth:`range` applies it either way. ``low_percent`` / ``high_percent``
    are the smallest and largest signed revisions seen. It is the record of N periods of named
    releases, **not** a statistical interval: nothing says the next revision stays inside it.
    """

    indicator: str
    measure: str
    age_months: int  # the age asked about
    ages: tuple[int, int]  # ages of the figures it rests on
    periods: int
    releases: tuple[str, ...]
    low_percent: float
    high_percent: float
    largest_percent: float
    outside_sample: bool  # no figure held is as young (or as old) as the age asked about

    def range(self, value: float) -> tuple[float, float]:
        """``value`` moved down and up by the largest revision seen."""
        share = self.largest_percent / 100
        return float(value) * (1 - share), float(value) * (1 + share)

    def label(self) -> str:
        ages = f"{self.ages[0]}" if self.ages[0] == self.ages[1] else f"{self.ages[0]} to {self.ages[1]}"
        text = (
            f"empirical bound from {self.periods} period{'s' if self.periods != 1 else ''} of "
            f"{releases_text(self.releases)} (figures {ages} months old at release; revisions seen "
            f"{self.low_percent:+.1f}% to {self.high_percent:+.1f}%), not a statistical interval"
        )
        if self.outside_sample:
            younger = self.age_months < self.ages[0]
            text += (
                f"; a figure {self.age_months} months old is {'younger' if younger else 'older'} than any in the "
                f"sample, so the bound {'may understate' if younger else 'may overstate'} its revision"
            )
        return text

    def text(self, value: float | None = None) -> str:
        out = f"revised by up to {self.largest_percent:.1f}% either way"
        if value is not None:
            low, high = self.range(value)
            out += f": {low:,.0f} to {high:,.0f}"
        return f"{out} ({self.label()})"


def band(
    table: pd.DataFrame,
    indicator: str,
    measure: str,
    age_months: int,
    window: int = 2,
    min_periods: int = 5,
    provisional_only: bool = True,
) -> Band:
    """The band for a provisional figure ``age_months`` old: the revisions of the first-published
    figures that were provisional at their release and whose age then is within ``window`` months of
    it, the window widened a month at a time until it holds ``min_periods`` periods (or every figure).

    ``table`` is :func:`first_published` output (``cdc_revisions.csv``). Figures that already rested
    on final data at their release are left out unless ``provisional_only`` is False (CDC's final data
    came about 18 months after a period's end in 2019; a figure of that age can be provisional today).
    :attr:`Band.outside_sample` says when no figure used is that young (or that old).
    """
    if window < 0 or min_periods < 1:
        raise ValueError(f"window must be >= 0 months and min_periods >= 1, got {window} and {min_periods}")
    if isinstance(age_months, bool) or int(age_months) != age_months or age_months < 0:
        raise ValueError(f"age_months must be a whole number of months >= 0, got {age_months!r}")
    age_months = int(age_months)
    rows = table[(table["indicator"] == indicator) & (table["measure"] == measure)]
    if provisional_only:
        rows = rows[rows["provisional_at_release"].astype(bool)]
    if rows.empty:
        kind = "provisional " if provisional_only else ""
        raise RevisionError(f"no {kind}{measure} figure of {indicator} in the revisions table: no band")
    distance = (rows["age_months"].astype(int) - age_months).abs()
    width = window
    used = rows[distance <= width]
    while used["period_end"].nunique() < min_periods and len(used) < len(rows):
        width += 1
        used = rows[distance <= width]
    share = 100 * used["revision"].astype(float) / used[_value_column(used)].astype(float)
    ages = rows["age_months"].astype(int)
    return Band(
        indicator=indicator,
        measure=measure,
        age_months=age_months,
        ages=(int(used["age_months"].min()), int(used["age_months"].max())),
        periods=int(used["period_end"].nunique()),
        releases=tuple(sorted(set(used[_release_column(used)]))),
        low_percent=round(float(share.min()), 2),
        high_percent=round(float(share.max()), 2),
        largest_percent=round(float(share.abs().max()), 2),
        outside_sample=not int(ages.min()) <= age_months <= int(ages.max()),
    )


@dataclass(frozen=True)
class RatioRange:
    """A claim's ratio to CDC if the CDC figure were revised by the largest revision seen (either way)."""

    ratio_low: float  # claimed low / (CDC figure revised up)
    ratio_high: float  # claimed high / (CDC figure revised down)
    cdc_low: float
    cdc_high: float
    band: Band

    def text(self) -> str:
        return (
            f"even if this period were revised by the largest revision seen ({self.band.largest_percent:.1f}% "
            f"either way, CDC {self.cdc_low:,.0f} to {self.cdc_high:,.0f}), the ratio would be "
            f"{_ratios(self.ratio_low, self.ratio_high)}; {self.band.label()}"
        )


def ratio_range(
    claimed_low: float,
    claimed_high: float,
    cdc_value: float,
    age_months: int,
    table: pd.DataFrame,
    indicator: str,
    measure: str = "predicted",
    window: int = 2,
    min_periods: int = 5,
) -> RatioRange:
    """The ratio range "even if this period were revised by the largest revision seen".

    ``cdc_value`` is the matched CDC figure (the claims comparison uses the predicted value),
    ``age_months`` the period's age (:func:`months_between`: from the period's end to the release the
    figure was read from, or to the claim's date for what was published then), ``table`` the
    revisions (:func:`first_published`). Ratios are rounded to 3 decimals, as the comparison's are.
    """
    for name, value in (("claimed_low", claimed_low), ("claimed_high", claimed_high), ("cdc_value", cdc_value)):
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            raise ValueError(f"{name} is missing: no ratio range")
    if float(cdc_value) <= 0:
        raise ValueError(f"cdc_value must be a positive count, got {cdc_value!r}")
    found = band(table, indicator, measure, age_months, window, min_periods)
    low, high = found.range(cdc_value)
    return RatioRange(
        round(float(claimed_low) / high, RATIO_DECIMALS),
        round(float(claimed_high) / low, RATIO_DECIMALS),
        low,
        high,
        found,
    )


def is_provisional(cdc_tidy: pd.DataFrame, indicator: str, period_end: str) -> bool:
    """True when the release marks the period as provisional (CDC's footnote 'Underreported due to
    incomplete data'); False when it rests on final data. Raises KeyError for a period not in it."""
    rows = cdc_tidy[(cdc_tidy["indicator"] == indicator) & (cdc_tidy["period_end"] == period_end)]
    if rows.empty:
        raise KeyError(f"{indicator}, 12 months ending {period_end} is not in the release")
    return _provisional(rows.iloc[0]["footnote"])


# ---------------------------------------------------------------------------------------------
# The band applied to a matched CDC figure (the claims comparison's "revision band" row)

#: ``measure`` of :func:`figure_band` for a figure whose page does not say whether it is a reported or a
#: predicted count (a figure quoted from a release beyond the snapshot): the larger of the two bands.
EITHER_MEASURE = "reported or predicted"


@dataclass(frozen=True, eq=False)
class BandBasis:
    """What a revision band rests on: the revisions table (:func:`first_published`) and the band's
    parameters. ``latest_release`` is the release the table sets every figure against, i.e. the
    release this project's snapshot figures were read from."""

    table: pd.DataFrame
    window: int = 2
    min_periods: int = 5

    def __post_init__(self) -> None:
        releases = set(self.table["latest_release"].astype(str)) if "latest_release" in self.table else set()
        if len(releases) != 1:
            raise RevisionError(
                f"the revisions table must set every figure against one latest release, got {sorted(releases)}"
            )

    @property
    def latest_release(self) -> str:
        return str(self.table["latest_release"].iloc[0])


def band_basis(
    paths: Paths | None = None, latest: pd.DataFrame | None = None, window: int = 2, min_periods: int = 5
) -> BandBasis:
    """:class:`BandBasis` from every release in ``data/raw/`` (``latest``: the latest release's table
    when already loaded)."""
    return BandBasis(revisions(paths, latest=latest), window, min_periods)


@dataclass(frozen=True)
class BandPart:
    """One period of a matched CDC figure: its value, and (when provisional) its age and band."""

    period_end: str
    value: float
    age_months: int | None  # months from the period's end to the release it was read from; None: final data
    band: Band | None  # None: the period rests on final data and is not moved

    @property
    def low(self) -> float:
        return self.value if self.band is None else self.band.range(self.value)[0]

    @property
    def high(self) -> float:
        return self.value if self.band is None else self.band.range(self.value)[1]


@dataclass(frozen=True)
class FigureBand:
    """A matched CDC figure (one period, or the average of several years' December values) with each
    of its provisional periods moved either way by the band for its age; final periods stay put."""

    indicator: str
    parts: tuple[BandPart, ...]
    release: str  # the release the figure was read from (YYYY-MM)

    @property
    def value(self) -> float:
        return sum(part.value for part in self.parts) / len(self.parts)

    @property
    def low(self) -> float:
        return sum(part.low for part in self.parts) / len(self.parts)

    @property
    def high(self) -> float:
        return sum(part.high for part in self.parts) / len(self.parts)

    @property
    def banded(self) -> tuple[BandPart, ...]:
        """The provisional periods (those moved by a band), oldest first."""
        return tuple(part for part in self.parts if part.band is not None)

    @property
    def newest(self) -> BandPart:
        """The newest provisional period: its age and band are the ones the claims tables report."""
        return self.banded[-1]

    @property
    def percent(self) -> float:
        """The largest band among the provisional periods (percent, either way)."""
        return max(part.band.largest_percent for part in self.banded)

    def ratios(self, claimed_low: float, claimed_high: float) -> tuple[float, float]:
        """Claimed low ÷ the figure moved up, claimed high ÷ the figure moved down (3 decimals)."""
        return (
            round(float(claimed_low) / self.high, RATIO_DECIMALS),
            round(float(claimed_high) / self.low, RATIO_DECIMALS),
        )

    def label(self) -> str:
        """The band in words: its size, the periods and releases it rests on, and that it is not a
        statistical interval."""
        if len(self.parts) == 1:
            return self.parts[0].band.label()
        return (
            "; ".join(
                f"{part.period_end[:4]}, still provisional: {part.band.largest_percent:.1f}% either way, "
                f"{part.band.label()}"
                for part in self.banded
            )
            + "; the final years stay as published"
        )

    def text(self, claimed_low: float, claimed_high: float) -> str:
        """'even if this period were revised by the largest revision seen (...), the ratio would be ...'."""
        low, high = self.ratios(claimed_low, claimed_high)
        if len(self.parts) == 1:
            return RatioRange(low, high, self.low, self.high, self.parts[0].band).text()
        years = [part.period_end[:4] for part in self.banded]
        named = years[0] if len(years) == 1 else ", ".join(years[:-1]) + " and " + years[-1]
        which = "the one year" if len(years) == 1 else f"the {len(years)} years"
        final = [part.period_end[:4] for part in self.parts if part.band is None]
        return (
            f"even if {named}, {which} of this average still provisional, were revised by the largest revision "
            f"seen ({self.percent:.1f}% either way, CDC's average {self.low:,.0f} to {self.high:,.0f}), the ratio "
            f"would be {_ratios(low, high)}; "
            + "; ".join(f"{part.period_end[:4]}: {part.band.label()}" for part in self.banded)
            + (f"; the final years ({final[0]}-{final[-1]}) stay as published" if final else "")
        )


def _band_either(table: pd.DataFrame, indicator: str, age: int, window: int, min_periods: int) -> Band:
    found = [band(table, indicator, measure, age, window, min_periods) for measure in MEASURES]
    return max(found, key=lambda item: item.largest_percent)


def figure_band(
    indicator: str,
    parts,
    release: str,
    basis: BandBasis,
    measure: str = "predicted",
) -> FigureBand | None:
    """The band applied to one matched CDC figure, or None when every period of it rests on final data.

    ``parts`` are ``(period_end, value, provisional)``: one period, or the December values of the years
    an average is taken over. ``release`` is the release the figure was read from (``YYYY-MM``): a
    provisional period's age is the months from its end to that release (:func:`months_between`), and
    its band the largest revision seen among first-published provisional figures of about that age
    (:func:`band`, with ``basis``'s window and minimum of periods), applied either way. ``measure`` picks
    whose revisions make the band: ``predicted``, ``reported``, or :data:`EITHER_MEASURE` (the larger
    of the two, for a figure whose measure is not stated).
    """
    if measure not in (*MEASURES, EITHER_MEASURE):
        raise ValueError(f"measure must be one of {', '.join((*MEASURES, EITHER_MEASURE))}, got {measure!r}")
    built = []
    for period_end, value, provisional in parts:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            raise ValueError(f"{indicator}, {period_text(period_end)}: the value is missing, no band")
        if not provisional:
            built.append(BandPart(str(period_end), float(value), None, None))
            continue
        age = months_between(period_end, release)
        if measure == EITHER_MEASURE:
            found = _band_either(basis.table, indicator, age, basis.window, basis.min_periods)
        else:
            found = band(basis.table, indicator, measure, age, basis.window, basis.min_periods)
        built.append(BandPart(str(period_end), float(value), age, found))
    if not built:
        raise ValueError(f"{indicator}: no period given, no band")
    if not any(part.band is not None for part in built):
        return None
    return FigureBand(indicator, tuple(built), release)


BAND_COLUMNS = [
    "claim_id",
    "date",
    "release",
    "cdc_period_end",
    "cdc_years",
    "cdc_indicator",
    "tier",
    "age_months",
    "age_at_claim_months",
    "cdc_value",
    "ratio_low",
    "ratio_high",
    "band_measure",
    "band_percent",
    "band_ratio_low",
    "band_ratio_high",
    "band_periods",
    "band_note",
]


def _years(text: object) -> list[int]:
    first, _, last = str(text).partition("-")
    return list(range(int(first), int(last or first) + 1))


def _quoted_release(calendar: pd.DataFrame | None, claim_id: str, period_end: str) -> str:
    if calendar is None:
        raise RevisionError(
            f"claim {claim_id}: its figure is quoted from a release beyond the snapshot; pass the release "
            "calendar to name that release"
        )
    published = calendar[(calendar["basis"] != "none") & (calendar["latest_period"] >= period_end)]
    if published.empty or str(published.iloc[0]["latest_period"]) != period_end:
        raise RevisionError(f"claim {claim_id}: no release in the calendar first published {period_text(period_end)}")
    return str(published.iloc[0]["release_month"])


def claims_band(
    comparison: pd.DataFrame,
    cdc_tidy: pd.DataFrame,
    table: pd.DataFrame,
    release: str,
    window: int = 2,
    min_periods: int = 5,
    band_measure: str = "predicted",
    calendar: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """For every rated claim whose matched CDC figure is still provisional: its ratio range if that
    figure were revised by the largest revision seen for a figure of its age (:func:`figure_band`).

    ``comparison`` is :func:`analysis.matching.claims_vs_cdc` output (needs ``claim_id, date, tier,
    match_rule, cdc_period_end, cdc_years, cdc_indicator, cdc_value, claimed_low, claimed_high,
    ratio_low, ratio_high``). The age is the figure's age at the release it was read from: ``release``
    (the snapshot's release) for a snapshot figure; for a figure quoted from a release beyond the
    snapshot, the release that first published its period (from ``calendar``; its band is the larger
    of the reported and predicted ones, as the page does not say which it is). ``age_at_claim_months``
    is the period's age on the claim's date, for the record. A figure resting on final data is left
    out (its count no longer waits for records); an average over several years moves only its
    provisional years. ``band_measure`` picks whose revisions make the band for a snapshot figure:
    ``predicted`` (like with like, the default) or ``reported`` (larger revisions: a wider band). The
    same rule gives the sensitivity table's ``revision_band`` row (:mod:`analysis.sensitivity`).
    """
    basis = BandBasis(table, window, min_periods)
    lookup = _national(cdc_tidy).set_index(["indicator", "period_end"])
    rated = comparison[comparison["ratio_low"].notna() & comparison["cdc_value"].notna()]
    rows = []
    for row in rated.itertuples(index=False):
        if row.tier == "quoted release":
            read_from = _quoted_release(calendar, row.claim_id, row.cdc_period_end)
            parts = [(row.cdc_period_end, float(row.cdc_value), True)]
            measure = EITHER_MEASURE
        else:
            read_from = release
            periods = (
                [f"{year}-12" for year in _years(row.cdc_years)]
                if row.match_rule == "named_years"
                else [row.cdc_period_end]
            )
            parts = [
                (
                    period,
                    float(lookup.loc[(row.cdc_indicator, period), "predicted"]),
                    is_provisional(cdc_tidy, row.cdc_indicator, period),
                )
                for period in periods
            ]
            measure = band_measure
        found = figure_band(row.cdc_indicator, parts, read_from, basis, measure)
        if found is None:
            continue
        band_low, band_high = found.ratios(row.claimed_low, row.claimed_high)
        newest = found.newest
        rows.append(
            {
                "claim_id": row.claim_id,
                "date": row.date,
                "release": read_from,
                "cdc_period_end": row.cdc_period_end,
                "cdc_years": row.cdc_years,
                "cdc_indicator": row.cdc_indicator,
                "tier": row.tier,
                "age_months": newest.age_months,
                "age_at_claim_months": months_between(newest.period_end, row.date) if row.date else pd.NA,
                "cdc_value": float(row.cdc_value),
                "ratio_low": float(row.ratio_low),
                "ratio_high": float(row.ratio_high),
                "band_measure": measure,
                "band_percent": found.percent,
                "band_ratio_low": band_low,
                "band_ratio_high": band_high,
                "band_periods": newest.band.periods,
                "band_note": found.label(),
            }
        )
    return _frame(rows, BAND_COLUMNS, whole=("age_months", "age_at_claim_months", "band_periods"))


# ---------------------------------------------------------------------------------------------
# Releases quoted in the claims ledger

QUOTED_COLUMNS = [
    "claim_id",
    "date",
    "cdc_period_end",
    "cdc_indicator",
    "quoted",
    "quoted_measure",
    "quoted_release",
    "release_basis",
    "age_months",
    "latest_reported",
    "latest_predicted",
    "reported_vs_quoted_percent",
    "predicted_vs_quoted_percent",
    "final",
    "final_claim_id",
    "source_url",
]


def _quoted_measure(period_text: str) -> str:
    text = period_text.lower()
    if "predicted" in text:
        return "predicted"
    if "reported" in text:
        return "reported"
    return "not stated"


def quoted_releases(comparison: pd.DataFrame, calendar: pd.DataFrame) -> pd.DataFrame:
    """Provisional CDC figures the claims ledger quotes from other releases, against the snapshot's value.

    Rows: counter-figures of :func:`analysis.matching.claims_vs_cdc` whose period text says
    ``provisional`` and whose period is in the snapshot. ``quoted_release`` is the release CDC had out
    on the row's date (:func:`analysis.releases.latest_published`; ``release_basis`` says whether the
    calendar reports it or assumes it from the schedule); empty for an undated row, or when no release
    out on that day held the period.
    ``reported_vs_quoted_percent`` and ``predicted_vs_quoted_percent`` set the snapshot's reported and
    predicted values against the quoted figure (percent of the quoted figure; ``quoted_measure`` says
    which of the two the page names, if either). ``final`` is a counter-figure from **final** data for the
    same period and indicator (NCHS's final count, a different product: it counts residents only).
    Everything here is quoted from pages, not read from CDC's files.
    """
    from .releases import latest_published

    counters = comparison[comparison["kind"] == "counter_figure"]
    period_text = counters["period"].fillna("").str.lower()
    finals = counters[period_text.str.contains("final") & counters["claimed_low"].notna()]
    final_of = {(row.cdc_period_end, row.cdc_indicator): row for row in finals.itertuples(index=False)}
    quoted = counters[
        period_text.str.contains("provisional|preliminary")
        & counters["cdc_predicted"].notna()
        & counters["claimed_low"].notna()
    ]
    rows = []
    for row in quoted.itertuples(index=False):
        measure = _quoted_measure(str(row.period))
        day = row.date if len(row.date) != 7 else f"{row.date}-01"  # a month-only date: its first day
        published = latest_published(calendar, day) if row.date else None
        if published is not None and published.period < row.cdc_period_end:
            published = None  # the calendar has no release out that day holding the period: not placed
        release = published.release_month if published else ""
        final = final_of.get((row.cdc_period_end, row.cdc_indicator))
        rows.append(
            {
                "claim_id": row.claim_id,
                "date": row.date,
                "cdc_period_end": row.cdc_period_end,
                "cdc_indicator": row.cdc_indicator,
                "quoted": int(row.claimed_low),
                "quoted_measure": measure,
                "quoted_release": release,
                "release_basis": published.basis if published else "",
                "age_months": months_between(row.cdc_period_end, release) if release else pd.NA,
                "latest_reported": int(row.cdc_reported),
                "latest_predicted": int(row.cdc_predicted),
                "reported_vs_quoted_percent": round(
                    100 * (int(row.cdc_reported) - row.claimed_low) / row.claimed_low, 2
                ),
                "predicted_vs_quoted_percent": round(
                    100 * (int(row.cdc_predicted) - row.claimed_low) / row.claimed_low, 2
                ),
                "final": int(final.claimed_low) if final is not None else pd.NA,
                "final_claim_id": final.claim_id if final is not None else "",
                "source_url": row.source_url,
            }
        )
    return _frame(rows, QUOTED_COLUMNS, whole=("age_months", "final"))


QUOTED_BAND_COLUMNS = [
    "claim_id",
    "cdc_period_end",
    "cdc_indicator",
    "quoted_measure",
    "quoted_release",
    "age_months",
    "quoted",
    "latest_release",
    "latest",
    "moved_percent",
    "band_percent",
    "band_periods",
    "within_band",
]


def quoted_against_band(
    quoted: pd.DataFrame, table: pd.DataFrame, latest_release: str, window: int = 2, min_periods: int = 5
) -> pd.DataFrame:
    """Each quoted figure whose page names its measure and whose release is known: how far it had moved
    by the latest release, against the band for a figure of its age. The latest release is not final
    data, so this is at most part of the figure's revision."""
    rows = []
    usable = quoted[quoted["quoted_measure"].isin(MEASURES) & (quoted["quoted_release"] != "")]
    for row in usable.itertuples(index=False):
        if row.quoted_release >= latest_release:
            continue  # quoted from the latest release itself: nothing has moved yet
        latest = int(row.latest_reported if row.quoted_measure == "reported" else row.latest_predicted)
        found = band(table, row.cdc_indicator, row.quoted_measure, int(row.age_months), window, min_periods)
        moved = round(100 * (latest - row.quoted) / row.quoted, 2)
        rows.append(
            {
                "claim_id": row.claim_id,
                "cdc_period_end": row.cdc_period_end,
                "cdc_indicator": row.cdc_indicator,
                "quoted_measure": row.quoted_measure,
                "quoted_release": row.quoted_release,
                "age_months": int(row.age_months),
                "quoted": int(row.quoted),
                "latest_release": latest_release,
                "latest": latest,
                "moved_percent": moved,
                "band_percent": found.largest_percent,
                "band_periods": found.periods,
                "within_band": abs(moved) <= found.largest_percent,
            }
        )
    return pd.DataFrame(rows, columns=QUOTED_BAND_COLUMNS)


def quoted_band_lines(table: pd.DataFrame, quoted: pd.DataFrame) -> list[str]:
    """Sentences on the quoted figures set against the band (from :func:`quoted_against_band`)."""
    unusable = int((~quoted["quoted_measure"].isin(MEASURES)).sum())
    lines = []
    for row in table.itertuples(index=False):
        verdict = "within" if row.within_band else "outside"
        lines.append(
            f"{row.claim_id} (quoted): {period_text(row.cdc_period_end)}, {row.quoted_measure} {row.quoted:,} in the "
            f"{release_label(row.quoted_release)} release ({row.age_months} months old), {row.latest:,} in the "
            f"{release_label(row.latest_release)} release: {row.moved_percent:+.1f}%, {verdict} the band of "
            f"{row.band_percent:.1f}% for a figure of that age ({row.band_periods} periods of the older releases)."
        )
    if table.empty:
        lines.append("No quoted figure names its measure and its release: none can be set against the band.")
    if unusable:
        lines.append(
            f"{unusable} quoted figure{'s do' if unusable != 1 else ' does'} not say whether "
            f"{'they are' if unusable != 1 else 'it is'} a reported or a predicted count: not set against the band."
        )
    return lines


# ---------------------------------------------------------------------------------------------
# The finding (notebook 04's findings table)


def finding_row(
    table: pd.DataFrame, cdc_source_url: str, indicator: str = "all_drugs"
) -> tuple[str, str, str, str, str]:
    """(finding, number, data_file, rows, source): the largest revision of a first-published provisional
    count, reported and predicted, in the shape of :func:`analysis.compare.findings_table`'s rows."""
    reported = largest_revision(table, indicator, "reported")
    predicted = largest_revision(table, indicator, "predicted")
    release_files = "; ".join(
        f"data/raw/{vintages.vintage(r).file}" for r in sorted({reported.release, predicted.release})
    )
    latest = str(table["latest_release"].iloc[0])
    return (
        f"Largest revision of a provisional all-drug count from the earliest release held to the "
        f"{release_label(latest)} release (reported: {reported.figures} periods; predicted: {predicted.figures})",
        f"reported {reported.revision_percent:+.1f}%, predicted {predicted.revision_percent:+.1f}%",
        f"data/processed/cdc_revisions.csv (from {release_files}; data/raw/{LATEST_FILE})",
        f"{indicator} reported {reported.period_end} ({release_label(reported.release)} release); "
        f"{indicator} predicted {predicted.period_end} ({release_label(predicted.release)} release)",
        cdc_source_url,
    )


def finding_sentence(table: pd.DataFrame, indicator: str = "all_drugs") -> str:
    """:func:`finding_row` as one plain sentence for readers (the front page's finding)."""
    reported = largest_revision(table, indicator, "reported")
    predicted = largest_revision(table, indicator, "predicted")
    latest = str(table["latest_release"].iloc[0])
    older = releases_text(table[_release_column(table)].astype(str))
    return (
        f"Between {older} of CDC's data and its {release_label(latest)} release, "
        f"provisional all-drug counts were revised by at most {reported.revision_percent:+.1f}% (reported counts, "
        f"{reported.figures} periods) and {predicted.revision_percent:+.1f}% (predicted, {predicted.figures} periods)."
    )


# ---------------------------------------------------------------------------------------------
# What notebook 05 prints: tables and sentences, every number computed here


def period_text(period_end: str) -> str:
    """'2018-11' -> '12 months ending Nov 2018'."""
    return f"12 months ending {release_label(period_end)}"


def source_text(paths: Paths | None = None) -> str:
    """The charts' source line: the dataset, the older releases held and the latest release."""
    paths = paths or project_paths()
    latest = manifest.entry(LATEST_FILE, paths)
    older = [release_month(manifest.entry(item.file, paths)) for item in vintages.VINTAGES.values()]
    return (
        "CDC/NCHS VSRR Provisional Drug Overdose Death Counts "
        f"(data.cdc.gov {latest.get('dataset_id', cdc.DATASET_ID)}), "
        f"national rows of {releases_text(older)} (months approximate) and of the "
        f"{release_label(release_month(latest))} release (periods to {release_label(str(latest['latest_period']))})"
    )


def _provisional_rows(table: pd.DataFrame, indicator: str, measure: str) -> pd.DataFrame:
    rows = table[(table["indicator"] == indicator) & (table["measure"] == measure)]
    return rows[rows["provisional_at_release"]]


def answer_lines(table: pd.DataFrame, pairs: pd.DataFrame, indicator: str = "all_drugs") -> list[str]:
    """The notebook's answer, first: what the releases held show for one indicator."""
    older = sorted(set(pairs["release"]))
    latest = str(table["latest_release"].iloc[0])
    periods = table["period_end"].astype(str)
    reported = _provisional_rows(table, indicator, "reported")
    predicted = _provisional_rows(table, indicator, "predicted")
    top_r, top_p = largest_revision(table, indicator, "reported"), largest_revision(table, indicator, "predicted")
    close = anticipation(table, (indicator,))
    close = close[close["ages"] == "all ages"].iloc[0]
    label = cdc.INDICATOR_BY_KEY[indicator].label
    return [
        f"Releases compared: {releases_text(older)} (national rows; release months approximate) against the "
        f"{release_label(latest)} release; {len(pairs):,} period-release pairs, of which {len(table):,} are each "
        f"period's earliest release held ({release_label(periods.min())} to {release_label(periods.max())}).",
        f"{label}: the {len(reported)} provisional reported counts (first published "
        f"{int(reported['age_months'].min())} to {int(reported['age_months'].max())} months after the period ended) "
        "were later revised by a median of "
        f"{reported['revision_percent'].median():+.1f}% and at most {top_r.text()}.",
        f"The {len(predicted)} provisional predicted values moved by a median of "
        f"{predicted['revision_percent'].median():+.1f}% and at most {top_p.text()}.",
        f"Against the count the {release_label(latest)} release reports for those periods (final data), the predicted "
        f"value was closer than the reported one for {int(close['predicted_closer'])} of {int(close['periods'])} "
        f"periods: predicted was off by a median of {close['median_error_predicted_percent']:+.1f}%, reported by "
        f"{close['median_error_reported_percent']:+.1f}%.",
    ]


def example_lines(table: pd.DataFrame, period_end: str, indicator: str = "all_drugs") -> list[str]:
    """One period's first-published values against the latest, measure by measure."""
    rows = table[(table["period_end"] == period_end) & (table["indicator"] == indicator)].set_index("measure")
    if rows.empty:
        raise RevisionError(f"{indicator}, {period_text(period_end)}: not in the revisions table")
    lines = []
    for measure in MEASURES:
        if measure not in rows.index:
            lines.append(f"{measure.capitalize()}: no value in the releases held.")
            continue
        row = rows.loc[measure]
        lines.append(
            f"{measure.capitalize()}: {int(row['first_value']):,} in the {release_label(row['first_release'])} release "
            f"({int(row['age_months'])} months after the period ended), {int(row['latest_value']):,} in the "
            f"{release_label(row['latest_release'])} release: {int(row['revision']):+,} deaths "
            f"({row['revision_percent']:+.1f}%)."
        )
    return lines


SIDE_BY_SIDE_COLUMNS = [
    "period",
    "release",
    "age (months)",
    "reported first",
    "reported latest",
    "reported revision %",
    "predicted first",
    "predicted latest",
    "predicted revision %",
]


def side_by_side(table: pd.DataFrame, indicator: str = "all_drugs") -> pd.DataFrame:
    """The provisional first-published figures of one indicator, reported and predicted side by side
    (the predicted columns are empty where the earliest release held gave no predicted value)."""
    rows = table[(table["indicator"] == indicator) & table["provisional_at_release"]]
    reported = rows[rows["measure"] == "reported"].set_index("period_end")
    predicted = rows[rows["measure"] == "predicted"].set_index("period_end")
    out = pd.DataFrame(
        {
            "period": reported.index,
            "release": [release_label(r) for r in reported["first_release"]],
            "age (months)": reported["age_months"].to_numpy(),
            "reported first": reported["first_value"].to_numpy(),
            "reported latest": reported["latest_value"].to_numpy(),
            "reported revision %": reported["revision_percent"].round(2).to_numpy(),
        }
    )
    same = predicted.reindex(reported.index)
    other = same["first_release"].to_numpy() != reported["first_release"].to_numpy()  # not the same release: left empty
    out["predicted first"] = same["first_value"].astype("Int64").mask(other).array
    out["predicted latest"] = same["latest_value"].astype("Int64").mask(other).array
    out["predicted revision %"] = same["revision_percent"].astype("Float64").round(2).mask(other).array
    return out[SIDE_BY_SIDE_COLUMNS]


def same_age_table(pairs: pd.DataFrame, indicator: str = "all_drugs") -> pd.DataFrame:
    """:func:`pairs_at_same_age` as one row per age, one column per release (median revision, percent)."""
    long = pairs_at_same_age(pairs, indicator, "reported")
    wide = long.pivot(index="age_months", columns="release", values="median_percent").round(2)
    wide.columns = [f"{release_label(c)} release" for c in wide.columns]
    return wide.reset_index().rename(columns={"age_months": "age (months)"})


def improvement_line(pairs: pd.DataFrame, indicator: str = "all_drugs") -> str:
    """How often a later release's figure of the same age moved less than an earlier release's."""
    long = pairs_at_same_age(pairs, indicator, "reported")
    ages = sorted(set(long["age_months"]))
    shrinking = [
        age
        for age in ages
        if long[long["age_months"] == age].sort_values("release")["median_percent"].is_monotonic_decreasing
    ]
    return (
        f"At {len(shrinking)} of the {len(ages)} ages that more than one release holds ({min(ages)} to {max(ages)} "
        f"months), each later release's reported figure of that age was revised less than the earlier release's."
    )


def method_shift(table: pd.DataFrame, indicators=INDICATORS) -> pd.DataFrame:
    """Predicted values of periods already **final** at their release: how far they moved all the same
    (a change in CDC's adjustment, not new death records)."""
    rows = []
    for indicator in indicators:
        part = table[
            (table["indicator"] == indicator) & (table["measure"] == "predicted") & ~table["provisional_at_release"]
        ]
        if part.empty:
            continue
        rows.append(
            {
                "indicator": indicator,
                "periods": len(part),
                "periods from": str(part["period_end"].min()),
                "periods to": str(part["period_end"].max()),
                "median revision %": round(float(part["revision_percent"].median()), 2),
                "smallest %": round(float(part["revision_percent"].min()), 2),
                "largest %": round(float(part["revision_percent"].max()), 2),
            }
        )
    return pd.DataFrame(rows)


BAND_TABLE_COLUMNS = [
    "period",
    "indicator",
    "measure",
    "age (months)",
    "value",
    "band %",
    "low",
    "high",
    "periods behind it",
    "ages used",
    "releases",
]


def band_table(
    cdc_tidy: pd.DataFrame,
    table: pd.DataFrame,
    release: str,
    periods,
    indicators=INDICATORS,
    measures=MEASURES,
    window: int = 2,
    min_periods: int = 5,
) -> pd.DataFrame:
    """The band applied to periods of a release: each figure, its age there, and the range if it were
    revised by the largest revision seen for that age (either way)."""
    rows = []
    for period in periods:
        age = months_between(period, release)
        for indicator in indicators:
            for measure in measures:
                value = cdc.value_at(cdc_tidy, indicator, period, measure)
                if pd.isna(value):
                    continue
                found = band(table, indicator, measure, age, window, min_periods)
                low, high = found.range(int(value))
                rows.append(
                    {
                        "period": period,
                        "indicator": indicator,
                        "measure": measure,
                        "age (months)": age,
                        "value": int(value),
                        "band %": found.largest_percent,
                        "low": round(low),
                        "high": round(high),
                        "periods behind it": found.periods,
                        "ages used": f"{found.ages[0]}-{found.ages[1]}"
                        + (
                            ""
                            if not found.outside_sample
                            else " (younger than any held)"
                            if age < found.ages[0]
                            else " (older than any held)"
                        ),
                        "releases": ", ".join(release_label(r) for r in found.releases),
                    }
                )
    return pd.DataFrame(rows, columns=BAND_TABLE_COLUMNS)


def provisional_periods(cdc_tidy: pd.DataFrame, indicator: str = "all_drugs") -> list[str]:
    """The periods a release marks provisional (CDC's 'Underreported due to incomplete data')."""
    rows = cdc_tidy[cdc_tidy["indicator"] == indicator]
    return sorted(str(p) for p, note in zip(rows["period_end"], rows["footnote"], strict=True) if _provisional(note))


def _ratio(value: float) -> str:
    """A ratio for readers: two decimals, or a whole number with separators from 100 on."""
    value = float(value)
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


def _ratios(low: float, high: float) -> str:
    return _ratio(low) if _ratio(low) == _ratio(high) else f"{_ratio(low)} to {_ratio(high)}"


def _span(values) -> str:
    low, high = int(min(values)), int(max(values))
    return f"{low}" if low == high else f"{low} to {high}"


def claims_band_lines(table: pd.DataFrame) -> list[str]:
    """What the band does to the claims' ratios (from :func:`claims_band`)."""
    if table.empty:
        return ["No rated claim is matched with a provisional period: the band changes no ratio."]
    widest = table.sort_values("band_percent", ascending=False, kind="stable").iloc[0]
    distance = pd.concat([(table["band_ratio_low"] - 1).abs(), (table["band_ratio_high"] - 1).abs()], axis=1).min(
        axis=1
    )
    nearest = table.loc[distance.idxmin()]

    def side(values):
        return (values.astype(float) - 1).apply(lambda v: (v > 0) - (v < 0))

    crosses = table[
        (side(table["ratio_low"]) != side(table["band_ratio_low"]))
        | (side(table["ratio_high"]) != side(table["band_ratio_high"]))
    ]
    averages = int((table["cdc_years"].fillna("") != "").sum()) if "cdc_years" in table else 0
    quoted = table["tier"] == "quoted release" if "tier" in table else pd.Series(False, index=table.index)
    where = [f"the {release_label(r)} release" for r in sorted(set(table.loc[~quoted, "release"]))]
    if quoted.any():
        where.append(f"{int(quoted.sum())} quoted from a later release")
    if averages:
        where.append(f"{averages} an average over years of which only the provisional ones move")
    lines = [
        f"{len(table)} rated claims are matched with a CDC figure that is still provisional ({'; '.join(where)}); "
        f"each band rests on {_span(table['band_periods'])} periods.",
        f"Largest band ({widest['band_measure']} revisions): {widest['band_percent']:.1f}% ({widest['claim_id']}, "
        f"{period_text(widest['cdc_period_end'])}, "
        f"{int(widest['age_months'])} months old): ratio {_ratios(widest['ratio_low'], widest['ratio_high'])} as "
        f"published, {_ratios(widest['band_ratio_low'], widest['band_ratio_high'])} if revised by that much.",
        f"Nearest to 1 (CDC's count): {nearest['claim_id']}, ratio "
        f"{_ratios(nearest['ratio_low'], nearest['ratio_high'])} as published, "
        f"{_ratios(nearest['band_ratio_low'], nearest['band_ratio_high'])} with a band of "
        f"{nearest['band_percent']:.1f}%.",
    ]
    if crosses.empty:
        lines.append(
            "No claim's ratio crosses 1 (CDC's count) within its band: every claim above CDC's count stays "
            "above it, every claim below stays below."
        )
    else:
        lines.append(f"Within their bands, the ratios of {', '.join(crosses['claim_id'])} would cross 1 (CDC's count).")
    return lines


FINAL_COLUMNS = [
    "claim_id",
    "cdc_period_end",
    "cdc_indicator",
    "final",
    "latest_reported",
    "final_vs_latest_percent",
    "source_url",
]


def final_product_gaps(comparison: pd.DataFrame) -> pd.DataFrame:
    """Final counts quoted in the claims ledger (NCHS final data) against the latest release's reported
    count of the same period: the gap between two products, not a revision."""
    counters = comparison[comparison["kind"] == "counter_figure"]
    finals = counters[
        counters["period"].fillna("").str.lower().str.contains("final")
        & counters["cdc_reported"].notna()
        & counters["claimed_low"].notna()
    ]
    out = pd.DataFrame(
        {
            "claim_id": finals["claim_id"],
            "cdc_period_end": finals["cdc_period_end"],
            "cdc_indicator": finals["cdc_indicator"],
            "final": finals["claimed_low"].astype("int64"),
            "latest_reported": finals["cdc_reported"].astype("int64"),
        }
    )
    out["final_vs_latest_percent"] = (100 * (out["final"] - out["latest_reported"]) / out["latest_reported"]).round(2)
    out["source_url"] = finals["source_url"]
    return (
        out[FINAL_COLUMNS]
        .sort_values(["cdc_period_end", "cdc_indicator", "claim_id"], kind="stable")
        .reset_index(drop=True)
    )


def limits_lines(
    table: pd.DataFrame, pairs: pd.DataFrame, cdc_tidy: pd.DataFrame, latest_release: str, indicator: str = "all_drugs"
) -> list[str]:
    """The sample's limits, in numbers: what periods and ages it covers against today's release."""
    older = sorted(set(pairs["release"]))
    periods = table["period_end"].astype(str)
    youngest = int(table["age_months"].min())
    newest = cdc.latest_period(cdc_tidy)
    provisional = provisional_periods(cdc_tidy, indicator)
    reported = _provisional_rows(table, indicator, "reported")
    predicted = _provisional_rows(table, indicator, "predicted")
    return [
        f"Periods: the older releases hold {release_label(periods.min())} to {release_label(periods.max())} only; "
        f"{len(older)} releases, whose months are approximate (the files carry no date).",
        f"Figures behind the medians and largest revisions, per indicator: {len(reported)} provisional reported and "
        f"{len(predicted)} provisional predicted values "
        f"(the {release_label(older[0])} release gave no predicted values).",
        f"Ages: the youngest figure held was {youngest} months old at its release; the {release_label(latest_release)} "
        f"release's newest period ({period_text(newest)}) was {months_between(newest, latest_release)} months old, "
        f"and it marks {len(provisional)} periods provisional ({release_label(provisional[0])} to "
        f"{release_label(provisional[-1])})."
        if provisional
        else f"Ages: the youngest figure held was {youngest} months old at its release.",
    ]


def for_reader(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for display: CDC's short class names for the indicator keys, plain column names."""
    from .charts import SHORT_LABELS

    out = frame.copy()
    for column in ("indicator", "cdc_indicator"):
        if column in out:
            out[column] = out[column].map(lambda key: SHORT_LABELS.get(key, key))
    out.columns = [str(c).replace("_percent", " %").replace("cdc_", "CDC ").replace("_", " ") for c in out.columns]
    return out
