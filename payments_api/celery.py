import os
import tempfile

# A worker that serves its metrics (WORKER_METRICS_PORT) adds up those of its pool's processes from files in this
# directory, which must be known before the first metric is made: before Django, or anything else, is loaded.
if os.environ.get("WORKER_METRICS_PORT") and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="payments-api-worker-metrics-")

from celery import Celery  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payments_api.settings")

app = Celery("payments_api")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from payments_api.common import task_observation  # noqa: E402,F401  (task outcomes counted, worker metrics served)
