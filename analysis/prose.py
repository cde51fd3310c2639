"""Reader-facing text: numbers, dates and computed findings written the house way.

Numbers carry thousands separators (``76,516``), ratios one or two decimals (``2.7``, ``0.99``),
dates read ``2 Sep 2025`` and 12 month-ending periods ``the 12 months ending Apr 2025``.

:func:`markdown` turns computed findings into rendered Markdown for a notebook (and so for the
report), instead of monospace prints: the sentence pattern is the caller's, every value put into it
is escaped (a quote holding ``<script>`` or ``*`` shows as those characters), so data can never
become markup. The result shows as Markdown in Jupyter and as plain text to nbval.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: ``YYYY-MM-DD`` and ``YYYY-MM`` inside running text (not inside longer digit runs).
_ISO_DAY = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_ISO_MONTH = re.compile(r"(?<![\d-])(\d{4})-(\d{2})(?![\d-])")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def number(value: Any, decimals: int = 0) -> str:
    """``76516`` -> ``76,516``; ``decimals`` for non-whole values (trailing zeros kept off whole ones).

    A missing value raises: prose must not print a gap as a number.
    """
    if _is_missing(value):
        raise ValueError("number(): missing value; say that the figure is missing instead")
    value = float(value)
    if value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,.{decimals}f}"


def ratio(value: Any) -> str:
    """A ratio to one or two decimals: two below 10 (``0.99``, ``2.73``), one from 10 (``36.7``),
    none from 100 with separators (``3,671``)."""
    if _is_missing(value):
        raise ValueError("ratio(): missing value")
    value = float(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:.2f}"


def percent(value: Any, decimals: int = 1, signed: bool = False) -> str:
    """``-32.3`` -> ``-32.3%`` (``+`` shown when ``signed``)."""
    if _is_missing(value):
        raise ValueError("percent(): missing value")
    return f"{float(value):{'+' if signed else ''},.{decimals}f}%"


def date(value: Any) -> str:
    """A day as ``2 Sep 2025`` (from ``2025-09-02``, a Timestamp or a date); ``2025-09`` -> ``Sep 2025``."""
    if isinstance(value, str):
        text = value.strip()
        day = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        if day:
            return f"{int(day.group(3))} {_MONTHS[int(day.group(2)) - 1]} {day.group(1)}"
        month_only = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if month_only:
            return month(text)
        raise ValueError(f"date(): {value!r} is not YYYY-MM-DD or YYYY-MM")
    if isinstance(value, (pd.Timestamp, dt.date)):
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    raise ValueError(f"date(): cannot read {value!r} as a date")


def release(value: Any) -> str:
    """A release as written in the manifest, in words: ``2025-09`` -> ``Sep 2025``, ``2025-10-15`` ->
    ``15 Oct 2025``, ``2026-12-02T06:46:29Z`` -> ``2 Dec 2026``; any other text as it is."""
    text = str(value).strip()
    stamp = re.match(r"(\d{4}-\d{2}-\d{2})[T ]", text)
    try:
        return date(stamp.group(1) if stamp else text)
    except ValueError:
        return text


def month(period_end: Any) -> str:
    """``2025-04`` -> ``Apr 2025``."""
    text = str(period_end)
    found = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValueError(f"month(): {period_end!r} is not YYYY-MM")
    return f"{_MONTHS[int(found.group(2)) - 1]} {found.group(1)}"


def period(period_end: Any) -> str:
    """``2025-04`` -> ``the 12 months ending Apr 2025``."""
    return f"the 12 months ending {month(period_end)}"


def humanize_dates(text: str) -> str:
    """Every ISO day and month inside ``text`` in words: ``2025-09-02`` -> ``2 Sep 2025``,
    ``2023-08`` -> ``Aug 2023``. Invalid months are left as written."""

    def day(found: re.Match) -> str:
        year, mon, day_ = found.groups()
        if not 1 <= int(mon) <= 12 or not 1 <= int(day_) <= 31:
            return found.group(0)
        return f"{int(day_)} {_MONTHS[int(mon) - 1]} {year}"

    def mon(found: re.Match) -> str:
        year, mon_ = found.groups()
        if not 1 <= int(mon_) <= 12:
            return found.group(0)
        return f"{_MONTHS[int(mon_) - 1]} {year}"

    return _ISO_MONTH.sub(mon, _ISO_DAY.sub(day, text))


# ---------------------------------------------------------------------------------------------
# Markdown from computed values

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")


def escape(value: Any) -> str:
    """Text safe inside Markdown: HTML-escaped and with Markdown's punctuation backslash-escaped,
    so it shows exactly as written."""
    text = html.escape(str(value), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


class Markdown:
    """Rendered Markdown for Jupyter (``text/markdown``) with a plain-text form for nbval."""

    def __init__(self, markdown_text: str, plain_text: str) -> None:
        self.markdown_text = markdown_text
        self.plain_text = plain_text

    def _repr_markdown_(self) -> str:
        return self.markdown_text

    def __repr__(self) -> str:
        return self.plain_text

    __str__ = __repr__


def sentence(pattern: str, **values: Any) -> tuple[str, str]:
    """``pattern`` (Markdown, the caller's own words: ``**bold**`` allowed) with ``{name}`` filled
    by ``values``, each escaped. Returns (markdown, plain text)."""
    fields = set(re.findall(r"{(\w+)}", pattern))
    missing = sorted(fields - set(values))
    if missing:
        raise KeyError(f"sentence(): no value for {missing} in {pattern!r}")
    markdown_text = pattern.format(**{name: escape(value) for name, value in values.items()})
    plain = pattern.replace("**", "").format(**{name: str(value) for name, value in values.items()})
    return markdown_text, plain


def markdown(*lines: str | tuple[str, str], bullets: bool = False) -> Markdown:
    """Findings as Markdown: each line a paragraph (or, with ``bullets``, a list item).

    A line is either a pattern already filled by :func:`sentence` (a ``(markdown, plain)`` pair)
    or plain text, which is escaped whole.
    """
    marked, plain = [], []
    for line in lines:
        if isinstance(line, tuple):
            marked.append(line[0])
            plain.append(line[1])
        else:
            marked.append(escape(line))
            plain.append(str(line))
    joiner = "\n" if bullets else "\n\n"
    prefix = "- " if bullets else ""
    return Markdown(joiner.join(prefix + text for text in marked), "\n".join(prefix + text for text in plain))


def findings(items: Iterable[tuple[str, dict[str, Any]]], bullets: bool = True) -> Markdown:
    """Several :func:`sentence` patterns at once: ``[(pattern, values), ...]``."""
    return markdown(*(sentence(pattern, **values) for pattern, values in items), bullets=bullets)


def link(label: Any, url: str) -> str:
    """A Markdown link with ``label`` escaped; only ``http``/``https`` addresses become links
    (anything else is returned as escaped text)."""
    from .tables import is_web_address

    if not is_web_address(url):
        return escape(label)
    target = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    return f"[{escape(label)}]({target})"


#: A parenthesis that names a file a reader of the report cannot open, or a filter in code syntax.
_PATH_ASIDE = re.compile(r"\s*\((?:see )?[^()]*(?:[\w.-]+/[\w./-]*\.(?:md|csv|json|py)|\bshared/data\b|==)[^()]*\)")


def reader_text(text: object) -> str:
    """Manifest or ledger text as a reader sees it: asides naming files outside the report (``(see
    shared/data/claims/README.md)``) or filters in code syntax (``(State == US)``) left out, ISO dates in
    words."""
    return humanize_dates(_PATH_ASIDE.sub("", str(text))).strip()


def sources(names: Iterable[str], paths=None) -> Markdown:
    """The sources of a notebook as Markdown, one line per raw file: what it is, who publishes it,
    its release, when it was retrieved, its rows and its addresses (checksums are on the method page)."""
    from . import manifest
    from .tables import link_label

    marked, plain = [], []
    for name in names:
        item = manifest.entry(name, paths)
        released = release(item["source_release"]) if item.get("source_release") else "release not recorded"
        addresses = [url for url in item.get("source_urls") or []]
        labels = [link_label(url) for url in addresses]
        if len(set(labels)) < len(labels):  # several addresses on one site: name the page too
            labels = [
                f"{label}/…/{url.split('?')[0].rstrip('/').rsplit('/', 1)[-1]}"
                for label, url in zip(labels, addresses, strict=True)
            ]
        where = (
            ", ".join(link(label, url) for label, url in zip(labels, addresses, strict=True))
            or "each row cites the page it was read on"
        )
        retrieved = release(item["retrieved"]) if item.get("retrieved") else "date not recorded"
        title, publisher = reader_text(item.get("title", name)), reader_text(item.get("publisher", ""))
        marked.append(
            f"- **{escape(title)}**. {escape(publisher)}; release of "
            f"{escape(released)}, retrieved {escape(retrieved)}; {escape(number(item['rows']))} rows; {where}."
        )
        plain.append(
            f"- {title}. {publisher}; release of {released}, retrieved "
            f"{retrieved}; {number(item['rows'])} rows; {', '.join(addresses) or 'each row cites its page'}."
        )
    return Markdown("\n".join(marked), "\n".join(plain))
