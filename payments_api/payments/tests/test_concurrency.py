"""Concurrent requests and decisions on PostgreSQL: the row lock lets exactly one win, the rest get a 409."""

from decimal import Decimal

import pytest

from payments_api.common.tests.concurrency import run_together
from payments_api.payments.errors import AnticipationAlreadyDecided
from payments_api.payments.models import Anticipation, AnticipationStatus, Decision
from payments_api.payments.services import anticipation_decide
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import OperatorFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_concurrent_requests_for_one_payment_create_exactly_one_anticipation(client_for, supplier, mailoutbox):
    payment = PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16))
    clients = [client_for(supplier.user) for _ in range(THREADS)]
    body = {"payment": payment.pk, "new_due_date": days(0).isoformat()}

    responses = run_together(THREADS, lambda index: clients[index].post("/api/anticipations/", body, format="json"))

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (THREADS - 1), statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] == "anticipation-exists"
    anticipation = Anticipation.objects.get()
    assert (anticipation.payment_id, anticipation.new_value) == (payment.pk, Decimal("984.00"))
    log = RequestLog.objects.get()
    assert (log.anticipation_id, log.action) == (anticipation.pk, RequestLogAction.REQUESTED)
    assert len(mailoutbox) == 1


def test_concurrent_approve_and_deny_through_the_service_let_exactly_one_win(supplier, mailoutbox):
    anticipation = AnticipationFactory(payment__supplier=supplier)
    operators = [OperatorFactory(), OperatorFactory()]
    decisions = [Decision.APPROVED, Decision.DENIED]

    def decide(index):
        fresh = Anticipation.objects.get(pk=anticipation.pk)  # each thread starts from the pending row
        return anticipation_decide(anticipation=fresh, decision=decisions[index], decided_by=operators[index])

    results = run_together(2, decide)

    winners = [index for index, result in enumerate(results) if isinstance(result, Anticipation)]
    losers = [index for index, result in enumerate(results) if isinstance(result, AnticipationAlreadyDecided)]
    assert len(winners) == 1 and len(losers) == 1, results
    winner = winners[0]
    assert Anticipation.objects.get(pk=anticipation.pk).status == decisions[winner].value
    log = RequestLog.objects.get()
    assert (log.user, log.action) == (operators[winner], decisions[winner].value)
    assert len(mailoutbox) == 1


def test_concurrent_approve_and_deny_through_the_api_let_exactly_one_win(client_for, supplier):
    anticipation = AnticipationFactory(payment__supplier=supplier)
    operators = [OperatorFactory(), OperatorFactory()]
    clients = [client_for(operator) for operator in operators]
    decisions = [AnticipationStatus.APPROVED, AnticipationStatus.DENIED]
    url = f"/api/anticipations/{anticipation.pk}/"

    responses = run_together(2, lambda index: clients[index].patch(url, {"status": decisions[index]}, format="json"))

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 409], statuses
    winner = next(index for index, response in enumerate(responses) if response.status_code == 200)
    loser = 1 - winner
    assert responses[loser].json()["code"] == "anticipation-already-decided"
    assert responses[winner].json()["status"] == decisions[winner]
    assert Anticipation.objects.get(pk=anticipation.pk).status == decisions[winner]
    log = RequestLog.objects.get()
    assert (log.user, log.action) == (operators[winner], decisions[winner])
