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

import datetime as dt
import html
import json
import os
import re
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterable

import nbformat
from jinja2 import DictLoader
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from jupyter_client import KernelManager
from nbconvert import HTMLExporter

from . import atomic, lock, manifest
from .paths import ROOT_ENV, Paths, project_paths
from .tables import is_web_address

#: Notebooks that make up the report: two digits, underscore, topic.
NOTEBOOK_PATTERN = re.compile(r"^\d\d_.+\.ipynb$")

#: The raw file whose vintage heads the index.
CDC_FILE = "cdc_vsrr.csv"

#: Seconds one cell may run before the build stops.
DEFAULT_CELL_TIMEOUT = 300

#: Lines of a failing cell's source shown in the error.
SOURCE_HEAD_LINES = 8

#: Last lines of a failing cell's traceback shown in the error.
TRACEBACK_TAIL_LINES = 25

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

_PAGE_TEMPLATE_NAME = "analysis_report_page.html.j2"

# The lab template minus everything that loads from a CDN; plus a navigation bar.
_PAGE_TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}
<style type="text/css">
nav.report-nav { font-family: system-ui, sans-serif; font-size: 14px; padding: 8px 16px;
  border-bottom: 1px solid #ddd; background: #f7f7f7; color: #333; }
nav.report-nav a { color: #1a5fb4; }
.jp-RenderedHTMLCommon table.analysis-table td, .jp-RenderedHTMLCommon table.analysis-table th {
  text-align: left; vertical-align: top; }
.jp-RenderedHTMLCommon table.analysis-table td.num { text-align: right; }
.jp-RenderedHTMLCommon table.analysis-table td a { word-break: break-all; }
.jp-RenderedHTMLCommon table.analysis-table td.missing { color: #666; }
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="report-nav"><a href="index.html">&larr; All notebooks</a>
&middot; {{ resources.report.edition | e }}
&middot; built {{ resources.report.built_on | e }}
&middot; {{ resources.report.vintage | e }}</nav>
{%- endblock body_header -%}
"""


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
    """A page exporter. Build one per report and reuse it: its first export compiles the templates
    (~0.2-0.6 s), later exports reuse them."""
    return HTMLExporter(
        template_name="lab",
        template_file=_PAGE_TEMPLATE_NAME,
        extra_loaders=[DictLoader({_PAGE_TEMPLATE_NAME: _PAGE_TEMPLATE})],
        embed_images=True,
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
    return [f"css url({u})" for u in _CSS_URL.findall(css)] + [
        f"css @import {u}" for u in _CSS_IMPORT.findall(css)
    ]


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
# Index
# ------------------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: str) -> str:
    if is_web_address(url):
        return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(url)}</a>'
    return _e(url)


def vintage_line(cdc: dict[str, Any]) -> str:
    """One-line data vintage of the CDC snapshot, for page headers."""
    return (
        f"CDC VSRR release {cdc.get('source_release')}, latest 12-month period ending "
        f"{cdc.get('latest_period', 'n/a')}, sha256 {str(cdc.get('sha256', ''))[:12]}"
    )


_INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem;
  margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.meta { color: #555; margin-top: 0; }
ol.notebooks li { margin-bottom: 1rem; }
ol.notebooks .question { margin: 0.2rem 0; }
ol.notebooks .file { color: #666; font-size: 0.85rem; }
table.vintage { border-collapse: collapse; font-size: 0.9rem; }
table.vintage th, table.vintage td { border: 1px solid #ccc; padding: 0.25rem 0.5rem;
  text-align: left; vertical-align: top; }
table.vintage td a { word-break: break-all; }
code { font-size: 0.85rem; }
"""


def render_index(
    infos: list[NotebookInfo],
    manifest_data: dict[str, Any],
    *,
    built_on: str,
    with_code: bool,
) -> str:
    """The index page as HTML text; every text taken from notebooks or the manifest is escaped."""
    files = manifest_data["files"]
    cdc = files.get(CDC_FILE, {})
    edition = "analyst edition (code shown)" if with_code else "reviewer edition (code hidden)"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Overdose claims vs. data: report</title>",
        f"<style>{_INDEX_CSS}</style>",
        "</head>",
        "<body>",
        "<h1>Overdose claims vs. data</h1>",
        f'<p class="meta">Report built <time id="built-on" datetime="{_e(built_on)}">{_e(built_on)}</time>'
        f" &middot; {_e(edition)} &middot; every notebook executed from the committed snapshots.</p>",
        "<h2>Data vintage</h2>",
        f'<p id="cdc-vintage">{_e(cdc.get("title", CDC_FILE))}: CDC release '
        f"<strong>{_e(cdc.get('source_release'))}</strong>, latest 12-month period ending "
        f"<strong>{_e(cdc.get('latest_period', 'n/a'))}</strong>, retrieved {_e(cdc.get('retrieved'))}, "
        f"sha256 <code>{_e(str(cdc.get('sha256', ''))[:12])}</code>.</p>",
        '<table class="vintage">',
        "<thead><tr><th>File</th><th>What</th><th>Source release</th><th>Latest period</th>"
        "<th>Rows</th><th>sha256</th><th>Source</th></tr></thead>",
        "<tbody>",
    ]
    for name in sorted(files):
        item = files[name]
        sources = "<br>".join(_link(u) for u in item.get("source_urls") or []) or _e(
            "per-row sources (" + str(item.get("row_source_column", "source_url")) + " column)"
        )
        out.append(
            "<tr>"
            f"<td><code>{_e(name)}</code></td>"
            f"<td>{_e(item.get('title'))}</td>"
            f"<td>{_e(item.get('source_release'))}</td>"
            f"<td>{_e(item.get('latest_period', '—'))}</td>"
            f"<td>{_e(item.get('rows'))}</td>"
            f"<td><code>{_e(str(item.get('sha256', ''))[:12])}</code></td>"
            f"<td>{sources}</td>"
            "</tr>"
        )
    out += ["</tbody>", "</table>", "<h2>Notebooks</h2>", '<ol class="notebooks">']
    for info in infos:
        out.append("<li>")
        out.append(f'<a class="notebook" href="{_e(info.page)}">{_e(info.title)}</a>')
        if info.question:
            out.append(f'<p class="question">{_e(info.question)}</p>')
        out.append(f'<span class="file">{_e(info.path.name)}</span>')
        out.append("</li>")
    out += ["</ol>", "</body>", "</html>", ""]
    return "\n".join(out)


# ------------------------------------------------------------------------------------------
# Staging and swap
# ------------------------------------------------------------------------------------------

def _swap_into_place(staging: Path, target: Path) -> None:
    """Make ``staging`` the new ``target`` in one step (:func:`analysis.atomic.swap_dir`)."""
    atomic.swap_dir(staging, target)


def snapshot_checksums(paths: Paths) -> dict[str, str]:
    """sha256 of every file in ``data/raw/`` (``MANIFEST.json`` included), by name."""
    return {
        p.name: manifest.sha256_of(p)
        for p in sorted(paths.raw.iterdir())
        if p.is_file() and not p.name.startswith(".")
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


def _build_date(built_on: dt.date | str | None) -> str:
    if built_on is not None:
        return built_on.isoformat() if isinstance(built_on, dt.date) else str(built_on)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            seconds = int(epoch.strip())
            return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).date().isoformat()
        except (ValueError, OverflowError, OSError):
            raise ReportError(
                f"$SOURCE_DATE_EPOCH is {epoch[:40]!r}: it must be a whole number of seconds since "
                "1970-01-01 UTC (e.g. `git log -1 --format=%ct`), or unset"
            ) from None
    return dt.date.today().isoformat()


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
    report_meta: dict[str, str],
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
    active = active_content(body)
    if active:
        raise ReportError(
            f"notebook {info.path.name}: its page would run code ({', '.join(active[:5])}); "
            "the report must be static."
        )
    fetched = external_resources(body)
    if fetched:
        raise ReportError(
            f"notebook {info.path.name}: its page would load from outside the report: "
            + "; ".join(fetched[:5])
            + ". Embed the resource instead (images are embedded as data URIs)."
        )
    return body


def build_report_detailed(
    paths: Paths | None = None,
    *,
    with_code: bool = False,
    notebooks: Iterable[str | os.PathLike] | None = None,
    workers: int = 2,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    built_on: dt.date | str | None = None,
    lock_wait: float = lock.DEFAULT_WAIT,
) -> BuildResult:
    """Build the report and return pages, timings and the index path. See :func:`build_report`."""
    paths = paths or project_paths()
    with lock.project_lock(paths, "report", wait=lock_wait):
        return _build_report_detailed(
            paths, with_code=with_code, notebooks=notebooks, workers=workers,
            cell_timeout=cell_timeout, built_on=built_on,
        )


def _build_report_detailed(
    paths: Paths,
    *,
    with_code: bool,
    notebooks: Iterable[str | os.PathLike] | None,
    workers: int,
    cell_timeout: int,
    built_on: dt.date | str | None,
) -> BuildResult:
    started = time.perf_counter()
    chosen = [Path(p) for p in notebooks] if notebooks is not None else find_notebooks(paths)
    if not chosen:
        raise ReportError(f"{paths.notebooks}: no notebooks named NN_*.ipynb to report on")
    missing = [str(p) for p in chosen if not p.is_file()]
    if missing:
        raise ReportError(f"notebooks not found: {', '.join(missing)}")
    stems = [p.stem for p in chosen]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates or "index" in stems:
        raise ReportError(f"notebook names must give distinct pages (clash: {duplicates or ['index']})")

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
    cdc = manifest_data["files"].get(CDC_FILE)
    if cdc is None:
        raise ReportError(f"{paths.manifest}: no entry for {CDC_FILE}, so the report has no data vintage")
    date_text = _build_date(built_on)
    report_meta = {
        "built_on": date_text,
        "vintage": vintage_line(cdc),
        "edition": "analyst edition (code shown)" if with_code else "reviewer edition (code hidden)",
    }

    exporter = _PageExporter(with_code)  # templates compiled once per build, not once per page

    def run_one(path: Path) -> tuple[NotebookInfo, str, NotebookTiming]:
        nb, timing = execute_notebook(path, paths, cell_timeout=cell_timeout)
        info = describe_notebook(path, nb)
        check_notebook_markup(nb, path.name)
        export_start = time.perf_counter()
        page = _render_page(nb, info, with_code=with_code, report_meta=report_meta, exporter=exporter)
        timing.export_s = time.perf_counter() - export_start
        return info, page, timing

    workers = max(1, min(int(workers), len(chosen)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report") as pool:
        futures = [pool.submit(run_one, path) for path in chosen]
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

    paths.reports.parent.mkdir(parents=True, exist_ok=True)
    staging = atomic.staging_dir(paths.reports)
    try:
        pages = []
        for info, page, _ in results:
            (staging / info.page).write_text(page, encoding="utf-8")
            pages.append(paths.reports / info.page)
        infos = [info for info, _, _ in results]
        index_html = render_index(infos, manifest_data, built_on=date_text, with_code=with_code)
        (staging / "index.html").write_text(index_html, encoding="utf-8")
        timings = [timing for _, _, timing in results]
        total = time.perf_counter() - started
        (staging / "timings.json").write_text(
            json.dumps(
                {
                    "workers": workers,
                    "with_code": with_code,
                    "total_s": round(total, 3),
                    "notebooks": [
                        {**asdict(t), **{k: round(v, 3) for k, v in asdict(t).items() if isinstance(v, float)},
                         "total_s": round(t.total_s, 3)}
                        for t in timings
                    ],
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        (staging / "snapshots.json").write_text(
            json.dumps({"data/raw": checksums}, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        check_snapshots_unchanged(paths, checksums)
        _swap_into_place(staging, paths.reports)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(
        index=paths.reports / "index.html",
        pages=pages,
        timings=timings,
        total_s=time.perf_counter() - started,
        workers=workers,
        with_code=with_code,
        built_on=date_text,
    )


def build_report(
    paths: Paths | None = None,
    *,
    with_code: bool = False,
    notebooks: Iterable[str | os.PathLike] | None = None,
    workers: int = 2,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    built_on: dt.date | str | None = None,
    lock_wait: float = lock.DEFAULT_WAIT,
) -> Path:
    """Execute the notebooks and write ``reports/`` (one page per notebook + ``index.html``).

    ``paths``: project paths (default: this checkout or ``$OVERDOSE_PROJECT_ROOT``); the kernels get
    ``OVERDOSE_PROJECT_ROOT`` set to its root, so notebooks read that project's snapshots.
    ``with_code``: analyst pages with code and prompts (default: reviewer pages without).
    ``notebooks``: explicit notebook files (default: ``paths.notebooks/NN_*.ipynb`` sorted).
    ``workers``: notebooks executed at once, one kernel each.
    ``cell_timeout``: seconds a cell may run.
    ``built_on``: the build date shown (default: ``$SOURCE_DATE_EPOCH`` if set, else today).
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
        lock_wait=lock_wait,
    ).index
