"""Several payments at once: the shared dates, the picker's calendar, the live quotes (an htmx part), the
confirmation; another supplier's payment in the address is a 404."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from payments_api.payments.models import Anticipation
from payments_api.payments.selectors import anticipation_quote, anticipation_quote_options
from payments_api.payments.services import anticipation_request
from payments_api.payments.tests.factories import days
from payments_api.portal.selectors import picker_month
from payments_api.requestlogs.models import RequestLog
from payments_api.programme.selectors import business_calendar, programme_current

pytestmark = pytest.mark.django_db


def query(*payments, **extra) -> str:
    pairs = [f"payment={payment.pk}" for payment in payments] + [f"{key}={value}" for key, value in extra.items()]
    return "&".join(pairs)


@pytest.fixture
def three(supplier, new_payment):
    return [new_payment(supplier, value=value, due_in=due, external_id=f"NF-{due}")
            for value, due in (("1000.00", 30), ("2500.00", 45), ("800.00", 60))]


def test_the_picker_offers_the_dates_every_chosen_payment_may_be_paid_on(supplier, portal, three):
    response = portal.get(f"/portal/payments/early/?{query(*three)}")

    shared = set.intersection(
        *(set(anticipation_quote_options(payment=payment, quoted_by=supplier.user).dates) for payment in three)
    )
    assert response.context["selection"].dates == sorted(shared)
    assert max(shared) < three[0].due_date  # the soonest due bounds them
    offered = [cell.day for week in response.context["weeks"] for cell in week if cell.allowed]
    assert set(offered) <= shared and offered
    page = response.content.decode()
    assert f'id="day-{min(shared).isoformat()}"' in page
    assert 'id="no-date"' in page


def test_the_calendar_marks_non_business_days_with_their_names(db):
    month = datetime.date(2026, 12, 1)
    weeks = picker_month(month=month, allowed=[datetime.date(2026, 12, 24)], first_weekday=0)

    assert [len(week) for week in weeks] == [7] * len(weeks)
    assert weeks[0][0].day == datetime.date(2026, 11, 29)  # a Sunday
    assert weeks[-1][-1].day == datetime.date(2027, 1, 2)  # a Saturday
    christmas = next(cell for week in weeks for cell in week if cell.day == datetime.date(2026, 12, 25))
    assert christmas.non_business == business_calendar(programme=programme_current()).holiday_name(christmas.day)
    assert christmas.non_business and not christmas.allowed
    assert [cell.allowed for week in weeks for cell in week].count(True) == 1
    monday_first = picker_month(month=month, allowed=[], first_weekday=1)
    assert monday_first[0][0].day == datetime.date(2026, 11, 30)


def test_the_quotes_part_is_what_htmx_swaps_and_its_total_is_the_sum_of_the_quotes(supplier, portal, three):
    day = portal.get(f"/portal/payments/early/?{query(*three)}").context["selection"].dates[3]

    response = portal.get(f"/portal/payments/early/?{query(*three, new_due_date=day.isoformat())}",
                          headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<section id="quotes"') and "<html" not in page
    assert "HX-Request" in response["Vary"]
    quotes = [anticipation_quote(payment=payment, new_due_date=day, quoted_by=supplier.user) for payment in three]
    totals = response.context["totals"]
    assert totals.new_value == sum(quote.new_value for quote in quotes)
    assert totals.discount == sum(quote.discount for quote in quotes)
    assert totals.value == Decimal("4300.00")
    assert f'data-total="new-value">R${totals.new_value:,}<' in page

    whole = portal.get(f"/portal/payments/early/?{query(*three, new_due_date=day.isoformat())}")
    assert "<html" in whole.content.decode() and whole.context["totals"] == totals


def test_a_date_not_every_payment_may_be_paid_on_is_refused(portal, three):
    late = three[0].due_date + datetime.timedelta(days=3)

    response = portal.get(f"/portal/payments/early/?{query(*three, new_due_date=late.isoformat())}")

    assert response.context["selection"].date_refused
    assert "totals" not in response.context
    assert "Not every chosen payment may be paid on that date" in response.content.decode()


def test_another_suppliers_or_an_unavailable_payment_makes_the_selection_a_404(supplier, other_supplier, portal,
                                                                               three, new_payment):
    theirs = new_payment(other_supplier)
    requested = new_payment(supplier)
    anticipation_request(payment=requested, new_due_date=portal.get(
        f"/portal/payments/early/?{query(requested)}").context["selection"].dates[0], requested_by=supplier.user)

    assert portal.get(f"/portal/payments/early/?{query(three[0], theirs)}").status_code == 404
    assert portal.get(f"/portal/payments/early/?{query(three[0], requested)}").status_code == 404
    assert portal.get("/portal/payments/early/?payment=abc").status_code == 404
    assert portal.get(f"/portal/payments/early/confirm/?{query(theirs, new_due_date=days(5))}").status_code == 404


def test_no_payment_chosen_goes_back_to_the_list(portal):
    response = portal.get("/portal/payments/early/")

    assert response.status_code == 302 and response["Location"] == "/portal/payments/?status=A"


def test_the_confirmation_shows_the_totals_and_files_nothing(supplier, portal, three):
    day = portal.get(f"/portal/payments/early/?{query(*three)}").context["selection"].dates[0]

    response = portal.get(f"/portal/payments/early/confirm/?{query(*three, new_due_date=day.isoformat())}")

    assert response.status_code == 200
    quotes = [anticipation_quote(payment=payment, new_due_date=day, quoted_by=supplier.user) for payment in three]
    assert response.context["totals"].new_value == sum(quote.new_value for quote in quotes)
    assert not Anticipation.objects.exists()
    no_date = portal.get(f"/portal/payments/early/confirm/?{query(*three)}")
    assert no_date.status_code == 302 and no_date["Location"].startswith("/portal/payments/early/?")


def test_the_list_offers_a_checkbox_on_available_payments_only(supplier, portal, three, new_payment):
    requested = new_payment(supplier)
    day = anticipation_quote_options(payment=requested, quoted_by=supplier.user).dates[0]
    anticipation_request(payment=requested, new_due_date=day, requested_by=supplier.user)

    page = portal.get("/portal/payments/").content.decode()

    for payment in three:
        assert f'id="select-{payment.pk}" form="selection-start"' in page
    assert f'id="select-{requested.pk}"' not in page


def test_submitting_files_one_batch_and_shows_each_payments_result(
    supplier, portal, three, django_capture_on_commit_callbacks, caplog
):
    day = portal.get(f"/portal/payments/early/?{query(*three)}").context["selection"].dates[0]
    taken = three[1]  # requested on its own page meanwhile
    anticipation_request(payment=taken, new_due_date=day, requested_by=supplier.user)
    form = {"payment": [payment.pk for payment in three], "new_due_date": day.isoformat()}
    quoted = {
        payment.pk: anticipation_quote(payment=payment, new_due_date=day, quoted_by=supplier.user).new_value
        for payment in (three[0], three[2])
    }

    with django_capture_on_commit_callbacks(execute=True), caplog.at_level("INFO", logger="payments_api.portal"):
        response = portal.post("/portal/payments/early/submit/", form)

    assert response.status_code == 302 and response["Location"] == "/portal/payments/early/result/"
    filed = {a.payment_id: a for a in Anticipation.objects.filter(payment__in=[three[0], three[2]])}
    for payment in (three[0], three[2]):
        assert (filed[payment.pk].new_due_date, filed[payment.pk].new_value) == (day, quoted[payment.pk])
        assert RequestLog.objects.get(anticipation=filed[payment.pk]).user == supplier.user
    assert Anticipation.objects.count() == 3
    action = next(record for record in caplog.records if getattr(record, "portal_action", "") == "anticipation-batch")
    assert sorted(action.anticipation_ids) == sorted(a.pk for a in filed.values())
    assert action.refused_payment_ids == [taken.pk]
    # One e-mail for the batch, besides the one of the request filed on its own.
    batch_mails = [m for m in mail.outbox if "NF-30" in m.body and "NF-60" in m.body]
    assert len(batch_mails) == 1

    result = portal.get(response["Location"])
    rows = result.context["rows"]
    assert [(payment.pk, anticipation is not None) for payment, anticipation, _refusal in rows] == [
        (three[0].pk, True), (three[1].pk, False), (three[2].pk, True),
    ]
    assert rows[1][2] == "This payment already has a request for early payment."
    page = result.content.decode()
    assert "2 payments requested for" in page and "1 payment could not be requested." in page


def test_submitting_another_suppliers_payment_is_a_404_and_files_nothing(
    supplier, other_supplier, portal, three, new_payment
):
    theirs = new_payment(other_supplier)
    day = portal.get(f"/portal/payments/early/?{query(*three)}").context["selection"].dates[0]

    response = portal.post(
        "/portal/payments/early/submit/", {"payment": [three[0].pk, theirs.pk], "new_due_date": day.isoformat()}
    )

    assert response.status_code == 404
    assert not Anticipation.objects.exists()
    assert portal.get("/portal/payments/early/submit/").status_code == 405


def test_the_result_page_without_a_batch_goes_to_the_requests(portal):
    assert portal.get("/portal/payments/early/result/")["Location"] == "/portal/requests/"
