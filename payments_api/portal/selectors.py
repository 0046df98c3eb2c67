"""The portal's reads: figures and rows of one supplier, built on the API's selectors (payments_visible_to,
anticipations_visible_to, request_logs_visible_to), so a page never reaches a row the API would not show."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet

from payments_api.common.exceptions import DomainError
from payments_api.common.models import money_sum
from payments_api.payments.models import (
    MAX_BATCH_ITEMS,
    Anticipation,
    AnticipationStatus,
    Payment,
    PaymentStatus,
    anticipation_discount,
)
from payments_api.payments.pricing import AnticipationPrice
from payments_api.payments.selectors import (
    anticipation_quote_dates,
    anticipation_quotes,
    anticipations_visible_to,
    payments_visible_to,
)
from payments_api.programme.selectors import month_end, month_start, non_business_days_between, programme_current
from payments_api.requestlogs.models import RequestLog
from payments_api.requestlogs.selectors import request_logs_visible_to
from payments_api.users.models import User

ZERO = Decimal("0.00")
NEXT_DUE_SHOWN = 5


@dataclass(frozen=True)
class HomeFigures:
    available_count: int
    available_value: Decimal
    pending_count: int
    pending_new_value: Decimal
    received_count: int
    received_new_value: Decimal
    received_discount: Decimal
    next_due: list[Payment]


def supplier_home(*, user: User, today: datetime.date) -> HomeFigures:
    """What `user`'s supplier can have paid early now, what waits for a decision, what it received early this
    month (approved, with a new due date from the 1st to today) and what that cost, and its next payments due."""
    available = payments_visible_to(user=user, status=PaymentStatus.AVAILABLE, today=today).order_by()
    available_figures = available.aggregate(count=Count("id"), amount=money_sum("value"))
    anticipations = anticipations_visible_to(user=user).order_by()
    pending = anticipations.filter(status=AnticipationStatus.PENDING_CONFIRMATION).aggregate(
        count=Count("id"), amount=money_sum("new_value")
    )
    received = anticipations.filter(
        status=AnticipationStatus.APPROVED, new_due_date__gte=month_start(today), new_due_date__lte=today
    ).aggregate(count=Count("id"), amount=money_sum("new_value"), cost=money_sum(anticipation_discount()))
    conditions = PaymentStatus.conditions(today=today)
    upcoming = conditions[PaymentStatus.AVAILABLE] | conditions[PaymentStatus.PENDING_CONFIRMATION]
    next_due = payments_visible_to(user=user, today=today).filter(upcoming).order_by("due_date", "id")
    return HomeFigures(
        available_count=available_figures["count"],
        available_value=available_figures["amount"],
        pending_count=pending["count"],
        pending_new_value=pending["amount"],
        received_count=received["count"],
        received_new_value=received["amount"],
        received_discount=received["cost"],
        next_due=list(next_due[:NEXT_DUE_SHOWN]),
    )


def payment_status_counts(*, user: User, today: datetime.date) -> dict[str, int]:
    """How many of `user`'s payments are in each of the five states today, in one query."""
    payments = payments_visible_to(user=user, today=today).order_by()
    conditions = PaymentStatus.conditions(today=today)
    counts = payments.aggregate(
        **{f"status_{status}": Count("id", filter=condition) for status, condition in conditions.items()}
    )
    return {status: counts[f"status_{status}"] for status in conditions}


def portal_payments(
    *, user: User, today: datetime.date, status: str | None = None, external_id: str | None = None
) -> QuerySet[Payment]:
    """The supplier's payments for its list: soonest due first."""
    payments = payments_visible_to(user=user, status=status, external_id=external_id, today=today)
    return payments.order_by("due_date", "id")


def portal_anticipations(*, user: User, status: str | None = None) -> QuerySet[Anticipation]:
    """The supplier's requests for early payment, newest first, with their payments."""
    anticipations = anticipations_visible_to(user=user).select_related("payment")
    if status:
        anticipations = anticipations.filter(status=status)
    return anticipations.order_by("-id")


def anticipation_histories(*, user: User, anticipation_ids: list[int]) -> dict[int, list[RequestLog]]:
    """Each anticipation's log rows, oldest first: who requested and who decided it, and when."""
    histories: dict[int, list[RequestLog]] = defaultdict(list)
    logs = request_logs_visible_to(user=user).filter(anticipation_id__in=anticipation_ids).order_by("id")
    for log in logs:
        histories[log.anticipation_id].append(log)
    return dict(histories)


def statement_anticipations(*, user: User, month: datetime.date) -> QuerySet[Anticipation]:
    """The supplier's anticipations whose new due date falls in `month` (any day of it): what was, is or would be
    paid early that month, in every status."""
    return (
        anticipations_visible_to(user=user)
        .filter(new_due_date__gte=month_start(month), new_due_date__lte=month_end(month))
        .select_related("payment")
        .order_by("new_due_date", "id")
    )


# --- several payments at once: the selection, the dates they share, their quotes ------------------------------------

# As many payments as one batch request carries.
SELECTION_MAX = MAX_BATCH_ITEMS


@dataclass(frozen=True)
class SelectionQuote:
    payment: Payment
    price: AnticipationPrice | None  # None when the quote refuses the date for this payment
    refusal: DomainError | None


@dataclass(frozen=True)
class SelectionTotals:
    value: Decimal
    new_value: Decimal
    discount: Decimal


def selection_payments(*, user: User, payment_ids: list[int], today: datetime.date) -> list[Payment]:
    """The chosen payments among `user`'s available ones, soonest due first; fewer than chosen when a chosen id is
    not one of them (another supplier's, or no longer available)."""
    payments = payments_visible_to(user=user, status=PaymentStatus.AVAILABLE, today=today)
    return list(payments.filter(pk__in=payment_ids).order_by("due_date", "id"))


def selection_dates(*, payments: list[Payment], user: User, today: datetime.date) -> list[datetime.date]:
    """The dates every chosen payment may be paid on (each payment's quote options, the request's rule), in order."""
    dates = anticipation_quote_dates(payments=payments, quoted_by=user, today=today)
    shared = set.intersection(*(set(days) for days in dates.values())) if dates else set()
    return sorted(shared)


def selection_quotes(
    *, payments: list[Payment], new_due_date: datetime.date, user: User, today: datetime.date
) -> tuple[list[SelectionQuote], SelectionTotals]:
    """Each chosen payment's quote for `new_due_date` (what its request would get, to the cent) and the totals of
    those the date suits."""
    quotes = [
        SelectionQuote(payment=payment, price=None, refusal=quote)
        if isinstance(quote, DomainError)
        else SelectionQuote(payment=payment, price=quote, refusal=None)
        for payment, quote in zip(
            payments, anticipation_quotes(payments=payments, new_due_date=new_due_date, quoted_by=user, today=today)
        )
    ]
    priced = [quote.price for quote in quotes if quote.price is not None]
    totals = SelectionTotals(
        value=sum((price.value for price in priced), ZERO),
        new_value=sum((price.new_value for price in priced), ZERO),
        discount=sum((price.discount for price in priced), ZERO),
    )
    return quotes, totals


@dataclass(frozen=True)
class PickerDay:
    day: datetime.date
    in_month: bool
    allowed: bool
    non_business: str | None  # why the day is not a business day (a weekend, a holiday's name)


def picker_month(
    *, month: datetime.date, allowed: list[datetime.date], first_weekday: int
) -> list[list[PickerDay]]:
    """The weeks of `month` for the date picker, starting on `first_weekday` (0 Sunday ... 6 Saturday, as Django's
    FIRST_DAY_OF_WEEK): each day with whether the chosen payments may be paid on it and, for a non-business day,
    its name (the programme's calendar, as /api/calendar/ gives it)."""
    first = month_start(month)
    # Python counts Monday as 0; FIRST_DAY_OF_WEEK counts Sunday as 0.
    start = first - datetime.timedelta(days=(first.weekday() + 1 - first_weekday) % 7)
    last = month_end(month)
    end = last + datetime.timedelta(days=(first_weekday - last.weekday() - 2) % 7)
    names = dict(non_business_days_between(programme=programme_current(), start=start, end=end))
    allowed_days = set(allowed)
    weeks: list[list[PickerDay]] = []
    day = start
    while day <= end:
        if len(weeks) == 0 or len(weeks[-1]) == 7:
            weeks.append([])
        weeks[-1].append(
            PickerDay(
                day=day, in_month=day.month == first.month, allowed=day in allowed_days, non_business=names.get(day)
            )
        )
        day += datetime.timedelta(days=1)
    return weeks
