"""A slow mail server against a real prefork worker, the pool that enforces the send task's time limits.

The worker runs in its own process on the configured broker and the test database; the SMTP server (aiosmtpd)
runs here and answers as slowly as each test asks. A send cut short by the soft time limit is an attempt like any
other: counted, recorded, retried, and finally marked failed, never left pending to be sent again and again.
"""

import asyncio
import datetime
import os
import signal
import socket
import subprocess
import sys
import time
from uuid import uuid4

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import connection

from payments_api.common.tests.celery_worker import reset_broker_pools, wait_for
from payments_api.notifications.models import Notification, NotificationStatus
from payments_api.notifications.services import notification_deliver, notifications_relay
from payments_api.notifications.tasks import send_notification
from payments_api.payments.tests.factories import AnticipationFactory
from payments_api.requestlogs.models import RequestLog, RequestLogAction

pytestmark = [
    pytest.mark.postgresql,  # the worker process shares the test database
    pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs a broker shared with a worker process"),
    pytest.mark.django_db(transaction=True),
]

SOFT_TIME_LIMIT = 1.5  # given to each task in the message; kept by its retries
WORKER_START_TIMEOUT = 30


class SlowSMTP(SMTP):
    async def push(self, status):
        if status.startswith("220 ") and self.event_handler.banner_delay:
            await asyncio.sleep(self.event_handler.banner_delay)
        return await super().push(status)


class SlowMailServer:
    """Keeps the messages it accepted; waits `banner_delay` before greeting and `quit_delay` before saying bye."""

    def __init__(self):
        self.messages = []
        self.banner_delay = 0.0
        self.quit_delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        await asyncio.sleep(self.quit_delay)
        return "221 Bye"


class SlowController(Controller):
    def factory(self):
        return SlowSMTP(self.handler, **self.SMTP_kwargs)


@pytest.fixture(scope="module")
def slow_mail_server():
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = SlowMailServer()
    controller = SlowController(server, hostname="127.0.0.1", port=port)
    controller.start()
    yield server, port
    controller.stop()


@pytest.fixture(scope="module")
def prefork_worker(django_db_setup, django_db_blocker, slow_mail_server, tmp_path_factory):
    """`celery worker --pool prefork` on a queue of its own, sending to the slow server; yields the queue."""
    from payments_api.celery import app

    _, port = slow_mail_server
    queue = f"test-prefork-{uuid4().hex}"
    with django_db_blocker.unblock():
        database = connection.settings_dict
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "payments_api.settings",
        "DEBUG": "True",
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**database),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "False",
        "NOTIFICATION_MAX_ATTEMPTS": "2",
        "NOTIFICATION_RETRY_BACKOFF": "0",  # the retry is due at once
    }
    command = [sys.executable, "-m", "celery", "-A", "payments_api", "worker", "--pool", "prefork",
               "--concurrency", "1", "--queues", queue, "--hostname", f"{queue}@%h", "--without-gossip",
               "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"]  # fmt: skip
    with open(log, "w") as output:
        worker = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
    saved_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    reset_broker_pools()
    try:
        assert wait_for(lambda: " ready." in log.read_text(), WORKER_START_TIMEOUT), log.read_text()
        yield queue
    finally:
        worker.send_signal(signal.SIGQUIT)  # cold shutdown: the tests are over, nothing is left to finish
        worker.wait(timeout=30)
        with app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)
        app.conf.task_always_eager = saved_eager
        reset_broker_pools()


def pending_notification() -> Notification:
    anticipation = AnticipationFactory()
    log = RequestLog.objects.create(
        anticipation=anticipation, user=anticipation.payment.supplier.user, action=RequestLogAction.APPROVED
    )
    return Notification.objects.create(request_log=log, recipient="supplier@example.com", language="en")


def send(notification: Notification, queue: str) -> None:
    send_notification.apply_async(
        args=[notification.pk], queue=queue, soft_time_limit=SOFT_TIME_LIMIT, time_limit=SOFT_TIME_LIMIT + 10
    )


def settled(notification: Notification) -> bool:
    notification.refresh_from_db()
    return notification.status != NotificationStatus.PENDING


def test_a_send_cut_by_the_soft_time_limit_is_recorded_retried_then_marked_failed(prefork_worker, slow_mail_server):
    server, _ = slow_mail_server
    server.messages.clear()
    server.banner_delay = 3 * SOFT_TIME_LIMIT
    notification = pending_notification()

    send(notification, prefork_worker)

    assert wait_for(lambda: settled(notification), 20), (notification.attempts, notification.last_error)
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == 2
    assert notification.last_error.startswith("SoftTimeLimitExceeded")
    assert server.messages == []


def test_a_message_accepted_before_the_soft_time_limit_is_sent_once_though_the_goodbye_is_cut(
    prefork_worker, slow_mail_server
):
    server, _ = slow_mail_server
    server.messages.clear()
    server.banner_delay, server.quit_delay = 0.0, 3 * SOFT_TIME_LIMIT
    notification = pending_notification()

    send(notification, prefork_worker)

    assert wait_for(lambda: settled(notification), 20), (notification.attempts, notification.last_error)
    assert (notification.status, notification.attempts, notification.last_error) == (NotificationStatus.SENT, 1, "")
    time.sleep(1)  # and nothing more is sent
    assert len(server.messages) == 1


def test_while_the_mail_server_is_slow_neither_twins_nor_the_relay_send_a_second_copy(
    prefork_worker, slow_mail_server
):
    server, _ = slow_mail_server
    server.messages.clear()
    server.banner_delay, server.quit_delay = 1.0, 0.0  # a second per conversation, within the soft limit
    notification = pending_notification()

    send(notification, prefork_worker)
    assert wait_for(lambda: Notification.objects.get(pk=notification.pk).attempts == 1, 10)
    for _ in range(3):  # a redelivered message, a second beat, a relay run that came early
        send(notification, prefork_worker)
    assert notifications_relay(older_than=datetime.timedelta(0)) == 0
    assert notification_deliver(notification_id=notification.pk) is None

    assert wait_for(lambda: settled(notification), 20)
    time.sleep(2)  # the twins have run by now
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)
    assert len(server.messages) == 1
