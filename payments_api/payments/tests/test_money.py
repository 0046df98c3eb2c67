"""anticipation_new_value: value - value * (rate / 30) * days_early, computed exactly and rounded once, half up."""

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments_api.payments.models import MAX_PAYMENT_VALUE
from payments_api.payments.pricing import anticipation_new_value

RATE = Decimal("0.03")
CENT = Decimal("0.01")


def exact_discounted(value: Decimal, days_early: int, monthly_rate: Decimal) -> Fraction:
    return Fraction(value) - Fraction(value) * Fraction(monthly_rate) * days_early / 30


def round_half_up(amount: Fraction) -> Decimal:
    """The exact amount to the cent, halves away from zero, with no decimal arithmetic involved."""
    cents = int(abs(amount) * 100 + Fraction(1, 2))  # int() truncates, which is floor for non-negatives
    return (Decimal(cents if amount >= 0 else -cents) / 100).quantize(CENT)


def round_half_even(amount: Fraction) -> Decimal:
    return (Decimal(amount.numerator) / Decimal(amount.denominator)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def new_value(value: str, days_early: int, rate: Decimal = RATE) -> Decimal:
    return anticipation_new_value(value=Decimal(value), days_early=days_early, monthly_rate=rate)


def test_the_spec_example_1000_paid_16_days_early_at_3_percent_is_984():
    assert new_value("1000.00", 16) == Decimal("984.00")


@pytest.mark.parametrize(
    ("value", "days_early", "half_up"),
    [
        ("15.00", 1, "14.99"),  # 14.985
        ("0.50", 30, "0.49"),  # 0.485
        ("1.50", 10, "1.49"),  # 1.485
        ("5.00", 3, "4.99"),  # 4.985
        ("7.50", 2, "7.49"),  # 7.485
        ("11.00", 45, "10.51"),  # 10.505
    ],
)
def test_an_exact_half_cent_is_rounded_half_up_not_half_even(value, days_early, half_up):
    exact = exact_discounted(Decimal(value), days_early, RATE)
    assert (exact * 1000).denominator == 1 and (exact * 1000).numerator % 10 == 5, "the case is an exact half cent"
    assert round_half_even(exact) != Decimal(half_up), "the case must tell the two roundings apart"

    assert new_value(value, days_early) == Decimal(half_up)


@pytest.mark.parametrize(
    ("value", "days_early", "expected"),
    [
        ("0.01", 1, "0.01"),  # 0.00999...
        ("0.01", 500, "0.01"),  # exactly 0.005, half up
        ("0.01", 667, "0.00"),  # 0.00333: positive, but nothing left in cents
        ("0.01", 1000, "0.00"),
        ("999999999.99", 1, "998999999.99"),
        ("999999999.99", 29, "970999999.99"),
        ("999999999.99", 1000, "0.00"),  # 100% discount
        ("1000.00", 1, "999.00"),
        ("1000.00", 365, "635.00"),
        ("1000.00", 999, "1.00"),
        ("1000.00", 1001, "-1.00"),  # past 100%: the function computes, the service refuses
    ],
)
def test_edge_values_and_day_counts(value, days_early, expected):
    result = new_value(value, days_early)

    assert result == Decimal(expected)
    assert result == round_half_up(exact_discounted(Decimal(value), days_early, RATE))


def test_the_largest_payment_value_loses_no_digit():
    assert new_value(str(MAX_PAYMENT_VALUE), 7) == Decimal("992999999.99")  # 999999999.99 * 0.993 = 992999999.990...


@pytest.mark.parametrize(
    ("value", "days_early", "rate"),
    [
        ("6.00", 365, "0.035"),  # exactly 3.445
        ("8.50", 180, "0.035"),  # exactly 6.715
        ("9.50", 180, "0.035"),  # exactly 7.505
        ("12.50", 180, "0.035"),  # exactly 9.875
    ],
)
def test_multiplies_before_dividing_so_an_exact_half_cent_stays_exact(value, days_early, rate):
    value, rate = Decimal(value), Decimal(rate)
    # Dividing the rate by 30 first leaves a rounded repeating decimal that turns the half cent into less than half.
    divided_first = (value - value * (rate / 30) * days_early).quantize(CENT, rounding=ROUND_HALF_UP)
    exact = round_half_up(exact_discounted(value, days_early, rate))
    assert divided_first != exact, "the case must tell the two orders apart"

    assert anticipation_new_value(value=value, days_early=days_early, monthly_rate=rate) == exact


def test_a_zero_rate_leaves_the_value_unchanged():
    assert new_value("1234.56", 29, Decimal("0")) == Decimal("1234.56")


# --- properties ------------------------------------------------------------------------------------------------------

values = st.decimals(min_value=CENT, max_value=MAX_PAYMENT_VALUE, places=2, allow_nan=False, allow_infinity=False)
days = st.integers(min_value=0, max_value=3650)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.9999"), places=4, allow_nan=False)


@pytest.mark.parametrize("digits", [60, 70, 200])
@pytest.mark.parametrize("value, days_early", [("5.00", 1), ("0.25", 60), ("999999999.99", 3650)])
def test_a_rate_with_very_many_digits_is_still_rounded_once(value, days_early, digits):
    rate = Decimal("0.03") + Decimal(1).scaleb(-digits)  # 0.03000...0001

    expected = round_half_up(exact_discounted(Decimal(value), days_early, rate))
    assert new_value(value, days_early, rate) == expected


@given(value=values, days_early=days, rate=rates)
def test_property_equals_the_exact_fraction_rounded_half_up(value, days_early, rate):
    result = anticipation_new_value(value=value, days_early=days_early, monthly_rate=rate)

    assert result == round_half_up(exact_discounted(value, days_early, rate))


@given(value=values, days_early=days, rate=rates)
def test_property_never_above_the_original_value(value, days_early, rate):
    assert anticipation_new_value(value=value, days_early=days_early, monthly_rate=rate) <= value


@given(value=values, first=days, second=days, rate=rates)
def test_property_more_days_early_never_pays_more(value, first, second, rate):
    fewer, more = sorted((first, second))

    assert anticipation_new_value(value=value, days_early=more, monthly_rate=rate) <= anticipation_new_value(
        value=value, days_early=fewer, monthly_rate=rate
    )


@given(value=values, days_early=days, rate=rates)
def test_property_is_a_decimal_with_exactly_two_places(value, days_early, rate):
    result = anticipation_new_value(value=value, days_early=days_early, monthly_rate=rate)

    assert isinstance(result, Decimal)
    assert result.is_finite()
    assert result.as_tuple().exponent == -2
