from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "payments_api.webhooks"
