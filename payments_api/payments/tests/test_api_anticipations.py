"""/api/anticipations/: requesting (the discount, the date rules, conflicts), scoped reads, and operator decisions."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from payments_api.common.tests.problems import assert_problem
from payments_api.common.tests.spellings import FULL_WIDTH_DIGITS, OTHER_DATE_SPELLINGS
from payments_api.payments.models import Anticipation, AnticipationStatus
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import OperatorFactory, SupplierFactory

URL = "/api/anticipations/"
PENDING = AnticipationStatus.PENDING_CONFIRMATION
APPROVED = AnticipationStatus.APPROVED
DENIED = AnticipationStatus.DENIED


def detail_url(pk) -> str:
    return f"{URL}{pk}/"


def rendered(anticipation: Anticipation) -> dict:
    return {
        "id": anticipation.pk,
        "payment": anticipation.payment_id,
        "creation_date": anticipation.creation_date.isoformat(),
        "new_due_date": anticipation.new_due_date.isoformat(),
        "new_value": f"{anticipation.new_value:.2f}",
        "update_date": anticipation.update_date.isoformat(),
        "status": anticipation.status,
        "monthly_rate": f"{anticipation.monthly_rate:.6f}",
        "programme_version": anticipation.programme_version_id,
        "approvals": anticipation.approvals,
    }


def request_anticipation(client, payment, new_due_date: datetime.date, **extra):
    return client.post(URL, {"payment": payment.pk, "new_due_date": new_due_date.isoformat(), **extra}, format="json")


def assert_nothing_requested():
    assert not Anticipation.objects.exists()
    assert not RequestLog.objects.exists()


@pytest.fixture
def payment(supplier):
    """The spec's example: 1,000.00 due in 16 days."""
    return PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16))


@pytest.fixture
def pending(supplier):
    """A pending anticipation of `supplier`'s payment, last updated a few days ago."""
    return AnticipationFactory(payment__supplier=supplier, update_date=days(-3))


def assert_unchanged(anticipation: Anticipation):
    stored = Anticipation.objects.get(pk=anticipation.pk)
    assert (stored.status, stored.update_date) == (anticipation.status, anticipation.update_date)
    assert not RequestLog.objects.filter(anticipation=anticipation).exists()


# --- requesting ------------------------------------------------------------------------------------------------------


def test_supplier_requests_the_anticipation_of_its_own_payment(supplier_client, supplier, payment):
    response = request_anticipation(supplier_client, payment, days(0))

    assert response.status_code == 201
    anticipation = Anticipation.objects.get()
    today = timezone.localdate().isoformat()
    assert response.json() == {
        "id": anticipation.pk,
        "payment": payment.pk,
        "creation_date": today,
        "new_due_date": today,
        "new_value": "984.00",
        "update_date": today,
        "status": "PC",
        "monthly_rate": "0.030000",
        "programme_version": 1,
        "approvals": [],
    }
    assert (anticipation.payment, anticipation.new_value, anticipation.status) == (payment, Decimal("984.00"), PENDING)
    assert response["Location"] == f"http://testserver/api/anticipations/{anticipation.pk}/"


def test_request_is_logged_with_the_requesting_user(supplier_client, supplier, payment):
    response = request_anticipation(supplier_client, payment, days(0))

    assert response.status_code == 201
    log = RequestLog.objects.get()
    assert log.anticipation_id == response.json()["id"]
    assert (log.user, log.action) == (supplier.user, RequestLogAction.REQUESTED)


@pytest.mark.parametrize(
    "value, due_in, new_due_in, new_value",
    [
        ("1000.00", 16, 0, "984.00"),  # the spec's example: 16 days early
        ("1000.00", 30, 20, "990.00"),  # 10 days early
        ("1000.00", 16, 15, "999.00"),  # one day early, the latest allowed date
        ("1000.00", 30, 0, "970.00"),  # a whole month: 3%
        ("15.00", 1, 0, "14.99"),  # 14.985 rounds half up (half-even would give 14.98)
        ("0.50", 1, 0, "0.50"),  # 0.4995 rounds half up
        ("1234.56", 17, 0, "1213.57"),  # 1213.57248
        ("100.10", 3, 0, "99.80"),  # 99.7997
        ("999999999.99", 999, 0, "1000000.00"),  # 999999.99999, no float error at the top of the range
    ],
)
def test_new_value_is_the_discounted_value_rounded_half_up_to_the_cent(
    supplier_client, supplier, value, due_in, new_due_in, new_value
):
    payment = PaymentFactory(supplier=supplier, value=Decimal(value), due_date=days(due_in))

    response = request_anticipation(supplier_client, payment, days(new_due_in))

    assert response.status_code == 201
    assert response.json()["new_value"] == new_value
    assert Anticipation.objects.get().new_value == Decimal(new_value)


@pytest.mark.parametrize("days_early", [1000, 1001, 2000])
def test_so_many_days_early_that_nothing_is_left_to_pay_is_rejected(supplier_client, supplier, days_early):
    payment = PaymentFactory(supplier=supplier, due_date=days(days_early))

    response = request_anticipation(supplier_client, payment, days(0))

    assert_problem(response, 400, "invalid-new-due-date", fields={"new_due_date"})
    assert_nothing_requested()


@pytest.mark.parametrize(
    "new_due_in",
    [-1, -30, 16, 17, 60],
    ids=["yesterday", "last-month", "the-due-date", "after-the-due-date", "long-after-the-due-date"],
)
def test_new_due_date_outside_today_to_the_day_before_due_is_rejected(supplier_client, payment, new_due_in):
    response = request_anticipation(supplier_client, payment, days(new_due_in))

    assert_problem(response, 400, "invalid-new-due-date", fields={"new_due_date"})
    assert_nothing_requested()


@pytest.mark.parametrize("new_due_in", [0, 1, 15], ids=["today", "tomorrow", "the-day-before-due"])
def test_new_due_date_from_today_to_the_day_before_due_is_accepted(supplier_client, payment, new_due_in):
    response = request_anticipation(supplier_client, payment, days(new_due_in))

    assert response.status_code == 201
    assert Anticipation.objects.get().new_due_date == days(new_due_in)
    assert response.json()["new_due_date"] == days(new_due_in).isoformat()


@pytest.mark.parametrize("due_in", [0, -1, -30], ids=["due-today", "due-yesterday", "overdue"])
def test_payment_already_due_is_not_available(supplier_client, supplier, due_in):
    payment = PaymentFactory(supplier=supplier, creation_date=days(-60), due_date=days(due_in))

    response = request_anticipation(supplier_client, payment, days(0))

    assert_problem(response, 409, "payment-not-available")
    assert_nothing_requested()


def test_second_request_for_the_same_payment_conflicts(supplier_client, supplier, payment):
    first = request_anticipation(supplier_client, payment, days(0))

    second = request_anticipation(supplier_client, payment, days(10))

    assert first.status_code == 201
    assert_problem(second, 409, "anticipation-exists")
    anticipation = Anticipation.objects.get()
    assert (anticipation.new_due_date, anticipation.new_value) == (days(0), Decimal("984.00"))
    assert RequestLog.objects.count() == 1


@pytest.mark.parametrize("status", [PENDING, APPROVED, DENIED])
def test_a_payment_is_anticipated_at_most_once_whatever_became_of_the_first_request(supplier_client, supplier, status):
    existing = AnticipationFactory(payment__supplier=supplier, status=status)

    response = request_anticipation(supplier_client, existing.payment, days(1))

    assert_problem(response, 409, "anticipation-exists")
    assert list(Anticipation.objects.all()) == [existing]
    assert Anticipation.objects.get().status == status
    assert not RequestLog.objects.exists()


def test_supplier_cannot_request_for_another_suppliers_payment(other_supplier_client, payment):
    response = request_anticipation(other_supplier_client, payment, days(0))

    body = assert_problem(response, 400, "validation-error", fields={"payment"})
    assert body["errors"][0]["code"] == "does_not_exist"
    assert_nothing_requested()


def test_unknown_payment_is_rejected(supplier_client, payment):
    response = supplier_client.post(
        URL, {"payment": payment.pk + 1000, "new_due_date": days(0).isoformat()}, format="json"
    )

    assert_problem(response, 400, "validation-error", fields={"payment"})
    assert_nothing_requested()


@pytest.mark.parametrize(
    "spell", [lambda pk: f"{pk}\n", lambda pk: f" {pk}", lambda pk: str(pk).translate(FULL_WIDTH_DIGITS), float, str],
    ids=["trailing-newline", "leading-space", "full-width", "number-with-fraction", "string-of-digits"],
)
def test_payment_id_is_a_whole_number_or_a_string_of_ascii_digits(supplier_client, payment, spell):
    body = {"payment": spell(payment.pk), "new_due_date": days(1).isoformat()}

    response = supplier_client.post(URL, body, format="json")

    if spell is str:
        assert response.status_code == 201
        assert Anticipation.objects.get().payment == payment
    else:
        problem = assert_problem(response, 400, "validation-error", fields={"payment"})
        assert problem["errors"][0]["code"] == "incorrect_type"
        assert_nothing_requested()


def test_missing_fields_are_listed(supplier_client, payment):
    response = supplier_client.post(URL, {}, format="json")

    assert_problem(response, 400, "validation-error", fields={"payment", "new_due_date"})
    assert_nothing_requested()


@pytest.mark.parametrize("new_due_date", ["15/09/2030", "2030-02-30", "", None, "today"])
def test_malformed_new_due_date_is_rejected(supplier_client, payment, new_due_date):
    response = supplier_client.post(URL, {"payment": payment.pk, "new_due_date": new_due_date}, format="json")

    assert_problem(response, 400, "validation-error", fields={"new_due_date"})
    assert_nothing_requested()


@pytest.mark.parametrize("spelling", OTHER_DATE_SPELLINGS)
def test_new_due_date_is_only_read_as_yyyy_mm_dd(supplier_client, payment, spelling):
    new_due_date = OTHER_DATE_SPELLINGS[spelling](days(10))

    response = supplier_client.post(URL, {"payment": payment.pk, "new_due_date": new_due_date}, format="json")

    body = assert_problem(response, 400, "validation-error", fields={"new_due_date"})
    assert body["errors"][0]["code"] == "invalid"
    assert_nothing_requested()


def test_client_sent_new_value_status_and_dates_are_ignored(supplier_client, payment):
    response = request_anticipation(
        supplier_client,
        payment,
        days(0),
        id=424242,
        new_value="1.00",
        status="A",
        creation_date="2000-01-01",
        update_date="2000-01-01",
    )

    assert response.status_code == 201
    anticipation = Anticipation.objects.get()
    assert anticipation.pk != 424242
    assert (anticipation.new_value, anticipation.status) == (Decimal("984.00"), PENDING)
    assert anticipation.creation_date == anticipation.update_date == timezone.localdate()
    assert response.json() == rendered(anticipation)


def test_operator_files_a_request_on_behalf_of_the_supplier(operator_client, operator, supplier, payment):
    response = request_anticipation(operator_client, payment, days(6))

    assert response.status_code == 201
    anticipation = Anticipation.objects.get()
    assert anticipation.payment.supplier == supplier
    assert (anticipation.new_value, anticipation.status) == (Decimal("990.00"), PENDING)
    assert response.json() == rendered(anticipation)
    log = RequestLog.objects.get()
    assert (log.anticipation, log.user, log.action) == (anticipation, operator, RequestLogAction.REQUESTED)


# --- reading ---------------------------------------------------------------------------------------------------------


def test_supplier_lists_only_its_own_anticipations(supplier_client, supplier, other_supplier):
    own = [AnticipationFactory(payment__supplier=supplier), AnticipationFactory(payment__supplier=supplier)]
    AnticipationFactory(payment__supplier=other_supplier)

    response = supplier_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [rendered(anticipation) for anticipation in own],
    }


def test_operator_lists_every_suppliers_anticipations(operator_client, supplier, other_supplier):
    every = [AnticipationFactory(payment__supplier=supplier), AnticipationFactory(payment__supplier=other_supplier)]

    response = operator_client.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert response.json()["results"] == [rendered(anticipation) for anticipation in reversed(every)]  # newest first


def test_anticipation_list_is_paginated_ten_per_page(supplier_client, supplier):
    AnticipationFactory.create_batch(12, payment__supplier=supplier)

    response = supplier_client.get(URL)

    assert response.json()["count"] == 12
    assert len(response.json()["results"]) == 10
    assert response.json()["next"] == "http://testserver/api/anticipations/?page=2"


@pytest.mark.parametrize("reader", ["supplier", "operator"])
def test_anticipation_is_retrieved_by_its_supplier_and_by_operators(supplier_client, operator_client, pending, reader):
    client = supplier_client if reader == "supplier" else operator_client

    response = client.get(detail_url(pending.pk))

    assert response.status_code == 200
    assert response.json() == rendered(pending)


def test_another_suppliers_anticipation_is_not_found(other_supplier_client, pending):
    assert_problem(other_supplier_client.get(detail_url(pending.pk)), 404, "not-found")


@pytest.mark.parametrize("method", ["get", "patch"])
def test_unknown_anticipation_is_not_found(operator_client, pending, method):
    response = getattr(operator_client, method)(detail_url(pending.pk + 1000), {"status": "A"}, format="json")

    assert_problem(response, 404, "not-found")
    assert_unchanged(pending)


def test_without_the_trailing_slash_a_request_is_filed_not_listed(supplier_client, payment):
    body = {"payment": payment.pk, "new_due_date": days(0).isoformat()}

    response = supplier_client.post(URL.rstrip("/"), body, format="json")

    assert response.status_code == 201, response.content
    anticipation = Anticipation.objects.get()
    assert response.json() == rendered(anticipation)
    assert response["Location"] == f"http://testserver/api/anticipations/{anticipation.pk}/"
    assert RequestLog.objects.get().action == RequestLogAction.REQUESTED


# --- deciding --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "decision, action", [("A", RequestLogAction.APPROVED), ("D", RequestLogAction.DENIED)], ids=["approve", "deny"]
)
def test_operator_decides_a_pending_anticipation(operator_client, operator, pending, decision, action):
    response = operator_client.patch(detail_url(pending.pk), {"status": decision}, format="json")

    assert response.status_code == 200
    stored = Anticipation.objects.get(pk=pending.pk)
    assert (stored.status, stored.update_date) == (decision, timezone.localdate())
    assert (stored.new_value, stored.new_due_date) == (pending.new_value, pending.new_due_date)
    assert response.json() == rendered(stored)
    log = RequestLog.objects.get()
    assert (log.anticipation, log.user, log.action) == (pending, operator, action)


@pytest.mark.parametrize("decision", ["A", "D"])
def test_supplier_cannot_decide_its_own_anticipation(supplier_client, pending, decision):
    response = supplier_client.patch(detail_url(pending.pk), {"status": decision}, format="json")

    assert_problem(response, 403, "permission-denied")
    assert_unchanged(pending)


def test_supplier_cannot_decide_another_suppliers_anticipation(other_supplier_client, pending):
    response = other_supplier_client.patch(detail_url(pending.pk), {"status": "A"}, format="json")

    assert response.status_code in (403, 404)
    assert_problem(response, response.status_code)
    assert_unchanged(pending)


@pytest.mark.parametrize(
    "body",
    [{"status": "PC"}, {"status": "X"}, {"status": ""}, {"status": None}, {"status": "AN"}, {}, {"decision": "A"}],
    ids=["PC", "X", "empty", "null", "AN", "missing", "other-field"],
)
def test_invalid_decision_is_rejected(operator_client, pending, body):
    response = operator_client.patch(detail_url(pending.pk), body, format="json")

    assert_problem(response, 400, "validation-error", fields={"status"})
    assert_unchanged(pending)


@pytest.mark.parametrize("decided", [APPROVED, DENIED])
@pytest.mark.parametrize("decision", ["A", "D"])
def test_deciding_an_already_decided_anticipation_conflicts(operator_client, supplier, decided, decision):
    anticipation = AnticipationFactory(payment__supplier=supplier, status=decided, update_date=days(-2))

    response = operator_client.patch(detail_url(anticipation.pk), {"status": decision}, format="json")

    assert_problem(response, 409, "anticipation-already-decided")
    assert_unchanged(anticipation)


def test_a_second_decision_through_the_api_conflicts(operator_client, pending):
    first = operator_client.patch(detail_url(pending.pk), {"status": "A"}, format="json")

    second = operator_client.patch(detail_url(pending.pk), {"status": "D"}, format="json")

    assert first.status_code == 200
    assert_problem(second, 409, "anticipation-already-decided")
    assert Anticipation.objects.get(pk=pending.pk).status == APPROVED
    assert list(RequestLog.objects.values_list("action", flat=True)) == [RequestLogAction.APPROVED]


@pytest.mark.parametrize("new_due_in", [-1, -5])
def test_approving_after_the_new_due_date_has_passed_conflicts(operator_client, supplier, new_due_in):
    expired = AnticipationFactory(payment__supplier=supplier, new_due_date=days(new_due_in), update_date=days(-8))

    response = operator_client.patch(detail_url(expired.pk), {"status": "A"}, format="json")

    assert_problem(response, 409, "anticipation-expired")
    assert_unchanged(expired)


def test_an_expired_anticipation_can_still_be_denied(operator_client, operator, supplier):
    expired = AnticipationFactory(payment__supplier=supplier, new_due_date=days(-1), update_date=days(-8))

    response = operator_client.patch(detail_url(expired.pk), {"status": "D"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "D"
    assert Anticipation.objects.get(pk=expired.pk).status == DENIED
    assert RequestLog.objects.get().action == RequestLogAction.DENIED


def test_approving_on_the_new_due_date_itself_is_allowed(operator_client, supplier):
    anticipation = AnticipationFactory(payment__supplier=supplier, new_due_date=days(0), update_date=days(-8))

    response = operator_client.patch(detail_url(anticipation.pk), {"status": "A"}, format="json")

    assert response.status_code == 200
    assert Anticipation.objects.get(pk=anticipation.pk).status == APPROVED


@pytest.mark.parametrize("decision", ["A", "D"])
def test_operator_who_is_the_payments_supplier_cannot_decide(db, client_for, decision):
    operator_supplier = SupplierFactory(user=OperatorFactory())
    anticipation = AnticipationFactory(payment__supplier=operator_supplier, update_date=days(-3))
    client = client_for(operator_supplier.user)

    response = client.patch(detail_url(anticipation.pk), {"status": decision}, format="json")

    assert_problem(response, 403, "own-anticipation")
    assert_unchanged(anticipation)


@pytest.mark.parametrize("method", ["put", "delete"])
def test_anticipation_cannot_be_replaced_or_deleted(operator_client, pending, method):
    response = getattr(operator_client, method)(detail_url(pending.pk), {"status": "A"}, format="json")

    assert_problem(response, 405, "method-not-allowed")
    assert Anticipation.objects.filter(pk=pending.pk).exists()
    assert_unchanged(pending)


def test_without_the_trailing_slash_a_decision_is_made(operator_client, pending):
    response = operator_client.patch(detail_url(pending.pk).rstrip("/"), {"status": "A"}, format="json")

    assert response.status_code == 200, response.content
    assert Anticipation.objects.get(pk=pending.pk).status == APPROVED
    assert RequestLog.objects.get(anticipation=pending).action == RequestLogAction.APPROVED
