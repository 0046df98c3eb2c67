"""The outbox: written with the action, sent once after commit, retried with backoff, failed for good, re-sent."""

import datetime
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from payments_api.notifications.models import Notification, NotificationStatus
from payments_api.notifications.services import (
    notification_backoff,
    notification_deliver,
    notification_resend,
    notification_retry_delay,
    notifications_relay,
)
from payments_api.notifications.tasks import send_notification
from payments_api.payments.services import anticipation_decide, anticipation_request
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(supplier):
    return PaymentFactory(supplier=supplier, due_date=days(30))


def request(payment):
    return anticipation_request(payment=payment, new_due_date=days(10), requested_by=payment.supplier.user)


def smtp_failing():
    """The SMTP server outside the system refuses the conversation."""
    return mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=SMTPServerDisconnected("Connection unexpectedly closed"),
    )


def test_the_action_writes_a_pending_notification_in_its_transaction(payment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        anticipation = request(payment)
    notification = Notification.objects.get()
    assert notification.request_log.anticipation == anticipation
    assert notification.recipient == payment.supplier.user.email
    assert notification.language == payment.supplier.language
    assert notification.status == NotificationStatus.PENDING
    assert len(email_publishes(callbacks)) == 1  # beside it, the metrics count the action (payments/metrics.py)
    assert mail.outbox == []


def test_a_rolled_back_action_leaves_no_notification_and_sends_nothing(payment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                request(payment)
                raise RuntimeError("the surrounding work failed")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_after_commit_the_notification_is_sent_and_marked_sent(payment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request(payment)
    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [payment.supplier.user.email]


def test_a_task_executed_twice_sends_one_email(payment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        request(payment)
    notification = Notification.objects.get()
    send_notification.apply(args=[notification.pk])
    send_notification.apply(args=[notification.pk])
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


def test_an_smtp_failure_is_recorded_and_scheduled_for_a_retry(payment, django_capture_on_commit_callbacks, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 5
    with django_capture_on_commit_callbacks(execute=False):
        request(payment)
    notification = Notification.objects.get()
    before = timezone.now()
    with smtp_failing():
        retry_in = notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert retry_in is not None and 0 <= retry_in <= settings.NOTIFICATION_RETRY_BACKOFF_MAX
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1
    assert "SMTPServerDisconnected" in notification.last_error
    assert notification.next_attempt_at >= before


def test_smtp_failures_are_retried_then_marked_failed(payment, django_capture_on_commit_callbacks, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 4
    settings.NOTIFICATION_RETRY_BACKOFF = 0  # each retry is due at once (eager: it runs at once)
    with django_capture_on_commit_callbacks(execute=False):
        request(payment)
    notification = Notification.objects.get()
    with smtp_failing() as send:
        send_notification.apply(args=[notification.pk])  # eager: each retry runs at once
    notification.refresh_from_db()
    assert send.call_count == 4
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == 4
    assert "Connection unexpectedly closed" in notification.last_error
    assert mail.outbox == []


def test_the_backoff_doubles_is_capped_and_waits_at_least_half_of_it(settings):
    settings.NOTIFICATION_RETRY_BACKOFF = 10
    settings.NOTIFICATION_RETRY_BACKOFF_MAX = 100
    for attempts in range(1, 12):
        backoff = min(100, 10 * 2 ** (attempts - 1))
        assert notification_backoff(attempts=attempts) == backoff
        delays = [notification_retry_delay(attempts=attempts) for _ in range(200)]
        assert backoff / 2 <= min(delays) and max(delays) <= backoff
        assert max(delays) - min(delays) >= backoff / 4  # spread, so e-mails that failed together retry apart


def test_by_default_a_notification_is_retried_for_hours_before_it_is_marked_failed():
    from django.conf import settings as defaults  # the configured values, not a test's

    retries = range(1, defaults.NOTIFICATION_MAX_ATTEMPTS)
    soonest = sum(notification_backoff(attempts=attempts) / 2 for attempts in retries)
    latest = sum(notification_backoff(attempts=attempts) for attempts in retries)
    assert soonest >= 2 * 3600, soonest
    assert latest <= 5 * 3600, latest
    assert notification_backoff(attempts=len(retries)) <= 30 * 60  # a recovered server is tried within half an hour


def test_a_twin_task_does_not_send_before_the_retry_is_due(payment, django_capture_on_commit_callbacks):
    """A relay-queued or redelivered task for a notification waiting out its backoff leaves it alone."""
    with django_capture_on_commit_callbacks(execute=False):
        request(payment)
    notification = Notification.objects.get()
    with smtp_failing():
        assert notification_deliver(notification_id=notification.pk) is not None
    retry_due = timezone.now() + datetime.timedelta(minutes=1)
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=retry_due)

    send_notification.apply(args=[notification.pk])

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 1)
    assert mail.outbox == []
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())  # the backoff is over
    send_notification.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_notification_sent_after_a_failure_keeps_no_error(payment, django_capture_on_commit_callbacks, settings):
    settings.NOTIFICATION_RETRY_BACKOFF = 0
    with django_capture_on_commit_callbacks(execute=False):
        request(payment)
    notification = Notification.objects.get()
    with smtp_failing():
        notification_deliver(notification_id=notification.pk)
    notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == (NotificationStatus.SENT, 2, "")


@pytest.mark.django_db(transaction=True)
def test_the_attempt_is_counted_and_the_row_leased_before_smtp_which_runs_outside_any_transaction(settings):
    """While the mail server has the message no transaction (nor row lock) is held, the attempt is counted, and
    neither the relay nor a twin task touches the row before the send task's hard time limit has passed."""
    anticipation = AnticipationFactory()
    log = RequestLog.objects.create(
        anticipation=anticipation, user=anticipation.payment.supplier.user, action=RequestLogAction.REQUESTED
    )
    notification = Notification.objects.create(request_log=log, recipient="supplier@example.com", language="en")
    started = timezone.now()
    seen = {}

    def mail_server_receives(messages):
        if seen:  # a copy sent by the relay or the twin below
            seen["copies"] = seen.get("copies", 0) + 1
            return len(messages)
        row = Notification.objects.get(pk=notification.pk)
        seen.update(in_transaction=connection.in_atomic_block, attempts=row.attempts, due=row.next_attempt_at)
        seen["relayed"] = notifications_relay(older_than=datetime.timedelta(0))
        seen["twin"] = notification_deliver(notification_id=notification.pk)
        return len(messages)

    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=mail_server_receives):
        assert notification_deliver(notification_id=notification.pk) is None

    lease = datetime.timedelta(seconds=settings.NOTIFICATION_SEND_TIME_LIMIT)
    assert seen["in_transaction"] is False
    assert seen["attempts"] == 1
    assert seen["due"] > started + lease
    assert (seen["relayed"], seen["twin"], seen.get("copies")) == (0, None, None)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


def test_a_failed_notification_can_be_resent(payment, django_capture_on_commit_callbacks, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    with smtp_failing(), django_capture_on_commit_callbacks(execute=True):
        request(payment)
    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        notification_resend(notification=notification)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 2  # the failed attempt is still counted
    assert len(mail.outbox) == 1


def test_a_resent_notification_gets_as_many_attempts_again_and_keeps_counting(
    payment, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    settings.NOTIFICATION_RETRY_BACKOFF = 0
    with smtp_failing() as send:
        with django_capture_on_commit_callbacks(execute=True):
            request(payment)
        notification = Notification.objects.get()
        assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 2)
        with django_capture_on_commit_callbacks(execute=True):
            notification_resend(notification=notification)
    notification.refresh_from_db()
    assert send.call_count == 4
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 4)


def test_the_relay_requeues_only_overdue_pending_notifications(payment, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        anticipation = request(payment)
        anticipation_decide(anticipation=anticipation, decision="A", decided_by=operator)
    overdue, recent = Notification.objects.order_by("id")
    Notification.objects.filter(pk=overdue.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_relay(older_than=datetime.timedelta(seconds=30)) == 1
    overdue.refresh_from_db()
    recent.refresh_from_db()
    assert overdue.status == NotificationStatus.SENT
    assert recent.status == NotificationStatus.PENDING
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<notification-{overdue.pk}@")


def overdue_notifications(payment, operator, count: int) -> list[Notification]:
    """`count` pending notifications whose publish was lost, due five minutes ago."""
    with transaction.atomic():
        for _ in range(count):
            anticipation_request(
                payment=PaymentFactory(supplier=payment.supplier, due_date=days(30)),
                new_due_date=days(10),
                requested_by=payment.supplier.user,
            )
        transaction.set_rollback(False)
    Notification.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=5))
    return list(Notification.objects.all())


def test_one_relay_run_queues_batch_after_batch_until_nothing_is_overdue(
    payment, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        overdue_notifications(payment, operator, 5)

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_relay(older_than=datetime.timedelta(seconds=30), batch_size=2) == 5

    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert len(mail.outbox) == 5


def test_a_relay_run_stops_taking_batches_when_its_time_budget_is_spent(
    payment, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        overdue_notifications(payment, operator, 5)

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_relay(older_than=datetime.timedelta(seconds=30), batch_size=2, budget=0) == 2

    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 2


def email_publishes(callbacks) -> list:
    """The on-commit callbacks that publish a supplier e-mail."""
    return [callback for callback in callbacks if callback.__qualname__.startswith("notification_create.")]
