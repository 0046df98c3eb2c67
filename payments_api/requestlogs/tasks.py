from celery import shared_task

from payments_api.requestlogs.services import request_log_counts_compact


@shared_task
def compact_request_log_counts() -> int:
    return request_log_counts_compact()
