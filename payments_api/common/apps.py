from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "payments_api.common"

    def ready(self):
        from payments_api.common import signals  # noqa: F401  (connects the failed-login count)
        from payments_api.common.metrics import health_metrics, scrape_collector_register

        scrape_collector_register(health_metrics)
