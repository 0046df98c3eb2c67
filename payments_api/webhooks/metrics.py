"""Webhook deliveries as Prometheus sees them: their backlog, read at each scrape, and the attempts workers make."""

from collections.abc import Iterable

from django.db import transaction
from prometheus_client import Counter
from prometheus_client.core import Metric

from payments_api.common.metrics import NAMESPACE, outbox_backlog_metrics
from payments_api.webhooks.selectors import webhook_deliveries_backlog

WEBHOOK_DELIVERY_ATTEMPTS = Counter(
    "webhook_delivery_attempts",
    "Attempts to deliver a webhook, by outcome: delivered, retry (failed, tried again later), failed (for good).",
    ["outcome"],
    namespace=NAMESPACE,
)


def webhook_delivery_attempt_count(*, outcome: str) -> None:
    """Count an attempt's outcome once the transaction recording it commits."""
    transaction.on_commit(lambda: WEBHOOK_DELIVERY_ATTEMPTS.labels(outcome=outcome).inc())


def webhook_deliveries_backlog_metrics() -> Iterable[Metric]:
    """Scrape-time gauges of the deliveries (registered in WebhooksConfig.ready)."""
    return outbox_backlog_metrics(
        name="outbox_webhook_deliveries",
        rows="Webhook deliveries not delivered yet, by status: pending (to be sent or retried), failed (for good).",
        oldest="Age of the oldest pending webhook delivery, in seconds (0 when none is pending).",
        backlog=webhook_deliveries_backlog(),
    )
