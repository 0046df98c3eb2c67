from rest_framework import serializers

from payments_api.requestlogs.models import RequestLog, RequestLogAction


class RequestLogSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    anticipation = serializers.IntegerField(source="anticipation_id", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    user = serializers.IntegerField(
        source="user_id",
        read_only=True,
        allow_null=True,
        help_text="Who did it; null when the programme approved the anticipation itself (automatic is true).",
    )
    action = serializers.ChoiceField(
        choices=RequestLogAction.choices,
        read_only=True,
        help_text="R requested, A approved, D denied, F the first of two approvals (dual_approval_min_value).",
    )
    automatic = serializers.SerializerMethodField(
        help_text="True when the programme approved the request as it was made (auto-approval), with no user."
    )

    # The columns csv_automatic reads (common/csv_export.py column_rows).
    csv_columns = ("user_id",)

    def get_automatic(self, log: RequestLog) -> bool:
        return log.automatic

    def csv_automatic(self, row: dict) -> bool:
        return row["user_id"] is None
