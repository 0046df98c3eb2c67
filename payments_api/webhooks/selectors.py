import datetime

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from payments_api.webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint


def webhook_endpoints_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.order_by("id")


def webhook_deliveries_by_status() -> dict[str, int]:
    """How many deliveries are in each state (every state listed, zero included)."""
    counts = dict(WebhookDelivery.objects.values_list("status").annotate(count=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in WebhookDeliveryStatus.values}


def webhook_oldest_pending_age(*, now: datetime.datetime | None = None) -> datetime.timedelta | None:
    """How long the oldest pending delivery has been owed; None when none is pending."""
    oldest = WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.PENDING).aggregate(oldest=Min("created_at"))
    if oldest["oldest"] is None:
        return None
    return (now or timezone.now()) - oldest["oldest"]
