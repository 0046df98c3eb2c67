from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from payments_api.common.admin import CSVExportAdminMixin, OperatorAdminMixin, ReadOnlyAdminMixin, is_admin_operator
from payments_api.programme.models import CalendarOverride, Programme, ProgrammeVersion
from payments_api.programme.selectors import programme_versions
from payments_api.programme.services import calendar_override_save, calendar_overrides_delete, programme_update


def _changes(version: ProgrammeVersion) -> str:
    if not version.changes:
        return "first version"
    return format_html_join(
        ", ", "{}: {} → {}", ((term, change["old"], change["new"]) for term, change in version.changes.items())
    )


@admin.register(Programme)
class ProgrammeAdmin(OperatorAdminMixin, admin.ModelAdmin):
    """The one row of terms: operators read it, superusers change it; each change is a new version."""

    operator_permissions = ("view",)
    list_display = ("__str__", *Programme.TERMS, "effective_since")
    fields = (*Programme.TERMS, "version", "effective_since", "versions")
    readonly_fields = ("version", "effective_since", "versions")
    shown_versions = 20

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("version")

    @admin.display(description=_("in force since"))
    def effective_since(self, programme):
        return programme.version.created_at

    @admin.display(description=_("versions, newest first"))
    def versions(self, programme):
        rows = format_html_join(
            "",
            "<li>{} {} by {}: {}</li>",
            (
                (version.number, version.created_at, version.created_by or "the first migrate", _changes(version))
                for version in programme_versions()[: self.shown_versions]
            ),
        )
        every = reverse("admin:programme_programmeversion_changelist")
        return format_html('<ul>{}</ul><a href="{}">Every version</a>', rows, every)

    def has_add_permission(self, request):
        return False  # the row is created by the first migration

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return bool(request.user.is_active and request.user.is_superuser)

    def save_model(self, request, obj, form, change):
        programme_update(changed_by=request.user, **{term: form.cleaned_data[term] for term in Programme.TERMS})


@admin.register(ProgrammeVersion)
class ProgrammeVersionAdmin(ReadOnlyAdminMixin, CSVExportAdminMixin, OperatorAdminMixin, admin.ModelAdmin):
    """Every version of the terms, newest first: who changed what, when, from which value to which."""

    operator_permissions = ("view",)
    list_display = ("number", "created_at", "created_by", "monthly_rate", "business_days_only", "changed")
    list_select_related = ("created_by",)

    @admin.display(description=_("changes"))
    def changed(self, version):
        return _changes(version)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(CSVExportAdminMixin, OperatorAdminMixin, admin.ModelAdmin):
    """Operators correct the banking calendar: a city's own holiday, or a listed holiday that banks work."""

    operator_permissions = ("view", "add", "change", "delete")
    list_display = ("day", "kind", "name", "updated_by", "updated_at")
    list_filter = ("kind",)
    date_hierarchy = "day"
    list_select_related = ("updated_by",)

    def has_add_permission(self, request):
        return is_admin_operator(request.user)  # as the service: operators keep the calendar

    def has_change_permission(self, request, obj=None):
        return is_admin_operator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_admin_operator(request.user)

    def save_model(self, request, obj, form, change):
        calendar_override_save(override=obj, saved_by=request.user)

    def delete_model(self, request, obj):
        calendar_overrides_delete(overrides=CalendarOverride.objects.filter(pk=obj.pk), deleted_by=request.user)

    def delete_queryset(self, request, queryset):
        calendar_overrides_delete(overrides=queryset, deleted_by=request.user)
