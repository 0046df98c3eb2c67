from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "payments_api.common"
