"""The monthly funding budget: approvals paid in a calendar month (by new due date, on new values) never exceed the
programme's monthly_budget; an approval that would is refused 409 budget-exceeded, saying what is left.
GET /api/programme/budget/ tells operators the budget, what is committed and what remains."""

import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments_api.common.tests.problems import assert_problem
from payments_api.notifications.models import Notification
from payments_api.payments.errors import BudgetExceeded
from payments_api.payments.models import Anticipation, AnticipationStatus, Decision
from payments_api.payments.selectors import budget_committed, month_budget
from payments_api.payments.services import anticipation_decide
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.programme.models import BudgetMonth
from payments_api.programme.services import programme_update
from payments_api.requestlogs.models import RequestLog
from payments_api.users.tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db

APPROVED, PENDING = AnticipationStatus.APPROVED, AnticipationStatus.PENDING_CONFIRMATION
D = datetime.date
EXAMPLE_MONTHS = itertools.count()


def pending(new_due_date: datetime.date, new_value: str, supplier=None) -> Anticipation:
    owner = {"supplier": supplier} if supplier else {}
    payment = PaymentFactory(due_date=new_due_date + datetime.timedelta(days=10), **owner)
    return AnticipationFactory(payment=payment, new_due_date=new_due_date, new_value=Decimal(new_value))


def approved(new_due_date: datetime.date, new_value: str) -> Anticipation:
    anticipation = pending(new_due_date, new_value)
    anticipation.status = APPROVED
    anticipation.save()
    return anticipation


# --- what is committed ----------------------------------------------------------------------------------------------


def test_committed_counts_the_approved_new_values_due_in_the_month_only():
    approved(D(2027, 3, 1), "100.00")
    approved(D(2027, 3, 31), "200.50")
    approved(D(2027, 2, 28), "1000.00")  # the month before
    approved(D(2027, 4, 1), "1000.00")  # the month after
    pending(D(2027, 3, 15), "1000.00")
    denied = pending(D(2027, 3, 16), "1000.00")
    Anticipation.objects.filter(pk=denied.pk).update(status=AnticipationStatus.DENIED)

    assert budget_committed(month=D(2027, 3, 1)) == Decimal("300.50")
    assert budget_committed(month=D(2027, 5, 1)) == Decimal("0.00")


def test_the_remaining_budget_is_never_negative_and_none_without_a_budget(programme_terms):
    approved(days(1), "500.00")
    assert month_budget(day=days(1)).remaining is None

    programme_terms(monthly_budget=Decimal("400.00"))  # lowered below what was already approved

    budget = month_budget(day=days(1))
    assert (budget.budget, budget.committed, budget.remaining) == (Decimal("400.00"), Decimal("500.00"), Decimal("0"))


# --- approvals against the budget --------------------------------------------------------------------------------


def test_an_approval_that_fits_what_is_left_is_approved_exactly_to_the_cent(operator, programme_terms):
    programme_terms(monthly_budget=Decimal("1000.00"))
    approved(days(1), "600.00")
    anticipation = pending(days(2), "400.00")

    decided = anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=operator)

    assert decided.status == APPROVED
    assert month_budget(day=days(1)).remaining == Decimal("0.00")


def test_an_approval_over_what_is_left_is_refused_saying_what_is_left(operator_client, programme_terms):
    programme_terms(monthly_budget=Decimal("1000.00"))
    approved(days(1), "600.00")
    anticipation = pending(days(2), "400.01")

    response = operator_client.patch(f"/api/anticipations/{anticipation.pk}/", {"status": "A"}, format="json")

    body = assert_problem(response, 409, "budget-exceeded")
    month = days(2).strftime("%Y-%m")
    assert (body["month"], body["budget"], body["remaining"]) == (month, "1000.00", "400.00")
    assert "400.00 is left" in body["detail"]
    stored = Anticipation.objects.get(pk=anticipation.pk)
    assert stored.status == PENDING
    assert not RequestLog.objects.filter(anticipation=anticipation).exists()
    assert not Notification.objects.exists()


def test_a_denial_is_never_refused_by_the_budget(operator, programme_terms):
    programme_terms(monthly_budget=Decimal("0.00"))
    anticipation = pending(days(2), "400.00")

    decided = anticipation_decide(anticipation=anticipation, decision=Decision.DENIED, decided_by=operator)

    assert decided.status == AnticipationStatus.DENIED


def test_each_month_has_its_own_budget(operator, programme_terms):
    programme_terms(monthly_budget=Decimal("500.00"))
    this_month, next_month = days(0).replace(day=1), (days(0).replace(day=28) + datetime.timedelta(days=4))
    approved(this_month + datetime.timedelta(days=27), "500.00")
    anticipation = pending(next_month, "500.00")

    assert anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=operator).status == (
        APPROVED
    )
    assert set(BudgetMonth.objects.values_list("month", flat=True)) == {next_month.replace(day=1)}


def test_without_a_budget_an_approval_locks_no_month(operator):
    anticipation = pending(days(2), "400.00")

    anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=operator)

    assert not BudgetMonth.objects.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    budget=st.decimals(min_value=Decimal("0.00"), max_value=Decimal("5000.00"), places=2),
    values=st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("3000.00"), places=2), max_size=6),
)
def test_approvals_in_any_order_are_granted_while_they_fit_and_never_exceed_the_budget(superuser, budget, values):
    # Each example its own month: the examples share the test's transaction.
    n = next(EXAMPLE_MONTHS)
    month = D(2030 + n // 12, n % 12 + 1, 1)
    programme_update(changed_by=superuser, monthly_budget=budget)
    operator = OperatorFactory()
    left = budget

    for value in values:
        anticipation = pending(month + datetime.timedelta(days=3), str(value))
        try:
            anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=operator)
        except BudgetExceeded as refusal:
            assert value > left
            assert refusal.extensions["remaining"] == str(left)
        else:
            assert value <= left
            left -= value

    assert budget_committed(month=month) == budget - left <= budget


# --- GET /api/programme/budget/ -------------------------------------------------------------------------------------


def test_operators_read_a_months_budget_committed_and_remaining(operator_client, programme_terms):
    programme_terms(monthly_budget=Decimal("10000.00"))
    approved(D(2027, 3, 1), "970.00")
    approved(D(2027, 3, 31), "3960.00")
    approved(D(2027, 4, 1), "1.00")

    response = operator_client.get("/api/programme/budget/", {"month": "2027-03"})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "month": "2027-03",
        "budget": "10000.00",
        "committed": "4930.00",
        "remaining": "5070.00",
    }


def test_the_budget_defaults_to_this_month_and_says_null_without_a_limit(operator_client):
    approved(days(0), "12.34")

    response = operator_client.get("/api/programme/budget/")

    assert response.json() == {
        "month": days(0).strftime("%Y-%m"),
        "budget": None,
        "committed": "12.34",
        "remaining": None,
    }


@pytest.mark.parametrize("month", ["2027-13", "2027-3", "27-03", "2027-03-01", "२०२७-03", "2027-03\n"])
def test_a_month_not_written_yyyy_mm_is_refused(operator_client, month):
    assert_problem(
        operator_client.get("/api/programme/budget/", {"month": month}), 400, "validation-error", fields={"month"}
    )


def test_suppliers_and_others_do_not_read_the_budget(supplier_client, client_for, plain_user, anonymous_client):
    assert_problem(supplier_client.get("/api/programme/budget/"), 403)
    assert_problem(client_for(plain_user).get("/api/programme/budget/"), 403)
    assert_problem(anonymous_client.get("/api/programme/budget/"), 401)


def test_the_budget_is_a_term_of_the_programme_versioned_and_shown(supplier_client, programme_terms):
    programme = programme_terms(monthly_budget=Decimal("250000"))

    assert programme.version.changes == {"monthly_budget": {"old": None, "new": "250000.00"}}
    assert supplier_client.get("/api/programme/").json()["monthly_budget"] == "250000.00"
