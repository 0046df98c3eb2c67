"""Celery task outcomes: counted in the process that runs them, and served by a real prefork worker on its own
metrics port (WORKER_METRICS_PORT), added up across its pool's processes, with its log lines in JSON with task ids."""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from uuid import uuid4

import pytest
from django.conf import settings
from django.db import connection

from payments_api.common.tests.celery_worker import reset_broker_pools, wait_for
from payments_api.common.tests.metrics import parse_samples, scrape, value
from payments_api.common.tests.test_metrics_gunicorn import free_port
from payments_api.idempotency.tasks import purge_idempotency_keys

TASKS = "payments_api_celery_tasks_total"
PURGE = "payments_api.idempotency.tasks.purge_idempotency_keys"
SEND = "payments_api.notifications.tasks.send_notification"
METRICS_TOKEN = "worker-metrics-token"


def test_a_task_run_by_a_worker_is_counted_by_outcome(worker_queue, transactional_db):
    before = value(scrape(), TASKS, task=PURGE, outcome="succeeded")

    purge_idempotency_keys.delay()

    assert wait_for(lambda: value(scrape(), TASKS, task=PURGE, outcome="succeeded") == before + 1)


@pytest.fixture
def prefork_worker(transactional_db, tmp_path):
    """`celery worker` as deployed with WORKER_METRICS_PORT: two pool processes, each replaced after one task."""
    from payments_api.celery import app

    queue, port = f"test-metrics-{uuid4().hex}", free_port()
    log = tmp_path / "worker.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "payments_api.settings",
        "SECRET_KEY": "worker-test-secret-key-long-enough-for-hs256-signing",
        "DEBUG": "False",
        "LOG_FORMAT": "json",
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "WORKER_METRICS_PORT": str(port),
        "METRICS_ALLOWED_IPS": "10.0.0.0/8",  # not loopback: the test scrapes with the token
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "celery", "-A", "payments_api", "worker", "--pool", "prefork",
               "--concurrency", "2", "--max-tasks-per-child", "1", "--queues", queue, "--hostname", f"{queue}@%h",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"]  # fmt: skip
    with open(log, "w") as output:
        worker = subprocess.Popen(command, cwd=settings.BASE_DIR, env=environment, stdout=output, stderr=output)
    saved_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    reset_broker_pools()
    try:
        assert wait_for(lambda: " ready." in log.read_text(), 30), log.read_text()
        yield {"queue": queue, "port": port, "log": log}
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        with app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)
        app.conf.task_always_eager = saved_eager
        reset_broker_pools()


def worker_metrics(port: int, token: str | None = METRICS_TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310: the test's own loopback worker
        return parse_samples(response.read().decode())


@pytest.mark.postgresql  # the worker process shares the test database
@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs a broker shared with a worker process")
def test_a_prefork_worker_serves_the_task_outcomes_of_all_its_pool_processes(prefork_worker):
    from payments_api.celery import app

    succeeded = [app.send_task(PURGE, queue=prefork_worker["queue"]).id for _ in range(4)]
    failed = app.send_task(SEND, args=["not-a-notification-id"], queue=prefork_worker["queue"]).id

    def outcomes():
        samples = worker_metrics(prefork_worker["port"])
        return (
            value(samples, TASKS, task=PURGE, outcome="succeeded"),
            value(samples, TASKS, task=SEND, outcome="failed"),
        )

    assert wait_for(lambda: outcomes() == (4, 1), 30), (outcomes(), prefork_worker["log"].read_text())
    with pytest.raises(urllib.error.HTTPError) as refused:
        worker_metrics(prefork_worker["port"], token=None)  # loopback is not among the allowed addresses
    assert refused.value.code == 403
    with pytest.raises(urllib.error.HTTPError) as refused:
        worker_metrics(prefork_worker["port"], token="wrong")
    assert refused.value.code == 401
    lines = [json.loads(line) for line in prefork_worker["log"].read_text().splitlines() if line.startswith("{")]
    traced = {line["task_id"]: line for line in lines if line["logger"] == "celery.app.trace"}
    assert set(traced) == {*succeeded, failed}  # each task's outcome line names it
    assert traced[failed]["level"] == "ERROR" and "exception" in traced[failed]
    assert len({traced[task_id]["pid"] for task_id in succeeded}) == 4  # a process of its own for each task
