from payments_api.common.filters import CodeFilter, IdFilter, ListFilterSet
from payments_api.requestlogs.models import RequestLog, RequestLogAction


class RequestLogFilter(ListFilterSet):
    anticipation = IdFilter(field_name="anticipation_id", help_text="One anticipation's history.")
    action = CodeFilter(
        choices=RequestLogAction.choices,
        help_text="R requested, A approved, D denied, F first of two approvals (any case).",
    )

    class Meta:
        model = RequestLog
        fields = ["anticipation", "action"]
