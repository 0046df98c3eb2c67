"""The outbox: written with the action, sent once after commit, retried with backoff, failed for good, re-sent."""

import datetime
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from payments_api.notifications.models import Notification, NotificationStatus
from payments_api.notifications.services import (
    notification_deliver,
    notification_resend,
    notifications_relay,
)
from payments_api.notifications.tasks import send_notification
from payments_api.payments.services import anticipation_decide, anticipation_request
from payments_api.payments.tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db


def days(offset):
    return timezone.localdate() + datetime.timedelta(days=offset)


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
    assert len(callbacks) == 1
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


def test_the_backoff_grows_and_is_capped(settings):
    from payments_api.notifications.services import notification_retry_delay

    settings.NOTIFICATION_RETRY_BACKOFF = 10
    settings.NOTIFICATION_RETRY_BACKOFF_MAX = 100
    for attempts in range(1, 12):
        assert 0 <= notification_retry_delay(attempts=attempts) <= min(100, 10 * 2 ** (attempts - 1))


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
    assert len(mail.outbox) == 1


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
