"""Prometheus metrics: the ones every request and task moves, the scrape itself, and who may scrape.

Under gunicorn (and a Celery worker with WORKER_METRICS_PORT) PROMETHEUS_MULTIPROC_DIR is set before this module is
imported: every process then writes its counters to files there, and a scrape, served by any one process, adds up
the files of all (docs/operations.md). Without it (runserver, the tests) the counters live in this process.

Apps add what only a scrape can know (the outbox's backlog, read from the database) with scrape_collector_register()
in their AppConfig.ready(); the services that do a domain action count it themselves (payments/metrics.py).
"""

import functools
import hmac
import ipaddress
import logging
import os
from collections.abc import Callable, Iterable

from django.conf import settings
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from payments_api.common.outbox import Backlog

logger = logging.getLogger(__name__)

NAMESPACE = "payments_api"

HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by URL pattern, method and status; its _count is the number of requests.",
    ["route", "method", "status"],
    namespace=NAMESPACE,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DB_QUERIES = Counter(
    "db_queries",
    "Database queries run while answering requests, by URL pattern.",
    ["route"],
    namespace=NAMESPACE,
)
THROTTLED_REQUESTS = Counter(
    "throttled_requests",
    "Requests refused with 429 for exceeding a rate, by rate (anon, user, login_ip, login_email).",
    ["scope"],
    namespace=NAMESPACE,
)
LOGIN_FAILURES = Counter(
    "login_failures",
    "Logins refused for a wrong e-mail or password (POST /api/token/, the admin's login form), by URL pattern.",
    ["route"],
    namespace=NAMESPACE,
)
CELERY_TASKS = Counter(
    "celery_tasks",
    "Celery tasks run, by task name and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
    namespace=NAMESPACE,
)

ScrapeCollector = Callable[[], Iterable[Metric]]
_scrape_collectors: list[ScrapeCollector] = []


class _ScrapeCollectors(Collector):
    def collect(self) -> Iterable[Metric]:
        failed = GaugeMetricFamily(
            f"{NAMESPACE}_scrape_collector_failed",
            "1 when a scrape-time reading (the outbox from the database, say) failed and is missing from this scrape.",
            labels=["collector"],
        )
        for collector in _scrape_collectors:
            name = f"{collector.__module__}.{collector.__qualname__}"
            try:
                metrics = list(collector())
            except Exception:  # the database down, say: the process counters must still be served
                logger.warning("Metrics: %s failed", name, exc_info=True)
                failed.add_metric([name], 1.0)
                continue
            failed.add_metric([name], 0.0)
            yield from metrics
        yield failed


def scrape_collector_register(collector: ScrapeCollector) -> None:
    """Have each scrape of /metrics call `collector` for metrics read at that moment (a database count, say)."""
    if collector not in _scrape_collectors:
        _scrape_collectors.append(collector)


def outbox_backlog_metrics(*, name: str, rows: str, oldest: str, backlog: Backlog) -> Iterable[Metric]:
    """An outbox's gauges: `<name>{status="pending"|"failed"}` (help text `rows`) and `<name>_oldest_pending_seconds`
    (help text `oldest`)."""
    by_status = GaugeMetricFamily(f"{NAMESPACE}_{name}", rows, labels=["status"])
    by_status.add_metric(["pending"], backlog["pending"])
    by_status.add_metric(["failed"], backlog["failed"])
    yield by_status
    yield GaugeMetricFamily(
        f"{NAMESPACE}_{name}_oldest_pending_seconds", oldest, value=backlog["oldest_pending_seconds"]
    )


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def process_metrics_registry() -> CollectorRegistry:
    """The counters of this process, or of every process sharing PROMETHEUS_MULTIPROC_DIR."""
    if multiprocess_dir() is None:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


def metrics_exposition(*, with_scrape_collectors: bool = True) -> bytes:
    """The text a scrape returns: the process counters, then what the apps read at scrape time."""
    text = generate_latest(process_metrics_registry())
    if with_scrape_collectors:
        scraped = CollectorRegistry(auto_describe=False)
        scraped.register(_ScrapeCollectors())
        text += generate_latest(scraped)
    return text


METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST


def metrics_access_refusal(*, remote_addr: str, authorization: str, forwarded: bool) -> int | None:
    """None when the scrape may be answered, else the status to refuse it with (401 wrong token, 403 otherwise).

    A METRICS_TOKEN bearer token is accepted from anywhere. Otherwise the connection's address must be in
    METRICS_ALLOWED_IPS, and the request must not have come through a proxy (X-Forwarded-For): a proxy on the same
    host would otherwise lend its loopback address to anyone on the internet.
    """
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        expected = settings.METRICS_TOKEN
        if expected and hmac.compare_digest(token.strip().encode(), expected.encode()):
            return None
        return 401
    if not forwarded and address_allowed(remote_addr, settings.METRICS_ALLOWED_IPS):
        return None
    return 403


def address_allowed(address: str, allowed: Iterable[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:10.1.2.3, as a dual-stack socket reports an IPv4 client
    return any(ip in network for network in allowed_networks(tuple(allowed)))


@functools.lru_cache(maxsize=8)
def allowed_networks(allowed: tuple[str, ...]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in allowed if entry.strip()]


HEALTH_STATUSES = ("ok", "degraded", "unavailable")


def health_metrics() -> Iterable[Metric]:
    """What GET /health/ answers, as gauges: asked of the view routed there, so the two never disagree."""
    from django.http import HttpRequest
    from django.urls import resolve

    request = HttpRequest()
    request.method, request.path = "GET", "/health/"
    request.META = {"REQUEST_METHOD": "GET", "SERVER_NAME": "metrics", "SERVER_PORT": "80"}
    report = resolve("/health/").func(request).data
    status = GaugeMetricFamily(
        f"{NAMESPACE}_health_status",
        "1 for the status /health/ reports (ok, degraded, unavailable), 0 for the others.",
        labels=["status"],
    )
    for name in HEALTH_STATUSES:
        status.add_metric([name], 1.0 if report.get("status") == name else 0.0)
    yield status
    checks = GaugeMetricFamily(
        f"{NAMESPACE}_health_check_ok",
        "1 when a dependency /health/ checks (database, broker ...) answers, else 0.",
        labels=["check"],
    )
    for name, result in sorted((report.get("checks") or {}).items()):
        state = result.get("status") if isinstance(result, dict) else result
        checks.add_metric([name], 1.0 if state == "ok" else 0.0)
    yield checks
