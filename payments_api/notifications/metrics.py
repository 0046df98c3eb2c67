"""The outbox as Prometheus sees it: its backlog, read at each scrape, and the attempts the workers make."""

from collections.abc import Iterable

from django.db import transaction
from prometheus_client import Counter
from prometheus_client.core import Metric

from payments_api.common.metrics import NAMESPACE, outbox_backlog_metrics
from payments_api.notifications.selectors import notifications_backlog

NOTIFICATION_ATTEMPTS = Counter(
    "notification_attempts",
    "Attempts to send a supplier e-mail, by outcome: sent, retry (failed, tried again later), failed (for good).",
    ["outcome"],
    namespace=NAMESPACE,
)


def notification_attempt_count(*, outcome: str) -> None:
    """Count an attempt's outcome once the transaction recording it commits."""
    transaction.on_commit(lambda: NOTIFICATION_ATTEMPTS.labels(outcome=outcome).inc())


def notifications_backlog_metrics() -> Iterable[Metric]:
    """Scrape-time gauges of the outbox (registered in NotificationsConfig.ready)."""
    return outbox_backlog_metrics(
        name="outbox_notifications",
        rows="Supplier e-mails in the outbox not sent yet, by status: pending (to be sent or retried), failed "
        "(for good).",
        oldest="Age of the oldest pending supplier e-mail, in seconds (0 when none is pending).",
        backlog=notifications_backlog(),
    )
