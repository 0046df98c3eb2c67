"""The database itself keeps an outbox row consistent, whatever code writes it."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from payments_api.notifications.models import Notification, NotificationStatus
from payments_api.payments.tests.factories import AnticipationFactory
from payments_api.requestlogs.models import RequestLog, RequestLogAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_log(operator):
    return RequestLog.objects.create(
        anticipation=AnticipationFactory(), user=operator, action=RequestLogAction.REQUESTED
    )


def notification(request_log, **fields):
    return Notification.objects.create(
        **{"request_log": request_log, "recipient": "supplier@example.com", "language": "pt-br", **fields}
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "queued"},
        {"language": "fr"},
        {"attempts": 1, "attempts_before_resend": 2},
        {"status": NotificationStatus.SENT},
        {"status": NotificationStatus.PENDING, "sent_at": timezone.now()},
        {"status": NotificationStatus.FAILED, "sent_at": timezone.now()},
    ],
    ids=["unknown-status", "unknown-language", "resend-after-more-attempts", "sent-without-time", "pending-sent-at",
         "failed-sent-at"],
)
def test_the_database_refuses_an_inconsistent_notification(request_log, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        notification(request_log, **fields)

    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"language": "en", "attempts": 3, "attempts_before_resend": 3},
        {"status": NotificationStatus.SENT, "sent_at": timezone.now()},
        {"status": NotificationStatus.FAILED, "attempts": 16},
    ],
    ids=["pending", "resent", "sent", "failed"],
)
def test_the_database_accepts_a_consistent_notification(request_log, fields):
    stored = notification(request_log, **fields)

    assert Notification.objects.filter(pk=stored.pk).exists()


def test_the_database_refuses_a_second_notification_for_one_action(request_log):
    first = notification(request_log)

    with pytest.raises(IntegrityError), transaction.atomic():
        notification(request_log)

    assert list(Notification.objects.all()) == [first]
