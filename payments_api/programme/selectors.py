import datetime
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from payments_api.programme.business_days import BusinessCalendar
from payments_api.programme.models import (
    PROGRAMME_ID,
    RATE_QUANTUM,
    CalendarOverride,
    CalendarOverrideKind,
    Programme,
    ProgrammeVersion,
)

# The calendar built for the latest revision seen by this process (see business_calendar).
_calendar_cache: dict[uuid.UUID, BusinessCalendar] = {}


def programme_current() -> Programme:
    """The terms in force, with their version.

    The row is seeded by the first migration; a database emptied since (manage.py flush) gets it back the same way.
    """
    try:
        return Programme.objects.select_related("version").get(pk=PROGRAMME_ID)
    except Programme.DoesNotExist:
        return _programme_seed()


def _programme_seed() -> Programme:
    rate = settings.ANTICIPATION_MONTHLY_RATE.quantize(RATE_QUANTUM)
    try:
        with transaction.atomic():
            version = ProgrammeVersion.objects.create(number=1, monthly_rate=rate, created_at=timezone.now())
            Programme.objects.create(id=PROGRAMME_ID, version=version, monthly_rate=rate)
    except IntegrityError:
        pass  # seeded meanwhile by a concurrent request
    return Programme.objects.select_related("version").get(pk=PROGRAMME_ID)


def month_start(day: datetime.date, *, months_back: int = 0) -> datetime.date:
    """The first day of the month `months_back` months before `day`'s (after it, when negative). `day`'s own month is
    the one a budget counts an anticipation in (by its new due date)."""
    index = day.year * 12 + day.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    """The last day of `month`'s month."""
    return month_start(month, months_back=-1) - datetime.timedelta(days=1)


def programme_versions() -> QuerySet[ProgrammeVersion]:
    return ProgrammeVersion.objects.select_related("created_by").order_by("-number")


def business_calendar(*, programme: Programme) -> BusinessCalendar:
    """The banking calendar with the operators' overrides, read from the database once per revision and process.

    Every change of the overrides draws a new calendar_revision for the programme in the same transaction, so a
    process that reads the programme after that change rebuilds the calendar, and no process keeps a stale one.
    """
    revision = programme.calendar_revision
    calendar = _calendar_cache.get(revision)
    if calendar is None:
        overrides = list(CalendarOverride.objects.values_list("day", "kind", "name"))
        calendar = BusinessCalendar(
            extra_holidays={day: name for day, kind, name in overrides if kind == CalendarOverrideKind.HOLIDAY},
            working_days=frozenset(day for day, kind, _ in overrides if kind == CalendarOverrideKind.WORKING_DAY),
        )
        _calendar_cache.clear()
        _calendar_cache[revision] = calendar
    return calendar


def non_business_days_between(
    *, programme: Programme, start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, str]]:
    return list(business_calendar(programme=programme).non_business_days(start, end))
