"""The house chart style and the project's standard figures.

One call, :func:`use_house_style` (or :func:`setup_notebook` inside Jupyter), sets everything:
fixed figure size and dpi, a font that ships with matplotlib (DejaVu Sans), no timestamps or
random ids in saved files. Notebooks call the figure functions below and never restyle.

Every figure has a title that states its finding (computed from the data it draws), axis labels
with units, and a source line naming the dataset and its vintage (:func:`source_line`,
:func:`vintage_text`). Reported and predicted values are drawn differently (solid = predicted,
dashed = reported, both labelled); missing values stay gaps (nothing is interpolated); counts
start at zero; there is never a second y axis. Where time is on the x axis the campaign's first
strike is marked (:func:`mark_campaign`).
"""

from __future__ import annotations

import textwrap
from typing import Mapping

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from . import compare, reconcile

FIGSIZE = (9.0, 5.2)
DPI = 100
FONT = "DejaVu Sans"
#: The campaign's first strike: strike ledger row S001 (data/raw/strikes.csv). A test checks that
#: this equals the ledger's earliest strike date, so the two cannot drift apart.
CAMPAIGN_START = pd.Timestamp("2025-09-02")
CAMPAIGN_LABEL = "First boat strike\n2 Sep 2025"

#: Colours (colour-blind safe, Okabe-Ito)
COLOURS = {
    "all_drugs": "#0072B2",
    "synthetic_opioids": "#D55E00",
    "psychostimulants": "#009E73",
    "cocaine": "#CC79A7",
    "heroin": "#56B4E9",
    "natural_semisynthetic": "#E69F00",
    "methadone": "#999999",
    "opioids": "#000000",
    "claim": "#B22222",
    "counter": "#555555",
    "ledger": "#0072B2",
    "tally": "#D55E00",
    "Caribbean": "#0072B2",
    "Eastern Pacific": "#D55E00",
    "Unknown": "#999999",
    "campaign": "#444444",
}
#: CDC's own names for the classes (VSRR indicator labels), for legends and titles.
SHORT_LABELS = {
    "all_drugs": "All drug overdoses",
    "synthetic_opioids": "Synthetic opioids other than methadone (T40.4)",
    "psychostimulants": "Psychostimulants with abuse potential (T43.6)",
    "cocaine": "Cocaine (T40.5)",
    "heroin": "Heroin (T40.1)",
    "natural_semisynthetic": "Natural and semi-synthetic opioids (T40.2)",
    "methadone": "Methadone (T40.3)",
    "opioids": "Opioids (T40.0-T40.4, T40.6)",
}

HOUSE_RC = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.8,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "lines.linewidth": 2.0,
    "figure.constrained_layout.use": True,
    "svg.hashsalt": "overdose-claims",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "axes.formatter.use_locale": False,
    "date.autoformatter.month": "%b %Y",
    # Text comes from the ledgers ("cut from $5bn to $1bn"): it is text, never mathtext.
    "text.parse_math": False,
}


def use_house_style() -> None:
    """Apply the house rcParams (idempotent). Safe under any backend, including Agg."""
    matplotlib.rcParams.update(HOUSE_RC)


def setup_notebook() -> None:
    """Inside IPython: inline PNG figures, drawn at the house size, then the house style.

    pyplot's own IPython hook (which redraws every stale figure after each cell) is removed: the
    inline backend draws each figure once, into its PNG, and shows it once; the extra redraw only
    cost time (~0.35 s per figure).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
        get_ipython = lambda: None  # noqa: E731
    shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("matplotlib", "inline")
        shell.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
        shell.run_line_magic("config", "InlineBackend.print_figure_kwargs = {'bbox_inches': None}")
        shell.run_line_magic("config", "InlineBackend.rc = {}")
        plt.uninstall_repl_displayhook()
    use_house_style()


def save_png(fig: Figure, path) -> None:
    """Save ``fig`` as a PNG with no software/version metadata (byte-stable across versions)."""
    fig.savefig(path, format="png", dpi=DPI, metadata={"Software": None})


# ---------------------------------------------------------------------------------------------
# Helpers


def thousands(value: float, _pos=None) -> str:
    """Tick text with thousands separators: 100,000."""
    return f"{value:,.0f}"


def month_label(period_end: str) -> str:
    """'2025-04' -> 'Apr 2025'."""
    return pd.Period(period_end, "M").strftime("%b %Y")


def period_dates(periods) -> pd.DatetimeIndex:
    """x positions of 12 month-ending periods: the last day of the period's final month."""
    return pd.PeriodIndex(list(periods), freq="M").to_timestamp(how="end").normalize()


def vintage_text(entry: Mapping[str, object]) -> str:
    """The dataset and its vintage from a manifest entry, for a source line."""
    title = str(entry.get("title", entry.get("file", "dataset")))
    parts = [title]
    if entry.get("dataset_id"):
        parts[0] = f"CDC/NCHS VSRR Provisional Drug Overdose Death Counts (data.cdc.gov {entry['dataset_id']})"
    if entry.get("source_release"):
        parts.append(f"release {entry['source_release']}")
    if entry.get("latest_period"):
        parts.append(f"periods to {month_label(str(entry['latest_period']))}")
    return ", ".join(parts)


def source_line(fig: Figure, text: str) -> None:
    """Write 'Source: ...' along the bottom of the figure, wrapped to its width, in small grey type.

    The layout engine is told to keep that strip free, so the figure needs no tight bounding box
    (one draw instead of two when it is rendered).
    """
    width_chars = int(fig.get_figwidth() * 15)
    wrapped = textwrap.fill(f"Source: {text}", width=width_chars)
    lines = wrapped.count("\n") + 1
    strip = (0.06 + lines * 0.13) / fig.get_figheight()  # 7.5 pt lines, in inches -> figure fraction
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, strip, 1, 1 - strip))
    fig.text(0.005, 0.01, wrapped, ha="left", va="bottom", fontsize=7.5, color="#555555")


def finding_title(ax: Axes, title: str, subtitle: str | None = None) -> None:
    """The finding as the figure's bold headline (wrapped), and a plain subtitle above the axes."""
    fig = ax.figure
    fig.suptitle(textwrap.fill(title, width=78), x=0.0, ha="left", fontsize=12, fontweight="bold")
    if subtitle:
        ax.set_title(textwrap.fill(subtitle, width=110), loc="left", fontsize=9, fontweight="normal")


def fall_phrase(trend: compare.PeakDecline, subject: str) -> str:
    """'<subject> fell 32% from their peak in the 12 months ending Aug 2023 to ...', or, when the
    latest period is the peak, '<subject> were at their peak in the latest period, the 12 months
    ending ...' (the direction is computed, never assumed)."""
    if trend.change < 0:
        return (f"{subject} fell {abs(trend.change_pct):.0f}% from their peak in the 12 months ending "
                f"{month_label(trend.peak_period)} to the 12 months ending {month_label(trend.latest_period)}")
    return (f"{subject} were at their peak in the latest period, the 12 months ending "
            f"{month_label(trend.latest_period)}")


def range_text(low: object, high: object) -> str:
    """'25,000' for a single figure, '25,000 to 50,000' for a range (whole numbers, separators)."""
    low_text, high_text = f"{float(low):,.0f}", f"{float(high):,.0f}"
    return low_text if low_text == high_text else f"{low_text} to {high_text}"


def mark_campaign(ax: Axes, date=CAMPAIGN_START, label: str = CAMPAIGN_LABEL) -> None:
    """Mark the campaign's first strike on a time x axis (a dotted line and a label)."""
    date = pd.Timestamp(date)
    ax.axvline(date, color=COLOURS["campaign"], linestyle=":", linewidth=1.4, zorder=1)
    ax.annotate(
        label, xy=(date, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3),
        textcoords="offset points", ha="left", va="top", fontsize=8, color=COLOURS["campaign"],
    )


def _count_axis(ax: Axes, label: str) -> None:
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_ylabel(label)


def _finish_cdc_time_chart(fig: Figure, ax: Axes, ylabel: str, xlabel: str, legend_loc: str, source: str) -> Figure:
    """Axes, the campaign marker (with room after it), legend and source line of a CDC series over time."""
    _count_axis(ax, ylabel)
    _date_axis(ax, xlabel)
    mark_campaign(ax)
    ax.set_xlim(right=CAMPAIGN_START + pd.Timedelta(days=120))
    ax.legend(loc=legend_loc)
    source_line(fig, source)
    return fig


def _date_axis(ax: Axes, label: str = "") -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    ax.set_xlabel(label)


def _new(figsize=FIGSIZE) -> tuple[Figure, Axes]:
    fig, ax = plt.subplots(figsize=figsize, dpi=DPI)
    return fig, ax


def _series(cdc_tidy: pd.DataFrame, indicator: str, measure: str, start: str | None = None) -> pd.Series:
    from . import cdc

    series = cdc.deaths(cdc_tidy, indicator, measure)
    if start is not None:
        series = series[series.index >= start]
    return series


def _plot_series(ax: Axes, series: pd.Series, **style) -> None:
    """Plot a period-indexed series; missing values stay gaps (NaN breaks the line)."""
    values = series.astype("Float64").to_numpy(dtype=float, na_value=float("nan"))
    ax.plot(period_dates(series.index), values, **style)


# ---------------------------------------------------------------------------------------------
# Notebook 01: CDC trends


def overdose_trend(cdc_tidy: pd.DataFrame, source: str, indicators=("all_drugs", "synthetic_opioids")) -> Figure:
    """12 month-ending deaths, predicted (solid) and reported (dashed), per indicator; finding title."""
    fig, ax = _new()
    for key in indicators:
        colour = COLOURS.get(key, "#333333")
        _plot_series(ax, _series(cdc_tidy, key, "predicted"), color=colour, label=f"{SHORT_LABELS.get(key, key)}: predicted")
        _plot_series(ax, _series(cdc_tidy, key, "reported"), color=colour, linestyle="--", linewidth=1.2,
                     label=f"{SHORT_LABELS.get(key, key)}: reported")
    main = compare.peak_and_decline(_series(cdc_tidy, indicators[0], "predicted"), indicators[0], "predicted")
    finding_title(
        ax,
        fall_phrase(main, "Overdose deaths"),
        "United States, deaths in the 12 months ending each month; predicted = adjusted for reporting delay",
    )
    return _finish_cdc_time_chart(fig, ax, "Deaths in the 12 months ending that month",
                                  "12 month-ending period (plotted at the end of its last month)", "lower right", source)


def drug_classes(cdc_tidy: pd.DataFrame, source: str, indicators=(
        "synthetic_opioids", "psychostimulants", "cocaine", "natural_semisynthetic", "heroin", "methadone")) -> Figure:
    """Drug classes as separate lines (predicted), never stacked or summed; title names the class that
    fell most (timing only: no causal verb)."""
    fig, ax = _new()
    falls = []
    for key in indicators:
        series = _series(cdc_tidy, key, "predicted")
        _plot_series(ax, series, color=COLOURS.get(key, "#333333"), label=SHORT_LABELS.get(key, key))
        falls.append(compare.peak_and_decline(series, key, "predicted"))
    biggest = min(falls, key=lambda item: item.change)
    if biggest.change < 0:
        headline = (f"{SHORT_LABELS[biggest.indicator].split(' (')[0]} fell most: down "
                    f"{abs(biggest.change):,} deaths ({abs(biggest.change_pct):.0f}%) from their peak "
                    f"({month_label(biggest.peak_period)}) to {month_label(biggest.latest_period)}")
    else:
        headline = f"Every class shown is at its peak in the latest period, {month_label(biggest.latest_period)}"
    finding_title(
        ax,
        headline,
        "Predicted deaths in the 12 months ending each month. Classes overlap (one death can involve "
        "several drugs): the lines must not be added up.",
    )
    return _finish_cdc_time_chart(fig, ax, "Deaths in the 12 months ending that month (predicted)",
                                  "12 month-ending period", "upper left", source)


# ---------------------------------------------------------------------------------------------
# Notebook 02: claims


def claims_against_cdc(comparison: pd.DataFrame, cdc_tidy: pd.DataFrame, source: str,
                       start: str = "2022-01", y_max: float = 400_000) -> Figure:
    """Claimed annual deaths (ranges at the claim date) against CDC's 12 month-ending line.

    ``comparison`` is the scored comparison (:func:`analysis.verdicts.scored_comparison`): the title
    comes from its verdicts (:func:`claims_title`). Claims above ``y_max`` are not drawn to scale: an arrow at the top edge and a label give the
    figure. Counter-figures are drawn as grey points. Undated rows cannot be placed and are left out
    (the notebook's table lists them).
    """
    fig, ax = _new()
    for key in ("all_drugs", "synthetic_opioids"):
        _plot_series(ax, _series(cdc_tidy, key, "predicted", start), color=COLOURS[key],
                     label=f"CDC, {SHORT_LABELS[key]}: predicted")
        _plot_series(ax, _series(cdc_tidy, key, "reported", start), color=COLOURS[key], linestyle="--",
                     linewidth=1.2, label=f"CDC, {SHORT_LABELS[key]}: reported")
    dated = comparison[comparison["date"] != ""].copy()
    dated["x"] = pd.to_datetime(dated["date"].str.slice(0, 10), format="mixed")
    claims = dated[(dated["kind"] == "claim") & dated["claimed_low"].notna()]
    off_scale = claims[claims["claimed_high"] > y_max]
    on_scale = claims[claims["claimed_high"] <= y_max]
    ax.vlines(on_scale["x"], on_scale["claimed_low"].astype(float), on_scale["claimed_high"].astype(float),
              color=COLOURS["claim"], linewidth=3, label="Administration claim (low to high figure)")
    ax.scatter(on_scale["x"], on_scale["claimed_high"].astype(float), color=COLOURS["claim"], s=18, zorder=3)
    ax.scatter(on_scale["x"], on_scale["claimed_low"].astype(float), color=COLOURS["claim"], s=18, zorder=3)
    for row in off_scale.itertuples():
        ax.annotate(f"{row.claim_id}: {row.claimed_high:,.0f}\n(off the scale, kept as said)", xy=(row.x, y_max),
                    xytext=(-150, -40), textcoords="offset points", fontsize=8, color=COLOURS["claim"],
                    arrowprops={"arrowstyle": "->", "color": COLOURS["claim"]})
    counters = dated[dated["kind"] == "counter_figure"]
    ax.scatter(counters["x"], counters["claimed_low"].astype(float), facecolors="white", edgecolors=COLOURS["counter"],
               s=28, zorder=3, label="Counter-figure (as quoted, at its publication date)")
    finding_title(ax, claims_title(claims, y_max),
                  "Claimed deaths per year at the date of the claim (red), against CDC's 12 month-ending counts. "
                  "Counter-figures are plotted at their publication date.")
    ax.set_ylim(0, y_max)
    _count_axis(ax, "Deaths per year / in 12 months")
    _date_axis(ax, "Date of claim; CDC period (plotted at its last month)")
    mark_campaign(ax)
    ax.set_xlim(pd.Timestamp(start), pd.Timestamp(dated["x"].max()) + pd.Timedelta(days=60))
    ax.legend(loc="upper left", fontsize=8)
    source_line(fig, source)
    return fig


def claims_title(claims: pd.DataFrame, y_max: float = 400_000) -> str:
    """The claims chart's finding from the verdicts (:mod:`analysis.verdicts`), over the claims drawn to
    scale: an off-scale figure is annotated on the chart, never the headline."""
    scored = claims[claims["verdict"].isin(["overstates", "understates", "consistent with CDC"])]
    over = scored[(scored["verdict"] == "overstates") & (scored["claimed_high"] <= y_max)]
    if over.empty:
        return f"None of the {len(scored)} numeric claims drawn to scale overstates CDC's count"
    low, high = over["headline_ratio_low"].min(), over["headline_ratio_low"].max()
    drawn = scored[scored["claimed_high"] <= y_max]
    return (f"{len(over)} of the {len(drawn)} numeric claims drawn to scale overstate CDC's count, by at least {low:.1f} to {high:.1f} times even against the CDC figure "
            "most generous to each")


def lives_per_boat_chart(lives: pd.DataFrame, source: str) -> Figure:
    """'If each boat destroyed saved N lives' multiplied out (bars), against a year of deaths in three CDC
    classes (steps): all drug overdoses, synthetic opioids (T40.4) and cocaine (T40.5).

    ``lives`` is :func:`analysis.boats.lives_per_boat` output. The title is the conditional it is; the
    subtitle says the figures are dose arithmetic and which CDC figures are quoted from a later release.
    """
    dated = lives[lives["lives_implied_high"].notna()].reset_index(drop=True)
    fig, ax = _new()
    x = range(len(dated))
    ax.bar(x, dated["lives_implied_low"].astype(float), color=COLOURS["claim"], width=0.7,
           label="If true: claimed lives per boat x vessels destroyed by that date")
    extra = (dated["lives_implied_high"] - dated["lives_implied_low"]).astype(float)
    ranges = dated[dated["per_boat_high"] > dated["per_boat_low"]]
    if len(ranges):
        stated = "; ".join(dict.fromkeys(range_text(r.per_boat_low, r.per_boat_high) for r in ranges.itertuples()))
        ax.bar(x, extra, bottom=dated["lives_implied_low"].astype(float), color=COLOURS["claim"], alpha=0.35, width=0.7,
               label=f"Upper figure of a range claim ({stated} per boat)")
    for key in ("all_drugs", "synthetic_opioids", "cocaine"):
        column = f"{key}_cdc"
        ax.step([i - 0.5 for i in x] + [len(dated) - 0.5], list(dated[column].astype(float)) + [float(dated[column].iloc[-1])],
                where="post", color=COLOURS[key], linewidth=2, label=f"CDC, {SHORT_LABELS[key]}, 12 months")
    ax.set_xticks(list(x), [f"{row.claim_id}\n{pd.Timestamp(row.date):%d %b %y}\n{row.vessels_by_date} boats"
                            for row in dated.itertuples()], fontsize=7.5)
    last = dated.iloc[-1]
    quoted = dated[dated["tier"].str.contains("quoted")]
    quoted_text = (f"; CDC figures for {', '.join(dict.fromkeys(quoted['claim_id']))} are quoted from a later release "
                   "(no snapshot period)") if len(quoted) else ""
    finding_title(
        ax,
        f"If each boat destroyed saved {range_text(last['per_boat_low'], last['per_boat_high'])} lives, the "
        f"{int(last['vessels_by_date'])} boats destroyed by {pd.Timestamp(last['date']):%d %b %Y} would have saved "
        f"{last['lives_implied_high']:,.0f}: {last['ratio_all_drugs_high']:.1f} times a year's overdose deaths",
        "Dose arithmetic, not a death count: each bar is one claim multiplied out. CDC: the latest 12 months out at "
        f"the claim's date (predicted; classes overlap, never added){quoted_text}",
    )
    _count_axis(ax, "People (lives implied; deaths in 12 months)")
    tallest = max(float(dated["lives_implied_high"].max()), float(dated["all_drugs_cdc"].max()))
    ax.set_ylim(top=tallest * 1.08)  # head-room: the tallest bar does not touch the frame
    ax.set_xlabel("Claim, its date, and vessels the strike ledger shows destroyed by then")
    ax.legend(loc="upper left", fontsize=8)
    source_line(fig, source)
    return fig


def flow_series_chart(flow: pd.DataFrame, source: str) -> Figure:
    """The claimed seaborne-flow cuts over time, with the differently-measured figures set apart.

    A figure said as a bound ("almost 100%", ``stated_wording``) is written as its words at the top of
    the chart, never drawn as a point; a second report of one occasion (``repeat_of``) is drawn as a
    hollow point and not counted again in the title.
    """
    fig, ax = _new()
    dated = flow[flow["date_value"].notna() & flow["reduction_pct"].notna()]
    repeats = dated["repeat_of"].fillna("") != "" if "repeat_of" in dated else pd.Series(False, index=dated.index)
    styles = {
        "claimed_flow_cut": dict(color=COLOURS["claim"], marker="o", label="Claimed cut in drugs arriving by sea"),
        "seizure_weight": dict(color=COLOURS["counter"], marker="s", label="White House evidence: drop in pounds seized (not flow)"),
        "vessel_movement": dict(color=COLOURS["all_drugs"], marker="D", label="Pentagon: drop in drug-vessel movements"),
    }
    for measure, style in styles.items():
        part = dated[(dated["measure"] == measure) & ~repeats]
        if len(part):
            ax.scatter(part["date_value"], part["reduction_pct"].astype(float), s=36, zorder=3, **style)
    again = dated[repeats]
    if len(again):
        ax.scatter(again["date_value"], again["reduction_pct"].astype(float), s=60, zorder=4, facecolors="none",
                   edgecolors=COLOURS["claim"], linewidths=1.4,
                   label="Second report of the same occasion (same day and speaker)")
    claimed = dated[(dated["measure"] == "claimed_flow_cut") & ~repeats].sort_values("date_value", kind="stable")
    ax.plot(claimed["date_value"], claimed["reduction_pct"].astype(float), color=COLOURS["claim"], linewidth=1, alpha=0.5)
    worded = flow[flow["date_value"].notna() & (flow.get("stated_wording", pd.Series("", index=flow.index)).fillna("") != "")]
    for row in worded.itertuples():  # stated wording, not a value
        ax.annotate(textwrap.fill(f"{row.claim_id}: '{row.stated_wording}' (stated wording, not a figure)", 24),
                    xy=(row.date_value, 99), xytext=(-30, -75), textcoords="offset points", fontsize=8, ha="center",
                    va="top", color=COLOURS["claim"], arrowprops={"arrowstyle": "->", "color": COLOURS["claim"]})
    unquantified = flow[flow["date_value"].notna() & flow["reduction_pct"].isna()
                        & (flow.get("stated_wording", pd.Series("", index=flow.index)).fillna("") == "")]
    for row in unquantified.itertuples():  # the wording is the ledger's, from the row's note
        ax.annotate(textwrap.fill(f"{row.claim_id}: {row.note}", 30), xy=(row.date_value, 100), xytext=(0, -40),
                    textcoords="offset points", fontsize=8, ha="center", va="top", arrowprops={"arrowstyle": "->"})
    values = claimed["reduction_pct"].astype(float)
    finding_title(
        ax,
        f"{len(claimed)} dated statements put the cut in seaborne drugs at {values.min():.0f}% to {values.max():.0f}% "
        f"({claimed['date_value'].min():%b %Y} to {claimed['date_value'].max():%b %Y}); no public data measures the flow",
        "Each point is one statement; hollow points repeat an occasion already shown. Squares and diamonds measure "
        "other things (seizures, vessel trips), not flow.",
    )
    ax.set_ylim(0, 105)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.set_ylabel("Stated reduction (percent)")
    _date_axis(ax, "Date of statement")
    mark_campaign(ax)
    ax.set_xlim(CAMPAIGN_START - pd.Timedelta(days=20), dated["date_value"].max() + pd.Timedelta(days=25))
    ax.legend(loc="lower right", fontsize=8)
    source_line(fig, source)
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 03: strikes


def cumulative_deaths_chart(cumulative: pd.DataFrame, reconciliation: pd.DataFrame, source: str) -> Figure:
    """Ledger deaths over time (announced, and with never-found survivors) with published tallies as points."""
    fig, ax = _new()
    end = max(cumulative["date"].max(), reconciliation["as_of"].max()) + pd.Timedelta(days=5)
    for column, label, style in (
        ("killed", "Ledger: deaths as announced", dict(color=COLOURS["ledger"])),
        ("killed_presumed", "Ledger: plus survivors never found", dict(color=COLOURS["ledger"], linestyle="--", linewidth=1.3)),
    ):
        xs = list(cumulative["date"]) + [end]
        ys = list(cumulative[column].astype(float)) + [float(cumulative[column].iloc[-1])]
        ax.step(xs, ys, where="post", label=label, **style)
    ax.scatter(reconciliation["as_of"], reconciliation["published_killed"].astype(float), s=22, zorder=3,
               color=COLOURS["tally"], label="Published running tally (as of its date)")
    finding_title(
        ax,
        reconcile.upper_count_headline(reconciliation),
        f"Ledger, at least: {int(cumulative['killed'].iloc[-1])} deaths as announced, "
        f"{int(cumulative['killed_presumed'].iloc[-1])} with survivors never found, by {cumulative['date'].iloc[-1]:%d %b %Y}"
        + _excess_subtitle(reconciliation),
    )
    _count_axis(ax, "People killed, cumulative")
    _date_axis(ax, "Date (ledger: strike date; tallies: publication date)")
    mark_campaign(ax)
    ax.legend(loc="lower right")
    source_line(fig, source)
    return fig


def _excess_subtitle(reconciliation: pd.DataFrame) -> str:
    excess = reconcile.above_upper_count(reconciliation)
    if excess is None:
        return ""
    return (f"; against deaths as announced the late tallies are {excess.announced_min} to {excess.announced_max} "
            f"above it ({excess.widest_publisher}, {excess.widest_as_of:%d %b %Y})")


def monthly_theater_chart(by_month: pd.DataFrame, source: str, measure: str = "killed") -> Figure:
    """Deaths per month by theater, stacked (theaters are disjoint); months with no ledger row show 0."""
    fig, ax = _new()
    months = list(by_month.loc[by_month["theater"] == "All theaters", "month"])
    x = period_dates(months) - pd.Timedelta(days=14)
    bottom = pd.Series(0.0, index=months)
    totals = {}
    for theater in ("Eastern Pacific", "Caribbean", "Unknown"):
        part = by_month[by_month["theater"] == theater].set_index("month")[measure].reindex(months)
        values = part.astype("Float64").fillna(0).astype(float)  # no row for that theater that month = 0 in the ledger
        totals[theater] = int(values.sum())
        ax.bar(x, values.to_numpy(), bottom=bottom.to_numpy(), width=22, color=COLOURS[theater], label=theater)
        bottom = bottom + values
    total = sum(totals.values())
    top = max(totals, key=totals.get)
    finding_title(
        ax,
        f"{totals[top]} of the {total} deaths announced were in the {top}",
        "People killed as announced, by month of strike and theater (ledger rows)",
    )
    _count_axis(ax, "People killed in the month")
    ax.set_ylim(0, float(bottom.max()) * 1.2)
    _date_axis(ax, "Month of strike")
    mark_campaign(ax)
    ax.legend(loc="upper right")
    source_line(fig, source)
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 04: synthesis


def timeline_chart(cdc_tidy: pd.DataFrame, milestone_table: pd.DataFrame, source: str, start: str = "2022-01") -> Figure:
    """Overdose deaths (predicted solid, reported dashed) with the campaign's milestones."""
    fig, ax = _new()
    for key in ("all_drugs", "synthetic_opioids"):
        _plot_series(ax, _series(cdc_tidy, key, "predicted", start), color=COLOURS[key], label=f"{SHORT_LABELS[key]}: predicted")
        _plot_series(ax, _series(cdc_tidy, key, "reported", start), color=COLOURS[key], linestyle="--", linewidth=1.2,
                     label=f"{SHORT_LABELS[key]}: reported")
    ordered = milestone_table.sort_values("date_value", kind="stable").reset_index(drop=True)
    for number, row in enumerate(ordered.itertuples()):
        ax.axvline(row.date_value, color=COLOURS["campaign"], linestyle=":", linewidth=1.2, zorder=1)
        label = f"{row.label}, {row.date}" + (" (no ledger source)" if row.source_status == "missing" else "")
        ax.annotate(label, xy=(row.date_value, 0.06 + 0.075 * (len(ordered) - 1 - number)),
                    xycoords=("data", "axes fraction"), xytext=(-3, 0), textcoords="offset points",
                    ha="right", va="center", fontsize=7.5, color=COLOURS["campaign"], zorder=4,
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"})
    main = compare.peak_and_decline(_series(cdc_tidy, "all_drugs", "predicted"), "all_drugs", "predicted")
    first = milestone_table.loc[milestone_table["key"] == "first_strike", "date_value"].iloc[0]
    first_month = pd.Period(first, "M")
    lead = (first_month - pd.Period(main.peak_period, "M")).n
    if lead > 0:
        peak_text = f"Overdose deaths peaked {lead} months before the first boat strike"
    elif lead == 0:
        peak_text = "Overdose deaths peaked in the month of the first boat strike"
    else:
        peak_text = f"Overdose deaths peaked {-lead} months after the first boat strike"
    if main.change < 0:
        change_text = f"had fallen {abs(main.change_pct):.0f}% by {month_label(main.latest_period)}"
    else:
        change_text = f"were at their peak in {month_label(main.latest_period)}"
    when = "before it" if pd.Period(main.latest_period, "M") < first_month else "the latest period in this release"
    finding_title(
        ax,
        f"{peak_text} and {change_text}, {when}",
        f"Deaths in the 12 months ending each month. CDC's data in this release end in "
        f"{month_label(main.latest_period)}; dotted lines: the campaign's milestones.",
    )
    _count_axis(ax, "Deaths in the 12 months ending that month")
    _date_axis(ax, "12 month-ending period (plotted at the end of its last month); milestone date")
    ax.set_xlim(pd.Timestamp(start), milestone_table["date_value"].max() + pd.Timedelta(days=90))
    ax.legend(loc="lower left", fontsize=8)
    source_line(fig, source)
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 05: revisions

#: Colours of the older CDC releases (by release month) in the revision charts.
RELEASE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
MEASURE_MARKERS = {
    "reported": dict(marker="o", s=30),
    "predicted": dict(marker="s", s=30, facecolors="white", linewidths=1.4),
}


def _release_colours(releases) -> dict[str, str]:
    """One colour per release, the same in every chart: by the release's place among the older releases held."""
    from . import vintages

    order = sorted(set(vintages.VINTAGES) | set(releases))
    return {release: RELEASE_COLOURS[order.index(release) % len(RELEASE_COLOURS)] for release in sorted(set(releases))}


def _months_axis(ax: Axes, right: float) -> None:
    ax.set_xlabel("Age of the figure at its release (months from the period's end to the release month)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, right)


def _percent_axis(ax: Axes, label: str) -> None:
    ax.axhline(0, color="#444444", linewidth=0.9, zorder=1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos=None: f"{value:+.0f}%" if value else "0%"))
    ax.set_ylabel(label)


def revision_by_age_chart(revisions_table: pd.DataFrame, source: str, indicator: str = "all_drugs") -> Figure:
    """Revision of each first-published figure (percent) against its age at release, one colour per
    release, reported (filled circles) and predicted (open squares) told apart; finding title computed."""
    from . import revisions

    rows = revisions_table[revisions_table["indicator"] == indicator]
    if rows.empty:
        raise ValueError(f"no revisions of {indicator} to draw")
    latest = str(rows["latest_release"].iloc[0])
    colours = _release_colours(rows["first_release"])
    fig, ax = _new()
    for measure in ("reported", "predicted"):
        for release, colour in colours.items():
            part = rows[(rows["measure"] == measure) & (rows["first_release"] == release)]
            if part.empty:
                continue
            style = dict(MEASURE_MARKERS[measure])
            if measure == "predicted":
                style["edgecolors"] = colour
            else:
                style["color"] = colour
            label = f"{measure.capitalize()}, first published in the {revisions.release_label(release)} release"
            ax.scatter(part["age_months"], part["revision_percent"].astype(float), zorder=3, label=label, **style)
    reported = rows[rows["measure"] == "reported"]
    predicted = rows[rows["measure"] == "predicted"]
    top = reported.loc[reported["revision_percent"].abs().idxmax()]
    title = (f"{SHORT_LABELS.get(indicator, indicator)}: first-published reported counts were later revised by "
             f"up to {top['revision_percent']:+.1f}% ({int(top['age_months'])} months old)")
    if len(predicted):
        title += (f"; predicted values by {predicted['revision_percent'].min():+.1f}% to "
                  f"{predicted['revision_percent'].max():+.1f}%")
    finding_title(
        ax, title,
        f"Each point is one 12 month-ending period in the earliest release held, against the "
        f"{revisions.release_label(latest)} release (like with like: reported vs reported, predicted vs predicted)",
    )
    _percent_axis(ax, f"Revision to the {revisions.release_label(latest)} release (% of the first value)")
    _months_axis(ax, float(rows["age_months"].max()) + 2)
    ax.legend(loc="upper right", fontsize=8)
    source_line(fig, source)
    return fig


def anticipation_chart(revisions_table: pd.DataFrame, source: str, indicator: str = "all_drugs") -> Figure:
    """Error of the reported and of the predicted value against the latest reported count, by age, for
    provisional figures whose release gave both; finding title says how often predicted was closer."""
    from . import revisions

    rows = revisions_table[(revisions_table["indicator"] == indicator) & revisions_table["provisional_at_release"]]
    wide = rows.pivot_table(index=["period_end", "first_release", "age_months"], columns="measure",
                            values="error_percent", aggfunc="first").dropna()
    if wide.empty or not {"reported", "predicted"} <= set(wide.columns):
        raise ValueError(f"no provisional figure of {indicator} with both a reported and a predicted value")
    wide = wide.reset_index()
    colours = _release_colours(wide["first_release"])
    fig, ax = _new()
    for release, colour in colours.items():
        part = wide[wide["first_release"] == release]
        label = revisions.release_label(release)
        ax.scatter(part["age_months"], part["reported"].astype(float), color=colour, zorder=3,
                   label=f"Reported, {label} release", **MEASURE_MARKERS["reported"])
        ax.scatter(part["age_months"], part["predicted"].astype(float), edgecolors=colour, zorder=3,
                   label=f"Predicted, {label} release", **MEASURE_MARKERS["predicted"])
    closer = int((wide["predicted"].abs() < wide["reported"].abs()).sum())
    latest = str(rows["latest_release"].iloc[0])
    finding_title(
        ax,
        f"{SHORT_LABELS.get(indicator, indicator)}: the predicted value was closer to the later count than the "
        f"reported one for {closer} of {len(wide)} provisional periods",
        f"Error of each first-published value against the count reported in the {revisions.release_label(latest)} "
        f"release (final data for these periods); median: reported {wide['reported'].median():+.1f}%, "
        f"predicted {wide['predicted'].median():+.1f}%",
    )
    _percent_axis(ax, f"First value vs {revisions.release_label(latest)} reported count (%)")
    _months_axis(ax, float(wide["age_months"].max()) + 2)
    ax.legend(loc="lower right", fontsize=8)
    source_line(fig, source)
    return fig
