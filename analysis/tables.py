"""Show a DataFrame in a notebook so that text from the data is shown as text, never as markup.

Ledger cells hold quotes, notes and addresses copied from public pages. ``pandas`` would render
them into HTML as the notebook output; a quote holding ``<script>`` must show as those characters
in the notebook and in the HTML report, and a source address must be a real, clickable link.

:func:`show_table` returns a :class:`Table`. Jupyter displays it as an HTML table in which every
cell, column name and index value is escaped, and the cells of the link columns that hold an
``http``/``https`` address are ``<a href>`` links. Its plain-text form (``repr``) is a fixed-width
table, deterministic for nbval: no memory address, no terminal-width dependence, no truncation
of cell text.

A missing value (``None``, ``NaN``, ``pd.NA``) is shown as :data:`MISSING` in both forms; an empty
string stays empty. Nothing is filled in.

Written for readers (the house style):

* **Headers in words**: a column's data name becomes its label (``claimed_low`` -> "Claimed (low)",
  :data:`COLUMN_LABELS`; any other ``snake_case`` name is spelled out), unless ``words=False``.
* **Numbers**: whole numbers carry thousands separators (``300,000,000``; a float column of whole
  numbers shows no ``.0``, :func:`whole_number_columns`); years and columns named as years stay
  ``2024``; other floats are rounded to at most two decimals, the same count in the whole column
  (``2.73``, ``-44.4``).
* **Dates**: a cell holding a day ``2025-09-02`` (or a Timestamp) reads ``2 Sep 2025``, a month
  ``2025-09`` reads ``Sep 2025``.
* **Long tables** (more than ``collapse_after`` rows, default :data:`COLLAPSE_AFTER`) are shown
  collapsed under a one-line summary (``<details>``): the full table is one click away.
* **Downloads**: the display carries the full DataFrame as CSV (``text/csv``, data column names
  and unrounded values, as in ``data/processed/``); the report offers it as a download.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

#: How a missing value is shown (both HTML and text).
MISSING = "—"

#: Columns rendered as links when the caller does not name any.
DEFAULT_LINK_COLUMNS = ("source_url",)

#: Tables with more rows than this are shown collapsed under a summary line.
COLLAPSE_AFTER = 15

#: Column labels in words for the data names the notebooks show (others are spelled out).
COLUMN_LABELS = {
    "all_drugs_predicted": "CDC, all drugs (predicted)",
    "announced_by": "Announced by",
    "announced_date": "Announced",
    "as_of": "As of",
    "cdc_indicator": "CDC drug class",
    "cdc_period_end": "CDC period (12 months ending)",
    "cdc_predicted": "CDC predicted",
    "cdc_reported": "CDC reported",
    "claim_id": "Claim",
    "claimed_high": "Claimed (high)",
    "claimed_low": "Claimed (low)",
    "data_file": "Data file",
    "difference": "Difference from announced deaths",
    "difference_presumed": "Difference incl. survivors never found",
    "footnote_symbol": "CDC footnote",
    "latest_period_end": "Latest period in this release",
    "latest_predicted": "CDC predicted, latest period",
    "ledger_killed": "Ledger: deaths announced",
    "ledger_killed_presumed": "Ledger: incl. survivors never found",
    "lives_implied_high": "Lives implied (high)",
    "lives_implied_low": "Lives implied (low)",
    "matched_period_end": "Matched period (12 months ending)",
    "median_percent": "Median revision (%)",
    "largest_percent": "Largest revision (%)",
    "largest_where": "Largest: period (release, age)",
    "per_boat_high": "Lives per boat (high)",
    "per_boat_low": "Lives per boat (low)",
    "percent_complete": "Percent complete",
    "percent_pending_investigation": "Percent pending investigation",
    "period_end": "12 months ending",
    "published_killed": "Published deaths",
    "ratio_all_drugs_high": "Times a year's overdose deaths (high)",
    "ratio_high": "Ratio to CDC (high)",
    "ratio_high_vs_latest": "Ratio to latest period (high)",
    "ratio_low": "Ratio to CDC (low)",
    "ratio_low_vs_latest": "Ratio to latest period (low)",
    "reduction_pct": "Stated reduction (%)",
    "source_kind": "Source kind",
    "source_row": "Ledger row",
    "source_status": "Source status",
    "source": "Source (originator · kind of page)",
    "source_url": "Page read",
    "strike_id": "Strike",
    "survivors_not_found": "Survivors never found",
    "synthetic_opioids_predicted": "CDC, synthetic opioids (predicted)",
    "vessels_by_date": "Vessels destroyed by then",
}

_ACRONYMS = {"cdc": "CDC", "us": "U.S.", "pct": "%", "id": "ID", "url": "address"}
_YEAR_NAME = re.compile(r"(^|[\s_])years?($|[\s_])", re.IGNORECASE)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")


def column_label(name: Any) -> str:
    """A column's label in words: :data:`COLUMN_LABELS`, else ``snake_case`` spelled out
    (``survivors_reported`` -> "Survivors reported"; "cdc" -> "CDC")."""
    text = str(name)
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    words = [_ACRONYMS.get(word.lower(), word) for word in text.replace("_", " ").split()]
    if not words:
        return text
    label = " ".join(words)
    return label[0].upper() + label[1:]


_DEFAULT = object()


def is_web_address(value: str) -> bool:
    """True if ``value`` is an absolute ``http``/``https`` address with a host (the only links made)."""
    if not isinstance(value, str) or value != value.strip() or not value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def link_label(url: str) -> str:
    """Short visible text of a source link: the host without ``www.`` (``https://www.cbsnews.com/x`` -> "
    "``cbsnews.com``)."""
    host = urlsplit(url.strip()).hostname or url
    return host.removeprefix("www.")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.floating) and np.isnan(value):
        return True
    if isinstance(value, np.datetime64) and np.isnat(value):
        return True
    return False


#: Whole-number floats beyond this are shown as floats (integers above 2**53 are not exact).
_MAX_EXACT_INTEGER = 2**53


def _is_whole(value: Any) -> bool:
    return math.isfinite(value) and float(value).is_integer() and abs(value) <= _MAX_EXACT_INTEGER


def whole_number_columns(df: pd.DataFrame) -> list:
    """Float columns of ``df`` whose non-missing values are all whole numbers (and at least one exists)."""
    names = []
    for position, (name, dtype) in enumerate(zip(df.columns, df.dtypes, strict=True)):
        if not pd.api.types.is_float_dtype(dtype):
            continue
        values = df.iloc[:, position].dropna()
        if len(values) and all(_is_whole(float(value)) for value in values):
            names.append(name)
    return names


def _inferred(column: pd.Series) -> str:
    return pd.api.types.infer_dtype(column, skipna=True)


def _is_number_column(column: pd.Series) -> bool:
    """Numeric dtype, or an object column holding only numbers (a pivot of nullable integers)."""
    if pd.api.types.is_bool_dtype(column.dtype):
        return False
    if pd.api.types.is_numeric_dtype(column.dtype):
        return True
    return column.dtype == object and _inferred(column) in ("integer", "floating", "mixed-integer-float", "decimal")


def whole_number_text(value: Any) -> str:
    """``250000.0`` -> ``"250,000"``: a whole number with thousands separators, no decimal part."""
    return f"{int(value):,}"


def plain_whole_text(value: Any) -> str:
    """``2024.0`` -> ``"2024"``: a whole number with no separator (years)."""
    return str(int(value))


def decimals_needed(values: Iterable[Any], most: int = 2) -> int:
    """Decimals (at most ``most``) that show every value of a float column once rounded to ``most``."""
    needed = 0
    for value in values:
        if _is_missing(value) or not math.isfinite(float(value)):
            continue
        text = f"{round(float(value), most):.{most}f}".rstrip("0")
        needed = max(needed, len(text.split(".")[1]) if "." in text else 0)
    return needed


def _decimal_formatter(decimals: int) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        value = float(value)
        if not math.isfinite(value) or abs(value) > _MAX_EXACT_INTEGER:
            return repr(value)
        return f"{value:,.{decimals}f}"

    return show


def _date_text(value: Any) -> str | None:
    """A day or month in words, or None if ``value`` is neither."""
    if isinstance(value, pd.Timestamp) and not pd.isna(value):
        if value == value.normalize():
            return f"{value.day} {value:%b %Y}"
        return None
    if isinstance(value, str):
        if _ISO_DAY.fullmatch(value) and 1 <= int(value[5:7]) <= 12:
            return f"{int(value[8:])} {pd.Timestamp(value[:7] + '-01'):%b} {value[:4]}"
        if _ISO_MONTH.fullmatch(value) and 1 <= int(value[5:7]) <= 12:
            return f"{pd.Timestamp(value + '-01'):%b} {value[:4]}"
    return None


def format_value(value: Any) -> str:
    """Text of one cell: :data:`MISSING` for a gap, shortest round-trip text for floats, else ``str``."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, np.generic):
        return str(value.item())
    return str(value)


class Table:
    """A DataFrame prepared for display: escaped HTML (``_repr_html_``) and a fixed-width text form.

    Build it with :func:`show_table`. ``to_html()`` and ``to_text()`` give the two forms directly.
    """

    def __init__(
        self,
        df: pd.DataFrame,
        *,
        link_columns: Iterable[str],
        max_rows: int | None,
        index: bool,
        formatters: Mapping[str, Callable[[Any], str]],
        words: bool = True,
        collapse_after: int | None = COLLAPSE_AFTER,
        summary: str | None = None,
    ) -> None:
        self.data = df
        self.total_rows = len(df)
        self.shown = df if max_rows is None else df.head(max_rows)
        self.link_columns = tuple(link_columns)
        self.index = index
        self.columns = [str(name) for name in df.columns]
        self.labels = [column_label(name) if words else str(name) for name in df.columns]
        self.numeric = [_is_number_column(df.iloc[:, position]) for position in range(df.shape[1])]
        self.collapse_after = collapse_after
        self.summary = summary
        self.formatters = {**self._house_formatters(df), **dict(formatters)}  # a caller's formatter wins
        self.rows = self._text_rows()

    @staticmethod
    def _house_formatters(df: pd.DataFrame) -> dict[str, Callable[[Any], str]]:
        """Per column: separators for whole numbers (not years), at most two decimals for others."""
        chosen: dict[str, Callable[[Any], str]] = {}
        whole = set(whole_number_columns(df))
        for position, (name, dtype) in enumerate(zip(df.columns, df.dtypes, strict=True)):
            year_like = bool(_YEAR_NAME.search(str(name)))
            if name in whole:
                chosen[name] = plain_whole_text if year_like else whole_number_text
            elif pd.api.types.is_float_dtype(dtype):
                chosen[name] = _decimal_formatter(decimals_needed(df.iloc[:, position]))
            elif pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype) and not year_like:
                chosen[name] = whole_number_text
            elif pd.api.types.is_object_dtype(dtype) and not year_like and _inferred(df.iloc[:, position]) == "integer":
                chosen[name] = whole_number_text  # e.g. a pivot of nullable integers
        return chosen

    # -- shared cell text ------------------------------------------------------------------
    def _text_rows(self) -> list[tuple[str, list[str | None]]]:
        """``(index text, cells)`` per shown row; a cell is its text, or None for a missing value."""
        rows = []
        names = list(self.shown.columns)
        for label, values in zip(self.shown.index, self.shown.itertuples(index=False, name=None), strict=True):
            cells: list[str | None] = []
            for name, value in zip(names, values, strict=True):
                formatter = self.formatters.get(name)
                if _is_missing(value):
                    cells.append(None)
                elif formatter is not None:
                    cells.append(str(formatter(value)))
                else:
                    cells.append(_date_text(value) or format_value(value))
            rows.append((format_value(label), cells))
        return rows

    @property
    def collapsed(self) -> bool:
        """True if the HTML shows the table collapsed under its summary line."""
        return self.collapse_after is not None and len(self.shown) > self.collapse_after

    def summary_line(self) -> str:
        """The line a collapsed table shows: the caller's summary, else its size."""
        size = f"{len(self.shown):,} rows, {len(self.columns)} columns"
        return f"{self.summary} ({size})" if self.summary else f"Full table: {size}"

    def csv_text(self) -> str:
        """The whole DataFrame (every row, data column names, unrounded values) as CSV text."""
        return self.data.to_csv(index=self.index, lineterminator="\n")

    @property
    def hidden_rows(self) -> int:
        """Rows of the DataFrame not shown because of ``max_rows``."""
        return self.total_rows - len(self.shown)

    def _note(self) -> str | None:
        if self.hidden_rows:
            return f"First {len(self.shown)} of {self.total_rows} rows shown ({self.hidden_rows} more not shown)."
        return None

    # -- HTML ------------------------------------------------------------------------------
    def _html_cell(self, column: str, text: str | None, numeric: bool) -> str:
        """One ``<td>``; numeric columns carry class ``num`` (right-aligned in the report)."""
        classes = ["num"] if numeric else []
        if text is None:
            classes.append("missing")
            return f'<td class="{" ".join(classes)}" title="missing value">{html.escape(MISSING)}</td>'
        opening = f'<td class="{" ".join(classes)}">' if classes else "<td>"
        escaped = html.escape(text, quote=True)
        if column in self.link_columns and is_web_address(text):
            # The link reads as the site's name; the full address is the target and the tooltip.
            label = html.escape(link_label(text), quote=True)
            return (
                f'{opening}<a href="{escaped}" title="{escaped}" rel="noopener noreferrer" '
                f'target="_blank">{label}</a></td>'
            )
        return f"{opening}{escaped}</td>"

    def to_html(self) -> str:
        """The table as an HTML fragment; every text from the data is escaped."""
        lines = ['<table class="dataframe analysis-table">', "<thead>", "<tr>"]
        if self.collapsed:
            lines = [f'<details class="long-table"><summary>{html.escape(self.summary_line())}</summary>'] + lines
        if self.index:
            index_name = self.shown.index.name
            lines.append(f"<th>{html.escape(str(index_name)) if index_name is not None else ''}</th>")
        for label in self.labels:
            lines.append(f'<th scope="col">{html.escape(label)}</th>')
        lines += ["</tr>", "</thead>", "<tbody>"]
        for label, cells in self.rows:
            lines.append("<tr>")
            if self.index:
                lines.append(f"<th>{html.escape(label)}</th>")
            for column, text, numeric in zip(self.columns, cells, self.numeric, strict=True):
                lines.append(self._html_cell(column, text, numeric))
            lines.append("</tr>")
        lines += ["</tbody>", "</table>"]
        if self.collapsed:
            lines.append("</details>")
        note = self._note()
        if note:
            lines.append(f'<p class="analysis-table-note">{html.escape(note)}</p>')
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """HTML, plain text and the full data as CSV (the report offers it as a download)."""
        return {"text/html": self.to_html(), "text/plain": self.to_text(), "text/csv": self.csv_text()}

    # -- text ------------------------------------------------------------------------------
    def to_text(self) -> str:
        """Fixed-width text: numeric columns right-aligned, others left-aligned, cells never cut."""
        header = list(self.labels)
        body = [[MISSING if cell is None else cell for cell in cells] for _, cells in self.rows]
        aligns = ["right" if numeric else "left" for numeric in self.numeric]
        if self.index:
            index_name = self.shown.index.name
            header = ["" if index_name is None else str(index_name)] + header
            body = [[label] + cells for (label, _), cells in zip(self.rows, body, strict=True)]
            aligns = ["left"] + aligns
        widths = [len(name) for name in header]
        for cells in body:
            widths = [max(width, len(cell)) for width, cell in zip(widths, cells, strict=True)]

        def line(cells: list[str]) -> str:
            parts = [
                cell.rjust(width) if align == "right" else cell.ljust(width)
                for cell, width, align in zip(cells, widths, aligns, strict=True)
            ]
            return "  ".join(parts).rstrip()

        lines = [line(header)] + [line(cells) for cells in body]
        note = self._note()
        if note:
            lines.append(note)
        if not body:
            lines.append("(no rows)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.to_text()

    __str__ = __repr__


def show_table(
    df: pd.DataFrame,
    *,
    link_columns: Iterable[str] = _DEFAULT,  # type: ignore[assignment]
    max_rows: int | None = None,
    index: bool = True,
    formatters: Mapping[str, Callable[[Any], str]] | None = None,
    words: bool = True,
    collapse_after: int | None = COLLAPSE_AFTER,
    summary: str | None = None,
) -> Table:
    """Display ``df`` safely: escaped cells, source addresses as real links, deterministic text.

    ``link_columns``: columns whose ``http``/``https`` values become ``<a href>`` links (other values
    in them, e.g. ``javascript:`` or a bare word, stay plain escaped text). By default
    ``("source_url",)`` when that column exists; a name given explicitly must exist.
    ``max_rows``: show only the first rows and say how many are not shown.
    ``index``: show the index as the first column (as pandas does).
    ``formatters``: ``{column: function(value) -> str}`` for non-missing values of a column.
    ``words``: headers in words (:func:`column_label`); False keeps the data names.
    ``collapse_after``: more rows than this are shown collapsed under a summary (None: never).
    ``summary``: the collapsed table's summary line (default: its size).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"show_table expects a pandas DataFrame, got {type(df).__name__}")
    if max_rows is not None and (not isinstance(max_rows, int) or max_rows < 0):
        raise ValueError(f"max_rows must be a non-negative int or None, got {max_rows!r}")
    if link_columns is _DEFAULT:
        chosen = tuple(name for name in DEFAULT_LINK_COLUMNS if name in df.columns)
    else:
        if isinstance(link_columns, str):
            link_columns = (link_columns,)
        chosen = tuple(link_columns)
        unknown = [name for name in chosen if name not in df.columns]
        if unknown:
            raise KeyError(f"link_columns {unknown} not in the DataFrame (columns: {', '.join(map(str, df.columns))})")
    formatters = dict(formatters or {})
    unknown = [name for name in formatters if name not in df.columns]
    if unknown:
        raise KeyError(f"formatters for {unknown}: no such columns")
    return Table(
        df,
        link_columns=chosen,
        max_rows=max_rows,
        index=index,
        formatters=formatters,
        words=words,
        collapse_after=collapse_after,
        summary=summary,
    )
