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

Numbers: a float column whose every value is a whole number (claimed deaths, lives per boat) is
shown as whole numbers, ``250000`` not ``250000.0`` (:func:`whole_number_columns`); any other float
column (ratios, percentages) shows each value's shortest round-trip text, unrounded. Table cells
never carry a thousands separator, so a cell reads exactly as the value is written in
``data/processed/`` and can be searched for there (years, too, stay ``2024``); the printed
sentences of the notebooks use separators.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

#: How a missing value is shown (both HTML and text).
MISSING = "—"

#: Columns rendered as links when the caller does not name any.
DEFAULT_LINK_COLUMNS = ("source_url",)

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
    """Short visible text of a source link: the host without ``www.`` (``https://www.cbsnews.com/x`` -> ``cbsnews.com``)."""
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
    for position, (name, dtype) in enumerate(zip(df.columns, df.dtypes)):
        if not pd.api.types.is_float_dtype(dtype):
            continue
        values = df.iloc[:, position].dropna()
        if len(values) and all(_is_whole(float(value)) for value in values):
            names.append(name)
    return names


def whole_number_text(value: Any) -> str:
    """``250000.0`` -> ``"250000"``: the text of a whole-number float, with no decimal part."""
    return str(int(value))


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
    ) -> None:
        self.total_rows = len(df)
        self.shown = df if max_rows is None else df.head(max_rows)
        self.link_columns = tuple(link_columns)
        self.index = index
        self.formatters = dict(formatters)
        self.columns = [str(name) for name in df.columns]
        self.numeric = [pd.api.types.is_numeric_dtype(dtype) for dtype in df.dtypes]
        whole = {name: whole_number_text for name in whole_number_columns(df)}
        self.formatters = {**whole, **self.formatters}  # a caller's formatter wins
        self.rows = self._text_rows()

    # -- shared cell text ------------------------------------------------------------------
    def _text_rows(self) -> list[tuple[str, list[str | None]]]:
        """``(index text, cells)`` per shown row; a cell is its text, or None for a missing value."""
        rows = []
        names = list(self.shown.columns)
        for label, values in zip(self.shown.index, self.shown.itertuples(index=False, name=None)):
            cells: list[str | None] = []
            for name, value in zip(names, values):
                formatter = self.formatters.get(name)
                if _is_missing(value):
                    cells.append(None)
                elif formatter is not None:
                    cells.append(str(formatter(value)))
                else:
                    cells.append(format_value(value))
            rows.append((format_value(label), cells))
        return rows

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
            return (f'{opening}<a href="{escaped}" title="{escaped}" rel="noopener noreferrer" '
                    f'target="_blank">{label}</a></td>')
        return f"{opening}{escaped}</td>"

    def to_html(self) -> str:
        """The table as an HTML fragment; every text from the data is escaped."""
        lines = ['<table class="dataframe analysis-table">', "<thead>", "<tr>"]
        if self.index:
            index_name = self.shown.index.name
            lines.append(f"<th>{html.escape(str(index_name)) if index_name is not None else ''}</th>")
        for column in self.columns:
            lines.append(f"<th>{html.escape(column)}</th>")
        lines += ["</tr>", "</thead>", "<tbody>"]
        for label, cells in self.rows:
            lines.append("<tr>")
            if self.index:
                lines.append(f"<th>{html.escape(label)}</th>")
            for column, text, numeric in zip(self.columns, cells, self.numeric):
                lines.append(self._html_cell(column, text, numeric))
            lines.append("</tr>")
        lines += ["</tbody>", "</table>"]
        note = self._note()
        if note:
            lines.append(f'<p class="analysis-table-note">{html.escape(note)}</p>')
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.to_html()

    # -- text ------------------------------------------------------------------------------
    def to_text(self) -> str:
        """Fixed-width text: numeric columns right-aligned, others left-aligned, cells never cut."""
        header = list(self.columns)
        body = [[MISSING if cell is None else cell for cell in cells] for _, cells in self.rows]
        aligns = ["right" if numeric else "left" for numeric in self.numeric]
        if self.index:
            index_name = self.shown.index.name
            header = ["" if index_name is None else str(index_name)] + header
            body = [[label] + cells for (label, _), cells in zip(self.rows, body)]
            aligns = ["left"] + aligns
        widths = [len(name) for name in header]
        for cells in body:
            widths = [max(width, len(cell)) for width, cell in zip(widths, cells)]

        def line(cells: list[str]) -> str:
            parts = [
                cell.rjust(width) if align == "right" else cell.ljust(width)
                for cell, width, align in zip(cells, widths, aligns)
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
) -> Table:
    """Display ``df`` safely: escaped cells, source addresses as real links, deterministic text.

    ``link_columns``: columns whose ``http``/``https`` values become ``<a href>`` links (other values
    in them, e.g. ``javascript:`` or a bare word, stay plain escaped text). By default
    ``("source_url",)`` when that column exists; a name given explicitly must exist.
    ``max_rows``: show only the first rows and say how many are not shown.
    ``index``: show the index as the first column (as pandas does).
    ``formatters``: ``{column: function(value) -> str}`` for non-missing values of a column.
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
            raise KeyError(
                f"link_columns {unknown} not in the DataFrame (columns: {', '.join(map(str, df.columns))})"
            )
    formatters = dict(formatters or {})
    unknown = [name for name in formatters if name not in df.columns]
    if unknown:
        raise KeyError(f"formatters for {unknown}: no such columns")
    return Table(df, link_columns=chosen, max_rows=max_rows, index=index, formatters=formatters)
