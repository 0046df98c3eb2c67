"""Parallel approvals on PostgreSQL that together exceed the month's budget: the month's row lock counts them one
after the other, so exactly as many succeed as fit and the budget is never overshot."""

from decimal import Decimal

import pytest

from payments_api.common.tests.concurrency import run_together
from payments_api.payments.models import Anticipation, AnticipationStatus
from payments_api.payments.selectors import budget_committed
from payments_api.payments.services import anticipation_request
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.programme.selectors import month_start
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import OperatorFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_parallel_approvals_past_the_budget_approve_exactly_those_that_fit(client_for, supplier, programme_terms):
    # Eight of 300.00 against 1000.00 with 100.00 already committed: three fit (900.00), five are refused.
    programme_terms(monthly_budget=Decimal("1000.00"))
    new_due_date = days(5)
    AnticipationFactory(new_due_date=new_due_date, new_value=Decimal("100.00"), status=AnticipationStatus.APPROVED)
    anticipations = [
        AnticipationFactory(payment__supplier=supplier, new_due_date=new_due_date, new_value=Decimal("300.00"))
        for _ in range(THREADS)
    ]
    clients = [client_for(OperatorFactory()) for _ in range(THREADS)]

    responses = run_together(
        THREADS,
        lambda index: clients[index].patch(
            f"/api/anticipations/{anticipations[index].pk}/", {"status": "A"}, format="json"
        ),
    )

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 3 + [409] * 5, statuses
    refusals = [response.json() for response in responses if response.status_code == 409]
    assert {(body["code"], body["remaining"]) for body in refusals} == {("budget-exceeded", "0.00")}
    assert budget_committed(month=month_start(new_due_date)) == Decimal("1000.00")
    approved = Anticipation.objects.filter(pk__in=[a.pk for a in anticipations], status=AnticipationStatus.APPROVED)
    assert approved.count() == 3
    assert RequestLog.objects.filter(action=RequestLogAction.APPROVED).count() == 3


def test_parallel_requests_that_would_auto_approve_past_the_budget_leave_the_rest_pending(
    supplier, programme_terms
):
    # 1000.00 due in 16 days paid today: 984.00 at 36.50%. A budget of 2000.00 pays two of them.
    programme_terms(
        auto_approve_min_apr=Decimal("36.50"), auto_approve_max_value=Decimal("984.00"), monthly_budget=Decimal("2000")
    )
    payments = [PaymentFactory(supplier=supplier, due_date=days(16), value=Decimal("1000.00")) for _ in range(THREADS)]

    results = run_together(
        THREADS,
        lambda index: anticipation_request(payment=payments[index], new_due_date=days(0), requested_by=supplier.user),
    )

    assert all(isinstance(result, Anticipation) for result in results), results
    statuses = sorted(result.status for result in results)
    assert statuses == [AnticipationStatus.APPROVED] * 2 + [AnticipationStatus.PENDING_CONFIRMATION] * 6
    assert budget_committed(month=month_start(days(0))) == Decimal("1968.00")
    assert RequestLog.objects.filter(action=RequestLogAction.APPROVED, user=None).count() == 2
