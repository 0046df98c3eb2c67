"""What the metrics read: deliveries by state, and how long the oldest pending one has been owed."""

import datetime

import pytest
from django.utils import timezone

from payments_api.webhooks.models import WebhookDelivery, WebhookDeliveryStatus
from payments_api.webhooks.selectors import webhook_deliveries_by_status, webhook_oldest_pending_age
from payments_api.webhooks.services import webhook_event_record
from payments_api.webhooks.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def test_deliveries_are_counted_by_state_with_every_state_listed():
    assert webhook_deliveries_by_status() == {"pending": 0, "delivered": 0, "failed": 0}
    WebhookEndpointFactory()
    for number in range(3):
        webhook_event_record(event_type="payment.created", data={"id": number})
    WebhookDelivery.objects.filter(pk=WebhookDelivery.objects.first().pk).update(status=WebhookDeliveryStatus.FAILED)

    assert webhook_deliveries_by_status() == {"pending": 2, "delivered": 0, "failed": 1}


def test_the_oldest_pending_delivery_gives_the_age():
    now = timezone.now()
    assert webhook_oldest_pending_age(now=now) is None
    WebhookEndpointFactory()
    old, new, failed = (webhook_event_record(event_type="payment.created", data={})[0] for _ in range(3))
    WebhookDelivery.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(hours=5))
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        created_at=now - datetime.timedelta(days=9), status=WebhookDeliveryStatus.FAILED
    )

    assert webhook_oldest_pending_age(now=now) == datetime.timedelta(hours=5)
