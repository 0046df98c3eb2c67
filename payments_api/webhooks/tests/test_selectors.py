"""What the metrics read: pending and failed deliveries, and how long the oldest pending one has been owed."""

import datetime

import pytest
from django.utils import timezone

from payments_api.webhooks.models import WebhookDelivery, WebhookDeliveryStatus
from payments_api.webhooks.selectors import webhook_deliveries_backlog
from payments_api.webhooks.services import webhook_event_record
from payments_api.webhooks.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def test_an_empty_outbox_has_no_backlog():
    assert webhook_deliveries_backlog() == {"pending": 0, "failed": 0, "oldest_pending_seconds": 0.0}


def test_pending_and_failed_deliveries_are_counted_and_delivered_ones_are_not():
    WebhookEndpointFactory()
    deliveries = [webhook_event_record(event_type="payment.created", data={"id": n})[0] for n in range(4)]
    WebhookDelivery.objects.filter(pk=deliveries[0].pk).update(status=WebhookDeliveryStatus.FAILED)
    WebhookDelivery.objects.filter(pk=deliveries[1].pk).update(
        status=WebhookDeliveryStatus.DELIVERED, delivered_at=timezone.now()
    )

    backlog = webhook_deliveries_backlog()

    assert (backlog["pending"], backlog["failed"]) == (2, 1)


def test_the_oldest_pending_delivery_gives_the_age_and_failed_ones_do_not():
    now = timezone.now()
    WebhookEndpointFactory()
    old, new, failed = (webhook_event_record(event_type="payment.created", data={})[0] for _ in range(3))
    WebhookDelivery.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(hours=5))
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        created_at=now - datetime.timedelta(days=9), status=WebhookDeliveryStatus.FAILED
    )

    assert 5 * 3600 <= webhook_deliveries_backlog()["oldest_pending_seconds"] < 5 * 3600 + 60
