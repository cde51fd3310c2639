"""The reviewers' report: execute every notebook from the committed snapshots, export HTML, index it.

``build_report()`` runs ``notebooks/NN_*.ipynb`` in order (in parallel kernels), exports one
self-contained HTML page per notebook and writes ``reports/index.html`` listing each notebook's
title and question, the data vintage recorded in ``data/raw/MANIFEST.json`` and the build date.

Guarantees:

* Self-contained: images are embedded as data URIs, the CSS is inlined, and the nbconvert
  template's network scripts (require.js, MathJax, mermaid, widget manager) are left out. Every
  page is scanned before it is written; a page that would load anything from elsewhere stops the
  build (:func:`external_resources`).
* All or nothing: pages are written into a staging folder beside ``reports/`` and swapped in at the
  end (:func:`analysis.atomic.swap_dir`). A failing cell raises :class:`ReportError` naming the
  notebook, the cell and the error, and the previous ``reports/`` is left exactly as it was.
* One release: the build holds the project lock (:mod:`analysis.lock`), so no ``fetch`` can
  replace a snapshot while the notebooks read it. It also records the sha256 of every file in
  ``data/raw/`` when it starts (``reports/snapshots.json``) and refuses to finish if any of them
  changed before the swap, so every page of a report comes from the snapshots the index names.
* Reviewer pages hide code and prompts; ``with_code=True`` writes analyst pages with both.
* Text the index takes from notebooks or the manifest is escaped; source addresses are links only
  when they are ``http``/``https``. Pages are static: markdown or an HTML/markdown output holding a
  script, an event handler or a ``javascript:`` address stops the build, naming the cell
  (:func:`check_notebook_markup`), since that means text from the data went out unescaped.

``reports/timings.json`` records, per notebook, seconds spent starting the kernel, executing the
cells and exporting the page, for the benchmark. ``reports/`` is build output and never committed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
from jupyter_client import KernelManager
from markupsafe import Markup
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter

from . import atomic, charts, lock, manifest, pages, prose
from .paths import ROOT_ENV, Paths, project_paths

#: Notebooks that make up the report: two digits, underscore, topic.
NOTEBOOK_PATTERN = re.compile(r"^\d\d_.+\.ipynb$")

#: The raw file whose vintage heads every page.
CDC_FILE = pages.CDC_FILE

#: Seconds one cell may run before the build stops.
DEFAULT_CELL_TIMEOUT = 300

#: Lines of a failing cell's source shown in the error.
SOURCE_HEAD_LINES = 8

#: Last lines of a failing cell's traceback shown in the error.
TRACEBACK_TAIL_LINES = 25

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

#: Page weight budgets, bytes: the build prints every page's weight and warns past these.
PAGE_BUDGET = 350_000
INDEX_BUDGET = 150_000

#: How the report's date was chosen (shown in the footer beside it).
DATE_GIVEN = "date set for this build"
DATE_COMMIT = "date of the project's last commit"
DATE_TODAY = "day of the build"
DATE_TODAY_CHANGED = "day of the build; the project has changes not yet committed"


class ReportError(RuntimeError):
    """The report could not be built; the previous ``reports/`` is untouched."""


@dataclass(frozen=True)
class NotebookInfo:
    """What the index says about one notebook."""

    path: Path
    page: str  # file name of its HTML page inside reports/
    title: str
    question: str


@dataclass
class NotebookTiming:
    """Seconds spent on one notebook (wall clock, for the benchmark).

    ``kernel_start_s``: from asking for a kernel to the kernel ready; ``execute_s``: from then to
    the last cell's reply (the notebook's own work plus messaging); ``shutdown_s``: stopping the
    kernel; ``export_s``: rendering the page.
    """

    notebook: str
    kernel_start_s: float = 0.0
    execute_s: float = 0.0
    export_s: float = 0.0
    code_cells: int = 0
    shutdown_s: float = 0.0

    @property
    def total_s(self) -> float:
        return self.kernel_start_s + self.execute_s + self.shutdown_s + self.export_s


@dataclass
class BuildResult:
    """What :func:`build_report_detailed` produced."""

    index: Path
    pages: list[Path]
    timings: list[NotebookTiming]
    total_s: float
    workers: int
    with_code: bool
    built_on: str
    warnings: list[str] = field(default_factory=list)
    weights: dict[str, int] = field(default_factory=dict)  # bytes of each HTML page


# ------------------------------------------------------------------------------------------
# Notebook discovery and description
# ------------------------------------------------------------------------------------------


def find_notebooks(paths: Paths | None = None) -> list[Path]:
    """The report's notebooks: ``paths.notebooks/NN_*.ipynb``, sorted by name."""
    paths = paths or project_paths()
    if not paths.notebooks.is_dir():
        return []
    return sorted(p for p in paths.notebooks.iterdir() if NOTEBOOK_PATTERN.match(p.name))


_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")


def _plain_markdown(text: str) -> str:
    """Markdown inline text made plain: links keep their text, emphasis and code marks go."""
    text = _MD_LINK.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = _MD_EMPHASIS.sub(r"\1", text)
    return " ".join(text.split())


def describe_notebook(path: Path, nb: nbformat.NotebookNode | None = None) -> NotebookInfo:
    """Title (first markdown heading) and question (first paragraph after it) of a notebook."""
    nb = nb if nb is not None else nbformat.read(path, as_version=4)
    title = ""
    paragraph: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            if title and paragraph:
                break
            continue
        for line in cell.source.splitlines():
            heading = _HEADING.match(line)
            if not title:
                if heading:
                    title = _plain_markdown(heading.group(2))
                continue
            if heading or not line.strip():
                if paragraph:
                    break
                continue
            paragraph.append(line.strip())
        if title and paragraph:
            break
    return NotebookInfo(
        path=path,
        page=path.stem + ".html",
        title=title or path.stem,
        question=_plain_markdown(" ".join(paragraph)),
    )


# ------------------------------------------------------------------------------------------
# Execution
# ------------------------------------------------------------------------------------------


def _kernel_env(paths: Paths) -> dict[str, str]:
    """Environment of the notebook kernels: this project root, matplotlib's inline backend."""
    env = dict(os.environ)
    env[ROOT_ENV] = str(paths.root)
    # A non-interactive MPLBACKEND (Agg, set in many CI setups) would silently drop every figure.
    env.pop("MPLBACKEND", None)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    if lock.held_here(paths):  # the kernel runs inside this command's lock (held by another thread)
        env.update(lock.held_env(paths, "report"))
    return env


def _source_head(source: str, lines: int = SOURCE_HEAD_LINES) -> str:
    all_lines = source.splitlines()
    head = [f"    {line}" for line in all_lines[:lines]]
    if len(all_lines) > lines:
        head.append(f"    ... ({len(all_lines) - lines} more lines)")
    return "\n".join(head) or "    (empty cell)"


def _traceback_tail(cell: nbformat.NotebookNode | None, exc: CellExecutionError) -> str:
    """Last lines of the failing cell's traceback, plain text (the kernel's, not nbclient's banner)."""
    frames: list[str] = []
    for output in (cell or {}).get("outputs", []):
        if output.get("output_type") == "error":
            frames = list(output.get("traceback") or [])
    text = "\n".join(frames) if frames else exc.traceback
    lines = [line.rstrip() for line in _ANSI.sub("", text).splitlines() if line.strip()]
    return "\n".join("    " + line for line in lines[-TRACEBACK_TAIL_LINES:])


def _cell_label(nb: nbformat.NotebookNode, index: int) -> str:
    code_number = sum(1 for cell in nb.cells[: index + 1] if cell.cell_type == "code")
    return f"cell {index + 1} of {len(nb.cells)} (code cell {code_number})"


def _shutdown(kernel_manager: KernelManager) -> None:
    """Stop a kernel we started (nbclient leaves kernels it did not create running)."""
    try:
        if kernel_manager.has_kernel:
            kernel_manager.shutdown_kernel(now=False)
    except Exception:  # noqa: BLE001 - a kernel that is already gone needs no stopping
        pass


def execute_notebook(
    path: Path, paths: Paths, *, cell_timeout: int = DEFAULT_CELL_TIMEOUT
) -> tuple[nbformat.NotebookNode, NotebookTiming]:
    """Run a notebook top to bottom in a fresh ``python3`` kernel with the notebooks folder as cwd.

    Raises :class:`ReportError` naming the notebook and the failing cell, with the head of its
    source and the error.
    """
    nb = nbformat.read(path, as_version=4)
    timing = NotebookTiming(notebook=path.name)
    timing.code_cells = sum(1 for cell in nb.cells if cell.cell_type == "code")
    state: dict[str, Any] = {"cell": None}
    started = time.perf_counter()
    marks: dict[str, float] = {}

    def on_start(**_: Any) -> None:
        marks["kernel_ready"] = time.perf_counter()

    def on_cell(cell_index: int, **_: Any) -> None:
        state["cell"] = cell_index

    # IPC transport: the kernel listens on local sockets in a private folder, not on TCP ports.
    runtime = tempfile.mkdtemp(prefix="kernel-")
    kernel_manager = KernelManager(
        kernel_name="python3",
        transport="ipc",
        connection_file=os.path.join(runtime, "kernel.json"),
    )
    client = NotebookClient(
        nb,
        km=kernel_manager,
        timeout=cell_timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        on_notebook_start=on_start,
        on_cell_execute=on_cell,
        record_timing=False,
    )
    try:
        client.execute(env=_kernel_env(paths), cleanup_kc=True)
        marks["executed"] = time.perf_counter()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        index = state["cell"]
        where = _cell_label(nb, index) if index is not None else "kernel start"
        source = _source_head(nb.cells[index].source) if index is not None else ""
        if isinstance(exc, CellExecutionError):
            detail = _traceback_tail(nb.cells[index] if index is not None else None, exc)
            error = f"{exc.ename}: {exc.evalue}"
        elif isinstance(exc, CellTimeoutError):
            detail = ""
            error = f"timed out after {cell_timeout} s"
        else:
            detail = ""
            error = f"kernel died ({exc})"
        message = f"notebook {path.name}, {where}: {error}"
        if source:
            message += f"\n  cell source:\n{source}"
        if detail:
            message += f"\n  traceback (last lines):\n{detail}"
        message += "\nThe previous report was left untouched."
        raise ReportError(message) from None
    except Exception as exc:  # kernel could not start, etc.
        raise ReportError(f"notebook {path.name}: could not execute ({type(exc).__name__}: {exc})") from exc
    finally:
        _shutdown(kernel_manager)
        shutil.rmtree(runtime, ignore_errors=True)
    finished = time.perf_counter()
    ready = marks.get("kernel_ready", started)
    executed = marks.get("executed", finished)
    timing.kernel_start_s = ready - started
    timing.execute_s = executed - ready
    timing.shutdown_s = finished - executed
    return nb, timing


# ------------------------------------------------------------------------------------------
# Export and self-containment
# ------------------------------------------------------------------------------------------


def _exporter(with_code: bool) -> HTMLExporter:
    """A page exporter using the report's own nbconvert template (``analysis/templates/nbconvert/
    report``). Build one per report and reuse it: its first export compiles the templates
    (~0.2-0.6 s), later exports reuse them."""
    return HTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(pages.TEMPLATES / "nbconvert")],
        extra_template_paths=[str(pages.TEMPLATES)],
        exclude_input=not with_code,
        exclude_input_prompt=not with_code,
        exclude_output_prompt=not with_code,
    )


class _ResourceFinder(HTMLParser):
    """Collects every address a page would fetch to render (not links a reader may follow)."""

    FETCHING = {
        "script": ("src",),
        "link": ("href",),
        "img": ("src", "srcset"),
        "iframe": ("src",),
        "frame": ("src",),
        "embed": ("src",),
        "object": ("data",),
        "source": ("src", "srcset"),
        "video": ("src", "poster"),
        "audio": ("src",),
        "track": ("src",),
        "input": ("src",),
        "image": ("href", "xlink:href"),
        "use": ("href", "xlink:href"),
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in self.FETCHING.get(tag, ()) and value and not value.startswith("data:"):
                if not (tag == "use" and value.startswith("#")):
                    self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value:
                self.found.extend(_css_fetches(value))

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.found.extend(_css_fetches(data))


_CSS_URL = re.compile(r"""url\(\s*['"]?(?!data:|#)([^'")\s]+)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'");\s]+)""", re.IGNORECASE)


def _css_fetches(css: str) -> list[str]:
    return [f"css url({u})" for u in _CSS_URL.findall(css)] + [f"css @import {u}" for u in _CSS_IMPORT.findall(css)]


class _ActiveContentFinder(HTMLParser):
    """Collects what would run code in a page: scripts, event handlers, javascript: addresses."""

    ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "base", "form"}
    ADDRESS_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "meta" and any(n == "http-equiv" and (v or "").lower() == "refresh" for n, v in attrs):
            self.found.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            elif name in self.ADDRESS_ATTRS and value:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.found.append(f"<{tag} {name}={value[:40]!r}>")

    handle_startendtag = handle_starttag


def active_content(page_html: str) -> list[str]:
    """Every element or attribute in ``page_html`` that would run code (empty = static page)."""
    finder = _ActiveContentFinder()
    finder.feed(page_html)
    finder.close()
    return finder.found


#: Output types whose text is inserted into the page as markup (not escaped by nbconvert).
_MARKUP_MIMES = ("text/html", "text/markdown", "image/svg+xml")

#: Output types that draw a picture: each must come with alt text and data (a library chart).
_IMAGE_MIMES = ("image/svg+xml", "image/png", "image/jpeg", "image/gif")


def check_notebook_markup(nb: nbformat.NotebookNode, name: str) -> None:
    """Refuse markdown or outputs that would put active content into a page, naming the cell.

    Text from the data reaches a page as markup only through ``text/html`` or ``text/markdown``
    outputs (plain-text outputs are escaped by nbconvert). A ``<script>`` or ``onerror=`` there means
    unescaped data (or a JavaScript widget): the build stops instead of shipping it.
    """
    for index, cell in enumerate(nb.cells):
        pieces: list[tuple[str, str]] = []
        if cell.cell_type == "markdown":
            pieces.append(("markdown cell", cell.source))
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "application/javascript" in data:
                pieces.append(("application/javascript output", "<script>"))
            chart = data.get(charts.CHART_MIME)
            if isinstance(chart, dict) and chart.get("narrow_svg"):
                pieces.append(("chart's narrow drawing", str(chart["narrow_svg"])))
            for mime in _MARKUP_MIMES:
                if mime in data:
                    text = data[mime]
                    pieces.append((f"{mime} output", "".join(text) if isinstance(text, list) else str(text)))
        for what, text in pieces:
            found = active_content(text)
            if found:
                raise ReportError(
                    f"notebook {name}, {_cell_label(nb, index)}: its {what} holds active content "
                    f"({', '.join(found[:3])}). Text from data must be escaped: show tables with "
                    "analysis.tables.show_table, print text, or html.escape it. No report was written."
                )


def external_resources(page_html: str) -> list[str]:
    """Everything ``page_html`` would load to render that is not embedded in it (empty = offline)."""
    finder = _ResourceFinder()
    finder.feed(page_html)
    finder.close()
    return finder.found


# ------------------------------------------------------------------------------------------
# Outputs prepared for the page: charts as pictures with alt text, tables and charts as downloads
# ------------------------------------------------------------------------------------------


@dataclass
class Download:
    """A file the report offers: its path inside ``reports/`` and its bytes."""

    path: str
    content: bytes


@dataclass
class PreparedPage:
    """What :func:`prepare_outputs` found in one executed notebook."""

    downloads: list[Download] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)  # the chart context of each picture


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _svg_size(svg: str) -> tuple[int, int]:
    """CSS pixel size of a matplotlib SVG (its width/height in pt at 72 per inch, shown at 100 dpi)."""
    found = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not found:
        return 0, 0
    return round(float(found.group(1)) * 100 / 72), round(float(found.group(2)) * 100 / 72)


_PANDAS_STYLE = re.compile(r"<style scoped>.*?</style>", re.DOTALL)


def prepare_outputs(nb: nbformat.NotebookNode, name: str, stem: str) -> PreparedPage:
    """Give each output what its page shows, in ``output.metadata["report"]``, and collect downloads.

    A chart (:data:`analysis.charts.CHART_MIME`) becomes a picture: the wide SVG, the narrow one for
    phones, its alt text and the address of its data as CSV. A table carrying ``text/csv``
    (:func:`analysis.tables.show_table`) gets a label and a CSV download. Any other picture has no
    alt text and no data: the build stops, naming the cell.
    """
    prepared = PreparedPage()
    used: set[str] = set()
    table_number = 0

    def unique(path: str) -> str:
        base, number = path, 2
        while path in used:
            path = base.replace(".csv", f"-{number}.csv")
            number += 1
        used.add(path)
        return path

    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            chart = data.get(charts.CHART_MIME)
            if isinstance(chart, dict):
                alt = " ".join(str(chart.get("alt", "")).split())
                wide = data.get("image/svg+xml")
                wide = "".join(wide) if isinstance(wide, list) else wide
                if not alt or not wide:
                    raise ReportError(
                        f"notebook {name}, {_cell_label(nb, index)}: a chart without "
                        "alt text or drawing. No report was written."
                    )
                key = re.sub(r"[^A-Za-z0-9_-]", "-", str(chart.get("key") or "chart"))
                csv_path = unique(f"data/{stem}/{key}.csv")
                prepared.downloads.append(Download(csv_path, str(chart.get("csv", "")).encode("utf-8")))
                narrow = str(chart.get("narrow_svg") or "")
                width, height = _svg_size(wide)
                narrow_width, narrow_height = _svg_size(narrow) if narrow else (0, 0)
                context = {
                    "key": key,
                    "alt": alt,
                    "csv": csv_path,
                    "wide_b64": _b64(wide),
                    "narrow_b64": _b64(narrow) if narrow else "",
                    "width": width,
                    "height": height,
                    "narrow_width": narrow_width,
                    "narrow_height": narrow_height,
                }
                output.setdefault("metadata", {})["report"] = {"chart": context}
                prepared.charts.append(context)
                continue
            pictures = [mime for mime in _IMAGE_MIMES if mime in data]
            if pictures:
                raise ReportError(
                    f"notebook {name}, {_cell_label(nb, index)}: a figure ({pictures[0]}) without alt text "
                    "or data. Draw it with analysis.charts (a standard figure, or charts.describe_figure "
                    "for one drawn by hand). No report was written."
                )
            if "text/html" in data:
                html_text = data["text/html"]
                html_text = "".join(html_text) if isinstance(html_text, list) else str(html_text)
                data["text/html"] = _PANDAS_STYLE.sub("", html_text)  # pandas' own table CSS: the page has its own
                table_number += 1
                label = f"Table {table_number}"
                table: dict[str, Any] = {"label": label, "csv": None}
                if "text/csv" in data:
                    csv_text = data["text/csv"]
                    csv_text = "".join(csv_text) if isinstance(csv_text, list) else str(csv_text)
                    table["csv"] = unique(f"data/{stem}/table-{table_number}.csv")
                    prepared.downloads.append(Download(table["csv"], csv_text.encode("utf-8")))
                output.setdefault("metadata", {})["report"] = {"table": table}
    return prepared


# ------------------------------------------------------------------------------------------
# The site: navigation, previous / next, the report's own pages
# ------------------------------------------------------------------------------------------


def _site(
    infos: list[NotebookInfo],
    current: str,
    *,
    built_on: str,
    with_code: bool,
    vintage: str,
    title: str,
    has_changelog: bool,
    date_basis: str = DATE_GIVEN,
) -> dict[str, Any]:
    """What every page's header and footer show: navigation, previous / next, edition, vintage."""
    nav = [pages.Link("index.html", "Front page")]
    nav += [pages.Link(info.page, f"Notebook {info.path.stem.split('_')[0]}") for info in infos]
    nav += [pages.Link("method.html", "Method"), pages.Link("method.html#data", "Data")]
    if has_changelog:
        nav.append(pages.Link("changelog.html", "Changelog"))
    sequence = [pages.Link("index.html", "Front page")]
    sequence += [pages.Link(info.page, info.title) for info in infos]
    sequence += [pages.Link("method.html", "Method")]
    if has_changelog:
        sequence.append(pages.Link("changelog.html", "Changelog"))
    hrefs = [link.href for link in sequence]
    position = hrefs.index(current) if current in hrefs else -1
    try:
        built_text = prose.date(built_on)
    except ValueError:
        built_text = built_on
    return {
        "nav": [{"href": link.href, "label": link.label, "current": link.href == current} for link in nav],
        "prev": sequence[position - 1] if position > 0 else None,
        "next": sequence[position + 1] if 0 <= position < len(sequence) - 1 else None,
        "built_on": built_on,
        "built_on_text": built_text,
        "date_basis": date_basis,
        "edition": "Analyst edition (with code)" if with_code else "Reviewer edition",
        "vintage": vintage,
        "page_title": title if current == "index.html" else f"{title} · Overdose claims vs. data",
    }


def _code_css(with_code: bool) -> str:
    """Pygments colours for the analyst edition's code (none in the reviewer edition)."""
    if not with_code:
        return ""
    from pygments.formatters import HtmlFormatter

    # Pygments' default colours, with the one that fails WCAG AA contrast (keywords like "in") darkened.
    return HtmlFormatter(style="default").get_style_defs(".highlight") + "\n.highlight .ow { color: #7a1bbf }"


def render_front_page(
    infos: list[NotebookInfo],
    manifest_data: dict[str, Any],
    evidence: pages.Evidence,
    *,
    built_on: str,
    with_code: bool,
    lead_chart: dict[str, Any] | None = None,
    has_changelog: bool = True,
    verdicts: pd.DataFrame | None = None,
    date_basis: str = DATE_GIVEN,
) -> str:
    """The front page (``index.html``): the verdicts first (``verdicts``: the rows of
    :func:`analysis.verdicts.headline_verdicts`; default: the evidence's), grouped by verdict with
    counts and each linked to its evidence page; then the other findings, one chart, the limits, the
    data's vintage and the links."""
    from . import claim_pages

    numbered = {info.path.stem.split("_")[0]: info.page for info in infos}
    cdc_entry = manifest_data["files"].get(CDC_FILE, {})
    vintage = pages.vintage_line(manifest_data, evidence)
    headline = evidence.headline if verdicts is None else verdicts
    links = [
        pages.Link("method.html", "How the numbers are handled (method)"),
        pages.Link("method.html#data", "The data, as CSV files"),
    ]
    if has_changelog:
        links.append(pages.Link("changelog.html", "What changed, and when (changelog)"))
    synthesis = next((info for info in infos if info.path.stem.startswith("04")), infos[-1] if infos else None)
    return pages.render(
        "index.html.j2",
        site=_site(
            infos,
            "index.html",
            built_on=built_on,
            with_code=with_code,
            vintage=vintage,
            title="Overdose claims vs. data",
            has_changelog=has_changelog,
            date_basis=date_basis,
        ),
        verdict_groups=claim_pages.verdict_groups(headline) if headline is not None and len(headline) else [],
        summary=claim_pages.summary_line(headline) if headline is not None and len(headline) else "",
        tolerance=evidence.thresholds.percent,
        findings=pages.findings(evidence, cdc_entry, numbered),
        findings_page=pages.Link(synthesis.page, synthesis.title) if synthesis else None,
        lead_chart=lead_chart,
        cannot_show=pages.cannot_show(evidence),
        notebooks=[{"href": info.page, "title": info.title, "question": info.question} for info in infos],
        links=links,
        vintage=vintage,
    )


def render_claim_pages(
    infos: list[NotebookInfo],
    evidence: pages.Evidence,
    vintage: str,
    *,
    built_on: str,
    with_code: bool,
    has_changelog: bool = True,
    date_basis: str = DATE_GIVEN,
) -> dict[str, str]:
    """One evidence page per verdict (:mod:`analysis.claim_pages`), by file name, in the front page's
    order; previous / next run through them, from and back to the front page's verdicts."""
    from . import claim_pages

    if evidence.headline is None or not len(evidence.headline):
        return {}
    contexts = claim_pages.pages_for(evidence.claim_inputs())
    out = {}
    for position, (name, context) in enumerate(contexts):
        site = _site(
            infos,
            name,
            built_on=built_on,
            with_code=with_code,
            vintage=vintage,
            title=f"Verdict: {context['title']}",
            has_changelog=has_changelog,
            date_basis=date_basis,
        )
        previous = contexts[position - 1] if position > 0 else None
        following = contexts[position + 1] if position + 1 < len(contexts) else None
        site["prev"] = (
            pages.Link(previous[0], f"the verdict on {_link_title(previous[1])}")
            if previous
            else pages.Link("index.html#verdicts", "all verdicts")
        )
        site["next"] = (
            pages.Link(following[0], f"the verdict on {_link_title(following[1])}")
            if following
            else pages.Link("index.html#verdicts", "all verdicts")
        )
        out[name] = pages.render("claim.html.j2", site=site, claim=context)
    return out


def _link_title(context: dict[str, Any]) -> str:
    """An evidence page named in a previous / next link: a claim by its title, a group by its claim."""
    return context["title"] if context["kind"] == "claim" else context["claimed"]


def render_method_page(
    infos: list[NotebookInfo],
    manifest_data: dict[str, Any],
    evidence: pages.Evidence,
    data_files: list[dict[str, str]],
    *,
    built_on: str,
    with_code: bool,
    has_changelog: bool = True,
    date_basis: str = DATE_GIVEN,
) -> str:
    """The method page (``method.html``): rules, the verdict rule and its threshold, counts, CDC's
    release calendar, sources, coverage, vintage and checksums."""
    lag = pages.publication_lag_months()
    cdc_entry = manifest_data["files"].get(CDC_FILE, {})
    vintage = pages.vintage_table(manifest_data)
    offered = {item["href"] for item in data_files}
    for row in vintage:
        row["href"] = f"data/raw/{row['file']}" if f"data/raw/{row['file']}" in offered else None
    ordinals = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh"}
    return pages.render(
        "method.html.j2",
        site=_site(
            infos,
            "method.html",
            built_on=built_on,
            with_code=with_code,
            vintage=pages.vintage_line(manifest_data, evidence),
            title="Method",
            has_changelog=has_changelog,
            date_basis=date_basis,
        ),
        lag=lag,
        lag_ordinal=ordinals.get(lag + 1, f"{lag + 1}th") if lag is not None else None,
        verdict_rule=pages.verdict_rule(evidence) if evidence.headline is not None else None,
        calendar=pages.release_calendar(evidence),
        counts=pages.reported_vs_predicted(evidence),
        release=prose.release(cdc_entry["source_release"]) if cdc_entry.get("source_release") else "(not recorded)",
        latest_period=prose.period(cdc_entry["latest_period"]) if cdc_entry.get("latest_period") else "(not recorded)",
        kinds=pages.source_kinds(evidence),
        coverage=pages.coverage(evidence, manifest_data),
        vintage=vintage,
        data_files=data_files,
    )


def render_changelog_page(
    infos: list[NotebookInfo],
    changelog: str,
    vintage: str,
    *,
    built_on: str,
    with_code: bool,
    date_basis: str = DATE_GIVEN,
) -> str:
    """The changelog page (``changelog.html``) from ``CHANGELOG.md`` rendered as escaped Markdown."""
    return pages.render(
        "changelog.html.j2",
        site=_site(
            infos,
            "changelog.html",
            built_on=built_on,
            with_code=with_code,
            vintage=vintage,
            title="Changelog",
            has_changelog=True,
            date_basis=date_basis,
        ),
        changelog=Markup(changelog),  # noqa: S704 - mistune output with raw HTML escaped (pages.markdown_html)
    )


def page_weights(folder: Path) -> dict[str, int]:
    """Bytes of every HTML page in ``folder``."""
    return {path.name: path.stat().st_size for path in sorted(folder.glob("*.html"))}


def over_budget(weights: dict[str, int]) -> list[str]:
    """Pages heavier than their budget (:data:`INDEX_BUDGET` for the index, :data:`PAGE_BUDGET` else)."""
    found = []
    for name, size in weights.items():
        budget = INDEX_BUDGET if name == "index.html" else PAGE_BUDGET
        if size > budget:
            found.append(f"{name} weighs {size / 1000:,.0f} KB, over its budget of {budget / 1000:,.0f} KB")
    return found


def weights_lines(weights: dict[str, int]) -> list[str]:
    """One line per page: its weight and its budget."""
    lines = []
    for name, size in weights.items():
        budget = INDEX_BUDGET if name == "index.html" else PAGE_BUDGET
        mark = "ok" if size <= budget else "OVER"
        lines.append(f"  {name:<34} {size / 1000:>6,.0f} KB  (budget {budget / 1000:,.0f} KB)  {mark}")
    return lines


# ------------------------------------------------------------------------------------------
# Staging and swap
# ------------------------------------------------------------------------------------------


def _swap_into_place(staging: Path, target: Path) -> None:
    """Make ``staging`` the new ``target`` in one step (:func:`analysis.atomic.swap_dir`)."""
    atomic.swap_dir(staging, target)


def snapshot_checksums(paths: Paths) -> dict[str, str]:
    """sha256 of every file in ``data/raw/`` (``MANIFEST.json`` included), by name."""
    return {
        p.name: manifest.sha256_of(p) for p in sorted(paths.raw.iterdir()) if p.is_file() and not p.name.startswith(".")
    }


def check_snapshots_unchanged(paths: Paths, started: dict[str, str]) -> None:
    """Raise :class:`ReportError` if ``data/raw/`` differs from the checksums taken at the start."""
    now = snapshot_checksums(paths)
    changed = sorted(name for name in set(started) | set(now) if started.get(name) != now.get(name))
    if changed:
        raise ReportError(
            f"data/raw/ changed while the report was being built ({', '.join(changed)}): its pages could mix "
            "two releases, so none was written. The previous report was left untouched; run the report again."
        )


# ------------------------------------------------------------------------------------------
# Build
# ------------------------------------------------------------------------------------------


def _git_commit_date(root: Path) -> tuple[str, bool] | None:
    """(date of the last commit of ``root``'s git repository in UTC, True if tracked files differ from
    it), or None when ``root`` is not in a git work tree or git is not available."""
    import subprocess

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if top is None or Path(top.strip()).resolve() != Path(root).resolve():
        return None  # a copy of the project inside some other repository is not that repository's commit
    stamp = git("log", "-1", "--format=%ct")
    if not stamp or not stamp.strip().isdigit():
        return None
    status = git("status", "--porcelain", "--untracked-files=no")
    day = dt.datetime.fromtimestamp(int(stamp.strip()), tz=dt.UTC).date().isoformat()
    return day, bool(status and status.strip())


def _build_date(built_on: dt.date | str | None, root: Path | None = None) -> tuple[str, str]:
    """The report's date and how it was chosen, so that it is true and the same for every build of
    one commit: ``built_on`` if given; else ``$SOURCE_DATE_EPOCH``; else the date of the last commit of
    the project's git repository (when no tracked file has changed since); else the day of the build."""
    if built_on is not None:
        return (built_on.isoformat() if isinstance(built_on, dt.date) else str(built_on)), DATE_GIVEN
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            seconds = int(epoch.strip())
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date().isoformat(), DATE_GIVEN
        except (ValueError, OverflowError, OSError):
            raise ReportError(
                f"$SOURCE_DATE_EPOCH is {epoch[:40]!r}: it must be a whole number of seconds since "
                "1970-01-01 UTC (e.g. `git log -1 --format=%ct`), or unset"
            ) from None
    commit = _git_commit_date(root) if root is not None else None
    if commit is not None:
        day, changed = commit
        if not changed:
            return day, DATE_COMMIT
        return dt.datetime.now(tz=dt.UTC).date().isoformat(), DATE_TODAY_CHANGED
    return dt.datetime.now(tz=dt.UTC).date().isoformat(), DATE_TODAY


class _PageExporter:
    """One :class:`HTMLExporter` shared by every page of a build, used by one thread at a time
    (an exporter's preprocessors keep per-export state, so concurrent exports are serialised)."""

    def __init__(self, with_code: bool) -> None:
        self.with_code = with_code
        self._exporter = _exporter(with_code)
        self._lock = threading.Lock()

    def export(self, nb: nbformat.NotebookNode, resources: dict[str, Any]) -> str:
        with self._lock:
            body, _ = self._exporter.from_notebook_node(nb, resources=resources)
        return body


def _render_page(
    nb: nbformat.NotebookNode,
    info: NotebookInfo,
    *,
    with_code: bool,
    report_meta: dict[str, Any],
    exporter: _PageExporter | None = None,
) -> str:
    """The page of one executed notebook; ``exporter``: the build's shared exporter (a new one if None)."""
    if exporter is None:
        exporter = _PageExporter(with_code)
    elif exporter.with_code != with_code:
        raise ValueError(f"exporter built for with_code={exporter.with_code}, page asked with_code={with_code}")
    nb.metadata.pop("widgets", None)
    nb.metadata["title"] = info.title
    body = exporter.export(
        nb,
        resources={"metadata": {"name": info.path.stem, "path": str(info.path.parent)}, "report": report_meta},
    )
    check_page(body, f"notebook {info.path.name}")
    return body


def check_page(body: str, what: str) -> None:
    """Refuse a page that would run code or load anything from outside the report."""
    active = active_content(body)
    if active:
        raise ReportError(f"{what}: its page would run code ({', '.join(active[:5])}); the report must be static.")
    fetched = external_resources(body)
    if fetched:
        raise ReportError(
            f"{what}: its page would load from outside the report: "
            + "; ".join(fetched[:5])
            + ". Embed the resource instead (images are embedded as data URIs)."
        )


def _data_files(paths: Paths) -> list[tuple[str, Path, str]]:
    """The snapshots and processed files the report offers: (path in reports/, source, note)."""
    files = []
    manifest_data = manifest.load(paths)
    for name in sorted(manifest_data["files"]):
        source = paths.raw / name
        if source.is_file():
            files.append((f"data/raw/{name}", source, f"snapshot: {manifest_data['files'][name].get('title', '')}"))
    if paths.manifest.is_file():
        files.append(("data/raw/MANIFEST.json", paths.manifest, "where each snapshot came from, its rows and checksum"))
    if paths.processed.is_dir():
        for source in sorted(paths.processed.glob("*.csv")):
            files.append((f"data/processed/{source.name}", source, "derived by the pipeline from the snapshots"))
    return files


Progress = Callable[[str], None]


def build_report_detailed(
    paths: Paths | None = None,
    *,
    with_code: bool = False,
    notebooks: Iterable[str | os.PathLike] | None = None,
    workers: int = 2,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    built_on: dt.date | str | None = None,
    progress: Progress | None = None,
    lock_wait: float = lock.DEFAULT_WAIT,
) -> BuildResult:
    """Build the report and return pages, timings and the index path. See :func:`build_report`."""
    paths = paths or project_paths()
    with lock.project_lock(paths, "report", wait=lock_wait):
        return _build_report_detailed(
            paths,
            with_code=with_code,
            notebooks=notebooks,
            workers=workers,
            cell_timeout=cell_timeout,
            built_on=built_on,
            progress=progress,
        )


def _build_report_detailed(
    paths: Paths,
    *,
    with_code: bool,
    notebooks: Iterable[str | os.PathLike] | None,
    workers: int,
    cell_timeout: int,
    built_on: dt.date | str | None,
    progress: Progress | None,
) -> BuildResult:
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    chosen = [Path(p) for p in notebooks] if notebooks is not None else find_notebooks(paths)
    if not chosen:
        raise ReportError(f"{paths.notebooks}: no notebooks named NN_*.ipynb to report on")
    missing = [str(p) for p in chosen if not p.is_file()]
    if missing:
        raise ReportError(f"notebooks not found: {', '.join(missing)}")
    stems = [p.stem for p in chosen]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    reserved = sorted(set(stems) & {"index", "method", "changelog"})
    if duplicates or reserved:
        raise ReportError(f"notebook names must give distinct pages (clash: {duplicates or reserved})")

    try:
        manifest.verify_all(paths)
        manifest_data = manifest.load(paths)
        checksums = snapshot_checksums(paths)
    except manifest.ManifestError as exc:
        raise ReportError(f"data snapshots do not match their manifest, no report built: {exc}") from exc
    try:  # every input the notebooks read, through the same loaders, before any kernel starts
        from .build import Inputs

        Inputs.load(paths)
    except (ValueError, RuntimeError) as exc:
        raise ReportError(f"the data in data/raw/ do not load, so no notebook was run: {exc}") from None
    cdc_entry = manifest_data["files"].get(CDC_FILE)
    if cdc_entry is None:
        raise ReportError(f"{paths.manifest}: no entry for {CDC_FILE}, so the report has no data vintage")
    try:
        evidence = pages.Evidence.load(paths)
    except (ValueError, KeyError, OSError) as exc:
        raise ReportError(f"the front page's findings could not be computed, no report built: {exc}") from exc
    date_text, date_basis = _build_date(built_on, paths.root)
    infos = [describe_notebook(path) for path in chosen]
    vintage = pages.vintage_line(manifest_data, evidence)
    changelog = pages.changelog_html(paths)
    has_changelog = changelog is not None
    code_css = _code_css(with_code)

    exporter = _PageExporter(with_code)  # templates compiled once per build, not once per page

    def run_one(number: int, path: Path) -> tuple[NotebookInfo, str, NotebookTiming, PreparedPage]:
        say(f"[{number}/{len(chosen)}] {path.name}: running")
        nb, timing = execute_notebook(path, paths, cell_timeout=cell_timeout)
        info = describe_notebook(path, nb)
        check_notebook_markup(nb, path.name)
        export_start = time.perf_counter()
        prepared = prepare_outputs(nb, path.name, path.stem)
        meta = {
            "site": _site(
                infos,
                info.page,
                built_on=date_text,
                with_code=with_code,
                vintage=vintage,
                title=info.title,
                has_changelog=has_changelog,
                date_basis=date_basis,
            ),
            "position": f"Notebook {number} of {len(chosen)}",
            "code_css": code_css,
        }
        page = _render_page(nb, info, with_code=with_code, report_meta=meta, exporter=exporter)
        timing.export_s = time.perf_counter() - export_start
        say(f"[{number}/{len(chosen)}] {path.name}: done in {timing.total_s:.1f} s")
        return info, page, timing, prepared

    workers = max(1, min(int(workers), len(chosen)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report") as pool:
        futures = [pool.submit(run_one, number, path) for number, path in enumerate(chosen, start=1)]
        results = []
        failure: BaseException | None = None
        for future in futures:  # in notebook order, so the first failing notebook is reported
            if failure is not None:
                future.cancel()
                continue
            try:
                results.append(future.result())
            except BaseException as exc:  # noqa: BLE001 - re-raised below after the pool settles
                failure = exc
    if failure is not None:
        raise failure

    all_charts = [chart for *_, prepared in results for chart in prepared.charts]
    lead = next((chart for chart in all_charts if chart["key"] == pages.LEAD_CHART), None)
    warnings: list[str] = []
    if lead is None and all_charts:
        lead = all_charts[0]
        warnings.append(f"no {pages.LEAD_CHART} chart in the notebooks; the front page leads with {lead['key']}")
    data_files = _data_files(paths)
    offered = [{"href": target, "label": target.split("/", 1)[1], "note": note} for target, _, note in data_files]
    front = render_front_page(
        infos,
        manifest_data,
        evidence,
        built_on=date_text,
        with_code=with_code,
        lead_chart=lead,
        has_changelog=has_changelog,
        date_basis=date_basis,
    )
    method = render_method_page(
        infos,
        manifest_data,
        evidence,
        offered,
        built_on=date_text,
        with_code=with_code,
        has_changelog=has_changelog,
        date_basis=date_basis,
    )
    own_pages = {"index.html": front, "method.html": method}
    if changelog is not None:
        own_pages["changelog.html"] = render_changelog_page(
            infos, changelog, vintage, built_on=date_text, with_code=with_code, date_basis=date_basis
        )
    own_pages.update(
        render_claim_pages(
            infos,
            evidence,
            vintage,
            built_on=date_text,
            with_code=with_code,
            has_changelog=has_changelog,
            date_basis=date_basis,
        )
    )
    for name, body in own_pages.items():
        check_page(body, name)

    paths.reports.parent.mkdir(parents=True, exist_ok=True)
    staging = atomic.staging_dir(paths.reports)
    try:
        pages_written = []
        for info, page, _, prepared in results:
            (staging / info.page).write_text(page, encoding="utf-8")
            pages_written.append(paths.reports / info.page)
            for download in prepared.downloads:
                target = staging / download.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(download.content)
        for name, body in own_pages.items():
            (staging / name).write_text(body, encoding="utf-8")
        for target, source, _ in data_files:
            (staging / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, staging / target)
        weights = page_weights(staging)
        warnings += over_budget(weights)
        timings = [timing for _, _, timing, _ in results]
        total = time.perf_counter() - started
        (staging / "timings.json").write_text(
            json.dumps(
                {
                    "workers": workers,
                    "with_code": with_code,
                    "total_s": round(total, 3),
                    "notebooks": [
                        {
                            **asdict(t),
                            **{k: round(v, 3) for k, v in asdict(t).items() if isinstance(v, float)},
                            "total_s": round(t.total_s, 3),
                        }
                        for t in timings
                    ],
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            os.chmod(folder, 0o755)
        (staging / "snapshots.json").write_text(
            json.dumps({"data/raw": checksums}, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        check_snapshots_unchanged(paths, checksums)
        _swap_into_place(staging, paths.reports)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    say("page weights:")
    for line in weights_lines(weights):
        say(line)
    for warning in warnings:
        say(f"warning: {warning}")
    return BuildResult(
        index=paths.reports / "index.html",
        pages=pages_written,
        timings=timings,
        total_s=time.perf_counter() - started,
        workers=workers,
        with_code=with_code,
        built_on=date_text,
        warnings=warnings,
        weights=weights,
    )


def build_report(
    paths: Paths | None = None,
    *,
    with_code: bool = False,
    notebooks: Iterable[str | os.PathLike] | None = None,
    workers: int = 2,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    built_on: dt.date | str | None = None,
    progress: Progress | None = None,
    lock_wait: float = lock.DEFAULT_WAIT,
) -> Path:
    """Execute the notebooks and write ``reports/``: one page per notebook, the front page
    (``index.html``), the method and changelog pages, and ``data/`` (the snapshots, the processed
    files, and the CSV of every chart and table).

    ``paths``: project paths (default: this checkout or ``$OVERDOSE_PROJECT_ROOT``); the kernels get
    ``OVERDOSE_PROJECT_ROOT`` set to its root, so notebooks read that project's snapshots.
    ``with_code``: analyst pages with code and prompts (default: reviewer pages without).
    ``notebooks``: explicit notebook files (default: ``paths.notebooks/NN_*.ipynb`` sorted).
    ``workers``: notebooks executed at once, one kernel each.
    ``cell_timeout``: seconds a cell may run.
    ``built_on``: the build date shown (default: ``$SOURCE_DATE_EPOCH`` if set, else today).
    ``progress``: called with one line of text as each notebook starts and ends (with its seconds),
    then with the page weights; the CLI prints them to stderr.
    ``lock_wait``: seconds to wait for another command holding the project lock.

    Returns the path of ``reports/index.html``. Raises :class:`ReportError` (and leaves the previous
    ``reports/`` byte-identical) if a snapshot fails its checksum or changes during the build, a cell
    fails, or a page would need the network.
    """
    return build_report_detailed(
        paths,
        with_code=with_code,
        notebooks=notebooks,
        workers=workers,
        cell_timeout=cell_timeout,
        built_on=built_on,
        progress=progress,
        lock_wait=lock_wait,
    ).index
