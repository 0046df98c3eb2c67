from django.contrib.auth.signals import user_login_failed
from django.core.signals import request_finished
from django.dispatch import receiver

from payments_api.common.metrics import LOGIN_FAILURES
from payments_api.common.request_context import UNMATCHED_ROUTE, request_id_bind, request_route


@receiver(user_login_failed, dispatch_uid="payments_api.common.login_failure_count")
def login_failure_count(sender, credentials, request=None, **kwargs):
    """Count every refused login, whichever form sent it: a climb is someone guessing passwords."""
    LOGIN_FAILURES.labels(route=request_route(request) if request is not None else UNMATCHED_ROUTE).inc()


@receiver(request_finished, dispatch_uid="payments_api.common.request_id_unbind")
def request_id_unbind(sender, **kwargs):
    """The response is sent: what this thread logs from now on belongs to no request (until the next one)."""
    request_id_bind(None)
