"""The bare ceiling's views: each page of the benchmark's reads as one raw SQL statement and a JsonResponse.

The rows are the API's (a test holds them together): a supplier's payments in id order (`?supplier=`), or every
supplier's newest first, with the anticipation's status from which the API derives each payment's state, filtered by
that state (`?status=`); one payment; the request logs. Ten to a page, the API's default. Only this module's
constants are formatted into the SQL; what the request brings is passed as parameters.
"""

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone

PAGE = 10
# PaymentStatus.conditions, in SQL: the anticipation joined as `a`, the payment as `p`, today as %(today)s.
STATUS_CONDITIONS = {
    "A": "a.payment_id IS NULL AND p.due_date > %(today)s",
    "U": "(a.payment_id IS NULL OR a.status = 'PC') AND p.due_date <= %(today)s",
    "PC": "a.status = 'PC' AND p.due_date > %(today)s",
    "AN": "a.status = 'A'",
    "D": "a.status = 'D'",
}
# Every column of the payment, and its anticipation's id and status.
PAYMENT_SQL = (
    "SELECT p.id, p.supplier_id, p.creation_date, p.due_date, p.value, p.external_id, p.created_by_id, "
    "a.id AS anticipation_id, a.status AS anticipation_status "
    "FROM payments_payment p LEFT JOIN payments_anticipation a ON a.payment_id = p.id"
)
LOG_SQL = "SELECT l.id, l.anticipation_id, l.created_at, l.user_id, l.action FROM requestlogs_requestlog l"


def rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def health(request):
    return JsonResponse({"status": "ok"})


def payments(request):
    where, params = [], {"today": timezone.localdate(), "supplier": request.GET.get("supplier")}
    if params["supplier"]:
        where.append("p.supplier_id = %(supplier)s")
    if status := request.GET.get("status"):
        if status.upper() not in STATUS_CONDITIONS:
            return JsonResponse({"status": ["Unknown status."]}, status=400)
        where.append(STATUS_CONDITIONS[status.upper()])
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    order = "p.id" if params["supplier"] else "p.id DESC"
    sql = f"{PAYMENT_SQL} {condition} ORDER BY {order} LIMIT {PAGE}"  # nosec B608
    return JsonResponse({"results": rows(sql, params)})


def payment(request, pk):
    found = rows(f"{PAYMENT_SQL} WHERE p.id = %(pk)s", {"pk": pk})  # nosec B608
    return JsonResponse(found[0] if found else {}, status=200 if found else 404)


def request_logs(request):
    if supplier := request.GET.get("supplier"):
        sql = (
            f"{LOG_SQL} JOIN payments_anticipation a ON a.id = l.anticipation_id "
            "JOIN payments_payment p ON p.id = a.payment_id WHERE p.supplier_id = %(supplier)s ORDER BY l.id"
        )
    else:
        sql = f"{LOG_SQL} ORDER BY l.id DESC"
    return JsonResponse({"results": rows(f"{sql} LIMIT {PAGE}", {"supplier": supplier})})  # nosec B608
