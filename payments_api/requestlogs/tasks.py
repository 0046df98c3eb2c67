from smtplib import SMTPException

from celery import shared_task

from payments_api.requestlogs.models import RequestLog
from payments_api.requestlogs.services import request_log_notify


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def notify_request_log(request_log_id: int) -> None:
    request_log = RequestLog.objects.select_related("anticipation__payment__supplier__user").get(pk=request_log_id)
    request_log_notify(request_log=request_log)
