import datetime

from django.db.models import Count, Min
from django.utils import timezone

from payments_api.notifications.models import Notification, NotificationStatus


def notifications_backlog() -> dict:
    """The outbox's unfinished rows: how many are pending and failed, and the age in seconds of the oldest pending.

    Sent rows are not counted: they only grow, and reading them all at every scrape would cost more and more.
    """
    counts = dict(
        Notification.objects.filter(status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED])
        .values_list("status")
        .annotate(rows=Count("pk"))
        .order_by()
    )
    oldest: datetime.datetime | None = Notification.objects.filter(status=NotificationStatus.PENDING).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    return {
        "pending": counts.get(NotificationStatus.PENDING, 0),
        "failed": counts.get(NotificationStatus.FAILED, 0),
        "oldest_pending_seconds": (timezone.now() - oldest).total_seconds() if oldest else 0.0,
    }
