"""gunicorn settings; each can be overridden from the environment (WEB_CONCURRENCY, GUNICORN_THREADS ...).

Two single-threaded (sync) workers per core: measured on the 2-core bench machine (docs/performance.md), threads
added no throughput and doubled p99 (they take turns on one interpreter lock), and a few more processes than cores
keep the cores busy while requests wait on PostgreSQL and Redis. Sync workers expect a proxy or load balancer in
front that buffers slow clients, as every deployment of this service has.

Metrics (docs/operations.md): every worker writes its counters to files in PROMETHEUS_MULTIPROC_DIR, and /metrics,
answered by any one worker, adds up all of them. The directory is set here, before a worker imports the service:
a fresh temporary one, or the one given in the environment, emptied at start.
"""

import glob
import os
import shutil
import tempfile

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# The service writes one line per request itself (with its id, route and query count: docs/operations.md).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicornc's control socket: off unless given a path. Its default is one path per user ($XDG_RUNTIME_DIR or
# ~/.gunicorn), which two gunicorns of one user on one machine would take from each other.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

METRICS_DIR_PREFIX = "payments-api-metrics-"
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=METRICS_DIR_PREFIX)


def on_starting(server):
    # Files of an earlier run hold the counts of processes long gone: the counters start from zero with the server.
    for path in glob.glob(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "*.db")):
        os.remove(path)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    # A dead worker's counters stay in the sums (they only grow); its live gauges go.
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    if os.path.basename(directory).startswith(METRICS_DIR_PREFIX):  # the temporary one made above
        shutil.rmtree(directory, ignore_errors=True)
