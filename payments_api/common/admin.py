"""What operators may do in the admin, without Django model permissions having to be assigned to them, how its
lists stay fast on tables of millions of rows, and how they are exported to CSV."""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path
from django.utils.functional import cached_property

from payments_api.common.csv_export import CHUNK_ROWS, csv_response

if TYPE_CHECKING:
    # The mixins below are only ever mixed into a ModelAdmin: the type checker reads them as one.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


def is_admin_operator(user) -> bool:
    """An operator who may use the admin: active, staff and is_operator."""
    return bool(user.is_active and user.is_staff and getattr(user, "is_operator", False))


class OperatorAdminMixin(_ModelAdmin):
    """Grants admin operators the permissions in `operator_permissions` on top of Django's model permissions.

    A has_*_permission method defined on the ModelAdmin itself overrides this mixin's, so every restriction an
    admin states there (the request log is never changed, say) holds for operators and superusers alike.
    """

    operator_permissions: tuple[str, ...] = ("view",)

    class Media:
        # The cockpit's styles: money and dates, the queue, and every list's layout on a laptop's screen.
        css = {"all": ("cockpit/cockpit.css",)}

    def operator_may(self, request, permission: str) -> bool:
        return permission in self.operator_permissions and is_admin_operator(request.user)

    def has_module_permission(self, request):
        return self.operator_may(request, "view") or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.operator_may(request, "view") or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self.operator_may(request, "add") or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.operator_may(request, "change") or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.operator_may(request, "delete") or super().has_delete_permission(request, obj)


class ReadOnlyAdminMixin(_ModelAdmin):
    """Nothing is added, changed or deleted here, by anyone (superusers included); rows are only viewed.

    Listed before OperatorAdminMixin, whose grants it overrides. An admin that allows one of the three (payments are
    added, say) defines that method itself.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered list of a large table from PostgreSQL's statistics instead of COUNT(*).

    An exact count of a million payments takes about a tenth of a second on every page of the admin; the planner's
    row estimate (kept by autovacuum) is free and close enough to number pages. Filtered lists, small tables and
    other databases are counted exactly.
    """

    estimate_above = 100_000

    @cached_property
    def count(self) -> int:
        queryset = cast(QuerySet, self.object_list)
        connection = connections[queryset.db]
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                table = queryset.model._meta.db_table
                cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
                estimate = cursor.fetchone()[0]
            if estimate > self.estimate_above:
                return int(estimate)
        return super().count


class LargeTableAdminMixin(_ModelAdmin):
    """A changelist for a table that grows without bound: newest first (where operators work, and where a filter on
    what is still open finds its rows at once), an estimated count, and no second count of the whole table."""

    ordering = ("-pk",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False


def admin_csv_cell(value):
    """What an operator sees in a changelist cell, for a spreadsheet: dates in ISO 8601, money with its cents."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, Decimal, str)):
        return value
    return str(value)


class CSVExportAdminMixin(_ModelAdmin):
    """An "Export CSV" link on the changelist: every row of its current filter, search and ordering (not one page),
    in the columns of `csv_export_fields` (by default list_display), streamed like the API's CSV lists.

    The view is `<changelist>/export-csv/` with the changelist's own query string; it needs the view permission.
    """

    change_list_template = "admin/csv_export_change_list.html"
    csv_export_fields: tuple[str, ...] | None = None

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        export = path("export-csv/", self.admin_site.admin_view(self.export_csv_view), name="%s_%s_export_csv" % info)
        return [export, *super().get_urls()]

    def export_csv_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            raise SuspiciousOperation("Unknown filter") from None
        queryset = changelist.get_queryset(request)
        displayed = self.get_list_display(request)
        fields = self.csv_export_fields or [name for name in displayed if name != "action_checkbox"]
        header = [str(label_for_field(name, self.model, self)) for name in fields]
        rows = (
            [admin_csv_cell(lookup_field(name, obj, self)[2]) for name in fields]
            for obj in queryset.iterator(chunk_size=CHUNK_ROWS)
        )
        return csv_response(header=header, rows=rows, filename=f"{self.opts.model_name}s.csv")
