"""Tests for analysis.report: executes small fixture notebooks in real kernels and reads the pages.

The browser checks (console errors, decoded images, screenshots) are in test_report_browser.py.
"""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis import manifest
from analysis import report as report_module
from analysis.paths import project_paths
from analysis.report import (
    ReportError,
    _swap_into_place,
    active_content,
    build_report,
    build_report_detailed,
    check_notebook_markup,
    describe_notebook,
    external_resources,
    find_notebooks,
    over_budget,
    render_front_page,
    weights_lines,
)
from helpers import ROOT as REPO
from helpers import copy_report_project
from helpers import snapshot_bytes as snapshot

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "report"
BUILT_ON = "2026-01-02"


def make_project(root: Path, notebooks: list[Path] | None = None) -> Path:
    """A throwaway project: a copy of data/raw and the given notebooks (default: the two fixtures)."""
    chosen = notebooks if notebooks is not None else sorted(FIXTURES.glob("0*.ipynb"))
    return copy_report_project(root, chosen, [FIXTURES / "ledger_row.csv"]).root


class Page(HTMLParser):
    """What a browser would build from a page: elements, visible text, links."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text_parts: list[str] = []
        self._skip = 0
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]


#: HTML exporters made by the ``built`` fixture's build, by ``with_code``.
EXPORTERS_MADE: list[bool] = []


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture notebooks built into a report once, with MPLBACKEND=Agg set as CI often does."""
    root = make_project(tmp_path_factory.mktemp("project"))
    real_exporter = report_module._exporter

    def counting_exporter(with_code):
        EXPORTERS_MADE.append(with_code)
        return real_exporter(with_code)

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MPLBACKEND", "Agg")
        mp.setattr(report_module, "_exporter", counting_exporter)
        result = build_report_detailed(project_paths(root), workers=2, built_on=BUILT_ON)
    return result


def test_one_exporter_per_build(built):
    """Templates are compiled once per build: one exporter serves every page (two here)."""
    assert len(built.pages) == 2
    assert EXPORTERS_MADE == [False]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# -- built report ------------------------------------------------------------------------------


def test_index_lists_notebooks_with_question_vintage_and_date(built):
    index = built.index
    assert index == index.parent / "index.html" and index.parent.name == "reports"
    page = Page(read(index))
    links = [a["href"] for a in page.all("a") if a.get("class") == "notebook"]
    assert links == ["01_figure.html", "02_ledger_table.html"]
    for href in links:
        assert (index.parent / href).is_file()
    text = " ".join(page.text.split())
    assert "A figure from the snapshot (fixture)" in text
    # the notebooks' titles only: their questions open their own pages, not the front page
    assert "Does the report embed a matplotlib figure and read the project's manifest?" not in text
    assert "Second paragraph" not in text
    cdc = manifest.entry("cdc_vsrr.csv", project_paths(REPO))
    assert "CDC provisional counts, release of Sep 2025, to the 12 months ending Apr 2025" in text
    assert cdc["sha256"][:12] not in text  # checksums are on the method page
    assert cdc["sha256"] in " ".join(Page(read(index.parent / "method.html")).text.split())
    assert "Reviewer edition, dated 2 Jan 2026 (date set for this build)" in text
    assert page.all("time")[0]["datetime"] == "2026-01-02"
    # The fixture has no claims_against_cdc chart: the front page leads with the first chart there is.
    assert built.warnings == ["no claims_against_cdc chart in the notebooks; the front page leads with fixture_series"]
    assert len(page.all("img")) == 1


def test_pages_are_self_contained(built):
    folder = built.index.parent
    for path in sorted(folder.glob("*.html")):
        body = read(path)
        assert external_resources(body) == [], path.name
        assert active_content(body) == [], path.name
        lowered = body.lower()
        for needle in ("require.js", "require.min.js", "mathjax", "cdnjs", "unpkg", "fonts.googleapis", "jp-"):
            assert needle not in lowered, (path.name, needle)
    figure = Page(read(built.pages[0]))
    images = figure.all("img")
    assert len(images) == 1
    assert images[0]["src"].startswith("data:image/svg+xml;base64,")
    assert images[0]["alt"].startswith("Line chart. Fixture series. count: 3 values")
    # The chart's data is offered beside it, and is exactly what is plotted.
    downloads = [a["href"] for a in figure.all("a") if "download" in a]
    assert downloads == ["data/01_figure/fixture_series.csv"]
    assert read(folder / downloads[0]) == "series,year,count\ncount,2019,3\ncount,2020,1\ncount,2021,2\n"


def test_pages_carry_only_the_reports_css(built):
    from analysis import pages

    css = (pages.TEMPLATES / "report.css").read_text(encoding="utf-8")
    assert len(css) < 8_000
    for path in built.index.parent.glob("*.html"):
        body = read(path)
        assert body.count("<style") == 1, path.name
        style = body[body.index("<style") : body.index("</style>")]
        assert len(style) < len(css) + 200, path.name  # the report's own sheet, nothing else


def _claim_pages() -> set[str]:
    """The evidence pages a report of this project's data holds: one per headline verdict."""
    from analysis import claim_pages, pages

    headline = pages.Evidence.load(project_paths(REPO)).headline
    return {claim_pages.page_name(row) for _, row in headline.iterrows()}


def test_page_weights_are_recorded_and_budgets_checked(built):
    claims = _claim_pages()
    assert len(claims) >= 15 and {"claim-C001.html", "claim-lives-per-boat.html", "claim-seaborne-flow.html"} <= claims
    assert set(built.weights) == {"01_figure.html", "02_ledger_table.html", "index.html", "method.html"} | claims
    assert all(size == (built.index.parent / name).stat().st_size for name, size in built.weights.items())
    assert over_budget({"index.html": 150_001, "01_x.html": 350_000}) == [
        "index.html weighs 150 KB, over its budget of 150 KB"
    ]
    line = weights_lines({"01_x.html": 351_000})[0]
    assert line.split() == ["01_x.html", "351", "KB", "(budget", "350", "KB)", "OVER"]


def test_the_projects_report_is_within_its_budgets(real_report):
    """The project's own report: every page within 350 KB and the front page within 150 KB."""
    weights = real_report.weights
    assert {"index.html", "method.html", "changelog.html", "01_cdc_overdose_trends.html"} <= set(weights)
    assert over_budget(weights) == []
    assert not [w for w in real_report.warnings if "budget" in w]


def test_the_projects_report_offers_its_data(real_report):
    folder = real_report.index.parent
    offered = sorted(str(p.relative_to(folder)) for p in (folder / "data").rglob("*.csv"))
    assert "data/raw/cdc_vsrr.csv" in offered and "data/processed/claims_vs_cdc.csv" in offered
    assert (folder / "data/raw/cdc_vsrr.csv").read_bytes() == (REPO / "data/raw/cdc_vsrr.csv").read_bytes()
    charts_offered = [p for p in offered if p.startswith("data/0") and "table-" not in p]
    from analysis.charts import CHART_MIME

    charts_in_notebooks = sum(
        1
        for path in sorted((REPO / "notebooks").glob("0*.ipynb"))
        for cell in nbformat.read(path, as_version=4).cells
        for output in cell.get("outputs", [])
        if CHART_MIME in output.get("data", {})
    )
    assert charts_in_notebooks >= 9 and len(charts_offered) == charts_in_notebooks  # one CSV per chart
    for page in real_report.pages:
        html_text = read(page)
        for href in [a["href"] for a in Page(html_text).all("a") if "download" in a]:
            assert (folder / href).is_file(), (page.name, href)


def test_notebook_pages_link_previous_and_next(real_report):
    first, second = real_report.pages[0], real_report.pages[1]
    rels = {a.get("rel"): a["href"] for a in Page(read(first)).all("a") if a.get("rel") in ("prev", "next")}
    assert rels == {"prev": "index.html", "next": second.name}
    last = {a.get("rel"): a["href"] for a in Page(read(real_report.pages[-1])).all("a") if a.get("rel")}
    assert last["next"] == "method.html"


def test_front_page_leads_with_the_verdicts_then_the_other_findings(real_report):
    from analysis import claim_pages, compare, pages, verdicts

    html_text = read(real_report.index)
    text = " ".join(Page(html_text).text.split())
    evidence = pages.Evidence.load(project_paths(REPO))
    headline = evidence.headline
    # the verdicts first: every headline row, grouped by verdict with its count, each linked to its page
    assert (
        text.index("The claims, checked")
        < text.index("What else the data show")
        < text.index("What the data cannot show")
    )
    assert claim_pages.summary_line(headline) in text
    for verdict, number in headline["verdict"].value_counts().items():
        one, many = claim_pages.HEADINGS[verdict]
        assert f"{number} {'claim' if number == 1 else 'claims'} {one if number == 1 else many}" in text
    items = html_text.split('<ul class="verdicts">')[1:]
    shown = [part.split("</ul>")[0] for part in items]
    assert sum(block.count('<li class="verdict-item"') for block in shown) == len(headline)
    for _, row in headline.iterrows():
        assert " ".join(claim_pages.shown_sentence(row["verdict_sentence"]).split()) in text, row["claim_id"]
        assert f'href="{claim_pages.page_name(row)}"' in html_text
        assert (real_report.index.parent / claim_pages.page_name(row)).is_file()
    assert set(headline["verdict"]) <= set(verdicts.VERDICTS)
    # then the findings the verdicts do not say, as plain sentences linked to their notebooks
    findings = html_text.split('<ul class="findings">')[1].split("</ul>")[0].split("<li>")[1:]
    assert len(findings) == len(pages.findings(evidence, {"source_urls": ["x"]}, {"01": "x"}))
    assert all('href="0' in item for item in findings)
    assert "Overdose deaths peaked at 112,966 in the 12 months ending Aug 2023" in text
    assert "The strike ledger counts at least 188 people killed" in text
    table = compare.findings_table(
        evidence.national,
        evidence.comparison,
        evidence.lives,
        evidence.flow,
        evidence.strikes,
        evidence.reconciliation,
        "x",
        evidence.revisions,
    )
    for sentence in table.loc[table["topic"].isin(compare.OTHER_FINDING_TOPICS), "sentence"]:
        assert " ".join(sentence.split()) in text
    assert "What the data cannot show" in text and "no public data measures that flow" in text
    assert "cannot show any effect of the campaign" in text


def test_evidence_pages_hold_the_quote_source_cdc_figure_comparisons_and_rule(real_report):
    from analysis import claim_pages, pages, sources

    evidence = pages.Evidence.load(project_paths(REPO))
    folder = real_report.index.parent
    claims = evidence.claims.set_index("claim_id")
    for _, row in evidence.headline.iterrows():
        html_text = read(folder / claim_pages.page_name(row))
        text = " ".join(Page(html_text).text.split())
        assert claim_pages.shown_sentence(" ".join(str(row["verdict_sentence"]).split()))[:60] in text
        assert evidence.thresholds.rule_text() in text
        ids = [part.strip() for part in str(row["claim_ids"]).split(",")]
        for claim_id in ids:
            ledger = claims.loc[claim_id]
            assert " ".join(str(ledger["quote"]).split()) in text, claim_id
            assert f"Claims ledger row {claim_id}" in text
            if sources.is_weak(ledger["source_kind"]):
                assert "weak source" in text
            if str(ledger["source_url"]).startswith("http"):
                assert f'href="{ledger["source_url"]}"'.replace("&", "&amp;") in html_text, claim_id
        if row["scope"] == "claim":
            assert "Every fair comparison" in text and "The CDC figure it is set against" in text
            judged = evidence.judged[evidence.judged["claim_id"] == row["claim_id"]]
            assert html_text.count("<tr") - 1 == len(judged)  # one table row per sensitivity row, whatever they are
            if len(judged[judged["headline"]]):
                assert html_text.count('class="headline"') == 1
            venue = claims.loc[row["claim_id"], "venue"]
            if isinstance(venue, str):
                assert " ".join(venue.split())[:20] in text
        assert "weighs" not in text
    for name in {claim_pages.page_name(row) for _, row in evidence.headline.iterrows()}:
        assert real_report.weights[name] <= 350_000


def test_reviewer_pages_hide_code_and_show_outputs_from_the_project(built):
    figure = read(built.pages[0])
    assert "plt.subplots" not in figure
    assert 'class="prompt"' not in figure
    # The kernel ran against the temporary project (OVERDOSE_PROJECT_ROOT), cwd = notebooks folder.
    cdc = manifest.entry("cdc_vsrr.csv", project_paths(REPO))
    assert f"CDC release: {cdc['source_release']}" in Page(figure).text
    assert 'href="index.html"' in figure


def test_ledger_text_is_shown_as_text_and_sources_are_links(built):
    html_text = read(built.pages[1])
    page = Page(html_text)
    assert page.all("script") == []
    assert page.all("img") == [] and page.all("b") == []
    quote = '<script>alert(1)</script> <img src=x onerror=alert(2)> <b>not bold</b> & "quoted"'
    # Shown three times: show_table, print(), and pandas' own table (which shortens the cell).
    assert page.text.count(quote) == 2
    assert page.text.count("<script>alert(1)</script>") == 3
    hrefs = [a for a in page.all("a") if a.get("href", "").startswith("https://example.org/")]
    assert [a["href"] for a in hrefs] == ["https://example.org/strike?a=1&b=<2>"]
    assert "noopener" in hrefs[0]["rel"].split()
    assert not [a for a in page.all("a") if a.get("href", "").lower().startswith("javascript:")]
    assert "javascript:alert(3)" in page.text


def test_timings_are_recorded(built):
    assert [t.notebook for t in built.timings] == ["01_figure.ipynb", "02_ledger_table.ipynb"]
    for timing in built.timings:
        assert timing.kernel_start_s > 0 and timing.execute_s > 0 and timing.export_s > 0 and timing.shutdown_s > 0
        assert timing.total_s == pytest.approx(
            timing.kernel_start_s + timing.execute_s + timing.shutdown_s + timing.export_s
        )
    recorded = json.loads(read(built.index.parent / "timings.json"))
    assert recorded["workers"] == 2
    assert [n["notebook"] for n in recorded["notebooks"]] == ["01_figure.ipynb", "02_ledger_table.ipynb"]
    assert set(recorded["notebooks"][0]) >= {"kernel_start_s", "execute_s", "shutdown_s", "export_s", "total_s"}


def test_no_staging_folders_left(built):
    root = built.index.parent.parent
    assert sorted(p.name for p in root.iterdir()) == [".overdose.lock", "data", "notebooks", "reports"]
    assert sorted(p.name for p in (root / "reports").iterdir()) == sorted(
        [
            "01_figure.html",
            "02_ledger_table.html",
            "data",
            "index.html",
            "method.html",
            "snapshots.json",
            "timings.json",
            *_claim_pages(),
        ]
    )


def test_failing_cell_names_notebook_and_cell_and_keeps_previous_report(built):
    paths = project_paths(built.index.parent.parent)
    before = snapshot(paths.reports)
    failing = sorted((FIXTURES / "failing").glob("*.ipynb"))
    with pytest.raises(ReportError) as caught:
        build_report(paths, notebooks=failing, built_on="2030-01-01")
    message = str(caught.value)
    assert message.startswith(
        "notebook 02_boom.ipynb, cell 3 of 4 (code cell 2): ValueError: fixture failure at value 41"
    )
    assert "# this cell fails on purpose" in message
    assert "\x1b[" not in message
    assert "previous report was left untouched" in message
    assert snapshot(paths.reports) == before
    assert sorted(p.name for p in paths.root.iterdir()) == [".overdose.lock", "data", "notebooks", "reports"]


def test_with_code_pages_show_code_and_prompts(tmp_path):
    root = make_project(tmp_path, [FIXTURES / "02_ledger_table.ipynb"])
    index = build_report(project_paths(root), with_code=True, built_on=BUILT_ON, workers=1)
    page = read(index.parent / "02_ledger_table.html")
    assert "show_table" in page and "read_csv" in page
    assert '<div class="prompt">In\xa0[1]:</div>' in page and ".highlight" in page
    assert "Analyst edition" in read(index)


# -- no kernel needed --------------------------------------------------------------------------


def test_checksum_mismatch_stops_before_executing(tmp_path):
    root = make_project(tmp_path)
    (root / "reports").mkdir()
    (root / "reports" / "index.html").write_text("previous", encoding="utf-8")
    with open(root / "data" / "raw" / "strikes.csv", "a", encoding="utf-8") as handle:
        handle.write("tampered\n")
    with pytest.raises(ReportError, match="strikes.csv"):
        build_report(project_paths(root))
    assert (root / "reports" / "index.html").read_text(encoding="utf-8") == "previous"


def test_find_notebooks_takes_numbered_notebooks_in_order(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("02_b.ipynb", "01_a.ipynb", "scratch.ipynb", "1_short.ipynb", "10_c.ipynb", "03_x.txt"):
        (folder / name).write_text("{}", encoding="utf-8")
    assert [p.name for p in find_notebooks(project_paths(tmp_path))] == ["01_a.ipynb", "02_b.ipynb", "10_c.ipynb"]
    with pytest.raises(ReportError, match="no notebooks"):
        build_report(project_paths(tmp_path / "empty"))


def write_notebook(path: Path, *sources: str) -> Path:
    cells = [new_markdown_cell(s) if not s.startswith("code:") else new_code_cell(s[5:]) for s in sources]
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_describe_notebook_takes_first_heading_and_paragraph(tmp_path):
    info = describe_notebook(
        write_notebook(
            tmp_path / "01_x.ipynb",
            "code:x = 1",
            "Intro before any heading.\n\n# **Lives saved** per [boat](https://example.org)\n",
            "## Question\n\nDoes `25,000` per boat\nmatch CDC's *predicted* counts (2 * 3)?\n\nMore.",
        )
    )
    assert info.title == "Lives saved per boat"
    assert info.question == "Does 25,000 per boat match CDC's predicted counts (2 * 3)?"
    assert info.page == "01_x.html"
    bare = describe_notebook(write_notebook(tmp_path / "02_y.ipynb", "code:print(1)"))
    assert (bare.title, bare.question) == ("02_y", "")


def test_front_page_escapes_text_from_notebooks_manifest_and_ledgers(tmp_path):
    from analysis import pages

    info = describe_notebook(
        write_notebook(tmp_path / "01_x.ipynb", "# Title <script>alert(1)</script>\n\nWhy <b>&</b>?")
    )
    data = manifest.load(project_paths(REPO))
    data["files"]["cdc_vsrr.csv"] = dict(data["files"]["cdc_vsrr.csv"], title="CDC <i>title</i>")
    evidence = pages.Evidence.load(project_paths(REPO))
    headline = evidence.headline.copy()
    headline.loc[0, "speaker"] = "Speaker <b>bold</b> & <i>co</i>"
    headline.loc[0, "verdict_sentence"] = "Overstates: <script>alert(3)</script> said & more."
    html_text = render_front_page(
        [info],
        data,
        evidence,
        built_on="2026-01-02",
        with_code=False,
        lead_chart={
            "alt": 'a "chart" <b>',
            "wide_b64": "",
            "narrow_b64": "",
            "csv": "x.csv",
            "width": 1,
            "height": 1,
            "key": "k",
        },
        verdicts=headline,
    )
    page = Page(html_text)
    assert page.all("script") == [] and page.all("i") == [] and page.all("b") == []
    assert "Title <script>alert(1)</script>" in page.text
    assert "Speaker <b>bold</b> & <i>co</i>" in page.text and "<script>alert(3)</script> said & more." in page.text
    assert page.all("img")[0]["alt"] == 'a "chart" <b>'
    hrefs = [a["href"] for a in page.all("a") if a.get("class") == "notebook"]
    assert hrefs == ["01_x.html"]


@pytest.mark.parametrize(
    "snippet, expected",
    [
        ('<script src="https://cdn.example/require.js"></script>', 1),
        ('<link rel="stylesheet" href="https://fonts.example/css">', 1),
        ('<img src="figure.png">', 1),
        ('<img src="data:image/png;base64,AAAA">', 0),
        ("<style>@import url('https://fonts.example/x.css');</style>", 2),
        ("<style>.a { background: url(data:image/svg+xml;base64,AA) }</style>", 0),
        ('<div style="background:url(//example.org/x.png)"></div>', 1),
        ('<a href="https://example.org/">a link a reader may follow</a>', 0),
        ('<svg><use href="#icon"></use></svg>', 0),
    ],
)
def test_external_resources(snippet, expected):
    assert len(external_resources(snippet)) == expected


def test_swap_replaces_previous_report_whole(tmp_path):
    target = tmp_path / "reports"
    target.mkdir()
    (target / "old.html").write_text("old", encoding="utf-8")
    staging = tmp_path / ".reports-staging-x"
    staging.mkdir()
    (staging / "new.html").write_text("new", encoding="utf-8")
    _swap_into_place(staging, target)
    assert snapshot(target) == {"new.html": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]
    fresh = tmp_path / ".staging-2"
    fresh.mkdir()
    (fresh / "a").write_text("a", encoding="utf-8")
    _swap_into_place(fresh, tmp_path / "other")
    assert snapshot(tmp_path / "other") == {"a": b"a"}


def test_build_date_is_true_and_the_same_for_every_build_of_a_commit(tmp_path, monkeypatch):
    import subprocess

    from analysis.report import DATE_COMMIT, DATE_GIVEN, DATE_TODAY, DATE_TODAY_CHANGED, _build_date

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")  # 2026-01-02T00:00:00Z
    assert _build_date(None, tmp_path) == ("2026-01-02", DATE_GIVEN)
    assert _build_date("2025-12-31", tmp_path) == ("2025-12-31", DATE_GIVEN)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ReportError, match="SOURCE_DATE_EPOCH"):
        _build_date(None, tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    day, basis = _build_date(None, tmp_path)  # not a git repository: the day of the build
    assert basis == DATE_TODAY and len(day) == 10
    # A git repository: the date of its last commit, whatever the day of the build ...
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2025-03-04T23:30:00+00:00",
        "GIT_COMMITTER_DATE": "2025-03-04T23:30:00+00:00",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.txt").write_text("a", encoding="utf-8")
    for args in (["init", "-q"], ["add", "a.txt"], ["commit", "-q", "-m", "a"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)
    assert _build_date(None, repo) == ("2025-03-04", DATE_COMMIT)
    assert _build_date(None, repo) == _build_date(None, repo)
    (repo / "untracked.txt").write_text("b", encoding="utf-8")  # reports/ and the like are not the project's content
    assert _build_date(None, repo) == ("2025-03-04", DATE_COMMIT)
    # ... unless a tracked file changed since: then the content is newer than the commit, so the day of the build.
    (repo / "a.txt").write_text("changed", encoding="utf-8")
    day, basis = _build_date(None, repo)
    assert basis == DATE_TODAY_CHANGED and day >= "2026-01-01"
    # A folder inside some other repository is not that repository's commit.
    inner = repo / "copy"
    inner.mkdir()
    assert _build_date(None, inner)[1] == DATE_TODAY


def test_data_rendered_as_markup_stops_the_build(tmp_path):
    notebook = write_notebook(
        tmp_path / "01_unsafe.ipynb",
        "# Unsafe display\n\nWhat if a quote goes out as markdown?",
        "code:quote = '<img src=x onerror=alert(1)>'",
        "code:from IPython.display import Markdown\nMarkdown(f'> {quote}')",
    )
    root = make_project(tmp_path / "project", [notebook])
    with pytest.raises(ReportError) as caught:
        build_report(project_paths(root), workers=1)
    message = str(caught.value)
    assert message.startswith("notebook 01_unsafe.ipynb, cell 3 of 3 (code cell 2): its text/markdown output")
    assert "onerror" in message and "show_table" in message
    assert not (root / "reports").exists()


def test_check_notebook_markup_names_the_cell():
    nb = new_notebook(cells=[new_markdown_cell("# Fine <b>bold</b>"), new_code_cell("x")])
    check_notebook_markup(nb, "01_x.ipynb")  # static markup is fine
    nb.cells[1].outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": ["<table>", "<td onmouseover=x>"]})
    ]
    with pytest.raises(ReportError, match=r"01_x.ipynb, cell 2 of 2 \(code cell 1\): its text/html output"):
        check_notebook_markup(nb, "01_x.ipynb")
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"application/javascript": "alert(1)"})]
    with pytest.raises(ReportError, match="application/javascript"):
        check_notebook_markup(nb, "01_x.ipynb")
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="<script>as text</script>")]
    check_notebook_markup(nb, "01_x.ipynb")  # printed text is escaped by nbconvert


@pytest.mark.parametrize(
    "snippet, expected",
    [
        ("<script>alert(1)</script>", ["<script>"]),
        ("<img src=x onerror=alert(1)>", ["<img onerror=...>"]),
        ('<a href="  JavaScript:alert(1)">x</a>', ["<a href='  JavaScript:alert(1)'>"]),
        ("<iframe src=x></iframe>", ["<iframe>"]),
        ('<meta http-equiv="refresh" content="0;url=x">', ["<meta http-equiv=refresh>"]),
        ('<a href="https://example.org/" rel="noopener">ok</a>', []),
        ('<img src="data:image/png;base64,AAAA">', []),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", []),
    ],
)
def test_active_content(snippet, expected):
    assert active_content(snippet) == expected
