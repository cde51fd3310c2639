"""Tests for analysis.charts: the house style, helpers, and that standard figures state computed findings."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import charts  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    charts.use_house_style()
    yield
    plt.close("all")


def tidy(values: dict[str, list[int | None]], periods: list[str], reported_offset: int = -100) -> pd.DataFrame:
    rows = []
    for indicator, series in values.items():
        for period, value in zip(periods, series, strict=True):
            rows.append(
                {
                    "jurisdiction": "US",
                    "period_end": period,
                    "indicator": indicator,
                    "unit": "deaths",
                    "reported": None if value is None else value + reported_offset,
                    "predicted": value,
                }
            )
    out = pd.DataFrame(rows)
    out["reported"] = out["reported"].astype("Int64")
    out["predicted"] = out["predicted"].astype("Int64")
    return out


PERIODS = [f"2023-{m:02d}" for m in range(1, 13)]
CDC = tidy(
    {
        "all_drugs": [100, 110, 120, 130, 200, 190, 180, 170, 160, 150, 140, 100],
        "synthetic_opioids": [50, 55, 60, 65, 120, 110, 100, 90, 80, 70, 60, 30],
    },
    PERIODS,
)


def test_house_style_sets_size_dpi_font_and_svg_salt():
    matplotlib.rcParams.update({"figure.dpi": 72, "font.sans-serif": ["Arial"]})
    charts.use_house_style()
    assert tuple(matplotlib.rcParams["figure.figsize"]) == charts.FIGSIZE
    assert matplotlib.rcParams["figure.dpi"] == charts.DPI == matplotlib.rcParams["savefig.dpi"]
    assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"
    assert matplotlib.rcParams["svg.hashsalt"] == "overdose-claims"


def test_png_output_is_byte_identical_between_runs():
    def draw() -> bytes:
        fig = charts.overdose_trend(CDC, "test source")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
        plt.close(fig)
        return buffer.getvalue()

    assert draw() == draw()


def test_source_line_and_vintage_text():
    fig, ax = plt.subplots()
    charts.source_line(
        fig,
        charts.vintage_text(
            {"title": "t", "dataset_id": "xkb8-kh2a", "source_release": "2025-09", "latest_period": "2025-04"}
        ),
    )
    texts = [text.get_text() for text in fig.texts]
    assert texts == [
        "Source: CDC/NCHS VSRR Provisional Drug Overdose Death Counts (data.cdc.gov xkb8-kh2a), "
        "release of Sep 2025, periods to Apr 2025"
    ]
    assert charts.vintage_text({"title": "Strike ledger", "source_release": "2026-06"}) == (
        "Strike ledger, release of Jun 2026"
    )
    assert charts.ledger_source("Claims ledger", {"source_release": "2026-12"}) == (
        "Claims ledger, release of Dec 2026, compiled from public reporting"
    )


def test_mark_campaign_draws_the_first_strike_date():
    fig, ax = plt.subplots()
    ax.plot(pd.to_datetime(["2025-01-01", "2026-01-01"]), [0, 1])
    charts.mark_campaign(ax)
    xs = [line.get_xdata()[0] for line in ax.lines[1:]]
    assert mdates.date2num(pd.Timestamp("2025-09-02")) in [
        float(mdates.date2num(x)) if not isinstance(x, float) else x for x in xs
    ]
    assert any("2 Sep 2025" in text.get_text() for text in ax.texts)


def test_period_dates_are_month_ends():
    assert list(charts.period_dates(["2024-02", "2025-04"])) == [pd.Timestamp("2024-02-29"), pd.Timestamp("2025-04-30")]


def test_overdose_trend_title_is_computed_and_measures_distinguished():
    fig = charts.overdose_trend(CDC, "src")
    title = fig._suptitle.get_text().replace("\n", " ")
    # peak 200 in May 2023, latest 100 in Dec 2023: a 50% fall
    assert "fell 50% from their peak" in title and "May 2023" in title and "Dec 2023" in title
    ax = fig.axes[0]
    assert len(fig.axes) == 1  # no second y axis
    assert ax.get_ylim()[0] == 0
    styles = {line.get_label(): line.get_linestyle() for line in ax.lines if not line.get_label().startswith("_")}
    assert styles["All drug overdoses: predicted"] == "-" and styles["All drug overdoses: reported"] == "--"
    assert ax.get_ylabel() and any(text.get_text() == "Source: src" for text in fig.texts)


def test_gap_stays_a_gap():
    gappy = tidy({"all_drugs": [100, None, 120] + [130] * 9, "synthetic_opioids": [50] * 12}, PERIODS)
    fig = charts.overdose_trend(gappy, "src")
    line = next(line for line in fig.axes[0].lines if line.get_label() == "All drug overdoses: predicted")
    assert pd.isna(line.get_ydata()[1])


def test_drug_classes_names_the_biggest_fall():
    data = tidy({"synthetic_opioids": [10, 100] + [40] * 10, "cocaine": [10, 30] + [25] * 10}, PERIODS)
    fig = charts.drug_classes(data, "src", indicators=("synthetic_opioids", "cocaine"))
    # timing only, no causal verb; CDC's own class name
    assert (
        fig._suptitle.get_text()
        .replace("\n", " ")
        .startswith("Synthetic opioids other than methadone fell most: down 60 deaths (60%)")
    )


def test_legends_use_cdcs_own_class_names():
    assert charts.SHORT_LABELS["natural_semisynthetic"] == "Natural and semi-synthetic opioids (T40.2)"
    assert charts.SHORT_LABELS["synthetic_opioids"] == "Synthetic opioids other than methadone (T40.4)"
    assert charts.SHORT_LABELS["psychostimulants"] == "Psychostimulants with abuse potential (T43.6)"
    assert not hasattr(charts, "strike_vs_overdose_chart")  # overdose deaths per strike death: two unrelated things


def test_monthly_theater_counts_from_zero_and_titles_top_theater():
    by_month = pd.DataFrame(
        {
            "month": ["2025-09", "2025-09", "2025-10", "2025-10"],
            "theater": ["Caribbean", "All theaters", "Eastern Pacific", "All theaters"],
            "killed": pd.array([5, 5, 9, 9], dtype="Int64"),
        }
    )
    fig = charts.monthly_theater_chart(by_month, "src")
    assert (
        fig._suptitle.get_text()
        .replace("\n", " ")
        .startswith("9 of the 14 deaths announced were in the Eastern Pacific")
    )
    assert fig.axes[0].get_ylim()[0] == 0


def test_titles_follow_the_data_direction_not_an_assumed_fall():
    rising = tidy({"all_drugs": list(range(100, 112)), "synthetic_opioids": list(range(50, 62))}, PERIODS)
    title = charts.overdose_trend(rising, "src")._suptitle.get_text().replace("\n", " ")
    assert "fell" not in title and "at their peak in the latest period, the 12 months ending Dec 2023" in title
    title = (
        charts.drug_classes(rising, "src", indicators=("synthetic_opioids",))._suptitle.get_text().replace("\n", " ")
    )
    assert "fell most" not in title and "at its peak" in title


def test_range_text():
    assert charts.range_text(25000.0, 25000.0) == "25,000"
    assert charts.range_text(25000, 50000.0) == "25,000 to 50,000"


def _lives(per_boat_high: float, tier: str = "snapshot") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": ["C1", "C2"],
            "speaker": ["Donald Trump", "Kingsley Wilson"],
            "date": ["2025-10-01", "2025-11-01"],
            "per_boat_low": pd.array([30000.0, 30000.0], dtype="Float64"),
            "per_boat_high": pd.array([30000.0, per_boat_high], dtype="Float64"),
            "vessels_by_date": pd.array([2, 4], dtype="Int64"),
            "lives_implied_low": pd.array([60000.0, 120000.0], dtype="Float64"),
            "lives_implied_high": pd.array([60000.0, 4 * per_boat_high], dtype="Float64"),
            "tier": ["snapshot", tier],
            "all_drugs_cdc": pd.array([80000.0, 80000.0], dtype="Float64"),
            "synthetic_opioids_cdc": pd.array([40000.0, 40000.0], dtype="Float64"),
            "cocaine_cdc": pd.array([20000.0, 20000.0], dtype="Float64"),
            "ratio_all_drugs_high": pd.array([0.75, 4 * per_boat_high / 80000], dtype="Float64"),
        }
    )


def test_lives_per_boat_is_a_conditional_against_three_classes():
    fig = charts.lives_per_boat_chart(_lives(40000.0), "src")
    title = fig._suptitle.get_text().replace("\n", " ")
    assert title == (
        "If each boat destroyed saved 30,000 to 40,000 lives, the 4 boats destroyed by 1 Nov 2025 would "
        "have saved 160,000: 2.0 times a year's overdose deaths"
    )
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert "Upper figure of a range claim (30,000 to 40,000 per boat)" in labels
    assert "CDC, Cocaine (T40.5), 12 months" in labels
    assert not any("25,000" in label for label in labels)
    assert "Dose arithmetic, not a death count" in fig.axes[0].get_title(loc="left").replace("\n", " ")
    fig = charts.lives_per_boat_chart(_lives(30000.0, tier="quoted release"), "src")  # no range claim
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert not any("range claim" in label for label in labels)
    assert "CDC figures for Kingsley Wilson, 1 Nov 2025 are quoted from a later release" in fig.axes[0].get_title(
        loc="left"
    ).replace("\n", " ")


def test_lives_per_boat_names_claims_by_speaker_and_date_not_row_id():
    fig = charts.lives_per_boat_chart(_lives(40000.0), "src")
    ticks = [tick.get_text() for tick in fig.axes[0].get_xticklabels()]
    assert ticks == ["Donald\nTrump\n1 Oct\n2025\n2 boats", "Kingsley\nWilson\n1 Nov\n2025\n4 boats"]
    info = charts.chart_info(fig)
    assert "Donald Trump, 1 Oct 2025, 2 boats" in info.alt
    assert not re.search(r"\bC[12]\b", info.alt)
    assert set(info.data["claim"]) == {"Donald Trump, 1 Oct 2025, 2 boats", "Kingsley Wilson, 1 Nov 2025, 4 boats"}
    assert set(info.data["claim_id"]) == {"C1", "C2"}  # the ledger row, in the download only
    twice = _lives(40000.0).assign(speaker="Donald Trump", date="2025-10-01")
    assert list(charts.chart_info(charts.lives_per_boat_chart(twice, "src")).data["claim"][:2]) == [
        "Donald Trump, 1 Oct 2025, 2 boats",
        "Donald Trump, 1 Oct 2025 (2), 4 boats",
    ]


def test_unquantified_flow_claim_is_annotated_with_the_ledger_wording():
    flow = pd.DataFrame(
        {
            "claim_id": ["C1", "C2", "C3", "C4", "C5"],
            "date_value": pd.to_datetime(["2025-10-01", "2025-12-01", "2026-01-10", "2025-12-01", "2025-12-01"]),
            "measure": ["claimed_flow_cut"] * 5,
            "reduction_pct": pd.array([80.0, 90.0, None, None, 90.0], dtype="Float64"),
            "stated_wording": ["", "", "", "almost 100%", ""],
            "repeat_of": ["", "", "", "C2", "C2"],
            "note": ["", "", "unquantified: 'mostly gone'", "", ""],
        }
    )
    fig = charts.flow_series_chart(flow, "src")
    texts = [text.get_text().replace("\n", " ") for text in fig.axes[0].texts]
    assert any("10 Jan 2026: unquantified: 'mostly gone'" in text for text in texts)  # dated, not a row id
    # "almost 100%" is written as its words, never drawn as a point at 100
    assert any("1 Dec 2025: 'almost 100%' (stated wording, not a figure)" in text for text in texts)
    points = [tuple(map(float, xy)) for collection in fig.axes[0].collections for xy in collection.get_offsets()]
    assert all(y != 100 for _, y in points)
    # the repeat of one occasion is drawn hollow and not counted in the title
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert "Second report of the same occasion (same day and speaker)" in labels
    assert (
        fig._suptitle.get_text()
        .replace("\n", " ")
        .startswith("2 dated statements put the cut in seaborne drugs at 80% to 90% (Oct 2025 to Dec 2025)")
    )


def test_claims_title_comes_from_the_verdicts_and_never_from_an_off_scale_figure():
    claims = pd.DataFrame(
        {
            "claim_id": ["C1", "C2", "C3", "C4"],
            "verdict": ["overstates", "overstates", "consistent with CDC", "overstates"],
            "claimed_high": [300000.0, 250000.0, 80000.0, 300_000_000.0],
            "headline_ratio_low": [2.66, 1.77, 0.99, 2656.0],
        }
    )
    title = charts.claims_title(claims)
    assert title == (
        "2 of the 3 numeric claims drawn to scale overstate CDC's count, by at least 1.8 to 2.7 times even "
        "against the CDC figure most generous to each"
    )
    assert "300,000,000" not in title and "C4" not in title


def test_reconciliation_headline_is_the_upper_count_run():
    from analysis import reconcile

    cumulative = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-01", "2026-04-01"]),
            "killed": pd.array([100, 150], dtype="Int64"),
            "killed_presumed": pd.array([105, 155], dtype="Int64"),
        }
    )
    reconciliation = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2026-01-02", "2026-04-12", "2026-05-01"]),
            "publisher": ["A", "B (copy)", "C"],
            "published_killed": pd.array([105, 160, 170], dtype="Int64"),
            "difference": pd.array([5, 10, 20], dtype="Int64"),
            "difference_presumed": pd.array([0, 5, 15], dtype="Int64"),
        }
    )
    fig = charts.cumulative_deaths_chart(cumulative, reconciliation, "src")
    title = fig._suptitle.get_text().replace("\n", " ")
    assert title == reconcile.upper_count_headline(reconciliation)
    assert title.startswith("From 12 Apr 2026 every published tally is above the ledger's upper count (by 5 to 15")
    assert "at least" in fig.axes[0].get_title(loc="left").replace("\n", " ")


def test_timeline_says_before_the_strike_only_when_the_data_end_before_it():
    events = pd.DataFrame(
        {
            "key": ["first_strike"],
            "label": ["First boat strike"],
            "date": ["2023-10-02"],
            "date_value": pd.to_datetime(["2023-10-02"]),
            "source_status": ["ledger row"],
        }
    )
    title = charts.timeline_chart(CDC, events, "src", start="2023-01")._suptitle.get_text().replace("\n", " ")
    # peak May 2023, first strike Oct 2023, data to Dec 2023: the latest period is after the strike
    assert "peaked 5 months before the first boat strike" in title
    assert "before it" not in title and "the latest period in this release" in title
    events.loc[0, "date_value"] = pd.Timestamp("2024-03-01")
    title = charts.timeline_chart(CDC, events, "src", start="2023-01")._suptitle.get_text().replace("\n", " ")
    assert "peaked 10 months before" in title and title.endswith("before it")


_DRAW_COUNT_SCRIPT = r"""
import matplotlib.figure
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell

published = []
class Capture(DisplayPublisher):
    def publish(self, data, metadata=None, **kwargs):
        published.append(sorted(data))

class Shell(InteractiveShell):  # a terminal-less shell, as in a kernel: no GUI event loop
    def enable_gui(self, gui=None):
        pass

shell = Shell.instance(display_pub_class=Capture)
rendered = []
real_draw = matplotlib.figure.Figure.draw
def counting_draw(self, renderer):
    rendered.append(id(self))
    return real_draw(self, renderer)
matplotlib.figure.Figure.draw = counting_draw
for cell in ("from analysis import charts\ncharts.setup_notebook()\nimport matplotlib.pyplot as plt",
             "fig, ax = plt.subplots()\n_ = ax.plot([1, 2], [3, 4])",
             "x = 1"):
    assert shell.run_cell(cell, store_history=True).success, cell
print(len(rendered), published)
"""


def test_setup_notebook_shows_each_figure_once_and_draws_it_once():
    """In an IPython shell a figure is drawn once, into its SVG; pyplot's own hook must not redraw
    it first (that doubled the drawing time of every chart). A figure not drawn by the library has
    no alt text (the report refuses it)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _DRAW_COUNT_SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    draws, published = done.stdout.strip().split(" ", 1)
    assert published == "[['image/svg+xml', 'text/plain']]"  # shown once, as SVG
    # savefig's layout pass (constrained layout, drawing disabled) plus the SVG's render; with
    # pyplot's hook left in place a third, full draw came first.
    assert int(draws) == 2, done.stdout


def test_a_library_chart_carries_alt_text_data_and_a_narrow_drawing():
    from IPython.core.formatters import DisplayFormatter

    fig = charts.overdose_trend(CDC, "test source")
    data, _ = charts.figure_bundle(fig)
    assert set(data) == {"image/svg+xml", "text/plain", charts.CHART_MIME}
    info = data[charts.CHART_MIME]
    assert data["text/plain"] == info["alt"]
    alt = info["alt"]
    assert alt.startswith("Line chart. Overdose deaths fell 50% from their peak in the 12 months ending May 2023")
    assert (
        "All drug overdoses: predicted: 12 values, from 100 (Jan 2023) to 100 (Dec 2023); highest 200 (May 2023)."
        in alt
    )
    # The data download is exactly what is drawn: 4 series x 12 periods, values unrounded.
    frame = pd.read_csv(io.StringIO(info["csv"]))
    assert list(frame.columns) == ["series", charts.PERIOD_COLUMN, "deaths"]
    assert len(frame) == 48
    assert frame.loc[frame["series"] == "All drug overdoses: reported", "deaths"].tolist()[:2] == [0, 10]
    assert info["narrow_svg"].startswith("<svg") and 'width="345.6pt"' in info["narrow_svg"]
    assert data["image/svg+xml"].startswith("<svg") and 'width="648pt"' in data["image/svg+xml"]
    assert (info["width"], info["height"]) == (900, 520)
    assert charts.figure_bundle(charts.overdose_trend(CDC, "test source"))[0] == data  # deterministic
    plain, _ = charts.figure_bundle(plt.figure())
    assert charts.CHART_MIME not in plain and plain["text/plain"].startswith("<Figure")
    assert DisplayFormatter  # IPython's own formatter is wired by setup_notebook (tested above)


def test_svg_is_deterministic_and_keeps_text_as_text():
    fig = charts.drug_classes(
        CDC.assign(indicator=CDC["indicator"].replace({"all_drugs": "cocaine"})),
        "src",
        indicators=("synthetic_opioids", "cocaine"),
    )
    svg = charts.figure_svg(fig)
    again = charts.drug_classes(
        CDC.assign(indicator=CDC["indicator"].replace({"all_drugs": "cocaine"})),
        "src",
        indicators=("synthetic_opioids", "cocaine"),
    )
    assert svg == charts.figure_svg(again)
    assert "Matplotlib v" not in svg and "<dc:date>" not in svg and "<text" in svg


def test_figure_drawn_elsewhere_can_be_described():
    fig, ax = plt.subplots()
    ax.plot([2019, 2020], [3, 1], label="count")
    ax.set_title("Fixture series")
    data = pd.DataFrame({"series": ["count", "count"], "year": [2019, 2020], "value": [3, 1]})
    charts.describe_figure(fig, data, x="year", y="value")
    info = charts.chart_info(fig)
    assert info.alt == ("Line chart. Fixture series. count: 2 values, from 3 (2019) to 1 (2020); highest 3 (2019).")
    with pytest.raises(ValueError, match="lacks the columns"):
        charts.describe_figure(fig, data.drop(columns="series"), x="year", y="value")


def test_campaign_start_is_the_ledgers_first_strike():
    from analysis import charts, ledgers

    strikes = ledgers.load_strikes_verified()
    first = strikes.loc[strikes["date"].idxmin()]
    assert (first["strike_id"], first["date"]) == ("S001", charts.CAMPAIGN_START)
    assert f"{charts.CAMPAIGN_START.day} {charts.CAMPAIGN_START:%b %Y}" in charts.CAMPAIGN_LABEL


def _revisions(rows):
    """A cdc_revisions-shaped table from (period, measure, release, age, revision %, error %) rows."""
    frame = pd.DataFrame(
        rows, columns=["period_end", "measure", "first_release", "age_months", "revision_percent", "error_percent"]
    )
    frame["indicator"], frame["latest_release"], frame["provisional_at_release"] = "all_drugs", "2025-09", True
    return frame


REVISIONS = _revisions(
    [
        ("2018-11", "reported", "2019-07", 8, 1.7, -1.6),
        ("2018-11", "predicted", "2019-07", 8, -0.3, 1.5),
        ("2018-10", "reported", "2019-07", 9, 1.4, -1.3),
        ("2018-10", "predicted", "2019-07", 9, -0.7, 0.9),
        ("2017-09", "reported", "2018-04", 7, 3.9, -3.8),
    ]
)


def test_revision_chart_title_and_measures_from_the_data():
    fig = charts.revision_by_age_chart(REVISIONS, "src")
    title = fig._suptitle.get_text().replace("\n", " ")
    assert title == (
        "All drug overdoses: first-published reported counts were later revised by up to +3.9% "
        "(7 months old); predicted values by -0.7% to -0.3%"
    )
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert "Reported, first published in the Apr 2018 release" in labels
    assert "Predicted, first published in the Jul 2019 release" in labels
    assert not any(label.startswith("Predicted, first published in the Apr 2018") for label in labels)  # none given
    assert "Sep 2025 release" in fig.axes[0].get_ylabel()


def test_anticipation_chart_counts_where_predicted_was_closer():
    fig = charts.anticipation_chart(REVISIONS, "src")
    title = fig._suptitle.get_text().replace("\n", " ")
    assert title.endswith("closer to the later count than the reported one for 2 of 2 provisional periods")
    worse = REVISIONS.assign(error_percent=[-1.6, 2.0, -1.3, 0.9, -3.8])
    assert "for 1 of 2 provisional" in charts.anticipation_chart(worse, "src")._suptitle.get_text().replace("\n", " ")
    with pytest.raises(ValueError, match="no provisional figure of cocaine"):
        charts.anticipation_chart(REVISIONS, "src", indicator="cocaine")


def test_release_colours_are_the_same_in_every_chart():
    both = charts._release_colours(["2018-04", "2019-07"])
    assert charts._release_colours(["2019-07"])["2019-07"] == both["2019-07"]
