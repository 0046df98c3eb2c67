from django.apps import AppConfig


class RequestLogsConfig(AppConfig):
    name = "payments_api.requestlogs"
    verbose_name = "Request logs"
