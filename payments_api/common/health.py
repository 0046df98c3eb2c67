import logging

from django.conf import settings
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        logger.exception("Health check: database unreachable")
        return False


def broker_ok() -> bool:
    from payments_api.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # any transport error means the broker is not usable
        logger.exception("Health check: broker unreachable")
        return False


class HealthView(APIView):
    authentication_classes = []
    permission_classes = []
    # A load balancer polls from one address: a shared anonymous budget would report a healthy service as down.
    throttle_classes = []

    @extend_schema(
        summary="Service health",
        responses={
            200: inline_serializer("Health", {"status": serializers.CharField(), "checks": serializers.DictField()})
        },
    )
    def get(self, request):
        checks = {"database": "ok" if database_ok() else "unavailable"}
        if settings.CELERY_BROKER_URL:
            checks["broker"] = "ok" if broker_ok() else "unavailable"
        healthy = all(value == "ok" for value in checks.values())
        return Response(
            {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
        )
