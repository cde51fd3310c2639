"""The HTTP side (analysis.socrata) against the local fake Socrata server: metadata, count,
paging, retries, timeouts, and the errors that name what went wrong."""

from __future__ import annotations

import io
import time

import pytest

from analysis import socrata
from analysis.socrata import Progress, SocrataClient, SocrataError, make_retry
from fake_socrata import (
    API_FIELDS,
    DATASET_ID,
    FAKE_ROWS_UPDATED_AT,
    FakeSocrata,
    closed_port_url,
)

TOKEN = "tok-Zq8-never-on-disk-5150"


def client_for(url: str, *, retries: int = 2, token: str | None = None, timeout=(1.0, 1.0), progress=None):
    """A client with tiny backoff so the fault tests run in well under a second each."""
    return SocrataClient(
        url,
        DATASET_ID,
        token=token,
        timeout=timeout,
        retry=make_retry(retries=retries, backoff_factor=0, max_retry_after=5),
        progress=progress or Progress(enabled=False),
    )


# -- what the fake serves is shaped like the real API ------------------------------------------
def test_fake_rows_have_api_shape(api_rows):
    assert len(api_rows) == 1488
    first = api_rows[0]
    assert set(first) <= set(API_FIELDS)
    assert first["data_value"] == "5496"  # export wrote "5,496": the API has no separators
    assert all("," not in row.get("data_value", "") for row in api_rows)
    assert any("predicted_value" not in row for row in api_rows)  # empty fields are omitted


# -- metadata and count -------------------------------------------------------------------------
def test_metadata_reads_rows_updated_at_and_columns(fake):
    meta = client_for(fake.url).metadata()
    assert meta.rows_updated_at == FAKE_ROWS_UPDATED_AT
    assert meta.columns == API_FIELDS
    assert meta.url == f"{fake.url}/api/views/{DATASET_ID}.json"


def test_metadata_ignores_system_columns(fake):
    fake.metadata["columns"].append({"fieldName": ":@computed_region_x", "name": "region"})
    assert client_for(fake.url).metadata().columns == API_FIELDS


def test_metadata_without_rows_updated_at_is_an_error(fake):
    del fake.metadata["rowsUpdatedAt"]
    with pytest.raises(SocrataError, match="rowsUpdatedAt"):
        client_for(fake.url).metadata()


def test_count_with_and_without_where(fake):
    client = client_for(fake.url)
    assert client.count("state = 'US'") == 1488
    assert client.count("state = 'AK'") == 0
    assert client.count(None) == 1488
    assert fake.requests_to("count")[0].params == {"$select": "count(*)", "$where": "state = 'US'"}


# -- paging ---------------------------------------------------------------------------------------
def test_paging_assembles_all_rows_in_order_until_a_short_page(fake, api_rows):
    stream = io.StringIO()
    client = client_for(fake.url, progress=Progress(stream))
    rows = client.fetch_rows("state = 'US'", page_size=400, expected=1488)
    assert rows == api_rows
    offsets = [int(r.params["$offset"]) for r in fake.requests_to("rows")]
    assert offsets == [0, 400, 800, 1200]
    assert {r.params["$order"] for r in fake.requests_to("rows")} == {":id"}
    assert {r.params["$limit"] for r in fake.requests_to("rows")} == {"400"}
    assert stream.getvalue().splitlines() == [
        "fetch: page 1: 400 rows so far of 1,488",
        "fetch: page 2: 800 rows so far of 1,488",
        "fetch: page 3: 1,200 rows so far of 1,488",
        "fetch: page 4: 1,488 rows so far of 1,488",
    ]


def test_exact_multiple_of_page_size_ends_on_an_empty_page(fake):
    rows = client_for(fake.url).fetch_rows(None, page_size=744, expected=1488)
    assert len(rows) == 1488
    assert [r.params["$offset"] for r in fake.requests_to("rows")] == ["0", "744", "1488"]


def test_a_page_served_twice_is_an_error(fake):
    fake.fail("rows", "repeat_first_page", times=None)
    with pytest.raises(SocrataError, match=r"page 2 \(offset 500\) repeats page 1"):
        client_for(fake.url).fetch_rows(None, page_size=500, expected=1488)


def test_fewer_rows_than_counted_is_an_error(fake):
    with pytest.raises(SocrataError, match="paging returned 1,488 rows but \\$select=count\\(\\*\\) reported 1,500"):
        client_for(fake.url).fetch_rows(None, page_size=1000, expected=1500)


def test_more_rows_than_counted_stops_paging(fake):
    with pytest.raises(SocrataError, match="more than the 900"):
        client_for(fake.url).fetch_rows(None, page_size=1000, expected=900)


def test_rows_must_be_objects_of_scalars(fake):
    fake.rows[3] = {"state": "US", "year": {"nested": 1}}
    with pytest.raises(SocrataError, match="row 4 is not an object of scalar values"):
        client_for(fake.url).fetch_rows(None, page_size=1000)


def test_page_size_is_bounded(fake):
    with pytest.raises(ValueError, match="page_size"):
        client_for(fake.url).fetch_rows(None, page_size=50_001)


# -- retries ---------------------------------------------------------------------------------------
def test_429_honours_retry_after_then_succeeds(fake):
    fake.fail("metadata", "status", status=429, headers={"Retry-After": "1"}, body=b'{"error": "slow down"}')
    client = client_for(fake.url)
    meta = client.metadata()
    assert meta.rows_updated_at == FAKE_ROWS_UPDATED_AT
    first, second = fake.requests_to("metadata")
    assert second.at - first.at >= 0.95  # waited as told, with backoff_factor 0
    assert client.counters.requests == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_then_success(fake, status):
    fake.fail("count", "status", status=status)
    assert client_for(fake.url).count(None) == 1488
    assert len(fake.requests_to("count")) == 2


def test_5xx_forever_names_url_and_last_status(fake):
    fake.fail("rows", "status", status=500, times=None)
    client = client_for(fake.url, retries=2)
    with pytest.raises(SocrataError) as caught:
        client.fetch_rows("state = 'US'", page_size=500)
    error = caught.value
    assert error.status == 500
    assert f"{fake.url}/resource/{DATASET_ID}.json?" in str(error)
    assert "HTTP 500" in str(error) and "after 3 attempts" in str(error)
    assert len(fake.requests_to("rows")) == 3


def test_client_errors_are_not_retried(fake):
    fake.fail("metadata", "status", status=404, body=b'{"error": "not found"}')
    with pytest.raises(SocrataError, match="HTTP 404") as caught:
        client_for(fake.url).metadata()
    assert caught.value.status == 404
    assert len(fake.requests_to("metadata")) == 1


def test_timeout_is_retried_then_reported(fake):
    fake.fail("metadata", "delay", seconds=1.5, times=None)
    client = client_for(fake.url, retries=1, timeout=(1.0, 0.2))
    started = time.monotonic()
    with pytest.raises(SocrataError, match="timed out") as caught:
        client.metadata()
    assert time.monotonic() - started < 1.4  # did not wait for the slow server
    assert caught.value.status is None
    assert f"{fake.url}/api/views/{DATASET_ID}.json" in str(caught.value)
    assert "after 2 attempts" in str(caught.value)


def test_one_timeout_then_success(fake):
    fake.fail("metadata", "delay", seconds=1.0)
    meta = client_for(fake.url, retries=1, timeout=(1.0, 0.3)).metadata()
    assert meta.rows_updated_at == FAKE_ROWS_UPDATED_AT


def test_connection_refused_names_url():
    url = closed_port_url()
    with pytest.raises(SocrataError, match="no usable response after 2 attempts") as caught:
        client_for(url, retries=1).metadata()
    assert caught.value.url == f"{url}/api/views/{DATASET_ID}.json"
    assert caught.value.status is None


# -- bodies that are not what they claim -------------------------------------------------------------
def test_html_error_page_with_status_200(fake):
    fake.fail("rows", "html")
    with pytest.raises(SocrataError, match="status 200 but the body is an HTML page") as caught:
        client_for(fake.url).fetch_rows(None, page_size=500)
    assert "Service Unavailable" in str(caught.value)


def test_body_cut_off_in_transit(fake):
    fake.fail("rows", "truncate")
    with pytest.raises(SocrataError, match="cut off"):
        client_for(fake.url).fetch_rows(None, page_size=500)


def test_body_ending_mid_row(fake):
    fake.fail("rows", "cut")
    with pytest.raises(SocrataError, match="not complete JSON"):
        client_for(fake.url).fetch_rows(None, page_size=500)


# -- the token ----------------------------------------------------------------------------------------
def test_token_is_sent_as_header_and_never_in_urls(fake):
    client_for(fake.url, token=TOKEN).count(None)
    (request,) = fake.requests_to("count")
    assert request.headers.get("X-App-Token") == TOKEN
    assert TOKEN not in request.path and TOKEN not in str(request.params)


def test_token_is_not_forwarded_to_another_host_on_redirect(fake, api_rows):
    with FakeSocrata([dict(row) for row in api_rows]) as elsewhere:
        target = f"{elsewhere.url}/api/views/{DATASET_ID}.json"
        fake.fail("metadata", "status", status=302, headers={"Location": target}, body=b"")
        meta = client_for(fake.url, token=TOKEN).metadata()
        assert meta.rows_updated_at == FAKE_ROWS_UPDATED_AT
        assert fake.requests_to("metadata")[0].headers.get("X-App-Token") == TOKEN
        (followed,) = elsewhere.requests_to("metadata")
        assert "X-App-Token" not in followed.headers


def test_no_token_no_header(fake):
    client_for(fake.url).count(None)
    assert "X-App-Token" not in fake.requests_to("count")[0].headers


def test_token_echoed_by_server_is_scrubbed_from_errors(fake):
    fake.fail("metadata", "status", status=403, body=f'{{"message": "bad token {TOKEN}"}}'.encode())
    with pytest.raises(SocrataError) as caught:
        client_for(fake.url, token=TOKEN).metadata()
    assert TOKEN not in str(caught.value)
    assert "[app token]" in str(caught.value)
    assert TOKEN not in repr(client_for(fake.url, token=TOKEN))


def test_counters_count_requests_and_bytes(fake):
    client = client_for(fake.url)
    client.metadata()
    assert client.counters.requests == 1
    assert client.counters.bytes_received > 0


def test_progress_can_be_silenced():
    stream = io.StringIO()
    Progress(stream, enabled=False).page(1, 10, 20)
    assert stream.getvalue() == ""
    Progress(stream).page(2, 1234)
    assert stream.getvalue() == "fetch: page 2: 1,234 rows so far\n"


def test_retry_policy_uses_urllib3():
    retry = make_retry(retries=3, backoff_factor=0.5, max_retry_after=60)
    assert retry.total == 3 and retry.status_forcelist == socrata.RETRY_STATUSES
    assert retry.respect_retry_after_header and retry.allowed_methods == frozenset({"GET"})
    assert retry.retry_after_max == 60
