import datetime

from rest_framework import serializers

from payments_api.common.fields import StrictDateField
from payments_api.programme.models import RATE

# Ten years and a few days: the furthest a payment's due date may be (payments.services.MAX_DUE_YEARS_AHEAD).
MAX_CALENDAR_DAYS = 3660


class ProgrammeSerializer(serializers.Serializer):
    """The programme's terms in force."""

    version = serializers.IntegerField(source="version_id", read_only=True)
    effective_since = serializers.DateTimeField(
        source="version.created_at", read_only=True, help_text="When this version of the terms took effect."
    )
    monthly_rate = serializers.DecimalField(
        **RATE, read_only=True, help_text="The discount per 30 days early: 0.030000 is 3% a month."
    )
    business_days_only = serializers.BooleanField(
        read_only=True, help_text="Whether a new due date must be a business day (see GET /api/calendar/)."
    )


class CalendarQuerySerializer(serializers.Serializer):
    start = StrictDateField(required=False, help_text="The first day (included); today by default.")
    end = StrictDateField(
        required=False, help_text="The last day (included); a year after the first by default, ten at most."
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def get_fields(self):
        # `from` is a Python keyword: the query parameters are named here, before the fields are bound to them.
        fields = super().get_fields()
        return {"from": fields.pop("start"), "to": fields.pop("end")}

    def to_internal_value(self, data):
        return super().to_internal_value({key: value for key, value in data.items() if value != ""})

    def validate(self, attrs):
        start = attrs.get("from", self.today)
        default_end = start + datetime.timedelta(days=365) if start < datetime.date(9999, 1, 1) else datetime.date.max
        end = attrs.get("to", default_end)
        if end < start:
            raise serializers.ValidationError({"to": "The last day cannot be before the first."}, code="invalid")
        if (end - start).days >= MAX_CALENDAR_DAYS:
            raise serializers.ValidationError(
                {"to": f"At most {MAX_CALENDAR_DAYS} days from the first day."}, code="invalid"
            )
        return {"start": start, "end": end}


class NonBusinessDaySerializer(serializers.Serializer):
    date = serializers.DateField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="The holiday, or Saturday / Sunday.")


class NonBusinessDayPageSerializer(serializers.Serializer):
    """The seed's page shape, for the schema."""

    count = serializers.IntegerField(min_value=0)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NonBusinessDaySerializer(many=True)
