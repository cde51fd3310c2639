"""A local stand-in for data.cdc.gov that speaks enough of the Socrata API for the refresh tests.

Serves, on 127.0.0.1 and a free port, in a background thread:

* ``GET /api/views/<id>.json``: the dataset metadata (``id``, ``name``, ``attribution``,
  ``rowsUpdatedAt``, ``columns[].fieldName``);
* ``GET /resource/<id>.json``: rows, honouring ``$where`` (only ``state = 'A' OR state = 'B'``, the form
  :func:`analysis.refresh.where_clause` writes), ``$order`` (only ``:id``), ``$limit``, ``$offset``,
  and ``$select=count(*)``. Anything else gets a 400 with a Socrata-style JSON error, so a query
  the real API would not understand fails here too.

Rows come from the project's committed snapshot ``data/raw/cdc_vsrr.csv`` (CDC's export schema)
converted to the API's shape: snake_case keys, numbers as strings without thousands
separators, empty fields omitted. No value is made up.

Faults are queued per endpoint (``"metadata"``, ``"count"``, ``"rows"``) with :meth:`FakeSocrata.fail`
and consumed one per matching request (after letting ``skip`` requests through);
``times=None`` repeats forever. Every request is recorded
(path, query, headers, time) in :attr:`FakeSocrata.log` so a test can assert what was asked.
"""

from __future__ import annotations

import csv
import json
import re
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DATASET_ID = "xkb8-kh2a"
#: A rowsUpdatedAt for the fake (2025-09-17 12:00 UTC): a fixture value, not CDC's.
FAKE_ROWS_UPDATED_AT = 1758110400

#: Export header -> API field, and the API's column order (the dataset's own).
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
NUMERIC_FIELDS = {"data_value", "percent_complete", "percent_pending_investigation", "predicted_value"}

_WHERE = re.compile(r"^state = '[A-Z]{2}'( OR state = '[A-Z]{2}')*$")


def api_rows_from_export(path: str | Path) -> list[dict[str, str]]:
    """Rows of a CDC export CSV in the resource API's JSON shape (see module docstring)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = []
        for record in reader:
            row = {}
            for header, value in record.items():
                if value == "":
                    continue
                key = EXPORT_TO_API[header]
                row[key] = value.replace(",", "") if key in NUMERIC_FIELDS else value
            rows.append(row)
    return rows


def default_metadata(rows_updated_at: int = FAKE_ROWS_UPDATED_AT) -> dict[str, Any]:
    """Metadata in the shape of ``/api/views/<id>.json`` (the fields the refresh reads, and a few more)."""
    return {
        "id": DATASET_ID,
        "name": "VSRR Provisional Drug Overdose Death Counts",
        "attribution": "National Center for Health Statistics",
        "rowsUpdatedAt": rows_updated_at,
        "viewLastModified": rows_updated_at + 60,
        "columns": [
            {
                "id": 1000 + position,
                "name": header,
                "fieldName": key,
                "dataTypeName": "number" if key in NUMERIC_FIELDS else "text",
                "position": position,
            }
            for position, (header, key) in enumerate(EXPORT_TO_API.items(), start=1)
        ],
    }


@dataclass
class Fault:
    """One misbehaviour. ``kind``: ``status`` (send ``status`` with ``headers`` and ``body``),
    ``html`` (an HTML error page with status 200), ``delay`` (wait ``seconds``, then answer
    normally), ``truncate`` (declare the full length, send half, close), ``cut`` (send the first
    half of the body as if complete), ``repeat_first_page`` (serve offset 0 whatever is asked),
    ``trickle`` (send the answer ``chunk`` bytes every ``seconds``), ``huge`` (a JSON array padded
    with spaces to ``size`` bytes, streamed in pieces, with ``Content-Length`` only if ``declare``),
    ``gzip_bomb`` (the same, gzip-encoded: a few hundred kB on the wire), ``echo`` (copy the
    request's ``X-App-Token`` into the answer: as a column's ``fieldName`` of the metadata, or as
    the first row's ``data_value``)."""

    kind: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"error": true, "message": "Internal error"}'
    seconds: float = 0.0
    times: int | None = 1  # None: forever
    skip: int = 0  # let this many matching requests through first
    chunk: int = 2
    size: int = 0
    declare: bool = False


@dataclass
class Recorded:
    path: str
    endpoint: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float


class FakeSocrata:
    """The fake server. Use as a context manager, or :meth:`start` / :meth:`stop`."""

    def __init__(self, rows: list[dict[str, Any]], metadata: dict[str, Any] | None = None):
        self.rows = rows
        self.metadata = metadata if metadata is not None else default_metadata()
        self.faults: dict[str, list[Fault]] = {"metadata": [], "count": [], "rows": []}
        self.log: list[Recorded] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------------
    def start(self) -> FakeSocrata:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-socrata", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSocrata:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail(self, endpoint: str, kind: str, *, times: int | None = 1, **options: Any) -> None:
        """Queue a :class:`Fault` for the next request(s) to ``endpoint``."""
        if endpoint not in self.faults:
            raise ValueError(f"endpoint must be one of {', '.join(self.faults)}")
        self.faults[endpoint].append(Fault(kind, times=times, **options))

    def requests_to(self, endpoint: str) -> list[Recorded]:
        return [entry for entry in self.log if entry.endpoint == endpoint]

    # -- serving ---------------------------------------------------------------------------
    def _next_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            queue = self.faults[endpoint]
            if not queue:
                return None
            fault = queue[0]
            if fault.skip > 0:
                fault.skip -= 1
                return None
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
            return fault

    def _record(self, entry: Recorded) -> None:
        with self._lock:
            self.log.append(entry)


def closed_port_url() -> str:
    """An http://127.0.0.1 address where nothing listens (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeSocrata
    error_content_type = "text/html"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        fake = self.server_fake
        parts = urlsplit(self.path)
        params = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.path == f"/api/views/{DATASET_ID}.json":
            endpoint = "metadata"
        elif parts.path == f"/resource/{DATASET_ID}.json":
            endpoint = "count" if params.get("$select") == "count(*)" else "rows"
        else:
            endpoint = "other"
        fake._record(Recorded(parts.path, endpoint, params, dict(self.headers.items()), time.monotonic()))
        if endpoint == "other":
            return self._send(404, _json({"error": True, "message": f"not found: {parts.path}"}))

        fault = fake._next_fault(endpoint)
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
            fault = None
        if fault is not None and fault.kind == "status":
            return self._send(fault.status, fault.body, headers=fault.headers)
        if fault is not None and fault.kind == "html":
            page = (
                b"<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>"
                b"<body><h1>We'll be back soon</h1><p>data.cdc.gov is down for maintenance.</p></body></html>\n"
            )
            return self._send(200, page, content_type="text/html; charset=utf-8")

        if fault is not None and fault.kind in ("huge", "gzip_bomb"):
            return self._send_padding(fault)
        try:
            body = self._answer(endpoint, params, fault)
        except _BadQuery as exc:
            return self._send(400, _json({"error": True, "code": "query.compiler.malformed", "message": str(exc)}))

        if fault is not None and fault.kind == "truncate":
            return self._send(200, body, cut_to=len(body) // 2)
        if fault is not None and fault.kind == "cut":
            return self._send(200, body[: len(body) // 2])
        if fault is not None and fault.kind == "trickle":
            return self._send(200, body, trickle=(fault.chunk, fault.seconds))
        return self._send(200, body)

    def _send_padding(self, fault: Fault) -> None:
        """A valid JSON array padded to ``fault.size`` bytes, sent piece by piece (never held whole)."""
        piece = 1 << 20
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            if fault.kind == "gzip_bomb":
                body = _gzip_padding(fault.size)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
            else:
                if fault.declare:
                    self.send_header("Content-Length", str(fault.size))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b"[")
                left = fault.size - 2
                while left > 0:
                    n = min(piece, left)
                    self.wfile.write(b" " * n)
                    left -= n
                self.wfile.write(b"]")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what the size ceiling is for
        self.close_connection = True

    def _answer(self, endpoint: str, params: dict[str, str], fault: Fault | None) -> bytes:
        fake = self.server_fake
        echoed = self.headers.get("X-App-Token", "") if fault is not None and fault.kind == "echo" else ""
        if endpoint == "metadata":
            if echoed:
                meta = json.loads(json.dumps(fake.metadata))
                meta["columns"].append({"id": 9999, "name": "echo", "fieldName": echoed, "position": 99})
                return _json(meta)
            return _json(fake.metadata)
        rows = _filter(fake.rows, params.get("$where"))
        if echoed and rows:
            rows = [dict(rows[0], data_value=echoed), *rows[1:]]
        if endpoint == "count":
            extra = set(params) - {"$select", "$where"}
            if extra:
                raise _BadQuery(f"unexpected parameters with count(*): {sorted(extra)}")
            return _json([{"count": str(len(rows))}])
        extra = set(params) - {"$where", "$order", "$limit", "$offset"}
        if extra:
            raise _BadQuery(f"unsupported parameters: {sorted(extra)}")
        if params.get("$order", ":id") != ":id":
            raise _BadQuery(f"the fake only orders by :id, got {params['$order']!r}")
        try:
            limit = int(params.get("$limit", "1000"))
            offset = int(params.get("$offset", "0"))
        except ValueError as exc:
            raise _BadQuery(f"bad $limit/$offset: {exc}") from None
        if not 0 < limit <= 50_000 or offset < 0:
            raise _BadQuery(f"$limit must be 1..50000 and $offset >= 0, got {limit}, {offset}")
        if fault is not None and fault.kind == "repeat_first_page":
            offset = 0
        return _json(rows[offset : offset + limit])

    def _send(
        self,
        status: int,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json;charset=utf-8",
        cut_to: int | None = None,
        trickle: tuple[int, float] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            if trickle is not None:
                size, pause = trickle
                for start in range(0, len(body), size):
                    self.wfile.write(body[start : start + size])
                    self.wfile.flush()
                    time.sleep(pause)
            else:
                self.wfile.write(body if cut_to is None else body[:cut_to])
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to do
        self.close_connection = True


class _BadQuery(ValueError):
    pass


def _filter(rows: list[dict[str, Any]], where: str | None) -> list[dict[str, Any]]:
    if where is None:
        return rows
    match = _WHERE.match(where)
    if not match:
        raise _BadQuery(f"the fake understands only \"state = 'XX' OR ...\", got {where!r}")
    codes = set(re.findall(r"'([A-Z]{2})'", where))
    return [row for row in rows if row.get("state") in codes]


_GZIP_CACHE: dict[int, bytes] = {}


def _gzip_padding(size: int) -> bytes:
    """gzip of a JSON array padded with spaces to ``size`` bytes (made once per size)."""
    if size not in _GZIP_CACHE:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
        parts = [packer.compress(b"[")]
        block = b" " * (1 << 20)
        left = size - 2
        while left > 0:
            parts.append(packer.compress(block[: min(len(block), left)]))
            left -= len(block)
        parts.append(packer.compress(b"]"))
        parts.append(packer.flush())
        _GZIP_CACHE[size] = b"".join(parts)
    return _GZIP_CACHE[size]


def _json(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")
