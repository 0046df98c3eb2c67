from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "payments_api.webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from payments_api.common.metrics import scrape_collector_register
        from payments_api.webhooks.metrics import webhook_deliveries_backlog_metrics

        scrape_collector_register(webhook_deliveries_backlog_metrics)
