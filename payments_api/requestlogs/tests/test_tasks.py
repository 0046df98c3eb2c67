"""The e-mail task on a real Celery worker: published only when the transaction commits, never on rollback.

The worker runs in a thread of this process (so the locmem outbox is shared) and consumes a queue unique to the
test run, on the configured broker (RabbitMQ in CI) or on the in-memory transport when none is configured.
"""

import datetime
import time
from decimal import Decimal
from uuid import uuid4

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish, task_prerun
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from payments_api.celery import app
from payments_api.payments.models import Anticipation
from payments_api.payments.services import anticipation_request
from payments_api.payments.tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db(transaction=True)

DELIVERY_TIMEOUT = 15
QUIET_PERIOD = 1.0


class Rollback(Exception):
    pass


def days(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def _reset_broker_pools():
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(scope="module")
def worker_queue():
    """A worker consuming a queue of its own, with eager execution off; the app's configuration restored after."""
    queue = f"test-{uuid4().hex}"
    overrides = {
        "task_always_eager": False,
        "task_default_queue": queue,
        "broker_url": settings.CELERY_BROKER_URL or "memory://",
        "worker_hijack_root_logger": False,
        "broker_heartbeat": 0,  # no heartbeat timer, so the event loop notices the shutdown within a second
    }
    saved = {key: app.conf[key] for key in overrides}
    consume_from = app.amqp.queues._consume_from
    app.conf.update(overrides)
    _reset_broker_pools()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], loglevel="WARNING"):
            yield queue
    finally:
        if settings.CELERY_BROKER_URL:
            with app.connection_for_write() as connection:
                connection.default_channel.queue_delete(queue)
        app.conf.update(saved)
        app.amqp.queues._consume_from = consume_from
        _reset_broker_pools()


@pytest.fixture
def task_activity(worker_queue):
    """The names of the tasks published by this process and of those the worker started, as they happen."""
    activity = {"published": [], "ran": []}

    def on_publish(sender=None, **kwargs):
        activity["published"].append(sender)

    def on_prerun(sender=None, **kwargs):
        activity["ran"].append(sender.name)

    before_task_publish.connect(on_publish, weak=False)
    task_prerun.connect(on_prerun, weak=False)
    yield activity
    before_task_publish.disconnect(on_publish)
    task_prerun.disconnect(on_prerun)


def wait_for_mail(count: int, timeout: float = DELIVERY_TIMEOUT) -> list:
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return list(mail.outbox)


def test_the_worker_sends_the_email_only_after_the_request_commits(task_activity, supplier, mailoutbox):
    payment = PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16))

    with transaction.atomic():
        anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)
        time.sleep(QUIET_PERIOD)  # the worker is running: a task published too early would have run by now
        assert task_activity == {"published": [], "ran": []}
        assert mail.outbox == []

    sent = wait_for_mail(1)
    time.sleep(0.5)  # and no second copy follows
    sent = list(mail.outbox)
    assert len(sent) == 1, sent
    assert len(task_activity["published"]) == len(task_activity["ran"]) == 1, task_activity
    message = sent[0]
    assert message.to == [supplier.user.email]
    assert f"#{payment.pk}" in message.subject
    assert f"#{payment.pk}" in message.body
    assert "984.00" in message.body
    assert anticipation.new_due_date.isoformat() in message.body


def test_a_rolled_back_request_never_sends_an_email(task_activity, supplier, mailoutbox):
    payment = PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16))

    with pytest.raises(Rollback):
        with transaction.atomic():
            anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)
            raise Rollback()

    time.sleep(2 * QUIET_PERIOD)
    assert task_activity == {"published": [], "ran": []}
    assert mail.outbox == []
    assert not Anticipation.objects.exists()
