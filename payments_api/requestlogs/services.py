from typing import TYPE_CHECKING

from payments_api.common.counts import counts_compact
from payments_api.requestlogs.models import RequestLog, RequestLogAction, RequestLogCount
from payments_api.users.models import User

if TYPE_CHECKING:
    from payments_api.payments.models import Anticipation


def request_log_create(*, anticipation: "Anticipation", user: User | None, action: RequestLogAction) -> RequestLog:
    """Log `action`; `user` is None for the programme's own approval (auto-approval), and for nothing else."""
    return RequestLog.objects.create(anticipation=anticipation, user=user, action=action)


def request_log_counts_compact() -> int:
    """Add RequestLogCount's rows up into one per action (beat runs it every minute)."""
    return counts_compact(model=RequestLogCount, keys=("action",), column="logs")
