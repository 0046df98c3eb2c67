"""The banking calendar: weekends, B3's holidays, and the operators' overrides."""

import datetime

from payments_api.programme.business_days import BusinessCalendar

NO_OVERRIDES = BusinessCalendar(extra_holidays={}, working_days=frozenset())


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_2027_non_business_days_include_carnival_and_corpus_christi():
    listed = dict(NO_OVERRIDES.non_business_days(d("2027-01-01"), d("2027-12-31")))

    assert listed[d("2027-02-08")] == listed[d("2027-02-09")] == "Carnival"  # Monday and Tuesday
    assert listed[d("2027-05-27")] == "Corpus Christi"  # a Thursday
    assert listed[d("2027-03-26")] == "Good Friday"
    assert listed[d("2027-01-02")] == "Saturday" and listed[d("2027-01-03")] == "Sunday"
    assert d("2027-02-10") not in listed  # Ash Wednesday: banks open (at noon)
    weekend_days = sum(1 for n in range(365) if (d("2027-01-01") + datetime.timedelta(days=n)).weekday() >= 5)
    holidays_on_weekdays = {day for day in listed if day.weekday() < 5}
    assert len(holidays_on_weekdays) == 12  # B3's 15 holidays of 2027, 3 of them on a Saturday
    assert len(listed) == weekend_days + len(holidays_on_weekdays)


def test_a_holiday_on_a_weekend_is_named_as_the_holiday():
    assert NO_OVERRIDES.holiday_name(d("2027-12-25")) == "Christmas Day"  # a Saturday


def test_an_extra_holiday_and_a_day_declared_working_override_the_calendar():
    calendar = BusinessCalendar(
        extra_holidays={d("2027-01-25"): "São Paulo anniversary"},
        working_days=frozenset({d("2027-02-09"), d("2027-01-02")}),
    )

    assert calendar.holiday_name(d("2027-01-25")) == "São Paulo anniversary"
    assert not calendar.is_business_day(d("2027-01-25"))
    assert calendar.is_business_day(d("2027-02-09"))  # Carnival Tuesday declared working
    assert calendar.is_business_day(d("2027-01-02"))  # even a Saturday, if banks open on it
    assert calendar.is_business_day(d("2027-01-26"))


def test_neighbours_skip_weekends_and_holidays_within_the_bounds():
    carnival_tuesday = d("2027-02-09")

    assert NO_OVERRIDES.previous_business_day(carnival_tuesday, earliest=d("2027-01-01")) == d("2027-02-05")
    assert NO_OVERRIDES.next_business_day(carnival_tuesday, latest=d("2027-12-31")) == d("2027-02-10")
    assert NO_OVERRIDES.previous_business_day(carnival_tuesday, earliest=d("2027-02-06")) is None
    assert NO_OVERRIDES.next_business_day(carnival_tuesday, latest=d("2027-02-09")) is None


def test_the_last_days_of_the_calendar_are_listed_without_stepping_past_them():
    listed = list(NO_OVERRIDES.non_business_days(d("9999-12-25"), datetime.date.max))

    assert listed[-1][0] <= datetime.date.max
    assert NO_OVERRIDES.next_business_day(datetime.date.max, latest=datetime.date.max) is None
