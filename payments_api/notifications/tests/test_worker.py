"""Supplier e-mails through a real Celery worker (see common/tests/celery_worker.py): queued only when the
action commits, never on rollback, delivered once after a broker outage, and over real SMTP end to end.
"""

import datetime
import email
import socket
import threading
import time
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core import mail
from django.db import transaction

from payments_api.common.tests.celery_worker import wait_for, wait_for_mail
from payments_api.notifications.models import Notification, NotificationStatus
from payments_api.notifications.services import notifications_relay
from payments_api.payments.models import Anticipation, Decision
from payments_api.payments.services import anticipation_decide, anticipation_request
from payments_api.payments.tests.factories import PaymentFactory, days
from payments_api.users.models import Language

pytestmark = pytest.mark.django_db(transaction=True)

QUIET_PERIOD = 1.0


class Rollback(Exception):
    pass


def test_the_worker_sends_the_email_only_after_the_request_commits(task_activity, supplier, mailoutbox):
    payment = PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16))

    with transaction.atomic():
        anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)
        time.sleep(QUIET_PERIOD)  # the worker is running: a task published too early would have run by now
        assert task_activity == {"published": [], "ran": []}
        assert mail.outbox == []

    sent = wait_for_mail(1)
    time.sleep(0.5)  # and no second copy follows
    sent = list(mail.outbox)
    assert len(sent) == 1, sent
    assert len(task_activity["published"]) == len(task_activity["ran"]) == 1, task_activity
    message = sent[0]
    assert message.to == [supplier.user.email]
    assert f"nº {payment.pk}" in message.subject
    assert f"nº {payment.pk}" in message.body
    assert "R$ 984,00" in message.body
    assert anticipation.new_due_date.strftime("%d/%m/%Y") in message.body


def test_a_rolled_back_request_never_sends_an_email(task_activity, supplier, mailoutbox):
    payment = PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16))

    with pytest.raises(Rollback):
        with transaction.atomic():
            anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)
            raise Rollback()

    time.sleep(2 * QUIET_PERIOD)
    assert task_activity == {"published": [], "ran": []}
    assert mail.outbox == []
    assert not Anticipation.objects.exists()


@pytest.fixture
def silent_broker():
    """A broker address that accepts connections and never answers, like a broker host that hangs; counts them."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    connections = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connections.append(listener.accept()[0])
            except TimeoutError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"amqp://guest:guest@127.0.0.1:{listener.getsockname()[1]}//", connections=connections)
    stop.set()
    thread.join()
    for connection in connections:
        connection.close()
    listener.close()


def test_after_a_publish_times_out_requests_leave_their_emails_to_the_relay_for_a_while(
    web_broker, silent_broker, supplier, client_for, settings
):
    """A broker that does not answer costs one request per NOTIFICATION_PUBLISH_PAUSE the connection timeout."""
    settings.NOTIFICATION_PUBLISH_PAUSE = 2.0
    web_broker(silent_broker.url)
    client = client_for(supplier.user)

    def request_anticipation() -> float:
        payment = PaymentFactory(supplier=supplier, due_date=days(30))
        started = time.monotonic()
        response = client.post(
            "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(5).isoformat()}, format="json"
        )
        assert response.status_code == 201, response.content
        return time.monotonic() - started

    first = request_anticipation()
    paused = [request_anticipation() for _ in range(4)]
    assert first >= 1.0, first  # waited for the broker (CELERY_BROKER_CONNECTION_TIMEOUT)
    assert max(paused) < 0.5, paused  # did not
    assert len(silent_broker.connections) == 1
    time.sleep(max(0.0, settings.NOTIFICATION_PUBLISH_PAUSE - sum(paused)))
    assert request_anticipation() >= 1.0  # the pause is over: the broker is tried again
    assert len(silent_broker.connections) == 2
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 6  # for the relay


def test_emails_of_requests_made_while_the_broker_is_down_arrive_once_after_it_returns(
    broker_down, task_activity, supplier, operator, client_for, mailoutbox
):
    payments = [PaymentFactory(supplier=supplier, due_date=days(30)) for _ in range(3)]
    client = client_for(supplier.user)

    started = time.monotonic()
    for payment in payments:
        response = client.post(
            "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(5).isoformat()}, format="json"
        )
        assert response.status_code == 201, response.content
    assert time.monotonic() - started < 15  # publishing gave up quickly instead of hanging the requests
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 3
    time.sleep(QUIET_PERIOD)
    assert mail.outbox == []

    broker_down()  # the broker is back
    assert notifications_relay(older_than=datetime.timedelta(0), batch_size=2) == 3

    sent = wait_for_mail(3)
    time.sleep(QUIET_PERIOD)  # and no second copy follows
    assert len(mail.outbox) == 3, sent
    assert sorted(message.to[0] for message in mail.outbox) == [supplier.user.email] * 3
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    # A second relay pass finds nothing left to send.
    assert notifications_relay(older_than=datetime.timedelta(0)) == 0


@pytest.mark.parametrize("refusal", ["no-such-vhost", "wrong-password"])
def test_a_broker_that_refuses_the_web_side_fails_no_request_and_loses_no_email(
    web_broker, refusal, task_activity, supplier, client_for, mailoutbox
):
    from payments_api.celery import app

    working = urlsplit(app.conf.broker_url)
    if refusal == "no-such-vhost":
        refused = working._replace(path="/no-such-vhost")
    else:
        refused = working._replace(netloc=f"{working.username}:wrong-password@{working.hostname}:{working.port}")
    web_broker(urlunsplit(refused))
    payment = PaymentFactory(supplier=supplier, due_date=days(30))

    response = client_for(supplier.user).post(
        "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(5).isoformat()}, format="json"
    )

    assert response.status_code == 201, response.content
    assert Notification.objects.get().status == NotificationStatus.PENDING
    web_broker()  # the broker takes the web side back
    assert notifications_relay(older_than=datetime.timedelta(0)) == 1
    wait_for_mail(1)
    time.sleep(QUIET_PERIOD)  # and no second copy follows
    assert [message.to for message in mail.outbox] == [[supplier.user.email]]


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on loopback that keeps what it receives; the project sends to it with the SMTP backend."""
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 Message accepted for delivery"

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    yield sink
    controller.stop()


def test_a_decision_email_reaches_a_real_smtp_server_once_end_to_end(task_activity, smtp_sink, supplier, operator):
    supplier.language = Language.ENGLISH
    supplier.save()
    payment = PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16))
    anticipation = anticipation_request(payment=payment, new_due_date=days(0), requested_by=supplier.user)
    anticipation_decide(anticipation=anticipation, decision=Decision.APPROVED, decided_by=operator)

    assert wait_for(lambda: len(smtp_sink.messages) >= 2), smtp_sink.messages
    time.sleep(QUIET_PERIOD)
    assert len(smtp_sink.messages) == 2
    approved = email.message_from_bytes(smtp_sink.messages[1].content)
    assert smtp_sink.messages[1].rcpt_tos == [supplier.user.email]
    assert approved["Subject"] == f"Anticipation approved for payment #{payment.pk}"
    assert approved.is_multipart()
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in approved.walk()
        if not part.is_multipart()
    }
    assert {"text/plain", "text/html"} <= parts.keys()
    for body in (parts["text/plain"], parts["text/html"]):
        assert "R$ 1,000.00" in body and "R$ 984.00" in body
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
