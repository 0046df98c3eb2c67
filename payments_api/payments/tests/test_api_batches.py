"""POST /api/anticipations/batch/: each item under the single request's rules, all-or-none, limits, Idempotency-Key,
one e-mail per supplier, operators on suppliers' behalf, and a race with single requests."""

from decimal import Decimal

import pytest

from payments_api.common.tests.concurrency import run_together
from payments_api.common.tests.problems import assert_problem
from payments_api.notifications.models import Notification, NotificationTemplate
from payments_api.payments.batches import MAX_BATCH_ITEMS
from payments_api.payments.models import Anticipation
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.payments.tests.test_api_anticipations import rendered
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import SupplierFactory
from payments_api.webhooks.models import WebhookDelivery
from payments_api.webhooks.tests.factories import WebhookEndpointFactory

URL = "/api/anticipations/batch/"


def item(payment, offset: int = 0) -> dict:
    return {"payment": payment.pk, "new_due_date": days(offset).isoformat()}


def without_request_id(problem: dict) -> dict:
    return {name: value for name, value in problem.items() if name != "request_id"}


def assert_nothing_written():
    assert not Anticipation.objects.exists()
    assert not RequestLog.objects.exists()
    assert not Notification.objects.exists()
    assert not WebhookDelivery.objects.exists()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what the block's transactions leave for after their commit (the e-mails), as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def payments(supplier):
    """Four of the supplier's payments of 1,000.00 due in 16 days; the second already has an anticipation."""
    made = [PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16)) for _ in range(4)]
    AnticipationFactory(payment=made[1])
    return made


@pytest.mark.django_db
def test_each_item_succeeds_or_fails_on_its_own_in_item_order(
    supplier, supplier_client, payments, committed, mailoutbox
):
    WebhookEndpointFactory()
    body = {"items": [item(payments[0]), item(payments[1]), item(payments[2], offset=16), item(payments[3])]}

    with committed():
        response = supplier_client.post(URL, body, format="json")

    assert response.status_code == 200, response.content
    outcome = response.json()
    assert (outcome["succeeded"], outcome["failed"]) == (2, 2)
    results = outcome["results"]
    assert [(result["index"], result["status"]) for result in results] == [(0, 201), (1, 409), (2, 400), (3, 201)]
    created = {anticipation.payment_id: anticipation for anticipation in Anticipation.objects.exclude(
        payment=payments[1]
    )}
    assert set(created) == {payments[0].pk, payments[3].pk}
    assert results[0]["anticipation"] == rendered(created[payments[0].pk])
    assert results[3]["anticipation"] == rendered(created[payments[3].pk])
    assert created[payments[0].pk].new_value == Decimal("984.00")
    # Refused exactly as a single request is refused.
    for index in (1, 2):
        single = supplier_client.post("/api/anticipations/", body["items"][index], format="json")
        expected = assert_problem(single, results[index]["status"])
        assert without_request_id(results[index]["problem"]) == expected
    assert results[1]["problem"]["code"] == "anticipation-exists"
    assert results[2]["problem"]["code"] == "invalid-new-due-date"
    # Each anticipation is logged and announced to the buyer's systems as a single one is.
    logs = RequestLog.objects.filter(action=RequestLogAction.REQUESTED).order_by("anticipation__payment")
    assert [(log.anticipation.payment_id, log.user_id) for log in logs] == [
        (payments[0].pk, supplier.user.pk),
        (payments[3].pk, supplier.user.pk),
    ]
    assert WebhookDelivery.objects.filter(event_type="anticipation.requested").count() == 2
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_one_e_mail_lists_every_anticipation_of_the_batch(supplier, supplier_client, committed, mailoutbox):
    supplier.language = "en"
    supplier.save()
    payments = [
        PaymentFactory(supplier=supplier, value=Decimal(value), due_date=days(16), external_id=f"NF-{n}")
        for n, value in enumerate(["1000.00", "2500.50", "300.00"])
    ]

    with committed():
        response = supplier_client.post(URL, {"items": [item(payment) for payment in payments]}, format="json")

    assert response.status_code == 200, response.content
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [supplier.user.email]
    assert message.subject == "3 anticipations requested"
    for payment in payments:
        assert f"Payment #{payment.pk} (invoice {payment.external_id})" in message.body
    assert "Total original value:  R$ 3,800.50" in message.body
    assert "Total new value:       R$ 3,739.69" in message.body
    html = message.alternatives[0][0]
    assert all(f"#{payment.pk}" in html for payment in payments)
    notification = Notification.objects.get()
    assert notification.template == NotificationTemplate.ANTICIPATION_BATCH
    first_log = RequestLog.objects.get(anticipation__payment=payments[0])
    assert notification.request_log == first_log


@pytest.mark.django_db
def test_the_batch_e_mail_speaks_the_supplier_s_language(client_for, committed, mailoutbox):
    supplier = SupplierFactory(language="pt-br")
    payments = [PaymentFactory(supplier=supplier, due_date=days(16)) for _ in range(2)]

    with committed():
        response = client_for(supplier.user).post(URL, {"items": list(map(item, payments))}, format="json")

    assert response.status_code == 200, response.content
    assert mailoutbox[0].subject == "2 antecipações solicitadas"
    assert f"Pagamento nº {payments[0].pk}" in mailoutbox[0].body
    assert "R$ 1.968,00" in mailoutbox[0].body


@pytest.mark.django_db
def test_a_batch_where_every_item_fails_e_mails_nobody(supplier_client, payments, committed, mailoutbox):
    with committed():
        response = supplier_client.post(URL, {"items": [item(payments[1])]}, format="json")

    assert response.status_code == 200
    assert (response.json()["succeeded"], response.json()["failed"]) == (0, 1)
    assert mailoutbox == [] and not Notification.objects.exists()


@pytest.mark.django_db
def test_all_or_none_writes_nothing_when_an_item_fails(supplier_client, payments, committed, mailoutbox):
    WebhookEndpointFactory()
    Anticipation.objects.all().delete()  # no anticipation stands before the batch: nothing may be left after it
    body = {"items": [item(payments[0]), item(payments[2], offset=16), item(payments[3])], "all_or_none": True}

    with committed():
        response = supplier_client.post(URL, body, format="json")

    problem = assert_problem(response, 409, "batch-failed")
    assert (problem["succeeded"], problem["failed"]) == (2, 1)
    assert [(result["index"], result["status"]) for result in problem["results"]] == [(0, 201), (1, 400), (2, 201)]
    assert problem["results"][0]["anticipation"]["new_value"] == "984.00"
    assert problem["results"][1]["problem"]["code"] == "invalid-new-due-date"
    assert_nothing_written()
    assert mailoutbox == []


@pytest.mark.django_db
def test_all_or_none_writes_everything_when_every_item_passes(supplier_client, payments, committed, mailoutbox):
    body = {"items": [item(payments[0]), item(payments[2]), item(payments[3])], "all_or_none": True}

    with committed():
        response = supplier_client.post(URL, body, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["succeeded"] == 3
    assert Anticipation.objects.filter(payment__in=[payments[0], payments[2], payments[3]]).count() == 3
    assert len(mailoutbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("count", [0, MAX_BATCH_ITEMS + 1])
def test_a_batch_holds_one_to_a_hundred_items(supplier, supplier_client, count):
    payments = [PaymentFactory(supplier=supplier) for _ in range(count)]

    response = supplier_client.post(URL, {"items": [item(payment) for payment in payments]}, format="json")

    assert_problem(response, 400, "validation-error", fields={"items"})
    assert_nothing_written()


@pytest.mark.django_db
def test_a_batch_of_a_hundred_items_is_accepted(supplier, supplier_client, committed, mailoutbox):
    payments = [PaymentFactory(supplier=supplier, due_date=days(16)) for _ in range(MAX_BATCH_ITEMS)]

    with committed():
        response = supplier_client.post(URL, {"items": [item(payment) for payment in payments]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["succeeded"] == MAX_BATCH_ITEMS
    assert Anticipation.objects.count() == MAX_BATCH_ITEMS
    assert len(mailoutbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", [int, str])
def test_a_payment_named_twice_refuses_the_batch(supplier_client, payments, spelling):
    items = [item(payments[0]), item(payments[2]), {**item(payments[0], offset=1), "payment": spelling(payments[0].pk)}]

    response = supplier_client.post(URL, {"items": items}, format="json")

    problem = assert_problem(response, 400, "validation-error", fields={"items.2.payment"})
    assert problem["errors"][0]["code"] == "unique"
    assert not Anticipation.objects.exclude(payment=payments[1]).exists()


@pytest.mark.django_db
def test_another_supplier_s_payment_refuses_the_batch_as_the_single_request_does(
    supplier_client, payments, other_supplier
):
    foreign = PaymentFactory(supplier=other_supplier, due_date=days(16))

    response = supplier_client.post(URL, {"items": [item(payments[0]), item(foreign)]}, format="json")

    problem = assert_problem(response, 400, "validation-error", fields={"items.1.payment"})
    single = assert_problem(supplier_client.post("/api/anticipations/", item(foreign), format="json"), 400)
    assert problem["errors"][0]["detail"] == single["errors"][0]["detail"]
    assert not Anticipation.objects.exclude(payment=payments[1]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "items"),
        ({"items": "1,2"}, "items"),
        ({"items": [{"payment": 1}]}, "items.0.new_due_date"),
        ({"items": [{"new_due_date": "2030-01-01"}]}, "items.0.payment"),
        ({"items": [{"payment": 1, "new_due_date": "2030-01-01"}], "all_or_none": "perhaps"}, "all_or_none"),
    ],
)
def test_a_malformed_batch_is_a_400(supplier_client, body, field):
    problem = assert_problem(supplier_client.post(URL, body, format="json"), 400, "validation-error")
    assert field in {error["field"] for error in problem["errors"]}


@pytest.mark.django_db
def test_an_idempotency_key_covers_the_whole_batch(supplier_client, payments, committed, mailoutbox):
    body = {"items": [item(payments[0]), item(payments[1]), item(payments[2])]}
    headers = {"HTTP_IDEMPOTENCY_KEY": "batch-1"}

    with committed():
        first = supplier_client.post(URL, body, format="json", **headers)
    with committed():
        again = supplier_client.post(URL, body, format="json", **headers)

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Anticipation.objects.count() == 3  # the two of the batch and the one that stood before
    assert RequestLog.objects.count() == 2
    assert len(mailoutbox) == 1
    with committed():
        other = supplier_client.post(URL, {"items": [item(payments[3])]}, format="json", **headers)
    assert_problem(other, 409, "idempotency-key-reused")


@pytest.mark.django_db
def test_an_idempotency_key_replays_an_all_or_none_refusal(supplier_client, payments):
    body = {"items": [item(payments[0]), item(payments[1])], "all_or_none": True}
    headers = {"HTTP_IDEMPOTENCY_KEY": "batch-2"}

    first = supplier_client.post(URL, body, format="json", **headers)
    again = supplier_client.post(URL, body, format="json", **headers)

    assert_problem(first, 409, "batch-failed")
    assert again.status_code == 409 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Anticipation.objects.count() == 1


@pytest.mark.django_db
def test_an_operator_batches_on_behalf_of_suppliers_who_each_get_one_e_mail(
    operator, operator_client, committed, mailoutbox
):
    suppliers = [SupplierFactory(language="en"), SupplierFactory(language="en")]
    payments = [PaymentFactory(supplier=supplier, due_date=days(16)) for supplier in suppliers for _ in range(2)]

    with committed():
        response = operator_client.post(URL, {"items": [item(payment) for payment in payments]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["succeeded"] == 4
    assert set(RequestLog.objects.values_list("user", flat=True)) == {operator.pk}
    assert sorted(message.to[0] for message in mailoutbox) == sorted(supplier.user.email for supplier in suppliers)
    for message in mailoutbox:
        assert message.subject == "2 anticipations requested"


@pytest.mark.django_db
def test_who_may_batch(anonymous_client, client_for, plain_user, payments):
    body = {"items": [item(payments[0])]}
    assert_problem(anonymous_client.post(URL, body, format="json"), 401)
    assert_problem(client_for(plain_user).post(URL, body, format="json"), 403)
    assert not Anticipation.objects.filter(payment=payments[0]).exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_batch_racing_single_requests_for_the_same_payment_lets_exactly_one_win(supplier, client_for, mailoutbox):
    contested = PaymentFactory(supplier=supplier, due_date=days(16))
    others = [PaymentFactory(supplier=supplier, due_date=days(16)) for _ in range(3)]
    threads = 6
    clients = [client_for(supplier.user) for _ in range(threads)]

    def send(index):
        if index % 2 == 0:
            # Batches name the contested payment in different places, and share the others.
            items = [item(contested), *map(item, others)] if index % 4 == 0 else [*map(item, others), item(contested)]
            return clients[index].post(URL, {"items": items}, format="json")
        return clients[index].post("/api/anticipations/", item(contested), format="json")

    responses = run_together(threads, send)

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert all(response.status_code < 500 for response in responses), [r.status_code for r in responses]
    assert Anticipation.objects.filter(payment=contested).count() == 1
    assert Anticipation.objects.count() == 4
    wins = 0
    for index, response in enumerate(responses):
        if index % 2:
            wins += response.status_code == 201
        else:
            outcome = response.json()
            wins += sum(r.get("anticipation", {}).get("payment") == contested.pk for r in outcome["results"])
    assert wins == 1
    assert RequestLog.objects.count() == 4
