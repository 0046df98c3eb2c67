from celery import shared_task

from payments_api.users.services import refresh_tokens_purge_expired


@shared_task
def flush_expired_tokens() -> None:
    """Forget refresh tokens past their expiry: they can no longer be used anyway."""
    refresh_tokens_purge_expired()
