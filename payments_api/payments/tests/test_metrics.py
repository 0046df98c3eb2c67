"""Anticipations requested, approved and denied, and their new values, in /metrics: counted by the services once
their transaction commits."""

from decimal import Decimal

import pytest
from django.db import transaction

from payments_api.common.tests.metrics import scrape, value
from payments_api.payments.models import Decision
from payments_api.payments.services import anticipation_decide, anticipation_request
from payments_api.payments.tests.factories import PaymentFactory, days

COUNT = "payments_api_anticipations_total"
VALUE = "payments_api_anticipated_value_brl_total"
EVENTS = ("requested", "approved", "denied")

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def counted() -> dict[str, tuple[float, float]]:
    samples = scrape()
    return {event: (value(samples, COUNT, event=event), value(samples, VALUE, event=event)) for event in EVENTS}


def moved(before: dict, after: dict) -> dict[str, tuple[float, float]]:
    return {event: (after[event][0] - before[event][0], after[event][1] - before[event][1]) for event in EVENTS}


def test_requests_and_decisions_through_the_api_are_counted_with_their_new_values(
    supplier, supplier_client, operator_client
):
    payments = [PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16)) for _ in range(3)]
    before = counted()

    ids = []
    for payment in payments:
        response = supplier_client.post(
            "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(0).isoformat()}, format="json"
        )
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    for anticipation_id, decision in zip(ids, ["A", "D"]):
        response = operator_client.patch(f"/api/anticipations/{anticipation_id}/", {"status": decision}, format="json")
        assert response.status_code == 200, response.content

    assert moved(before, counted()) == {
        "requested": (3, pytest.approx(3 * 984.00)),
        "approved": (1, pytest.approx(984.00)),
        "denied": (1, pytest.approx(984.00)),
    }


def test_a_refused_or_rolled_back_action_counts_nothing(supplier, supplier_client, operator):
    payment = PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16))
    before = counted()

    with pytest.raises(Rollback):
        with transaction.atomic():
            anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)
            anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=operator)
            raise Rollback()
    refused = supplier_client.post(
        "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(20).isoformat()}, format="json"
    )

    assert refused.status_code == 400
    assert moved(before, counted()) == {event: (0, 0) for event in EVENTS}


AUTOMATIC = "payments_api_automatic_approvals_total"
AUTOMATIC_VALUE = "payments_api_automatic_approved_value_brl_total"


def test_automatic_approvals_are_counted_apart_and_as_approvals(supplier, supplier_client, programme_terms):
    # 1000.00 due in 16 days paid today: 984.00 at 36.50%, approved at once; 1100.00 (1082.40 paid) is over the
    # 984.00 ceiling and waits for an operator.
    programme_terms(auto_approve_min_apr=Decimal("36.50"), auto_approve_max_value=Decimal("984.00"))
    payments = [
        PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16)),
        PaymentFactory(supplier=supplier, value=Decimal("1100.00"), due_date=days(16)),
    ]
    before, samples = counted(), scrape()
    automatic_before = (value(samples, AUTOMATIC), value(samples, AUTOMATIC_VALUE))

    statuses = [
        supplier_client.post(
            "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(0).isoformat()}, format="json"
        ).json()["status"]
        for payment in payments
    ]

    assert statuses == ["A", "PC"]
    samples = scrape()
    assert (value(samples, AUTOMATIC) - automatic_before[0], value(samples, AUTOMATIC_VALUE) - automatic_before[1]) == (
        1,
        pytest.approx(984.00),
    )
    assert moved(before, counted()) == {
        "requested": (2, pytest.approx(984.00 + 1082.40)),
        "approved": (1, pytest.approx(984.00)),
        "denied": (0, 0),
    }
