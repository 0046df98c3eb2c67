"""Webhooks through a real Celery worker (see common/tests/celery_worker.py) to a real receiver on loopback: sent
after the action commits, retried with the same webhook-id, and none lost when the broker refuses the web side."""

import datetime
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from standardwebhooks.webhooks import Webhook

from payments_api.common.tests.celery_worker import wait_for
from payments_api.payments.services import anticipation_request
from payments_api.payments.tests.factories import PaymentFactory, days
from payments_api.webhooks.models import WebhookDelivery, WebhookDeliveryStatus
from payments_api.webhooks.services import webhook_deliveries_relay, webhook_endpoint_create
from payments_api.webhooks.tests.receiver import Reply

pytestmark = pytest.mark.django_db(transaction=True)

QUIET_PERIOD = 1.0


@pytest.fixture
def endpoint(receiver):
    return webhook_endpoint_create(
        url=receiver.url, events=["anticipation.requested", "anticipation.approved", "anticipation.denied"]
    )


def request_anticipation(client, payment):
    response = client.post(
        "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(5).isoformat()}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_request_and_an_approval_by_api_are_delivered_once_each_by_the_worker(
    task_activity, endpoint, receiver, supplier, client_for, operator
):
    payment = PaymentFactory(supplier=supplier, due_date=days(30))
    requested = request_anticipation(client_for(supplier.user), payment)
    approved = client_for(operator).patch(f"/api/anticipations/{requested['id']}/", {"status": "A"}, format="json")
    assert approved.status_code == 200

    received = receiver.wait_for(2)
    time.sleep(QUIET_PERIOD)  # and no second copy follows
    assert len(receiver.received) == 2, receiver.received
    events = [Webhook(endpoint.secret).verify(message.body, message.headers) for message in received]
    assert sorted(event["type"] for event in events) == ["anticipation.approved", "anticipation.requested"]
    by_type = {event["type"]: event["data"] for event in events}
    assert by_type["anticipation.requested"] == {**requested, "supplier": supplier.pk}
    assert by_type["anticipation.approved"] == {**approved.json(), "supplier": supplier.pk}
    assert "payments_api.webhooks.tasks.send_webhook" in task_activity["ran"]


def test_a_receiver_answering_500_then_204_gets_the_workers_retry_with_the_same_webhook_id(
    task_activity, endpoint, receiver, supplier
):
    receiver.answer(500)
    payment = PaymentFactory(supplier=supplier, due_date=days(30))

    anticipation_request(payment=payment, new_due_date=days(5), requested_by=supplier.user)

    first, second = receiver.wait_for(2, timeout=20)  # the first retry comes after 5 to 5.5 seconds
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert Webhook(endpoint.secret).verify(second.body, second.headers)["type"] == "anticipation.requested"
    time.sleep(QUIET_PERIOD)
    assert len(receiver.received) == 2
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (WebhookDeliveryStatus.DELIVERED, 2, 204)


@pytest.mark.parametrize("refusal", ["no-such-vhost", "wrong-password", "dead-port"])
def test_deliveries_of_requests_made_while_the_broker_refuses_the_web_side_arrive_once_after_the_relay(
    web_broker, refusal, task_activity, endpoint, receiver, supplier, client_for
):
    from payments_api.celery import app

    working = urlsplit(app.conf.broker_url)
    if refusal == "no-such-vhost":
        refused = urlunsplit(working._replace(path="/no-such-vhost"))
    elif refusal == "wrong-password":
        netloc = f"{working.username}:wrong-password@{working.hostname}:{working.port}"
        refused = urlunsplit(working._replace(netloc=netloc))
    else:
        refused = "amqp://guest:guest@127.0.0.1:1//"
    web_broker(refused)
    client = client_for(supplier.user)

    requested = [request_anticipation(client, PaymentFactory(supplier=supplier, due_date=days(30))) for _ in range(2)]

    assert WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.PENDING).count() == 2
    time.sleep(QUIET_PERIOD)
    assert receiver.received == []

    web_broker()  # the broker takes the web side back
    assert webhook_deliveries_relay(older_than=datetime.timedelta(0)) == 2

    received = receiver.wait_for(2)
    time.sleep(QUIET_PERIOD)  # and no second copy follows
    assert len(receiver.received) == 2, received
    ids = sorted(Webhook(endpoint.secret).verify(m.body, m.headers)["data"]["id"] for m in received)
    assert ids == sorted(anticipation["id"] for anticipation in requested)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDeliveryStatus.DELIVERED}
    assert webhook_deliveries_relay(older_than=datetime.timedelta(0)) == 0


def test_a_receiver_that_has_not_answered_yet_does_not_hold_the_request(
    task_activity, endpoint, receiver, supplier, client_for
):
    answer = threading.Event()
    receiver.answer(Reply(hold=answer))

    request_anticipation(client_for(supplier.user), PaymentFactory(supplier=supplier, due_date=days(30)))

    assert len(receiver.wait_for(1)) == 1  # the worker's request, waiting for its answer
    assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.PENDING
    answer.set()
    assert wait_for(lambda: WebhookDelivery.objects.get().status == WebhookDeliveryStatus.DELIVERED)
