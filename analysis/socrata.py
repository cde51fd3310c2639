"""The HTTP side of fetching a Socrata dataset (data.cdc.gov): session, metadata, count, paging.

Nothing here knows CDC's schema or touches ``data/raw``; :mod:`analysis.refresh` does that.

- One :class:`requests.Session` per client, with a timeout on every request and retries left to
  ``urllib3``'s :class:`~urllib3.util.Retry` (connection errors, read timeouts, 429 honouring
  ``Retry-After``, 5xx; exponential backoff). There is no hand-written retry loop.
- An optional app token goes into the ``X-App-Token`` header and nowhere else: never into a URL,
  an error message, a log line or a progress line (messages are scrubbed of it as well), and
  never to another host through a redirect.
- Every body must be JSON of the expected shape; an HTML error page served with status 200,
  a body cut off in transit, or a server that pages wrongly is an error naming the URL.
- Bounded work: every request has an overall deadline (``request_deadline``, retries and their
  waits included, and a body trickling in byte by byte), every fetch one too (``fetch_deadline``,
  from the client's creation), and every response a size ceiling (``max_response_bytes``, counted
  while streaming, after gzip decoding, so a 200 MB body or a gzip bomb is refused after the
  first bytes past the ceiling, not read into memory). Each has its own message.
- ``rowsUpdatedAt`` must be a plausible time (:func:`analysis.bounds.epoch_rule`).

Socrata API references: paging with ``$limit``/``$offset`` and a stable ``$order`` (at least
``:id``), https://dev.socrata.com/docs/paging.html; dataset metadata (``rowsUpdatedAt``,
``columns[].fieldName``) at ``/api/views/<id>.json``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import urlencode

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from . import bounds

#: Statuses retried with backoff (429 and 503 honour ``Retry-After``).
RETRY_STATUSES = (429, 500, 502, 503, 504)

#: Largest page Socrata serves on a SoQL 2.0 endpoint (2.1 has no maximum; 50,000 is polite).
MAX_PAGE_SIZE = 50_000

#: Seconds one request may take in all (connecting, every retry and its wait, the whole body).
DEFAULT_REQUEST_DEADLINE = 60.0
#: Seconds a whole fetch (metadata, count, every page) may take.
DEFAULT_FETCH_DEADLINE = 900.0
#: Bytes one response may hold once decoded: a full 50,000-row page is about 20 MB.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
#: ``(connect, read)`` seconds per attempt: a silent server is given up on within the deadline.
DEFAULT_TIMEOUT = (5.0, 20.0)

_READ_CHUNK = 1 << 16


class FetchError(RuntimeError):
    """Base of everything that can go wrong fetching or validating a dataset."""


class SocrataError(FetchError):
    """A request failed, or its answer was not what the Socrata API returns.

    ``url`` is the address asked for (never carrying the app token); ``status`` is the last
    HTTP status received, or ``None`` when no response came back at all.
    """

    def __init__(self, message: str, *, url: str, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


@dataclass
class Counters:
    """What a client cost: HTTP attempts (retries included) and response-body bytes received."""

    requests: int = 0
    bytes_received: int = 0


def scrub(text: str, token: str | None) -> str:
    """``text`` with the app token (if any) replaced by ``[app token]``."""
    return text.replace(token, "[app token]") if token else text


class _ScrubFilter(logging.Filter):
    """Blanks the token out of every log record passing through a logger (urllib3's)."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = scrub(message, self.token), None
        return True


class Progress:
    """Prints progress lines (``page 3: 1,488 rows so far of 1,488``) to a stream.

    Plain flushed prints, so they show on a terminal (stderr by default) and in a Jupyter
    notebook alike. Lines carry no timings, so a notebook's output stays deterministic.
    """

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True, prefix: str = "fetch"):
        self._stream = stream
        self.enabled = enabled
        self.prefix = prefix
        self.token: str | None = None  # scrubbed from every line

    def note(self, text: str) -> None:
        if not self.enabled:
            return
        stream = self._stream if self._stream is not None else sys.stderr
        print(scrub(f"{self.prefix}: {text}", self.token), file=stream, flush=True)

    def page(self, number: int, rows_so_far: int, expected: int | None = None) -> None:
        total = f" of {expected:,}" if expected is not None else ""
        self.note(f"page {number}: {rows_so_far:,} rows so far{total}")


def make_retry(retries: int = 5, backoff_factor: float = 1.0, max_retry_after: int = 300) -> Retry:
    """The retry policy: ``retries`` further attempts after connection errors, read timeouts,
    and statuses in :data:`RETRY_STATUSES`; waits of ``backoff_factor * 2**(n-1)`` seconds
    (at most 120), or what ``Retry-After`` asks (at most ``max_retry_after`` seconds).

    ``raise_on_status=False``: when the attempts run out, the last response comes back so the
    error can name its status.
    """
    return DeadlineRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=5,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        respect_retry_after_header=True,
        retry_after_max=max_retry_after,
        raise_on_status=False,
    )


class DeadlineRetry(Retry):
    """urllib3's :class:`~urllib3.util.Retry` that stops retrying at a deadline (``deadline_at``,
    a :func:`time.monotonic` value) and never waits past it (backoff or ``Retry-After``)."""

    def __init__(self, *args: Any, deadline_at: float | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.deadline_at = deadline_at

    def new(self, **kw: Any) -> DeadlineRetry:
        retry = super().new(**kw)
        retry.deadline_at = self.deadline_at
        return retry

    def _remaining(self) -> float | None:
        return None if self.deadline_at is None else self.deadline_at - time.monotonic()

    def is_exhausted(self) -> bool:
        remaining = self._remaining()
        return super().is_exhausted() or (remaining is not None and remaining <= 0)

    def sleep(self, response=None) -> None:
        remaining = self._remaining()
        if remaining is None:
            return super().sleep(response)
        wait = self.get_retry_after(response) if response is not None else None
        if wait is None:
            wait = self.get_backoff_time()
        if wait > 0:
            time.sleep(max(0.0, min(wait, remaining)))


class _TokenSession(requests.Session):
    """A session that treats ``X-App-Token`` like ``Authorization`` on redirects: requests drops
    ``Authorization`` when a redirect leaves the host (or changes port or scheme), but keeps
    custom headers; this drops the token in the same cases, so it only ever goes to the host
    it was meant for."""

    def rebuild_auth(self, prepared_request, response):  # requests' redirect hook
        super().rebuild_auth(prepared_request, response)
        if self.should_strip_auth(response.request.url, prepared_request.url):
            prepared_request.headers.pop("X-App-Token", None)


def make_session(token: str | None = None, retry: Retry | None = None) -> requests.Session:
    """A session that retries per :func:`make_retry` and sends ``X-App-Token`` if ``token``
    (never across a redirect to another host)."""
    session = _TokenSession()
    adapter = HTTPAdapter(max_retries=retry if retry is not None else make_retry())
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["Accept"] = "application/json"
    session.headers["User-Agent"] = "overdose-claims (python-requests; analysis.socrata)"
    if token:
        session.headers["X-App-Token"] = token
    return session


@dataclass(frozen=True)
class DatasetMetadata:
    """The parts of ``/api/views/<id>.json`` the refresh needs."""

    dataset_id: str
    name: str
    attribution: str | None
    rows_updated_at: int
    columns: tuple[str, ...]
    url: str


@dataclass
class SocrataClient:
    """Read one dataset of one Socrata domain.

    ``timeout`` is ``(connect, read)`` seconds for every attempt. ``retry`` (see
    :func:`make_retry`) is ignored when a ready ``session`` is passed. ``request_deadline``:
    seconds one request may take in all; ``fetch_deadline``: seconds every request of this
    client may take together, from its creation (None: no limit); ``max_response_bytes``: the
    ceiling of one decoded response body; ``clock``: the time now, in epoch seconds (the bound
    on ``rowsUpdatedAt``).
    """

    base_url: str
    dataset_id: str
    token: str | None = field(default=None, repr=False)
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    retry: Retry | None = None
    progress: Progress = field(default_factory=lambda: Progress(enabled=False))
    session: requests.Session | None = field(default=None, repr=False)
    counters: Counters = field(default_factory=Counters)
    request_deadline: float = DEFAULT_REQUEST_DEADLINE
    fetch_deadline: float | None = DEFAULT_FETCH_DEADLINE
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if self.session is None:
            self.session = make_session(self.token, self.retry)
        self.progress.token = self.token
        self._fetch_ends_at = None if self.fetch_deadline is None else time.monotonic() + self.fetch_deadline
        self._log_filter = None
        if self.token:
            self._log_filter = _ScrubFilter(self.token)
            logging.getLogger("urllib3").addFilter(self._log_filter)

    # -- addresses ---------------------------------------------------------------------------
    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/api/views/{self.dataset_id}.json"

    @property
    def resource_url(self) -> str:
        return f"{self.base_url}/resource/{self.dataset_id}.json"

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
        if self._log_filter is not None:
            logging.getLogger("urllib3").removeFilter(self._log_filter)
            self._log_filter = None

    # -- one request -------------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        """``text`` with the app token (if any) blanked out."""
        return scrub(text, self.token)

    scrubbed_text = _scrub

    def _ends_at(self, shown: str) -> tuple[float, str]:
        """When the request must be over (monotonic), and which deadline that is."""
        now = time.monotonic()
        ends_at, which = now + self.request_deadline, f"the {self.request_deadline:g} s deadline for one request"
        if self._fetch_ends_at is not None:
            if now >= self._fetch_ends_at:
                raise SocrataError(
                    self._scrub(
                        f"GET {shown}: not sent: the whole fetch passed its {self.fetch_deadline:g} s deadline"
                    ),
                    url=shown,
                )
            if self._fetch_ends_at < ends_at:
                ends_at, which = self._fetch_ends_at, f"the {self.fetch_deadline:g} s deadline for the whole fetch"
        return ends_at, which

    def _arm(self, url: str, ends_at: float) -> None:
        """Give the adapter's retry policy this request's deadline."""
        adapter = self.session.get_adapter(url)
        retry = getattr(adapter, "max_retries", None)
        if isinstance(retry, DeadlineRetry):
            adapter.max_retries = retry.new()
            adapter.max_retries.deadline_at = ends_at

    def _read_body(self, response: requests.Response, shown: str, ends_at: float, which: str) -> bytes:
        """The decoded body, read in chunks against the deadline and the size ceiling."""
        limit = self.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        encoded = response.headers.get("Content-Encoding", "").strip().lower() not in ("", "identity")
        if declared.isdigit() and int(declared) > limit and not encoded:
            raise SocrataError(
                self._scrub(
                    f"GET {shown}: the response declares {int(declared):,} bytes, over the ceiling of "
                    f"{limit:,} bytes for one response; not read"
                ),
                url=shown,
                status=response.status_code,
            )
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > ends_at:
                raise SocrataError(
                    self._scrub(
                        f"GET {shown}: no complete answer within {which} ({size:,} bytes of the body "
                        "received); the server is too slow"
                    ),
                    url=shown,
                    status=response.status_code,
                )
            chunk = response.raw.read1(_READ_CHUNK, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            self.counters.bytes_received += len(chunk)
            if size > limit:
                raise SocrataError(
                    self._scrub(
                        f"GET {shown}: the response is larger than the ceiling of {limit:,} bytes for one "
                        f"response (decoded{', gzip' if encoded else ''}); refused after {size:,} bytes, the "
                        "rest not read"
                    ),
                    url=shown,
                    status=response.status_code,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _attempts_allowed(self, url: str) -> int:
        """Attempts the session makes before giving up on ``url`` (urllib3's error on running
        out of retries does not say how many it made)."""
        retry = getattr(self.session.get_adapter(url), "max_retries", None)
        total = getattr(retry, "total", 0)
        return 1 + total if isinstance(total, int) and not isinstance(total, bool) else 1

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``url`` and return its parsed JSON body, or raise :class:`SocrataError`."""
        shown = url + ("?" + urlencode(params) if params else "")
        ends_at, which = self._ends_at(shown)
        self._arm(url, ends_at)
        remaining = max(0.05, ends_at - time.monotonic())
        timeout = (min(self.timeout[0], remaining), min(self.timeout[1], remaining))
        try:
            # stream=True: the body is read below, so a body cut off in transit is told apart
            # from a request that got no response at all.
            response = self.session.get(url, params=params, timeout=timeout, stream=True)
        except requests.RequestException as exc:
            attempts = self._attempts_allowed(url)
            self.counters.requests += attempts
            late = time.monotonic() >= ends_at - 0.01
            raise SocrataError(
                self._scrub(
                    f"GET {shown} failed with no usable response"
                    + (f" within {which}" if late else f" after {attempts} attempt{'s' if attempts > 1 else ''}")
                    + f": {_reason(exc)}"
                ),
                url=shown,
                status=None,
            ) from None
        self.counters.requests += _attempts_of(response)
        try:
            body = self._read_body(response, shown, ends_at, which)
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
            raise SocrataError(
                self._scrub(
                    f"GET {shown}: the body was cut off in transit (status {response.status_code}): {_reason(exc)}"
                ),
                url=shown,
                status=response.status_code,
            ) from None
        finally:
            response.close()
        status = response.status_code
        if status != 200:
            raise SocrataError(
                self._scrub(
                    f"GET {shown}: HTTP {status} {response.reason}{_retry_note(response)}; body starts {_snippet(body)}"
                ),
                url=shown,
                status=status,
            )
        content_type = response.headers.get("Content-Type", "")
        stripped = body.lstrip()
        if "html" in content_type.lower() or stripped[:1] == b"<":
            raise SocrataError(
                self._scrub(
                    f"GET {shown}: status 200 but the body is an HTML page, not JSON "
                    f"(Content-Type {content_type or 'missing'}); it starts {_snippet(body)}"
                ),
                url=shown,
                status=status,
            )
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SocrataError(
                self._scrub(
                    f"GET {shown}: the body ({len(body):,} bytes) is not complete JSON ({exc}); "
                    f"it ends {_snippet(body[-80:])}. Was the download cut off?"
                ),
                url=shown,
                status=status,
            ) from None

    # -- the dataset -------------------------------------------------------------------------
    def scrubbed(self, exc: SocrataError) -> SocrataError:
        """``exc`` with the app token blanked out of its message and address (a server may echo it)."""
        if self.token and (self.token in str(exc) or self.token in exc.url):
            exc.args = (self._scrub(str(exc)),) + exc.args[1:]
            exc.url = self._scrub(exc.url)
        return exc

    def metadata(self) -> DatasetMetadata:
        try:
            return self._metadata()
        except SocrataError as exc:
            raise self.scrubbed(exc) from None

    def count(self, where: str | None = None) -> int:
        """Number of rows matching ``where`` (``$select=count(*)``)."""
        try:
            return self._count(where)
        except SocrataError as exc:
            raise self.scrubbed(exc) from None

    def fetch_rows(self, where: str | None = None, **options: Any) -> list[dict[str, Any]]:
        """Every row matching ``where``; see :meth:`_fetch_rows` for ``options``."""
        try:
            return self._fetch_rows(where, **options)
        except SocrataError as exc:
            raise self.scrubbed(exc) from None

    def _metadata(self) -> DatasetMetadata:
        """The dataset's metadata: name, ``rowsUpdatedAt`` and its column field names."""
        url = self.metadata_url
        body = self.get_json(url)
        if not isinstance(body, dict):
            raise SocrataError(f"GET {url}: expected a JSON object, got {type(body).__name__}", url=url)
        updated = body.get("rowsUpdatedAt")
        problem = bounds.epoch_rule(updated, self.clock())
        if problem is not None:
            raise SocrataError(
                self._scrub(f"GET {url}: 'rowsUpdatedAt' {json.dumps(updated)[:40]}: {problem}"),
                url=url,
            )
        columns = body.get("columns")
        if not isinstance(columns, list) or not all(
            isinstance(c, dict) and isinstance(c.get("fieldName"), str) for c in columns
        ):
            raise SocrataError(f"GET {url}: 'columns' is not a list of {{'fieldName': ...}}", url=url)
        names = tuple(c["fieldName"] for c in columns if not c["fieldName"].startswith(":"))
        return DatasetMetadata(
            dataset_id=str(body.get("id", self.dataset_id)),
            name=self._scrub(str(body.get("name", ""))),
            attribution=body.get("attribution"),
            rows_updated_at=updated,
            columns=names,
            url=url,
        )

    def _count(self, where: str | None = None) -> int:
        params = {"$select": "count(*)"}
        if where:
            params["$where"] = where
        body = self.get_json(self.resource_url, params)
        shown = self.resource_url + "?" + urlencode(params)
        if not (isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict) and len(body[0]) == 1):
            raise SocrataError(
                f"GET {shown}: expected [{{'count': 'N'}}], got {_snippet(json.dumps(body).encode())}", url=shown
            )
        (value,) = body[0].values()
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SocrataError(f"GET {shown}: the count {value!r} is not an integer", url=shown) from None

    def query_params(self, where: str | None, order: str, page_size: int) -> dict[str, Any]:
        """The query that defines the rows (recorded in the manifest); paging adds ``$offset``."""
        params: dict[str, Any] = {}
        if where:
            params["$where"] = where
        params["$order"] = order
        params["$limit"] = page_size
        return params

    def _fetch_rows(
        self,
        where: str | None = None,
        *,
        order: str = ":id",
        page_size: int = MAX_PAGE_SIZE,
        expected: int | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Every row matching ``where``, paged ``page_size`` at a time in ``order`` until a short page.

        ``expected`` (from :meth:`count`) is checked against the rows received, and bounds the
        paging: a server that keeps returning full pages past it is an error, as is a page that
        repeats the previous one. Every row must be a JSON object of scalar values.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE:,}, got {page_size}")
        base = self.query_params(where, order, page_size)
        rows: list[dict[str, Any]] = []
        previous: list[Any] | None = None
        page_number = 0
        while True:
            params = dict(base, **{"$offset": len(rows)})
            shown = self.resource_url + "?" + urlencode(params)
            page = self.get_json(self.resource_url, params)
            page_number += 1
            if not isinstance(page, list):
                raise SocrataError(f"GET {shown}: expected a JSON array of rows, got {type(page).__name__}", url=shown)
            for position, row in enumerate(page):
                if not isinstance(row, dict) or not all(
                    isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in row.values()
                ):
                    raise SocrataError(
                        f"GET {shown}: row {len(rows) + position + 1} is not an object of scalar "
                        f"values: {_snippet(json.dumps(row).encode())}",
                        url=shown,
                    )
            if page and page == previous:
                raise SocrataError(
                    f"GET {shown}: page {page_number} (offset {len(rows):,}) repeats page "
                    f"{page_number - 1} row for row; the server is not paging by $offset",
                    url=shown,
                )
            rows.extend(page)
            previous = page
            if on_page is not None:
                on_page(page_number, len(rows))
            self.progress.page(page_number, len(rows), expected)
            if expected is not None and len(rows) > expected:
                raise SocrataError(
                    f"GET {shown}: {len(rows):,} rows received so far, more than the "
                    f"{expected:,} that $select=count(*) reported",
                    url=shown,
                )
            if len(page) < page_size:
                break
        if expected is not None and len(rows) != expected:
            raise SocrataError(
                f"{self.resource_url}: paging returned {len(rows):,} rows but $select=count(*) reported {expected:,}",
                url=self.resource_url,
            )
        return rows


# -- helpers -------------------------------------------------------------------------------------
def _snippet(body: bytes, limit: int = 80) -> str:
    text = body[:limit].decode("utf-8", errors="replace")
    return repr(text + ("…" if len(body) > limit else ""))


def _attempts_of(response: requests.Response) -> int:
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", None) or ()
    return 1 + len(history)


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 exception, as one line."""
    inner: BaseException = exc
    for _ in range(5):
        nested = inner.args[0] if inner.args and isinstance(inner.args[0], BaseException) else None
        nested = nested or getattr(inner, "reason", None)
        if not isinstance(nested, BaseException):
            break
        inner = nested
    kind = "timed out" if "timed out" in str(inner).lower() or isinstance(inner, TimeoutError) else ""
    text = f"{type(inner).__name__}: {inner}"
    if kind and "timed out" not in text.lower():
        text += " (timed out)"
    return " ".join(text.split())


def _retry_note(response: requests.Response) -> str:
    attempts = _attempts_of(response)
    return f" (after {attempts} attempts)" if attempts > 1 else ""
