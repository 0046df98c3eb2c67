from django.db.models import QuerySet

from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.models import User
from payments_api.users.selectors import scope_to_user


def request_logs_visible_to(*, user: User) -> QuerySet[RequestLog]:
    logs = RequestLog.objects.all()
    return scope_to_user(logs, user=user, supplier_field="anticipation__payment__supplier_id").order_by("id")


def anticipation_requested_by(*, anticipation_id: int) -> int | None:
    """The id of the user who requested the anticipation, as its log says."""
    requests = RequestLog.objects.filter(anticipation_id=anticipation_id, action=RequestLogAction.REQUESTED)
    return requests.values_list("user_id", flat=True).first()
