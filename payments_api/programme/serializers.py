import datetime
import re

from rest_framework import serializers

from payments_api.common.fields import StrictDateField, StrictMoneyField
from payments_api.programme.models import RATE

# Ten years and a few days: the furthest a payment's due date may be (payments.services.MAX_DUE_YEARS_AHEAD).
MAX_CALENDAR_DAYS = 3660
MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


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
    monthly_budget = StrictMoneyField(
        read_only=True,
        allow_null=True,
        help_text="The most approved for payment in one calendar month (by new due date, on new values); null for no "
        "limit. See GET /api/programme/budget/.",
    )
    auto_approve_min_apr = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Requests whose APR (as quoted, a percentage) is at least this, with a new value up to "
        "auto_approve_max_value and within the month's budget, are approved at once; null: none is.",
    )
    auto_approve_max_value = StrictMoneyField(
        read_only=True, allow_null=True, help_text="The largest new value approved automatically; null with the hurdle."
    )
    dual_approval_min_value = StrictMoneyField(
        read_only=True,
        allow_null=True,
        help_text="Anticipations with a new value at or above this need two operators' approvals; null: one suffices.",
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


class BudgetQuerySerializer(serializers.Serializer):
    month = serializers.CharField(required=False, trim_whitespace=False, help_text="YYYY-MM; this month by default.")

    def to_internal_value(self, data):
        return super().to_internal_value({key: value for key, value in data.items() if value != ""})

    def validate_month(self, value: str) -> datetime.date:
        if not MONTH.fullmatch(value):
            raise serializers.ValidationError("A month as YYYY-MM.", code="invalid")
        return datetime.date(int(value[:4]), int(value[5:]), 1)


class BudgetSerializer(serializers.Serializer):
    """A month of the funding budget."""

    month = serializers.SerializerMethodField(help_text="YYYY-MM.")
    budget = StrictMoneyField(
        read_only=True, allow_null=True, help_text="The programme's monthly_budget in force; null for no limit."
    )
    committed = StrictMoneyField(
        read_only=True, help_text="The new values of the anticipations approved for payment in the month."
    )
    remaining = StrictMoneyField(
        read_only=True,
        allow_null=True,
        help_text="What may still be approved for the month (never below 0.00); null for no limit.",
    )

    def get_month(self, budget) -> str:
        return budget.month.strftime("%Y-%m")
