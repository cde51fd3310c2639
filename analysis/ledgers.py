"""The compiled ledgers (strikes, tallies, claims, context facts, land operations): load, validate, type.

Each file is read with :mod:`csv` (quoted fields may hold commas and newlines), every field is
checked against an explicit rule, and only a file with no problem at all becomes a DataFrame.
A file with problems raises :class:`LedgerError`; its message lists every problem found, each
naming the file, the CSV line (header = line 1; a record that spans several lines is named by
its first line), the field and the offending value. Nothing is dropped, filled or coerced:
a blank optional number stays ``<NA>`` (never 0), a blank text stays missing.

Column meanings are in ``shared/data/strikes/README.md`` and ``shared/data/claims/README.md``.

Types of the returned frames
----------------------------
- ids, enumerations and free text: pandas ``str`` (missing = NaN).
- full ISO dates (strikes ``date``/``announced_date``, tallies ``as_of``): ``datetime64``.
- counts (vessels, killed, survivors, strikes): nullable ``Int64``; blank -> ``<NA>``.
- claims ``value_low``/``value_high``: nullable ``Float64``. Every value in the current file is a
  whole number, but nothing in the README restricts a claimed figure to whole numbers (rates and
  percentages such as "86.9 a day" occur in unit texts), so a decimal figure is accepted as
  written rather than rejected or rounded. Values up to 2**53 are exact in a float.
- claims ``date`` stays the text as written (``YYYY-MM-DD``, ``YYYY-MM`` or missing); the derived
  ``date_precision`` ("day" / "month" / "none") and ``date_value`` (the day, or the first of the
  month; NaT when blank) make it usable without pretending a month is a day.
- ``originator`` (whose reporting or statement the page carries; free text, required) and
  ``source_kind`` (what kind of page was read; one of :data:`SOURCE_KINDS`, required) on every
  ledger since release 2026-12.
- land operations ``date``: ``datetime64``, NaT where no page gives the date; ``killed``:
  ``Int64`` as the cited page gives it, ``<NA>`` where it gives none.
- context facts ``figure``: ``Float64``, ``<NA>`` for a fact with no number (its unit then
  begins with ``(no figure)``).
- claims ``kind`` ("claim" for ``Cnnn``, "counter_figure" for ``CFnn``), ``unit_base``,
  ``unit_qualifier`` and ``quantified`` are derived from ``claim_id`` and ``unit`` (see
  :func:`split_unit`).

Loading through the manifest
----------------------------
:func:`load` (and :func:`load_strikes_verified` etc.) resolve ``data/raw/<file>`` through
:func:`analysis.manifest.verified_path`, so a file that no longer matches its recorded sha256
is refused before it is parsed.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from . import bounds, manifest
from .paths import Paths

# --------------------------------------------------------------------------------------------
# Vocabularies (from the READMEs; a new value must be added here deliberately)
# --------------------------------------------------------------------------------------------

STRIKES_COLUMNS = (
    "strike_id",
    "date",
    "announced_date",
    "theater",
    "vessels",
    "killed",
    "survivors",
    "survivors_not_found",
    "announced_by",
    "notes",
    "source_url",
    "originator",
    "source_kind",
)
TALLIES_COLUMNS = (
    "as_of",
    "strikes",
    "killed",
    "survivors",
    "publisher",
    "source_url",
    "originator",
    "source_kind",
    "notes",
)
CLAIMS_COLUMNS = (
    "claim_id",
    "date",
    "speaker",
    "role",
    "venue",
    "topic",
    "quote",
    "value_low",
    "value_high",
    "unit",
    "period",
    "source_url",
    "originator",
    "source_kind",
    "checked_against",
)
CONTEXT_FACTS_COLUMNS = (
    "fact_id",
    "topic",
    "figure",
    "unit",
    "period",
    "source_url",
    "originator",
    "quote",
    "source_kind",
)
LAND_OPERATIONS_COLUMNS = (
    "operation_id",
    "date",
    "country",
    "place",
    "target",
    "killed",
    "us_role",
    "announced_by",
    "source_url",
    "quote",
    "originator",
    "source_kind",
)

#: What kind of page a row was read on (shared/data/claims/README.md, release 2026-12; all ledgers).
SOURCE_KINDS = (
    "primary",
    "transcript",
    "wire",
    "national",
    "factcheck",
    "tracker",
    "regional",
    "copy",
    "aggregator",
    "state_media",
    "blog",
    "forum",
    "headline_only",
)

THEATERS = ("Caribbean", "Eastern Pacific", "Unknown")
ANNOUNCERS = ("Trump", "Hegseth", "SOUTHCOM")
TOPICS = (
    "overdose_deaths_per_year",
    "lives_saved_per_boat",
    "lives_saved_total",
    "seaborne_flow_reduction_pct",
    "strike_count",
    "strike_deaths",
    "other",
)

#: Base units of ``claims.csv``: the ``unit`` text before its parenthesised qualifier. The README
#: lists examples; this is the full set found in the file (2026-05 compilation). Each names what
#: the number counts, so two claims are comparable only when their base units are equal.
CLAIM_BASE_UNITS = (
    "comparison",
    "deaths",
    "deaths_per_12_months",
    "deaths_per_day",
    "deaths_per_year",
    "lives",
    "lives_per_boat",
    "people",
    "percent_drop_in_pounds_seized",
    "percent_fall_in_daily_homicide_average",
    "percent_of_Colombian_drug_output_via_Venezuela",
    "percent_of_cargo_lost_to_interdiction",
    "percent_of_year_earlier_level_remaining",
    "percent_reduction",
    "percent_reduction_in_daily_homicides",
    "percent_reduction_in_drug_vessel_movement",
    "percent_reduction_in_fentanyl_flow_across_the_border",
    "strikes",
    "vessels destroyed",
)

#: Qualifiers that mark a claim with no number (values must then be blank).
UNQUANTIFIED_PREFIX = "unquantified"
NO_NUMBER_QUALIFIER = "no number"

COUNTER_FIGURE_ROLE_PREFIX = "Counter-figure:"

STRIKE_ID = re.compile(r"S[0-9]{3}")
CLAIM_ID = re.compile(r"C[0-9]{3}")
COUNTER_FIGURE_ID = re.compile(r"CF[0-9]{2}")
FACT_ID = re.compile(r"F[0-9]{2}")
OPERATION_ID = re.compile(r"L[0-9]{2}")
_SNAKE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
#: A context fact with no number says so at the start of its unit.
NO_FIGURE_PREFIX = "(no figure)"
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")

#: Ledger name -> file name in data/raw/.
LEDGER_FILES = {
    "strikes": "strikes.csv",
    "tallies": "tallies.csv",
    "claims": "claims.csv",
    "context_facts": "context_facts.csv",
    "land_operations": "land_operations.csv",
}


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One rule broken by one field (or one row, or the header) of a ledger file."""

    file: str
    line: int
    field: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = f"{self.file}: line {self.line}"
        if self.field is not None:
            where += f", field {self.field!r}"
        if self.value is not None:
            where += f", value {self.value!r}"
        return f"{where}: {self.rule}"


class LedgerError(ValueError):
    """A ledger file breaks one or more rules. ``problems`` holds each one; the message lists them."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            message = str(self.problems[0])
        else:
            message = f"{self.problems[0].file}: {len(self.problems)} problems\n" + "\n".join(
                f"  {problem}" for problem in self.problems
            )
        super().__init__(message)


# --------------------------------------------------------------------------------------------
# Field parsers: text -> (value, None) or (None, rule broken)
# --------------------------------------------------------------------------------------------

Parsed = tuple[object, str | None]


def _parse_day(text: str) -> Parsed:
    if not _ISO_DAY.fullmatch(text):
        return None, "not a date in YYYY-MM-DD form"
    try:
        return _dt.date.fromisoformat(text), None
    except ValueError:
        return None, "not a valid calendar date"


def _parse_claim_date(text: str) -> Parsed:
    """YYYY-MM-DD or YYYY-MM (blank is handled by the caller)."""
    if _ISO_MONTH.fullmatch(text):
        year, month = int(text[:4]), int(text[5:])
        if not 1 <= month <= 12:
            return None, "not a valid month (YYYY-MM with month 01-12)"
        return _dt.date(year, month, 1), None
    if _ISO_DAY.fullmatch(text):
        return _parse_day(text)
    return None, "not a date in YYYY-MM-DD or YYYY-MM form"


def _parse_whole(text: str) -> Parsed:
    if not _WHOLE.fullmatch(text):
        return None, "not a whole non-negative number (digits only, no sign, separator or decimals)"
    return int(text), None


def _parse_decimal(text: str) -> Parsed:
    if not _DECIMAL.fullmatch(text):
        return None, "not a non-negative number (digits with an optional decimal part, no separators)"
    return float(text), None


def _parse_url(text: str) -> Parsed:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
        return None, "not an http(s) URL"
    return text, None


def _parse_text(text: str) -> Parsed:
    return text, None


def _parse_snake(text: str) -> Parsed:
    if not _SNAKE.fullmatch(text):
        return None, "not a lower-case snake_case name (letters, digits, single underscores)"
    return text, None


def _enum(allowed: tuple[str, ...]) -> Callable[[str], Parsed]:
    def parse(text: str) -> Parsed:
        if text not in allowed:
            return None, f"not one of {', '.join(allowed)}"
        return text, None

    return parse


def _pattern(*patterns: re.Pattern[str], label: str) -> Callable[[str], Parsed]:
    def parse(text: str) -> Parsed:
        if not any(pattern.fullmatch(text) for pattern in patterns):
            return None, f"not an id of the form {label}"
        return text, None

    return parse


@dataclass(frozen=True)
class Column:
    """How one column is read: parser, whether a blank is allowed, and the pandas dtype."""

    name: str
    parse: Callable[[str], Parsed]
    required: bool
    dtype: str  # "str", "date", "Int64", "Float64", "claim_date"


@dataclass(frozen=True)
class Schema:
    ledger: str
    columns: tuple[Column, ...]
    id_column: str | None
    row_rules: tuple[Callable[[dict, Callable[[str, str, str], None]], None], ...] = ()
    #: Rules over the whole file: (file name, parsed rows) -> problems.
    file_rules: tuple[Callable[[str, list], list[Problem]], ...] = ()

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def split_unit(unit: str) -> tuple[str, str | None]:
    """Split a claims ``unit`` into (base unit, qualifier).

    The base is the text before the first ``" ("``; the qualifier is the text of that first
    parenthesised group, followed by anything written after it. Examples:
    ``"deaths_per_year (unquantified: 'tens of thousands')"`` -> ``("deaths_per_year",
    "unquantified: 'tens of thousands'")``; ``"deaths (cumulative); vessels >=40"`` ->
    ``("deaths", "cumulative; vessels >=40")``; ``"lives_per_boat"`` -> ``("lives_per_boat", None)``.
    Raises ValueError when a parenthesis opened after the base is never closed.
    """
    base, sep, rest = unit.partition(" (")
    if not sep:
        return unit, None
    depth = 1
    for index, char in enumerate(rest):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return base, rest[:index] + rest[index + 1 :]
    raise ValueError("unbalanced parenthesis in unit")


def is_quantified(qualifier: str | None) -> bool:
    """False when the unit's qualifier marks a claim with no number.

    Rule: the qualifier begins with ``"unquantified"`` (``"unquantified: 'tens of thousands'"``,
    ``"unquantified, cumulative"``) or is exactly ``"no number"``. Everything else is quantified.
    """
    if qualifier is None:
        return True
    return not (qualifier.startswith(UNQUANTIFIED_PREFIX) or qualifier == NO_NUMBER_QUALIFIER)


def _parse_claim_unit(text: str) -> Parsed:
    try:
        base, _ = split_unit(text)
    except ValueError as exc:
        return None, str(exc)
    if base not in CLAIM_BASE_UNITS:
        return None, f"base unit {base!r} is not one of {', '.join(CLAIM_BASE_UNITS)}"
    return text, None


# --------------------------------------------------------------------------------------------
# Cross-field rules. Each gets the parsed row (name -> value, None when blank or invalid) and a
# report(field, value_text, rule) callback. Rules skip fields that already failed their parse.
# --------------------------------------------------------------------------------------------


def _strike_dates_in_order(row: dict, report) -> None:
    date, announced = row["date"], row["announced_date"]
    if date is not None and announced is not None and announced < date:
        report("announced_date", row.text["announced_date"], f"is before the strike date {date.isoformat()}")


def _strike_has_a_vessel(row: dict, report) -> None:
    if row["vessels"] is not None and row["vessels"] < 1:
        report("vessels", row.text["vessels"], "a strike row must hit at least 1 vessel")


def _strike_survivor_counts(row: dict, report) -> None:
    survivors, not_found = row["survivors"], row["survivors_not_found"]
    text = row.text
    if text["survivors"] == "" and text["survivors_not_found"] != "":
        report(
            "survivors_not_found",
            text["survivors_not_found"],
            "is given but survivors is blank (never-found survivors are counted among survivors)",
        )
    if survivors is not None and not_found is not None and not_found > survivors:
        report("survivors_not_found", text["survivors_not_found"], f"exceeds survivors ({survivors})")


def _claim_kind_matches_role(row: dict, report) -> None:
    claim_id, role = row["claim_id"], row["role"]
    if claim_id is None or role is None:
        return
    counter = COUNTER_FIGURE_ID.fullmatch(claim_id) is not None
    if counter != role.startswith(COUNTER_FIGURE_ROLE_PREFIX):
        expected = "begin" if counter else "not begin"
        report("role", role, f"must {expected} with {COUNTER_FIGURE_ROLE_PREFIX!r} for id {claim_id}")


def _claim_values(row: dict, report) -> None:
    unit = row["unit"]
    text = row.text
    low, high = row["value_low"], row["value_high"]
    if unit is not None:
        quantified = is_quantified(split_unit(unit)[1])
        for name in ("value_low", "value_high"):
            if quantified and text[name] == "":
                report(name, text[name], f"is blank but the unit {unit!r} is quantified")
            if not quantified and text[name] != "":
                report(name, text[name], f"must be blank: the unit {unit!r} is unquantified")
    if low is not None and high is not None and low > high:
        report("value_high", text["value_high"], f"is below value_low ({text['value_low']})")


def _fact_figure_matches_unit(row: dict, report) -> None:
    unit, text = row["unit"], row.text
    if unit is None:
        return
    no_figure = unit.startswith(NO_FIGURE_PREFIX)
    if no_figure and text["figure"] != "":
        report("figure", text["figure"], f"must be blank: the unit begins with {NO_FIGURE_PREFIX!r}")
    if not no_figure and text["figure"] == "":
        report("figure", text["figure"], f"is blank but the unit does not begin with {NO_FIGURE_PREFIX!r}")


def _strikes_out_of_date_order(file: str, rows: list) -> list[Problem]:
    """Strike ids run in date order (README): a row dated before the previous row is refused."""
    problems = []
    previous = None
    for row in rows:
        date = row["date"]
        if date is None:
            continue
        if previous is not None and date < previous["date"]:
            problems.append(
                Problem(
                    file,
                    row.line,
                    "date",
                    row.text["date"],
                    f"is before the date of the previous row {previous.text['strike_id']} "
                    f"({previous.text['date']}); strike ids run in date order",
                )
            )
        previous = row
    return problems


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------

STRIKES = Schema(
    ledger="strikes",
    columns=(
        Column("strike_id", _pattern(STRIKE_ID, label="Snnn"), True, "str"),
        Column("date", _parse_day, True, "date"),
        Column("announced_date", _parse_day, True, "date"),
        Column("theater", _enum(THEATERS), True, "str"),
        Column("vessels", _parse_whole, True, "Int64"),
        Column("killed", _parse_whole, True, "Int64"),
        Column("survivors", _parse_whole, False, "Int64"),
        Column("survivors_not_found", _parse_whole, False, "Int64"),
        Column("announced_by", _enum(ANNOUNCERS), True, "str"),
        Column("notes", _parse_text, True, "str"),
        Column("source_url", _parse_url, True, "str"),
        Column("originator", _parse_text, True, "str"),
        Column("source_kind", _enum(SOURCE_KINDS), True, "str"),
    ),
    id_column="strike_id",
    row_rules=(_strike_dates_in_order, _strike_has_a_vessel, _strike_survivor_counts),
    file_rules=(_strikes_out_of_date_order,),
)

TALLIES = Schema(
    ledger="tallies",
    columns=(
        Column("as_of", _parse_day, True, "date"),
        Column("strikes", _parse_whole, False, "Int64"),
        Column("killed", _parse_whole, True, "Int64"),
        Column("survivors", _parse_whole, False, "Int64"),
        Column("publisher", _parse_text, True, "str"),
        Column("source_url", _parse_url, True, "str"),
        Column("originator", _parse_text, True, "str"),
        Column("source_kind", _enum(SOURCE_KINDS), True, "str"),
        Column("notes", _parse_text, False, "str"),
    ),
    id_column=None,
)

CLAIMS = Schema(
    ledger="claims",
    columns=(
        Column("claim_id", _pattern(CLAIM_ID, COUNTER_FIGURE_ID, label="Cnnn or CFnn"), True, "str"),
        Column("date", _parse_claim_date, False, "claim_date"),
        Column("speaker", _parse_text, True, "str"),
        Column("role", _parse_text, True, "str"),
        Column("venue", _parse_text, True, "str"),
        Column("topic", _enum(TOPICS), True, "str"),
        Column("quote", _parse_text, True, "str"),
        Column("value_low", _parse_decimal, False, "Float64"),
        Column("value_high", _parse_decimal, False, "Float64"),
        Column("unit", _parse_claim_unit, True, "str"),
        Column("period", _parse_text, False, "str"),
        Column("source_url", _parse_url, True, "str"),
        Column("originator", _parse_text, True, "str"),
        Column("source_kind", _enum(SOURCE_KINDS), True, "str"),
        Column("checked_against", _parse_text, False, "str"),
    ),
    id_column="claim_id",
    row_rules=(_claim_kind_matches_role, _claim_values),
)

CONTEXT_FACTS = Schema(
    ledger="context_facts",
    columns=(
        Column("fact_id", _pattern(FACT_ID, label="Fnn"), True, "str"),
        Column("topic", _parse_snake, True, "str"),
        Column("figure", _parse_decimal, False, "Float64"),
        Column("unit", _parse_text, True, "str"),
        Column("period", _parse_text, True, "str"),
        Column("source_url", _parse_url, True, "str"),
        Column("originator", _parse_text, True, "str"),
        Column("quote", _parse_text, True, "str"),
        Column("source_kind", _enum(SOURCE_KINDS), True, "str"),
    ),
    id_column="fact_id",
    row_rules=(_fact_figure_matches_unit,),
)

LAND_OPERATIONS = Schema(
    ledger="land_operations",
    columns=(
        Column("operation_id", _pattern(OPERATION_ID, label="Lnn"), True, "str"),
        Column("date", _parse_day, False, "date"),
        Column("country", _parse_text, True, "str"),
        Column("place", _parse_text, True, "str"),
        Column("target", _parse_text, True, "str"),
        Column("killed", _parse_whole, False, "Int64"),
        Column("us_role", _parse_text, True, "str"),
        Column("announced_by", _parse_text, True, "str"),
        Column("source_url", _parse_url, True, "str"),
        Column("quote", _parse_text, True, "str"),
        Column("originator", _parse_text, True, "str"),
        Column("source_kind", _enum(SOURCE_KINDS), True, "str"),
    ),
    id_column="operation_id",
)

SCHEMAS = {
    "strikes": STRIKES,
    "tallies": TALLIES,
    "claims": CLAIMS,
    "context_facts": CONTEXT_FACTS,
    "land_operations": LAND_OPERATIONS,
}


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


class _Row(dict):
    """Parsed values by column name, plus ``text`` (the raw strings) and ``line``."""

    text: dict[str, str]
    line: int


def _read_records(path: Path) -> list[tuple[int, list[str]]]:
    """(first line number, fields) of every CSV record; the header is record 0 at line 1."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise LedgerError(
            [Problem(str(path), line, None, None, f"not UTF-8 text (byte {data[exc.start]:#04x})")]
        ) from None
    records = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next_line = 1
    try:
        for fields in reader:
            records.append((next_line, fields))
            next_line = reader.line_num + 1
    except csv.Error as exc:
        raise LedgerError([Problem(str(path), reader.line_num, None, None, f"malformed CSV ({exc})")]) from None
    return records


def _check_header(schema: Schema, file: str, header: list[str] | None) -> None:
    if header is None:
        raise LedgerError([Problem(file, 1, None, None, "file is empty (no header)")])
    expected = list(schema.header)
    if header == expected:
        return
    problems = []
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if missing:
        problems.append(Problem(file, 1, None, None, f"header lacks column(s) {', '.join(missing)}"))
    if unknown:
        problems.append(Problem(file, 1, None, None, f"header has unknown column(s) {', '.join(unknown)}"))
    if duplicated:
        problems.append(Problem(file, 1, None, None, f"header repeats column(s) {', '.join(duplicated)}"))
    if not problems:
        problems.append(Problem(file, 1, None, None, f"header columns out of order; expected {','.join(expected)}"))
    raise LedgerError(problems)


def _validate(schema: Schema, path: Path, not_after: _dt.date | None = None) -> list[_Row]:
    file = str(path)
    not_after = not_after or _dt.datetime.now(_dt.UTC).date()
    records = _read_records(path)
    _check_header(schema, file, records[0][1] if records else None)
    if len(records) == 1:
        raise LedgerError([Problem(file, 2, None, None, "no rows after the header (a ledger holds at least one)")])
    problems: list[Problem] = []
    rows: list[_Row] = []
    seen_ids: dict[str, int] = {}
    width = len(schema.columns)
    for line, fields in records[1:]:
        if not fields:
            problems.append(Problem(file, line, None, None, "empty line (no record)"))
            continue
        if len(fields) != width:
            problems.append(Problem(file, line, None, None, f"has {len(fields)} fields, the header has {width}"))
            continue
        row = _Row()
        row.text = dict(zip(schema.header, fields, strict=True))
        row.line = line

        def report(field: str, value: str, rule: str, _line: int = line) -> None:
            problems.append(Problem(file, _line, field, value, rule))

        for column, text in zip(schema.columns, fields, strict=True):
            row[column.name] = None
            if text != text.strip():
                report(column.name, text, "has leading or trailing whitespace")
                continue
            if text == "":
                if column.required:
                    report(column.name, text, "is blank but required")
                continue
            value, rule = column.parse(text)
            if rule is None:  # plausible bounds: count ceilings, dates not after the file's release
                rule = bounds.ledger_value_rule(schema.ledger, column.name, value, not_after)
            if rule is not None:
                report(column.name, text, rule)
                continue
            row[column.name] = value
        if schema.id_column is not None and row[schema.id_column] is not None:
            ident = row[schema.id_column]
            if ident in seen_ids:
                report(schema.id_column, ident, f"duplicate id (first on line {seen_ids[ident]})")
            else:
                seen_ids[ident] = line
        for rule in schema.row_rules:
            rule(row, report)
        rows.append(row)
    for file_rule in schema.file_rules:
        problems.extend(file_rule(file, rows))
    if problems:
        raise LedgerError(problems)
    return rows


def _frame(schema: Schema, rows: list[_Row]) -> pd.DataFrame:
    data = {}
    for column in schema.columns:
        values = [row[column.name] for row in rows]
        if column.dtype == "date":
            data[column.name] = pd.to_datetime(
                pd.Series([None if v is None else v.isoformat() for v in values], dtype="str"),
                format="%Y-%m-%d",
            )
        elif column.dtype in ("Int64", "Float64"):
            data[column.name] = pd.array(values, dtype=column.dtype)
        elif column.dtype == "claim_date":
            texts = [row.text[column.name] or None for row in rows]
            data[column.name] = pd.Series(texts, dtype="str")
        else:
            data[column.name] = pd.Series(values, dtype="str")
    return pd.DataFrame(data)


def _read(schema: Schema, path: str | os.PathLike, not_after: _dt.date | None = None) -> pd.DataFrame:
    path = Path(path)
    rows = _validate(schema, path, not_after)
    frame = _frame(schema, rows)
    # Where each row came from, so later errors about a row can name its file and line.
    frame.attrs["file"] = str(path)
    frame.attrs["lines"] = [row.line for row in rows]
    return frame


def line_of(frame: pd.DataFrame, column: str, value: object) -> str:
    """``"<file>, line N"`` of the ledger row whose ``column`` is ``value`` (from the loader's
    record in ``frame.attrs``), or the file alone / ``""`` when that is not known."""
    file = frame.attrs.get("file")
    lines = frame.attrs.get("lines")
    if not file:
        return ""
    if lines is not None and column in frame.columns and len(lines) == len(frame):
        matches = [line for line, cell in zip(lines, frame[column], strict=True) if cell == value]
        if matches:
            return f"{file}, line {matches[0]}"
    return str(file)


# --------------------------------------------------------------------------------------------
# Public loaders
# --------------------------------------------------------------------------------------------


def load_strikes(path: str | os.PathLike, *, not_after: _dt.date | None = None) -> pd.DataFrame:
    """Validated, typed strike ledger (one row per announced strike event) from ``path``.

    ``not_after``: no date may be later (default: today; :func:`load` passes the file's release
    or retrieval date). The same holds for every loader here.
    """
    return _read(STRIKES, path, not_after)


def load_tallies(path: str | os.PathLike, *, not_after: _dt.date | None = None) -> pd.DataFrame:
    """Validated, typed published tallies (as published; blank counts stay ``<NA>``) from ``path``."""
    return _read(TALLIES, path, not_after)


def load_claims(path: str | os.PathLike, *, not_after: _dt.date | None = None) -> pd.DataFrame:
    """Validated, typed claims ledger from ``path``, with the derived columns.

    Derived: ``kind`` ("claim" / "counter_figure"), ``date_precision`` ("day" / "month" /
    "none"), ``date_value`` (Timestamp of the day or the first of the month; NaT when blank),
    ``unit_base``, ``unit_qualifier`` (missing when the unit has none) and ``quantified``.
    """
    frame = _read(CLAIMS, path, not_after)
    frame["kind"] = pd.Series(
        ["counter_figure" if i.startswith("CF") else "claim" for i in frame["claim_id"]], dtype="str"
    )
    precision = []
    first_day = []
    for text in frame["date"]:
        if pd.isna(text):
            precision.append("none")
            first_day.append(None)
        elif len(text) == 7:
            precision.append("month")
            first_day.append(text + "-01")
        else:
            precision.append("day")
            first_day.append(text)
    frame["date_precision"] = pd.Series(precision, dtype="str")
    frame["date_value"] = pd.to_datetime(pd.Series(first_day, dtype="str"), format="%Y-%m-%d")
    split = [split_unit(unit) for unit in frame["unit"]]
    frame["unit_base"] = pd.Series([base for base, _ in split], dtype="str")
    frame["unit_qualifier"] = pd.Series([qualifier for _, qualifier in split], dtype="str")
    frame["quantified"] = pd.Series([is_quantified(q) for _, q in split], dtype="bool")
    return frame


def load_context_facts(path: str | os.PathLike, *, not_after: _dt.date | None = None) -> pd.DataFrame:
    """Validated, typed context facts (what moves by sea and by land) from ``path``."""
    return _read(CONTEXT_FACTS, path, not_after)


def load_land_operations(path: str | os.PathLike, *, not_after: _dt.date | None = None) -> pd.DataFrame:
    """Validated, typed land operations (U.S. strikes or U.S.-supported operations on land) from ``path``.

    ``date`` is NaT where no page gives it; ``killed`` is the cited page's figure or ``<NA>``.
    """
    return _read(LAND_OPERATIONS, path, not_after)


_LOADERS = {
    "strikes": load_strikes,
    "tallies": load_tallies,
    "claims": load_claims,
    "context_facts": load_context_facts,
    "land_operations": load_land_operations,
}


def load(name: str, paths: Paths | None = None) -> pd.DataFrame:
    """Load ledger ``name`` (a key of :data:`LEDGER_FILES`) from data/raw after its checksum check."""
    if name not in LEDGER_FILES:
        raise ValueError(f"unknown ledger {name!r}; expected one of {', '.join(LEDGER_FILES)}")
    path = manifest.verified_path(LEDGER_FILES[name], paths)
    return _LOADERS[name](path, not_after=bounds.not_after(manifest.entry(LEDGER_FILES[name], paths)))


def load_strikes_verified(paths: Paths | None = None) -> pd.DataFrame:
    """:func:`load_strikes` of data/raw/strikes.csv, after its manifest checksum check."""
    return load("strikes", paths)


def load_tallies_verified(paths: Paths | None = None) -> pd.DataFrame:
    """:func:`load_tallies` of data/raw/tallies.csv, after its manifest checksum check."""
    return load("tallies", paths)


def load_claims_verified(paths: Paths | None = None) -> pd.DataFrame:
    """:func:`load_claims` of data/raw/claims.csv, after its manifest checksum check."""
    return load("claims", paths)


def load_context_facts_verified(paths: Paths | None = None) -> pd.DataFrame:
    """:func:`load_context_facts` of data/raw/context_facts.csv, after its manifest checksum check."""
    return load("context_facts", paths)


def load_land_operations_verified(paths: Paths | None = None) -> pd.DataFrame:
    """:func:`load_land_operations` of data/raw/land_operations.csv, after its manifest checksum check."""
    return load("land_operations", paths)
