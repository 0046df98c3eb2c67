from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "payments_api.idempotency"
    verbose_name = "Idempotency keys"
