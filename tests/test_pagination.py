"""List pagination: seed 002's numbered pages with an exact count for suppliers and operators alike, an opt-in
cursor, page numbers that never reach the database as an impossible OFFSET, and a number of SQL queries per list
request that does not grow with the data."""

from base64 import b64encode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments_api.common.tests.problems import assert_problem
from payments_api.payments.models import AnticipationStatus
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction

LISTS = ["/api/payments/", "/api/anticipations/", "/api/logs/"]
STATUS_FILTERS = ["", "A", "U", "PC", "AN", "D"]
DECISIONS = {AnticipationStatus.APPROVED: RequestLogAction.APPROVED, AnticipationStatus.DENIED: RequestLogAction.DENIED}
SHAPE = {"count", "next", "previous", "results"}


def populate(supplier, operator, *, copies: int) -> None:
    """`copies` payments in each of the five states, each anticipation with its request (and decision) logged."""
    for _ in range(copies):
        PaymentFactory(supplier=supplier, due_date=days(30))
        PaymentFactory(supplier=supplier, due_date=days(-1))
        for status, due in [
            (AnticipationStatus.PENDING_CONFIRMATION, 30),
            (AnticipationStatus.APPROVED, 30),
            (AnticipationStatus.DENIED, 30),
        ]:
            anticipation = AnticipationFactory(payment__supplier=supplier, payment__due_date=days(due), status=status)
            RequestLog.objects.create(anticipation=anticipation, user=supplier.user, action=RequestLogAction.REQUESTED)
            if status in DECISIONS:
                RequestLog.objects.create(anticipation=anticipation, user=operator, action=DECISIONS[status])


def walk(client, link: str) -> tuple[list[int], set[int]]:
    """Every id of a list, following its next links; and the counts its pages gave."""
    walked, counts = [], set()
    while link:
        body = client.get(link).json()
        assert body.keys() == SHAPE
        walked += [item["id"] for item in body["results"]]
        counts.add(body["count"])
        link = body["next"]
    return walked, counts


# --- the seed's shape, for everyone -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_operator_pages_are_numbered_counted_and_newest_first(operator_client, supplier, operator, url):
    populate(supplier, operator, copies=3)

    body = operator_client.get(url, {"page_size": 4}).json()
    walked, counts = walk(operator_client, f"{url}?page_size=4")

    assert body.keys() == SHAPE and body["previous"] is None
    assert body["next"].endswith(f"{url}?page=2&page_size=4")
    assert counts == {len(walked)} and len(walked) > 8
    assert walked == sorted(walked, reverse=True) and len(set(walked)) == len(walked)
    second = operator_client.get(url, {"page_size": 4, "page": 2}).json()
    assert second["previous"].endswith(f"{url}?page_size=4")


@pytest.mark.parametrize("url", LISTS)
def test_supplier_pages_are_numbered_and_counted_in_id_order(supplier_client, supplier, operator, url):
    populate(supplier, operator, copies=3)

    body = supplier_client.get(url, {"page_size": 4}).json()
    walked, counts = walk(supplier_client, f"{url}?page_size=4")

    assert body["previous"] is None
    assert body["next"].endswith(f"{url}?page=2&page_size=4")
    assert counts == {len(walked)} and len(walked) > 8
    assert walked == sorted(walked)


def test_a_supplier_page_counts_every_row_it_is_cut_from(supplier_client, supplier):
    payments = PaymentFactory.create_batch(23, supplier=supplier)

    pages = [supplier_client.get("/api/payments/", {"page": page}).json() for page in (1, 2, 3)]
    last = supplier_client.get("/api/payments/", {"page": "last"}).json()

    assert [page["count"] for page in pages] == [23, 23, 23]
    assert [item["id"] for page in pages for item in page["results"]] == [payment.pk for payment in payments]
    assert last == pages[2]


def test_an_operators_last_page_is_the_oldest_rows(operator_client, supplier):
    payments = PaymentFactory.create_batch(23, supplier=supplier)

    last = operator_client.get("/api/payments/", {"page": "last"}).json()

    assert last["count"] == 23
    assert [item["id"] for item in last["results"]] == [payment.pk for payment in reversed(payments[:3])]


@pytest.mark.parametrize("status", STATUS_FILTERS[1:])
def test_a_filtered_supplier_page_counts_its_own_rows_in_that_state(
    supplier_client, supplier, other_supplier, operator, status
):
    populate(supplier, operator, copies=3)
    populate(other_supplier, operator, copies=2)

    second = supplier_client.get("/api/payments/", {"status": status, "page_size": 2, "page": 2}).json()

    assert second["count"] == 3
    assert len(second["results"]) == 1
    assert {item["status"] for item in second["results"]} == {status}
    assert_problem(supplier_client.get("/api/payments/", {"status": status, "page_size": 2, "page": 3}), 404)


@pytest.mark.parametrize("url", LISTS)
def test_an_empty_list_counts_nothing(supplier_client, operator_client, url):
    for client in (supplier_client, operator_client):
        assert client.get(url).json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("reader", ["supplier", "operator"])
def test_a_page_past_the_end_is_not_found(supplier_client, operator_client, supplier, reader):
    PaymentFactory.create_batch(3, supplier=supplier)
    client = supplier_client if reader == "supplier" else operator_client

    assert_problem(client.get("/api/payments/", {"page": 2}), 404, "not-found")


# --- page numbers no table can reach ------------------------------------------------------------------------------

HUGE_PAGES = [10**17, 10**18 - 1, 10**18, 10**30]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("page", HUGE_PAGES)
@pytest.mark.parametrize("page_size", [10, 100])
@pytest.mark.parametrize("reader", ["supplier", "operator"])
def test_a_huge_page_number_is_not_found(supplier_client, operator_client, supplier, operator, url, page, page_size,
                                         reader):
    populate(supplier, operator, copies=1)
    client = supplier_client if reader == "supplier" else operator_client

    assert_problem(client.get(url, {"page": page, "page_size": page_size}), 404, "not-found")


@pytest.mark.parametrize("url", LISTS)
def test_a_huge_page_number_costs_one_query_or_none(operator_client, supplier, operator, url):
    """An OFFSET past any bigint is never sent; a smaller one goes with the page's query, whose count guards the scan
    (docs/performance.md)."""
    populate(supplier, operator, copies=1)
    operator_client.get(url)

    with CaptureQueriesContext(connection) as queries:
        assert_problem(operator_client.get(url, {"page": 10**17, "page_size": 100}), 404)
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        assert_problem(operator_client.get(url, {"page": 10**17}), 404)
    assert len(queries) == 1 and f"OFFSET {(10**17 - 1) * 10}" in queries[0]["sql"]


# --- the opt-in cursor --------------------------------------------------------------------------------------------


def cursor_walk(client, url: str) -> tuple[list[list[int]], set[int]]:
    pages, counts, link = [], set(), f"{url}?cursor=&page_size=4"
    while link:
        body = client.get(link).json()
        assert body.keys() == SHAPE
        pages.append([item["id"] for item in body["results"]])
        counts.add(body["count"])
        link = body["next"]
    return pages, counts


@pytest.mark.parametrize("url", LISTS)
def test_a_cursor_walks_every_row_once_in_the_lists_order_and_back(
    operator_client, supplier_client, supplier, operator, url
):
    populate(supplier, operator, copies=3)

    for client, newest_first in ((operator_client, True), (supplier_client, False)):
        pages, counts = cursor_walk(client, url)
        walked = [pk for page in pages for pk in page]
        numbered = [item["id"] for item in client.get(url, {"page_size": 100}).json()["results"]]
        assert walked == numbered == sorted(walked, reverse=newest_first)
        assert counts == {len(walked)} and len(walked) > 8

        second = client.get(f"{url}?cursor=&page_size=4").json()["next"]
        previous = client.get(second).json()["previous"]
        assert [item["id"] for item in client.get(previous).json()["results"]] == pages[0]


def test_a_cursor_page_holds_only_the_filtered_state(operator_client, supplier, operator):
    populate(supplier, operator, copies=3)

    first = operator_client.get("/api/payments/", {"cursor": "", "status": "U", "page_size": 2}).json()
    second = operator_client.get(first["next"]).json()

    assert first["count"] == second["count"] == 3
    assert {item["status"] for item in first["results"] + second["results"]} == {"U"}
    assert first["results"][-1]["id"] > second["results"][0]["id"]


@pytest.mark.parametrize("url", LISTS)
def test_page_and_cursor_together_are_a_validation_problem(operator_client, url):
    assert_problem(operator_client.get(url, {"page": 2, "cursor": ""}), 400, "validation-error", fields={"page"})


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "é",
        b64encode(b"p=abc").decode(),
        b64encode(b"p=-1").decode(),
        b64encode(b"p=0").decode(),
        b64encode(b"p=1.5").decode(),
        b64encode(b"p=").decode(),
        b64encode(b"p=99999999999999999999999").decode(),
        b64encode(b"r=yes&p=5").decode(),
        b64encode(b"o=-3").decode(),
        b64encode(b"p=" + b"9" * 5000).decode(),
    ],
)
def test_a_forged_cursor_is_a_not_found_problem(operator_client, supplier, operator, cursor):
    populate(supplier, operator, copies=1)

    assert_problem(operator_client.get("/api/payments/", {"cursor": cursor}), 404, "not-found")


def test_a_cursor_keeps_its_place_when_rows_are_added(operator_client, supplier):
    older = PaymentFactory.create_batch(3, supplier=supplier)
    first = operator_client.get("/api/payments/", {"cursor": "", "page_size": 2}).json()

    PaymentFactory.create_batch(5, supplier=supplier)
    second = operator_client.get(first["next"]).json()

    assert [item["id"] for item in second["results"]] == [older[0].pk]
    assert second["count"] == 8


# --- queries per request ------------------------------------------------------------------------------------------


def queries_for(client, url: str) -> int:
    """Queries of one request, its user already authenticated once (and so cached, as between real requests)."""
    client.get("/api/payments/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    assert response.json()["results"]
    return len(queries)


def list_urls(supplier, anticipation) -> list[str]:
    payments = [f"/api/payments/?status={status}" for status in STATUS_FILTERS]
    payments += [
        f"/api/payments/?supplier={supplier.pk}&status=A",
        f"/api/payments/?due_date_after={days(1)}&due_date_before={days(60)}&status=PC",
        "/api/payments/?page=2&page_size=2",
        "/api/payments/?cursor=&page_size=2",
    ]
    others = ["/api/anticipations/", "/api/anticipations/?status=A", "/api/anticipations/?page=2&page_size=2"]
    others += ["/api/logs/", "/api/logs/?action=R", f"/api/logs/?anticipation={anticipation.pk}"]
    return payments + others


@pytest.mark.parametrize("reader", ["supplier", "operator"])
def test_list_queries_do_not_grow_with_the_data(supplier_client, operator_client, supplier, operator, reader):
    """The authenticated user comes from the cache (users/tests/test_authentication.py counts the query when it does
    not); then every list, filtered or not, on any page, fetches its page and its count in one query."""
    client = supplier_client if reader == "supplier" else operator_client

    populate(supplier, operator, copies=1)
    urls = list_urls(supplier, RequestLog.objects.earliest("id").anticipation)
    few = {url: queries_for(client, url) for url in urls}
    populate(supplier, operator, copies=15)
    many = {url: queries_for(client, url) for url in urls}

    assert few == many == dict.fromkeys(urls, 1)
