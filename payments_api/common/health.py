import logging
import threading
import time
from typing import TypedDict

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from payments_api.common.replicas import replicas_health

logger = logging.getLogger(__name__)

# Probes come every few seconds from each load balancer; one broker connection per this many seconds is enough.
BROKER_CHECK_SECONDS = 5.0
# A broker that does not answer costs a probe this long at most, well within a load balancer's probe timeout.
BROKER_CONNECT_TIMEOUT = 1.0


class _BrokerCheck(TypedDict):
    ok: bool
    checked_at: float | None  # time.monotonic()


_broker_check: _BrokerCheck = {"ok": False, "checked_at": None}
_broker_check_lock = threading.Lock()


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        logger.exception("Health check: database unreachable")
        return False


def cache_ok() -> bool | None:
    """Whether Redis answers (None when the cache is not Redis). While it does not, requests are still served
    (common/cache.py), so the service is degraded rather than down."""
    ping = getattr(cache, "ping", None)
    return None if ping is None else ping()


def broker_ok() -> bool:
    from payments_api.celery import app

    try:
        with app.connection_for_write(connect_timeout=BROKER_CONNECT_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=0)  # one attempt, bounded by connect_timeout
        return True
    except Exception:  # any transport error means the broker is not usable
        logger.warning("Health check: broker unreachable", exc_info=True)
        return False


def broker_ok_recently() -> bool:
    """broker_ok(), asked at most once every BROKER_CHECK_SECONDS per process."""
    with _broker_check_lock:
        checked_at = _broker_check["checked_at"]
        if checked_at is None or time.monotonic() - checked_at >= BROKER_CHECK_SECONDS:
            _broker_check["ok"] = broker_ok()
            _broker_check["checked_at"] = time.monotonic()
        return _broker_check["ok"]


HEALTH = inline_serializer("Health", {"status": serializers.CharField(), "checks": serializers.DictField()})


class HealthView(APIView):
    """200 while the database answers: "ok", or "degraded" when the broker, the cache (Redis) or a replica is down,
    since requests still succeed (e-mails wait in the outbox; the throttling counters are kept per process and users
    read from the database; reads go to the primary). 503 when the database is down: this instance cannot serve
    requests."""

    authentication_classes = []
    permission_classes = []
    # A load balancer polls from one address: a shared anonymous budget would report a healthy service as down.
    throttle_classes = []

    @extend_schema(summary="Service health", responses={200: HEALTH, 503: HEALTH})
    def get(self, request):
        checks = {"database": "ok" if database_ok() else "unavailable"}
        if (cache_up := cache_ok()) is not None:
            checks["cache"] = "ok" if cache_up else "unavailable"
        if settings.CELERY_BROKER_URL:
            checks["broker"] = "ok" if broker_ok_recently() else "unavailable"
        # Each replica, by its alias (replica1 ...): while one is unavailable its reads go to another or the primary.
        for alias, fit in replicas_health().items():
            checks[alias] = "ok" if fit else "unavailable"
        if checks["database"] != "ok":
            return Response({"status": "unavailable", "checks": checks}, status=503)
        degraded = any(value != "ok" for value in checks.values())
        return Response({"status": "degraded" if degraded else "ok", "checks": checks}, status=200)
