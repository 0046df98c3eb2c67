"""The webhook events of payments: recorded with the action, their data the API's JSON, documented as OpenAPI 3.1
webhooks with the signature headers."""

import pytest

from payments_api.payments.models import Decision
from payments_api.payments.services import anticipation_decide, anticipation_request
from payments_api.payments.tests.factories import PaymentFactory, days
from payments_api.webhooks.models import WebhookDelivery, WebhookEventType
from payments_api.webhooks.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def test_each_action_records_its_event_once_per_subscribed_endpoint(supplier, operator):
    WebhookEndpointFactory()
    WebhookEndpointFactory(events=["anticipation.denied"])
    anticipation = anticipation_request(
        payment=PaymentFactory(supplier=supplier, due_date=days(20)), new_due_date=days(5), requested_by=supplier.user
    )
    anticipation_decide(anticipation=anticipation, decision=Decision.DENIED, decided_by=operator)

    recorded = sorted(WebhookDelivery.objects.values_list("endpoint_id", "event_type"))
    first, second = sorted(set(endpoint for endpoint, _ in recorded))
    assert recorded == [
        (first, "anticipation.denied"),
        (first, "anticipation.requested"),
        (second, "anticipation.denied"),
    ]


def test_the_schema_documents_every_event_as_a_webhook_with_its_signature_headers(anonymous_client):
    schema = anonymous_client.get("/api/schema/?format=json").json()

    assert schema["openapi"].startswith("3.1")
    assert sorted(schema["webhooks"]) == sorted(WebhookEventType.values)
    for event_type, operations in schema["webhooks"].items():
        operation = operations["post"]
        headers = {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
        envelope_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        envelope = schema["components"]["schemas"][envelope_ref.rsplit("/", 1)[1]]
        assert envelope["properties"]["type"]["enum"] == [event_type]
        data = schema["components"]["schemas"][envelope["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
        expected = "Payment" if event_type == "payment.created" else "AnticipationEvent"
        assert envelope["properties"]["data"]["$ref"].endswith(f"/{expected}")
        if expected == "AnticipationEvent":
            api = schema["components"]["schemas"]["Anticipation"]["properties"]
            assert set(data["properties"]) == set(api) | {"supplier"}
