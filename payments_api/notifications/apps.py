from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "payments_api.notifications"
