from django.contrib import admin, messages
from django.utils.text import Truncator

from payments_api.common.admin import (
    CSVExportAdminMixin,
    LargeTableAdminMixin,
    OperatorAdminMixin,
    ReadOnlyAdminMixin,
    is_admin_operator,
)
from payments_api.notifications.models import Notification, NotificationStatus
from payments_api.notifications.services import notification_resend


@admin.register(Notification)
class NotificationAdmin(
    ReadOnlyAdminMixin, CSVExportAdminMixin, LargeTableAdminMixin, OperatorAdminMixin, admin.ModelAdmin
):
    operator_permissions = ("view",)
    list_display = (
        "id",
        "request_log",
        "recipient",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_last_error",
    )
    list_filter = ("status", "language")
    search_fields = ("recipient", "request_log__anticipation__payment__id")
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ("resend",)

    @admin.display(description="last error")
    def short_last_error(self, notification: Notification) -> str:
        return Truncator(notification.last_error).chars(80)

    def has_resend_permission(self, request):
        return is_admin_operator(request.user)

    @admin.action(description="Re-send selected failed notifications", permissions=["resend"])
    def resend(self, request, queryset):
        selected = len(queryset)
        failed = [notification for notification in queryset if notification.status == NotificationStatus.FAILED]
        for notification in failed:
            notification_resend(notification=notification)
        if failed:
            self.message_user(request, f"{len(failed)} notification(s) queued again.", messages.SUCCESS)
        if skipped := selected - len(failed):
            self.message_user(
                request, f"{skipped} notification(s) left alone: only failed ones are re-sent.", messages.WARNING
            )
