"""gunicorn settings; each can be overridden from the environment (WEB_CONCURRENCY, GUNICORN_THREADS ...).

Two single-threaded (sync) workers per core: measured on the 2-core bench machine (docs/performance.md), threads
added no throughput and doubled p99 (they take turns on one interpreter lock), and a few more processes than cores
keep the cores busy while requests wait on PostgreSQL and Redis. Sync workers expect a proxy or load balancer in
front that buffers slow clients, as every deployment of this service has.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
