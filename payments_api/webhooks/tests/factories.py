import factory

from payments_api.webhooks.models import WebhookEndpoint, WebhookEventType
from payments_api.webhooks.services import webhook_secret_new


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """An endpoint stored directly, without the URL checks; use webhook_endpoint_create to go through them."""

    class Meta:
        model = WebhookEndpoint

    url = "https://erp.example.com/hooks"
    events = factory.LazyFunction(lambda: list(WebhookEventType.values))
    secret = factory.LazyFunction(webhook_secret_new)
