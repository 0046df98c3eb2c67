from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from payments_api.common.admin import (
    CSVExportAdminMixin,
    LargeTableAdminMixin,
    OperatorAdminMixin,
    ReadOnlyAdminMixin,
    is_admin_operator,
)
from payments_api.notifications.models import Notification, NotificationStatus, NotificationTemplate
from payments_api.notifications.services import notification_message, notification_resend


@admin.register(Notification)
class NotificationAdmin(
    ReadOnlyAdminMixin, CSVExportAdminMixin, LargeTableAdminMixin, OperatorAdminMixin, admin.ModelAdmin
):
    operator_permissions = ("view",)
    list_display = (
        "id",
        "action",
        "actor",
        "recipient",
        "language",
        "status",
        "attempts",
        "next_attempt",
        "sent_at",
        "short_last_error",
    )
    list_select_related = ("request_log__user",)
    list_filter = ("status", "language")
    search_fields = ("recipient", "request_log__anticipation__payment__id")
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ("resend",)
    change_form_template = "admin/notifications/notification/change_form.html"

    @admin.display(description=_("for"), ordering="request_log")
    def action(self, notification: Notification) -> str:
        log = notification.request_log
        if notification.template == NotificationTemplate.ANTICIPATION_BATCH:
            count = len(notification.context.get("anticipations", []))
            return _("%(action)s anticipations #%(id)s and %(more)s more (a batch)") % {
                "action": log.get_action_display(),
                "id": log.anticipation_id,
                "more": count - 1,
            }
        return _("%(action)s anticipation #%(id)s") % {"action": log.get_action_display(), "id": log.anticipation_id}

    @admin.display(description=_("by"), ordering="request_log__user__email")
    def actor(self, notification: Notification) -> str:
        user = notification.request_log.user
        return user.email if user is not None else str(_("the programme (automatic approval)"))

    @admin.display(description=_("next attempt"), ordering="next_attempt_at")
    def next_attempt(self, notification: Notification):
        # Only a pending e-mail has one: a sent or failed one is not tried again on its own.
        return notification.next_attempt_at if notification.status == NotificationStatus.PENDING else None

    @admin.display(description=_("last error"))
    def short_last_error(self, notification: Notification) -> str:
        return Truncator(notification.last_error).chars(80)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.status != NotificationStatus.PENDING:
            fields = [field for field in fields if field != "next_attempt_at"]  # sent or failed: none is due
        return fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        notification = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if notification is not None:
            message = notification_message(notification=notification)
            extra_context["preview"] = {
                "subject": message.subject,
                "text": message.body,
                "html": next((content for content, mimetype in message.alternatives if mimetype == "text/html"), ""),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def has_resend_permission(self, request):
        return is_admin_operator(request.user)

    @admin.action(description=_("Re-send selected failed notifications"), permissions=["resend"])
    def resend(self, request, queryset):
        selected = len(queryset)
        failed = [notification for notification in queryset if notification.status == NotificationStatus.FAILED]
        for notification in failed:
            notification_resend(notification=notification)
        if failed:
            message = ngettext("%(count)s e-mail queued again.", "%(count)s e-mails queued again.", len(failed))
            self.message_user(request, message % {"count": len(failed)}, messages.SUCCESS)
        if skipped := selected - len(failed):
            message = ngettext(
                "%(count)s e-mail left alone: only failed ones are re-sent.",
                "%(count)s e-mails left alone: only failed ones are re-sent.",
                skipped,
            )
            self.message_user(request, message % {"count": skipped}, messages.WARNING)
