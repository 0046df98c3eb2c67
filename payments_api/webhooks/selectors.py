from django.db.models import QuerySet

from payments_api.common.outbox import Backlog, outbox_backlog
from payments_api.webhooks.models import WebhookDelivery, WebhookEndpoint


def webhook_deliveries_backlog() -> Backlog:
    """The deliveries' pending and failed rows and the age of the oldest pending one (common/outbox.py)."""
    return outbox_backlog(rows=WebhookDelivery.objects.all())


def webhook_endpoints_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.order_by("id")
