from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "payments_api.common"

    def ready(self):
        from payments_api.common import signals  # noqa: F401  (connects the failed-login count)
