from celery import shared_task
from django.conf import settings

from payments_api.webhooks.services import webhook_deliveries_relay, webhook_delivery_deliver


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.WEBHOOK_SEND_SOFT_TIME_LIMIT,
    time_limit=settings.WEBHOOK_SEND_TIME_LIMIT,
    max_retries=None,  # the delivery row counts the attempts against WEBHOOK_RETRY_SCHEDULE
)
def send_webhook(self, delivery_id: int) -> None:
    retry_in = webhook_delivery_deliver(delivery_id=delivery_id)
    # Longer waits are the relay's: a message held for hours by a worker would outlive the broker's patience.
    if retry_in is not None and retry_in <= settings.WEBHOOK_COUNTDOWN_MAX:
        raise self.retry(countdown=retry_in)


@shared_task(
    acks_late=True,
    soft_time_limit=settings.WEBHOOK_RELAY_BUDGET + 30,
    time_limit=settings.WEBHOOK_RELAY_BUDGET + 60,
)
def relay_webhook_deliveries() -> int:
    return webhook_deliveries_relay()
