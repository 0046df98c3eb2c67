"""Properties of the discount, over any value, rate and number of days early (hypothesis)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from payments_api.payments.errors import InvalidNewDueDate
from payments_api.payments.models import MAX_PAYMENT_VALUE, Anticipation
from payments_api.payments.pricing import anticipation_new_value
from payments_api.payments.services import anticipation_request
from payments_api.payments.tests.factories import PaymentFactory
from payments_api.programme.selectors import programme_current

CENT = Decimal("0.01")
values = st.decimals(min_value=CENT, max_value=MAX_PAYMENT_VALUE, places=2)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.9999"), places=4)
days = st.integers(min_value=0, max_value=3650)


def thirty_times_exact(value: Decimal, rate: Decimal, days_early: int) -> Decimal:
    """30 x the formula's exact value, value * 30 - value * rate * days: products of short Decimals, no rounding."""
    return value * 30 - value * rate * days_early


@given(values, rates, days)
@example(Decimal("1000.00"), Decimal("0.03"), 16)
def test_new_value_is_never_above_the_value(value, rate, days_early):
    assert anticipation_new_value(value=value, days_early=days_early, monthly_rate=rate) <= value


@given(values, rates, days)
def test_new_value_is_never_below_zero_while_the_discount_is_at_most_the_value(value, rate, days_early):
    assume(rate * days_early <= 30)  # beyond that the service refuses the request (see the service test below)
    assert anticipation_new_value(value=value, days_early=days_early, monthly_rate=rate) >= 0


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values, due_in=st.integers(min_value=1, max_value=3650), data=st.data())
def test_an_anticipation_is_stored_with_0_lt_new_value_le_value_or_refused(operator, value, due_in, data):
    today = timezone.localdate()
    payment = PaymentFactory(value=value, due_date=today + datetime.timedelta(days=due_in))
    new_due_in = data.draw(st.integers(min_value=0, max_value=due_in - 1))
    try:
        anticipation = anticipation_request(
            payment=payment, new_due_date=today + datetime.timedelta(days=new_due_in), requested_by=operator
        )
    except InvalidNewDueDate:
        assert (
            anticipation_new_value(
                value=value, days_early=due_in - new_due_in, monthly_rate=programme_current().monthly_rate
            )
            <= 0
        )
        assert not Anticipation.objects.filter(payment=payment).exists()
    else:
        anticipation.refresh_from_db()
        assert Decimal("0") < anticipation.new_value <= value


@given(values, rates, days, days)
def test_new_value_is_monotone_in_days_early(value, rate, some_days, other_days):
    fewer, more = sorted((some_days, other_days))
    assert anticipation_new_value(value=value, days_early=more, monthly_rate=rate) <= anticipation_new_value(
        value=value, days_early=fewer, monthly_rate=rate
    )


@given(values, rates, days)
@example(Decimal("1000.00"), Decimal("0.03"), 16)  # 984.00, the worked example
@example(Decimal("1.50"), Decimal("0.03"), 10)  # exactly 1.485, a tie: half up gives 1.49 (half even 1.48)
def test_new_value_is_exact_to_the_cent_rounded_half_up(value, rate, days_early):
    assume(rate * days_early <= 30)  # a negative result is refused by the service; its ties would round down
    new_value = anticipation_new_value(value=value, days_early=days_early, monthly_rate=rate)
    assert new_value == new_value.quantize(CENT)
    # Within half a cent of the exact value, and a tie goes up (compared x30, so nothing is rounded).
    difference_x30 = new_value * 30 - thirty_times_exact(value, rate, days_early)
    assert -15 * CENT < difference_x30 <= 15 * CENT


@given(values, days)
def test_no_rate_means_no_discount(value, days_early):
    assert anticipation_new_value(value=value, days_early=days_early, monthly_rate=Decimal("0")) == value


@given(values, rates)
def test_paying_on_the_due_date_costs_nothing(value, rate):
    assert anticipation_new_value(value=value, days_early=0, monthly_rate=rate) == value


def test_worked_example_and_half_up_rounding():
    assert anticipation_new_value(value=Decimal("1000.00"), days_early=16, monthly_rate=Decimal("0.03")) == Decimal(
        "984.00"
    )
    # 100.00 * 0.03 / 30 * 5 = 0.5 exactly: 99.50
    assert anticipation_new_value(value=Decimal("100.00"), days_early=5, monthly_rate=Decimal("0.03")) == Decimal(
        "99.50"
    )
    # exactly 1.485 and 9.945: ties go up, where half-even would give 1.48 and 9.94
    assert anticipation_new_value(value=Decimal("1.50"), days_early=10, monthly_rate=Decimal("0.03")) == Decimal("1.49")
    assert anticipation_new_value(value=Decimal("10.20"), days_early=25, monthly_rate=Decimal("0.03")) == Decimal(
        "9.95"
    )
