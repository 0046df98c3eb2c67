from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from payments_api.common.csv_export import CSVListMixin
from payments_api.common.exceptions import PROBLEM_CONTENT_TYPE, domain_problem
from payments_api.common.filters import ListFilterBackend
from payments_api.common.pagination import SequencePagination
from payments_api.idempotency.decorators import IDEMPOTENCY_KEY_PARAMETER, idempotent
from payments_api.payments.batches import (
    MAX_BATCH_ITEMS,
    AnticipationBatch,
    BatchItem,
    anticipation_batch_request,
)
from payments_api.common.parsers import CSVParser
from payments_api.payments.errors import BatchFailed, ImportInvalid
from payments_api.payments.imports import IMPORT_COLUMNS, IMPORT_MAX_ROWS, payables_import
from payments_api.payments.filters import AnticipationFilter, PaymentFilter
from payments_api.payments.models import Anticipation, Payment
from payments_api.payments.selectors import (
    anticipation_quote,
    anticipation_quote_options,
    anticipations_count,
    anticipations_visible_to,
    payments_count,
    payments_visible_to,
)
from payments_api.payments.serializers import (
    AnticipationBatchOutcomeSerializer,
    AnticipationBatchSerializer,
    AnticipationCreateSerializer,
    AnticipationDecisionSerializer,
    AnticipationSerializer,
    BatchFailedProblemSerializer,
    ImportInvalidProblemSerializer,
    PayablesImportQuerySerializer,
    PayablesImportResultSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    QuoteOptionPageSerializer,
    QuoteOptionSerializer,
    QuoteQuerySerializer,
    QuoteSerializer,
)
from payments_api.payments.services import anticipation_decide, anticipation_request, payment_create
from payments_api.users.permissions import IsOperator, IsSupplierOrOperator, caller

IMPORT_DESCRIPTION = (
    "Operators only. The body is the CSV file (`Content-Type: text/csv`): UTF-8 with or without a BOM, comma or "
    f"semicolon separated, the header `{','.join(IMPORT_COLUMNS)}`, then a payable a row (CNPJ formatted or bare, "
    "numeric or alphanumeric; due date YYYY-MM-DD; value with `.` for decimals). Rows are keyed on the supplier and "
    "external_id: a new key creates a payment, a known one with the same due date and value is unchanged, with "
    "others it is updated unless the payment has an anticipation (`payment-locked`). The file is one transaction: "
    "any row error writes nothing and the answer is 400 `import-invalid` listing every error by line (the header "
    "is line 1). At most 10 MB (413 beyond) and "
    f"{IMPORT_MAX_ROWS:,} rows. `?dry_run=true` checks and reports without writing."
)


def anticipation_batch_outcome(batch: AnticipationBatch) -> dict:
    """What a batch answers: the counts, and per item its anticipation or its problem, in item order."""
    results: list[dict[str, Any]] = []
    for result in batch.results:
        if result.error is None:
            anticipation = AnticipationSerializer(result.anticipation).data
            results.append({"index": result.index, "status": status.HTTP_201_CREATED, "anticipation": anticipation})
        else:
            problem = domain_problem(result.error)
            results.append({"index": result.index, "status": problem["status"], "problem": problem})
    return {"succeeded": batch.succeeded, "failed": batch.failed, "results": results}


def _created(request, serializer, url_name: str) -> Response:
    location = request.build_absolute_uri(reverse(url_name, kwargs={"pk": serializer.instance.pk}))
    return Response(serializer.data, status=status.HTTP_201_CREATED, headers={"Location": location})


@extend_schema_view(
    list=extend_schema(summary="List payments"),
    retrieve=extend_schema(summary="Retrieve a payment"),
    create=extend_schema(
        summary="Create a payment",
        request=PaymentCreateSerializer,
        responses={201: PaymentSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    ),
)
class PaymentViewSet(CSVListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PaymentSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends = [ListFilterBackend]
    list_filters: dict[str, Any]  # the validated filters, set by ListFilterBackend
    filterset_class = PaymentFilter
    csv_filename = "payments.csv"

    @cached_property
    def today(self):
        """One day for the whole request: the filter and the states shown agree even across midnight."""
        return timezone.localdate()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self.today}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return payments_visible_to(user=caller(self.request), today=self.today)

    def list_count(self, queryset):
        return payments_count(user=caller(self.request), today=self.today, **self.list_filters)

    @idempotent
    def create(self, request):
        serializer = PaymentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        payment = payment_create(**serializer.validated_data, created_by=request.user, today=self.today)
        output = self.get_serializer(self.get_queryset().get(pk=payment.pk))
        return _created(request, output, "payment-detail")

    @extend_schema(
        summary="Import payables from a CSV file (operators)",
        description=IMPORT_DESCRIPTION,
        request={"text/csv": OpenApiTypes.STR},
        parameters=[
            OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="true: check and report, writing nothing.")
        ],
        responses={200: PayablesImportResultSerializer, (400, PROBLEM_CONTENT_TYPE): ImportInvalidProblemSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[CSVParser],
        permission_classes=[IsOperator],
    )
    def import_payables(self, request):
        query = PayablesImportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # An empty body is parsed as no data at all, which the import reads as an empty file.
        content = request.data if isinstance(request.data, bytes) else b""
        result = payables_import(content=content, imported_by=request.user, dry_run=query.validated_data["dry_run"])
        if result.errors:
            raise ImportInvalid(
                f"{len(result.errors)} error(s) in the file; nothing was imported.",
                errors=[error.as_dict() for error in result.errors],
            )
        return Response(result.as_dict())

    @extend_schema(
        summary="Price an anticipation before asking for it",
        description=(
            "With `new_due_date`: what `POST /api/anticipations/` would give for this payment and date now, to the "
            "cent, or the problem it would answer. Without it: every allowed date, nearest first, each with its "
            "price, in pages. Writes nothing."
        ),
        parameters=[
            OpenApiParameter("new_due_date", OpenApiTypes.DATE, description="YYYY-MM-DD; omit it for every date."),
            OpenApiParameter("page", OpenApiTypes.INT, description="Without new_due_date: the page number."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Without new_due_date: at most 100."),
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="QuoteOrOptions",
                serializers=[QuoteSerializer, QuoteOptionPageSerializer],
                resource_type_field_name=None,
            )
        },
        extensions={"x-problems": ["409"]},  # the payment is not available, as for the request
    )
    @action(detail=True, methods=["get"], pagination_class=SequencePagination)
    def quote(self, request, pk=None):
        payment = self.get_object()
        query = QuoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if new_due_date := query.validated_data.get("new_due_date"):
            price = anticipation_quote(
                payment=payment, new_due_date=new_due_date, quoted_by=request.user, today=self.today
            )
            return Response(QuoteSerializer(price).data)
        options = anticipation_quote_options(payment=payment, quoted_by=request.user, today=self.today)
        page = self.paginate_queryset(options)
        return self.get_paginated_response(QuoteOptionSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List anticipations"),
    retrieve=extend_schema(summary="Retrieve an anticipation"),
    create=extend_schema(
        summary="Request the anticipation of a payment",
        request=AnticipationCreateSerializer,
        responses={201: AnticipationSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    ),
    partial_update=extend_schema(
        summary="Approve or deny an anticipation (operators)",
        request=AnticipationDecisionSerializer,
        responses={200: AnticipationSerializer},
    ),
)
class AnticipationViewSet(
    CSVListMixin,
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    serializer_class = AnticipationSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends = [ListFilterBackend]
    list_filters: dict[str, Any]  # the validated filters, set by ListFilterBackend
    filterset_class = AnticipationFilter
    csv_filename = "anticipations.csv"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action == "partial_update":
            return [IsOperator()]
        return [IsSupplierOrOperator()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Anticipation.objects.none()
        return anticipations_visible_to(user=caller(self.request))

    def list_count(self, queryset):
        return anticipations_count(user=caller(self.request), **self.list_filters)

    @idempotent
    def create(self, request):
        serializer = AnticipationCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        anticipation = anticipation_request(**serializer.validated_data, requested_by=request.user)
        return _created(request, AnticipationSerializer(anticipation), "anticipation-detail")

    @extend_schema(
        summary="Request the anticipation of many payments at once",
        description=(
            f"1 to {MAX_BATCH_ITEMS} items, each of a different payment. "
            "Each item is tried as `POST /api/anticipations/` would try it, on its own: the answer is 200 with every "
            "item's anticipation (status 201) or problem, in item order. With `all_or_none`, one failing item "
            "writes nothing and the answer is a 409 `batch-failed` problem carrying the same results. The supplier "
            "gets one e-mail listing the anticipations created. An item naming a payment the caller cannot see, "
            "too many or too few items, or a payment named twice make the whole request a 400."
        ),
        request=AnticipationBatchSerializer,
        responses={
            200: AnticipationBatchOutcomeSerializer,
            (409, PROBLEM_CONTENT_TYPE): BatchFailedProblemSerializer,
        },
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def batch(self, request):
        serializer = AnticipationBatchSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        batch = anticipation_batch_request(
            items=[BatchItem(**item) for item in serializer.validated_data["items"]],
            all_or_none=serializer.validated_data["all_or_none"],
            requested_by=request.user,
        )
        outcome = anticipation_batch_outcome(batch)
        if not batch.written:
            raise BatchFailed(
                f"{batch.failed} of {len(batch.results)} items failed; nothing was written.", outcome=outcome
            )
        return Response(outcome)

    def partial_update(self, request, pk=None):
        serializer = AnticipationDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        anticipation = anticipation_decide(
            anticipation=self.get_object(), decision=serializer.validated_data["status"], decided_by=request.user
        )
        return Response(AnticipationSerializer(anticipation).data)
