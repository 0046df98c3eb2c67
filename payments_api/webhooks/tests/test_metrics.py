"""Deliveries in /metrics: pending and failed ones and the age of the oldest pending, read at each scrape, and the
attempts made on a real receiver, counted by outcome once recorded."""

import datetime

import pytest
from django.utils import timezone

from payments_api.common.tests.metrics import scrape, value
from payments_api.webhooks.models import WebhookDelivery
from payments_api.webhooks.services import webhook_delivery_deliver, webhook_endpoint_create, webhook_event_record
from payments_api.webhooks.tests.receiver import Reply

# In the test's transaction: the delivery is not published to a worker, the test makes the attempts itself.
pytestmark = pytest.mark.django_db

ROWS = "payments_api_outbox_webhook_deliveries"
OLDEST = "payments_api_outbox_webhook_deliveries_oldest_pending_seconds"
ATTEMPTS = "payments_api_webhook_delivery_attempts_total"


@pytest.fixture
def delivery(receiver) -> WebhookDelivery:
    webhook_endpoint_create(url=receiver.url, events=["payment.created"])
    [delivery] = webhook_event_record(event_type="payment.created", data={"id": 1})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    return delivery


def attempts() -> dict[str, float]:
    samples = scrape()
    return {outcome: value(samples, ATTEMPTS, outcome=outcome) for outcome in ("delivered", "retry", "failed")}


def test_a_delivery_owed_shows_as_pending_with_its_age_and_is_counted_when_retried_then_delivered(
    delivery, receiver, django_capture_on_commit_callbacks
):
    before = attempts()
    owed = scrape()

    assert value(owed, ROWS, status="pending") == 1
    assert 360 <= value(owed, OLDEST) < 400

    receiver.answer(Reply(status=503))
    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_deliver(delivery_id=delivery.pk)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    receiver.answer(Reply(status=204))
    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_deliver(delivery_id=delivery.pk)
    after = scrape()

    assert len(receiver.received) == 2
    assert attempts() == {**before, "retry": before["retry"] + 1, "delivered": before["delivered"] + 1}
    assert value(after, ROWS, status="pending") == value(after, ROWS, status="failed") == value(after, OLDEST) == 0


def test_a_delivery_refused_for_good_is_counted_failed_and_stays_in_the_failed_gauge(
    delivery, receiver, django_capture_on_commit_callbacks
):
    before = attempts()
    receiver.answer(Reply(status=410))

    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_deliver(delivery_id=delivery.pk)
    samples = scrape()

    assert attempts() == {**before, "failed": before["failed"] + 1}
    assert (value(samples, ROWS, status="failed"), value(samples, ROWS, status="pending")) == (1, 0)
    assert value(samples, OLDEST) == 0
