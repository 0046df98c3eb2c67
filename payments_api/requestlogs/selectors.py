from django.db.models import QuerySet

from payments_api.common.counts import CountSum, counts_maintained
from payments_api.requestlogs.models import RequestLog, RequestLogAction, RequestLogCount
from payments_api.users.models import User
from payments_api.users.selectors import list_order, scope_to_user


def request_logs_visible_to(*, user: User) -> QuerySet[RequestLog]:
    logs = scope_to_user(RequestLog.objects.all(), user=user, supplier_field="anticipation__payment__supplier_id")
    return logs.order_by(list_order(user=user))


def request_logs_count(*, user: User, action: str | None = None, anticipation: int | None = None) -> CountSum | None:
    """The exact count of an operator's list of request logs (with `action`), from RequestLogCount; None for a
    supplier's, or one anticipation's (two rows at most), whose rows are counted."""
    if not user.is_operator or anticipation is not None or not counts_maintained():
        return None
    counts = RequestLogCount.objects.filter(action=action) if action else RequestLogCount.objects.all()
    return CountSum(counts, "logs")


def anticipation_requested_by(*, anticipation_id: int) -> int | None:
    """The id of the user who requested the anticipation, as its log says."""
    requests = RequestLog.objects.filter(anticipation_id=anticipation_id, action=RequestLogAction.REQUESTED)
    return requests.values_list("user_id", flat=True).first()
