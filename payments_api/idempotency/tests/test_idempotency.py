"""Idempotency-Key on POST /api/payments/ and POST /api/anticipations/: one effect per key, whatever the retries."""

import datetime
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from payments_api.common.tests.concurrency import run_together
from payments_api.common.tests.problems import assert_problem
from payments_api.idempotency.models import IdempotencyKey
from payments_api.idempotency.services import idempotency_keys_purge
from payments_api.idempotency.tasks import purge_idempotency_keys
from payments_api.payments.models import Anticipation, Payment
from payments_api.payments.tests.factories import PaymentFactory
from payments_api.requestlogs.models import RequestLog
from payments_api.users.tests.factories import SupplierFactory


def days(offset: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


def post(client, url: str, body: dict, key: str | None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(url, body, format="json", headers=headers)


def payment_body() -> dict:
    return {"due_date": days(30), "value": "1000.00"}


def test_a_retry_with_the_same_key_replays_the_first_response_and_creates_nothing(supplier_client, supplier):
    key = str(uuid.uuid4())
    first = post(supplier_client, "/api/payments/", payment_body(), key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first

    retry = post(supplier_client, "/api/payments/", payment_body(), key)

    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert retry.content == first.content  # member order too
    assert retry["Location"] == first["Location"]
    assert Payment.objects.filter(supplier=supplier).count() == 1
    stored = IdempotencyKey.objects.get(user=supplier.user, key=key)
    assert stored.response_status == 201


def test_the_body_is_compared_as_json_not_as_text(supplier_client, supplier):
    key = "order-42"
    compact = '{"value": "1000.00", "due_date": "%s"}' % days(30)
    reordered = '{ "due_date":"%s",\n "value":"1000.00" }' % days(30)
    first, retry = (
        supplier_client.post(
            "/api/payments/", data=raw, content_type="application/json", headers={"Idempotency-Key": key}
        )
        for raw in (compact, reordered)
    )
    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1


def test_the_same_key_with_another_body_is_a_conflict_and_creates_nothing(supplier_client, supplier):
    key = str(uuid.uuid4())
    assert post(supplier_client, "/api/payments/", payment_body(), key).status_code == 201

    response = post(supplier_client, "/api/payments/", {**payment_body(), "value": "999.99"}, key)

    assert_problem(response, 409, "idempotency-key-reused")
    assert list(Payment.objects.values_list("value", flat=True)) == [1000]


def test_the_same_key_on_another_path_is_a_conflict(supplier_client, supplier):
    payment = PaymentFactory(supplier=supplier)
    key = str(uuid.uuid4())
    assert post(supplier_client, "/api/payments/", payment_body(), key).status_code == 201

    response = post(supplier_client, "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(10)}, key)

    assert_problem(response, 409, "idempotency-key-reused")
    assert not Anticipation.objects.exists()


def test_anticipation_request_is_replayed_without_a_second_log_or_email(
    supplier_client, supplier, mailoutbox, django_capture_on_commit_callbacks
):
    payment = PaymentFactory(supplier=supplier, due_date=timezone.localdate() + datetime.timedelta(days=30))
    body = {"payment": payment.pk, "new_due_date": days(14)}
    with django_capture_on_commit_callbacks(execute=True):
        first = post(supplier_client, "/api/anticipations/", body, "anticipate-1")
        retries = [post(supplier_client, "/api/anticipations/", body, "anticipate-1") for _ in range(3)]

    assert first.status_code == 201
    assert all(r.status_code == 201 and r["Idempotent-Replayed"] == "true" for r in retries)
    assert all(r.json() == first.json() for r in retries)
    assert Anticipation.objects.count() == 1
    assert RequestLog.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_refusal_is_the_first_response_too_and_is_replayed(supplier_client, supplier):
    payment = PaymentFactory(supplier=supplier)
    body = {"payment": payment.pk, "new_due_date": days(-1)}
    first = post(supplier_client, "/api/anticipations/", body, "bad-date")
    assert_problem(first, 400, "invalid-new-due-date")

    retry = post(supplier_client, "/api/anticipations/", body, "bad-date")

    assert_problem(retry, 400, "invalid-new-due-date")
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()  # the first request's id included: its log lines tell what happened
    assert retry["X-Request-ID"] != first["X-Request-ID"]
    assert not Anticipation.objects.exists()


def test_keys_belong_to_one_user(supplier_client, other_supplier_client, supplier, other_supplier):
    key = "shared-key"
    mine = post(supplier_client, "/api/payments/", payment_body(), key)
    theirs = post(other_supplier_client, "/api/payments/", payment_body(), key)

    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["supplier"] == other_supplier.pk  # never the other supplier's stored response
    assert Payment.objects.filter(supplier=supplier).count() == 1
    assert Payment.objects.filter(supplier=other_supplier).count() == 1


def test_without_a_key_every_post_creates(supplier_client, supplier):
    for _ in range(2):
        assert post(supplier_client, "/api/payments/", payment_body(), None).status_code == 201
    assert Payment.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["", " ", "a" * 256, "key with spaces", "ключ", "a/b", 'quote"d', "tab\tkey"])
def test_a_malformed_key_is_a_validation_problem_and_creates_nothing(supplier_client, key):
    response = post(supplier_client, "/api/payments/", payment_body(), key)

    assert_problem(response, 400, "invalid-idempotency-key", fields={"Idempotency-Key"})
    assert not Payment.objects.exists()
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["a", "A" * 255, "0b4c9a3e-8f0e-4c53-9f5e-1f1b1b1b1b1b", "01HZX:order_42.retry-1"])
def test_well_formed_keys_are_accepted(supplier_client, key):
    assert post(supplier_client, "/api/payments/", payment_body(), key).status_code == 201


def test_a_key_still_in_progress_is_a_conflict(supplier_client, supplier):
    # Only visible if a first request's row were committed without its response; the claim refuses to guess.
    IdempotencyKey.objects.create(user=supplier.user, key="busy", fingerprint="x" * 64, created_at=timezone.now())
    response = post(supplier_client, "/api/payments/", payment_body(), "busy")
    assert response.status_code == 409  # another fingerprint: reused
    IdempotencyKey.objects.filter(key="busy").delete()

    first = post(supplier_client, "/api/payments/", payment_body(), "busy")
    IdempotencyKey.objects.filter(key="busy").update(response_status=None)
    assert_problem(post(supplier_client, "/api/payments/", payment_body(), "busy"), 409, "idempotency-key-in-progress")
    assert first.status_code == 201
    assert Payment.objects.count() == 1


def test_a_key_is_honoured_for_24_hours_then_free_again(supplier_client, supplier, settings):
    key = "daily"
    post(supplier_client, "/api/payments/", payment_body(), key)
    stored = IdempotencyKey.objects.get(key=key)

    stored.created_at = timezone.now() - datetime.timedelta(hours=23, minutes=59)
    stored.save()
    assert post(supplier_client, "/api/payments/", payment_body(), key)["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1

    IdempotencyKey.objects.filter(pk=stored.pk).update(created_at=timezone.now() - datetime.timedelta(hours=24))
    again = post(supplier_client, "/api/payments/", {**payment_body(), "value": "5.00"}, key)
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Payment.objects.count() == 2


def test_expired_keys_are_purged_by_the_command_and_the_task(supplier_client, supplier):
    for key in ("old-1", "old-2", "fresh"):
        post(supplier_client, "/api/payments/", payment_body(), key)
    IdempotencyKey.objects.filter(key__startswith="old").update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )

    call_command("purge_idempotency_keys", stdout=open("/dev/null", "w"))
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]

    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    assert purge_idempotency_keys.delay().get() == 1
    assert idempotency_keys_purge() == 0
    assert Payment.objects.count() == 3  # purging keys never touches what they created


def test_the_key_is_documented_in_the_schema(anonymous_client):
    schema = anonymous_client.get("/api/schema/?format=json").json()
    for path in ("/api/payments/", "/api/anticipations/"):
        operation = schema["paths"][path]["post"]
        (parameter,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert parameter["in"] == "header"
        assert parameter.get("required", False) is False
        assert "409" in operation["responses"]
        assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]


def _concurrent_posts(user, url: str, body: dict, key: str, count: int) -> list:
    """`count` threads post the same request at once, each with its own connection."""
    token = str(AccessToken.for_user(user))

    def send(index: int):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return post(client, url, body, key)

    return run_together(count, send)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_a_payment_create_one_payment():
    supplier = SupplierFactory()
    responses = _concurrent_posts(supplier.user, "/api/payments/", payment_body(), "race-payment", 8)

    assert [r.status_code for r in responses] == [201] * 8
    assert sum("Idempotent-Replayed" not in r for r in responses) == 1
    assert len({r.json()["id"] for r in responses}) == 1
    assert Payment.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_an_anticipation_request_create_one_anticipation_and_one_log():
    supplier = SupplierFactory()
    payment = PaymentFactory(supplier=supplier)
    body = {"payment": payment.pk, "new_due_date": days(10)}
    responses = _concurrent_posts(supplier.user, "/api/anticipations/", body, "race-anticipation", 8)

    assert [r.status_code for r in responses] == [201] * 8
    assert sum("Idempotent-Replayed" not in r for r in responses) == 1
    assert Anticipation.objects.count() == 1
    assert RequestLog.objects.count() == 1
