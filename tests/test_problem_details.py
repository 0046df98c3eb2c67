"""Every client error is an RFC 9457 problem document; odd input is a 4xx, never a 5xx."""


import pytest
from rest_framework.test import APIClient

from payments_api.common.tests.problems import PROBLEM_CONTENT_TYPE, assert_problem
from payments_api.payments.models import Anticipation, AnticipationStatus, Payment
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import OperatorFactory, SupplierFactory

HUGE = 99999999999999999999  # beyond a 64-bit integer
BIGINT_MAX = 2**63 - 1


@pytest.fixture
def world(supplier, operator, client_for, supplier_client, operator_client, anonymous_client, plain_user):
    """A payment, a pending and a decided anticipation with their logs, and a client for each kind of caller."""
    payment = PaymentFactory(supplier=supplier, due_date=days(16))
    pending = AnticipationFactory(payment__supplier=supplier)
    decided = AnticipationFactory(payment__supplier=supplier, status=AnticipationStatus.APPROVED)
    log = RequestLog.objects.create(anticipation=pending, user=supplier.user, action=RequestLogAction.REQUESTED)
    operator_supplier = SupplierFactory(user=OperatorFactory())
    return {
        "payment": payment,
        "pending": pending,
        "decided": decided,
        "log": log,
        "own_pending": AnticipationFactory(payment__supplier=operator_supplier),
        "supplier": supplier_client,
        "operator": operator_client,
        "operator_supplier": client_for(operator_supplier.user),
        "anonymous": anonymous_client,
        "plain": client_for(plain_user),
    }


def snapshot() -> tuple:
    """Everything a request could write."""
    return (
        list(Payment.objects.order_by("pk").values_list("pk", "value", "due_date")),
        list(Anticipation.objects.order_by("pk").values_list("pk", "status", "update_date", "new_value")),
        list(RequestLog.objects.order_by("pk").values_list("pk", "action")),
    )


def post_json(client, url, raw: str):
    return client.post(url, data=raw, content_type="application/json")


# Each case: (expected status, expected code or None, request made with the world).
CLIENT_ERRORS = {
    "validation": (400, "validation-error", lambda w: w["supplier"].post("/api/payments/", {}, format="json")),
    "malformed-json": (400, "parse-error", lambda w: post_json(w["supplier"], "/api/payments/", "{bad")),
    "domain-validation": (
        400,
        "invalid-new-due-date",
        lambda w: w["supplier"].post(
            "/api/anticipations/",
            {"payment": w["payment"].pk, "new_due_date": days(40).isoformat()},
            format="json",
        ),
    ),
    "unknown-filter": (400, "validation-error", lambda w: w["supplier"].get("/api/payments/?status=X")),
    "no-token": (401, "not-authenticated", lambda w: w["anonymous"].get("/api/payments/")),
    "bad-token": (
        401,
        "token-not-valid",
        lambda w: APIClient(HTTP_AUTHORIZATION="Bearer not-a-token").get("/api/payments/"),
    ),
    "bad-credentials": (
        401,
        "no-active-account",
        lambda w: w["anonymous"].post("/api/token/", {"email": "a@example.com", "password": "x"}, format="json"),
    ),
    "plain-user": (403, "permission-denied", lambda w: w["plain"].get("/api/payments/")),
    "supplier-decides": (
        403,
        "permission-denied",
        lambda w: w["supplier"].patch(f"/api/anticipations/{w['pending'].pk}/", {"status": "A"}, format="json"),
    ),
    "own-anticipation": (
        403,
        "own-anticipation",
        lambda w: w["operator_supplier"].patch(
            f"/api/anticipations/{w['own_pending'].pk}/", {"status": "A"}, format="json"
        ),
    ),
    "unknown-object": (404, "not-found", lambda w: w["operator"].get(f"/api/payments/{w['payment'].pk + 1000}/")),
    "unknown-url": (404, "not-found", lambda w: w["supplier"].get("/api/nope/")),
    "invalid-page": (404, "not-found", lambda w: w["supplier"].get("/api/payments/?page=999")),
    "method-not-allowed": (
        405,
        "method-not-allowed",
        lambda w: w["operator"].put(f"/api/payments/{w['payment'].pk}/", {}, format="json"),
    ),
    "not-acceptable": (406, "not-acceptable", lambda w: w["supplier"].get("/api/payments/", HTTP_ACCEPT="text/html")),
    "anticipation-exists": (
        409,
        "anticipation-exists",
        lambda w: w["supplier"].post(
            "/api/anticipations/",
            {"payment": w["pending"].payment_id, "new_due_date": days(1).isoformat()},
            format="json",
        ),
    ),
    "already-decided": (
        409,
        "anticipation-already-decided",
        lambda w: w["operator"].patch(f"/api/anticipations/{w['decided'].pk}/", {"status": "D"}, format="json"),
    ),
    "unsupported-media-type": (
        415,
        "unsupported-media-type",
        lambda w: w["supplier"].post("/api/payments/", {"value": "1"}, format="multipart"),
    ),
}


@pytest.mark.parametrize("case", CLIENT_ERRORS)
def test_every_client_error_is_a_problem_document(world, case):
    status, code, make_request = CLIENT_ERRORS[case]
    before = snapshot()

    response = make_request(world)

    body = assert_problem(response, status, code)
    assert set(body) <= {"type", "title", "status", "detail", "code", "errors"}
    assert snapshot() == before


def test_validation_errors_list_each_field_error(operator_client, supplier):
    response = operator_client.post(
        "/api/payments/", {"supplier": "abc", "due_date": "someday", "value": "-1"}, format="json"
    )

    body = assert_problem(response, 400, "validation-error", fields={"supplier", "due_date", "value"})
    assert {(error["field"], error["code"]) for error in body["errors"]} == {
        ("supplier", "incorrect_type"),
        ("due_date", "invalid"),
        ("value", "min_value"),
    }
    assert all(isinstance(error["detail"], str) and error["detail"] for error in body["errors"])
    assert not Payment.objects.exists()


def test_a_business_rule_on_one_field_is_listed_as_that_fields_error(supplier_client, supplier):
    response = supplier_client.post(
        "/api/payments/", {"due_date": days(-1).isoformat(), "value": "10.00"}, format="json"
    )

    body = assert_problem(response, 400, fields={"due_date"})
    assert body["errors"][0]["code"] == body["code"]
    assert not Payment.objects.exists()


WRITE_ENDPOINTS = {
    "create-payment": ("post", lambda w: "/api/payments/"),
    "request-anticipation": ("post", lambda w: "/api/anticipations/"),
    "decide-anticipation": ("patch", lambda w: f"/api/anticipations/{w['pending'].pk}/"),
    "obtain-token": ("post", lambda w: "/api/token/"),
    "refresh-token": ("post", lambda w: "/api/token/refresh/"),
}


def send_raw(world, endpoint: str, raw: str):
    method, url = WRITE_ENDPOINTS[endpoint]
    client = world["operator"]
    return getattr(client, method)(url(world), data=raw, content_type="application/json")


@pytest.mark.parametrize("raw", ["{bad", '{"value": 1,}', "{'status': 'A'}", '{"status": "A"', "NaN", "\x00"])
@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS)
def test_malformed_json_is_a_parse_error(world, endpoint, raw):
    before = snapshot()

    response = send_raw(world, endpoint, raw)

    assert_problem(response, 400, "parse-error")
    assert snapshot() == before


@pytest.mark.parametrize(
    "raw",
    ["[]", '[{"status": "A"}]', '"A"', "42", "true", "null"],
    ids=["list", "list-of-object", "string", "number", "bool", "null"],
)
@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS)
def test_json_that_is_not_an_object_is_rejected(world, endpoint, raw):
    before = snapshot()

    response = send_raw(world, endpoint, raw)

    assert_problem(response, 400, "validation-error", fields={"non_field_errors"})
    assert snapshot() == before


@pytest.mark.parametrize(
    "path", ["payments/{}/", "anticipations/{}/", "logs/{}/"], ids=["payment", "anticipation", "log"]
)
@pytest.mark.parametrize("pk", [str(HUGE), str(BIGINT_MAX + 1), str(BIGINT_MAX), "0", "-1", "1e3", "abc", "1.0", "%20"])
def test_odd_ids_in_the_url_are_not_found(world, path, pk):
    response = world["operator"].get(f"/api/{path.format(pk)}")

    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize("pk", [str(HUGE), str(BIGINT_MAX + 1), "-1", "abc"])
def test_odd_ids_in_the_url_of_a_decision_are_not_found(world, pk):
    before = snapshot()

    response = world["operator"].patch(f"/api/anticipations/{pk}/", {"status": "A"}, format="json")

    assert_problem(response, 404, "not-found")
    assert snapshot() == before


ODD_IDS = [HUGE, -HUGE, BIGINT_MAX + 1, 2**64, str(HUGE), -1, 0]


@pytest.mark.parametrize("pk", ODD_IDS)
def test_odd_payment_id_in_a_body_is_a_validation_error(world, pk):
    before = snapshot()

    response = world["operator"].post(
        "/api/anticipations/", {"payment": pk, "new_due_date": days(1).isoformat()}, format="json"
    )

    assert_problem(response, 400, "validation-error", fields={"payment"})
    assert snapshot() == before


@pytest.mark.parametrize("pk", ODD_IDS)
def test_odd_supplier_id_in_a_body_is_a_validation_error(world, pk):
    before = snapshot()

    response = world["operator"].post(
        "/api/payments/", {"supplier": pk, "due_date": days(1).isoformat(), "value": "10.00"}, format="json"
    )

    assert_problem(response, 400, "validation-error", fields={"supplier"})
    assert snapshot() == before


# "fraction" is an existing object's id plus one half: an id is an integer, not something that truncates to one.
NOT_IDS = ["fraction", "abc", "", True, [1], {"id": 1}, None]
NOT_ID_NAMES = ["fraction", "word", "empty", "bool", "list", "object", "null"]


@pytest.mark.parametrize("value", NOT_IDS, ids=NOT_ID_NAMES)
def test_payment_id_that_is_not_an_integer_is_a_validation_error(world, value):
    before = snapshot()
    pk = world["payment"].pk + 0.5 if value == "fraction" else value

    response = world["operator"].post(
        "/api/anticipations/", {"payment": pk, "new_due_date": days(1).isoformat()}, format="json"
    )

    assert_problem(response, 400, "validation-error", fields={"payment"})
    assert snapshot() == before


@pytest.mark.parametrize("value", NOT_IDS, ids=NOT_ID_NAMES)
def test_supplier_id_that_is_not_an_integer_is_a_validation_error(world, value):
    before = snapshot()
    pk = world["payment"].supplier_id + 0.5 if value == "fraction" else value

    response = world["operator"].post(
        "/api/payments/", {"supplier": pk, "due_date": days(1).isoformat(), "value": "10.00"}, format="json"
    )

    assert_problem(response, 400, "validation-error", fields={"supplier"})
    assert snapshot() == before


@pytest.mark.parametrize(
    "url", ["/api/nope/", "/api/", "/api/payments/1/extra/", "/api/v2/payments/", "/api/logs/x/", "/api/nope"]
)
@pytest.mark.parametrize("caller", ["anonymous", "supplier"])
def test_unknown_url_under_api_is_not_found(world, url, caller):
    response = world[caller].get(url)

    assert_problem(response, 404, "not-found")


def test_problem_content_type_is_used_for_django_level_errors_too(world):
    response = world["anonymous"].post("/api/unknown/", data="{bad", content_type="application/json")

    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize("host", ["attacker.example", "127.0.0.1:8000@attacker.example", "bad host"])
def test_a_host_the_service_does_not_serve_is_a_bad_request_problem(world, host):
    before = snapshot()

    body = {"due_date": days(30).isoformat(), "value": "100.00"}
    response = world["supplier"].post("/api/payments/", body, format="json", HTTP_HOST=host)

    assert_problem(response, 400, "bad-request")
    assert snapshot() == before
