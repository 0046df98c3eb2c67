from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "payments_api.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from payments_api.common.metrics import scrape_collector_register
        from payments_api.notifications.metrics import notifications_backlog_metrics

        scrape_collector_register(notifications_backlog_metrics)
