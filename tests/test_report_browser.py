"""The report opened in a real browser: Debian's Chromium driven by Playwright, checked by axe-core.

Every page of the project's own report (front page, notebook pages, method, changelog) is opened at
1280 and at 390 CSS pixels wide. On each: no console error, no uncaught exception, no dialog; no
request leaves the report (only file: and data: addresses) and none fails; every image is decoded
and has a real alt text; the page does not scroll sideways; axe-core finds no serious or critical
accessibility violation. The fixture report checks that a ledger row holding HTML shows as text.
Screenshots of every page at both widths are saved to tests/artifacts/ (gitignored) for a person.

Playwright launches Debian's Chromium (``executable_path``; no browser is downloaded) and
axe-playwright-python ships axe-core; both are pinned test dependencies. Without Chromium the
tests are skipped, saying how to install it; with ``OVERDOSE_REQUIRE_CHROMIUM=1`` (CI) they fail.
"""

from __future__ import annotations

import os
import shutil
import urllib.request
from pathlib import Path

import pytest

from analysis.paths import project_paths
from analysis.report import build_report_detailed
from helpers import copy_report_project

CHROMIUM = os.environ.get("OVERDOSE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
INSTALL_HINT = "apt-get update && apt-get install -y chromium (or: make browser)"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "report"
WIDTHS = (1280, 390)
#: axe-core impacts that fail a page.
FAILING_IMPACTS = ("serious", "critical")
#: nbconvert's placeholder, and other alt texts that describe nothing.
EMPTY_ALTS = {"", "no description has been provided for this image", "image", "chart", "figure"}

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - pinned test dependencies (pyproject.toml, requirements-lock.txt)
    sync_playwright = Axe = None


def _missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if sync_playwright is None:
        return "browser tests need playwright and axe-playwright-python: make setup installs them"
    if not Path(CHROMIUM).exists():
        return f"browser tests need Chromium at {CHROMIUM}; install it with: {INSTALL_HINT}"
    return None


MISSING = _missing_reason()
REQUIRED = os.environ.get("OVERDOSE_REQUIRE_CHROMIUM") == "1"
if MISSING and not REQUIRED:
    pytestmark = pytest.mark.skip(reason=MISSING)

# What the page shows: images (decoded, alt text), links, scripts, text, sideways overflow.
INSPECT = r"""
async () => {
  const images = await Promise.all([...document.images].map(async (img) => {
    let decoded = true;
    try { await img.decode(); } catch (e) { decoded = false; }
    const src = img.currentSrc || img.src;
    return {src: src.slice(0, 40), srcLength: src.length, decoded, width: img.naturalWidth,
            alt: img.getAttribute('alt'), shownWidth: img.getBoundingClientRect().width};
  }));
  return {
    title: document.title,
    images,
    links: [...document.querySelectorAll('a[href]')].map(
      a => ({href: a.getAttribute('href'), resolved: a.href, rel: a.rel})),
    scripts: [...document.scripts].map(s => (s.src || s.textContent).slice(0, 80)),
    text: document.body.innerText,
    scrollWidth: document.documentElement.scrollWidth,
    viewportWidth: document.documentElement.clientWidth,
    errorOutputs: [...document.querySelectorAll('pre.error, pre.stderr')].map(e => e.innerText.slice(0, 200)),
    verdicts: [...document.querySelectorAll('li.verdict-item')].map(li => ({
      claim: li.dataset.claim, text: li.innerText,
      href: (li.querySelector('p.evidence a') || {getAttribute: () => null}).getAttribute('href'),
      group: li.closest('ul').previousElementSibling.innerText})),
    h1: (document.querySelector('h1') || {innerText: ''}).innerText,
  };
}
"""


class Visit:
    """One page opened at one width: what happened while it loaded and what it shows."""

    def __init__(self, page, url: str, width: int, shot: Path, axe) -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []
        page.on(
            "console", lambda m: m.type in ("error", "assert") and self.problems.append(f"console.{m.type}: {m.text}")
        )
        page.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))
        page.on("dialog", lambda d: (self.problems.append(f"dialog opened: {d.message!r}"), d.dismiss()))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.problems.append(f"failed to load: {r.url[:80]} ({r.failure})"))
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url, wait_until="load")
        page.wait_for_timeout(150)  # late console messages and image decodes
        self.page = page.evaluate(INSPECT)
        self.external = [u for u in self.requests if not u.startswith(("file:", "data:"))]
        result = axe.run(page)
        self.violations = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result.response["violations"]
            if v.get("impact") in FAILING_IMPACTS
        ]
        page.screenshot(path=str(shot), full_page=True)
        self.shot = shot


def _visit_all(report, prefix: str, evidence_pages: bool = True) -> dict[tuple[str, int], Visit]:
    """Every page of ``report`` at both widths; ``evidence_pages=False`` leaves out the verdicts' evidence
    pages (the fixture builds' are the project's own, already visited in the real report)."""
    if MISSING:  # only reached with OVERDOSE_REQUIRE_CHROMIUM=1
        pytest.fail(f"{MISSING} (OVERDOSE_REQUIRE_CHROMIUM=1 makes this a failure)", pytrace=False)
    ARTIFACTS.mkdir(exist_ok=True)
    folder = report.index.parent
    names = sorted(p.name for p in folder.glob("*.html") if evidence_pages or not p.name.startswith("claim-"))
    visits = {}
    axe = Axe()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            for width in WIDTHS:
                for name in names:
                    page = browser.new_page()
                    shot = ARTIFACTS / f"{prefix}{Path(name).stem}-{width}.png"
                    visits[(name, width)] = Visit(page, (folder / name).as_uri(), width, shot, axe)
                    page.close()
        finally:
            browser.close()
    return visits


@pytest.fixture(scope="module")
def visited(real_report, tmp_path_factory):
    """Every page of the project's report, opened at both widths: {(file name, width): Visit}."""
    return _visit_all(real_report, "report_")


@pytest.fixture(scope="module")
def fixture_visits(tmp_path_factory):
    root = copy_report_project(
        tmp_path_factory.mktemp("browser-project"), sorted(FIXTURES.glob("0*.ipynb")), [FIXTURES / "ledger_row.csv"]
    ).root
    report = build_report_detailed(project_paths(root), workers=2, built_on="2026-01-02")
    return _visit_all(report, "fixture_", evidence_pages=False)


@pytest.fixture(scope="module")
def analyst_visits(tmp_path_factory):
    """The analyst edition (code shown) of the fixture notebooks."""
    root = copy_report_project(
        tmp_path_factory.mktemp("analyst-project"),
        sorted(FIXTURES.glob("0*.ipynb")),
        [FIXTURES / "ledger_row.csv"],
    ).root
    report = build_report_detailed(project_paths(root), workers=2, built_on="2026-01-02", with_code=True)
    return _visit_all(report, "analyst_", evidence_pages=False)


def test_every_page_is_visited_at_both_widths(visited):
    names = {name for name, _ in visited}
    assert {
        "index.html",
        "method.html",
        "changelog.html",
        "01_cdc_overdose_trends.html",
        "02_claims_vs_cdc.html",
        "03_maritime_strikes.html",
        "04_synthesis.html",
        "05_revisions.html",
    } <= names
    assert {name for name in names if name.startswith("claim-")} == _evidence_pages()
    assert {width for _, width in visited} == set(WIDTHS)


def _headline():
    from analysis import pages

    return pages.Evidence.load(project_paths()).headline


def _evidence_pages() -> set[str]:
    from analysis import claim_pages

    return {claim_pages.page_name(row) for _, row in _headline().iterrows()}


def test_no_console_error_and_nothing_loaded_from_outside(visited):
    for key, visit in visited.items():
        assert visit.problems == [], key
        assert visit.external == [], key
        assert visit.page["scripts"] == [], key


def test_every_image_is_decoded_and_has_a_real_alt_text(visited):
    charts = 0
    for key, visit in visited.items():
        for image in visit.page["images"]:
            assert image["decoded"] and image["width"] > 0, (key, image)
            alt = " ".join((image["alt"] or "").split())
            assert alt.lower() not in EMPTY_ALTS and len(alt.split()) >= 8, (key, image)
            charts += 1
    assert charts >= 2 * 10  # nine charts on the notebook pages and the front page's lead chart, at both widths


def test_no_page_scrolls_sideways(visited):
    for key, visit in visited.items():
        assert visit.page["scrollWidth"] <= visit.page["viewportWidth"], key
        for image in visit.page["images"]:
            assert image["shownWidth"] <= visit.page["viewportWidth"], (key, image)


def test_axe_finds_no_serious_or_critical_violation(visited):
    found = {key: visit.violations for key, visit in visited.items() if visit.violations}
    assert found == {}


def test_phones_get_the_narrow_drawing(visited):
    wide = visited[("01_cdc_overdose_trends.html", 1280)].page["images"]
    narrow = visited[("01_cdc_overdose_trends.html", 390)].page["images"]
    assert len(wide) == len(narrow) == 2
    assert all(image["src"].startswith("data:image/svg+xml;base64,") for image in wide + narrow)
    assert [image["srcLength"] for image in wide] != [image["srcLength"] for image in narrow]


def test_front_page_leads_with_verdicts_and_links_resolve(visited, real_report):
    index = visited[("index.html", 1280)].page
    text = index["text"]
    assert (
        text.index("The claims, checked")
        < text.index("What else the data show")
        < text.index("What the data cannot show")
        < text.index("The evidence, step by step")
    )
    assert "sha256" not in text.lower()  # checksums are on the method page
    assert "Reviewer edition, dated 2 Jan 2026 (date set for this build)" in text
    for link in index["links"]:
        assert link["resolved"].startswith(("file:", "https:", "http:")), link
        if link["resolved"].startswith("file:"):
            target = Path(urllib.request.url2pathname(link["resolved"][len("file://") :].split("#")[0]))
            assert target.is_file() and real_report.index.parent in target.parents, link
    method = visited[("method.html", 1280)].page["text"]
    assert "SHA-256" in method and "How a claim is rated" in method and "When CDC publishes" in method


def test_front_page_shows_the_verdicts_of_headline_verdicts(visited):
    """What a reader sees: one item per headline verdict, under its verdict's heading with the count,
    saying its sentence; each evidence link opens that verdict's page, which passed every check."""
    from analysis import claim_pages

    headline = _headline()
    for width in WIDTHS:
        shown = visited[("index.html", width)].page["verdicts"]
        assert len(shown) == len(headline), width
        for item, (_, row) in zip(
            shown,
            headline.sort_values(
                "verdict", key=lambda v: v.map(claim_pages.VERDICT_ORDER.index), kind="stable"
            ).iterrows(),
            strict=True,
        ):
            assert item["claim"] == row["claim_id"]
            sentence = " ".join(claim_pages.shown_sentence(row["verdict_sentence"]).split())
            assert sentence in " ".join(item["text"].split()), row["claim_id"]
            count = int((headline["verdict"] == row["verdict"]).sum())
            assert item["group"].startswith(f"{count} claim"), item["group"]
            assert item["href"] == claim_pages.page_name(row)
            target = visited[(item["href"], width)]
            assert target.problems == [] and target.violations == [] and target.external == []
            assert target.page["h1"], item["href"]
            assert "The rule that gave the verdict" in target.page["text"]


def test_ledger_html_is_shown_as_text(fixture_visits):
    for width in WIDTHS:
        visit = fixture_visits[("02_ledger_table.html", width)]
        assert visit.problems == [] and visit.external == []
        assert visit.page["scripts"] == []
        assert visit.page["images"] == []  # the <img onerror> in the ledger text did not become an element
        quote = '<script>alert(1)</script> <img src=x onerror=alert(2)> <b>not bold</b> & "quoted"'
        assert quote in visit.page["text"]
        sources = [link for link in visit.page["links"] if link["href"].startswith("https://example.org/")]
        assert [link["href"] for link in sources] == ["https://example.org/strike?a=1&b=<2>"]
        assert "noopener" in sources[0]["rel"]
        assert not [link for link in visit.page["links"] if link["href"].lower().startswith("javascript:")]
        assert visit.violations == []


def test_analyst_edition_passes_too(analyst_visits):
    for key, visit in analyst_visits.items():
        assert visit.problems == [] and visit.external == [], key
        assert visit.violations == [], key
        assert visit.page["scrollWidth"] <= visit.page["viewportWidth"], key
    assert "show_table(rows)" in analyst_visits[("02_ledger_table.html", 1280)].page["text"]


def test_screenshots_are_saved(visited):
    for visit in visited.values():
        data = visit.shot.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000, visit.shot
