"""GET /api/logs/ and /api/logs/{id}/: the audit trail of anticipations, scoped to the caller."""

import datetime

import pytest
from django.utils import timezone

from payments_api.common.tests.problems import assert_problem
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory
from payments_api.requestlogs.models import RequestLog, RequestLogAction

URL = "/api/logs/"


def detail_url(pk) -> str:
    return f"{URL}{pk}/"


def as_stored(log: RequestLog) -> dict:
    return {
        "id": log.pk,
        "anticipation": log.anticipation_id,
        "created_at": log.created_at,
        "user": log.user_id,
        "action": log.action,
        "automatic": log.user_id is None,
    }


def parsed(item: dict) -> dict:
    """A rendered log with its ISO 8601 timestamp read back, so it compares in any time zone."""
    return {**item, "created_at": datetime.datetime.fromisoformat(item["created_at"])}


def parsed_results(response) -> list[dict]:
    return [parsed(item) for item in response.json()["results"]]


@pytest.fixture
def own_logs(supplier, operator):
    anticipation = AnticipationFactory(payment__supplier=supplier)
    return [
        RequestLog.objects.create(anticipation=anticipation, user=supplier.user, action=RequestLogAction.REQUESTED),
        RequestLog.objects.create(anticipation=anticipation, user=operator, action=RequestLogAction.APPROVED),
    ]


@pytest.fixture
def other_logs(other_supplier, operator):
    anticipation = AnticipationFactory(payment__supplier=other_supplier)
    return [
        RequestLog.objects.create(anticipation=anticipation, user=operator, action=RequestLogAction.REQUESTED),
        RequestLog.objects.create(anticipation=anticipation, user=operator, action=RequestLogAction.DENIED),
    ]


def test_supplier_lists_only_the_logs_of_its_own_anticipations(supplier_client, own_logs, other_logs):
    response = supplier_client.get(URL)

    assert response.status_code == 200
    assert {key: value for key, value in response.json().items() if key != "results"} == {
        "count": 2,
        "next": None,
        "previous": None,
    }
    assert parsed_results(response) == [as_stored(log) for log in own_logs]


def test_operator_lists_every_log(operator_client, own_logs, other_logs):
    response = operator_client.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == len(own_logs + other_logs)
    every_log = sorted(own_logs + other_logs, key=lambda log: log.pk, reverse=True)
    assert parsed_results(response) == [as_stored(log) for log in every_log]


def test_log_has_the_contract_fields(supplier_client, own_logs):
    item = supplier_client.get(URL).json()["results"][0]

    assert item.keys() == {"id", "anticipation", "created_at", "user", "action", "automatic"}
    assert item["automatic"] is False
    created_at = datetime.datetime.fromisoformat(item["created_at"])
    assert created_at.tzinfo is not None
    assert abs(timezone.now() - created_at) < datetime.timedelta(minutes=5)


@pytest.mark.parametrize("reader", ["supplier", "operator"])
def test_log_is_retrieved_by_its_supplier_and_by_operators(supplier_client, operator_client, own_logs, reader):
    client = supplier_client if reader == "supplier" else operator_client

    response = client.get(detail_url(own_logs[1].pk))

    assert response.status_code == 200
    assert parsed(response.json()) == as_stored(own_logs[1])


def test_another_suppliers_log_is_not_found(supplier_client, own_logs, other_logs):
    response = supplier_client.get(detail_url(other_logs[0].pk))

    assert_problem(response, 404, "not-found")


def test_unknown_log_is_not_found(operator_client, own_logs):
    assert_problem(operator_client.get(detail_url(own_logs[-1].pk + 1000)), 404, "not-found")


def test_supplier_without_anticipations_sees_no_logs(other_supplier_client, own_logs):
    response = other_supplier_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_logs_are_read_only(operator_client, own_logs, method):
    url = URL if method == "post" else detail_url(own_logs[0].pk)
    body = {"anticipation": own_logs[0].anticipation_id, "action": "D"}

    response = getattr(operator_client, method)(url, body, format="json")

    assert_problem(response, 405, "method-not-allowed")
    assert list(RequestLog.objects.order_by("pk")) == own_logs
    assert [log.action for log in RequestLog.objects.order_by("pk")] == ["R", "A"]


def test_request_and_decision_through_the_api_are_logged_in_order(supplier_client, operator_client, supplier, operator):
    payment = PaymentFactory(supplier=supplier)
    new_due_date = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    anticipation_id = supplier_client.post(
        "/api/anticipations/", {"payment": payment.pk, "new_due_date": new_due_date}, format="json"
    ).json()["id"]
    operator_client.patch(f"/api/anticipations/{anticipation_id}/", {"status": "D"}, format="json")

    response = supplier_client.get(URL)

    assert response.status_code == 200
    results = parsed_results(response)
    assert [(item["anticipation"], item["user"], item["action"]) for item in results] == [
        (anticipation_id, supplier.user.pk, "R"),
        (anticipation_id, operator.pk, "D"),
    ]
    assert results == [as_stored(log) for log in RequestLog.objects.order_by("pk")]


def test_logs_are_read_without_the_trailing_slash_too(supplier_client, own_logs):
    listed = supplier_client.get(URL.rstrip("/"))
    assert listed.status_code == 200
    assert parsed_results(listed) == parsed_results(supplier_client.get(URL))
    first = listed.json()["results"][0]
    assert supplier_client.get(detail_url(first["id"]).rstrip("/")).json() == first


# --- filters ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["", "R", "A", "D", "a"])
def test_the_action_filter_holds_and_counts_exactly_its_logs(
    operator_client, supplier_client, own_logs, other_logs, action
):
    for client, logs in ((operator_client, own_logs + other_logs), (supplier_client, own_logs)):
        wanted = [log for log in logs if not action or log.action == action.upper()]
        body = client.get(URL, {"action": action}).json()
        assert body["count"] == len(wanted)
        assert {item["id"] for item in body["results"]} == {log.pk for log in wanted}


def test_one_anticipations_history_is_one_request(operator_client, supplier_client, own_logs, other_logs):
    anticipation = own_logs[0].anticipation_id

    body = operator_client.get(URL, {"anticipation": anticipation}).json()
    assert body["count"] == 2 and [item["id"] for item in body["results"]] == [own_logs[1].pk, own_logs[0].pk]
    combined = operator_client.get(URL, {"anticipation": anticipation, "action": "A"}).json()
    assert [item["id"] for item in combined["results"]] == [own_logs[1].pk] and combined["count"] == 1
    assert supplier_client.get(URL, {"anticipation": other_logs[0].anticipation_id}).json()["count"] == 0


@pytest.mark.parametrize(
    "params, field",
    [({"action": "X"}, "action"), ({"action": "RA"}, "action"), ({"anticipation": "x"}, "anticipation"),
     ({"anticipation": "0"}, "anticipation"), ({"anticipation": str(10**30)}, "anticipation")],
)
def test_a_value_a_log_filter_cannot_take_is_a_validation_problem(operator_client, own_logs, params, field):
    assert_problem(operator_client.get(URL, params), 400, "validation-error", fields={field})
