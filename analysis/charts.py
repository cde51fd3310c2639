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

Every standard figure carries, besides its drawing, what a reader of the report needs
(:class:`ChartInfo`, built by :func:`chart` and :func:`describe_figure`): an alt text generated
from its title and the data it draws (what it shows and its key numbers, :func:`alt_text`), the
data frame of exactly what is plotted (the report offers it as a CSV download), and a second
drawing laid out for narrow screens (a phone). Inside Jupyter (:func:`setup_notebook`) a figure
is shown as SVG (vector, crisp at any pixel density; text kept as text, so ~25 KB a chart where a
PNG at 2x is ~200 KB) with the alt text as its plain-text form and :data:`CHART_MIME` holding the
rest, which the report turns into a responsive picture with a data link.
"""

from __future__ import annotations

import contextvars
import functools
import io
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from . import compare, prose, reconcile

FIGSIZE = (9.0, 5.2)
#: The drawing for narrow screens (phones): narrower and taller, same type sizes, so text stays
#: legible at 390 CSS pixels.
NARROW_FIGSIZE = (4.8, 6.4)
DPI = 100
#: Name of the x column of the plotted data of CDC series.
PERIOD_COLUMN = "12 months ending"
#: The output type holding a chart's alt text, plotted data and narrow drawing (see :func:`figure_bundle`).
CHART_MIME = "application/vnd.overdose-claims.chart+json"
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
    # Text stays text in the SVG (a chart is ~25 KB instead of ~100 KB with glyph outlines).
    "svg.fonttype": "none",
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
    """Inside IPython: figures shown as SVG with their alt text and data (:func:`figure_bundle`),
    drawn at the house size, then the house style.

    pyplot's own IPython hook (which redraws every stale figure after each cell) is removed: the
    inline backend shows each figure once, drawn once into its SVG; the extra redraw only cost
    time (~0.35 s per figure).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
        get_ipython = lambda: None  # noqa: E731
    shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("matplotlib", "inline")
        # No PNG formatter: every figure goes through figure_bundle (SVG + alt text + data).
        shell.run_line_magic("config", "InlineBackend.figure_formats = set()")
        shell.run_line_magic("config", "InlineBackend.print_figure_kwargs = {'bbox_inches': None}")
        shell.run_line_magic("config", "InlineBackend.rc = {}")
        shell.display_formatter.mimebundle_formatter.for_type(Figure, figure_bundle)
        plt.uninstall_repl_displayhook()
    use_house_style()


def save_png(fig: Figure, path) -> None:
    """Save ``fig`` as a PNG with no software/version metadata (byte-stable across versions)."""
    fig.savefig(path, format="png", dpi=DPI, metadata={"Software": None})


# ---------------------------------------------------------------------------------------------
# Layouts (wide for screens, narrow for phones), alt text, plotted data, the notebook display


@dataclass(frozen=True)
class Layout:
    """How a figure is laid out: the wide drawing (desktop) or the narrow one (phone)."""

    name: str
    figsize: tuple[float, float] | None  # None: the size the chart asks for
    max_date_ticks: int
    label_wrap: float  # factor on the characters per line of wrapped labels
    legend_below: bool  # legend under the axes instead of inside them


WIDE = Layout("wide", None, 10, 1.0, False)
NARROW = Layout("narrow", NARROW_FIGSIZE, 5, 0.55, True)
_LAYOUT: contextvars.ContextVar[Layout] = contextvars.ContextVar("chart_layout", default=WIDE)


def current_layout() -> Layout:
    """The layout being drawn (:data:`WIDE` unless :func:`chart` is drawing the narrow variant)."""
    return _LAYOUT.get()


@dataclass
class ChartInfo:
    """What a reader needs besides the drawing: alt text, the plotted data, a narrow drawing.

    ``data``: one row per plotted value, ``series`` (its legend label) first, then the x and y
    columns the chart names; values exactly as drawn (no rounding). ``narrow_svg``: the phone
    layout (empty when the figure has none; the wide drawing is then used on every screen).
    """

    key: str
    kind: str
    title: str
    subtitle: str
    data: pd.DataFrame
    x: str
    y: str
    alt: str = ""
    narrow_svg: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def csv_text(self) -> str:
        """The plotted data as CSV text (``\\n`` line ends, no index)."""
        return self.data.to_csv(index=False, lineterminator="\n")


def _figure_title(fig: Figure) -> tuple[str, str]:
    """(title, subtitle) of a figure: its suptitle and first axes title, unwrapped."""
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    subtitle = fig.axes[0].get_title(loc="left") if fig.axes else ""
    if not title and fig.axes:
        title, subtitle = fig.axes[0].get_title(loc="left") or fig.axes[0].get_title(), ""
    return " ".join(title.split()), " ".join(subtitle.split())


def _value_text(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return prose.number(value, decimals=1)
    return prose.humanize_dates(str(value))


def alt_text(info: ChartInfo, max_series: int = 8) -> str:
    """An alt text from a chart's title and data: what it shows, then each series' key numbers
    (first and last values, highest value), with thousands separators and dates in words."""
    parts = [f"{info.kind.capitalize()} chart. {info.title.rstrip('.')}."]
    if info.subtitle:
        parts.append(f"{info.subtitle.rstrip('.')}.")
    data = info.data
    groups = list(dict.fromkeys(data["series"])) if len(data) else []
    for name in groups[:max_series]:
        part = data[data["series"] == name]
        values = pd.to_numeric(part[info.y], errors="coerce")
        shown = part[values.notna()]
        values = values[values.notna()]
        if values.empty:
            parts.append(f"{name}: {len(part)} marked, no value drawn.")
            continue
        first, last = shown.iloc[0], shown.iloc[-1]
        if len(values) == 1:
            parts.append(f"{name}: {_value_text(values.iloc[0])} ({_value_text(first[info.x])}).")
            continue
        top = shown.loc[values.idxmax()]
        parts.append(
            f"{name}: {len(values)} values, from {_value_text(values.iloc[0])} ({_value_text(first[info.x])}) "
            f"to {_value_text(values.iloc[-1])} ({_value_text(last[info.x])}); highest "
            f"{_value_text(values.max())} ({_value_text(top[info.x])})."
        )
    if len(groups) > max_series:
        parts.append(f"{len(groups) - max_series} more series in the data download.")
    return " ".join(parts)


def _attach(fig: Figure, kind: str, data: pd.DataFrame, x: str, y: str) -> Figure:
    """Record on ``fig`` the data it plots (``series``, ``x``, ``y`` columns, at least)."""
    missing = [name for name in ("series", x, y) if name not in data.columns]
    if missing:
        raise ValueError(f"chart data lacks the columns {missing} (has {list(data.columns)})")
    title, subtitle = _figure_title(fig)
    info = ChartInfo(key="", kind=kind, title=title, subtitle=subtitle, data=data.reset_index(drop=True), x=x, y=y)
    info.alt = alt_text(info)
    fig._overdose_chart = info
    return fig


def describe_figure(
    fig: Figure, data: pd.DataFrame, *, x: str, y: str, kind: str = "line", key: str = "figure"
) -> Figure:
    """Give a figure drawn outside this module its alt text and data, so the report can show it.

    ``data``: what the figure plots, with a ``series`` column and the ``x`` and ``y`` columns.
    The title is read from the figure. The figure has no narrow drawing.
    """
    _attach(fig, kind, data, x, y)
    fig._overdose_chart.key = key
    return fig


def chart_info(fig: Figure) -> ChartInfo | None:
    """The :class:`ChartInfo` of a figure made by this module (None for any other figure)."""
    return getattr(fig, "_overdose_chart", None)


def figure_svg(fig: Figure) -> str:
    """``fig`` as SVG text: deterministic (fixed hash salt, no date or version), indentation removed."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # no XML prolog or DOCTYPE
    return re.sub(r"\n[ ]+", "\n", text)


def chart(kind: str) -> Callable:
    """Decorator of the standard figures: the function draws the wide figure (shown by pyplot),
    then again under :data:`NARROW` (an unmanaged figure, kept as SVG text on the wide one's
    :class:`ChartInfo`). The function must call :func:`_attach` with what it plots."""

    def wrap(draw: Callable[..., Figure]) -> Callable[..., Figure]:
        @functools.wraps(draw)
        def both(*args, **kwargs) -> Figure:
            fig = draw(*args, **kwargs)
            info = chart_info(fig)
            if info is None:
                raise RuntimeError(f"{draw.__name__} did not record what it plots")
            info.key = draw.__name__
            token = _LAYOUT.set(NARROW)
            try:
                narrow = draw(*args, **kwargs)
            finally:
                _LAYOUT.reset(token)
            info.narrow_svg = figure_svg(narrow)
            return fig

        return both

    return wrap


def figure_bundle(fig: Figure) -> tuple[dict[str, Any], dict[str, Any]]:
    """How Jupyter shows a figure: SVG, the alt text as plain text, and :data:`CHART_MIME` with
    the alt text, the plotted data as CSV and the narrow drawing. A figure drawn outside this
    module (no :func:`describe_figure`) is shown as SVG with no alt text; the report refuses it."""
    info = chart_info(fig)
    data: dict[str, Any] = {"image/svg+xml": figure_svg(fig)}
    if info is None:
        data["text/plain"] = repr(fig)
        return data, {}
    data["text/plain"] = info.alt
    data[CHART_MIME] = {
        "key": info.key,
        "kind": info.kind,
        "title": info.title,
        "alt": info.alt,
        "csv": info.csv_text(),
        "narrow_svg": info.narrow_svg,
        "width": int(fig.get_figwidth() * DPI),
        "height": int(fig.get_figheight() * DPI),
    }
    return data, {}


def _rows(series_label: str, x_values, y_values, **extra) -> list[dict[str, Any]]:
    """Rows of plotted data for one series (missing values kept as missing)."""
    rows = []
    for x_value, y_value in zip(x_values, y_values, strict=True):
        if isinstance(y_value, float) and y_value != y_value:
            y_value = None
        elif y_value is not None and not isinstance(y_value, str) and pd.isna(y_value):
            y_value = None
        if isinstance(x_value, pd.Timestamp):
            x_value = x_value.strftime("%Y-%m-%d")
        row = {"series": series_label, "x": x_value, "y": y_value}
        row.update(extra)
        rows.append(row)
    return rows


def _frame(rows: list[dict[str, Any]], x: str, y: str, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Plotted-data rows as a frame with the chart's own column names for x and y."""
    frame = pd.DataFrame(rows, columns=["series", "x", "y", *extra])
    return frame.rename(columns={"x": x, "y": y})


def _legend(ax: Axes, loc: str, fontsize: float | None = None) -> None:
    """The legend: inside the axes at ``loc`` (wide), or under the axes in one column (narrow)."""
    area = getattr(ax.figure, "_legend_area", None)
    if current_layout().legend_below and area is not None:
        handles, labels = ax.get_legend_handles_labels()
        area.legend(
            handles, [_wrap(label, 80) for label in labels], loc="upper left", ncols=1, fontsize=7.5, borderaxespad=0
        )
    else:
        ax.legend(loc=loc, fontsize=fontsize)


def _wrap(text: str, width: int) -> str:
    """``text`` wrapped to ``width`` characters in the wide layout, fewer in the narrow one."""
    return textwrap.fill(text, width=max(12, int(width * current_layout().label_wrap)))


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
    """The dataset and its vintage from a manifest entry, for a source line (release in words)."""
    from . import prose

    title = prose.reader_text(entry.get("title", entry.get("file", "dataset")))
    parts = [title]
    if entry.get("dataset_id"):
        parts[0] = f"CDC/NCHS VSRR Provisional Drug Overdose Death Counts (data.cdc.gov {entry['dataset_id']})"
    if entry.get("source_release"):
        parts.append(f"release of {prose.release(entry['source_release'])}")
    if entry.get("latest_period"):
        parts.append(f"periods to {month_label(str(entry['latest_period']))}")
    return ", ".join(parts)


def ledger_source(name: str, entry: Mapping[str, object]) -> str:
    """A compiled ledger named for a source line: ``Claims ledger, release of Dec 2026, compiled from
    public reporting`` (the dataset and its release, not a file path)."""
    from . import prose

    release = f", release of {prose.release(entry['source_release'])}" if entry.get("source_release") else ""
    return f"{name}{release}, compiled from public reporting"


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
    scale = fig.get_figwidth() / FIGSIZE[0]  # characters per line follow the figure's width
    fig.suptitle(textwrap.fill(title, width=int(78 * scale)), x=0.0, ha="left", fontsize=12, fontweight="bold")
    if subtitle:
        narrow = 0.8 if current_layout().legend_below else 1.0  # the subtitle starts at the axes, not the edge
        ax.set_title(
            textwrap.fill(subtitle, width=int(110 * scale * narrow)), loc="left", fontsize=9, fontweight="normal"
        )


def fall_phrase(trend: compare.PeakDecline, subject: str) -> str:
    """'<subject> fell 32% from their peak in the 12 months ending Aug 2023 to ...', or, when the
    latest period is the peak, '<subject> were at their peak in the latest period, the 12 months
    ending ...' (the direction is computed, never assumed)."""
    if trend.change < 0:
        return (
            f"{subject} fell {abs(trend.change_pct):.0f}% from their peak in the 12 months ending "
            f"{month_label(trend.peak_period)} to the 12 months ending {month_label(trend.latest_period)}"
        )
    return f"{subject} were at their peak in the latest period, the 12 months ending {month_label(trend.latest_period)}"


def range_text(low: object, high: object) -> str:
    """'25,000' for a single figure, '25,000 to 50,000' for a range (whole numbers, separators)."""
    low_text, high_text = f"{float(low):,.0f}", f"{float(high):,.0f}"
    return low_text if low_text == high_text else f"{low_text} to {high_text}"


def mark_campaign(ax: Axes, date=CAMPAIGN_START, label: str = CAMPAIGN_LABEL) -> None:
    """Mark the campaign's first strike on a time x axis (a dotted line and a label)."""
    date = pd.Timestamp(date)
    ax.axvline(date, color=COLOURS["campaign"], linestyle=":", linewidth=1.4, zorder=1)
    ax.annotate(
        label,
        xy=(date, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -3),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=8,
        color=COLOURS["campaign"],
    )


def _count_axis(ax: Axes, label: str) -> None:
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_ylabel(_wrap(label, 90))


def _finish_cdc_time_chart(fig: Figure, ax: Axes, ylabel: str, xlabel: str, legend_loc: str, source: str) -> Figure:
    """Axes, the campaign marker (with room after it), legend and source line of a CDC series over time."""
    _count_axis(ax, ylabel)
    _date_axis(ax, xlabel)
    mark_campaign(ax)
    ax.set_xlim(right=CAMPAIGN_START + pd.Timedelta(days=120))
    _legend(ax, legend_loc)
    source_line(fig, source)
    return fig


def _date_axis(ax: Axes, label: str = "") -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=current_layout().max_date_ticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    ax.set_xlabel(_wrap(label, 100) if label else label)


def _new(figsize=FIGSIZE) -> tuple[Figure, Axes]:
    """A figure and its axes: managed by pyplot (so Jupyter shows it) in the wide layout; the
    narrow drawing is a plain figure, kept only as SVG text."""
    layout = current_layout()
    if layout.figsize is None:
        fig, ax = plt.subplots(figsize=figsize, dpi=DPI)
        return fig, ax
    # Narrow: the legend gets its own row under the chart (an axes with no axis), inside the layout.
    fig = Figure(figsize=layout.figsize, dpi=DPI)
    ax, legend_area = fig.subplots(2, 1, height_ratios=[3.2, 1])
    legend_area.set_axis_off()
    fig._legend_area = legend_area
    return fig, ax


def _series(cdc_tidy: pd.DataFrame, indicator: str, measure: str, start: str | None = None) -> pd.Series:
    from . import cdc

    series = cdc.deaths(cdc_tidy, indicator, measure)
    if start is not None:
        series = series[series.index >= start]
    return series


def _plot_series(ax: Axes, series: pd.Series, **style) -> list[dict[str, Any]]:
    """Plot a period-indexed series; missing values stay gaps (NaN breaks the line). Returns the
    plotted rows (series label, 12 month-ending period, value) for the chart's data."""
    values = series.astype("Float64").to_numpy(dtype=float, na_value=float("nan"))
    ax.plot(period_dates(series.index), values, **style)
    return _rows(
        style.get("label", str(series.name)),
        [str(p) for p in series.index],
        [None if v != v else int(v) if float(v).is_integer() else float(v) for v in values],
    )


# ---------------------------------------------------------------------------------------------
# Notebook 01: CDC trends


@chart("line")
def overdose_trend(cdc_tidy: pd.DataFrame, source: str, indicators=("all_drugs", "synthetic_opioids")) -> Figure:
    """12 month-ending deaths, predicted (solid) and reported (dashed), per indicator; finding title."""
    fig, ax = _new()
    rows = []
    for key in indicators:
        colour = COLOURS.get(key, "#333333")
        rows += _plot_series(
            ax, _series(cdc_tidy, key, "predicted"), color=colour, label=f"{SHORT_LABELS.get(key, key)}: predicted"
        )
        rows += _plot_series(
            ax,
            _series(cdc_tidy, key, "reported"),
            color=colour,
            linestyle="--",
            linewidth=1.2,
            label=f"{SHORT_LABELS.get(key, key)}: reported",
        )
    main = compare.peak_and_decline(_series(cdc_tidy, indicators[0], "predicted"), indicators[0], "predicted")
    finding_title(
        ax,
        fall_phrase(main, "Overdose deaths"),
        "United States, deaths in the 12 months ending each month; predicted = adjusted for reporting delay",
    )
    _attach(fig, "line", _frame(rows, PERIOD_COLUMN, "deaths"), PERIOD_COLUMN, "deaths")
    return _finish_cdc_time_chart(
        fig,
        ax,
        "Deaths in the 12 months ending that month",
        "12 month-ending period (plotted at the end of its last month)",
        "lower right",
        source,
    )


@chart("line")
def drug_classes(
    cdc_tidy: pd.DataFrame,
    source: str,
    indicators=("synthetic_opioids", "psychostimulants", "cocaine", "natural_semisynthetic", "heroin", "methadone"),
) -> Figure:
    """Drug classes as separate lines (predicted), never stacked or summed; title names the class that
    fell most (timing only: no causal verb)."""
    fig, ax = _new()
    falls, rows = [], []
    for key in indicators:
        series = _series(cdc_tidy, key, "predicted")
        rows += _plot_series(ax, series, color=COLOURS.get(key, "#333333"), label=SHORT_LABELS.get(key, key))
        falls.append(compare.peak_and_decline(series, key, "predicted"))
    biggest = min(falls, key=lambda item: item.change)
    if biggest.change < 0:
        headline = (
            f"{SHORT_LABELS[biggest.indicator].split(' (')[0]} fell most: down "
            f"{abs(biggest.change):,} deaths ({abs(biggest.change_pct):.0f}%) from their peak "
            f"({month_label(biggest.peak_period)}) to {month_label(biggest.latest_period)}"
        )
    else:
        headline = f"Every class shown is at its peak in the latest period, {month_label(biggest.latest_period)}"
    finding_title(
        ax,
        headline,
        "Predicted deaths in the 12 months ending each month. Classes overlap (one death can involve "
        "several drugs): the lines must not be added up.",
    )
    _attach(fig, "line", _frame(rows, PERIOD_COLUMN, "deaths (predicted)"), PERIOD_COLUMN, "deaths (predicted)")
    return _finish_cdc_time_chart(
        fig, ax, "Deaths in the 12 months ending that month (predicted)", "12 month-ending period", "upper left", source
    )


# ---------------------------------------------------------------------------------------------
# Notebook 02: claims


@chart("line and point")
def claims_against_cdc(
    comparison: pd.DataFrame, cdc_tidy: pd.DataFrame, source: str, start: str = "2022-01", y_max: float = 400_000
) -> Figure:
    """Claimed annual deaths (ranges at the claim date) against CDC's 12 month-ending line.

    ``comparison`` is the scored comparison (:func:`analysis.verdicts.scored_comparison`): the title
    comes from its verdicts (:func:`claims_title`). Claims above ``y_max`` are not drawn to scale: an arrow
    at the top edge and a label give the figure. Counter-figures are drawn as grey points. Undated rows
    cannot be placed and are left out (the notebook's table lists them).
    """
    fig, ax = _new()
    rows = []
    for key in ("all_drugs", "synthetic_opioids"):
        rows += _plot_series(
            ax,
            _series(cdc_tidy, key, "predicted", start),
            color=COLOURS[key],
            label=f"CDC, {SHORT_LABELS[key]}: predicted",
        )
        rows += _plot_series(
            ax,
            _series(cdc_tidy, key, "reported", start),
            color=COLOURS[key],
            linestyle="--",
            linewidth=1.2,
            label=f"CDC, {SHORT_LABELS[key]}: reported",
        )
    dated = comparison[comparison["date"] != ""].copy()
    dated["x"] = pd.to_datetime(dated["date"].str.slice(0, 10), format="mixed")
    claims = dated[(dated["kind"] == "claim") & dated["claimed_low"].notna()]
    off_scale = claims[claims["claimed_high"] > y_max]
    on_scale = claims[claims["claimed_high"] <= y_max]
    ax.vlines(
        on_scale["x"],
        on_scale["claimed_low"].astype(float),
        on_scale["claimed_high"].astype(float),
        color=COLOURS["claim"],
        linewidth=3,
        label="Administration claim (low to high figure)",
    )
    ax.scatter(on_scale["x"], on_scale["claimed_high"].astype(float), color=COLOURS["claim"], s=18, zorder=3)
    ax.scatter(on_scale["x"], on_scale["claimed_low"].astype(float), color=COLOURS["claim"], s=18, zorder=3)
    offset = -150 if current_layout() is WIDE else -90
    for row in off_scale.itertuples():
        ax.annotate(
            f"{row.speaker}, {row.x.day} {row.x:%b %Y}: {row.claimed_high:,.0f}\n(off the scale, kept as said)",
            xy=(row.x, y_max),
            xytext=(offset, -40),
            textcoords="offset points",
            fontsize=8,
            color=COLOURS["claim"],
            arrowprops={"arrowstyle": "->", "color": COLOURS["claim"]},
        )
    counters = dated[dated["kind"] == "counter_figure"]
    ax.scatter(
        counters["x"],
        counters["claimed_low"].astype(float),
        facecolors="white",
        edgecolors=COLOURS["counter"],
        s=28,
        zorder=3,
        label="Counter-figure (as quoted, at its publication date)",
    )
    for label, part, column, note in (
        ("Administration claim: low figure", on_scale, "claimed_low", ""),
        ("Administration claim: high figure", on_scale, "claimed_high", ""),
        ("Administration claim: off the scale (arrow)", off_scale, "claimed_high", "off the scale"),
        ("Counter-figure", counters, "claimed_low", ""),
    ):
        rows += _rows(
            label, part["x"], [None if pd.isna(v) else float(v) for v in part[column]], claim_id=None, note=note
        )
        for row, claim_id in zip(rows[len(rows) - len(part) :], part["claim_id"], strict=True):
            row["claim_id"] = claim_id
    finding_title(
        ax,
        claims_title(claims, y_max),
        "Claimed deaths per year at the date of the claim (red), against CDC's 12 month-ending counts. "
        "Counter-figures are plotted at their publication date.",
    )
    _attach(
        fig,
        "line and point",
        _frame(rows, "date or 12 months ending", "deaths per year", ("claim_id", "note")),
        "date or 12 months ending",
        "deaths per year",
    )
    ax.set_ylim(0, y_max)
    _count_axis(ax, "Deaths per year / in 12 months")
    _date_axis(ax, "Date of claim; CDC period (plotted at its last month)")
    mark_campaign(ax)
    ax.set_xlim(pd.Timestamp(start), pd.Timestamp(dated["x"].max()) + pd.Timedelta(days=60))
    _legend(ax, "upper left", fontsize=8)
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
    return (
        f"{len(over)} of the {len(drawn)} numeric claims drawn to scale overstate CDC's count, by at least "
        f"{low:.1f} to {high:.1f} times even against the CDC figure most generous to each"
    )


@chart("bar")
def lives_per_boat_chart(lives: pd.DataFrame, source: str) -> Figure:
    """'If each boat destroyed saved N lives' multiplied out (bars), against a year of deaths in three CDC
    classes (steps): all drug overdoses, synthetic opioids (T40.4) and cocaine (T40.5).

    ``lives`` is :func:`analysis.boats.lives_per_boat` output. The title is the conditional it is; the
    subtitle says the figures are dose arithmetic and which CDC figures are quoted from a later release.
    """
    dated = lives[lives["lives_implied_high"].notna()].reset_index(drop=True)
    fig, ax = _new()
    x = range(len(dated))
    ax.bar(
        x,
        dated["lives_implied_low"].astype(float),
        color=COLOURS["claim"],
        width=0.7,
        label="If true: claimed lives per boat x vessels destroyed by that date",
    )
    extra = (dated["lives_implied_high"] - dated["lives_implied_low"]).astype(float)
    ranges = dated[dated["per_boat_high"] > dated["per_boat_low"]]
    if len(ranges):
        stated = "; ".join(dict.fromkeys(range_text(r.per_boat_low, r.per_boat_high) for r in ranges.itertuples()))
        ax.bar(
            x,
            extra,
            bottom=dated["lives_implied_low"].astype(float),
            color=COLOURS["claim"],
            alpha=0.35,
            width=0.7,
            label=f"Upper figure of a range claim ({stated} per boat)",
        )
    for key in ("all_drugs", "synthetic_opioids", "cocaine"):
        column = f"{key}_cdc"
        ax.step(
            [i - 0.5 for i in x] + [len(dated) - 0.5],
            list(dated[column].astype(float)) + [float(dated[column].iloc[-1])],
            where="post",
            color=COLOURS[key],
            linewidth=2,
            label=f"CDC, {SHORT_LABELS[key]}, 12 months",
        )
    names = _claim_names(dated)
    ticks = [
        [
            *str(row.speaker).split(),
            *name.removeprefix(f"{row.speaker}, ").rsplit(" ", 1),
            f"{row.vessels_by_date} boats",
        ]
        for name, row in zip(names, dated.itertuples(), strict=True)
    ]  # one word a line, the day and month above the year, so thirteen claims fit side by side
    categories = [f"{name}, {row.vessels_by_date} boats" for name, row in zip(names, dated.itertuples(), strict=True)]
    if current_layout() is WIDE:
        ax.set_xticks(list(x), ["\n".join(lines) for lines in ticks], fontsize=7)
    else:  # one line per claim, turned upright, so twelve claims fit a phone's width
        short = [
            f"{str(row.speaker).split()[-1]}, {' '.join(lines[-3:-1])}"
            for row, lines in zip(dated.itertuples(), ticks, strict=True)
        ]
        ax.set_xticks(list(x), short, fontsize=6.5, rotation=90)  # surname and date; the boats are in the data
    rows = _rows("Lives implied (low figure)", categories, [float(v) for v in dated["lives_implied_low"]])
    rows += _rows("Lives implied (high figure)", categories, [float(v) for v in dated["lives_implied_high"]])
    for key in ("all_drugs", "synthetic_opioids", "cocaine"):
        rows += _rows(
            f"CDC, {SHORT_LABELS[key]}, 12 months",
            categories,
            [None if pd.isna(v) else float(v) for v in dated[f"{key}_cdc"]],
        )
    for row, claim_id in zip(rows, list(dated["claim_id"]) * 5, strict=True):
        row["claim_id"] = claim_id  # the ledger row, in the data download only
    last = dated.iloc[-1]
    quoted = dated[dated["tier"].str.contains("quoted")]
    quoted_text = (
        (
            f"; CDC figures for {'; '.join(dict.fromkeys(_claim_names(quoted)))} are quoted from a later release "
            "(no snapshot period)"
        )
        if len(quoted)
        else ""
    )
    finding_title(
        ax,
        f"If each boat destroyed saved {range_text(last['per_boat_low'], last['per_boat_high'])} lives, the "
        f"{int(last['vessels_by_date'])} boats destroyed by {prose.date(str(last['date'])[:10])} would have saved "
        f"{last['lives_implied_high']:,.0f}: {last['ratio_all_drugs_high']:.1f} times a year's overdose deaths",
        "Dose arithmetic, not a death count: each bar is one claim multiplied out. CDC: the latest 12 months out at "
        f"the claim's date (predicted; classes overlap, never added){quoted_text}",
    )
    _count_axis(ax, "People (lives implied; deaths in 12 months)")
    tallest = max(float(dated["lives_implied_high"].max()), float(dated["all_drugs_cdc"].max()))
    ax.set_ylim(top=tallest * 1.08)  # head-room: the tallest bar does not touch the frame
    ax.set_xlabel(_wrap("Who made the claim, when, and vessels the strike ledger shows destroyed by then", 90))
    _attach(fig, "bar", _frame(rows, "claim", "people", ("claim_id",)), "claim", "people")
    _legend(ax, "upper left", fontsize=8)
    source_line(fig, source)
    return fig


def _claim_names(claims: pd.DataFrame) -> list[str]:
    """Each claim for readers, by speaker and date ("Donald Trump, 2 Dec 2025"); a second claim by the
    same speaker on the same day gets "(2)", so no two bars share a name."""
    names, seen = [], {}
    for row in claims.itertuples():
        name = f"{row.speaker}, {prose.date(str(row.date)[:10])}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


@chart("point")
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
        "seizure_weight": dict(
            color=COLOURS["counter"], marker="s", label="White House evidence: drop in pounds seized (not flow)"
        ),
        "vessel_movement": dict(
            color=COLOURS["all_drugs"], marker="D", label="Pentagon: drop in drug-vessel movements"
        ),
    }
    rows = []
    for measure, style in styles.items():
        part = dated[(dated["measure"] == measure) & ~repeats]
        if len(part):
            ax.scatter(part["date_value"], part["reduction_pct"].astype(float), s=36, zorder=3, **style)
            rows += _rows(style["label"], part["date_value"], [float(v) for v in part["reduction_pct"]])
            for row, claim_id in zip(rows[len(rows) - len(part) :], part["claim_id"], strict=True):
                row["claim_id"] = claim_id
    again = dated[repeats]
    if len(again):
        label = "Second report of the same occasion (same day and speaker)"
        ax.scatter(
            again["date_value"],
            again["reduction_pct"].astype(float),
            s=60,
            zorder=4,
            facecolors="none",
            edgecolors=COLOURS["claim"],
            linewidths=1.4,
            label=label,
        )
        rows += _rows(label, again["date_value"], [float(v) for v in again["reduction_pct"]])
        for row, claim_id in zip(rows[len(rows) - len(again) :], again["claim_id"], strict=True):
            row["claim_id"] = claim_id
    claimed = dated[(dated["measure"] == "claimed_flow_cut") & ~repeats].sort_values("date_value", kind="stable")
    ax.plot(
        claimed["date_value"], claimed["reduction_pct"].astype(float), color=COLOURS["claim"], linewidth=1, alpha=0.5
    )
    worded = flow[
        flow["date_value"].notna() & (flow.get("stated_wording", pd.Series("", index=flow.index)).fillna("") != "")
    ]
    for row in worded.itertuples():  # stated wording, not a value
        ax.annotate(
            _wrap(
                f"{row.date_value.day} {row.date_value:%b %Y}: '{row.stated_wording}' (stated wording, not a figure)",
                24,
            ),
            xy=(row.date_value, 99),
            xytext=(-30, -75),
            textcoords="offset points",
            fontsize=8,
            ha="center",
            va="top",
            color=COLOURS["claim"],
            arrowprops={"arrowstyle": "->", "color": COLOURS["claim"]},
        )
        rows += _rows(
            f"Stated wording, not a figure: '{row.stated_wording}' (arrow)",
            [row.date_value],
            [None],
            claim_id=row.claim_id,
        )
    unquantified = flow[
        flow["date_value"].notna()
        & flow["reduction_pct"].isna()
        & (flow.get("stated_wording", pd.Series("", index=flow.index)).fillna("") == "")
    ]
    for row in unquantified.itertuples():  # the wording is the ledger's, from the row's note
        ax.annotate(
            _wrap(f"{row.date_value.day} {row.date_value:%b %Y}: {row.note}", 30),
            xy=(row.date_value, 100),
            xytext=(0, -40),
            textcoords="offset points",
            fontsize=8,
            ha="center",
            va="top",
            arrowprops={"arrowstyle": "->"},
        )
        rows += _rows("Statement without a number (arrow)", [row.date_value], [None], claim_id=row.claim_id)
    values = claimed["reduction_pct"].astype(float)
    finding_title(
        ax,
        f"{len(claimed)} dated statements put the cut in seaborne drugs at {values.min():.0f}% to {values.max():.0f}% "
        f"({claimed['date_value'].min():%b %Y} to {claimed['date_value'].max():%b %Y}); no public data measures the "
        "flow",
        "Each point is one statement; hollow points repeat an occasion already shown. Squares and diamonds measure "
        "other things (seizures, vessel trips), not flow.",
    )
    ax.set_ylim(0, 105)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.set_ylabel("Stated reduction (percent)")
    _date_axis(ax, "Date of statement")
    mark_campaign(ax)
    ax.set_xlim(CAMPAIGN_START - pd.Timedelta(days=20), dated["date_value"].max() + pd.Timedelta(days=25))
    _attach(
        fig,
        "point",
        _frame(rows, "date", "stated reduction (percent)", ("claim_id",)),
        "date",
        "stated reduction (percent)",
    )
    _legend(ax, "lower right", fontsize=8)
    source_line(fig, source)
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 03: strikes


@chart("step line and point")
def cumulative_deaths_chart(cumulative: pd.DataFrame, reconciliation: pd.DataFrame, source: str) -> Figure:
    """Ledger deaths over time (announced, and with never-found survivors) with published tallies as points."""
    fig, ax = _new()
    end = max(cumulative["date"].max(), reconciliation["as_of"].max()) + pd.Timedelta(days=5)
    rows = []
    for column, label, style in (
        ("killed", "Ledger: deaths as announced", dict(color=COLOURS["ledger"])),
        (
            "killed_presumed",
            "Ledger: plus survivors never found",
            dict(color=COLOURS["ledger"], linestyle="--", linewidth=1.3),
        ),
    ):
        xs = list(cumulative["date"]) + [end]
        ys = list(cumulative[column].astype(float)) + [float(cumulative[column].iloc[-1])]
        ax.step(xs, ys, where="post", label=label, **style)
        rows += _rows(label, xs, [int(v) for v in ys], publisher=None)
    ax.scatter(
        reconciliation["as_of"],
        reconciliation["published_killed"].astype(float),
        s=22,
        zorder=3,
        color=COLOURS["tally"],
        label="Published running tally (as of its date)",
    )
    rows += [
        dict(row, publisher=publisher)
        for row, publisher in zip(
            _rows(
                "Published running tally", reconciliation["as_of"], [int(v) for v in reconciliation["published_killed"]]
            ),
            reconciliation["publisher"],
            strict=True,
        )
    ]
    finding_title(
        ax,
        reconcile.upper_count_headline(reconciliation),
        f"Ledger, at least: {int(cumulative['killed'].iloc[-1])} deaths as announced, "
        f"{int(cumulative['killed_presumed'].iloc[-1])} with survivors never found, by "
        f"{cumulative['date'].iloc[-1]:%d %b %Y}" + _excess_subtitle(reconciliation),
    )
    _count_axis(ax, "People killed, cumulative")
    _date_axis(ax, "Date (ledger: strike date; tallies: publication date)")
    mark_campaign(ax)
    _attach(
        fig,
        "step line and point",
        _frame(rows, "date", "people killed, cumulative", ("publisher",)),
        "date",
        "people killed, cumulative",
    )
    _legend(ax, "lower right")
    source_line(fig, source)
    return fig


def _excess_subtitle(reconciliation: pd.DataFrame) -> str:
    excess = reconcile.above_upper_count(reconciliation)
    if excess is None:
        return ""
    return (
        f"; against deaths as announced the late tallies are {excess.announced_min} to {excess.announced_max} "
        f"above it ({excess.widest_publisher}, {excess.widest_as_of:%d %b %Y})"
    )


@chart("stacked bar")
def monthly_theater_chart(by_month: pd.DataFrame, source: str, measure: str = "killed") -> Figure:
    """Deaths per month by theater, stacked (theaters are disjoint); months with no ledger row show 0."""
    fig, ax = _new()
    months = list(by_month.loc[by_month["theater"] == "All theaters", "month"])
    x = period_dates(months) - pd.Timedelta(days=14)
    bottom = pd.Series(0.0, index=months)
    totals, rows = {}, []
    for theater in ("Eastern Pacific", "Caribbean", "Unknown"):
        part = by_month[by_month["theater"] == theater].set_index("month")[measure].reindex(months)
        values = part.astype("Float64").fillna(0).astype(float)  # no row for that theater that month = 0 in the ledger
        totals[theater] = int(values.sum())
        ax.bar(x, values.to_numpy(), bottom=bottom.to_numpy(), width=22, color=COLOURS[theater], label=theater)
        rows += _rows(theater, months, [int(v) for v in values])
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
    _attach(fig, "stacked bar", _frame(rows, "month", f"people {measure}"), "month", f"people {measure}")
    _legend(ax, "upper right")
    source_line(fig, source)
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 04: synthesis


@chart("line")
def timeline_chart(
    cdc_tidy: pd.DataFrame, milestone_table: pd.DataFrame, source: str, start: str = "2022-01"
) -> Figure:
    """Overdose deaths (predicted solid, reported dashed) with the campaign's milestones."""
    fig, ax = _new()
    rows = []
    for key in ("all_drugs", "synthetic_opioids"):
        rows += _plot_series(
            ax, _series(cdc_tidy, key, "predicted", start), color=COLOURS[key], label=f"{SHORT_LABELS[key]}: predicted"
        )
        rows += _plot_series(
            ax,
            _series(cdc_tidy, key, "reported", start),
            color=COLOURS[key],
            linestyle="--",
            linewidth=1.2,
            label=f"{SHORT_LABELS[key]}: reported",
        )
    ordered = milestone_table.sort_values("date_value", kind="stable").reset_index(drop=True)
    narrow = current_layout() is not WIDE
    for number, row in enumerate(ordered.itertuples()):
        ax.axvline(row.date_value, color=COLOURS["campaign"], linestyle=":", linewidth=1.2, zorder=1)
        from . import prose

        label = f"{row.label}, {prose.date(row.date)}" + (
            " (no ledger source)" if row.source_status == "missing" else ""
        )
        rows += _rows(f"Milestone: {label}", [row.date_value], [None])
        ax.annotate(
            _wrap(label, 60) if narrow else label,
            xy=(row.date_value, 0.06 + (0.11 if narrow else 0.075) * (len(ordered) - 1 - number)),
            xycoords=("data", "axes fraction"),
            xytext=(-3, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=6.5 if narrow else 7.5,
            color=COLOURS["campaign"],
            zorder=4,
            bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        )
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
    _attach(fig, "line", _frame(rows, "12 months ending or date", "deaths"), "12 months ending or date", "deaths")
    _legend(ax, "lower left", fontsize=8)
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
    ax.set_xlabel(_wrap("Age of the figure at its release (months from the period's end to the release month)", 100))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, right)


def _percent_axis(ax: Axes, label: str) -> None:
    ax.axhline(0, color="#444444", linewidth=0.9, zorder=1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos=None: f"{value:+.0f}%" if value else "0%"))
    ax.set_ylabel(_wrap(label, 90))


@chart("point")
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
    plotted = []
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
            plotted += _rows(
                label,
                [int(v) for v in part["age_months"]],
                [float(v) for v in part["revision_percent"]],
                period_end=None,
            )
            for row, period in zip(plotted[len(plotted) - len(part) :], part["period_end"], strict=True):
                row["period_end"] = period
    reported = rows[rows["measure"] == "reported"]
    predicted = rows[rows["measure"] == "predicted"]
    top = reported.loc[reported["revision_percent"].abs().idxmax()]
    title = (
        f"{SHORT_LABELS.get(indicator, indicator)}: first-published reported counts were later revised by "
        f"up to {top['revision_percent']:+.1f}% ({int(top['age_months'])} months old)"
    )
    if len(predicted):
        title += (
            f"; predicted values by {predicted['revision_percent'].min():+.1f}% to "
            f"{predicted['revision_percent'].max():+.1f}%"
        )
    finding_title(
        ax,
        title,
        f"Each point is one 12 month-ending period in the earliest release held, against the "
        f"{revisions.release_label(latest)} release (like with like: reported vs reported, predicted vs predicted)",
    )
    _percent_axis(ax, f"Revision to the {revisions.release_label(latest)} release (% of the first value)")
    _months_axis(ax, float(rows["age_months"].max()) + 2)
    _attach(
        fig,
        "point",
        _frame(plotted, "age at release (months)", "revision (percent)", ("period_end",)),
        "age at release (months)",
        "revision (percent)",
    )
    _legend(ax, "upper right", fontsize=8)
    source_line(fig, source)
    return fig


@chart("point")
def anticipation_chart(revisions_table: pd.DataFrame, source: str, indicator: str = "all_drugs") -> Figure:
    """Error of the reported and of the predicted value against the latest reported count, by age, for
    provisional figures whose release gave both; finding title says how often predicted was closer."""
    from . import revisions

    rows = revisions_table[(revisions_table["indicator"] == indicator) & revisions_table["provisional_at_release"]]
    wide = rows.pivot_table(
        index=["period_end", "first_release", "age_months"], columns="measure", values="error_percent", aggfunc="first"
    ).dropna()
    if wide.empty or not {"reported", "predicted"} <= set(wide.columns):
        raise ValueError(f"no provisional figure of {indicator} with both a reported and a predicted value")
    wide = wide.reset_index()
    colours = _release_colours(wide["first_release"])
    fig, ax = _new()
    plotted = []
    for release, colour in colours.items():
        part = wide[wide["first_release"] == release]
        label = revisions.release_label(release)
        for measure in ("reported", "predicted"):
            plotted += _rows(
                f"{measure.capitalize()}, {label} release",
                [int(v) for v in part["age_months"]],
                [float(v) for v in part[measure]],
                period_end=None,
            )
            for row, period in zip(plotted[len(plotted) - len(part) :], part["period_end"], strict=True):
                row["period_end"] = period
        ax.scatter(
            part["age_months"],
            part["reported"].astype(float),
            color=colour,
            zorder=3,
            label=f"Reported, {label} release",
            **MEASURE_MARKERS["reported"],
        )
        ax.scatter(
            part["age_months"],
            part["predicted"].astype(float),
            edgecolors=colour,
            zorder=3,
            label=f"Predicted, {label} release",
            **MEASURE_MARKERS["predicted"],
        )
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
    _attach(
        fig,
        "point",
        _frame(plotted, "age at release (months)", "error (percent)", ("period_end",)),
        "age at release (months)",
        "error (percent)",
    )
    _legend(ax, "lower right", fontsize=8)
    source_line(fig, source)
    return fig
