from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from payments_api.common.csv_export import CSVListMixin
from payments_api.common.filters import ListFilterBackend
from payments_api.common.replicas import ReplicaReadsMixin
from payments_api.requestlogs.filters import RequestLogFilter
from payments_api.requestlogs.models import RequestLog
from payments_api.requestlogs.selectors import request_logs_count, request_logs_visible_to
from payments_api.requestlogs.serializers import RequestLogSerializer
from payments_api.users.permissions import caller


@extend_schema_view(
    list=extend_schema(summary="List request logs"), retrieve=extend_schema(summary="Retrieve a request log")
)
class RequestLogViewSet(
    ReplicaReadsMixin, CSVListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = RequestLogSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends = [ListFilterBackend]
    list_filters: dict[str, Any]  # the validated filters, set by ListFilterBackend
    filterset_class = RequestLogFilter
    csv_filename = "logs.csv"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RequestLog.objects.none()
        return request_logs_visible_to(user=caller(self.request))

    def list_count(self, queryset):
        return request_logs_count(user=caller(self.request), **self.list_filters)
