from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from payments_api.common.admin import (
    CSVExportAdminMixin,
    LargeTableAdminMixin,
    OperatorAdminMixin,
    ReadOnlyAdminMixin,
    is_admin_operator,
)
from payments_api.common.exceptions import DomainError
from payments_api.payments.models import Anticipation, Decision, Payment, PaymentStatus
from payments_api.payments.services import anticipation_decide, payment_create, payment_validate


class PaymentStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return PaymentStatus.choices

    def queryset(self, request, queryset):
        status = self.value()
        if status is not None and status in PaymentStatus.values:
            return queryset.filter(PaymentStatus.conditions(today=timezone.localdate())[status])
        return queryset


class PaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ("supplier", "external_id", "due_date", "value")

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        # The day the form is judged on is the day the payment is created on, even if it is saved after midnight.
        self.today = timezone.localdate()
        if cleaned.get("due_date") and cleaned.get("value") is not None:
            try:
                payment_validate(
                    due_date=cleaned["due_date"],
                    value=cleaned["value"],
                    external_id=cleaned.get("external_id"),
                    today=self.today,
                )
            except DomainError as exc:
                raise ValidationError({getattr(exc, "field", None) or "__all__": exc.detail}) from exc
        return cleaned


@admin.register(Payment)
class PaymentAdmin(
    ReadOnlyAdminMixin, CSVExportAdminMixin, LargeTableAdminMixin, OperatorAdminMixin, admin.ModelAdmin
):
    """Payments are created here; once created they are history and only viewed."""

    operator_permissions = ("view",)

    form = PaymentForm
    list_display = ("id", "supplier", "external_id", "creation_date", "due_date", "value", "status")
    list_filter = (PaymentStatusFilter, "due_date")
    search_fields = ("id", "external_id", "supplier__corporate_name", "supplier__reg_number")
    list_select_related = ("supplier",)
    autocomplete_fields = ("supplier",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(anticipation_status=F("anticipation__status"))

    @admin.display(description="status")
    def status(self, payment):
        return payment.status_on(timezone.localdate()).label

    def has_add_permission(self, request):
        # As in the API: whoever is neither a supplier nor an operator creates no payment, superusers included.
        return is_admin_operator(request.user)

    def save_model(self, request, obj, form, change):
        fields = {field: form.cleaned_data[field] for field in ("supplier", "external_id", "due_date", "value")}
        created = payment_create(**fields, today=form.today)
        obj.pk, obj.creation_date, obj.value = created.pk, created.creation_date, created.value


@admin.register(Anticipation)
class AnticipationAdmin(
    ReadOnlyAdminMixin, CSVExportAdminMixin, LargeTableAdminMixin, OperatorAdminMixin, admin.ModelAdmin
):
    operator_permissions = ("view",)
    list_display = (
        "id",
        "payment",
        "creation_date",
        "new_due_date",
        "new_value",
        "monthly_rate",
        "priced_with",
        "status",
        "update_date",
    )
    list_filter = ("status", "new_due_date")
    search_fields = ("id", "payment__id", "payment__supplier__corporate_name")
    list_select_related = ("payment",)
    actions = ("approve", "deny")

    @admin.display(description="programme version", ordering="programme_version")
    def priced_with(self, anticipation):
        return anticipation.programme_version_id  # the number, without a query per row

    def has_decide_permission(self, request):
        # The service refuses anyone else; the actions are not even offered to them.
        return is_admin_operator(request.user)

    def _decide(self, request, queryset, decision: Decision):
        decided = 0
        for anticipation in queryset:
            try:
                anticipation_decide(anticipation=anticipation, decision=decision, decided_by=request.user)
                decided += 1
            except DomainError as exc:
                self.message_user(request, f"Anticipation #{anticipation.pk}: {exc.detail}", messages.ERROR)
        if decided:
            self.message_user(request, f"{decided} anticipation(s) {decision.label.lower()}.", messages.SUCCESS)

    @admin.action(description="Approve selected anticipations", permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, Decision.APPROVED)

    @admin.action(description="Deny selected anticipations", permissions=["decide"])
    def deny(self, request, queryset):
        self._decide(request, queryset, Decision.DENIED)
