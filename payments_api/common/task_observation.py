"""Celery tasks as the operators see them: each outcome counted, and a worker's metrics served on a port of its own.

A worker started with WORKER_METRICS_PORT serves GET /metrics there (same access rules as the web's: an address in
METRICS_ALLOWED_IPS or the METRICS_TOKEN bearer token), adding up the counters of all its pool's processes.
"""

import glob
import logging
import os
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from celery import signals
from prometheus_client import multiprocess

from payments_api.common.metrics import (
    CELERY_TASKS,
    METRICS_CONTENT_TYPE,
    metrics_access_refusal,
    metrics_exposition,
    multiprocess_dir,
)

logger = logging.getLogger(__name__)

REFUSALS = {401: "401 Unauthorized", 403: "403 Forbidden"}


@signals.task_success.connect(dispatch_uid="payments_api.task_succeeded")
def task_succeeded(sender=None, **kwargs):
    CELERY_TASKS.labels(task=sender.name, outcome="succeeded").inc()


@signals.task_failure.connect(dispatch_uid="payments_api.task_failed")
def task_failed(sender=None, **kwargs):
    CELERY_TASKS.labels(task=sender.name, outcome="failed").inc()


@signals.task_retry.connect(dispatch_uid="payments_api.task_retried")
def task_retried(sender=None, **kwargs):
    CELERY_TASKS.labels(task=sender.name, outcome="retried").inc()


def worker_metrics_app(environ, start_response):
    """The worker's GET /metrics, as a WSGI application."""
    refusal = metrics_access_refusal(
        remote_addr=environ.get("REMOTE_ADDR", ""),
        authorization=environ.get("HTTP_AUTHORIZATION", ""),
        forwarded="HTTP_X_FORWARDED_FOR" in environ,
    )
    if refusal is not None:
        start_response(REFUSALS[refusal], [("Content-Type", "text/plain; charset=utf-8")])
        return [b"Metrics are served to the addresses in METRICS_ALLOWED_IPS or with METRICS_TOKEN.\n"]
    if environ.get("PATH_INFO") != "/metrics":
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"Not found: the metrics are at /metrics.\n"]
    body = metrics_exposition(with_scrape_collectors=False)  # the outbox gauges are the web's to report
    start_response("200 OK", [("Content-Type", METRICS_CONTENT_TYPE), ("Content-Length", str(len(body)))])
    return [body]


class _MetricsServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        """A scrape every few seconds is not worth a log line."""


@signals.worker_init.connect(dispatch_uid="payments_api.worker_metrics_serve")
def worker_metrics_serve(sender=None, **kwargs):
    """Start the worker's metrics endpoint, once, in the worker's main process (before the pool forks)."""
    port = os.environ.get("WORKER_METRICS_PORT")
    if not port:
        return
    # Files left by an earlier run hold the counts of processes long gone: this worker starts from zero.
    for path in glob.glob(os.path.join(multiprocess_dir() or "", "*.db")):
        os.remove(path)
    address = os.environ.get("WORKER_METRICS_ADDR", "127.0.0.1")
    server = make_server(address, int(port), worker_metrics_app, _MetricsServer, _QuietHandler)
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    logger.info("Worker metrics served on http://%s:%s/metrics", address, server.server_port)


@signals.worker_process_shutdown.connect(dispatch_uid="payments_api.worker_process_dead")
def worker_process_dead(pid=None, **kwargs):
    """A pool process that exits leaves its counters (they only grow) but no live gauge."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid or os.getpid())
