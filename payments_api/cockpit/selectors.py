"""How the programme is doing: the dashboard's figures, each read in one query from anticipations and their payments.

Money is summed in the database as Decimal; ratios are computed here in Decimal and rounded for display only.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth

from payments_api.common.models import money_sum, money_total_field
from payments_api.payments.models import Anticipation, AnticipationStatus, anticipation_discount
from payments_api.programme.selectors import month_start

if TYPE_CHECKING:
    from payments_api.payments.selectors import MonthBudget

PENDING = AnticipationStatus.PENDING_CONFIRMATION
APPROVED = AnticipationStatus.APPROVED
DENIED = AnticipationStatus.DENIED
ZERO = Decimal("0.00")
DAYS_PER_YEAR = 365


class DaysBetween(Func):
    """`later - earlier` in whole days, as an integer (PostgreSQL subtracts dates into days; SQLite needs julianday)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", arg_joiner=") - julianday("
        )


def _days_early() -> DaysBetween:
    return DaysBetween(F("payment__due_date"), F("new_due_date"))


@dataclass(frozen=True)
class PendingQueue:
    count: int
    value: Decimal
    new_value: Decimal
    oldest_since: datetime.date | None

    def waiting_days(self, *, today: datetime.date) -> int | None:
        return None if self.oldest_since is None else (today - self.oldest_since).days


@dataclass(frozen=True)
class Decisions:
    approved: int
    denied: int

    @property
    def total(self) -> int:
        return self.approved + self.denied


@dataclass(frozen=True)
class ApprovedFigures:
    """Approved anticipations decided in a period: the discount they captured and what it earns."""

    count: int
    value: Decimal
    new_value: Decimal
    discount: Decimal
    # sum(discount x 365) / sum(new_value x days early): the yield on the cash paid early, weighted by cash and time.
    weighted_apr: Decimal | None
    average_days_early: Decimal | None


@dataclass(frozen=True)
class MonthVolume:
    month: datetime.date
    # Face value of the anticipations requested in the month, by their status today.
    pending: Decimal
    approved: Decimal
    denied: Decimal

    @property
    def total(self) -> Decimal:
        return self.pending + self.approved + self.denied


@dataclass(frozen=True)
class SupplierVolume:
    supplier_id: int
    corporate_name: str
    reg_number: str
    count: int
    value: Decimal


def anticipations_pending_queue() -> PendingQueue:
    """Every anticipation waiting for a decision: how many, their face and new values, since when the oldest waits."""
    figures = Anticipation.objects.filter(status=PENDING).aggregate(
        count=Count("pk"),
        value=money_sum("payment__value"),
        new_value=money_sum("new_value"),
        oldest_since=Min("creation_date"),
    )
    return PendingQueue(**figures)


def anticipations_decided_on(*, day: datetime.date) -> Decisions:
    """The anticipations approved and denied on `day` (their decision date)."""
    figures = Anticipation.objects.filter(update_date=day, status__in=(APPROVED, DENIED)).aggregate(
        approved=Count("pk", filter=Q(status=APPROVED)), denied=Count("pk", filter=Q(status=DENIED))
    )
    return Decisions(**figures)


def anticipations_approved_between(*, since: datetime.date, until: datetime.date) -> ApprovedFigures:
    """The approved anticipations decided from `since` to `until`, both included."""
    figures = Anticipation.objects.filter(status=APPROVED, update_date__gte=since, update_date__lte=until).aggregate(
        approved=Count("pk"),
        face=money_sum("payment__value"),
        paid=money_sum("new_value"),
        discounted=money_sum(anticipation_discount()),
        days=Coalesce(Sum(_days_early()), 0),
        paid_days=money_sum(ExpressionWrapper(F("new_value") * _days_early(), output_field=money_total_field())),
    )
    count, discount, paid_days = figures["approved"], figures["discounted"], figures["paid_days"]
    return ApprovedFigures(
        count=count,
        value=figures["face"],
        new_value=figures["paid"],
        discount=discount,
        weighted_apr=discount * DAYS_PER_YEAR / paid_days if paid_days else None,
        average_days_early=Decimal(figures["days"]) / count if count else None,
    )


def anticipations_monthly_volume(*, today: datetime.date, months: int = 12) -> list[MonthVolume]:
    """The face value requested in each of the last `months` months (this one included), split by status."""
    since = month_start(today, months_back=months - 1)
    rows = (
        Anticipation.objects.filter(creation_date__gte=since, creation_date__lte=today)
        .annotate(month=TruncMonth("creation_date", output_field=DateField()))
        .values("month", "status")
        .annotate(value=money_sum("payment__value"))
        .order_by()
    )
    by_month: dict[datetime.date, dict[str, Decimal]] = {}
    for row in rows:
        by_month.setdefault(row["month"], {})[row["status"]] = row["value"]
    volumes = []
    for back in range(months - 1, -1, -1):
        month = month_start(today, months_back=back)
        values = by_month.get(month, {})
        volumes.append(
            MonthVolume(
                month=month,
                pending=values.get(PENDING, ZERO),
                approved=values.get(APPROVED, ZERO),
                denied=values.get(DENIED, ZERO),
            )
        )
    return volumes


def suppliers_top_anticipated(*, since: datetime.date, limit: int = 10) -> list[SupplierVolume]:
    """The suppliers with the largest face value approved for early payment since `since` (decision date)."""
    rows: QuerySet = (
        Anticipation.objects.filter(status=APPROVED, update_date__gte=since)
        .values(
            supplier_id=F("payment__supplier_id"),
            corporate_name=F("payment__supplier__corporate_name"),
            reg_number=F("payment__supplier__reg_number"),
        )
        .annotate(count=Count("pk"), value=money_sum("payment__value"))
        .order_by("-value", "supplier_id")[:limit]
    )
    return [SupplierVolume(**row) for row in rows]


@dataclass(frozen=True)
class ProgrammeFigures:
    """Every figure of the dashboard on `today`."""

    today: datetime.date
    pending: PendingQueue
    decided_today: Decisions
    month: ApprovedFigures
    year: ApprovedFigures
    monthly_volume: list[MonthVolume]
    top_suppliers: list[SupplierVolume]
    months: int
    # This month's funding budget (by new due date): used and left.
    budget: "MonthBudget"


def programme_figures(*, today: datetime.date, months: int = 12, top: int = 10) -> ProgrammeFigures:
    """The dashboard's figures: the queue, today's decisions, this month's and the year's approvals, the volume of
    the last `months` months and the `top` suppliers over them, and this month's budget."""
    # Imported here: the admin site imports this module while the apps load, before the API's modules may be.
    from payments_api.payments.selectors import month_budget

    return ProgrammeFigures(
        today=today,
        pending=anticipations_pending_queue(),
        decided_today=anticipations_decided_on(day=today),
        month=anticipations_approved_between(since=month_start(today), until=today),
        year=anticipations_approved_between(since=today.replace(month=1, day=1), until=today),
        monthly_volume=anticipations_monthly_volume(today=today, months=months),
        top_suppliers=suppliers_top_anticipated(since=month_start(today, months_back=months - 1), limit=top),
        months=months,
        budget=month_budget(day=today),
    )
