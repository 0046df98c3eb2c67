from celery import shared_task
from django.conf import settings

from payments_api.notifications.services import notification_deliver, notifications_relay


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.NOTIFICATION_SEND_SOFT_TIME_LIMIT,
    time_limit=settings.NOTIFICATION_SEND_TIME_LIMIT,
    max_retries=None,  # the notification row counts the attempts (NOTIFICATION_MAX_ATTEMPTS)
)
def send_notification(self, notification_id: int) -> None:
    retry_in = notification_deliver(notification_id=notification_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task(
    acks_late=True,
    soft_time_limit=settings.NOTIFICATION_RELAY_BUDGET + 30,
    time_limit=settings.NOTIFICATION_RELAY_BUDGET + 60,
)
def relay_notifications() -> int:
    return notifications_relay()
