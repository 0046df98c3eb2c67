from celery import shared_task

from payments_api.payments.services import payment_counts_compact


@shared_task
def compact_payment_counts() -> int:
    return payment_counts_compact()
