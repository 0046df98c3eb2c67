"""The e-mails: multipart, in the recipient's language, with the payment, values, dates and decision it was told."""

import datetime
from decimal import Decimal

import pytest

from payments_api.notifications.services import notification_create, notification_message
from payments_api.payments.tests.factories import AnticipationFactory
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.models import Language

pytestmark = pytest.mark.django_db

EXPECTED = {
    Language.PORTUGUESE: {
        "values": ["R$ 12.345,67", "R$ 12.100,00", "15/03/2027", "01/03/2027"],
        RequestLogAction.REQUESTED: ("Antecipação solicitada", "aguardando confirmação"),
        RequestLogAction.APPROVED: ("Antecipação aprovada", "aprovada"),
        RequestLogAction.DENIED: ("Antecipação negada", "negada"),
    },
    Language.ENGLISH: {
        "values": ["R$ 12,345.67", "R$ 12,100.00", "15 March 2027", "1 March 2027"],
        RequestLogAction.REQUESTED: ("Anticipation requested", "pending confirmation"),
        RequestLogAction.APPROVED: ("Anticipation approved", "approved"),
        RequestLogAction.DENIED: ("Anticipation denied", "denied"),
    },
}


@pytest.mark.parametrize("language", [Language.PORTUGUESE, Language.ENGLISH])
# A first approval of two e-mails nobody (the supplier hears of the decision).
@pytest.mark.parametrize("action", [action for action in RequestLogAction if action != RequestLogAction.FIRST_APPROVAL])
def test_the_email_states_payment_values_dates_and_decision_in_the_supplier_language(language, action, operator):
    anticipation = AnticipationFactory(
        payment__supplier__language=language,
        payment__value=Decimal("12345.67"),
        payment__due_date=datetime.date(2027, 3, 15),
        new_due_date=datetime.date(2027, 3, 1),
        new_value=Decimal("12100.00"),
    )
    log = RequestLog.objects.create(anticipation=anticipation, user=operator, action=action)
    supplier = anticipation.payment.supplier
    notification = notification_create(
        request_log=log,
        recipient=supplier.user.email,
        language=language,
        context={
            "corporate_name": supplier.corporate_name,
            "action": action,
            "payment_id": anticipation.payment_id,
            "value": anticipation.payment.value,
            "due_date": anticipation.payment.due_date,
            "new_value": anticipation.new_value,
            "new_due_date": anticipation.new_due_date,
        },
    )
    notification.refresh_from_db()  # as a worker reads it: amounts and dates come back from JSON as text

    message = notification_message(notification=notification)

    subject_words, decision_words = EXPECTED[language][action]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert subject_words in message.subject and f"{anticipation.payment_id}" in message.subject
    assert message.to == [supplier.user.email]
    for body in (message.body, html):
        assert f"{anticipation.payment_id}" in body
        assert supplier.corporate_name in body
        for value in EXPECTED[language]["values"]:
            assert value in body, (value, body)
        assert decision_words in body.lower()


def test_suppliers_default_to_brazilian_portuguese(supplier):
    assert supplier.language == Language.PORTUGUESE


@pytest.mark.parametrize(
    "language, written", [(Language.ENGLISH, "2 January 2027"), (Language.PORTUGUESE, "02/01/2027")]
)
def test_a_date_reads_the_same_on_both_sides_of_the_equator(language, written, operator):
    """01/02/2027 is 2 January in the United States and 1 February in Brazil: English spells the month."""
    anticipation = AnticipationFactory(
        payment__supplier__language=language,
        payment__due_date=datetime.date(2027, 1, 2),
        new_due_date=datetime.date(2027, 1, 1),
    )
    log = RequestLog.objects.create(anticipation=anticipation, user=operator, action=RequestLogAction.REQUESTED)
    notification = notification_create(
        request_log=log,
        recipient="x@example.com",
        language=language,
        context={"action": "R", "payment_id": 1, "due_date": "2027-01-02", "new_due_date": "2027-01-01"},
    )

    message = notification_message(notification=notification)

    assert written in message.body and written in message.alternatives[0][0]
    assert "01/02/2027" not in message.body
