from payments_api.common.outbox import Backlog, outbox_backlog
from payments_api.notifications.models import Notification


def notifications_backlog() -> Backlog:
    """The e-mail outbox's pending and failed rows and the age of its oldest pending one (common/outbox.py)."""
    return outbox_backlog(rows=Notification.objects.all())
