"""The supplier's pages: each shows only its own rows (another supplier's id is a 404), through the API's selectors
and services."""

import csv
import datetime
import io
import logging
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from payments_api.payments.models import Anticipation, AnticipationStatus, Decision
from payments_api.payments.selectors import anticipation_quote
from payments_api.payments.services import anticipation_decide, anticipation_request
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.programme.selectors import business_calendar, programme_current
from payments_api.requestlogs.models import RequestLog, RequestLogAction

pytestmark = pytest.mark.django_db


def business_day(offset: int):
    """The first business day `offset` days from today or after."""
    calendar = business_calendar(programme=programme_current())
    day = days(offset)
    while not calendar.is_business_day(day):
        day += datetime.timedelta(days=1)
    return day


def text(response) -> str:
    return response.content.decode()


# --- home -----------------------------------------------------------------------------------------------------------


def test_home_shows_what_can_be_paid_early_what_waits_and_what_was_received(
    supplier, other_supplier, portal, operator, new_payment
):
    new_payment(supplier, value="1000.00", external_id="NF-1")
    new_payment(supplier, value="500.00", due_in=20, external_id="NF-2")
    pending = new_payment(supplier, value="2000.00", due_in=30)
    anticipation_request(payment=pending, new_due_date=business_day(5), requested_by=supplier.user)
    AnticipationFactory(  # approved, paid today: 20 days early at 3% a month
        payment=PaymentFactory(supplier=supplier, value=Decimal("3000.00"), due_date=days(20)),
        new_due_date=days(0), new_value=Decimal("2940.00"), status=AnticipationStatus.APPROVED,
    )
    new_payment(other_supplier, value="9999.00")  # not counted

    response = portal.get("/portal/")

    figures = response.context["figures"]
    assert (figures.available_count, figures.available_value) == (2, Decimal("1500.00"))
    assert figures.pending_count == 1
    assert figures.pending_new_value == Anticipation.objects.get(payment=pending).new_value
    assert (figures.received_count, figures.received_new_value, figures.received_discount) == (
        1, Decimal("2940.00"), Decimal("60.00"),
    )
    assert [payment.external_id for payment in figures.next_due] == ["NF-2", None, "NF-1"]
    page = text(response)
    assert 'data-figure="available-value">R$1,500.00<' in page
    assert "2 payments can be paid early" in page
    assert 'data-figure="received-value">R$2,940.00<' in page
    assert "Discount: R$60.00" in page


def test_home_in_portuguese(supplier, new_payment):
    from django.test import Client

    client = Client(headers={"Accept-Language": "pt-BR"})
    client.force_login(supplier.user)
    new_payment(supplier, value="1234.50")

    page = text(client.get("/portal/"))

    assert '<html lang="pt-br">' in page
    assert "R$ 1.234,50" in page
    assert "Disponível agora" in page


# --- payments -------------------------------------------------------------------------------------------------------


def test_the_payments_list_filters_by_status_and_invoice_number(supplier, other_supplier, portal, new_payment):
    available = new_payment(supplier, external_id="NF-10")
    requested = new_payment(supplier, external_id="NF-11")
    anticipation_request(payment=requested, new_due_date=business_day(5), requested_by=supplier.user)
    overdue = PaymentFactory(supplier=supplier, due_date=days(0), external_id="NF-12")
    new_payment(other_supplier, external_id="NF-10")

    def listed(query=""):
        response = portal.get(f"/portal/payments/{query}")
        return [payment.pk for payment in response.context["page"]]

    assert listed() == [overdue.pk, available.pk, requested.pk]
    assert listed("?status=A") == [available.pk]
    assert listed("?status=PC") == [requested.pk]
    assert listed("?status=U") == [overdue.pk]
    assert listed("?status=AN") == listed("?status=D") == []
    assert listed("?external_id=NF-10") == [available.pk]
    assert listed("?status=PC&external_id=NF-10") == []
    assert listed("?status=nonsense") == [overdue.pk, available.pk, requested.pk]
    tabs = {code: count for code, _label, count in portal.get("/portal/payments/").context["tabs"]}
    assert tabs == {"": 3, "A": 1, "U": 1, "PC": 1, "AN": 0, "D": 0}


def test_the_payments_list_is_paginated(supplier, portal):
    PaymentFactory.create_batch(25, supplier=supplier)

    first = portal.get("/portal/payments/?status=A")
    second = portal.get("/portal/payments/?status=A&page=2")

    assert len(first.context["page"]) == 20 and len(second.context["page"]) == 5
    assert "?status=A&amp;page=2" in text(first)


def test_a_payment_page_lists_each_dates_price_as_the_quote_gives_it(supplier, portal, new_payment):
    payment = new_payment(supplier, value="1000.00", external_id="NF-20")

    response = portal.get(f"/portal/payments/{payment.pk}/")

    options = list(response.context["options"])
    assert len(options) == 10
    for option in options:
        quote = anticipation_quote(payment=payment, new_due_date=option.new_due_date, quoted_by=supplier.user)
        assert (option.new_value, option.discount, option.apr) == (quote.new_value, quote.discount, quote.apr)
    assert "Invoice NF-20" in text(response)
    assert f'value="{options[0].new_due_date.isoformat()}"' in text(response)


def test_one_click_requests_the_payment_through_the_service(supplier, portal, new_payment,
                                                            django_capture_on_commit_callbacks):
    payment = new_payment(supplier, value="1000.00")
    day = business_day(10)
    quote = anticipation_quote(payment=payment, new_due_date=day, quoted_by=supplier.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(
            f"/portal/payments/{payment.pk}/request/", {"new_due_date": day.isoformat()}, follow=True
        )

    anticipation = Anticipation.objects.get(payment=payment)
    assert (anticipation.new_due_date, anticipation.new_value) == (day, quote.new_value)
    assert RequestLog.objects.get(anticipation=anticipation).user == supplier.user
    assert len(mail.outbox) == 1
    page = text(response)
    assert f"Requested: R${quote.new_value:,} on {day.isoformat()}" in page
    assert 'id="anticipation"' in page and "Requested by you" in page


def test_a_refused_request_says_why_in_the_pages_language(supplier, portal, new_payment, programme_terms):
    programme_terms(business_days_only=True)
    payment = new_payment(supplier)
    saturday = next(days(offset) for offset in range(7, 14) if days(offset).weekday() == 5)

    response = portal.post(
        f"/portal/payments/{payment.pk}/request/", {"new_due_date": saturday.isoformat()}, follow=True
    )

    assert not Anticipation.objects.exists()
    assert "This date is not a business day. Nearest business days:" in text(response)


def test_another_suppliers_payment_is_not_found_and_cannot_be_requested(supplier, other_supplier, portal, new_payment):
    theirs = new_payment(other_supplier)

    page = portal.get(f"/portal/payments/{theirs.pk}/")
    request = portal.post(f"/portal/payments/{theirs.pk}/request/", {"new_due_date": business_day(5).isoformat()})

    assert page.status_code == request.status_code == 404
    assert supplier.corporate_name in text(page)  # the portal's own page, not another's
    assert not Anticipation.objects.exists()
    assert portal.get("/portal/payments/999999/").status_code == 404


# --- requests and the statement -------------------------------------------------------------------------------------


def test_the_requests_page_shows_status_decision_date_and_history(
    supplier, other_supplier, portal, operator, new_payment
):
    first = anticipation_request(
        payment=new_payment(supplier, external_id="NF-30"), new_due_date=business_day(5), requested_by=supplier.user
    )
    second = anticipation_request(
        payment=new_payment(supplier, external_id="NF-31"), new_due_date=business_day(6), requested_by=supplier.user
    )
    anticipation_decide(anticipation=first, decision=Decision.APPROVED, decided_by=operator)
    anticipation_request(payment=new_payment(other_supplier), new_due_date=business_day(5),
                         requested_by=other_supplier.user)

    response = portal.get("/portal/requests/")

    assert [anticipation.pk for anticipation, _history in response.context["rows"]] == [second.pk, first.pk]
    history = dict(response.context["rows"])[first]
    assert [log.action for log in history] == [RequestLogAction.REQUESTED, RequestLogAction.APPROVED]
    page = text(response)
    assert "by the programme" in page and operator.email not in page
    assert [a.pk for a, _ in portal.get("/portal/requests/?status=PC").context["rows"]] == [second.pk]
    row = page[page.index(f'id="request-{first.pk}"'):page.index(f'id="request-{first.pk}"') + 2000]
    assert date_format(timezone.localdate()) in row and "Approved" in row


def test_the_statement_is_the_months_requests_as_csv(supplier, other_supplier, portal, new_payment):
    today = timezone.localdate()
    day = business_day(1)
    mine = anticipation_request(
        payment=new_payment(supplier, value="1000.00", external_id="=HYPERLINK()"), new_due_date=day,
        requested_by=supplier.user,
    )
    anticipation_request(payment=new_payment(other_supplier), new_due_date=day, requested_by=other_supplier.user)

    response = portal.get(f"/portal/requests/statement.csv?month={day:%Y-%m}")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="statement-{day:%Y-%m}.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["anticipation", "payment", "external_id", "due_date", "value", "new_due_date", "new_value",
                       "discount", "days_early", "apr", "status", "requested_on", "decided_on"]
    assert rows[1][:3] == [str(mine.pk), str(mine.payment_id), "'=HYPERLINK()"]
    assert rows[1][5:8] == [day.isoformat(), str(mine.new_value), str(mine.discount)]
    assert rows[1][10:] == ["PC", today.isoformat(), ""]
    assert len(rows) == 2
    other_month = f"{day.replace(day=1) - datetime.timedelta(days=1):%Y-%m}"
    empty = portal.get(f"/portal/requests/statement.csv?month={other_month}")
    assert len(list(csv.reader(io.StringIO(b"".join(empty.streaming_content).decode())))) == 1


# --- settings and logging -------------------------------------------------------------------------------------------


def test_settings_show_the_notification_address_and_change_the_email_language(supplier, portal):
    page = text(portal.get("/portal/settings/"))
    assert f'<strong id="notification-email">{supplier.user.email}</strong>' in page

    response = portal.post("/portal/settings/", {"language": "en"}, follow=True)

    supplier.refresh_from_db()
    assert supplier.language == "en"
    assert "Your e-mails will be written in English." in text(response)
    assert portal.post("/portal/settings/", {"language": "fr"}).status_code == 200
    supplier.refresh_from_db()
    assert supplier.language == "en"


def test_each_portal_action_is_logged_with_its_user_and_route(supplier, portal, new_payment, caplog):
    payment = new_payment(supplier)

    with caplog.at_level(logging.INFO):
        portal.post(f"/portal/payments/{payment.pk}/request/", {"new_due_date": business_day(5).isoformat()})

    request_line = next(record for record in caplog.records if record.name == "payments_api.requests")
    assert (request_line.user_id, request_line.route, request_line.status) == (
        supplier.user.pk, "/portal/payments/<int:pk>/request/", 302,
    )
    action = next(record for record in caplog.records if record.name == "payments_api.portal")
    assert (action.user_id, action.portal_action, action.payment_id) == (
        supplier.user.pk, "anticipation-request", payment.pk,
    )
