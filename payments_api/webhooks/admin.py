from django import forms
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
from payments_api.common.exceptions import DomainError
from payments_api.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEventType
from payments_api.webhooks.services import (
    webhook_deliveries_replay,
    webhook_endpoint_create,
    webhook_endpoint_replay_failed,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
    webhook_url_check,
)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "events", "enabled")

    def clean_url(self):
        url = self.cleaned_data["url"]
        if self.instance.pk is None or url != self.instance.url:
            try:
                webhook_url_check(url=url)
            except DomainError as exc:
                raise forms.ValidationError(exc.detail) from exc
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CSVExportAdminMixin, OperatorAdminMixin, admin.ModelAdmin):
    operator_permissions = ("view", "add", "change", "delete")
    form = WebhookEndpointForm
    list_display = ("id", "url", "events_list", "enabled", "needs_attention", "disabled_reason", "failing_since")
    list_filter = ("enabled",)
    search_fields = ("url", "description")
    readonly_fields = (
        "disabled_reason",
        "disabled_at",
        "failing_since",
        "previous_secret_expires_at",
        "created_at",
        "updated_at",
    )
    actions = ("rotate_secret", "replay_failed")

    @admin.display(description=_("events"))
    def events_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    @admin.display(boolean=True, description=_("needs attention"))
    def needs_attention(self, endpoint: WebhookEndpoint) -> bool:
        return endpoint.needs_attention

    def save_model(self, request, obj, form, change):
        """Through the same services as the API; a new endpoint's secret is shown once, here."""
        data = form.cleaned_data
        if not change:
            endpoint = webhook_endpoint_create(url=data["url"], events=data["events"], description=data["description"])
            if not data.get("enabled", True):
                endpoint = webhook_endpoint_update(endpoint=endpoint, enabled=False)
            obj.pk = endpoint.pk
            self.message_user(
                request, f"The endpoint's signing secret, shown only now: {endpoint.secret}", messages.WARNING
            )
            return
        webhook_endpoint_update(
            endpoint=obj,
            url=data["url"],
            events=data["events"],
            description=data["description"],
            enabled=data["enabled"],
        )

    def has_rotate_permission(self, request):
        return is_admin_operator(request.user) or request.user.is_superuser

    @admin.action(description=_("Rotate the secret of the selected endpoints"), permissions=["rotate"])
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            endpoint = webhook_endpoint_rotate_secret(endpoint=endpoint)
            self.message_user(
                request,
                _("New signing secret of %(endpoint)s, shown only now: %(secret)s")
                % {"endpoint": endpoint, "secret": endpoint.secret},
                messages.WARNING,
            )

    @admin.action(description=_("Replay the failed deliveries of the selected endpoints"), permissions=["rotate"])
    def replay_failed(self, request, queryset):
        replayed = sum(webhook_endpoint_replay_failed(endpoint=endpoint) for endpoint in queryset)
        message = ngettext(
            "%(count)s failed delivery queued again.", "%(count)s failed deliveries queued again.", replayed
        )
        self.message_user(request, message % {"count": replayed}, messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(
    ReadOnlyAdminMixin, CSVExportAdminMixin, LargeTableAdminMixin, OperatorAdminMixin, admin.ModelAdmin
):
    operator_permissions = ("view",)
    list_display = (
        "id",
        "endpoint",
        "event_type",
        "message_id",
        "status",
        "attempts",
        "response_status",
        "short_response_body",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", "event_type")
    list_select_related = ("endpoint",)
    search_fields = ("message_id", "endpoint__url")
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ("replay",)

    @admin.display(description=_("response"))
    def short_response_body(self, delivery: WebhookDelivery) -> str:
        return Truncator(delivery.response_body or delivery.last_error).chars(80)

    def has_replay_permission(self, request):
        return is_admin_operator(request.user) or request.user.is_superuser

    @admin.action(description=_("Replay the selected failed deliveries (same webhook-id)"), permissions=["replay"])
    def replay(self, request, queryset):
        selected = len(queryset)
        replayed = webhook_deliveries_replay(deliveries=queryset)
        if replayed:
            message = ngettext("%(count)s delivery queued again.", "%(count)s deliveries queued again.", replayed)
            self.message_user(request, message % {"count": replayed}, messages.SUCCESS)
        if skipped := selected - replayed:
            message = ngettext(
                "%(count)s delivery left alone: only failed ones are replayed.",
                "%(count)s deliveries left alone: only failed ones are replayed.",
                skipped,
            )
            self.message_user(request, message % {"count": skipped}, messages.WARNING)
