from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from payments_api.common.fields import StrictDateField, StrictMoneyField, StrictPrimaryKeyRelatedField
from payments_api.payments.models import (
    EXTERNAL_ID_MAX_LENGTH,
    MAX_BATCH_ITEMS,
    MAX_PAYMENT_VALUE,
    AnticipationStatus,
    Decision,
    Payment,
    PaymentStatus,
)
from payments_api.payments.selectors import payments_visible_to
from payments_api.programme.models import RATE
from payments_api.users.models import Supplier
from payments_api.users.permissions import is_operator
from payments_api.users.selectors import scope_to_user

# The output serializers declare their fields: a ModelSerializer rebuilds them from the model on every request,
# which costs about as much as rendering a page of rows.


class PaymentSerializer(serializers.Serializer):
    """A payment and its state on the request's day (context["today"], the day its list was filtered on)."""

    id = serializers.IntegerField(read_only=True)
    supplier = serializers.IntegerField(source="supplier_id", read_only=True)
    creation_date = serializers.DateField(read_only=True)
    due_date = serializers.DateField(read_only=True)
    value = StrictMoneyField(read_only=True)
    external_id = serializers.CharField(read_only=True, allow_null=True)
    status = serializers.SerializerMethodField()
    anticipation = serializers.IntegerField(
        source="anticipation_id",
        read_only=True,
        allow_null=True,
        help_text="The id of the payment's anticipation; null while it has none.",
    )
    # Shown to operators only. Not read-only, so that the schema lists it as optional: this serializer only writes.
    created_by = serializers.IntegerField(
        source="created_by_id",
        required=False,
        allow_null=True,
        help_text="Operators only: the id of the user who created the payment (null before it was recorded).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Operators see it, and so do the buyer's systems (webhooks: "for_operators" in the context).
        request = self.context.get("request")
        if not self.context.get("for_operators") and (request is None or not is_operator(request.user)):
            self.fields.pop("created_by")

    # The columns csv_status reads besides the fields' own (common/csv_export.py column_rows).
    csv_columns = ("anticipation_status",)

    @extend_schema_field(serializers.ChoiceField(choices=PaymentStatus.choices))
    def get_status(self, payment: Payment) -> str:
        return payment.status_on(self.context.get("today") or timezone.localdate())

    def csv_status(self, row: dict) -> str:
        today = self.context.get("today") or timezone.localdate()
        return PaymentStatus.of(due_date=row["due_date"], anticipation_status=row["anticipation_status"], today=today)


class PaymentCreateSerializer(serializers.Serializer):
    supplier = StrictPrimaryKeyRelatedField(
        queryset=Supplier.objects.none(),
        required=False,
        help_text="Required for operators; a supplier may omit it or give its own id.",
    )
    due_date = StrictDateField(help_text="Today or later.")
    value = StrictMoneyField(min_value=Decimal("0.01"), max_value=MAX_PAYMENT_VALUE)
    external_id = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=EXTERNAL_ID_MAX_LENGTH,
        trim_whitespace=False,
        help_text="The buyer's invoice number; unique per supplier.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if request := self.context.get("request"):
            # The stubs read an instance's queryset through the Manager descriptor of the class attribute.
            self.fields["supplier"].queryset = scope_to_user(  # type: ignore[attr-defined]
                Supplier.objects.all(), user=request.user, supplier_field="pk"
            )


class AnticipationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    payment = serializers.IntegerField(source="payment_id", read_only=True)
    creation_date = serializers.DateField(read_only=True)
    new_due_date = serializers.DateField(read_only=True)
    new_value = StrictMoneyField(read_only=True)
    update_date = serializers.DateField(read_only=True)
    status = serializers.ChoiceField(choices=AnticipationStatus.choices, read_only=True)
    monthly_rate = serializers.DecimalField(**RATE, read_only=True, help_text="The monthly rate it was priced at.")
    programme_version = serializers.IntegerField(
        source="programme_version_id",
        read_only=True,
        help_text="The version of the programme's terms it was priced with.",
    )


class AnticipationCreateSerializer(serializers.Serializer):
    payment = StrictPrimaryKeyRelatedField(queryset=Payment.objects.none())
    new_due_date = StrictDateField(help_text="From today up to the day before the payment's due date.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if request := self.context.get("request"):
            self.fields["payment"].queryset = payments_visible_to(user=request.user)  # type: ignore[attr-defined]


class AnticipationBatchSerializer(serializers.Serializer):
    items = AnticipationCreateSerializer(
        many=True,
        help_text=f"1 to {MAX_BATCH_ITEMS} anticipations, each of a different payment, tried in this order.",
    )
    all_or_none = serializers.BooleanField(
        default=False, help_text="If any item fails, write nothing and answer 409 batch-failed."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if request := self.context.get("request"):
            # The item serializer was built with the class, without a request: it is scoped here.
            items = self.fields["items"].child  # type: ignore[attr-defined]
            items.fields["payment"].queryset = payments_visible_to(user=request.user)

    def to_internal_value(self, data):
        # The number of items is judged before any item is (each looks its payment up), and named on `items` itself.
        items = data.get("items") if isinstance(data, dict) else None
        if isinstance(items, list) and not 1 <= len(items) <= MAX_BATCH_ITEMS:
            code = "min_length" if not items else "max_length"
            message = f"A batch holds 1 to {MAX_BATCH_ITEMS} items; this one has {len(items)}."
            raise serializers.ValidationError({"items": [ErrorDetail(message, code=code)]})
        if items is not None and not isinstance(items, list):
            raise serializers.ValidationError(
                {"items": [ErrorDetail(f"Expected a list of items, not {type(items).__name__}.", code="not_a_list")]}
            )
        return super().to_internal_value(data)


@extend_schema_field({"$ref": "#/components/schemas/Problem"})
class ProblemField(serializers.DictField):
    """A problem document (RFC 9457), as the API answers a refusal."""


class AnticipationBatchResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in `items`, from 0.")
    status = serializers.IntegerField(
        help_text="201 when the item's anticipation was created (in a 409, would have been), else the problem's status."
    )
    anticipation = AnticipationSerializer(required=False, help_text="With status 201.")
    problem = ProblemField(required=False, help_text="Otherwise: why the item was refused, as a single request says.")


class AnticipationBatchOutcomeSerializer(serializers.Serializer):
    succeeded = serializers.IntegerField(min_value=0)
    failed = serializers.IntegerField(min_value=0)
    results = AnticipationBatchResultSerializer(many=True, help_text="One per item, in item order.")


class BatchFailedProblemSerializer(serializers.Serializer):
    """A 409 problem; for `batch-failed` (an all-or-none batch with a failing item: nothing was written) it carries
    every item's result. Other 409s are those of an Idempotency-Key (`idempotency-key-reused`)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="batch-failed, or an Idempotency-Key's code")
    request_id = serializers.CharField(required=False)
    succeeded = serializers.IntegerField(min_value=0, required=False, help_text="batch-failed: the items that passed.")
    failed = serializers.IntegerField(min_value=0, required=False, help_text="batch-failed: the items refused.")
    results = AnticipationBatchResultSerializer(many=True, required=False, help_text="batch-failed: one per item.")


class AnticipationDecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Decision.choices)


class QuoteQuerySerializer(serializers.Serializer):
    new_due_date = StrictDateField(
        required=False, help_text="The date to price; without it, every allowed date is listed with its price."
    )

    def to_internal_value(self, data):
        # A blank ?new_due_date= asks for the options, as if it were absent.
        return super().to_internal_value({key: value for key, value in data.items() if value != ""})


def _percentage(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=2, read_only=True, help_text=help_text)


APR_HELP = "discount / value x 365 / days_early, as a percentage with two decimals (rounded half up)."
APR_ON_NET_HELP = "discount / new_value x 365 / days_early, as a percentage with two decimals (rounded half up)."


class QuoteOptionSerializer(serializers.Serializer):
    """One date a payment may be paid on, and its price."""

    new_due_date = serializers.DateField(read_only=True)
    days_early = serializers.IntegerField(read_only=True)
    new_value = StrictMoneyField(read_only=True)
    discount = StrictMoneyField(read_only=True)
    apr = _percentage(APR_HELP)
    apr_on_net = _percentage(APR_ON_NET_HELP)
    business_day = serializers.BooleanField(read_only=True)


class QuoteSerializer(QuoteOptionSerializer):
    """The price a request for this payment and date would get now, to the cent."""

    payment = serializers.IntegerField(source="payment.pk", read_only=True)
    value = StrictMoneyField(read_only=True)
    monthly_rate = serializers.DecimalField(**RATE, read_only=True)
    programme_version = serializers.IntegerField(
        read_only=True, help_text="The version of the programme's terms the price was computed with."
    )


class QuoteOptionPageSerializer(serializers.Serializer):
    """The seed's page shape, for the schema."""

    count = serializers.IntegerField(min_value=0)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = QuoteOptionSerializer(many=True)


class PayablesImportQuerySerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(default=False, help_text="Check the file and report, writing nothing.")


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        required=False, help_text="The line of the file, the header being 1 (absent from a validation-error's)."
    )
    field = serializers.CharField(allow_null=True, help_text="The column, or null for the whole row or file.")
    code = serializers.CharField()
    detail = serializers.CharField()


class PayablesImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField(min_value=0, help_text="The data rows read (blank lines are not counted).")
    created = serializers.IntegerField(min_value=0)
    updated = serializers.IntegerField(min_value=0)
    unchanged = serializers.IntegerField(min_value=0)
    # A field named like Serializer.errors: the metaclass takes declared fields off the class, so the property stays.
    errors = ImportRowErrorSerializer(  # type: ignore[assignment]
        many=True, help_text="Always empty here: a file with errors is a 400."
    )


class ImportInvalidProblemSerializer(serializers.Serializer):
    """The problem of a payables file with errors: nothing was written."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="import-invalid (validation-error for a bad ?dry_run=, named in errors)")
    errors = ImportRowErrorSerializer(many=True)  # type: ignore[assignment]  # as above
    request_id = serializers.CharField(required=False)
