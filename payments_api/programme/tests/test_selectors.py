"""Month arithmetic shared by the budget, the dashboard and the portal."""

from datetime import date as D

from payments_api.programme.selectors import month_end, month_start


def test_month_start_crosses_years_both_ways():
    assert month_start(D(2026, 3, 15)) == D(2026, 3, 1)
    assert month_start(D(2026, 3, 15), months_back=11) == D(2025, 4, 1)
    assert month_start(D(2026, 1, 31), months_back=1) == D(2025, 12, 1)
    assert month_start(D(2026, 12, 31), months_back=24) == D(2024, 12, 1)
    assert month_start(D(2026, 12, 31), months_back=-1) == D(2027, 1, 1)
    assert month_start(D(2026, 1, 31), months_back=-13) == D(2027, 2, 1)


def test_month_end_is_the_last_day_of_the_month():
    assert month_end(D(2026, 12, 1)) == D(2026, 12, 31)
    assert month_end(D(2028, 2, 10)) == D(2028, 2, 29)
    assert month_end(D(2027, 2, 1)) == D(2027, 2, 28)
    assert month_end(D(2027, 4, 30)) == D(2027, 4, 30)
