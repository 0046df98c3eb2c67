"""The price of a date: the APR arithmetic at its edges, and the last day that still leaves something to pay."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments_api.payments.models import MAX_PAYMENT_VALUE
from payments_api.payments.pricing import annual_percentage, anticipation_new_value, most_days_early

CENT = Decimal("0.01")


def test_the_issue_example_16_days_early_at_3_percent():
    new_value = anticipation_new_value(value=Decimal("1000.00"), days_early=16, monthly_rate=Decimal("0.03"))
    discount = Decimal("1000.00") - new_value

    assert (new_value, discount) == (Decimal("984.00"), Decimal("16.00"))
    assert annual_percentage(discount=discount, base=Decimal("1000.00"), days_early=16) == Decimal("36.50")
    assert annual_percentage(discount=discount, base=new_value, days_early=16) == Decimal("37.09")


@pytest.mark.parametrize(
    ("value", "expected_discount", "apr", "apr_on_net"),
    [
        # One day at 3% a month: 1/30 of 3%, 36.5% a year on face.
        ("1000.00", "1.00", "36.50", "36.54"),  # 1 / 999 x 36500 = 36.5365...
        # One cent of discount: 10.00 x 0.001 = 0.01 exactly.
        ("10.00", "0.01", "36.50", "36.54"),  # 0.01 / 9.99 x 36500 = 36.5365...
        # 14.985 rounds half up to 14.99: a discount of one cent on 15.00, less than the nominal rate.
        ("15.00", "0.01", "24.33", "24.35"),  # 0.01 / 15 x 36500 = 24.333..., 0.01 / 14.99 x 36500 = 24.349...
        # 4.995 rounds half up to 5.00: nothing is discounted, so the APR is zero.
        ("5.00", "0.00", "0.00", "0.00"),
        # The smallest payment: a thousandth of a cent of discount rounds away.
        ("0.01", "0.00", "0.00", "0.00"),
        ("999999999.99", "1000000.00", "36.50", "36.54"),
    ],
)
def test_apr_one_day_early_at_3_percent(value, expected_discount, apr, apr_on_net):
    value = Decimal(value)
    new_value = anticipation_new_value(value=value, days_early=1, monthly_rate=Decimal("0.03"))
    discount = value - new_value

    assert discount == Decimal(expected_discount)
    assert annual_percentage(discount=discount, base=value, days_early=1) == Decimal(apr)
    assert annual_percentage(discount=discount, base=new_value, days_early=1) == Decimal(apr_on_net)


def test_apr_rounds_a_tie_half_up():
    # 0.01 x 36500 / (8.00 x 1) = 45.625: a tie at the third decimal.
    assert annual_percentage(discount=Decimal("0.01"), base=Decimal("8.00"), days_early=1) == Decimal("45.63")
    # 0.01 x 36500 / (16.00 x 1) = 22.8125: not a tie, rounds down.
    assert annual_percentage(discount=Decimal("0.01"), base=Decimal("16.00"), days_early=1) == Decimal("22.81")


def test_apr_on_the_longest_term_and_a_one_cent_new_value():
    # 3650 days early on 10.00 at 0.008 a month leaves 0.27; the APR on net is large but exact.
    new_value = anticipation_new_value(value=Decimal("10.00"), days_early=3650, monthly_rate=Decimal("0.008"))
    assert new_value == Decimal("0.27")
    assert annual_percentage(discount=Decimal("9.73"), base=new_value, days_early=3650) == Decimal("360.37")
    largest = annual_percentage(discount=Decimal("999999999.98"), base=CENT, days_early=1)
    assert largest == Decimal("3649999999927000.00")


@given(
    value=st.decimals(min_value=CENT, max_value=MAX_PAYMENT_VALUE, places=2),
    rate=st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("0.999999"), places=6),
    limit=st.integers(min_value=0, max_value=3660),
)
def test_most_days_early_is_the_last_day_with_something_to_pay(value, rate, limit):
    most = most_days_early(value=value, monthly_rate=rate, limit=limit)

    assert 0 <= most <= limit
    if most:
        assert anticipation_new_value(value=value, days_early=most, monthly_rate=rate) > 0
    if most < limit:
        assert anticipation_new_value(value=value, days_early=most + 1, monthly_rate=rate) <= 0
