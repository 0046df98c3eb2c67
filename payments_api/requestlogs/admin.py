from django.contrib import admin

from payments_api.common.admin import CSVExportAdminMixin, LargeTableAdminMixin, OperatorAdminMixin, ReadOnlyAdminMixin
from payments_api.requestlogs.models import RequestLog


@admin.register(RequestLog)
class RequestLogAdmin(
    ReadOnlyAdminMixin, CSVExportAdminMixin, LargeTableAdminMixin, OperatorAdminMixin, admin.ModelAdmin
):
    """The audit trail is read-only: nothing is added, changed or deleted here."""

    operator_permissions = ("view",)

    list_display = ("id", "anticipation", "action", "user", "created_at")
    list_filter = ("action",)
    search_fields = ("anticipation__id", "user__email")
    list_select_related = ("user", "anticipation")
