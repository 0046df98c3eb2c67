from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
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
from payments_api.common.formatting import format_money, format_percent
from payments_api.notifications.models import Notification
from payments_api.payments.imports import payables_import, payables_import_confirm
from payments_api.payments.models import (
    Anticipation,
    AnticipationStatus,
    Decision,
    PayablesImport,
    PayablesImportStatus,
    Payment,
    PaymentStatus,
)
from payments_api.payments.services import (
    anticipation_decide,
    payment_create,
    payment_validate,
    payment_value_validate,
)
from payments_api.programme.selectors import programme_current
from payments_api.users.cnpj import format_cnpj, normalize_cnpj

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PaymentStatusFilter(admin.SimpleListFilter):
    title = _("status")
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
        value, due_date = cleaned.get("value"), cleaned.get("due_date")
        checks = []
        if value is not None:
            # The value on its own first, so it is said on its field, in words, whatever the due date holds: left to
            # the database's check, a bad value would come back as "Constraint payment_value_range is violated".
            checks.append(lambda: payment_value_validate(value=value))
            if due_date:
                checks.append(
                    lambda: payment_validate(
                        due_date=due_date, value=value, external_id=cleaned.get("external_id"), today=self.today
                    )
                )
        errors: dict[str, StrOrPromise] = {}
        for check in checks:
            try:
                check()
            except DomainError as exc:
                errors.setdefault(getattr(exc, "field", None) or "__all__", exc.detail)
        if errors:
            raise ValidationError(errors)
        return cleaned


@admin.register(Payment)
class PaymentAdmin(
    ReadOnlyAdminMixin, CSVExportAdminMixin, LargeTableAdminMixin, OperatorAdminMixin, admin.ModelAdmin
):
    """Payments are created here; once created they are history and only viewed."""

    operator_permissions = ("view",)

    form = PaymentForm
    list_display = (
        "id", "supplier", "external_id", "creation_date", "due_date", "value_display", "status", "created_by"
    )
    # The spreadsheet gets the values themselves (the API's), not the list's formatted text.
    csv_export_fields = ("id", "supplier", "external_id", "creation_date", "due_date", "value", "status", "created_by")
    list_filter = (PaymentStatusFilter, "due_date")
    search_fields = ("id", "external_id", "supplier__corporate_name", "supplier__reg_number")
    list_select_related = ("supplier", "created_by")
    readonly_fields = ("created_by",)
    autocomplete_fields = ("supplier",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(anticipation_status=F("anticipation__status"))

    @admin.display(description=_("status"))
    def status(self, payment):
        return payment.status_on(timezone.localdate()).label

    @admin.display(description=_("value"), ordering="value")
    def value_display(self, payment: Payment) -> str:
        return format_money(payment.value)

    def has_add_permission(self, request):
        # As in the API: whoever is neither a supplier nor an operator creates no payment, superusers included.
        return is_admin_operator(request.user)

    def save_model(self, request, obj, form, change):
        fields = {field: form.cleaned_data[field] for field in ("supplier", "external_id", "due_date", "value")}
        created = payment_create(**fields, created_by=request.user, today=form.today)
        obj.pk, obj.creation_date, obj.value = created.pk, created.creation_date, created.value


class AnticipationQueueFilter(admin.SimpleListFilter):
    """The status filter, on pending until another status (or all) is chosen: the list opens as the queue."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*AnticipationStatus.choices, (self.ALL, _("All"))]

    def value(self):
        return super().value() or AnticipationStatus.PENDING_CONFIRMATION

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() in AnticipationStatus.values:
            return queryset.filter(status=self.value())
        return queryset


def queue_totals(queryset) -> dict:
    """How many anticipations `queryset` holds and their face and new values (the list's and a confirmation's)."""
    return queryset.order_by().aggregate(
        count=Count("pk"),
        value=Coalesce(Sum("payment__value"), Decimal("0.00")),
        new_value=Coalesce(Sum("new_value"), Decimal("0.00")),
    )


# What an anticipation's page shows of its price.
TERMS = (
    "payment_value",
    "due_date",
    "new_due_date",
    "new_value_display",
    "discount_display",
    "days_early_display",
    "apr_display",
    "monthly_rate",
    "priced_with",
)


@admin.register(Anticipation)
class AnticipationAdmin(
    ReadOnlyAdminMixin, CSVExportAdminMixin, LargeTableAdminMixin, OperatorAdminMixin, admin.ModelAdmin
):
    """The operators' queue: pending first and oldest first, decided with the same service as the API."""

    operator_permissions = ("view",)
    list_display = (
        "id",
        "supplier",
        "payment_value",
        "new_value_display",
        "discount_days_display",
        "apr_display",
        "new_due_date",
        "waiting_since",
    )
    list_filter = (AnticipationQueueFilter, "new_due_date")
    search_fields = (
        "=id",
        "=payment__id",
        "payment__external_id",
        "payment__supplier__corporate_name",
        "payment__supplier__user__email",
    )
    search_help_text = _(
        "Anticipation or payment id, invoice number, supplier name, CNPJ (with or without punctuation), e-mail."
    )
    list_select_related = ("payment__supplier",)
    # Oldest first: the queue is worked from the request that has waited longest.
    ordering = ("pk",)
    change_list_template = "admin/payments/anticipation/change_list.html"
    # The spreadsheet gets the values themselves (the API's), not the list's formatted text.
    csv_export_fields = (
        "id",
        "csv_payment",
        "csv_corporate_name",
        "csv_cnpj",
        "csv_value",
        "new_value",
        "csv_discount",
        "csv_days_early",
        "csv_apr",
        "monthly_rate",
        "priced_with",
        "csv_due_date",
        "new_due_date",
        "creation_date",
        "status",
        "update_date",
    )
    actions = ("approve", "deny")
    fieldsets = (
        (
            None,
            {"fields": ("status", "first_approval", "supplier", "payment_link", "creation_date", "update_date")},
        ),
        (_("Terms"), {"fields": TERMS}),
    )
    # The page shows the anticipation; it is changed only by a decision.
    readonly_fields = (
        "status", "first_approval", "supplier", "payment_link", "creation_date", "update_date", *TERMS
    )

    def has_decide_permission(self, request):
        # The service refuses anyone else; the actions and buttons are not even offered to them.
        return is_admin_operator(request.user)

    # --- columns -------------------------------------------------------------------------------------------------

    @admin.display(description=_("supplier"), ordering="payment__supplier__corporate_name")
    def supplier(self, anticipation: Anticipation):
        supplier = anticipation.payment.supplier
        return format_html(
            '{}<br><span class="quiet">{}</span>', supplier.corporate_name, format_cnpj(supplier.reg_number)
        )

    @admin.display(description=_("first approval"))
    def first_approval(self, anticipation: Anticipation):
        """Of the two approvals a large anticipation needs (the programme's dual_approval_min_value)."""
        if anticipation.first_approved_by_id is None:
            return "–"
        at = date_format(timezone.localtime(anticipation.first_approved_at), "DATETIME_FORMAT")
        return _("%(user)s, %(at)s") % {"user": anticipation.first_approved_by, "at": at}

    @admin.display(description=_("payment"))
    def payment_link(self, anticipation: Anticipation):
        url = reverse("admin:payments_payment_change", args=[anticipation.payment_id])
        return format_html('<a href="{}">{}</a>', url, _("Payment #%(id)s") % {"id": anticipation.payment_id})

    @admin.display(description=_("payment value"), ordering="payment__value")
    def payment_value(self, anticipation: Anticipation) -> str:
        return format_money(anticipation.payment.value)

    @admin.display(description=_("due date"), ordering="payment__due_date")
    def due_date(self, anticipation: Anticipation):
        return anticipation.payment.due_date

    @admin.display(description=_("new value"), ordering="new_value")
    def new_value_display(self, anticipation: Anticipation) -> str:
        return format_money(anticipation.new_value)

    @admin.display(description=_("discount"))
    def discount_display(self, anticipation: Anticipation) -> str:
        return format_money(anticipation.discount)

    @admin.display(description=_("days early"))
    def days_early_display(self, anticipation: Anticipation) -> int:
        return anticipation.days_early

    @admin.display(description=_("discount"))
    def discount_days_display(self, anticipation: Anticipation):
        """The queue's one column for both: the discount, and for how many days early it is given."""
        days = anticipation.days_early
        early = ngettext("%(days)s day early", "%(days)s days early", days) % {"days": days}
        return format_html('{}<br><span class="quiet">{}</span>', format_money(anticipation.discount), early)

    @admin.display(description=_("APR"))
    def apr_display(self, anticipation: Anticipation):
        # With the monthly rate it was priced at (the programme's when it was requested).
        monthly = _("%(rate)s a month") % {"rate": format_percent(anticipation.monthly_rate, decimal_pos=2)}
        return format_html('{}<br><span class="quiet">{}</span>', format_percent(anticipation.apr), monthly)

    @admin.display(description=_("programme version"), ordering="programme_version")
    def priced_with(self, anticipation: Anticipation):
        return anticipation.programme_version_id  # the number, without a query per row

    @admin.display(description=_("status"), ordering="creation_date")
    def waiting_since(self, anticipation: Anticipation):
        """Pending: how long it has waited, since when; decided: the decision and its day (one column for both)."""
        if anticipation.status != AnticipationStatus.PENDING_CONFIRMATION:
            day, state = anticipation.update_date, anticipation.get_status_display()
        else:
            day, waited = anticipation.creation_date, (timezone.localdate() - anticipation.creation_date).days
            state = ngettext("waiting %(days)s day", "waiting %(days)s days", waited) % {"days": waited}
            if anticipation.first_approved_by_id is not None:
                state = _("%(waiting)s, first of two approvals given") % {"waiting": state}
        return format_html('{}<br><span class="quiet">{}</span>', state, date_format(day))

    # --- the spreadsheet's columns: the values themselves -------------------------------------------------------

    @admin.display(description=_("payment"))
    def csv_payment(self, anticipation: Anticipation) -> int:
        return anticipation.payment_id

    @admin.display(description=_("corporate name"))
    def csv_corporate_name(self, anticipation: Anticipation) -> str:
        return anticipation.payment.supplier.corporate_name

    @admin.display(description="CNPJ")
    def csv_cnpj(self, anticipation: Anticipation) -> str:
        return anticipation.payment.supplier.reg_number

    @admin.display(description=_("value"))
    def csv_value(self, anticipation: Anticipation) -> Decimal:
        return anticipation.payment.value

    @admin.display(description=_("discount"))
    def csv_discount(self, anticipation: Anticipation) -> Decimal:
        return anticipation.discount

    @admin.display(description=_("days early"))
    def csv_days_early(self, anticipation: Anticipation) -> int:
        return anticipation.days_early

    @admin.display(description=_("APR"))
    def csv_apr(self, anticipation: Anticipation) -> Decimal:
        return round(anticipation.apr, 6)

    @admin.display(description=_("due date"))
    def csv_due_date(self, anticipation: Anticipation):
        return anticipation.payment.due_date

    # --- the list's search and totals ----------------------------------------------------------------------------

    def get_search_fields(self, request):
        # Ids are matched exactly, and only by a number: a term that is not one leaves them out instead of failing.
        fields = super().get_search_fields(request)
        if not request.GET.get(SEARCH_VAR, "").strip().isdigit():
            fields = tuple(field for field in fields if not field.startswith("="))
        return fields

    def get_search_results(self, request, queryset, search_term):
        searched, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The CNPJ is stored as its 14 characters: found bare or as printed (12.ABC.345/01DE-35), in any case.
        compact = normalize_cnpj(search_term)
        if len(compact) >= 4:
            searched |= queryset.filter(payment__supplier__reg_number__contains=compact)
        return searched, may_have_duplicates

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = response.context_data if isinstance(response, TemplateResponse) else None
        if context is not None and (changelist := context.get("cl")) is not None:
            context["queue_totals"] = queue_totals(changelist.queryset)
        return response

    # --- decisions -----------------------------------------------------------------------------------------------

    def decide(self, request, anticipations, decision: Decision) -> tuple[int, int]:
        """Decide each anticipation through the service, as the API does; log each decision in the admin's history.

        Returns how many were decided and how many got the first of the two approvals they need (still pending);
        each refusal is reported in the service's words.
        """
        decided = first_approved = 0
        for anticipation in anticipations:
            try:
                anticipation = anticipation_decide(
                    anticipation=anticipation, decision=decision, decided_by=request.user
                )
            except DomainError as exc:
                self.message_user(
                    request,
                    _("Anticipation #%(id)s: %(reason)s") % {"id": anticipation.pk, "reason": exc.detail},
                    messages.ERROR,
                )
                continue
            if anticipation.status == AnticipationStatus.PENDING_CONFIRMATION:
                self.log_change(request, anticipation, _("First approval"))
                first_approved += 1
            else:
                self.log_change(request, anticipation, decision.label)
                decided += 1
        return decided, first_approved

    def first_approvals_reported(self, request, first_approved: int) -> None:
        if first_approved:
            message = ngettext(
                "%(count)d anticipation has its first approval; another operator must approve it.",
                "%(count)d anticipations have their first approval; another operator must approve them.",
                first_approved,
            )
            self.message_user(request, message % {"count": first_approved}, messages.WARNING)

    def _decide_selected(self, request, queryset, decision: Decision):
        if request.POST.get("post") != "yes":
            return self.decision_confirmation(request, queryset, decision)
        decided, first_approved = self.decide(request, queryset.select_related("payment__supplier"), decision)
        if decided:
            message = (
                ngettext("%(count)d anticipation approved.", "%(count)d anticipations approved.", decided)
                if decision == Decision.APPROVED
                else ngettext("%(count)d anticipation denied.", "%(count)d anticipations denied.", decided)
            )
            self.message_user(request, message % {"count": decided}, messages.SUCCESS)
        self.first_approvals_reported(request, first_approved)
        return None

    def decision_confirmation(self, request, queryset, decision: Decision):
        """The page that lists what the action will decide, with its totals, before anything is decided."""
        shown = list(queryset.select_related("payment__supplier").order_by("pk")[: self.list_per_page])
        totals = queue_totals(queryset)
        context = {
            **self.admin_site.each_context(request),
            "title": (
                _("Approve these anticipations?") if decision == Decision.APPROVED else _("Deny these anticipations?")
            ),
            "opts": self.model._meta,
            "decision": decision,
            "action": "approve" if decision == Decision.APPROVED else "deny",
            "anticipations": shown,
            "not_shown": totals["count"] - len(shown),
            "totals": totals,
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "dual_approval_min_value": programme_current().dual_approval_min_value,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/payments/anticipation/decision_confirmation.html", context)

    @admin.action(description=_("Approve selected anticipations"), permissions=["decide"])
    def approve(self, request, queryset):
        return self._decide_selected(request, queryset, Decision.APPROVED)

    @admin.action(description=_("Deny selected anticipations"), permissions=["decide"])
    def deny(self, request, queryset):
        return self._decide_selected(request, queryset, Decision.DENIED)

    # --- the anticipation's page ---------------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        decide = self.admin_site.admin_view(self.decide_view)
        return [path("<int:object_id>/decide/", decide, name="%s_%s_decide" % info), *super().get_urls()]

    def decide_view(self, request, object_id: int):
        """The Approve and Deny buttons of an anticipation's page (POST only)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_decide_permission(request):
            raise PermissionDenied
        anticipation = get_object_or_404(Anticipation, pk=object_id)
        try:
            decision = Decision(request.POST.get("decision"))
        except ValueError:
            return HttpResponseBadRequest(_("Choose to approve or to deny."))
        decided, first_approved = self.decide(request, [anticipation], decision)
        if decided:
            message = _("Anticipation #%(id)s approved.") if decision == Decision.APPROVED else _(
                "Anticipation #%(id)s denied."
            )
            self.message_user(request, message % {"id": anticipation.pk}, messages.SUCCESS)
        self.first_approvals_reported(request, first_approved)
        return HttpResponseRedirect(reverse("admin:payments_anticipation_change", args=[anticipation.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        anticipation = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if anticipation is not None:
            extra_context.update(
                may_decide=self.has_decide_permission(request)
                and anticipation.status == AnticipationStatus.PENDING_CONFIRMATION,
                request_logs=anticipation.logs.select_related("user").order_by("created_at", "pk"),
                notifications=Notification.objects.filter(request_log__anticipation=anticipation)
                .select_related("request_log")
                .order_by("pk"),
            )
        return super().change_view(request, object_id, form_url, extra_context)


class PayablesFileForm(forms.Form):
    file = forms.FileField(label=_("Payables file (CSV)"), help_text="supplier_cnpj,external_id,due_date,value")


# Errors shown on the page; a file may have a hundred thousand, and the first are enough to act on.
IMPORT_ERRORS_SHOWN = 500


@admin.register(PayablesImport)
class PayablesImportAdmin(CSVExportAdminMixin, OperatorAdminMixin, admin.ModelAdmin):
    """Payables files checked and imported; "add" is the upload: checked first (a dry run shown as a report), then
    imported when the operator confirms."""

    operator_permissions = ("view", "add")
    list_display = (
        "id",
        "imported_at",
        "imported_by_email",
        "status",
        "filename",
        "created",
        "updated",
        "unchanged",
        "file_digest",
    )
    list_filter = ("status",)
    # The counts are read across a row, not sorted by: their columns stay narrow, without sorting controls. The rows
    # of a file are the sum of the three (only a file without errors is recorded): on the import's page.
    sortable_by = ("id", "imported_at", "imported_by_email", "status", "filename")
    list_select_related = ("imported_by",)
    search_fields = ("filename", "file_sha256", "imported_by__email")
    readonly_fields = [field.name for field in PayablesImport._meta.fields if field.name != "content"]
    exclude = ("content",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("imported by"), ordering="imported_by__email")
    def imported_by_email(self, payables_import: PayablesImport):
        """The operator's e-mail address, which may break before its @ in a narrow column."""
        local, at, domain = payables_import.imported_by.email.partition("@")
        return format_html("{}<wbr>{}{}", local, at, domain)

    @admin.display(description=_("file SHA-256"))
    def file_digest(self, payables_import: PayablesImport):
        """The digest's first 8 characters, enough to tell a day's files apart; the whole one in the tooltip, on the
        import's page and in the search."""
        digest = payables_import.file_sha256
        return format_html('<span title="{}">{}…</span>', digest, digest[:8])

    def get_queryset(self, request):
        # A checked file's content (up to 10 MB) is read only by the confirmation, never by a list or a page.
        return super().get_queryset(request).defer("content")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PayablesFileForm()
        result = checked = None
        if request.method == "POST" and request.POST.get("confirm"):
            checked = get_object_or_404(
                PayablesImport,
                pk=request.POST["confirm"],
                imported_by=request.user,
                status=PayablesImportStatus.CHECKED,
            )
            try:
                result = payables_import_confirm(checked=checked, imported_by=request.user)
            except DomainError as exc:
                self.message_user(request, exc.detail, messages.ERROR)
                return HttpResponseRedirect(request.path)
            if result.written:
                counts = {name: getattr(result, name) for name in ("rows", "created", "updated", "unchanged")}
                message = ngettext(
                    "Imported %(rows)s row: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
                    "Imported %(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
                    result.rows,
                )
                self.message_user(request, message % counts, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:payments_payablesimport_changelist"))
        elif request.method == "POST":
            form = PayablesFileForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    result = payables_import(
                        content=upload.read(),
                        imported_by=request.user,
                        dry_run=True,
                        filename=upload.name or "",
                        keep_content=True,
                    )
                except DomainError as exc:
                    form.add_error("file", exc.detail)
                else:
                    checked = result.record
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import payables"),
            "form": form,
            "result": result,
            "checked": checked if result is not None and not result.errors else None,
            "errors_shown": result.errors[:IMPORT_ERRORS_SHOWN] if result else [],
            "errors_hidden": max(len(result.errors) - IMPORT_ERRORS_SHOWN, 0) if result else 0,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/payments/payablesimport/import.html", context)
