"""CDC's VSRR Provisional Drug Overdose Death Counts (data.cdc.gov ``xkb8-kh2a``) as one tidy table.

Two schemas come in:

* the CSV **export** (``rows.csv?accessType=DOWNLOAD``): Title Case headers, counts written with
  thousands separators (``"106,881"``), empty fields where CDC leaves a value out, with or without a
  UTF-8 byte-order mark; older releases (2018) lack ``Footnote Symbol`` and ``Predicted Value``;
* the **resource API** (``/resource/xkb8-kh2a.json`` or a CSV written from it): snake_case field
  names, numbers as strings, empty values omitted.

Both become one table, one row per (jurisdiction, period_end, indicator), described in
:data:`TIDY_COLUMNS`. The dataset's rules are enforced by guards, not left to comments:

* values are 12 month-ending counts: a calendar year is the December value, never a sum of months
  (:func:`calendar_years`);
* drug classes overlap (one death can involve fentanyl and cocaine): :func:`sum_indicators` refuses;
* ``Number of Deaths`` counts deaths from all causes: :func:`deaths` refuses it unless asked;
* ``Percent with drugs specified`` is a percentage: it lives in ``reported_percent``, never in the
  count columns, and :func:`deaths` refuses it;
* suppressed or empty values stay missing (``<NA>``): nothing is filled, and :func:`check_tidy`
  verifies that no count appears where the source had none.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import bounds, manifest
from .paths import Paths, project_paths

DATASET_ID = "xkb8-kh2a"
RAW_FILE = "cdc_vsrr.csv"
PERIOD = "12 month-ending"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str  # "deaths" or "percent"
    kind: str  # "drug_class", "all_drugs", "all_cause" or "quality"


#: The 12 indicators of the dataset, keyed by CDC's label.
INDICATORS: dict[str, Indicator] = {
    item.label: item
    for item in (
        Indicator("all_drugs", "Number of Drug Overdose Deaths", "deaths", "all_drugs"),
        Indicator("all_cause_deaths", "Number of Deaths", "deaths", "all_cause"),
        Indicator("percent_with_drugs_specified", "Percent with drugs specified", "percent", "quality"),
        Indicator("opioids", "Opioids (T40.0-T40.4,T40.6)", "deaths", "drug_class"),
        Indicator(
            "natural_semisynthetic_synthetic_methadone",
            "Natural, semi-synthetic, & synthetic opioids, incl. methadone (T40.2-T40.4)",
            "deaths",
            "drug_class",
        ),
        Indicator(
            "natural_semisynthetic_methadone",
            "Natural & semi-synthetic opioids, incl. methadone (T40.2, T40.3)",
            "deaths",
            "drug_class",
        ),
        Indicator("natural_semisynthetic", "Natural & semi-synthetic opioids (T40.2)", "deaths", "drug_class"),
        Indicator("synthetic_opioids", "Synthetic opioids, excl. methadone (T40.4)", "deaths", "drug_class"),
        Indicator("methadone", "Methadone (T40.3)", "deaths", "drug_class"),
        Indicator("heroin", "Heroin (T40.1)", "deaths", "drug_class"),
        Indicator("cocaine", "Cocaine (T40.5)", "deaths", "drug_class"),
        Indicator("psychostimulants", "Psychostimulants with abuse potential (T43.6)", "deaths", "drug_class"),
    )
}
INDICATOR_BY_KEY: dict[str, Indicator] = {item.key: item for item in INDICATORS.values()}

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}

#: Export header -> API field name.
EXPORT_TO_API = {
    "State": "state",
    "Year": "year",
    "Month": "month",
    "Period": "period",
    "Indicator": "indicator",
    "Data Value": "data_value",
    "Percent Complete": "percent_complete",
    "Percent Pending Investigation": "percent_pending_investigation",
    "State Name": "state_name",
    "Footnote": "footnote",
    "Footnote Symbol": "footnote_symbol",
    "Predicted Value": "predicted_value",
}
API_FIELDS = tuple(EXPORT_TO_API.values())
#: Fields every release has; the others are optional (absent from the 2018 releases).
REQUIRED_FIELDS = (
    "state",
    "year",
    "month",
    "period",
    "indicator",
    "data_value",
    "percent_complete",
    "percent_pending_investigation",
)
OPTIONAL_FIELDS = ("state_name", "footnote", "footnote_symbol", "predicted_value")

TIDY_COLUMNS = [
    "jurisdiction",
    "period_end",
    "year",
    "month",
    "indicator",
    "indicator_label",
    "unit",
    "reported",
    "predicted",
    "reported_percent",
    "percent_complete",
    "percent_pending_investigation",
    "footnote_symbol",
    "footnote",
]
KEY_COLUMNS = ["jurisdiction", "period_end", "indicator"]


class CDCSchemaError(ValueError):
    """The input does not have the shape of the VSRR dataset; the message names where and what."""


class CDCRuleError(ValueError):
    """A request that would break one of the dataset's rules (overlapping classes, all-cause, percent)."""


# ---------------------------------------------------------------------------------------------
# Reading
#
# The reader is vectorised: pandas' C parser does the splitting and the thousands separators, and
# every rule is checked on whole columns. Only when a rule fails does it go back to find the line.

TEXT_FIELDS = ("state", "period", "indicator", "month", "state_name", "footnote", "footnote_symbol")
NUMERIC_FIELDS = ("year", "data_value", "percent_complete", "percent_pending_investigation", "predicted_value")
LABEL_TO_KEY = {label: item.key for label, item in INDICATORS.items()}
PERCENT_LABELS = [label for label, item in INDICATORS.items() if item.unit == "percent"]
ALL_CAUSE_LABELS = [label for label, item in INDICATORS.items() if item.kind == "all_cause"]
_NUMBER = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def read_cdc_csv(path: str | os.PathLike, *, source: str | None = None) -> pd.DataFrame:
    """Read a VSRR CSV in either schema (export or API field names) into the tidy table."""
    path = Path(path)
    source = source or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CDCSchemaError(f"{source}: file not found") from None
    return read_cdc_text(raw, source=source)


def read_cdc_text(data: bytes | str, *, source: str) -> pd.DataFrame:
    """Parse CSV bytes or text in either schema into the tidy table."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    head = raw[:4096]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut by the 4096-byte slice
            raise CDCSchemaError(_not_utf8(raw, source)) from None
    head_text = head.decode("utf-8", errors="replace")
    if _looks_like_html(head_text):
        raise CDCSchemaError(f"{source}: got an HTML page, not CSV data (first line: {_first_line(head_text)!r})")
    if not re.search(rb"\S", raw):
        raise CDCSchemaError(f"{source}: empty file, no header")
    newline = raw.find(b"\n")
    header_line = (raw if newline < 0 else raw[:newline]).decode("utf-8", errors="replace")
    header = next(csv.reader(io.StringIO(header_line.rstrip("\r"))))
    fields = _header_to_fields(header, source)
    if newline >= 0 and not raw.endswith((b"\n", b"\r")) and re.search(rb"\S", raw[newline + 1 :]):
        # A complete export always ends with a newline; a body cut off mid-row does not.
        last_line = raw.count(b"\n") + 1
        raise CDCSchemaError(f"{source}, line {last_line}: file does not end with a newline (cut off mid-row?)")
    try:
        frame = pd.read_csv(
            io.BytesIO(raw),
            encoding="utf-8",
            header=0,
            names=fields,
            dtype={field: "category" for field in TEXT_FIELDS if field in fields},
            thousands=",",
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
        )
    except pd.errors.EmptyDataError:
        raise CDCSchemaError(f"{source}: no data rows") from None
    except UnicodeDecodeError:
        raise CDCSchemaError(_not_utf8(raw, source)) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise CDCSchemaError(f"{source}: malformed CSV ({exc})") from None
    return _tidy_frame(frame, source=source, locate=lambda index: _csv_line(raw, index))


def tidy_from_records(records: Iterable[Mapping[str, object]], *, source: str) -> pd.DataFrame:
    """Tidy table from resource-API JSON records (snake_case keys, strings, empty fields omitted)."""
    records = list(records)
    for number, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            raise CDCSchemaError(f"{source}, record {number}: not a JSON object: {record!r:.80}")
        unknown = sorted(key for key in record if key not in API_FIELDS and not key.startswith(":"))
        if unknown:
            raise CDCSchemaError(
                f"{source}, record {number}: unknown field(s) {', '.join(unknown)}; "
                f"expected fields: {', '.join(API_FIELDS)}"
            )
    frame = pd.DataFrame.from_records(
        [{key: value for key, value in record.items() if key in API_FIELDS} for record in records],
        columns=list(API_FIELDS),
    )
    frame = frame.astype(object).where(frame.notna(), None)
    return _tidy_frame(frame, source=source, locate=lambda index: f"record {index + 1}")


def load_national(paths: Paths | None = None, jurisdiction: str = "US") -> pd.DataFrame:
    """The committed snapshot, checksum-verified against the manifest, for one jurisdiction."""
    paths = paths or project_paths()
    path = manifest.verified_path(RAW_FILE, paths)
    table = read_cdc_csv(path, source=f"data/raw/{RAW_FILE}")
    check_not_after(table, manifest.entry(RAW_FILE, paths), source=f"data/raw/{RAW_FILE}")
    table = table[table["jurisdiction"] == jurisdiction]
    if table.empty:
        raise CDCSchemaError(f"data/raw/{RAW_FILE}: no rows for jurisdiction {jurisdiction!r}")
    return sort_tidy(table)


def check_not_after(table: pd.DataFrame, entry: Mapping[str, object], *, source: str) -> None:
    """No period may end after the snapshot's release or retrieval date (:func:`analysis.bounds.not_after`)."""
    limit = bounds.not_after(entry)
    if limit is None:
        return
    late = bounds.periods_after(table["period_end"].unique(), limit)
    if late:
        raise CDCSchemaError(
            f"{source}, field year/month: rows for the 12 months ending {', '.join(late[:4])} end after "
            f"{limit.isoformat()}, the release or retrieval date its manifest entry records"
        )


def sort_tidy(table: pd.DataFrame) -> pd.DataFrame:
    """The tidy table in its canonical order: jurisdiction, indicator, period."""
    return table.sort_values(["jurisdiction", "indicator", "period_end"], kind="stable").reset_index(drop=True)


def _not_utf8(raw: bytes, source: str) -> str:
    """Where the first byte that is not UTF-8 sits: line and column, as an editor shows them."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        return f"{source}, line {line}, column {column}: not UTF-8 text (byte {raw[exc.start]:#04x})"
    return f"{source}: not UTF-8 text"


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith("<!doctype html") or head.startswith("<html") or "<body" in head


def _first_line(text: str) -> str:
    return text.lstrip().split("\n", 1)[0][:80]


def _csv_line(raw: bytes, index: int) -> str:
    """'line N' of data row ``index`` (0-based), counting quoted newlines as csv does."""
    reader = csv.reader(io.StringIO(raw.decode("utf-8", errors="replace"), newline=""))
    next(reader, None)
    row_number = -1
    for row in reader:
        if not row:
            continue
        row_number += 1
        if row_number == index:
            return f"line {reader.line_num}"
    return f"row {index + 1}"


def _header_to_fields(header: list[str], source: str) -> list[str]:
    cleaned = [name.strip() for name in header]
    if all(name in EXPORT_TO_API for name in cleaned):
        fields = [EXPORT_TO_API[name] for name in cleaned]
    elif all(name in API_FIELDS for name in cleaned):
        fields = cleaned
    else:
        known = set(EXPORT_TO_API) | set(API_FIELDS)
        unknown = [name for name in cleaned if name not in known]
        raise CDCSchemaError(
            f"{source}, line 1: unknown column(s) {', '.join(map(repr, unknown))}; expected the export "
            f"header ({', '.join(EXPORT_TO_API)}) or the API fields ({', '.join(API_FIELDS)})"
        )
    duplicated = sorted({field for field in fields if fields.count(field) > 1})
    if duplicated:
        raise CDCSchemaError(f"{source}, line 1: column(s) given twice: {', '.join(duplicated)}")
    missing = [field for field in REQUIRED_FIELDS if field not in fields]
    if missing:
        raise CDCSchemaError(f"{source}, line 1: missing required column(s): {', '.join(missing)}")
    return fields


class _Checker:
    """Raises a CDCSchemaError naming source, line, field and value for the first bad row of a mask."""

    def __init__(self, frame: pd.DataFrame, source: str, locate):
        self.frame, self.source, self.locate = frame, source, locate

    def fail_if(self, bad, field: str, problem: str) -> None:
        bad = np.asarray(bad, dtype=bool)
        if bad.any():
            position = int(bad.argmax())
            value = self.frame[field].iloc[position] if field in self.frame else None
            value = value.item() if hasattr(value, "item") else value
            count = int(bad.sum())
            more = f" ({count - 1} more row(s) like it)" if count > 1 else ""
            raise CDCSchemaError(f"{self.source}, {self.locate(position)}, field {field}: {problem}: {value!r}{more}")


def _numeric(frame: pd.DataFrame, field: str, check: _Checker, strip_plus: bool = False) -> np.ndarray:
    """A numeric column as a float64 array (NaN where empty); text that is not a number is an error."""
    if field not in frame:
        return np.full(len(frame), np.nan)
    column = frame[field]
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.to_numpy(dtype="float64", na_value=np.nan)
    # Only JSON records, odd files and old releases get here: strings checked one by one.
    cleaned: list[str | None] = []
    for value in column.tolist():
        text = None if value is None or (isinstance(value, float) and value != value) else str(value).strip()
        if text and strip_plus and text.endswith("+"):
            # Older releases write "99.5+" for "99.5 percent complete or more": kept as its floor.
            text = text[:-1]
        cleaned.append(text or None)
    valid = np.array([text is None or bool(_NUMBER.match(text)) for text in cleaned], dtype=bool)
    check.fail_if(~valid, field, "not a number")
    return np.array([np.nan if text is None else float(text.replace(",", "")) for text in cleaned])


def _integers(values: np.ndarray, keep: np.ndarray) -> pd.arrays.IntegerArray:
    """Nullable Int64 from validated whole floats: missing where NaN or where ``keep`` is False."""
    mask = np.isnan(values) | ~keep
    return pd.arrays.IntegerArray(np.where(mask, 0, values).astype("int64"), mask)


def _floats(values: np.ndarray, keep: np.ndarray | None = None) -> pd.arrays.FloatingArray:
    """Nullable Float64: missing where NaN (or where ``keep`` is False)."""
    mask = np.isnan(values) if keep is None else (np.isnan(values) | ~keep)
    return pd.arrays.FloatingArray(np.where(mask, 0.0, values), mask)


def _tidy_frame(frame: pd.DataFrame, *, source: str, locate) -> pd.DataFrame:
    if frame.empty:
        raise CDCSchemaError(f"{source}: no data rows")
    check = _Checker(frame, source, locate)
    for field in REQUIRED_FIELDS:
        if field != "data_value":
            check.fail_if(frame[field].isna(), field, "required value is empty")
    labels = frame["indicator"]
    keys = _map_unique(labels, LABEL_TO_KEY.get)
    check.fail_if(keys.isna(), "indicator", "unknown indicator")
    months = _map_unique(frame["month"], lambda name: MONTHS.get(str(name).strip()))
    check.fail_if(months.isna(), "month", "not a month name")
    check.fail_if(
        _map_unique(frame["period"], lambda value: value != PERIOD).astype(bool),
        "period",
        f"only {PERIOD!r} values are defined",
    )
    years = _numeric(frame, "year", check)
    with np.errstate(invalid="ignore"):
        check.fail_if(np.isnan(years) | (years % 1 != 0) | (years < 1900) | (years > 2100), "year", "not a year")

    value = _numeric(frame, "data_value", check)
    predicted = _numeric(frame, "predicted_value", check)
    complete = _numeric(frame, "percent_complete", check, strip_plus=True)
    pending = _numeric(frame, "percent_pending_investigation", check)
    is_percent = labels.isin(PERCENT_LABELS).to_numpy()
    is_count = ~is_percent
    has_predicted = ~np.isnan(predicted)
    with np.errstate(invalid="ignore"):
        check.fail_if(
            is_percent & ((value < 0) | (value > 100)),
            "data_value",
            "'Percent with drugs specified' is a percentage (0-100)",
        )
        check.fail_if(
            is_percent & has_predicted, "predicted_value", "'Percent with drugs specified' has no predicted value"
        )
        check.fail_if(
            labels.isin(ALL_CAUSE_LABELS).to_numpy() & has_predicted,
            "predicted_value",
            "'Number of Deaths' (all causes) has no predicted value",
        )
        for field, column in (("data_value", value), ("predicted_value", predicted)):
            check.fail_if(
                is_count & ((column < 0) | (column % 1 > 0)), field, "a death count must be a whole number >= 0"
            )
            check.fail_if(
                is_count & (column > bounds.CDC_DEATHS_CEILING),
                field,
                f"above the ceiling of {bounds.CDC_DEATHS_CEILING:,} deaths in 12 months (analysis.bounds)",
            )
        for field, column in (("percent_complete", complete), ("percent_pending_investigation", pending)):
            check.fail_if((column < 0) | (column > 100), field, "a percentage must be 0-100")

    year_int = years.astype("int64")
    month_int = months.to_numpy(dtype="int64")
    period_code = year_int * 100 + month_int
    period_end = _map_unique(
        pd.Series(period_code, index=frame.index), lambda code: f"{code // 100:04d}-{code % 100:02d}"
    )
    table = pd.DataFrame(
        {
            "jurisdiction": _map_unique(frame["state"], lambda value: str(value).strip()),
            "period_end": period_end,
            "year": year_int,
            "month": month_int,
            "indicator": keys,
            "indicator_label": _map_unique(labels, str),
            "unit": _map_unique(labels, lambda label: INDICATORS[label].unit if label in INDICATORS else None),
            "reported": _integers(value, is_count),
            "predicted": _integers(predicted, is_count),
            "reported_percent": _floats(value, is_percent),
            "percent_complete": _floats(complete),
            "percent_pending_investigation": _floats(pending),
            "footnote_symbol": _text(frame, "footnote_symbol"),
            "footnote": _text(frame, "footnote"),
        },
        index=frame.index,
    )
    # Duplicate keys, found on small integer codes rather than on the strings.
    jurisdiction_code = _codes(frame["state"])
    indicator_code = _codes(labels)
    key = (jurisdiction_code * 1_000_000 + period_code) * 100 + indicator_code
    duplicated = pd.Series(key, index=table.index).duplicated(keep=False)
    if bool(duplicated.any()):
        positions = [int(i) for i in duplicated.to_numpy().nonzero()[0]]
        first = table.iloc[positions[0]]
        same = [p for p in positions if (table.iloc[p][KEY_COLUMNS] == first[KEY_COLUMNS]).all()]
        raise CDCSchemaError(
            f"{source}: duplicate rows for (jurisdiction, year, month, indicator) = "
            f"({first['jurisdiction']}, {first['year']}, {first['month']}, {first['indicator_label']!r}): "
            f"{'; '.join(locate(p) for p in same)}"
        )
    return table


def _text(frame: pd.DataFrame, field: str) -> pd.Series:
    if field not in frame:
        return pd.Series(None, index=frame.index, dtype="str")
    return _map_unique(frame[field], str)


def _codes(series: pd.Series):
    """Integer codes of a column's distinct values (free for a categorical column)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy().astype("int64")
    return pd.factorize(series)[0].astype("int64")


def _map_unique(series: pd.Series, function) -> pd.Series:
    """``series.map(function)``, calling ``function`` once per distinct value (columns repeat a lot)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniques = series.cat.codes.to_numpy(), list(series.cat.categories)
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = [function(value) for value in uniques]
    if all(isinstance(value, str) for value in mapped):
        lookup = pd.array(mapped + [None], dtype="str")
    else:
        lookup = pd.array(mapped + [None], dtype=object)
    out = pd.Series(lookup.take(codes if (codes >= 0).all() else _na_last(codes, len(mapped))), index=series.index)
    return out


def _na_last(codes, size):
    codes = codes.copy()
    codes[codes < 0] = size
    return codes


# ---------------------------------------------------------------------------------------------
# Guards


def check_tidy(table: pd.DataFrame) -> None:
    """Raise :class:`CDCRuleError` if a tidy table breaks one of the dataset's rules."""
    missing = [column for column in TIDY_COLUMNS if column not in table.columns]
    if missing:
        raise CDCRuleError(f"not a tidy CDC table: missing column(s) {', '.join(missing)}")
    percent = table["unit"] == "percent"
    if table.loc[percent, ["reported", "predicted"]].notna().any().any():
        raise CDCRuleError("'Percent with drugs specified' is a percentage: it must not sit in the count columns")
    if table.loc[~percent, "reported_percent"].notna().any():
        raise CDCRuleError("reported_percent is only for 'Percent with drugs specified'")
    all_cause = table["indicator"] == "all_cause_deaths"
    if table.loc[all_cause, "predicted"].notna().any():
        raise CDCRuleError("'Number of Deaths' (all causes) has no predicted value in CDC's data")
    if table.duplicated(KEY_COLUMNS).any():
        raise CDCRuleError("duplicate (jurisdiction, period_end, indicator) rows")


def indicator(key: str) -> Indicator:
    """The :class:`Indicator` for a short key, with a helpful error for a typo."""
    try:
        return INDICATOR_BY_KEY[key]
    except KeyError:
        raise CDCRuleError(f"unknown indicator key {key!r}; known: {', '.join(INDICATOR_BY_KEY)}") from None


def deaths(
    table: pd.DataFrame,
    indicator_key: str,
    measure: str = "predicted",
    jurisdiction: str = "US",
    *,
    allow_all_cause: bool = False,
) -> pd.Series:
    """Death counts of one indicator as a Series indexed by ``period_end``; missing stays ``<NA>``.

    ``measure`` is ``"reported"`` (CDC's provisional count) or ``"predicted"`` (adjusted for
    reporting delay): two different quantities, so one must be chosen.
    """
    item = indicator(indicator_key)
    if item.unit == "percent":
        raise CDCRuleError(f"{item.label!r} is a percentage, not a death count")
    if item.kind == "all_cause" and not allow_all_cause:
        raise CDCRuleError(
            f"{item.label!r} counts deaths from all causes, not overdoses; pass allow_all_cause=True "
            "if that is really what you want"
        )
    if measure not in ("reported", "predicted"):
        raise CDCRuleError(f"measure must be 'reported' or 'predicted', got {measure!r}")
    rows = table[(table["indicator"] == indicator_key) & (table["jurisdiction"] == jurisdiction)]
    series = rows.set_index("period_end")[measure].sort_index()
    series.name = f"{indicator_key}_{measure}"
    return series


def sum_indicators(table: pd.DataFrame, keys: Iterable[str], **_: object) -> pd.Series:
    """Always refuses: CDC's drug classes overlap, so their counts cannot be added up."""
    keys = list(keys)
    raise CDCRuleError(
        f"cannot sum {', '.join(keys)}: drug classes overlap (a death involving fentanyl and cocaine "
        "is counted in both), and 'Number of Drug Overdose Deaths' already counts every overdose once. "
        "Show the classes as separate series instead."
    )


def sum_months(*_: object, **__: object) -> None:
    """Always refuses: every value is already a 12 month-ending total."""
    raise CDCRuleError(
        "cannot add up months: every value is a 12 month-ending count already; a calendar year "
        "is the December value (see calendar_years)"
    )


def calendar_years(table: pd.DataFrame, jurisdiction: str = "US") -> pd.DataFrame:
    """One row per (year, indicator): the 12 months ending December of that year.

    Only years whose December is in the data appear; nothing is summed or extrapolated.
    Death indicators only (the percent indicator is left out).
    """
    rows = table[(table["jurisdiction"] == jurisdiction) & (table["month"] == 12) & (table["unit"] == "deaths")]
    out = rows[["year", "indicator", "reported", "predicted"]].sort_values(["year", "indicator"], kind="stable")
    return out.reset_index(drop=True)


def latest_period(table: pd.DataFrame) -> str:
    """The latest ``period_end`` in the table (``YYYY-MM``)."""
    return str(table["period_end"].max())


def value_at(
    table: pd.DataFrame, indicator_key: str, period_end: str, measure: str = "predicted", jurisdiction: str = "US"
):
    """One value (or ``pd.NA``) for an indicator and period; raises if the period is not in the data."""
    series = deaths(table, indicator_key, measure, jurisdiction)
    if period_end not in series.index:
        raise KeyError(f"12 months ending {period_end} is not in the data (latest: {series.index.max()})")
    return series.loc[period_end]
