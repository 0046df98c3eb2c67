import datetime
from collections.abc import Sequence
from typing import overload

from django.db.models import F, QuerySet
from django.utils import timezone

from payments_api.payments.models import Anticipation, Payment, PaymentStatus
from payments_api.payments.pricing import (
    AnticipationPrice,
    allowed_new_due_dates,
    anticipation_availability_check,
    anticipation_price,
    anticipation_price_check,
)
from payments_api.programme.business_days import BusinessCalendar
from payments_api.programme.models import Programme
from payments_api.programme.selectors import business_calendar, programme_current
from payments_api.users.models import User
from payments_api.users.selectors import scope_to_user


def payments_visible_to(
    *, user: User, status: str | None = None, external_id: str | None = None, today: datetime.date | None = None
) -> QuerySet[Payment]:
    """The payments `user` may see, in state `status` on `today` and with `external_id` if given, by id.

    Each carries `anticipation_status` (None without an anticipation), from which Payment.status_on derives its
    state in Python: far cheaper per request than building and compiling a CASE over the five conditions.
    """
    today = today or timezone.localdate()
    payments = scope_to_user(Payment.objects.all(), user=user, supplier_field="supplier_id")
    if status:
        payments = payments.filter(PaymentStatus.conditions(today=today)[PaymentStatus(status)])
    if external_id:
        payments = payments.filter(external_id=external_id)
    return payments.annotate(anticipation_status=F("anticipation__status")).order_by("id")


def anticipations_visible_to(*, user: User) -> QuerySet[Anticipation]:
    return scope_to_user(Anticipation.objects.all(), user=user, supplier_field="payment__supplier_id").order_by("id")


def anticipation_quote(
    *, payment: Payment, new_due_date: datetime.date, quoted_by: User, today: datetime.date | None = None
) -> AnticipationPrice:
    """What a request by `quoted_by` for `payment` on `new_due_date` would be given now, or the refusal it would get;
    writes nothing."""
    today = today or timezone.localdate()
    programme = programme_current()
    return anticipation_price_check(
        payment=payment,
        anticipated=Anticipation.objects.filter(payment_id=payment.pk).exists(),
        new_due_date=new_due_date,
        requested_by=quoted_by,
        programme=programme,
        calendar=business_calendar(programme=programme),
        today=today,
    )


class QuoteOptions(Sequence[AnticipationPrice]):
    """The price of each allowed date, nearest first, computed only for the rows a page takes."""

    def __init__(
        self, *, payment: Payment, dates: list[datetime.date], programme: Programme, calendar: BusinessCalendar
    ):
        self.payment, self.dates, self.programme, self.calendar = payment, dates, programme, calendar

    def __len__(self) -> int:
        return len(self.dates)

    def _price(self, day: datetime.date) -> AnticipationPrice:
        return anticipation_price(
            payment=self.payment, new_due_date=day, programme=self.programme, calendar=self.calendar
        )

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
