"""The lists as CSV (Accept: text/csv or ?format=csv): the JSON list's rows and values, every page, same scoping."""

import csv
import io
import json
from decimal import Decimal

import pytest

from payments_api.common.tests.problems import assert_problem
from payments_api.payments.models import AnticipationStatus
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction

PAYMENTS = "/api/payments/"
ANTICIPATIONS = "/api/anticipations/"
LOGS = "/api/logs/"


def csv_rows(response) -> list[dict]:
    """The CSV body as dicts of strings, as a spreadsheet reading the header would see it."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def json_rows(client, url, params) -> list[dict]:
    """Every page of the JSON list, with each value written as a CSV cell (null as empty, true and false, and lists
    as JSON writes them)."""
    rows, response = [], client.get(url, {**params, "page_size": 100})
    while True:
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        if not response.json()["next"]:
            break
        response = client.get(response.json()["next"])
    return [{key: json_cell(value) for key, value in row.items()} for row in rows]


def json_cell(value) -> str:
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, (bool, list)) else str(value)


@pytest.fixture
def payments(supplier, other_supplier):
    """Twelve payments of `supplier` in several states (more than a page of ten), and one of another supplier."""
    available = [
        PaymentFactory(supplier=supplier, due_date=days(offset), value=f"{offset}.5", external_id=f"INV-{offset}")
        for offset in range(1, 11)
    ]
    pending = AnticipationFactory(payment__supplier=supplier).payment
    approved = AnticipationFactory(payment__supplier=supplier, status=AnticipationStatus.APPROVED).payment
    PaymentFactory(supplier=other_supplier)
    return available + [pending, approved]


@pytest.mark.parametrize("params", [{}, {"status": "A"}, {"status": "PC"}, {"external_id": "INV-3"}])
def test_a_suppliers_filtered_csv_equals_its_json_list(supplier_client, payments, params):
    expected = json_rows(supplier_client, PAYMENTS, params)

    exported = csv_rows(supplier_client.get(PAYMENTS, {**params, "format": "csv"}))

    assert exported == expected
    assert exported  # each filter keeps some rows, so the comparison compares something


def test_accept_text_csv_asks_for_csv_and_names_the_download(supplier_client, payments):
    response = supplier_client.get(PAYMENTS, HTTP_ACCEPT="text/csv")

    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="payments.csv"'
    rows = csv_rows(response)
    assert list(rows[0]) == [
        "id", "supplier", "creation_date", "due_date", "value", "external_id", "status", "anticipation"
    ]
    assert [row["id"] for row in rows] == [str(payment.pk) for payment in payments]
    assert rows[0]["value"] == "1.50"  # money as in the JSON: two decimals, a dot
    assert rows[0]["due_date"] == days(1).isoformat()


def test_an_operators_csv_holds_every_supplier_and_every_page(operator_client, payments, supplier, other_supplier):
    exported = csv_rows(operator_client.get(PAYMENTS, {"format": "csv"}))
    expected = json_rows(operator_client, PAYMENTS, {})

    assert sorted(exported, key=lambda row: int(row["id"])) == sorted(expected, key=lambda row: int(row["id"]))
    assert {row["supplier"] for row in exported} == {str(supplier.pk), str(other_supplier.pk)}
    assert len(exported) == 13


def test_the_anticipations_and_logs_lists_answer_csv_scoped_to_the_caller(supplier_client, supplier, other_supplier):
    own = AnticipationFactory(payment__supplier=supplier)
    theirs = AnticipationFactory(payment__supplier=other_supplier)
    for anticipation in (own, theirs):
        RequestLog.objects.create(
            anticipation=anticipation, user=anticipation.payment.supplier.user, action=RequestLogAction.REQUESTED
        )

    anticipations = csv_rows(supplier_client.get(ANTICIPATIONS, HTTP_ACCEPT="text/csv"))
    logs = csv_rows(supplier_client.get(LOGS, HTTP_ACCEPT="text/csv"))

    assert anticipations == json_rows(supplier_client, ANTICIPATIONS, {})
    assert [row["id"] for row in anticipations] == [str(own.pk)]
    assert logs == json_rows(supplier_client, LOGS, {})
    assert [row["anticipation"] for row in logs] == [str(own.pk)]


def test_an_empty_list_is_the_header_alone(supplier_client, supplier):
    response = supplier_client.get(PAYMENTS, {"format": "csv"})

    assert response.status_code == 200
    header = b"id,supplier,creation_date,due_date,value,external_id,status,anticipation\r\n"
    assert b"".join(response.streaming_content) == header


def test_a_bad_filter_is_a_json_problem_not_csv(supplier_client, supplier):
    response = supplier_client.get(PAYMENTS, {"status": "X", "format": "csv"})

    assert_problem(response, 400, "validation-error", fields={"status"})


def test_csv_needs_the_same_authentication(anonymous_client, plain_user, client_for):
    assert_problem(anonymous_client.get(PAYMENTS, {"format": "csv"}), 401)
    assert_problem(client_for(plain_user).get(PAYMENTS, HTTP_ACCEPT="text/csv"), 403)


def test_an_external_id_a_spreadsheet_would_run_as_a_formula_is_written_as_text(operator_client, supplier):
    PaymentFactory(supplier=supplier, external_id="=HYPERLINK(\"http://example.com\")")

    rows = csv_rows(operator_client.get(PAYMENTS, {"format": "csv"}))

    assert rows[0]["external_id"] == "'=HYPERLINK(\"http://example.com\")"


def test_a_single_payment_is_not_offered_as_csv(supplier_client, payments):
    response = supplier_client.get(f"{PAYMENTS}{payments[0].pk}/", HTTP_ACCEPT="text/csv")

    assert_problem(response, 406)


@pytest.mark.parametrize("params", [{"page": "x"}, {"page_size": "0"}, {"page": "-1"}])
def test_paging_is_ignored_but_a_malformed_paging_parameter_is_refused_as_in_json(supplier_client, payments, params):
    assert_problem(supplier_client.get(PAYMENTS, {**params, "format": "csv"}), 400, "validation-error")


def test_paging_parameters_do_not_cut_the_csv(supplier_client, payments):
    assert len(csv_rows(supplier_client.get(PAYMENTS, {"format": "csv", "page": "2", "page_size": "5"}))) == 12


def test_a_first_approval_and_an_automatic_approval_are_in_the_csv_as_in_the_json(
    operator_client, operator, supplier, programme_terms
):
    programme_terms(dual_approval_min_value=Decimal("980.00"))
    pending = AnticipationFactory(payment__supplier=supplier)
    assert operator_client.patch(f"{ANTICIPATIONS}{pending.pk}/", {"status": "A"}, format="json").status_code == 202
    RequestLog.objects.create(anticipation=AnticipationFactory(status="A"), user=None, action=RequestLogAction.APPROVED)

    anticipations = csv_rows(operator_client.get(ANTICIPATIONS, HTTP_ACCEPT="text/csv"))
    logs = csv_rows(operator_client.get(LOGS, HTTP_ACCEPT="text/csv"))

    assert anticipations == json_rows(operator_client, ANTICIPATIONS, {})
    assert json.loads(next(row for row in anticipations if row["id"] == str(pending.pk))["approvals"])[0]["user"] == (
        operator.pk
    )
    assert logs == json_rows(operator_client, LOGS, {})
    assert {(row["action"], row["user"], row["automatic"]) for row in logs} == {
        ("F", str(operator.pk), "false"),
        ("A", "", "true"),
    }
