from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestLogsConfig(AppConfig):
    name = "payments_api.requestlogs"
    verbose_name = _("Request logs")
