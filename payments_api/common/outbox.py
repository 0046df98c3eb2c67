"""What the outboxes (supplier e-mails, webhook deliveries) share: a row written in the action's transaction is
published to Celery after commit without ever failing the action, claimed by one worker at a time under a lease, and
re-queued by a relay when its publish was lost or its worker died.

An outbox row has `status` ("pending" while it is owed), `attempts` and `next_attempt_at` (when it is next due).
"""

import datetime
import logging
import time
from collections.abc import Callable
from typing import TypedDict, TypeVar

from celery import Task
from django.db import models, transaction
from django.db.models import Count, Min
from django.utils import timezone

logger = logging.getLogger(__name__)

PENDING = "pending"
FAILED = "failed"

Row = TypeVar("Row", bound=models.Model)

# Until when (time.monotonic()) this process leaves new rows to the relays after a failed publish. One broker serves
# every outbox, so one failure pauses them all.
_publishing_paused_until = 0.0


def outbox_publish(*, task: Task, row_id: int, pause: float) -> bool:
    """Publish `task` for the row `row_id`. A failure to publish is logged, not raised: the row stays for the relay.

    After a failed publish the process does not try again for `pause` seconds, so a broker that does not answer
    costs one request per pause the connection timeout, not every request.
    """
    global _publishing_paused_until
    if time.monotonic() < _publishing_paused_until:
        logger.info("Publishing paused after a broker failure; %s(%s) left for the relay", task.name, row_id)
        return False
    try:
        task.apply_async(args=(row_id,), retry=False)
    except Exception:
        # Whatever the broker answers: kombu's OperationalError for a lost or refused connection, amqp's
        # AccessRefused or NotAllowed for credentials or a virtual host it refuses. The action has committed and
        # its row is the record, so the request must not fail for it.
        _publishing_paused_until = time.monotonic() + pause
        logger.warning("Broker unavailable; %s(%s) left for the relay", task.name, row_id, exc_info=True)
        return False
    return True


class Backlog(TypedDict):
    pending: int
    failed: int
    oldest_pending_seconds: float


def outbox_backlog(*, rows: models.QuerySet) -> Backlog:
    """An outbox's unfinished rows: how many are pending and failed, and the age in seconds of the oldest pending
    (by `created_at`; 0 when none is pending).

    Finished rows are not counted: they only grow, and reading them all at every scrape would cost more and more.
    """
    counts = dict(rows.filter(status__in=[PENDING, FAILED]).values_list("status").annotate(n=Count("pk")).order_by())
    oldest: datetime.datetime | None = rows.filter(status=PENDING).aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "pending": counts.get(PENDING, 0),
        "failed": counts.get(FAILED, 0),
        "oldest_pending_seconds": (timezone.now() - oldest).total_seconds() if oldest else 0.0,
    }


def outbox_claim(*, queryset: models.QuerySet[Row], pk: int, lease: datetime.timedelta) -> Row | None:
    """Take the pending, due row `pk`, count the attempt and lease it, in a short transaction of its own.

    None when the row was sent, failed for good, is waiting for its retry, or is being sent by another worker.
    """
    now = timezone.now()
    with transaction.atomic():
        row = (
            queryset.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk, status=PENDING, next_attempt_at__lte=now)
            .first()
        )
        if row is None:
            return None
        row.attempts += 1  # type: ignore[attr-defined]
        row.next_attempt_at = now + lease  # type: ignore[attr-defined]
        row.save(update_fields=["attempts", "next_attempt_at"])
    return row


def outbox_relay(
    *,
    model: type[models.Model],
    publish: Callable[[int], bool],
    older_than: datetime.timedelta,
    batch_size: int,
    budget: float,
) -> int:
    """Re-queue every pending row of `model` whose send is overdue (its publish was lost or its task died).

    Takes batch after batch until none is left, a publish fails, or `budget` seconds are spent; returns how many
    were queued. The rest are due again after `older_than`.
    """
    deadline = time.monotonic() + budget
    # Fixed for the run: the rows it queues become due now, after the cutoff, so a later batch does not take them.
    cutoff = timezone.now() - older_than
    queued = 0
    while True:
        with transaction.atomic():
            overdue = list(
                model._default_manager.select_for_update(skip_locked=True)
                .filter(status=PENDING, next_attempt_at__lt=cutoff)
                .order_by("next_attempt_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            model._default_manager.filter(pk__in=overdue).update(next_attempt_at=timezone.now())
        for row_id in overdue:
            if not publish(row_id):
                return queued
            queued += 1
        if len(overdue) < batch_size or time.monotonic() >= deadline:
            return queued
