"""GET /api/payments/{id}/quote/: the price of a date before asking, equal to the request's, and the options."""

import datetime
from decimal import Decimal

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments_api.common.tests.problems import assert_problem, without_request_id
from payments_api.notifications.models import Notification
from payments_api.payments.models import MAX_PAYMENT_VALUE, Anticipation, AnticipationStatus
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.programme.models import CalendarOverride, CalendarOverrideKind
from payments_api.programme.services import calendar_override_save
from payments_api.requestlogs.models import RequestLog

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


def quote(client, payment, new_due_date: datetime.date | str | None = None, **params):
    if new_due_date is not None:
        params["new_due_date"] = str(new_due_date)
    return client.get(f"/api/payments/{payment.pk}/quote/", params)


def request_anticipation(client, payment, new_due_date: datetime.date):
    return client.post(
        "/api/anticipations/", {"payment": payment.pk, "new_due_date": new_due_date.isoformat()}, format="json"
    )


def stored_rows() -> tuple[int, int, int]:
    return Anticipation.objects.count(), RequestLog.objects.count(), Notification.objects.count()


def is_bank_business_day(day: datetime.date) -> bool:
    """Worked out apart from the service: a weekday that B3's calendar does not list."""
    return day.weekday() < 5 and day not in holidays.financial_holidays("BVMF", years=day.year)


@pytest.fixture
def payment(supplier):
    return PaymentFactory(supplier=supplier, due_date=days(16), value=Decimal("1000.00"))


def test_the_issue_example_16_days_early_at_3_percent_a_month(supplier_client, payment):
    response = quote(supplier_client, payment, days(0))

    assert response.status_code == 200
    assert response.json() == {
        "payment": payment.pk,
        "new_due_date": days(0).isoformat(),
        "days_early": 16,
        "value": "1000.00",
        "discount": "16.00",
        "new_value": "984.00",
        "monthly_rate": "0.030000",
        "apr": "36.50",
        "apr_on_net": "37.09",
        "business_day": is_bank_business_day(days(0)),
        "programme_version": 1,
        "auto_approves": False,
    }


def test_an_operator_gets_the_same_quote(operator_client, supplier_client, payment):
    assert quote(operator_client, payment, days(3)).json() == quote(supplier_client, payment, days(3)).json()


def test_a_quote_writes_nothing(supplier_client, payment):
    before = stored_rows()

    assert quote(supplier_client, payment, days(0)).status_code == 200
    assert quote(supplier_client, payment).status_code == 200

    assert stored_rows() == before == (0, 0, 0)


@pytest.mark.postgresql
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.decimals(min_value=Decimal("0.01"), max_value=MAX_PAYMENT_VALUE, places=2),
    due_in=st.integers(min_value=1, max_value=3650),
    data=st.data(),
)
def test_the_quote_equals_the_request_to_the_cent(supplier, supplier_client, programme_terms, value, due_in, data):
    rate = data.draw(st.decimals(min_value=Decimal("0"), max_value=Decimal("0.2"), places=6), label="rate")
    programme_terms(monthly_rate=rate, business_days_only=data.draw(st.booleans(), label="business_days_only"))
    payment = PaymentFactory(supplier=supplier, value=value, due_date=days(due_in))
    new_due_date = days(data.draw(st.integers(min_value=0, max_value=due_in - 1), label="new_due_in"))

    quoted = quote(supplier_client, payment, new_due_date)
    requested = request_anticipation(supplier_client, payment, new_due_date)

    if quoted.status_code == 200:
        assert requested.status_code == 201, requested.json()
        body = quoted.json()
        assert requested.json()["new_value"] == body["new_value"]
        assert requested.json()["monthly_rate"] == body["monthly_rate"]
        assert requested.json()["programme_version"] == body["programme_version"]
        assert Decimal(body["discount"]) == value - Decimal(body["new_value"])
    else:  # nothing left to pay, or not a business day: both refuse alike, with the same problem
        assert requested.status_code == quoted.status_code == 400
        assert without_request_id(requested.json()) == without_request_id(quoted.json())
        assert quoted.json()["code"] in ("invalid-new-due-date", "not-a-business-day")
        assert not Anticipation.objects.filter(payment=payment).exists()


@pytest.mark.parametrize("offset", [-1, 16, 17])
def test_a_date_outside_today_to_the_day_before_the_due_date_is_refused_as_the_request_is(
    supplier_client, payment, offset
):
    quoted = assert_problem(quote(supplier_client, payment, days(offset)), 400, "invalid-new-due-date")
    requested = assert_problem(request_anticipation(supplier_client, payment, days(offset)), 400)

    assert quoted == requested


@pytest.mark.parametrize("status", AnticipationStatus.values)
def test_a_payment_with_an_anticipation_is_refused_as_the_request_is(supplier_client, payment, status):
    AnticipationFactory(payment=payment, status=status)

    quoted = assert_problem(quote(supplier_client, payment, days(1)), 409, "anticipation-exists")
    assert assert_problem(quote(supplier_client, payment), 409, "anticipation-exists") == quoted
    assert assert_problem(request_anticipation(supplier_client, payment, days(1)), 409) == quoted


@pytest.mark.parametrize("due_offset", [0, -1])
def test_a_payment_already_due_is_refused_as_the_request_is(supplier, supplier_client, due_offset):
    payment = PaymentFactory(supplier=supplier, due_date=days(due_offset))

    quoted = assert_problem(quote(supplier_client, payment, days(0)), 409, "payment-not-available")
    assert assert_problem(quote(supplier_client, payment), 409, "payment-not-available") == quoted
    assert assert_problem(request_anticipation(supplier_client, payment, days(0)), 409) == quoted


def test_another_suppliers_payment_is_not_found(other_supplier_client, payment):
    assert_problem(quote(other_supplier_client, payment, days(1)), 404)
    assert_problem(quote(other_supplier_client, payment), 404)


def test_only_suppliers_and_operators_get_quotes(client_for, plain_user, anonymous_client, payment):
    assert_problem(quote(client_for(plain_user), payment, days(1)), 403)
    assert_problem(quote(anonymous_client, payment, days(1)), 401)


@pytest.mark.parametrize("new_due_date", ["tomorrow", "2027-02-30", "03/12/2026", "2027-1-05"])
def test_a_date_that_is_not_yyyy_mm_dd_is_a_validation_problem(supplier_client, payment, new_due_date):
    assert_problem(quote(supplier_client, payment, new_due_date), 400, "validation-error", fields={"new_due_date"})


def test_a_rate_change_between_quote_and_request_prices_the_request_at_the_new_rate(
    supplier, supplier_client, payment, programme_terms
):
    earlier = AnticipationFactory(payment=PaymentFactory(supplier=supplier), new_value=Decimal("980.00"))
    quoted = quote(supplier_client, payment, days(0)).json()

    programme_terms(monthly_rate=Decimal("0.015"))
    response = request_anticipation(supplier_client, payment, days(0))

    assert (quoted["new_value"], quoted["programme_version"]) == ("984.00", 1)
    assert response.status_code == 201
    assert response.json()["new_value"] == "992.00"  # 1000 x 0.015 / 30 x 16 = 8.00
    assert (response.json()["monthly_rate"], response.json()["programme_version"]) == ("0.015000", 2)
    assert quote(supplier_client, PaymentFactory(supplier=supplier, due_date=days(16)), days(0)).json()[
        "programme_version"
    ] == 2
    earlier.refresh_from_db()
    assert (earlier.new_value, earlier.monthly_rate, earlier.programme_version_id) == (
        Decimal("980.00"),
        Decimal("0.03"),
        1,
    )
    assert request_anticipation_json_of(supplier_client, earlier)["monthly_rate"] == "0.030000"


def request_anticipation_json_of(client, anticipation) -> dict:
    return client.get(f"/api/anticipations/{anticipation.pk}/").json()


# --- the options ----------------------------------------------------------------------------------------------------


def test_without_a_date_every_allowed_date_is_listed_nearest_first_in_pages(supplier_client, payment):
    first = quote(supplier_client, payment)
    second = quote(supplier_client, payment, page=2)

    assert first.status_code == 200
    body = first.json()
    assert body.keys() == {"count", "next", "previous", "results"}
    assert body["count"] == 16  # today up to the day before the due date
    assert body["previous"] is None
    assert body["next"] == f"http://testserver/api/payments/{payment.pk}/quote/?page=2"
    results = body["results"] + second.json()["results"]
    assert [option["new_due_date"] for option in results] == [days(n).isoformat() for n in range(16)]
    assert results[0] == {
        "new_due_date": days(0).isoformat(),
        "days_early": 16,
        "new_value": "984.00",
        "discount": "16.00",
        "apr": "36.50",
        "apr_on_net": "37.09",
        "business_day": is_bank_business_day(days(0)),
        "auto_approves": False,
    }
    assert [option["business_day"] for option in results] == [is_bank_business_day(days(n)) for n in range(16)]


def test_each_option_is_priced_as_its_own_quote(supplier_client, payment):
    options = quote(supplier_client, payment, page_size=100).json()["results"]

    for option in options:
        single = quote(supplier_client, payment, option["new_due_date"]).json()
        assert option == {key: single[key] for key in option}


def test_options_are_paged_like_the_other_lists(operator_client, payment):
    response = quote(operator_client, payment, page=2, page_size=5)

    body = response.json()
    assert body["count"] == 16
    assert [option["days_early"] for option in body["results"]] == [11, 10, 9, 8, 7]
    assert body["previous"].endswith(f"/api/payments/{payment.pk}/quote/?page_size=5")
    assert_problem(quote(operator_client, payment, page=5, page_size=5), 404)
    assert_problem(quote(operator_client, payment, page="x"), 400, fields={"page"})


def test_options_leave_out_the_dates_that_would_leave_nothing_to_pay(supplier, supplier_client, programme_terms):
    programme_terms(monthly_rate=Decimal("0.5"))  # 60 days early discounts everything
    payment = PaymentFactory(supplier=supplier, due_date=days(70), value=Decimal("100.00"))

    body = quote(supplier_client, payment, page_size=100).json()

    assert body["count"] == 59  # 1 to 59 days early: 59 leaves 1.67, 60 would leave nothing
    assert body["results"][0]["new_due_date"] == days(11).isoformat()
    assert body["results"][0]["new_value"] == "1.67"
    assert_problem(quote(supplier_client, payment, days(10)), 400, "invalid-new-due-date")


# --- business days only ---------------------------------------------------------------------------------------------


def next_weekday(weekday: int, *, after: int) -> datetime.date:
    day = days(after)
    while day.weekday() != weekday:
        day += ONE_DAY
    return day


def bank_neighbours(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    before, after = day - ONE_DAY, day + ONE_DAY
    while not is_bank_business_day(before):
        before -= ONE_DAY
    while not is_bank_business_day(after):
        after += ONE_DAY
    return before, after


def test_with_business_days_only_a_saturday_is_refused_with_its_neighbours(supplier, supplier_client, programme_terms):
    programme_terms(business_days_only=True)
    saturday = next_weekday(5, after=7)
    payment = PaymentFactory(supplier=supplier, due_date=saturday + datetime.timedelta(days=14))
    previous, following = bank_neighbours(saturday)

    refusals = (quote(supplier_client, payment, saturday), request_anticipation(supplier_client, payment, saturday))
    for response in refusals:
        body = assert_problem(response, 400, "not-a-business-day", fields={"new_due_date"})
        assert (body["previous_business_day"], body["next_business_day"]) == (
            previous.isoformat(),
            following.isoformat(),
        )
        assert "Saturday" in body["detail"]
    assert stored_rows() == (0, 0, 0)
    assert request_anticipation(supplier_client, payment, following).status_code == 201


def test_with_business_days_only_the_options_are_business_days_alone(supplier, supplier_client, programme_terms):
    programme_terms(business_days_only=True)
    payment = PaymentFactory(supplier=supplier, due_date=days(30))

    options = quote(supplier_client, payment, page_size=100).json()["results"]

    expected = [days(n) for n in range(30) if is_bank_business_day(days(n))]
    assert [option["new_due_date"] for option in options] == [day.isoformat() for day in expected]
    assert all(option["business_day"] for option in options)


def test_without_business_days_only_a_saturday_is_quoted_and_marked(supplier, supplier_client):
    saturday = next_weekday(5, after=1)
    payment = PaymentFactory(supplier=supplier, due_date=saturday + ONE_DAY * 5)

    response = quote(supplier_client, payment, saturday)

    assert response.status_code == 200
    assert response.json()["business_day"] is False


def test_a_due_date_right_after_a_long_holiday_leaves_no_allowed_date(
    supplier, supplier_client, operator, programme_terms
):
    programme_terms(business_days_only=True)
    # Every day from today to the due date's eve is a holiday: a long local holiday declared by an operator.
    for offset in range(6):
        calendar_override_save(
            override=CalendarOverride(day=days(offset), kind=CalendarOverrideKind.HOLIDAY, name="Local holiday"),
            saved_by=operator,
        )
    payment = PaymentFactory(supplier=supplier, due_date=days(6))

    for response in (quote(supplier_client, payment, days(2)), request_anticipation(supplier_client, payment, days(2))):
        body = assert_problem(response, 400, "not-a-business-day")
        assert (body["previous_business_day"], body["next_business_day"]) == (None, None)
        assert "Local holiday" in body["detail"]
    options = quote(supplier_client, payment).json()
    assert (options["count"], options["results"]) == (0, [])
    assert stored_rows() == (0, 0, 0)


def test_a_day_declared_working_is_allowed_with_business_days_only(
    supplier, supplier_client, operator, programme_terms
):
    programme_terms(business_days_only=True)
    saturday = next_weekday(5, after=2)
    payment = PaymentFactory(supplier=supplier, due_date=saturday + ONE_DAY * 3)
    assert_problem(quote(supplier_client, payment, saturday), 400, "not-a-business-day")

    calendar_override_save(
        override=CalendarOverride(day=saturday, kind=CalendarOverrideKind.WORKING_DAY, name="Bank Saturday"),
        saved_by=operator,
    )

    assert quote(supplier_client, payment, saturday).json()["business_day"] is True
    assert request_anticipation(supplier_client, payment, saturday).status_code == 201
