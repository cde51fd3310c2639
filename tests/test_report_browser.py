"""The report opened in a real browser: headless Chromium from Debian, driven over DevTools (CDP).

For each page: it loads with no console error, no uncaught exception and no dialog; it requests
nothing from the network (only file: and data: addresses); every <img> decodes to a non-zero
width; no traceback or error output is visible; the index links resolve to the pages. A ledger
row holding HTML shows as text. Screenshots of the index and of notebook pages are saved to
tests/artifacts/ (gitignored) for a person to look at.

Needs /usr/bin/chromium (``apt-get update && apt-get install -y chromium chromium-driver``) and
the ``websocket-client`` package. Without Chromium the tests are skipped, saying how to install it;
with ``OVERDOSE_REQUIRE_CHROMIUM=1`` (for CI) they fail instead.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from analysis.paths import project_paths
from analysis.report import build_report_detailed

CHROMIUM = Path(os.environ.get("OVERDOSE_CHROMIUM", "/usr/bin/chromium"))
INSTALL_HINT = "apt-get update && apt-get install -y chromium chromium-driver"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
from helpers import ROOT as REPO
from helpers import copy_report_project

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "report"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--window-size=1280,1024",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
]


try:
    import websocket  # websocket-client
except ImportError:  # pragma: no cover - a dependency of jupyter_server, pinned in requirements-lock.txt
    websocket = None


def _missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"browser tests need Chromium at {CHROMIUM}; install it with: {INSTALL_HINT}"
    if websocket is None:
        return "browser tests need the websocket-client package: .venv/bin/pip install websocket-client"
    return None


MISSING = _missing_reason()
REQUIRED = os.environ.get("OVERDOSE_REQUIRE_CHROMIUM") == "1"
if MISSING and not REQUIRED:
    pytestmark = pytest.mark.skip(reason=MISSING)


class Chromium:
    """A headless Chromium with a fresh profile and one page, spoken to over the DevTools protocol."""

    def __init__(self, profile: Path, log: Path) -> None:
        self.log_path = log
        self._log = open(log, "wb")
        self.process = subprocess.Popen(
            [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"Chromium did not start; its output is in {log}")
            time.sleep(0.05)
        port = int(port_file.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            targets = json.load(answer)
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self._next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params):
        """Send one command and wait for its answer; events that arrive meanwhile are kept."""
        self._next_id += 1
        ident = self._next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def _event(self, message: dict) -> None:
        if "method" not in message:
            return
        self.events.append(message)
        if message["method"] == "Page.javascriptDialogOpening":
            # A dialog would block the page; record it (a failure) and dismiss it.
            self.ws.send(json.dumps({"id": 0, "method": "Page.handleJavaScriptDialog", "params": {"accept": True}}))

    def open(self, url: str, timeout: float = 30) -> list[dict]:
        """Load ``url`` and return the events seen while it loaded."""
        self.events = []
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        while not any(e["method"] == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not finish loading in {timeout} s")
            self._event(json.loads(self.ws.recv()))
        # Give late console messages and image decodes a moment to arrive.
        self.evaluate("new Promise(r => setTimeout(r, 200))")
        return list(self.events)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, max_height: int = 4000) -> None:
        """Save a PNG of the whole page (up to ``max_height`` CSS pixels tall)."""
        metrics = self.call("Page.getLayoutMetrics")
        height = min(int(metrics["cssContentSize"]["height"]) + 1, max_height)
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=height, deviceScaleFactor=1, mobile=False)
        shot = self.call("Page.captureScreenshot", format="png")
        self.call("Emulation.clearDeviceMetricsOverride")
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


# What the page shows: images, links, scripts, visible text, error outputs.
INSPECT = r"""
(async () => {
  const images = await Promise.all([...document.images].map(async (img) => {
    let decoded = true;
    try { await img.decode(); } catch (e) { decoded = false; }
    return {src: img.getAttribute('src').slice(0, 40), decoded, width: img.naturalWidth};
  }));
  const errorOutputs = [...document.querySelectorAll(
      '[data-mime-type="application/vnd.jupyter.stderr"], .jp-OutputArea-output.jp-RenderedText[data-mime-type*="error"]')]
    .map(e => e.innerText.slice(0, 200));
  return {
    title: document.title,
    images,
    links: [...document.querySelectorAll('a[href]')].map(a => ({href: a.getAttribute('href'), resolved: a.href, rel: a.rel})),
    scripts: [...document.scripts].map(s => (s.src || s.textContent).slice(0, 80)),
    text: document.body.innerText,
    errorOutputs,
  };
})()
"""


def problems_in(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions, dialogs, failed loads and network requests seen."""
    found = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Runtime.exceptionThrown":
            found.append(f"uncaught exception: {params['exceptionDetails'].get('text')}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            found.append(f"browser log error: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        elif method == "Page.javascriptDialogOpening":
            found.append(f"dialog opened: {params.get('message')!r}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(("file:", "data:")):
                found.append(f"network request: {url}")
        elif method == "Network.loadingFailed":
            found.append(f"failed to load: {params.get('errorText')}")
    return found


def make_project(root: Path) -> Path:
    return copy_report_project(root, sorted(FIXTURES.glob("0*.ipynb")), [FIXTURES / "ledger_row.csv"]).root


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("browser-project"))
    return build_report_detailed(project_paths(root), workers=2, built_on="2026-01-02")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if MISSING:  # only reached with OVERDOSE_REQUIRE_CHROMIUM=1
        pytest.fail(f"{MISSING} (OVERDOSE_REQUIRE_CHROMIUM=1 makes this a failure)", pytrace=False)
    work = tmp_path_factory.mktemp("chromium")
    (work / "profile").mkdir()
    chromium = Chromium(work / "profile", work / "chromium.log")
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def visited(report, browser):
    """Every page of the report opened once: {file name: (events, inspection)}."""
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {}
    for path in [report.index, *report.pages]:
        events = browser.open(path.as_uri())
        pages[path.name] = (events, browser.evaluate(INSPECT))
        shot = "report_index.png" if path.name == "index.html" else f"report_{path.stem}.png"
        browser.screenshot(ARTIFACTS / shot)
    return pages


def test_every_page_loads_offline_without_errors(visited):
    assert set(visited) == {"index.html", "01_figure.html", "02_ledger_table.html"}
    for name, (events, _) in visited.items():
        assert any(e["method"] == "Page.loadEventFired" for e in events), name
        assert problems_in(events) == [], name


def test_every_image_is_decoded(visited):
    _, figure = visited["01_figure.html"]
    assert len(figure["images"]) == 1
    for name, (_, page) in visited.items():
        for image in page["images"]:
            assert image["decoded"] and image["width"] > 0, (name, image)


def test_no_traceback_or_error_output(visited):
    for name, (_, page) in visited.items():
        assert page["errorOutputs"] == [], name
        assert "Traceback (most recent call last)" not in page["text"], name
        assert "Error:" not in page["text"], name


def test_index_links_resolve_to_the_pages(visited, report):
    _, index = visited["index.html"]
    local = [link for link in index["links"] if link["resolved"].startswith("file:")]
    assert [link["href"] for link in local] == ["01_figure.html", "02_ledger_table.html"]
    for link in local:
        target = Path(urllib.request.url2pathname(link["resolved"][len("file://"):]))
        assert target.is_file() and target.parent == report.index.parent
    for link in index["links"]:
        assert link["resolved"].startswith(("file:", "https:", "http:")), link
    assert "Report built 2026-01-02" in index["text"]
    assert "CDC release 2025-09" in index["text"]


def test_ledger_html_is_shown_as_text(visited):
    events, page = visited["02_ledger_table.html"]
    assert page["scripts"] == []
    assert page["images"] == []  # the <img onerror> in the ledger text did not become an element
    assert not [e for e in events if e["method"] == "Page.javascriptDialogOpening"]
    assert '<script>alert(1)</script> <img src=x onerror=alert(2)> <b>not bold</b> & "quoted"' in page["text"]
    sources = [link for link in page["links"] if link["href"].startswith("https://example.org/")]
    assert [link["href"] for link in sources] == ["https://example.org/strike?a=1&b=<2>"]
    assert "noopener" in sources[0]["rel"]
    assert not [link for link in page["links"] if link["href"].lower().startswith("javascript:")]


def test_screenshots_are_saved(visited):
    for name in ("report_index.png", "report_01_figure.png", "report_02_ledger_table.png"):
        data = (ARTIFACTS / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000, name
