"""The baseline: bare Django views returning the same rows as the API, with .values() and JsonResponse.

No authentication, permissions, throttling, serializers or pagination count: the cost of the rows themselves.
"""

from django.http import JsonResponse
from django.utils import timezone

from payments_api.payments.models import Payment, PaymentStatus
from payments_api.payments.selectors import payment_status_expression
from payments_api.requestlogs.models import RequestLog

PAGE = 10
PAYMENT_FIELDS = ("id", "supplier_id", "creation_date", "due_date", "value", "status")


def payments(request):
    today = timezone.localdate()
    rows = Payment.objects.annotate(status=payment_status_expression(today=today))
    if supplier := request.GET.get("supplier"):
        rows = rows.filter(supplier_id=supplier)
    if status := request.GET.get("status"):
        rows = rows.filter(PaymentStatus.conditions(today=today)[status.upper()])
    return JsonResponse({"results": list(rows.order_by("id").values(*PAYMENT_FIELDS)[:PAGE])})


def payment(request, pk):
    rows = Payment.objects.annotate(status=payment_status_expression(today=timezone.localdate()))
    return JsonResponse(rows.filter(pk=pk).values(*PAYMENT_FIELDS).first() or {})


def request_logs(request):
    rows = RequestLog.objects.all()
    if supplier := request.GET.get("supplier"):
        rows = rows.filter(anticipation__payment__supplier_id=supplier)
    fields = ("id", "anticipation_id", "created_at", "user_id", "action")
    return JsonResponse({"results": list(rows.order_by("id").values(*fields)[:PAGE])})
