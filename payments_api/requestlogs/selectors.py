from django.db.models import QuerySet

from payments_api.requestlogs.models import RequestLog
from payments_api.users.models import User
from payments_api.users.selectors import scope_to_user


def request_logs_visible_to(*, user: User) -> QuerySet[RequestLog]:
    logs = RequestLog.objects.all()
    return scope_to_user(logs, user=user, supplier_field="anticipation__payment__supplier_id").order_by("id")
