"""Take CDC's newest release of the VSRR overdose counts into ``data/raw/cdc_vsrr.csv``, safely.

``python -m analysis fetch`` and the notebooks' ``REFRESH = True`` call :func:`refresh`:

1. **Metadata first.** Read ``/api/views/xkb8-kh2a.json`` (one request). Its column list must be
   exactly the fields this project knows (:data:`analysis.cdc.API_FIELDS`): a renamed, added or
   removed column stops the refresh before any row is downloaded.
2. **Update detection.** CDC's ``rowsUpdatedAt`` is compared with the ``rows_updated_at`` of the
   current snapshot's manifest entry. Equal (and the same jurisdictions, and the snapshot still
   matching its checksum): CDC has not updated, nothing more is requested. The snapshot committed
   from CDC's CSV export records no ``rowsUpdatedAt`` (``null``): its release is known only to
   the month, which cannot prove it is the release CDC serves now, so the refresh **treats it
   as unknown and fetches**; after that the manifest holds the exact ``rowsUpdatedAt`` and an
   unchanged CDC costs one metadata request. ``force=True`` always fetches.
3. **Rows.** ``$select=count(*)`` for the jurisdictions asked for, then every row by
   ``$where``/``$order=:id``/``$limit``/``$offset`` until a short page (:mod:`analysis.socrata`),
   checked against the count.
4. **Validation** of the rows received: only known fields, and
   :func:`analysis.cdc.tidy_from_records` (required fields present, numeric counts, known
   indicators and months, no duplicate (jurisdiction, year, month, indicator); errors name the
   record); rows for exactly the jurisdictions asked for; not empty.
5. **Staging.** The rows are written as CSV (API field names as header, in
   :data:`analysis.cdc.API_FIELDS` order, values as received, empty where CDC omitted a field)
   to a temporary file beside the snapshot and synced; read back, it must hold the received
   values exactly, and :func:`analysis.cdc.read_cdc_csv` (the loader ``build`` and the
   notebooks use) must give the very table validated in step 4.
6. **The update gate** (:mod:`analysis.gate`): the release must not be older than the snapshot,
   cover less, have lost values or revise counts beyond a stated tolerance; otherwise it is
   refused with a message naming each regression and ``--accept`` (``accept=True``), which
   installs it anyway. Its periods must also have ended by its release date
   (:mod:`analysis.bounds`). A release already older by ``rowsUpdatedAt`` is refused from the
   metadata, before any row is downloaded.
7. **Atomic replace.** :func:`analysis.manifest.replace_snapshot` swaps file and manifest entry
   together (source URLs and query, retrieval time, ``rowsUpdatedAt``, rows, sha256), keeping
   both files' modes; a crash at any point leaves the old pair or the new pair.

The whole refresh runs under the project lock (:mod:`analysis.lock`), so no ``build``,
``notebooks`` or ``report`` reads the snapshot while it changes. Every request, and the fetch as
a whole, has a deadline, and every response a size ceiling (:mod:`analysis.socrata`).

Any failure, at any step, leaves ``data/raw/cdc_vsrr.csv`` and ``MANIFEST.json`` byte-identical
and removes the temporary file. The app token (environment variable ``CDC_APP_TOKEN`` by default)
is sent as the ``X-App-Token`` header only; it is never written to the manifest, the snapshot,
a message, or the result.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from . import atomic, bounds, cdc, gate, lock, manifest, socrata
from .paths import Paths, project_paths
from .socrata import DatasetMetadata, FetchError, Progress, SocrataClient, make_retry

DEFAULT_BASE_URL = "https://data.cdc.gov"
DEFAULT_TOKEN_ENV = "CDC_APP_TOKEN"
#: Column order of the snapshot written from the API (the dataset's own column order).
SNAPSHOT_FIELDS: tuple[str, ...] = cdc.API_FIELDS
PUBLISHER = "CDC / National Center for Health Statistics (NCHS), Vital Statistics Rapid Release"
LICENCE = "U.S. federal government work, public domain"
ORDER = ":id"
DEFAULT_TITLE = "VSRR Provisional Drug Overdose Death Counts"

_JURISDICTION = re.compile(r"^[A-Z]{2}$")


class RefreshError(FetchError):
    """The fetched data failed validation, or the snapshot could not be replaced."""


@dataclass(frozen=True)
class RefreshResult:
    """What :func:`refresh` did.

    ``updated``: whether the snapshot was replaced. ``rows``: rows in the snapshot now (``None``
    if unknown). ``rows_updated_at``: CDC's ``rowsUpdatedAt`` (epoch seconds) as read now.
    ``requests``/``bytes_received``: HTTP attempts made (retries included) and response-body
    bytes received.
    """

    updated: bool
    message: str
    rows: int | None
    rows_updated_at: int
    latest_period: str | None
    requests: int
    bytes_received: int


def refresh(
    paths: Paths | None = None,
    *,
    base_url: str = DEFAULT_BASE_URL,
    jurisdictions: Sequence[str] | None = ("US",),
    force: bool = False,
    token_env: str = DEFAULT_TOKEN_ENV,
    progress: bool | Progress = True,
    timeout: tuple[float, float] = socrata.DEFAULT_TIMEOUT,
    page_size: int = 50_000,
    retries: int = 5,
    backoff_factor: float = 1.0,
    max_retry_after: int = 300,
    clock: Callable[[], datetime] | None = None,
    accept: bool = False,
    request_deadline: float = socrata.DEFAULT_REQUEST_DEADLINE,
    fetch_deadline: float | None = socrata.DEFAULT_FETCH_DEADLINE,
    max_response_bytes: int = socrata.DEFAULT_MAX_RESPONSE_BYTES,
    lock_wait: float = lock.DEFAULT_WAIT,
) -> RefreshResult:
    """Fetch CDC's current release into ``data/raw/cdc_vsrr.csv`` if it changed (or ``force``).

    Progress lines (what is read, why rows are fetched, pages and rows so far) go to stderr
    when ``progress`` is true; the outcome is :attr:`RefreshResult.message`, for the caller to show.

    ``jurisdictions``: CDC state codes (``"US"`` is the nation), or ``None`` for all rows.
    ``accept``: install a release the update gate finds worse than the snapshot (an analyst's
    deliberate choice). ``request_deadline``/``fetch_deadline`` (seconds), ``max_response_bytes``:
    the bounds of :class:`~analysis.socrata.SocrataClient`. ``lock_wait``: seconds to wait for
    another command holding the project lock.
    Raises :class:`~analysis.socrata.FetchError` (:class:`~analysis.socrata.SocrataError` for
    the HTTP side, :class:`RefreshError` for validation, :class:`~analysis.gate.UpdateRefused`
    from the gate) with a message naming what was wrong; the snapshot and manifest are then
    unchanged. The app token never appears in a message.
    """
    paths = paths or project_paths()
    wanted = normalise_jurisdictions(jurisdictions)
    reporter = progress if isinstance(progress, Progress) else Progress(enabled=bool(progress))
    now = clock or (lambda: datetime.now(UTC))
    token = app_token(token_env)
    with lock.project_lock(paths, "fetch", wait=lock_wait):
        try:
            return _refresh(
                paths,
                wanted,
                reporter,
                now,
                token,
                token_env,
                base_url=base_url,
                force=force,
                timeout=timeout,
                page_size=page_size,
                retries=retries,
                backoff_factor=backoff_factor,
                max_retry_after=max_retry_after,
                accept=accept,
                request_deadline=request_deadline,
                fetch_deadline=fetch_deadline,
                max_response_bytes=max_response_bytes,
            )
        except FetchError as exc:
            if token and token in str(exc):
                exc.args = (socrata.scrub(str(exc), token),) + exc.args[1:]
            raise


def app_token(token_env: str = DEFAULT_TOKEN_ENV) -> str | None:
    """The app token from ``$token_env`` (None if unset or blank). It must be sendable as an HTTP
    header value (printable ASCII): otherwise :class:`RefreshError` names the variable (never
    the value)."""
    token = (os.environ.get(token_env) or "").strip() or None
    if token is not None and not all(" " < char <= "~" for char in token):
        raise RefreshError(
            f"${token_env}: the app token holds characters an HTTP header cannot carry (spaces, control "
            "or non-ASCII characters); set it to the token exactly as data.cdc.gov shows it, or unset it"
        )
    return token


def _refresh(
    paths: Paths,
    wanted: tuple[str, ...] | None,
    reporter: Progress,
    now: Callable[[], datetime],
    token: str | None,
    token_env: str,
    *,
    base_url: str,
    force: bool,
    timeout: tuple[float, float],
    page_size: int,
    retries: int,
    backoff_factor: float,
    max_retry_after: int,
    accept: bool,
    request_deadline: float,
    fetch_deadline: float | None,
    max_response_bytes: int,
) -> RefreshResult:
    current = manifest.entry(cdc.RAW_FILE, paths)

    client = SocrataClient(
        base_url,
        cdc.DATASET_ID,
        token=token,
        timeout=timeout,
        retry=make_retry(retries, backoff_factor, max_retry_after),
        progress=reporter,
        request_deadline=request_deadline,
        fetch_deadline=fetch_deadline,
        max_response_bytes=max_response_bytes,
        clock=lambda: now().timestamp(),
    )
    try:
        reporter.note(
            f"reading {client.metadata_url}" + (f" (app token from ${token_env})" if token else " (no app token)")
        )
        meta = client.metadata()
        check_metadata_columns(meta)
        fetch, reason = needs_fetch(current, meta, wanted, force, paths)
        if not fetch:
            message = (
                f"CDC has not updated {cdc.DATASET_ID} since {_utc(meta.rows_updated_at)} "
                f"(rowsUpdatedAt {meta.rows_updated_at}), the release already in "
                f"data/raw/{cdc.RAW_FILE}; nothing downloaded."
            )
            return RefreshResult(
                updated=False,
                message=message,
                rows=current.get("rows"),
                rows_updated_at=meta.rows_updated_at,
                latest_period=current.get("latest_period"),
                requests=client.counters.requests,
                bytes_received=client.counters.bytes_received,
            )
        reporter.note(f"fetching: {reason}")
        gate.check_release(current, meta.rows_updated_at, accept=accept)  # older: refused before any row
        where = where_clause(wanted)
        expected = client.count(where)
        if expected == 0:
            raise RefreshError(
                f"{client.resource_url}: CDC reports no rows for {where or 'the whole dataset'} "
                "(empty result); the snapshot is unchanged"
            )
        reporter.note(f"{expected:,} rows to fetch, {page_size:,} per page")
        records = client.fetch_rows(where, order=ORDER, page_size=page_size, expected=expected)
        check_record_fields(records, source=client.resource_url)
        table = validate_records(records, source=client.resource_url, jurisdictions=wanted)
        check_release_dates(table, meta, source=client.resource_url)
        accepted = gate.check_update(current, current_table(paths), table, meta.rows_updated_at, accept=accept)
        for line in accepted:
            reporter.note(f"accepted (--accept): {line}")
        staged = stage_snapshot(records, paths)
        try:
            check_staged(staged, table, source=client.resource_url)
            latest = cdc.latest_period(table)
            retrieved = now().astimezone(UTC).replace(microsecond=0)
            new_entry = manifest_entry(
                meta,
                client,
                wanted,
                query=client.query_params(where, ORDER, page_size),
                latest_period=latest,
                retrieved=retrieved,
            )
            commit_snapshot(staged, new_entry, paths)
        finally:
            staged.unlink(missing_ok=True)
    finally:
        client.close()

    message = (
        f"Updated data/raw/{cdc.RAW_FILE}: {len(records):,} rows, CDC release of "
        f"{_utc(meta.rows_updated_at)} (rowsUpdatedAt {meta.rows_updated_at}), latest period "
        f"12 months ending {latest}; previous snapshot: release {current.get('source_release')}, "
        f"latest period {current.get('latest_period')}."
        + (f" Accepted although worse than the snapshot (--accept): {'; '.join(accepted)}." if accepted else "")
    )
    return RefreshResult(
        updated=True,
        message=message,
        rows=len(records),
        rows_updated_at=meta.rows_updated_at,
        latest_period=latest,
        requests=client.counters.requests,
        bytes_received=client.counters.bytes_received,
    )


# -- the steps ------------------------------------------------------------------------------------
def current_table(paths: Paths):
    """The snapshot's tidy table, for the update gate; None when it cannot be read (a damaged
    snapshot is then compared by its manifest entry only)."""
    try:
        return cdc.read_cdc_csv(manifest.verified_path(cdc.RAW_FILE, paths), source=f"data/raw/{cdc.RAW_FILE}")
    except (manifest.ManifestError, cdc.CDCSchemaError, cdc.CDCRuleError):
        return None


def check_release_dates(table, meta: DatasetMetadata, *, source: str) -> None:
    """Every period of the release must have ended by its release date (``rowsUpdatedAt``)."""
    released = datetime.fromtimestamp(meta.rows_updated_at, UTC).date()
    late = bounds.periods_after(table["period_end"].unique(), released)
    if late:
        raise RefreshError(
            f"{source}: rows for the 12 months ending {', '.join(late[:4])}{' …' if len(late) > 4 else ''} "
            f"end after the release date {released.isoformat()} (rowsUpdatedAt {meta.rows_updated_at}); "
            "a release cannot count deaths of months that had not ended; not installed"
        )


def normalise_jurisdictions(jurisdictions: Sequence[str] | None) -> tuple[str, ...] | None:
    """Upper-cased, de-duplicated, sorted jurisdiction codes; ``None`` (all) stays ``None``."""
    if jurisdictions is None:
        return None
    if isinstance(jurisdictions, str):
        jurisdictions = [jurisdictions]
    codes = sorted({str(code).strip().upper() for code in jurisdictions})
    if not codes:
        raise ValueError("jurisdictions: give at least one code (e.g. 'US'), or None for all")
    bad = [code for code in codes if not _JURISDICTION.match(code)]
    if bad:
        raise ValueError(
            f"jurisdictions: {', '.join(map(repr, bad))} not a two-letter CDC state code (e.g. 'US', 'NY', 'YC')"
        )
    return tuple(codes)


def where_clause(jurisdictions: tuple[str, ...] | None) -> str | None:
    """The SoQL ``$where`` selecting the jurisdictions (``None``: no filter, all rows).

    Equality joined by ``OR`` rather than ``in(...)``: it works on SODA 2.0 endpoints as well as
    2.1 (``in(...)`` is 2.1 and later). Codes are checked two-letter upper case beforehand, so
    nothing needs quoting.
    """
    if jurisdictions is None:
        return None
    return " OR ".join(f"state = '{code}'" for code in jurisdictions)


def check_metadata_columns(meta: DatasetMetadata) -> None:
    """CDC's column list must be exactly the fields this project reads."""
    listed = set(meta.columns)
    unknown = [name for name in meta.columns if name not in SNAPSHOT_FIELDS]
    missing = [name for name in SNAPSHOT_FIELDS if name not in listed]
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if problems:
        raise RefreshError(
            f"{meta.url}: CDC's column list changed: {'; '.join(problems)} "
            f"(expected: {', '.join(SNAPSHOT_FIELDS)}). A renamed column needs a change in "
            "analysis/cdc.py before this release can be read; nothing was downloaded."
        )


def needs_fetch(
    current: dict[str, Any],
    meta: DatasetMetadata,
    wanted: tuple[str, ...] | None,
    force: bool,
    paths: Paths,
) -> tuple[bool, str]:
    """Whether to download rows, and why (see the module docstring for the rule)."""
    if force:
        return True, "forced"
    known = current.get("rows_updated_at")
    if known is None:
        return True, (
            f"the current snapshot (method {current.get('method')}, release "
            f"{current.get('source_release')}) records no rowsUpdatedAt, so it cannot be shown "
            f"to be CDC's release of {_utc(meta.rows_updated_at)}"
        )
    have = current.get("jurisdictions")
    have_norm = None if have == "all" else normalise_jurisdictions(have or ())
    if have_norm != wanted:
        return True, f"the current snapshot holds jurisdictions {have}, asked for {_describe(wanted)}"
    if known != meta.rows_updated_at:
        return True, (
            f"CDC updated the dataset: rowsUpdatedAt {meta.rows_updated_at} ({_utc(meta.rows_updated_at)}), "
            f"snapshot has {known} ({_utc(known) if isinstance(known, int) else known})"
        )
    try:
        manifest.verified_path(cdc.RAW_FILE, paths)
    except manifest.ManifestError as exc:
        return True, f"CDC is unchanged but the local snapshot fails its check ({exc})"
    return False, "unchanged"


def check_record_fields(records: list[dict[str, Any]], *, source: str) -> None:
    """Every row holds only fields of :data:`SNAPSHOT_FIELDS` (the CSV cannot carry others, and a
    field CDC added or renamed must not be dropped silently), and there is at least one row."""
    if not records:
        raise RefreshError(f"{source}: no rows received (empty result)")
    allowed = set(SNAPSHOT_FIELDS)
    for number, record in enumerate(records, start=1):
        unknown = sorted(key for key in record if key not in allowed)
        if unknown:
            raise RefreshError(
                f"{source}, row {number} as received: unknown field(s) {', '.join(unknown)} "
                f"(expected only: {', '.join(SNAPSHOT_FIELDS)})"
            )


def validate_records(records: list[dict[str, Any]], *, source: str, jurisdictions: tuple[str, ...] | None):
    """The tidy table of the rows received, after every check of
    :func:`analysis.cdc.tidy_from_records` (known fields, required fields present, numeric
    counts, known indicators and months, no duplicate (jurisdiction, year, month, indicator);
    errors name the record, counted from 1 in the order received) and the jurisdiction check.
    Raises :class:`RefreshError`."""
    try:
        table = cdc.tidy_from_records(records, source=f"rows from {source}")
    except (cdc.CDCSchemaError, cdc.CDCRuleError) as exc:
        raise RefreshError(f"CDC data failed validation: {exc}") from None
    if jurisdictions is not None:
        got = set(table["jurisdiction"].unique())
        extra = sorted(got - set(jurisdictions))
        absent = sorted(set(jurisdictions) - got)
        problems = []
        if extra:
            problems.append(f"received rows for {', '.join(extra)} as well")
        if absent:
            problems.append(f"no rows for {', '.join(absent)}")
        if problems:
            raise RefreshError(f"{source}: asked for jurisdictions {', '.join(jurisdictions)}; {'; '.join(problems)}")
    return table


def check_staged(path: Path, table, *, source: str) -> None:
    """The staged file, the bytes that will be installed, must pass
    :func:`analysis.cdc.read_cdc_csv` (the loader ``build`` and the notebooks use) and give the
    very table validated from the rows received. Raises :class:`RefreshError`."""
    label = f"staged snapshot of rows from {source}"
    try:
        reread = cdc.read_cdc_csv(path, source=label)
    except (cdc.CDCSchemaError, cdc.CDCRuleError) as exc:
        raise RefreshError(f"the staged snapshot failed validation: {exc}") from None
    if not reread.equals(table):
        raise RefreshError(
            f"{label}: reads back as a different table from the rows received "
            f"({len(reread):,} vs {len(table):,} rows); not installed"
        )


def manifest_entry(
    meta: DatasetMetadata,
    client: SocrataClient,
    jurisdictions: tuple[str, ...] | None,
    *,
    query: dict[str, Any],
    latest_period: str,
    retrieved: datetime,
) -> dict[str, Any]:
    """The manifest entry for a snapshot fetched from the API (sha256 and rows are added by
    :func:`analysis.manifest.replace_snapshot`). No header, and so no token, is recorded."""
    scope = "all jurisdictions" if jurisdictions is None else f"State {' or '.join(jurisdictions)}"
    return {
        "title": f"{client.scrubbed_text(meta.name) or DEFAULT_TITLE}, rows for {scope}",
        "publisher": PUBLISHER,
        "licence": LICENCE,
        "method": "socrata_api",
        "schema": "api",
        "dataset_id": cdc.DATASET_ID,
        "jurisdictions": "all" if jurisdictions is None else list(jurisdictions),
        "source_urls": [client.resource_url, client.metadata_url],
        "query": {key: str(value) for key, value in query.items()},
        "rows_updated_at": meta.rows_updated_at,
        "source_release": _utc_date(meta.rows_updated_at),
        "latest_period": latest_period,
        "retrieved": retrieved.isoformat().replace("+00:00", "Z"),
        "obtained": (
            "Fetched from the Socrata resource API by `python -m analysis fetch` (analysis.refresh), "
            f"paged by $limit/$offset in {ORDER} order and checked against $select=count(*); rows "
            "written as received: API field names as header, values as CDC's strings, empty where "
            "CDC omitted a field."
        ),
    }


def stage_snapshot(records: list[dict[str, Any]], paths: Paths) -> Path:
    """Write ``records`` as CSV to a temporary file beside the snapshot (same file system, so the
    final rename is atomic), synced to disk, and check it holds exactly the values received.
    Returns its path; on failure removes it and raises :class:`RefreshError`."""
    staged = atomic.temp_path(paths.raw / cdc.RAW_FILE, "staged")
    try:
        try:
            with _open_staging(staged) as handle:
                write_snapshot_csv(records, handle)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise RefreshError(
                f"could not write the new snapshot to data/raw/{staged.name} ({exc}); "
                "the snapshot and manifest are unchanged"
            ) from None
        with open(staged, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            written = list(reader)
        expected = [_csv_values(record) for record in records]
        if header != list(SNAPSHOT_FIELDS) or written != expected:
            raise RefreshError(
                f"data/raw/{staged.name}: the staged CSV does not hold the {len(records):,} rows "
                "received, value for value; not installed"
            )
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def commit_snapshot(staged: Path, new_entry: dict[str, Any], paths: Paths) -> None:
    """Replace the snapshot with ``staged`` and its manifest entry together
    (:func:`analysis.manifest.replace_snapshot`, which restores both on failure)."""
    try:
        manifest.replace_snapshot(cdc.RAW_FILE, staged, new_entry, paths)
    except OSError as exc:
        raise RefreshError(
            f"could not replace data/raw/{cdc.RAW_FILE} and its manifest entry ({exc}); both were left as they were"
        ) from None


def write_snapshot_csv(records: Iterable[dict[str, Any]], handle: TextIO) -> None:
    """CSV of API rows: header :data:`SNAPSHOT_FIELDS`, values as received, empty if omitted."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(SNAPSHOT_FIELDS)
    for record in records:
        writer.writerow(_csv_values(record))


def _csv_values(record: dict[str, Any]) -> list[str]:
    return ["" if record.get(field) is None else str(record[field]) for field in SNAPSHOT_FIELDS]


def _open_staging(path: Path) -> TextIO:
    """Open the staging file for writing (a seam the tests use to simulate a full disk)."""
    return open(path, "x", encoding="utf-8", newline="")


def _utc(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _utc_date(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).date().isoformat()


def _describe(jurisdictions: tuple[str, ...] | None) -> str:
    return "all" if jurisdictions is None else ", ".join(jurisdictions)
