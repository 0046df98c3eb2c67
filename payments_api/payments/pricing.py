"""The price of an anticipation: one function for the request and for the quote, so the two agree to the cent."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from payments_api.payments.errors import (
    AnticipationAlreadyExists,
    InvalidNewDueDate,
    NotABusinessDay,
    NotPaymentOwner,
    PaymentNotAvailable,
)
from payments_api.payments.models import Payment
from payments_api.programme.business_days import BusinessCalendar
from payments_api.programme.models import Programme
from payments_api.users.models import User

CENT = Decimal("0.01")
DAYS_PER_MONTH = 30
DAYS_PER_YEAR = 365


def anticipation_new_value(*, value: Decimal, days_early: int, monthly_rate: Decimal) -> Decimal:
    """value - value * (monthly_rate / 30) * days_early, multiplied before dividing and rounded once, half up.

    The precision holds the product exactly whatever the digits of the rate, so the only rounding is the last one
    (the quotient by 30 may not end, but its tail of 3s or 6s never sits on a half cent).
    """
    digits = len(value.as_tuple().digits) + len(monthly_rate.as_tuple().digits) + len(str(days_early))
    with localcontext(prec=max(60, digits + 30)):
        exact = value - value * monthly_rate * days_early / DAYS_PER_MONTH
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def annual_percentage(*, discount: Decimal, base: Decimal, days_early: int) -> Decimal:
    """discount / base x 365 / days_early, as a percentage rounded once to two places, half up.

    Exact before the rounding: a quotient that ends does so well within the precision, and one that does not end
    never sits on a tie.
    """
    with localcontext(prec=60):
        exact = discount * DAYS_PER_YEAR * 100 / (base * days_early)
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def most_days_early(*, value: Decimal, monthly_rate: Decimal, limit: int) -> int:
    """The most days early, up to `limit`, that still leave something to pay (0 if none does).

    The new value never grows with the days early, so the last day with a positive one is found by bisection.
    """
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if anticipation_new_value(value=value, days_early=middle, monthly_rate=monthly_rate) > 0:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass(frozen=True)
class AnticipationPrice:
    payment: Payment
    new_due_date: datetime.date
    days_early: int
    value: Decimal
    discount: Decimal
    new_value: Decimal
    monthly_rate: Decimal
    apr: Decimal
    apr_on_net: Decimal
    business_day: bool
    programme_version: int
    # Whether a request for this date now would be approved at once by the programme (anticipation_auto_approves);
    # set by the quote, which counts the month's budget.
    auto_approves: bool = False


def anticipation_price(
    *, payment: Payment, new_due_date: datetime.date, programme: Programme, calendar: BusinessCalendar
) -> AnticipationPrice:
    """The price of paying `payment` on `new_due_date` under `programme`'s terms, for a date already allowed."""
    days_early = (payment.due_date - new_due_date).days
    new_value = anticipation_new_value(value=payment.value, days_early=days_early, monthly_rate=programme.monthly_rate)
    discount = payment.value - new_value
    return AnticipationPrice(
        payment=payment,
        new_due_date=new_due_date,
        days_early=days_early,
        value=payment.value,
        discount=discount,
        new_value=new_value,
        monthly_rate=programme.monthly_rate,
        apr=annual_percentage(discount=discount, base=payment.value, days_early=days_early),
        apr_on_net=annual_percentage(discount=discount, base=new_value, days_early=days_early),
        business_day=calendar.is_business_day(new_due_date),
        programme_version=programme.version_id,
    )


def anticipation_availability_check(
    *, payment: Payment, anticipated: bool, requested_by: User, today: datetime.date
) -> None:
    """Whether `requested_by` may ask for `payment` to be paid early at all, whatever the date."""
    if not requested_by.is_operator:
        supplier = requested_by.supplier_or_none
        if supplier is None or supplier.pk != payment.supplier_id:
            raise NotPaymentOwner()
    if anticipated:
        raise AnticipationAlreadyExists(f"Payment {payment.pk} already has an anticipation.")
    if payment.due_date <= today:
        raise PaymentNotAvailable(
            f"Payment {payment.pk} is due on {payment.due_date} and can no longer be anticipated."
        )


def earliest_new_due_date(*, payment: Payment, programme: Programme, today: datetime.date) -> datetime.date:
    """The first day from today that leaves something to pay (the due date itself when none before it does)."""
    limit = max(0, (payment.due_date - today).days)
    most = most_days_early(value=payment.value, monthly_rate=programme.monthly_rate, limit=limit)
    return payment.due_date - datetime.timedelta(days=most)


def allowed_new_due_dates(
    *, payment: Payment, programme: Programme, calendar: BusinessCalendar, today: datetime.date
) -> list[datetime.date]:
    """Every date `payment` may be paid on, nearest first: from today up to the day before its due date, leaving
    something to pay, and a business day when the programme says so. Empty when the payment has none."""
    first = earliest_new_due_date(payment=payment, programme=programme, today=today)
    dates = [first + datetime.timedelta(days=n) for n in range((payment.due_date - first).days)]
    if programme.business_days_only:
        dates = [day for day in dates if calendar.is_business_day(day)]
    return dates


def anticipation_price_check(
    *,
    payment: Payment,
    anticipated: bool,
    new_due_date: datetime.date,
    requested_by: User,
    programme: Programme,
    calendar: BusinessCalendar,
    today: datetime.date,
) -> AnticipationPrice:
    """The price a request for `payment` on `new_due_date` gets, or the refusal it gets: the request and the quote
    both ask this, so a quote refuses exactly what a request would and prices exactly as it would."""
    anticipation_availability_check(payment=payment, anticipated=anticipated, requested_by=requested_by, today=today)
    latest = payment.due_date - datetime.timedelta(days=1)
    if not today <= new_due_date <= latest:
        raise InvalidNewDueDate(
            f"The new due date must be from {today} up to the day before the due date {payment.due_date}.",
            field="new_due_date",
        )
    earliest = earliest_new_due_date(payment=payment, programme=programme, today=today)
    if new_due_date < earliest:  # the new value would be 0.00 (it never grows with the days early)
        raise InvalidNewDueDate("So many days early would leave nothing to pay.", field="new_due_date")
    price = anticipation_price(payment=payment, new_due_date=new_due_date, programme=programme, calendar=calendar)
    if programme.business_days_only and not price.business_day:
        raise NotABusinessDay(
            f"{new_due_date} is not a business day ({calendar.holiday_name(new_due_date)}).",
            field="new_due_date",
            previous_business_day=calendar.previous_business_day(new_due_date, earliest=earliest),
            next_business_day=calendar.next_business_day(new_due_date, latest=latest),
        )
    return price


def dual_approval_needed(*, new_value: Decimal, programme: Programme) -> bool:
    """Whether approving an anticipation of `new_value` takes two different operators under `programme`'s terms."""
    return programme.dual_approval_min_value is not None and new_value >= programme.dual_approval_min_value


def auto_approval_qualifies(*, price: AnticipationPrice, programme: Programme) -> bool:
    """Whether the programme's terms approve `price` at once, budget aside: an APR (as quoted) at least the hurdle, a
    new value at most the ceiling, and not so large that it needs two operators' approvals."""
    hurdle, ceiling = programme.auto_approve_min_apr, programme.auto_approve_max_value
    if hurdle is None or ceiling is None:
        return False
    return (
        price.apr >= hurdle
        and price.new_value <= ceiling
        and not dual_approval_needed(new_value=price.new_value, programme=programme)
    )


def anticipation_auto_approves(*, price: AnticipationPrice, programme: Programme, remaining: Decimal | None) -> bool:
    """Whether a request at `price` is approved as it is made: it qualifies, and its new value fits what is left of
    its month's budget (`remaining`, None for no budget)."""
    return auto_approval_qualifies(price=price, programme=programme) and (
        remaining is None or price.new_value <= remaining
    )
