"""The queue filters of /api/payments/ and /api/anticipations/ (django-filter), and the exact count of every
filtered list, for operators (added up from the kept counts) and suppliers (their rows counted)."""

import itertools
from decimal import Decimal

import pytest

from payments_api.common.filters import ListFilterSet
from payments_api.common.tests.problems import assert_problem
from payments_api.payments.models import Anticipation, AnticipationStatus, Decision, Payment, PaymentStatus
from payments_api.payments.selectors import payments_visible_to
from payments_api.payments.services import anticipation_decide, anticipation_request, payment_create
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days

PAYMENTS, ANTICIPATIONS = "/api/payments/", "/api/anticipations/"


def every_id(client, url: str, params: dict) -> tuple[list[int], int]:
    """All the ids of a filtered list, walking its pages, and the count its first page gave."""
    body = client.get(url, {**params, "page_size": 100}).json()
    count, ids = body["count"], [item["id"] for item in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        assert body["count"] == count
        ids += [item["id"] for item in body["results"]]
    return ids, count


@pytest.fixture
def queue(supplier, other_supplier):
    """Payments of two suppliers in every state, due on several days."""
    for owner, offset in itertools.product((supplier, other_supplier), (-5, 0, 3, 30)):
        PaymentFactory(supplier=owner, due_date=days(offset))
        for status in AnticipationStatus.values:
            AnticipationFactory(payment__supplier=owner, payment__due_date=days(offset + 1), status=status)


def expected(user, *, status="", supplier=None, after=None, before=None) -> list[int]:
    rows = payments_visible_to(user=user, status=status or None)
    if supplier is not None:
        rows = rows.filter(supplier_id=supplier)
    if after is not None:
        rows = rows.filter(due_date__gte=after)
    if before is not None:
        rows = rows.filter(due_date__lte=before)
    return list(rows.values_list("id", flat=True))


@pytest.mark.parametrize("status", ["", *PaymentStatus.values])
@pytest.mark.parametrize("dates", [{}, {"after": 0}, {"before": 1}, {"after": -4, "before": 4}, {"after": 40}])
@pytest.mark.parametrize("by_supplier", [False, True])
def test_an_operators_filtered_list_holds_and_counts_exactly_its_rows(
    operator_client, operator, supplier, queue, status, dates, by_supplier
):
    bounds = {name: days(offset) for name, offset in dates.items()}
    params = {"status": status, **{f"due_date_{name}": day.isoformat() for name, day in bounds.items()}}
    if by_supplier:
        params["supplier"] = supplier.pk

    ids, count = every_id(operator_client, PAYMENTS, params)

    rows = expected(operator, status=status, supplier=supplier.pk if by_supplier else None, **bounds)
    assert ids == rows and count == len(rows)
    assert ids == sorted(ids, reverse=True)


@pytest.mark.parametrize("status", ["", *PaymentStatus.values])
def test_a_suppliers_filtered_list_holds_and_counts_its_own_rows(supplier_client, supplier, queue, status):
    params = {"status": status, "due_date_after": days(0).isoformat()}

    ids, count = every_id(supplier_client, PAYMENTS, params)

    rows = expected(supplier.user, status=status, after=days(0))
    assert ids == rows and count == len(rows) and ids == sorted(ids)


@pytest.mark.parametrize("url", [PAYMENTS, ANTICIPATIONS])
def test_a_list_asked_without_filters_builds_no_filter_set_and_answers_as_with_empty_ones(
    operator_client, queue, url, monkeypatch
):
    with_empty_filters = operator_client.get(url, {"status": "", "unknown": "x", "page_size": 100}).json()

    def refuse(*args, **kwargs):
        raise AssertionError("a filter set was built")

    monkeypatch.setattr(ListFilterSet, "__init__", refuse)
    unfiltered = operator_client.get(url, {"unknown": "x", "page_size": 100}).json()

    assert (unfiltered["count"], unfiltered["results"]) == (with_empty_filters["count"], with_empty_filters["results"])
    assert unfiltered["count"] == len(unfiltered["results"]) > 0


def test_a_supplier_naming_another_supplier_gets_an_empty_page(supplier_client, other_supplier, supplier, queue):
    assert supplier_client.get(PAYMENTS, {"supplier": other_supplier.pk}).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    own = supplier_client.get(PAYMENTS, {"supplier": supplier.pk}).json()
    assert own["count"] == Payment.objects.filter(supplier=supplier).count()


@pytest.mark.parametrize("status", ["", *AnticipationStatus.values, "pc", " a "])
def test_an_anticipations_status_filter_holds_and_counts_exactly_its_rows(
    operator_client, supplier_client, supplier, queue, status
):
    wanted = status.strip().upper()
    for client, rows in (
        (operator_client, Anticipation.objects.order_by("-id")),
        (supplier_client, Anticipation.objects.filter(payment__supplier=supplier).order_by("id")),
    ):
        ids, count = every_id(client, ANTICIPATIONS, {"status": status})
        if wanted:
            rows = rows.filter(status=wanted)
        assert ids == list(rows.values_list("id", flat=True)) and count == len(ids) > 0


@pytest.mark.parametrize("url", [PAYMENTS, ANTICIPATIONS])
def test_a_count_moves_by_exactly_the_rows_added(operator_client, supplier_client, supplier, operator, queue, url):
    states = PaymentStatus.values if url == PAYMENTS else AnticipationStatus.values

    def counts():
        return {
            (reader, status): client.get(url, {"status": status}).json()["count"]
            for reader, client in (("operator", operator_client), ("supplier", supplier_client))
            for status in ("", *states)
        }

    before = counts()
    payment = payment_create(created_by=supplier.user, supplier=supplier, due_date=days(12), value=Decimal("10.00"))
    payment_create(created_by=supplier.user, supplier=supplier, due_date=days(13), value=Decimal("10.00"))
    after_create = counts()
    anticipation = anticipation_request(payment=payment, new_due_date=days(2), requested_by=supplier.user)
    after_request = counts()
    anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=operator)
    after_decision = counts()

    def moved(later, earlier):
        return {key: later[key] - earlier[key] for key in later if later[key] != earlier[key]}

    if url == PAYMENTS:
        assert moved(after_create, before) == {("operator", ""): 2, ("operator", "A"): 2, ("supplier", ""): 2,
                                               ("supplier", "A"): 2}
        assert moved(after_request, after_create) == {("operator", "A"): -1, ("operator", "PC"): 1,
                                                      ("supplier", "A"): -1, ("supplier", "PC"): 1}
        assert moved(after_decision, after_request) == {("operator", "PC"): -1, ("operator", "AN"): 1,
                                                        ("supplier", "PC"): -1, ("supplier", "AN"): 1}
    else:
        assert moved(after_create, before) == {}
        assert moved(after_request, after_create) == {("operator", ""): 1, ("operator", "PC"): 1,
                                                      ("supplier", ""): 1, ("supplier", "PC"): 1}
        assert moved(after_decision, after_request) == {("operator", "PC"): -1, ("operator", "A"): 1,
                                                        ("supplier", "PC"): -1, ("supplier", "A"): 1}


def test_a_payment_says_which_anticipation_it_has(operator_client, supplier_client, supplier):
    anticipation = AnticipationFactory(payment__supplier=supplier)
    bare = PaymentFactory(supplier=supplier)

    for client in (operator_client, supplier_client):
        listed = {item["id"]: item["anticipation"] for item in client.get(PAYMENTS).json()["results"]}
        assert listed == {anticipation.payment_id: anticipation.pk, bare.pk: None}
        assert client.get(f"{PAYMENTS}{anticipation.payment_id}/").json()["anticipation"] == anticipation.pk
        assert client.get(f"{PAYMENTS}{bare.pk}/").json()["anticipation"] is None


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "X"}, "status"),
        ({"status": "PCX"}, "status"),
        ({"supplier": "abc"}, "supplier"),
        ({"supplier": "0"}, "supplier"),
        ({"supplier": "-1"}, "supplier"),
        ({"supplier": "1.5"}, "supplier"),
        ({"supplier": "１"}, "supplier"),
        ({"supplier": str(2**63)}, "supplier"),
        ({"supplier": "9" * 5000}, "supplier"),
        ({"due_date_after": "2026-13-01"}, "due_date_after"),
        ({"due_date_after": "01/02/2027"}, "due_date_after"),
        ({"due_date_before": "２０２７-01-02"}, "due_date_before"),
        ({"due_date_before": "20270102"}, "due_date_before"),
        ({"due_date_before": "0000-01-01"}, "due_date_before"),
    ],
)
def test_a_value_a_payment_filter_cannot_take_is_a_validation_problem(operator_client, supplier, params, field):
    PaymentFactory(supplier=supplier)

    assert_problem(operator_client.get(PAYMENTS, params), 400, "validation-error", fields={field})


@pytest.mark.parametrize("status", ["AN", "U", "X", "approved"])
def test_an_anticipation_status_that_is_not_one_is_a_validation_problem(operator_client, status):
    assert_problem(operator_client.get(ANTICIPATIONS, {"status": status}), 400, "validation-error", fields={"status"})


def test_the_largest_id_is_a_filter_that_matches_nothing(operator_client, supplier):
    PaymentFactory(supplier=supplier)

    assert operator_client.get(PAYMENTS, {"supplier": 2**63 - 1}).json()["count"] == 0


def test_filters_do_not_narrow_a_detail(operator_client, supplier):
    payment = PaymentFactory(supplier=supplier, due_date=days(30))

    response = operator_client.get(f"{PAYMENTS}{payment.pk}/", {"status": "D", "supplier": "abc"})

    assert response.status_code == 200 and response.json()["id"] == payment.pk


def test_the_schema_shows_the_filters(operator_client):
    schema = operator_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    def parameters(path):
        return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}

    payments = parameters(PAYMENTS)
    assert sorted(payments["status"]["enum"]) == sorted(PaymentStatus.values)
    assert payments["supplier"]["type"] == "integer"
    assert payments["due_date_after"] == payments["due_date_before"] == {"type": "string", "format": "date"}
    assert sorted(parameters(ANTICIPATIONS)["status"]["enum"]) == sorted(AnticipationStatus.values)
    assert {"page", "page_size", "cursor"} <= parameters(PAYMENTS).keys()
    payment = schema["components"]["schemas"]["Payment"]["properties"]["anticipation"]
    assert payment["type"] == ["integer", "null"]  # OpenAPI 3.1
