"""List pagination: page numbers with a count for suppliers, cursors (newest first) for operators, and a number of
SQL queries per list request that does not grow with the data."""

from base64 import b64encode
from urllib.parse import parse_qs, urlsplit

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


def cursor_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


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


# --- operators: cursors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_operator_pages_walk_every_row_once_newest_first_and_back(operator_client, supplier, operator, url):
    populate(supplier, operator, copies=3)

    pages, link = [], url + "?page_size=4"
    while link:
        body = operator_client.get(link).json()
        assert "count" not in body
        pages.append([item["id"] for item in body["results"]])
        link = body["next"]
    walked = [pk for page in pages for pk in page]

    newest_first = operator_client.get(url, {"page_size": 100}).json()["results"]
    assert walked == [item["id"] for item in newest_first]
    assert walked == sorted(walked, reverse=True) and len(walked) == len(set(walked)) > 8

    second = operator_client.get(url, {"page_size": 4}).json()["next"]
    previous = operator_client.get(second).json()["previous"]
    assert [item["id"] for item in operator_client.get(previous).json()["results"]] == pages[0]


def test_operator_filtered_pages_hold_only_that_state(operator_client, supplier, operator):
    populate(supplier, operator, copies=3)

    first = operator_client.get("/api/payments/", {"status": "U", "page_size": 2}).json()
    second = operator_client.get(first["next"]).json()

    assert {item["status"] for item in first["results"] + second["results"]} == {"U"}
    assert first["results"][-1]["id"] > second["results"][0]["id"]


@pytest.mark.parametrize("url", LISTS)
def test_operators_may_not_page_by_number(operator_client, url):
    assert_problem(operator_client.get(url, {"page": 2}), 400, "validation-error", fields={"page"})


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
    first = operator_client.get("/api/payments/", {"page_size": 2}).json()

    PaymentFactory.create_batch(5, supplier=supplier)
    second = operator_client.get(first["next"]).json()

    assert [item["id"] for item in second["results"]] == [older[0].pk]


# --- suppliers: page numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_supplier_pages_are_numbered_and_counted(supplier_client, supplier, operator, url):
    populate(supplier, operator, copies=3)

    body = supplier_client.get(url, {"page_size": 4}).json()

    assert body["count"] > 8
    assert body["previous"] is None
    assert body["next"].endswith(f"{url}?page=2&page_size=4")
    ids = [item["id"] for item in body["results"]]
    assert ids == sorted(ids)


def test_a_supplier_page_counts_every_row_it_is_cut_from(supplier_client, supplier):
    payments = PaymentFactory.create_batch(23, supplier=supplier)

    pages = [supplier_client.get("/api/payments/", {"page": page}).json() for page in (1, 2, 3)]
    last = supplier_client.get("/api/payments/", {"page": "last"}).json()

    assert [page["count"] for page in pages] == [23, 23, 23]
    assert [item["id"] for page in pages for item in page["results"]] == [payment.pk for payment in payments]
    assert last == pages[2]


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


def test_an_empty_supplier_list_counts_nothing(supplier_client, supplier):
    assert supplier_client.get("/api/payments/").json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_supplier_page_past_the_end_is_not_found(supplier_client, supplier):
    PaymentFactory.create_batch(3, supplier=supplier)

    assert_problem(supplier_client.get("/api/payments/", {"page": 2}), 404, "not-found")


def test_a_supplier_cursor_is_ignored(supplier_client, supplier, operator):
    populate(supplier, operator, copies=1)
    cursor = b64encode(b"p=1").decode()

    assert supplier_client.get("/api/payments/", {"cursor": cursor}).json()["count"] == 5


# --- queries per request ------------------------------------------------------------------------------------------


def queries_for(client, url: str) -> int:
    """Queries of one request, its user already authenticated once (and so cached, as between real requests)."""
    client.get("/api/payments/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    assert response.json()["results"]
    return len(queries)


def list_urls() -> list[str]:
    return [f"/api/payments/?status={status}" for status in STATUS_FILTERS] + LISTS[1:]


# The authenticated user comes from the cache (users/tests/test_authentication.py counts the query when it does
# not); then a supplier's list fetches the page with the count of its rows, and an operator's fetches the page
# after the cursor's position.
EXPECTED_QUERIES = {"supplier": 1, "operator": 1}


@pytest.mark.parametrize("reader", ["supplier", "operator"])
def test_list_queries_do_not_grow_with_the_data(supplier_client, operator_client, supplier, operator, reader):
    client = supplier_client if reader == "supplier" else operator_client

    populate(supplier, operator, copies=1)
    few = {url: queries_for(client, url) for url in list_urls()}
    populate(supplier, operator, copies=15)
    many = {url: queries_for(client, url) for url in list_urls()}

    assert few == many == dict.fromkeys(list_urls(), EXPECTED_QUERIES[reader])


@pytest.mark.parametrize("url", ["/api/payments/", "/api/anticipations/", "/api/logs/"])
def test_later_operator_pages_cost_the_same_queries(operator_client, supplier, operator, url):
    populate(supplier, operator, copies=5)
    second = operator_client.get(url, {"page_size": 3}).json()["next"]

    assert queries_for(operator_client, second) == EXPECTED_QUERIES["operator"]
