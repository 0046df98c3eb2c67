"""The baseline: bare Django views returning the same rows as the API, with .values() and JsonResponse.

No authentication, permissions, throttling, serializers or pagination count: the cost of the rows themselves.
"""

from django.http import JsonResponse
from django.utils import timezone

from payments_api.payments.models import Payment, PaymentStatus
from payments_api.requestlogs.models import RequestLog

PAGE = 10
# The payment's columns and its anticipation's status, from which the API derives the payment's state.
PAYMENT_FIELDS = ("id", "supplier_id", "creation_date", "due_date", "value", "anticipation__status")


def first_page(rows, supplier_field: str, request):
    """A supplier's first rows by id, or (as operators see them) the newest rows of every supplier."""
    if supplier := request.GET.get("supplier"):
        return rows.filter(**{supplier_field: supplier}).order_by("id")
    return rows.order_by("-id")


def payments(request):
    rows = Payment.objects.all()
    if status := request.GET.get("status"):
        rows = rows.filter(PaymentStatus.conditions(today=timezone.localdate())[status.upper()])
    rows = first_page(rows, "supplier_id", request)
    return JsonResponse({"results": list(rows.values(*PAYMENT_FIELDS)[:PAGE])})


def payment(request, pk):
    return JsonResponse(Payment.objects.filter(pk=pk).values(*PAYMENT_FIELDS).first() or {})


def request_logs(request):
    rows = first_page(RequestLog.objects.all(), "anticipation__payment__supplier_id", request)
    fields = ("id", "anticipation_id", "created_at", "user_id", "action")
    return JsonResponse({"results": list(rows.values(*fields)[:PAGE])})
