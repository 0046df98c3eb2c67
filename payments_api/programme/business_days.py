"""The banking calendar: weekends, B3's holidays (the `holidays` library) and the operators' overrides."""

import datetime
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import holidays

ONE_DAY = datetime.timedelta(days=1)
WEEKEND = {5: "Saturday", 6: "Sunday"}


@functools.lru_cache(maxsize=64)
def b3_holidays(year: int) -> Mapping[datetime.date, str]:
    """B3's (BVMF) holidays of `year`: the national ones plus Carnival Monday and Tuesday and Corpus Christi.

    The same for a year whatever the day, so computed once per year and process.
    """
    return dict(holidays.financial_holidays("BVMF", years=year, language="en_US"))


@dataclass(frozen=True)
class BusinessCalendar:
    """Which days banks settle on; `extra_holidays` and `working_days` are the operators' overrides."""

    extra_holidays: Mapping[datetime.date, str]
    working_days: frozenset[datetime.date]

    def holiday_name(self, day: datetime.date) -> str | None:
        """Why `day` is not a business day, or None when it is one."""
        if day in self.working_days:
            return None
        return self.extra_holidays.get(day) or b3_holidays(day.year).get(day) or WEEKEND.get(day.weekday())

    def is_business_day(self, day: datetime.date) -> bool:
        return self.holiday_name(day) is None

    def non_business_days(self, start: datetime.date, end: datetime.date) -> Iterator[tuple[datetime.date, str]]:
        """Each non-business day from `start` to `end` (both included), in order, with its name."""
        day = start
        while day <= end:
            if name := self.holiday_name(day):
                yield day, name
            if day == end:
                break  # before stepping past 9999-12-31
            day += ONE_DAY

    def previous_business_day(self, day: datetime.date, *, earliest: datetime.date) -> datetime.date | None:
        """The last business day before `day`, not before `earliest`; None when there is none."""
        while day > earliest:
            day -= ONE_DAY
            if self.is_business_day(day):
                return day
        return None

    def next_business_day(self, day: datetime.date, *, latest: datetime.date) -> datetime.date | None:
        """The first business day after `day`, not after `latest`; None when there is none."""
        while day < latest:
            day += ONE_DAY
            if self.is_business_day(day):
                return day
        return None
