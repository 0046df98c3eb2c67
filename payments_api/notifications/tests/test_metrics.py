"""The outbox in /metrics: pending and failed e-mails and the age of the oldest pending one, read at each scrape,
and the attempts the worker makes, counted by outcome."""

import datetime
import logging

import pytest
from django.test import Client
from django.utils import timezone

from payments_api.common.request_context import RequestIdLogFilter
from payments_api.common.tests.celery_worker import wait_for, wait_for_mail
from payments_api.common.tests.metrics import scrape, value
from payments_api.notifications.models import Notification, NotificationStatus
from payments_api.notifications.services import notifications_relay
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = "payments_api_outbox_notifications"
OLDEST = "payments_api_outbox_notifications_oldest_pending_seconds"
ATTEMPTS = "payments_api_notification_attempts_total"


def test_the_outbox_shows_a_pending_email_while_the_broker_is_cut_and_none_once_it_is_sent(
    broker_down, task_activity, supplier, client_for, mailoutbox, caplog
):
    caplog.handler.addFilter(RequestIdLogFilter())
    payment = PaymentFactory(supplier=supplier, due_date=days(30))
    sent_before = value(scrape(), ATTEMPTS, outcome="sent")

    response = client_for(supplier.user).post(
        "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(5).isoformat()}, format="json"
    )
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=6))  # as if cut for a while
    during = scrape()

    assert response.status_code == 201, response.content
    assert value(during, ROWS, status="pending") == 1
    assert value(during, ROWS, status="failed") == 0
    assert 360 <= value(during, OLDEST) < 400  # past the 5-minute alert of contrib/prometheus/alerts.yml
    # The publish's failure is logged with the id of the request that left the e-mail behind.
    [warning] = [record for record in caplog.records if record.getMessage().startswith("Broker unavailable")]
    assert warning.levelno == logging.WARNING and warning.request_id == response["X-Request-ID"]

    broker_down()  # the broker is back
    assert notifications_relay(older_than=datetime.timedelta(0)) == 1
    wait_for_mail(1)
    assert wait_for(lambda: Notification.objects.filter(status=NotificationStatus.SENT).count() == 1)
    assert wait_for(lambda: value(scrape(), ATTEMPTS, outcome="sent") == sent_before + 1)
    after = scrape()

    assert value(after, ROWS, status="pending") == 0
    assert value(after, OLDEST) == 0


def test_failed_emails_are_counted_apart_from_pending_ones(supplier):
    for status in (NotificationStatus.FAILED, NotificationStatus.FAILED, NotificationStatus.SENT):
        anticipation = AnticipationFactory(payment__supplier=supplier)
        Notification.objects.create(
            request_log=RequestLog.objects.create(
                anticipation=anticipation, user=supplier.user, action=RequestLogAction.REQUESTED
            ),
            recipient=supplier.user.email,
            language=supplier.language,
            status=status,
            sent_at=timezone.now() if status == NotificationStatus.SENT else None,
        )

    samples = scrape(Client())

    assert value(samples, ROWS, status="failed") == 2
    assert value(samples, ROWS, status="pending") == 0
    assert value(samples, OLDEST) == 0
    assert not any(dict(key[1]).get("status") == "sent" for key in samples if key[0] == ROWS)
