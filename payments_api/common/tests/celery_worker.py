"""A real Celery worker for tests, in a thread of the test process (so the locmem outbox is shared).

It consumes a queue unique to the test run, on the configured broker (RabbitMQ in CI) or on the in-memory
transport when none is configured; eager execution is off while it runs and the app's configuration is restored.
"""

import time
from uuid import uuid4

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish, task_prerun
from django.conf import settings
from django.core import mail
from django.db import OperationalError, connection

from payments_api.celery import app
from payments_api.common import outbox

DELIVERY_TIMEOUT = 15


def reset_broker_pools():
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
    reset_broker_pools()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], loglevel="WARNING"):
            yield queue
    finally:
        if settings.CELERY_BROKER_URL:
            with app.connection_for_write() as connection:
                connection.default_channel.queue_delete(queue)
        app.conf.update(saved)
        app.amqp.queues._consume_from = consume_from
        reset_broker_pools()


@pytest.fixture
def web_broker(worker_queue, monkeypatch):
    """Points the web side's publishing at another broker address; the worker keeps its own connection.

    Call the fixture's value with an address; with none, the broker is back: the real one, and a process that has
    not paused its publishing (as the worker running the relay has not).
    """
    working = app.conf.broker_url

    def point_to(url: str = working):
        monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads this variable before its own configuration
        app.conf.broker_url = url
        reset_broker_pools()
        if url == working:
            monkeypatch.setattr(outbox, "_publishing_paused_until", 0.0)

    yield point_to
    point_to()


@pytest.fixture
def broker_down(web_broker):
    """The web side publishes to a broker address where nothing listens. Calling the fixture's value brings it back."""
    web_broker("amqp://guest:guest@127.0.0.1:1//")
    return web_broker


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


def wait_for(condition, timeout: float = DELIVERY_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while not _holds(condition) and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def _holds(condition) -> bool:
    try:
        return condition()
    except OperationalError as error:
        # SQLite's in-memory test database is shared with the worker's thread under table locks, which SQLite does
        # not wait for: a read that meets the worker's write is tried again at the next poll.
        if connection.vendor == "sqlite" and "locked" in str(error):
            return False
        raise


def wait_for_mail(count: int, timeout: float = DELIVERY_TIMEOUT) -> list:
    wait_for(lambda: len(mail.outbox) >= count, timeout)
    return list(mail.outbox)
