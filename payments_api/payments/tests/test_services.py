"""The payment services: what they store, what they refuse, which log row they write and which e-mail they send."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from payments_api.notifications.models import Notification
from payments_api.payments.errors import (
    AnticipationAlreadyDecided,
    AnticipationAlreadyExists,
    AnticipationExpired,
    InvalidNewDueDate,
    InvalidPayment,
    NotPaymentOwner,
    OperatorRequired,
    OwnAnticipationDecision,
    PaymentNotAvailable,
)
from payments_api.payments.models import MAX_PAYMENT_VALUE, Anticipation, AnticipationStatus, Decision, Payment
from payments_api.payments.services import anticipation_decide, anticipation_request, payment_create, years_after
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import OperatorFactory, SupplierFactory

PENDING = AnticipationStatus.PENDING_CONFIRMATION


def assert_mail_about(message, anticipation: Anticipation):
    """One e-mail to the supplier naming the payment, the new value and the new date (in pt-BR, the default)."""
    payment = anticipation.payment
    assert message.to == [payment.supplier.user.email]
    assert f"nº {payment.pk}" in message.subject
    assert f"nº {payment.pk}" in message.body
    assert f"{anticipation.new_value:.2f}".replace(".", ",") in message.body
    assert anticipation.new_due_date.strftime("%d/%m/%Y") in message.body


# --- payment_create --------------------------------------------------------------------------------------------------


def test_payment_create_stores_the_payment_created_today(supplier):
    payment = payment_create(created_by=supplier.user, due_date=days(30), value=Decimal("1500.25"))

    stored = Payment.objects.get(pk=payment.pk)
    assert (stored.supplier, stored.creation_date, stored.due_date, stored.value) == (
        supplier,
        timezone.localdate(),
        days(30),
        Decimal("1500.25"),
    )


def test_payment_create_reads_today_once_so_midnight_between_check_and_insert_changes_nothing(supplier, monkeypatch):
    day = datetime.date(2030, 5, 10)
    calls = iter([day, day + datetime.timedelta(days=1)])
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: next(calls))

    payment = payment_create(created_by=supplier.user, due_date=day, value=Decimal("10.00"))

    assert (payment.creation_date, payment.due_date) == (day, day)


def test_payment_create_accepts_a_payment_due_today(supplier):
    assert payment_create(created_by=supplier.user, due_date=days(0), value=Decimal("10.00")).due_date == days(0)


def test_payment_create_refuses_a_past_due_date(supplier):
    with pytest.raises(InvalidPayment) as raised:
        payment_create(created_by=supplier.user, due_date=days(-1), value=Decimal("10.00"))

    assert raised.value.field == "due_date"
    assert not Payment.objects.exists()


def test_payment_create_accepts_a_due_date_up_to_ten_years_ahead(supplier):
    today = timezone.localdate()
    latest = years_after(today, 10)
    assert latest.year == today.year + 10 and (latest.month, latest.day) in {(today.month, today.day), (2, 28)}

    assert payment_create(created_by=supplier.user, due_date=latest, value=Decimal("10.00")).due_date == latest


@pytest.mark.parametrize(
    "due_date",
    [years_after(timezone.localdate(), 10) + datetime.timedelta(days=1), datetime.date(9999, 12, 31)],
    ids=["a-day-beyond", "year-9999"],
)
def test_payment_create_refuses_a_due_date_more_than_ten_years_ahead(supplier, due_date):
    with pytest.raises(InvalidPayment) as raised:
        payment_create(created_by=supplier.user, due_date=due_date, value=Decimal("10.00"))

    assert raised.value.field == "due_date"
    assert "10 years" in raised.value.detail
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "day, expected",
    [
        (datetime.date(2024, 2, 29), datetime.date(2034, 2, 28)),
        (datetime.date(2026, 11, 23), datetime.date(2036, 11, 23)),
    ],
)
def test_years_after_keeps_the_day_or_falls_back_from_29_february(day, expected):
    assert years_after(day, 10) == expected


@pytest.mark.parametrize("value", ["0.01", str(MAX_PAYMENT_VALUE)])
def test_payment_create_accepts_the_bounds_of_the_value_range(supplier, value):
    assert payment_create(created_by=supplier.user, due_date=days(5), value=Decimal(value)).value == Decimal(value)


@pytest.mark.parametrize("value", ["0", "0.00", "-0.01", "-100", "1000000000.00", "10.005", "0.001"])
def test_payment_create_refuses_values_out_of_range_or_finer_than_a_cent(supplier, value):
    with pytest.raises(InvalidPayment) as raised:
        payment_create(created_by=supplier.user, due_date=days(5), value=Decimal(value))

    assert raised.value.field == "value"
    assert not Payment.objects.exists()


# --- anticipation_request --------------------------------------------------------------------------------------------


@pytest.fixture
def payment(supplier):
    """The spec's example: 1,000.00 due in 16 days."""
    return PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16))


def test_request_stores_a_pending_anticipation_with_the_discounted_value(supplier, payment):
    anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)

    stored = Anticipation.objects.get()
    assert stored.pk == anticipation.pk
    assert (stored.payment, stored.new_due_date, stored.new_value, stored.status) == (
        payment,
        days(0),
        Decimal("984.00"),
        PENDING,
    )
    assert stored.creation_date == stored.update_date == timezone.localdate()


def test_request_writes_one_requested_log_row_by_the_requester(supplier, payment):
    anticipation = anticipation_request(payment=payment, new_due_date=days(5), requested_by=supplier.user)

    log = RequestLog.objects.get()
    assert (log.anticipation, log.user, log.action) == (anticipation, supplier.user, RequestLogAction.REQUESTED)


def test_an_operator_files_a_request_on_the_suppliers_behalf(supplier, payment, operator):
    anticipation = anticipation_request(payment=payment, new_due_date=days(5), requested_by=operator)

    assert anticipation.status == PENDING
    assert RequestLog.objects.get().user == operator


@pytest.mark.parametrize("offset", [0, 1, 15])
def test_request_accepts_a_new_date_from_today_to_the_day_before_the_due_date(supplier, payment, offset):
    anticipation = anticipation_request(payment=payment, new_due_date=days(offset), requested_by=supplier.user)

    assert anticipation.new_due_date == days(offset)
    assert anticipation.new_value == Decimal("1000.00") - Decimal(16 - offset)


@pytest.mark.parametrize("offset", [-1, -30, 16, 17, 400])
def test_request_refuses_a_new_date_before_today_or_on_or_after_the_due_date(supplier, payment, offset):
    with pytest.raises(InvalidNewDueDate) as raised:
        anticipation_request(payment=payment, new_due_date=days(offset), requested_by=supplier.user)

    assert raised.value.field == "new_due_date"
    assert not Anticipation.objects.exists()
    assert not RequestLog.objects.exists()


@pytest.mark.parametrize("due_offset", [0, -1, -20])
def test_request_refuses_a_payment_already_due(supplier, due_offset):
    payment = PaymentFactory(supplier=supplier, creation_date=days(-30), due_date=days(due_offset))

    with pytest.raises(PaymentNotAvailable):
        anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)

    assert not Anticipation.objects.exists()


@pytest.mark.parametrize("status", AnticipationStatus.values)
def test_request_refuses_a_payment_already_anticipated(supplier, status):
    existing = AnticipationFactory(payment__supplier=supplier, status=status)

    with pytest.raises(AnticipationAlreadyExists):
        anticipation_request(payment=existing.payment, new_due_date=days(1), requested_by=supplier.user)

    assert list(Anticipation.objects.all()) == [existing]
    assert not RequestLog.objects.exists()


def test_request_refuses_a_supplier_that_does_not_own_the_payment(payment, other_supplier):
    with pytest.raises(NotPaymentOwner):
        anticipation_request(payment=payment, new_due_date=days(1), requested_by=other_supplier.user)

    assert not Anticipation.objects.exists()
    assert not RequestLog.objects.exists()


def test_request_refuses_a_user_that_is_neither_supplier_nor_operator(payment, plain_user):
    with pytest.raises(NotPaymentOwner):
        anticipation_request(payment=payment, new_due_date=days(1), requested_by=plain_user)

    assert not Anticipation.objects.exists()


@pytest.mark.parametrize(
    ("value", "due_offset"),
    [
        ("1000.00", 1000),  # 1000 days at 0.1% a day: exactly nothing left
        ("1000.00", 1200),  # more than 100%: negative
        ("0.01", 700),  # 0.0030 rounds to 0.00
    ],
)
def test_request_refuses_a_new_date_that_would_leave_nothing_to_pay(supplier, value, due_offset):
    payment = PaymentFactory(supplier=supplier, value=Decimal(value), due_date=days(due_offset))

    with pytest.raises(InvalidNewDueDate):
        anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)

    assert not Anticipation.objects.exists()
    assert not RequestLog.objects.exists()


def test_request_accepts_a_far_future_due_date_that_still_leaves_a_cent(supplier):
    payment = PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(999))

    anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)

    assert anticipation.new_value == Decimal("1.00")


def test_request_sends_the_supplier_one_email_only_after_commit(
    supplier, payment, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)
        assert mailoutbox == []

    assert len(email_publishes(callbacks)) == 1  # beside it, the metrics count the action (payments/metrics.py)
    assert len(mailoutbox) == 1
    assert_mail_about(mailoutbox[0], anticipation)
    assert "R$ 984,00" in mailoutbox[0].body
    assert "solicitada" in mailoutbox[0].subject.lower()


def test_a_request_made_on_the_suppliers_behalf_emails_the_supplier_not_the_operator(
    supplier, payment, operator, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        anticipation = anticipation_request(payment=payment, new_due_date=days(3), requested_by=operator)

    assert len(mailoutbox) == 1
    assert_mail_about(mailoutbox[0], anticipation)


@pytest.mark.parametrize("decision", [Decision.APPROVED, Decision.DENIED])
def test_the_outbox_is_told_whom_to_write_in_which_language_and_what(supplier, operator, decision):
    supplier.language = "en"
    supplier.save()
    payment = PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16))
    anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)
    anticipation_decide(anticipation=anticipation, decision=decision, decided_by=operator)

    told = Notification.objects.order_by("id").values_list("recipient", "language", "context")
    about = {
        "corporate_name": supplier.corporate_name,
        "payment_id": payment.pk,
        "value": "1000.00",
        "due_date": days(16).isoformat(),
        "new_value": "984.00",
        "new_due_date": days(0).isoformat(),
        "automatic": False,
    }
    assert list(told) == [
        (supplier.user.email, "en", {**about, "action": RequestLogAction.REQUESTED}),
        (supplier.user.email, "en", {**about, "action": decision.value}),
    ]


def test_a_refused_request_queues_no_email(payment, other_supplier, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(NotPaymentOwner):
            anticipation_request(payment=payment, new_due_date=days(1), requested_by=other_supplier.user)

    assert callbacks == []
    assert mailoutbox == []


@pytest.mark.parametrize(("rate", "expected"), [("0.06", "968.00"), ("0", "1000.00"), ("0.015", "992.00")])
def test_request_uses_the_programme_monthly_rate(supplier, payment, programme_terms, rate, expected):
    programme_terms(monthly_rate=Decimal(rate))

    anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)

    assert anticipation.new_value == Decimal(expected)
    assert Anticipation.objects.get().new_value == Decimal(expected)


# --- anticipation_decide ---------------------------------------------------------------------------------------------


@pytest.fixture
def pending(supplier):
    """A pending anticipation of `supplier`'s payment, last updated a few days ago."""
    return AnticipationFactory(payment__supplier=supplier, update_date=days(-3))


@pytest.mark.parametrize(
    ("decision", "action"),
    [(Decision.APPROVED, RequestLogAction.APPROVED), (Decision.DENIED, RequestLogAction.DENIED)],
)
def test_an_operator_decides_a_pending_anticipation(pending, operator, decision, action):
    decided = anticipation_decide(anticipation=pending, decision=decision, decided_by=operator)

    stored = Anticipation.objects.get(pk=pending.pk)
    assert decided.status == stored.status == decision.value
    assert stored.update_date == timezone.localdate()
    assert (stored.new_due_date, stored.new_value) == (pending.new_due_date, pending.new_value)
    log = RequestLog.objects.get()
    assert (log.anticipation, log.user, log.action) == (pending, operator, action)


@pytest.mark.parametrize("decision", ["A", "D"])
def test_decide_accepts_the_plain_status_codes(pending, operator, decision):
    assert anticipation_decide(anticipation=pending, decision=decision, decided_by=operator).status == decision


@pytest.mark.parametrize("decision", ["PC", "X", "", "a"])
def test_decide_accepts_only_approved_or_denied(pending, operator, decision):
    with pytest.raises(ValueError):
        anticipation_decide(anticipation=pending, decision=decision, decided_by=operator)

    assert Anticipation.objects.get(pk=pending.pk).status == PENDING
    assert not RequestLog.objects.exists()


@pytest.mark.parametrize("current", [AnticipationStatus.APPROVED, AnticipationStatus.DENIED])
@pytest.mark.parametrize("decision", list(Decision))
def test_decide_refuses_an_anticipation_already_decided(supplier, operator, current, decision):
    anticipation = AnticipationFactory(payment__supplier=supplier, status=current, update_date=days(-3))

    with pytest.raises(AnticipationAlreadyDecided):
        anticipation_decide(anticipation=anticipation, decision=decision, decided_by=operator)

    stored = Anticipation.objects.get(pk=anticipation.pk)
    assert (stored.status, stored.update_date) == (current, days(-3))
    assert not RequestLog.objects.exists()


def test_decide_reads_the_stored_status_not_the_callers_stale_copy(pending, operator):
    stale = Anticipation.objects.get(pk=pending.pk)
    anticipation_decide(anticipation=pending, decision=Decision.DENIED, decided_by=operator)

    with pytest.raises(AnticipationAlreadyDecided):
        anticipation_decide(anticipation=stale, decision=Decision.APPROVED, decided_by=operator)

    assert Anticipation.objects.get(pk=pending.pk).status == AnticipationStatus.DENIED
    assert RequestLog.objects.count() == 1


@pytest.mark.parametrize("who", ["owner", "other_supplier", "plain_user"])
def test_decide_requires_an_operator(request, pending, who):
    user = {
        "owner": lambda: pending.payment.supplier.user,
        "other_supplier": lambda: request.getfixturevalue("other_supplier").user,
        "plain_user": lambda: request.getfixturevalue("plain_user"),
    }[who]()

    with pytest.raises(OperatorRequired):
        anticipation_decide(anticipation=pending, decision=Decision.APPROVED, decided_by=user)

    assert Anticipation.objects.get(pk=pending.pk).status == PENDING
    assert not RequestLog.objects.exists()


@pytest.mark.parametrize("decision", list(Decision))
def test_an_operator_cannot_decide_the_anticipation_of_its_own_supplier(db, decision):
    operator_supplier = SupplierFactory(user=OperatorFactory())
    anticipation = AnticipationFactory(payment__supplier=operator_supplier)

    with pytest.raises(OwnAnticipationDecision):
        anticipation_decide(anticipation=anticipation, decision=decision, decided_by=operator_supplier.user)

    assert Anticipation.objects.get(pk=anticipation.pk).status == PENDING
    assert not RequestLog.objects.exists()


def test_approval_is_refused_once_the_new_due_date_has_passed(supplier, operator):
    anticipation = AnticipationFactory(payment__supplier=supplier, new_due_date=days(-1), update_date=days(-3))

    with pytest.raises(AnticipationExpired):
        anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=operator)

    stored = Anticipation.objects.get(pk=anticipation.pk)
    assert (stored.status, stored.update_date) == (PENDING, days(-3))
    assert not RequestLog.objects.exists()


def test_denial_is_allowed_after_the_new_due_date_has_passed(supplier, operator):
    anticipation = AnticipationFactory(payment__supplier=supplier, new_due_date=days(-1))

    anticipation_decide(anticipation=anticipation, decision=Decision.DENIED, decided_by=operator)

    assert Anticipation.objects.get(pk=anticipation.pk).status == AnticipationStatus.DENIED
    assert RequestLog.objects.get().action == RequestLogAction.DENIED


def test_approval_is_allowed_on_the_new_due_date_itself(supplier, operator):
    anticipation = AnticipationFactory(payment__supplier=supplier, new_due_date=days(0))

    anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=operator)

    assert Anticipation.objects.get(pk=anticipation.pk).status == AnticipationStatus.APPROVED


@pytest.mark.parametrize(("decision", "word"), [(Decision.APPROVED, "aprovada"), (Decision.DENIED, "negada")])
def test_a_decision_emails_the_supplier_once_only_after_commit(
    pending, operator, decision, word, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        anticipation = anticipation_decide(anticipation=pending, decision=decision, decided_by=operator)
        assert mailoutbox == []

    assert len(email_publishes(callbacks)) == 1  # beside it, the metrics count the action (payments/metrics.py)
    assert len(mailoutbox) == 1
    assert_mail_about(mailoutbox[0], anticipation)
    assert word in mailoutbox[0].subject.lower()


def test_a_refused_decision_queues_no_email(supplier, operator, django_capture_on_commit_callbacks, mailoutbox):
    anticipation = AnticipationFactory(payment__supplier=supplier, status=AnticipationStatus.APPROVED)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(AnticipationAlreadyDecided):
            anticipation_decide(anticipation=anticipation, decision=Decision.DENIED, decided_by=operator)

    assert callbacks == []
    assert mailoutbox == []


def email_publishes(callbacks) -> list:
    """The on-commit callbacks that publish a supplier e-mail."""
    return [callback for callback in callbacks if callback.__qualname__.startswith("notification_create.")]
