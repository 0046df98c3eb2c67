"""The database holds the rules too: secrets in the whsec_ format, a delivered time exactly when delivered."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from payments_api.webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from payments_api.webhooks.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        {"secret": "plain"},
        {"url": "ftp://erp.example.com/"},
        {"previous_secret": "whsec_AAAA"},  # without the time it stops signing
        {"enabled": True, "disabled_reason": "It answered 410 Gone."},
    ],
)
def test_an_endpoint_breaking_a_rule_is_refused_by_the_database(fields):
    with pytest.raises(IntegrityError):
        WebhookEndpointFactory(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "sent"},
        {"status": WebhookDeliveryStatus.DELIVERED},
        {"status": WebhookDeliveryStatus.PENDING, "delivered_at": timezone.now()},
        {"attempts": 1, "attempts_before_replay": 2},
    ],
)
def test_a_delivery_breaking_a_rule_is_refused_by_the_database(fields):
    endpoint = WebhookEndpointFactory()
    with pytest.raises(IntegrityError):
        WebhookDelivery.objects.create(endpoint=endpoint, event_type="payment.created", body="{}", **fields)


def test_every_delivery_has_its_own_webhook_id():
    endpoint = WebhookEndpointFactory()
    first, second = (
        WebhookDelivery.objects.create(endpoint=endpoint, event_type="payment.created", body="{}") for _ in range(2)
    )
    assert first.message_id != second.message_id and first.message_id.startswith("msg_")
    assert isinstance(WebhookEndpoint.objects.get().events, list)
