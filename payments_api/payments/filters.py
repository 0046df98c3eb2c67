from django_filters import filters

from payments_api.common.filters import CodeFilter, IdFilter, IsoDateFilter, ListFilterSet
from payments_api.payments.models import Anticipation, AnticipationStatus, Payment, PaymentStatus


class PaymentFilter(ListFilterSet):
    status = CodeFilter(
        choices=PaymentStatus.choices,
        method="filter_status",
        help_text="The payment's state today (any case; blank lists every payment).",
    )
    supplier = IdFilter(
        field_name="supplier_id",
        help_text="One supplier's payments. A supplier's lists hold only its own: another supplier's id lists none.",
    )
    external_id = filters.CharFilter(strip=False, help_text="The buyer's invoice number, exactly as stored.")
    due_date_after = IsoDateFilter(field_name="due_date", lookup_expr="gte", help_text="Due on this day or later.")
    due_date_before = IsoDateFilter(field_name="due_date", lookup_expr="lte", help_text="Due on this day or earlier.")

    class Meta:
        model = Payment
        fields = ["status", "supplier", "external_id", "due_date_after", "due_date_before"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(PaymentStatus.conditions(today=self.view.today)[PaymentStatus(value)])


class AnticipationFilter(ListFilterSet):
    status = CodeFilter(choices=AnticipationStatus.choices, help_text="The anticipation's status (any case).")

    class Meta:
        model = Anticipation
        fields = ["status"]
