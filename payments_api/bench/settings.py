"""Production settings plus the bench-only URLs and the per-request query counter."""

from payments_api.settings import *  # noqa: F401,F403
from payments_api.settings import MIDDLEWARE

ROOT_URLCONF = "payments_api.bench.urls"
MIDDLEWARE = ["payments_api.bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
# Tasks published by the write benchmarks go to a queue of their own, deleted when the run ends.
CELERY_TASK_DEFAULT_QUEUE = "bench"
