import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import overload

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from payments_api.common.counts import CountSum, counts_maintained
from payments_api.common.exceptions import DomainError
from payments_api.payments.models import Anticipation, AnticipationStatus, Payment, PaymentCount, PaymentStatus
from payments_api.payments.pricing import (
    CENT,
    AnticipationPrice,
    allowed_new_due_dates,
    anticipation_auto_approves,
    anticipation_availability_check,
    anticipation_price,
    anticipation_price_check,
    auto_approval_qualifies,
)
from payments_api.programme.business_days import BusinessCalendar
from payments_api.programme.models import Programme
from payments_api.programme.selectors import business_calendar, month_end, month_start, programme_current
from payments_api.users.models import User
from payments_api.users.selectors import list_order, scope_to_user


def payments_visible_to(
    *, user: User, status: str | None = None, external_id: str | None = None, today: datetime.date | None = None
) -> QuerySet[Payment]:
    """The payments `user` may see, in state `status` on `today` and with `external_id` if given, in the user's list
    order.

    Each carries `anticipation_status` (None without an anticipation), from which Payment.status_on derives its
    state in Python (far cheaper per request than building and compiling a CASE over the five conditions), and
    `anticipation_id`.
    """
    today = today or timezone.localdate()
    payments = scope_to_user(Payment.objects.all(), user=user, supplier_field="supplier_id")
    if status:
        payments = payments.filter(PaymentStatus.conditions(today=today)[PaymentStatus(status)])
    if external_id:
        payments = payments.filter(external_id=external_id)
    return payments.annotate(
        anticipation_status=F("anticipation__status"), anticipation_id=F("anticipation__id")
    ).order_by(list_order(user=user))


def payments_count(
    *,
    user: User,
    today: datetime.date,
    status: str | None = None,
    supplier: int | None = None,
    external_id: str | None = None,
    due_date_after: datetime.date | None = None,
    due_date_before: datetime.date | None = None,
) -> CountSum | None:
    """The exact count of an operator's list of payments so filtered, added up from PaymentCount.

    None where the rows themselves are counted: a supplier's own list, one supplier's (as many as it owns), or one
    invoice number's (found through its index).
    """
    if not user.is_operator or supplier is not None or external_id or not counts_maintained():
        return None
    counts = PaymentCount.objects.all()
    if status:
        counts = counts.filter(PaymentStatus.count_conditions(today=today)[PaymentStatus(status)])
    if due_date_after:
        counts = counts.filter(due_date__gte=due_date_after)
    if due_date_before:
        counts = counts.filter(due_date__lte=due_date_before)
    return CountSum(counts, "payments")


def anticipations_visible_to(*, user: User) -> QuerySet[Anticipation]:
    anticipations = scope_to_user(Anticipation.objects.all(), user=user, supplier_field="payment__supplier_id")
    return anticipations.order_by(list_order(user=user))


def anticipations_count(*, user: User, status: str | None = None) -> CountSum | None:
    """The exact count of an operator's list of anticipations (in `status`), from PaymentCount; None for a
    supplier, whose rows are counted."""
    if not user.is_operator or not counts_maintained():
        return None
    counts = PaymentCount.objects.filter(anticipation_status__in=[status] if status else AnticipationStatus.values)
    return CountSum(counts, "payments")


@dataclass(frozen=True)
class MonthBudget:
    """One calendar month of the funding budget: the programme's monthly_budget and what approvals have committed."""

    month: datetime.date
    budget: Decimal | None
    committed: Decimal

    @property
    def remaining(self) -> Decimal | None:
        """What may still be approved for payment in the month; None without a budget."""
        if self.budget is None:
            return None
        return max(self.budget - self.committed, Decimal("0.00"))


def budget_committed(*, month: datetime.date) -> Decimal:
    """The new values of the approved anticipations whose new due date falls in the month starting on `month`."""
    approved = Anticipation.objects.filter(
        status=AnticipationStatus.APPROVED, new_due_date__gte=month, new_due_date__lte=month_end(month)
    )
    committed = approved.aggregate(committed=Coalesce(Sum("new_value"), Decimal("0.00")))["committed"]
    # A sum of amounts in cents is exact; SQLite adds them in floating point, whose noise this drops.
    return Decimal(committed).quantize(CENT)


def month_budget(*, day: datetime.date, programme: Programme | None = None) -> MonthBudget:
    """The budget of `day`'s month under `programme`'s terms (those in force by default)."""
    programme = programme or programme_current()
    month = month_start(day)
    return MonthBudget(month=month, budget=programme.monthly_budget, committed=budget_committed(month=month))


def anticipation_quote(
    *, payment: Payment, new_due_date: datetime.date, quoted_by: User, today: datetime.date | None = None
) -> AnticipationPrice:
    """What a request by `quoted_by` for `payment` on `new_due_date` would be given now, or the refusal it would get,
    and whether it would be approved at once (with the month's budget as it stands); writes nothing."""
    today = today or timezone.localdate()
    programme = programme_current()
    price = anticipation_price_check(
        payment=payment,
        anticipated=Anticipation.objects.filter(payment_id=payment.pk).exists(),
        new_due_date=new_due_date,
        requested_by=quoted_by,
        programme=programme,
        calendar=business_calendar(programme=programme),
        today=today,
    )
    return _with_auto_approval(price=price, programme=programme, remaining_by_month={})


def _with_auto_approval(
    *, price: AnticipationPrice, programme: Programme, remaining_by_month: dict[datetime.date, Decimal | None]
) -> AnticipationPrice:
    """`price` saying whether a request for it would be approved at once now; a month's budget is read once per
    `remaining_by_month` (and only for a price that qualifies otherwise)."""
    if not auto_approval_qualifies(price=price, programme=programme):
        return price
    remaining = None
    if programme.monthly_budget is not None:
        month = month_start(price.new_due_date)
        if month not in remaining_by_month:
            remaining_by_month[month] = month_budget(day=month, programme=programme).remaining
        remaining = remaining_by_month[month]
    auto_approves = anticipation_auto_approves(price=price, programme=programme, remaining=remaining)
    return dataclasses.replace(price, auto_approves=auto_approves)


class QuoteOptions(Sequence[AnticipationPrice]):
    """The price of each allowed date, nearest first, computed only for the rows a page takes, each saying whether it
    would be approved at once (a month's budget read once for the page)."""

    def __init__(
        self, *, payment: Payment, dates: list[datetime.date], programme: Programme, calendar: BusinessCalendar
    ):
        self.payment, self.dates, self.programme, self.calendar = payment, dates, programme, calendar
        self.remaining_by_month: dict[datetime.date, Decimal | None] = {}

    def __len__(self) -> int:
        return len(self.dates)

    def _price(self, day: datetime.date) -> AnticipationPrice:
        price = anticipation_price(
            payment=self.payment, new_due_date=day, programme=self.programme, calendar=self.calendar
        )
        return _with_auto_approval(price=price, programme=self.programme, remaining_by_month=self.remaining_by_month)

    @overload
    def __getitem__(self, index: int) -> AnticipationPrice: ...

    @overload
    def __getitem__(self, index: slice) -> list[AnticipationPrice]: ...

    def __getitem__(self, index: int | slice) -> AnticipationPrice | list[AnticipationPrice]:
        if isinstance(index, slice):
            return [self._price(day) for day in self.dates[index]]
        return self._price(self.dates[index])


def anticipation_quote_options(
    *, payment: Payment, quoted_by: User, today: datetime.date | None = None
) -> QuoteOptions:
    """Every date `quoted_by` could ask `payment` to be paid on now, nearest first, each with its price; refuses
    what a request for any date would be refused for (the payment not available, not the caller's)."""
    today = today or timezone.localdate()
    anticipation_availability_check(
        payment=payment,
        anticipated=Anticipation.objects.filter(payment_id=payment.pk).exists(),
        requested_by=quoted_by,
        today=today,
    )
    programme = programme_current()
    calendar = business_calendar(programme=programme)
    dates = allowed_new_due_dates(payment=payment, programme=programme, calendar=calendar, today=today)
    return QuoteOptions(payment=payment, dates=dates, programme=programme, calendar=calendar)


def anticipation_quotes(
    *, payments: Sequence[Payment], new_due_date: datetime.date, quoted_by: User, today: datetime.date | None = None
) -> list[AnticipationPrice | DomainError]:
    """anticipation_quote for each of `payments` on one date, in their order: its price, or the refusal a request
    would get. The programme and which payments are anticipated are read once, whatever the number of payments."""
    today = today or timezone.localdate()
    programme = programme_current()
    calendar = business_calendar(programme=programme)
    anticipated = _anticipated_payment_ids(payments)
    quotes: list[AnticipationPrice | DomainError] = []
    for payment in payments:
        try:
            quotes.append(
                anticipation_price_check(
                    payment=payment,
                    anticipated=payment.pk in anticipated,
                    new_due_date=new_due_date,
                    requested_by=quoted_by,
                    programme=programme,
                    calendar=calendar,
                    today=today,
                )
            )
        except DomainError as exc:
            quotes.append(exc)
    return quotes


def anticipation_quote_dates(
    *, payments: Sequence[Payment], quoted_by: User, today: datetime.date | None = None
) -> dict[int, list[datetime.date]]:
    """The dates of anticipation_quote_options for each of `payments`, by payment id, reading the programme and which
    payments are anticipated once; refuses as anticipation_quote_options does when one of them cannot be asked for."""
    today = today or timezone.localdate()
    programme = programme_current()
    calendar = business_calendar(programme=programme)
    anticipated = _anticipated_payment_ids(payments)
    dates = {}
    for payment in payments:
        anticipation_availability_check(
            payment=payment, anticipated=payment.pk in anticipated, requested_by=quoted_by, today=today
        )
        dates[payment.pk] = allowed_new_due_dates(payment=payment, programme=programme, calendar=calendar, today=today)
    return dates


def _anticipated_payment_ids(payments: Sequence[Payment]) -> set[int]:
    ids = [payment.pk for payment in payments]
    return set(Anticipation.objects.filter(payment_id__in=ids).values_list("payment_id", flat=True))
