from typing import TYPE_CHECKING

from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.models import User

if TYPE_CHECKING:
    from payments_api.payments.models import Anticipation


def request_log_create(*, anticipation: "Anticipation", user: User, action: RequestLogAction) -> RequestLog:
    return RequestLog.objects.create(anticipation=anticipation, user=user, action=action)
