"""The supplier e-mail outbox: written with the action, sent after commit, re-queued by the relay, sent once.

Delivery claims the row in one short transaction (counting the attempt and leasing the row for longer than a send
can take), talks to the mail server outside any transaction, and records the outcome in a second one.
"""

import datetime
import logging
import random
from smtplib import SMTPException
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from payments_api.common.outbox import outbox_claim, outbox_publish, outbox_relay
from payments_api.notifications.metrics import notification_attempt_count
from payments_api.notifications.models import Notification, NotificationStatus, NotificationTemplate

if TYPE_CHECKING:
    from payments_api.requestlogs.models import RequestLog

logger = logging.getLogger(__name__)

# Each kind of e-mail's subject, plain text and HTML templates, under notifications/<language>/.
TEMPLATE_FILES = {
    NotificationTemplate.ANTICIPATION: ("subject.txt", "anticipation.txt", "anticipation.html"),
    NotificationTemplate.ANTICIPATION_BATCH: (
        "anticipation_batch_subject.txt",
        "anticipation_batch.txt",
        "anticipation_batch.html",
    ),
}

# What a failed SMTP conversation raises: protocol errors, refused or dropped connections, timeouts.
SEND_ERRORS = (SMTPException, OSError)


def notification_create(
    *,
    request_log: "RequestLog",
    recipient: str,
    language: str,
    context: dict[str, Any],
    template: NotificationTemplate = NotificationTemplate.ANTICIPATION,
) -> Notification:
    """Record the e-mail owed for `request_log` in the caller's transaction; it is queued once that commits.

    `context` fills `template`'s files: JSON values, with amounts (Decimal) and dates that the e-mail writes in
    `language`.
    """
    notification = Notification.objects.create(
        request_log=request_log, recipient=recipient, language=language, context=context, template=template
    )
    transaction.on_commit(lambda: notification_enqueue(notification_id=notification.pk))
    return notification


def notification_enqueue(*, notification_id: int) -> bool:
    """Publish the send task; a broker failure leaves the row pending for the relay (see common/outbox.py)."""
    from payments_api.notifications.tasks import send_notification

    return outbox_publish(task=send_notification, row_id=notification_id, pause=settings.NOTIFICATION_PUBLISH_PAUSE)


def notification_message(*, notification: Notification) -> EmailMultiAlternatives:
    """The multipart e-mail (plain text and HTML) in the recipient's language, from the context its caller gave."""
    context = notification.context
    subject_file, text_file, html_file = TEMPLATE_FILES[NotificationTemplate(notification.template)]
    with translation.override(notification.language):
        folder = f"notifications/{notification.language}"
        subject = " ".join(render_to_string(f"{folder}/{subject_file}", context).split())
        text = render_to_string(f"{folder}/{text_file}", context)
        html = render_to_string(f"{folder}/{html_file}", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        # Stable across attempts, so a copy sent again (see notification_deliver) can be recognised as the same e-mail.
        headers={"Message-ID": f"<notification-{notification.pk}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"},
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_backoff(*, attempts: int) -> float:
    """The longest wait after `attempts` failed attempts: NOTIFICATION_RETRY_BACKOFF doubled each time, capped."""
    exponent = min(attempts - 1, 32)  # far past any cap; keeps the power small
    return float(min(settings.NOTIFICATION_RETRY_BACKOFF * 2**exponent, settings.NOTIFICATION_RETRY_BACKOFF_MAX))


def notification_retry_delay(*, attempts: int) -> float:
    """Seconds before the next attempt: half the backoff fixed, half random ("equal jitter").

    The random half spreads the retries of e-mails that failed together; the fixed half keeps a retry from
    coming at once, so an outage of the mail server is waited out rather than burning the attempts.
    """
    backoff = notification_backoff(attempts=attempts)
    return backoff / 2 + random.uniform(0, backoff / 2)  # spreads retries; no security use


def notification_lease() -> datetime.timedelta:
    """How long a claimed notification is left to the worker sending it: longer than the send task may run."""
    return datetime.timedelta(seconds=settings.NOTIFICATION_SEND_TIME_LIMIT + 60)


def _notification_claim(*, notification_id: int) -> Notification | None:
    """Take a pending notification that is due, count the attempt and lease it, in a short transaction."""
    return outbox_claim(queryset=Notification.objects.all(), pk=notification_id, lease=notification_lease())


def _hand_to_mail_server(message: EmailMultiAlternatives) -> None:
    """Send `message`; once the server has accepted it, nothing that happens while saying goodbye undoes that."""
    connection = get_connection()
    try:
        connection.open()
        connection.send_messages([message])
    except BaseException:
        _close_quietly(connection)
        raise
    _close_quietly(connection)


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception:  # a QUIT that times out or is cut (or the task's soft time limit) changes nothing sent
        logger.warning("Closing the mail server connection failed", exc_info=True)


def _notification_record(*, notification: Notification, error: Exception | None) -> float | None:
    """Mark the claimed notification sent, or record `error` and schedule its retry or mark it failed."""
    now = timezone.now()
    with transaction.atomic():
        if error is None:
            notification.status = NotificationStatus.SENT
            notification.sent_at = now
            notification.last_error = ""
            notification.save(update_fields=["status", "sent_at", "last_error"])
            notification_attempt_count(outcome="sent")
            return None
        notification.last_error = f"{type(error).__name__}: {error}"[:2000]
        if notification.attempts - notification.attempts_before_resend >= settings.NOTIFICATION_MAX_ATTEMPTS:
            notification.status = NotificationStatus.FAILED
            retry_in = None
            logger.error("Notification %s failed for good: %s", notification.pk, notification.last_error)
        else:
            retry_in = notification_retry_delay(attempts=notification.attempts - notification.attempts_before_resend)
            notification.next_attempt_at = now + datetime.timedelta(seconds=retry_in)
        notification.save(update_fields=["last_error", "status", "next_attempt_at"])
        notification_attempt_count(outcome="retry" if retry_in is not None else "failed")
        return retry_in


def notification_deliver(*, notification_id: int) -> float | None:
    """Send a pending, due notification; returns the seconds until a retry is due, or None when done.

    The attempt is counted and the row leased before the mail server is contacted, so a redelivered task or a
    relay-queued twin finds nothing to send meanwhile, and any failure (the task's soft time limit included) is
    recorded against the attempt. A copy is sent twice only if the worker dies, or the database is unreachable,
    between the server accepting the message and the row being marked sent: the lease then expires and the
    relay queues it again.
    """
    notification = _notification_claim(notification_id=notification_id)
    if notification is None:
        return None
    try:
        _hand_to_mail_server(notification_message(notification=notification))
    except Exception as exc:  # whatever went wrong (the soft time limit too), the attempt is recorded
        log = logger.warning if isinstance(exc, SEND_ERRORS) else logger.exception
        log("Notification %s: attempt %s failed: %s", notification.pk, notification.attempts, exc)
        return _notification_record(notification=notification, error=exc)
    return _notification_record(notification=notification, error=None)


def notifications_relay(
    *, older_than: datetime.timedelta | None = None, batch_size: int = 500, budget: float | None = None
) -> int:
    """Re-queue every pending notification whose send is overdue (its publish was lost or its task died).

    Takes batch after batch until none is left, a publish fails, or `budget` seconds (NOTIFICATION_RELAY_BUDGET)
    are spent; returns how many were queued.
    """
    older_than = datetime.timedelta(seconds=settings.NOTIFICATION_RELAY_AFTER) if older_than is None else older_than
    return outbox_relay(
        model=Notification,
        publish=lambda notification_id: notification_enqueue(notification_id=notification_id),
        older_than=older_than,
        batch_size=batch_size,
        budget=settings.NOTIFICATION_RELAY_BUDGET if budget is None else budget,
    )


@transaction.atomic
def notification_resend(*, notification: Notification) -> Notification:
    """Give a failed notification NOTIFICATION_MAX_ATTEMPTS more attempts (the admin's re-send)."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.status != NotificationStatus.FAILED:
        return notification
    notification.status = NotificationStatus.PENDING
    notification.attempts_before_resend = notification.attempts
    notification.next_attempt_at = timezone.now()
    notification.save(update_fields=["status", "attempts_before_resend", "next_attempt_at"])
    transaction.on_commit(lambda: notification_enqueue(notification_id=notification.pk))
    return notification
