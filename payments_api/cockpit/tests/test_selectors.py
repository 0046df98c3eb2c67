"""The dashboard's figures against a small programme computed by hand (today is 15 March 2026).

| anticipation | supplier | value   | due        | requested  | new due    | days | new value | status   | decided    |
|--------------|----------|---------|------------|------------|------------|------|-----------|----------|------------|
| a1           | Alpha    | 1000.00 | 2026-04-14 | 2026-03-01 | 2026-03-15 | 30   | 970.00    | approved | 2026-03-10 |
| a2           | Beta     | 2000.00 | 2026-03-31 | 2026-01-20 | 2026-01-31 | 59   | 1882.00   | approved | 2026-01-25 |
| a3           | Alpha    | 500.00  | 2026-05-01 | 2026-03-05 | 2026-04-01 | 30   | 485.00    | pending  |            |
| a4           | Beta     | 300.00  | 2026-04-30 | 2026-03-12 | 2026-03-31 | 30   | 291.00    | pending  |            |
| a5           | Alpha    | 800.00  | 2026-03-20 | 2026-03-14 | 2026-03-16 | 4    | 796.80    | denied   | 2026-03-15 |
| a6           | Beta     | 4000.00 | 2026-03-25 | 2026-03-15 | 2026-03-15 | 10   | 3960.00   | approved | 2026-03-15 |
| a7           | Alpha    | 100.00  | 2025-12-31 | 2025-12-01 | 2025-12-16 | 15   | 98.50     | approved | 2025-12-02 |
| a8           | Beta     | 9000.00 | 2025-03-12 | 2025-02-10 | 2025-02-10 | 30   | 8730.00   | approved | 2025-02-11 |

The budget of March 2026 counts the approved new values paid in March (by new due date): a1 and a6, 970.00 + 3960.00
= 4930.00; a4 (pending, 31 March) and a5 (denied, 16 March) are not counted. Of a budget of 10,000.00, 5070.00 is left.
"""

import datetime
from decimal import Decimal

import pytest

from payments_api.cockpit.selectors import (
    ApprovedFigures,
    Decisions,
    MonthVolume,
    PendingQueue,
    SupplierVolume,
    anticipations_approved_between,
    anticipations_decided_on,
    anticipations_monthly_volume,
    anticipations_pending_queue,
    programme_figures,
    suppliers_top_anticipated,
)
from payments_api.payments.models import AnticipationStatus
from payments_api.payments.selectors import MonthBudget
from payments_api.payments.tests.factories import AnticipationFactory
from payments_api.programme.selectors import month_start
from payments_api.users.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)
D = datetime.date
PC, A, DENIED = AnticipationStatus.PENDING_CONFIRMATION, AnticipationStatus.APPROVED, AnticipationStatus.DENIED


@pytest.fixture
def programme():
    alpha = SupplierFactory(corporate_name="Alpha Ltda")
    beta = SupplierFactory(corporate_name="Beta SA")
    rows = [
        ("a1", alpha, "1000.00", D(2026, 4, 14), D(2026, 3, 1), D(2026, 3, 15), "970.00", A, D(2026, 3, 10)),
        ("a2", beta, "2000.00", D(2026, 3, 31), D(2026, 1, 20), D(2026, 1, 31), "1882.00", A, D(2026, 1, 25)),
        ("a3", alpha, "500.00", D(2026, 5, 1), D(2026, 3, 5), D(2026, 4, 1), "485.00", PC, D(2026, 3, 5)),
        ("a4", beta, "300.00", D(2026, 4, 30), D(2026, 3, 12), D(2026, 3, 31), "291.00", PC, D(2026, 3, 12)),
        ("a5", alpha, "800.00", D(2026, 3, 20), D(2026, 3, 14), D(2026, 3, 16), "796.80", DENIED, D(2026, 3, 15)),
        ("a6", beta, "4000.00", D(2026, 3, 25), D(2026, 3, 15), D(2026, 3, 15), "3960.00", A, D(2026, 3, 15)),
        ("a7", alpha, "100.00", D(2025, 12, 31), D(2025, 12, 1), D(2025, 12, 16), "98.50", A, D(2025, 12, 2)),
        ("a8", beta, "9000.00", D(2025, 3, 12), D(2025, 2, 10), D(2025, 2, 10), "8730.00", A, D(2025, 2, 11)),
    ]
    anticipations = {}
    for name, supplier, value, due, requested, new_due, new_value, status, decided in rows:
        anticipations[name] = AnticipationFactory(
            payment__supplier=supplier,
            payment__value=Decimal(value),
            payment__due_date=due,
            payment__creation_date=requested - datetime.timedelta(days=1),
            creation_date=requested,
            new_due_date=new_due,
            new_value=Decimal(new_value),
            status=status,
            update_date=decided,
        )
    return {"alpha": alpha, "beta": beta, **anticipations}


def test_the_pending_queue(programme):
    assert anticipations_pending_queue() == PendingQueue(
        count=2, value=Decimal("800.00"), new_value=Decimal("776.00"), oldest_since=D(2026, 3, 5)
    )
    assert anticipations_pending_queue().waiting_days(today=TODAY) == 10


def test_an_empty_queue(db):
    queue = anticipations_pending_queue()

    assert queue == PendingQueue(count=0, value=Decimal("0.00"), new_value=Decimal("0.00"), oldest_since=None)
    assert queue.waiting_days(today=TODAY) is None


def test_the_decisions_of_a_day(programme):
    assert anticipations_decided_on(day=TODAY) == Decisions(approved=1, denied=1)
    assert anticipations_decided_on(day=D(2026, 3, 10)) == Decisions(approved=1, denied=0)
    assert anticipations_decided_on(day=D(2026, 3, 14)) == Decisions(approved=0, denied=0)


def test_the_approvals_of_the_month(programme):
    # a1 and a6: discounts 30 + 40 = 70; days 30 + 10; new value x days 970 x 30 + 3960 x 10 = 68,700.
    assert anticipations_approved_between(since=D(2026, 3, 1), until=TODAY) == ApprovedFigures(
        count=2,
        value=Decimal("5000.00"),
        new_value=Decimal("4930.00"),
        discount=Decimal("70.00"),
        weighted_apr=Decimal("70") * 365 / Decimal("68700"),
        average_days_early=Decimal(20),
    )


def test_the_approvals_of_the_year(programme):
    # a1, a2 and a6: discounts 30 + 118 + 40 = 188; days 30 + 59 + 10 = 99;
    # new value x days 29,100 + 1882 x 59 (111,038) + 39,600 = 179,738.
    figures = anticipations_approved_between(since=D(2026, 1, 1), until=TODAY)

    assert (figures.count, figures.value, figures.new_value, figures.discount) == (
        3,
        Decimal("7000.00"),
        Decimal("6812.00"),
        Decimal("188.00"),
    )
    assert figures.weighted_apr == Decimal("188") * 365 / Decimal("179738")
    assert round(figures.weighted_apr, 4) == Decimal("0.3818")
    assert figures.average_days_early == Decimal(33)


def test_no_approvals_have_no_ratios(programme):
    figures = anticipations_approved_between(since=D(2026, 2, 1), until=D(2026, 2, 28))

    assert figures == ApprovedFigures(
        count=0,
        value=Decimal("0.00"),
        new_value=Decimal("0.00"),
        discount=Decimal("0.00"),
        weighted_apr=None,
        average_days_early=None,
    )


def test_the_monthly_volume_of_the_last_twelve_months(programme):
    volume = anticipations_monthly_volume(today=TODAY, months=12)

    assert [month.month for month in volume] == [month_start(TODAY, months_back=back) for back in range(11, -1, -1)]
    assert volume[0].month == D(2025, 4, 1)  # a8, requested in February 2025, is outside
    nonzero = {month.month: month for month in volume if month.total}
    zero = Decimal("0.00")
    assert nonzero == {
        D(2025, 12, 1): MonthVolume(month=D(2025, 12, 1), pending=zero, approved=Decimal("100.00"), denied=zero),
        D(2026, 1, 1): MonthVolume(month=D(2026, 1, 1), pending=zero, approved=Decimal("2000.00"), denied=zero),
        D(2026, 3, 1): MonthVolume(
            month=D(2026, 3, 1), pending=Decimal("800.00"), approved=Decimal("5000.00"), denied=Decimal("800.00")
        ),
    }


def test_the_top_suppliers(programme):
    top = suppliers_top_anticipated(since=D(2025, 4, 1), limit=10)

    alpha, beta = programme["alpha"], programme["beta"]
    assert top == [
        SupplierVolume(
            supplier_id=beta.pk, corporate_name="Beta SA", reg_number=beta.reg_number, count=2, value=Decimal("6000.00")
        ),
        SupplierVolume(
            supplier_id=alpha.pk,
            corporate_name="Alpha Ltda",
            reg_number=alpha.reg_number,
            count=2,
            value=Decimal("1100.00"),
        ),
    ]
    assert suppliers_top_anticipated(since=D(2025, 4, 1), limit=1) == top[:1]


def test_the_programme_figures_gather_them_all(programme):
    figures = programme_figures(today=TODAY)

    assert figures.pending.count == 2
    assert figures.decided_today == Decisions(approved=1, denied=1)
    assert figures.month.discount == Decimal("70.00")
    assert figures.year.discount == Decimal("188.00")
    assert len(figures.monthly_volume) == 12
    assert [supplier.value for supplier in figures.top_suppliers] == [Decimal("6000.00"), Decimal("1100.00")]


def test_the_budget_of_the_month_used_and_left(programme, programme_terms):
    assert programme_figures(today=TODAY).budget == MonthBudget(
        month=D(2026, 3, 1), budget=None, committed=Decimal("4930.00")
    )
    programme_terms(monthly_budget=Decimal("10000.00"))

    budget = programme_figures(today=TODAY).budget

    assert (budget.budget, budget.committed, budget.remaining) == (
        Decimal("10000.00"),
        Decimal("4930.00"),
        Decimal("5070.00"),
    )
