"""The admin: operators register endpoints through the same services as the API (the secret shown once), see the
deliveries with their attempts and answers, replay failed ones with the same webhook-id, and see disabled endpoints
flagged."""

import pytest

from payments_api.webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from payments_api.webhooks.services import webhook_delivery_deliver, webhook_endpoint_create, webhook_event_record
from payments_api.webhooks.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = "/admin/webhooks/webhookendpoint/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"


def test_an_operator_registers_an_endpoint_and_is_shown_its_secret_once(operator_admin_client, receiver):
    response = operator_admin_client.post(
        f"{ENDPOINTS}add/",
        {"url": receiver.url, "description": "ERP", "events": ["payment.created"], "enabled": "on"},
        follow=True,
    )

    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.url, endpoint.events, endpoint.enabled) == (receiver.url, ["payment.created"], True)
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in operator_admin_client.get(f"{ENDPOINTS}{endpoint.pk}/change/").content.decode()


def test_the_admin_refuses_an_unsafe_url(operator_admin_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True

    response = operator_admin_client.post(
        f"{ENDPOINTS}add/", {"url": "http://169.254.169.254/latest/", "events": ["payment.created"], "enabled": "on"}
    )

    assert response.status_code == 200
    assert "metadata" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_disabled_by_the_service_is_flagged_in_the_list(operator_admin_client):
    WebhookEndpointFactory(url="https://ok.example.com/hooks")
    WebhookEndpointFactory(url="https://gone.example.com/hooks", enabled=False, disabled_reason="It answered 410 Gone.")

    page = operator_admin_client.get(ENDPOINTS).content.decode()

    assert "It answered 410 Gone." in page
    assert page.count('alt="True"') == 2  # the enabled one's "enabled", the disabled one's "needs attention"


def test_deliveries_are_listed_with_their_attempts_and_answer_and_a_failed_one_is_replayed_with_its_id(
    operator_admin_client, receiver, django_capture_on_commit_callbacks
):
    endpoint = webhook_endpoint_create(url=receiver.url, events=["payment.created"])
    receiver.answer(410)
    [delivery] = webhook_event_record(event_type="payment.created", data={"id": 1})
    webhook_delivery_deliver(delivery_id=delivery.pk)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=True, disabled_at=None, disabled_reason="")

    page = operator_admin_client.get(DELIVERIES).content.decode()
    assert delivery.message_id in page and "410" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_admin_client.post(
            DELIVERIES, {"action": "replay", "_selected_action": [delivery.pk]}, follow=True
        )

    assert response.status_code == 200
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (WebhookDeliveryStatus.DELIVERED, 2, 204)
    assert [message.headers["webhook-id"] for message in receiver.wait_for(2)] == [delivery.message_id] * 2


def test_all_failed_deliveries_of_an_endpoint_are_replayed_at_once(
    operator_admin_client, receiver, django_capture_on_commit_callbacks
):
    endpoint = webhook_endpoint_create(url=receiver.url, events=["payment.created"])
    for number in range(3):
        webhook_event_record(event_type="payment.created", data={"id": number})
    WebhookDelivery.objects.update(status=WebhookDeliveryStatus.FAILED, attempts=13)

    with django_capture_on_commit_callbacks(execute=True):
        operator_admin_client.post(ENDPOINTS, {"action": "replay_failed", "_selected_action": [endpoint.pk]})

    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDeliveryStatus.DELIVERED}
    assert len(receiver.wait_for(3)) == 3


def test_rotating_from_the_admin_shows_the_new_secret_once(operator_admin_client):
    endpoint = WebhookEndpointFactory()

    response = operator_admin_client.post(
        ENDPOINTS, {"action": "rotate_secret", "_selected_action": [endpoint.pk]}, follow=True
    )

    stored = WebhookEndpoint.objects.get()
    assert stored.previous_secret == endpoint.secret
    assert stored.secret in response.content.decode()


def test_deliveries_cannot_be_added_changed_or_deleted(operator_admin_client):
    WebhookEndpointFactory()
    [delivery] = webhook_event_record(event_type="payment.created", data={"id": 1})

    assert operator_admin_client.get(f"{DELIVERIES}add/").status_code == 403
    assert operator_admin_client.post(f"{DELIVERIES}{delivery.pk}/delete/", {"post": "yes"}).status_code == 403
    assert WebhookDelivery.objects.filter(pk=delivery.pk).exists()
