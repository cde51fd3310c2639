"""What a new release changed: the old and new ``data/processed/`` compared file by file, as a summary.

``python -m analysis refresh`` reads every processed CSV before the rebuild and again after it, and
prints (and writes, for the pull request's description) the summary made here. Nothing in it is
specific to one file's columns: every CSV of the folder is compared cell by cell, so a column added
later (a ``verdict`` column in ``claims_vs_cdc.csv``, say) is summarised like the others.

How rows are matched: by the key in :data:`KEYS` for the files the project writes today; for any
other file (or when that key is missing or not unique) by the shortest run of leading columns
that is unique in both versions; failing that, rows are compared whole (added and removed only).
Values are compared as the CSV text :func:`analysis.build.to_csv_text` writes, so a change is a
change of what the file says, never a float rounding artefact.

Which changes are called out: columns whose name contains ``verdict`` (:data:`VERDICT_MARK`) are
gathered at the top, from every file; the CDC release (source release, latest period, rows) comes
from the manifest entries before and after; the headline CDC numbers are the latest period's
values of :data:`HEADLINE_INDICATORS` in ``cdc_national.csv``. Then each changed file: rows added,
removed and changed, columns added and removed, changed cells by column, and the first changes.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Row keys of the processed files written today (see ``data/README.md``). Checked for
#: uniqueness before use; a file not listed gets an inferred key.
KEYS: dict[str, tuple[str, ...]] = {
    "cdc_national.csv": ("jurisdiction", "period_end", "indicator"),
    "cdc_calendar_years.csv": ("year", "indicator"),
    "cdc_revisions.csv": ("period_end", "indicator", "measure"),
    "claims_vs_cdc.csv": ("claim_id",),
    "strikes_cumulative.csv": ("date",),
    "tallies_reconciled.csv": ("as_of", "publisher"),
}

#: Files shown first, in this order (the rest follow alphabetically).
ORDER = ("claims_vs_cdc.csv", "cdc_calendar_years.csv", "cdc_national.csv")

#: A column whose name contains this (case-insensitive) holds a verdict: its changes lead the summary.
VERDICT_MARK = "verdict"

#: The headline CDC numbers: the latest period's value of these indicators, before and after.
HEADLINE_FILE = "cdc_national.csv"
HEADLINE_INDICATORS = ("all_drugs", "synthetic_opioids")
HEADLINE_MEASURES = ("predicted", "reported")

#: Changed cells listed per file (the rest are counted).
MAX_LISTED = 25

#: Longer cell texts are shown only around where they differ.
EXCERPT_WIDTH = 60

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class ChangesError(ValueError):
    """A processed file cannot be read for the comparison (names the file and line)."""


# -- reading ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """One CSV file as text: its header and rows (lists of strings)."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def parse_csv(name: str, text: str) -> Table:
    """``text`` as a :class:`Table`; a row with the wrong number of fields is an error naming its line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = tuple(next(reader))
    except StopIteration:
        return Table(name, (), ())
    rows = []
    for row in reader:
        if len(row) != len(header):
            raise ChangesError(f"{name}, line {reader.line_num}: {len(row)} fields where the header has {len(header)}")
        rows.append(tuple(row))
    return Table(name, header, tuple(rows))


def read_folder(folder: Path) -> dict[str, str]:
    """``{file name: text}`` of every ``*.csv`` directly in ``folder`` (empty if it does not exist)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.csv"))}


# -- comparing -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CellChange:
    key: tuple[str, ...]
    column: str
    before: str
    after: str


@dataclass
class FileChanges:
    """How one processed file changed. ``key`` is ``()`` when rows were compared whole."""

    name: str
    key: tuple[str, ...]
    rows_before: int | None  # None: the file did not exist before
    rows_after: int | None  # None: the file no longer exists
    added: list[tuple[str, ...]] = field(default_factory=list)
    removed: list[tuple[str, ...]] = field(default_factory=list)
    changed_rows: int = 0
    cells: list[CellChange] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    #: Values of added columns (``{column: Counter(value -> rows)}``), for a summary line each.
    new_column_values: dict[str, Counter] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return (
            self.rows_before is not None
            and self.rows_after is not None
            and not (self.added or self.removed or self.cells or self.columns_added or self.columns_removed)
        )


def _unique(table: Table, columns: tuple[str, ...]) -> bool:
    if not columns or not set(columns) <= set(table.header):
        return False
    index = [table.header.index(c) for c in columns]
    keys = [tuple(row[i] for i in index) for row in table.rows]
    return len(set(keys)) == len(keys)


def choose_key(before: Table, after: Table) -> tuple[str, ...]:
    """The columns rows are matched by (see the module docstring); ``()``: compare rows whole."""
    tables = [t for t in (before, after) if t.header]
    known = KEYS.get(before.name or after.name)
    if known and all(_unique(t, known) for t in tables):
        return known
    common = [c for c in (tables[0].header if tables else ()) if all(c in t.header for t in tables)]
    for width in range(1, len(common) + 1):
        if all(_unique(t, tuple(common[:width])) for t in tables):
            return tuple(common[:width])
    return ()


def _by_key(table: Table, key: tuple[str, ...]) -> dict[tuple[str, ...], dict[str, str]]:
    index = [table.header.index(c) for c in key]
    return {tuple(row[i] for i in index): dict(zip(table.header, row, strict=True)) for row in table.rows}


def diff_tables(name: str, before_text: str | None, after_text: str | None) -> FileChanges:
    """Compare two versions of one CSV file (``None``: that version does not exist)."""
    before = parse_csv(name, before_text) if before_text is not None else Table(name, (), ())
    after = parse_csv(name, after_text) if after_text is not None else Table(name, (), ())
    result = FileChanges(
        name=name,
        key=(),
        rows_before=len(before.rows) if before_text is not None else None,
        rows_after=len(after.rows) if after_text is not None else None,
    )
    if before_text is None or after_text is None:
        return result
    result.columns_added = [c for c in after.header if c not in before.header]
    result.columns_removed = [c for c in before.header if c not in after.header]
    for column in result.columns_added:
        position = after.header.index(column)
        result.new_column_values[column] = Counter(row[position] for row in after.rows)
    key = choose_key(before, after)
    result.key = key
    if not key:  # no unique key: rows compared whole, as multisets
        old, new = Counter(before.rows), Counter(after.rows)
        result.added = sorted((new - old).elements())
        result.removed = sorted((old - new).elements())
        return result
    old_rows, new_rows = _by_key(before, key), _by_key(after, key)
    result.added = sorted(k for k in new_rows if k not in old_rows)
    result.removed = sorted(k for k in old_rows if k not in new_rows)
    shared = [c for c in after.header if c in before.header and c not in key]
    for row_key in sorted(k for k in new_rows if k in old_rows):
        old, new = old_rows[row_key], new_rows[row_key]
        cells = [CellChange(row_key, c, old[c], new[c]) for c in shared if old[c] != new[c]]
        if cells:
            result.changed_rows += 1
            result.cells.extend(cells)
    return result


def diff_folders(before: dict[str, str], after: dict[str, str]) -> list[FileChanges]:
    """Every file of either version compared, in :data:`ORDER` then alphabetically."""
    names = sorted(set(before) | set(after), key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    return [diff_tables(name, before.get(name), after.get(name)) for name in names]


# -- the headline CDC numbers ----------------------------------------------------------------------
def headline(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str, str]]:
    """``(what, before, after)`` for the latest period's :data:`HEADLINE_INDICATORS` values.

    Empty when ``cdc_national.csv`` is missing from either version or lacks the columns used.
    """
    rows = []
    latest = {}
    tables = {}
    for label, files in (("before", before), ("after", after)):
        if HEADLINE_FILE not in files:
            return []
        table = parse_csv(HEADLINE_FILE, files[HEADLINE_FILE])
        needed = {"period_end", "indicator", *HEADLINE_MEASURES}
        if not needed <= set(table.header):
            return []
        records = [dict(zip(table.header, row, strict=True)) for row in table.rows]
        national = [r for r in records if r.get("jurisdiction", "US") == "US"]
        if not national:
            return []
        tables[label] = national
        latest[label] = max(r["period_end"] for r in national)
    rows.append(("Latest period", period_text(latest["before"]), period_text(latest["after"])))
    for indicator in HEADLINE_INDICATORS:
        for measure in HEADLINE_MEASURES:
            values = []
            for label in ("before", "after"):
                match = [
                    r[measure]
                    for r in tables[label]
                    if r["indicator"] == indicator and r["period_end"] == latest[label]
                ]
                values.append(number_text(match[0]) if match else "(none)")
            rows.append((f"{indicator}, {measure}, latest period", values[0], values[1]))
    return rows


# -- text -----------------------------------------------------------------------------------------
def number_text(value: str) -> str:
    """A CSV value for the summary: integers with thousands separators, empty as ``(empty)``."""
    if value == "":
        return "(empty)"
    text = value.strip()
    digits = text[1:] if text.startswith("-") else text
    if digits.isdigit():
        return f"{int(text):,}"
    return value


def period_text(period: str | None) -> str:
    """``2025-04`` -> ``12 months ending Apr 2025``; anything else as it is."""
    if not period:
        return "(unknown)"
    parts = period.split("-")
    if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        return f"12 months ending {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return period


def date_text(value: Any) -> str:
    """``2025-10-15`` -> ``15 Oct 2025``, ``2025-09`` -> ``Sep 2025``; anything else as it is."""
    if value is None or value == "":
        return "(unknown)"
    text = str(value)
    parts = text[:10].split("-")
    if all(p.isdigit() for p in parts):
        if len(parts) == 3 and 1 <= int(parts[1]) <= 12:
            return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2 and 1 <= int(parts[1]) <= 12:
            return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return text


def _cell(text: str) -> str:
    return number_text(text).replace("|", "\\|").replace("\n", " ")


def excerpt_pair(before: str, after: str, width: int = EXCERPT_WIDTH) -> tuple[str, str]:
    """Long texts cut to where they differ: the differing middle with a little context each side."""
    if max(len(before), len(after)) <= width:
        return before, after
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    context = 15

    def cut(text: str) -> str:
        head = max(0, start - context)
        tail = min(len(text), len(text) - end + context)
        middle = text[head:tail]
        if len(middle) > width:
            middle = middle[: width - 1] + "…"
        return ("…" if head > 0 else "") + middle + ("…" if tail < len(text) else "")

    return cut(before), cut(after)


def _key_text(key: tuple[str, ...]) -> str:
    return ", ".join(key) if key else "(row)"


def _rows_text(changes: FileChanges) -> str:
    if changes.rows_before is None:
        return f"new file, {changes.rows_after:,} rows"
    if changes.rows_after is None:
        return f"removed (had {changes.rows_before:,} rows)"
    if changes.rows_before == changes.rows_after:
        return f"{changes.rows_after:,} rows"
    return f"{changes.rows_before:,} -> {changes.rows_after:,} rows"


def _is_verdict(column: str) -> bool:
    return VERDICT_MARK in column.lower()


def release_lines(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """The CDC release before and after, from the snapshot's manifest entries."""
    before, after = before or {}, after or {}

    def release(entry: dict[str, Any]) -> str:
        text = date_text(entry.get("source_release"))
        stamp = entry.get("rows_updated_at")
        return f"{text} (rowsUpdatedAt {stamp})" if stamp is not None else text

    def rows(entry: dict[str, Any]) -> str:
        return f"{entry['rows']:,}" if isinstance(entry.get("rows"), int) else "(unknown)"

    return [
        f"- CDC release: {release(before)} -> {release(after)}",
        f"- Latest period: {period_text(before.get('latest_period'))} -> {period_text(after.get('latest_period'))}",
        f"- Rows in the CDC snapshot: {rows(before)} -> {rows(after)}",
    ]


def verdict_lines(files: list[FileChanges]) -> list[str]:
    """Every change to a verdict column, from any file."""
    lines = []
    for changes in files:
        for cell in changes.cells:
            if _is_verdict(cell.column):
                lines.append(
                    f"- {changes.name}, {_key_text(cell.key)}: {cell.column} "
                    f"{_cell(cell.before)} -> {_cell(cell.after)}"
                )
        for column, values in changes.new_column_values.items():
            if _is_verdict(column):
                counts = ", ".join(f"{_cell(v)} ({n:,})" for v, n in sorted(values.items()))
                lines.append(f"- {changes.name}: new column {column}: {counts}")
        for column in changes.columns_removed:
            if _is_verdict(column):
                lines.append(f"- {changes.name}: column {column} removed")
    return lines


def file_lines(changes: FileChanges, max_listed: int = MAX_LISTED) -> list[str]:
    """The section of one changed file."""
    lines = [f"### {changes.name} ({_rows_text(changes)})", ""]
    if changes.rows_before is None or changes.rows_after is None:
        return lines
    facts = [
        f"{len(changes.added):,} rows added",
        f"{len(changes.removed):,} removed",
        f"{changes.changed_rows:,} changed",
    ]
    lines.append(
        f"- Rows matched by {', '.join(changes.key) if changes.key else 'their whole content'}: "
        + ", ".join(facts)
        + "."
    )
    if changes.columns_added:
        lines.append(f"- New columns: {', '.join(changes.columns_added)}.")
    if changes.columns_removed:
        lines.append(f"- Columns removed: {', '.join(changes.columns_removed)}.")
    if changes.cells:
        by_column = Counter(cell.column for cell in changes.cells)
        lines.append("- Changed cells by column: " + ", ".join(f"{c} {n:,}" for c, n in by_column.most_common()) + ".")
    for label, keys in (("Added", changes.added), ("Removed", changes.removed)):
        if keys:
            shown = "; ".join(_key_text(k) for k in keys[:max_listed])
            more = f"; and {len(keys) - max_listed:,} more" if len(keys) > max_listed else ""
            lines.append(f"- {label}: {shown}{more}.")
    if changes.cells:
        # Verdict columns first, then short values (numbers, codes), then long texts; each in file order.
        cells = sorted(
            changes.cells,
            key=lambda c: (not _is_verdict(c.column), max(len(c.before), len(c.after)) > EXCERPT_WIDTH),
        )
        lines += ["", f"| {', '.join(changes.key)} | column | before | after |", "|---|---|---|---|"]
        for cell in cells[:max_listed]:
            before, after = excerpt_pair(cell.before, cell.after)
            lines.append(f"| {_key_text(cell.key)} | {cell.column} | {_cell(before)} | {_cell(after)} |")
        if len(cells) > max_listed:
            lines += ["", f"... and {len(cells) - max_listed:,} more changed cells."]
    lines.append("")
    return lines


def summary(
    before_files: dict[str, str],
    after_files: dict[str, str],
    *,
    before_entry: dict[str, Any] | None,
    after_entry: dict[str, Any] | None,
    max_listed: int = MAX_LISTED,
) -> str:
    """The change summary as Markdown (printed by ``refresh``, and the pull request's description)."""
    files = diff_folders(before_files, after_files)
    out = ["## What the new CDC release changed", "", "### Release", ""]
    out += release_lines(before_entry, after_entry)
    top = headline(before_files, after_files)
    if top:
        out += ["", "### Headline CDC numbers", "", "| | before | after |", "|---|---|---|"]
        out += [f"| {what} | {old} | {new} |" for what, old, new in top]
    out += ["", "### Verdicts", ""]
    verdicts = verdict_lines(files)
    has_column = any(_is_verdict(c) for name, text in after_files.items() for c in parse_csv(name, text).header)
    if verdicts:
        out += verdicts
    elif has_column:
        out.append("- No verdict moved.")
    else:
        out.append(
            "- No processed file has a verdict column yet; changed claim ratios, if any, are under claims_vs_cdc.csv."
        )
    changed = [f for f in files if not f.unchanged]
    unchanged = [f.name for f in files if f.unchanged]
    out += ["", "### Processed files", ""]
    if not changed:
        out.append("No processed file changed.")
    if unchanged:
        out.append(f"Unchanged: {', '.join(unchanged)}.")
    out.append("")
    for changes in changed:
        out += file_lines(changes, max_listed)
    return "\n".join(out).rstrip() + "\n"
