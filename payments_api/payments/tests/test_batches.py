"""anticipation_batch_request, as a page calls it: pairs or BatchItems in, a result to render out."""

from decimal import Decimal

import pytest

from payments_api.common.exceptions import ValidationFailed
from payments_api.payments.batches import AnticipationBatch, BatchItem, anticipation_batch_request
from payments_api.payments.errors import AnticipationAlreadyExists, NotPaymentOwner
from payments_api.notifications.models import Notification
from payments_api.payments.models import Anticipation
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days

pytestmark = pytest.mark.django_db


def test_pairs_and_items_are_tried_in_order(supplier, django_capture_on_commit_callbacks, mailoutbox):
    payments = [PaymentFactory(supplier=supplier, value=Decimal("1000.00"), due_date=days(16)) for _ in range(3)]
    AnticipationFactory(payment=payments[1])

    with django_capture_on_commit_callbacks(execute=True):
        batch = anticipation_batch_request(
            items=[(payments[0], days(0)), BatchItem(payments[1], days(0)), (payments[2], days(0))],
            all_or_none=False,
            requested_by=supplier.user,
        )

    assert isinstance(batch, AnticipationBatch) and batch.written
    assert [result.index for result in batch.results] == [0, 1, 2]
    assert [result.succeeded for result in batch.results] == [True, False, True]
    assert isinstance(batch.results[1].error, AnticipationAlreadyExists)
    assert (batch.succeeded, batch.failed) == (2, 1)
    assert [anticipation.payment_id for anticipation in batch.anticipations] == [payments[0].pk, payments[2].pk]
    assert batch.anticipations[0].new_value == Decimal("984.00")
    assert len(mailoutbox) == 1


def test_all_or_none_rolls_back_and_keeps_the_refusals(supplier, other_supplier, mailoutbox):
    mine = PaymentFactory(supplier=supplier, due_date=days(16))
    theirs = PaymentFactory(supplier=other_supplier, due_date=days(16))

    batch = anticipation_batch_request(
        items=[(mine, days(0)), (theirs, days(0))], all_or_none=True, requested_by=supplier.user
    )

    assert not batch.written and batch.anticipations == []
    assert isinstance(batch.results[1].error, NotPaymentOwner)
    assert not Anticipation.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("count", [0, 101])
def test_a_batch_holds_one_to_a_hundred_items(supplier, count):
    payments = [PaymentFactory(supplier=supplier) for _ in range(count)]
    with pytest.raises(ValidationFailed) as refused:
        anticipation_batch_request(
            items=[(payment, days(0)) for payment in payments], all_or_none=False, requested_by=supplier.user
        )
    assert refused.value.field == "items"


def test_a_payment_named_twice_is_refused(supplier):
    payment = PaymentFactory(supplier=supplier)
    with pytest.raises(ValidationFailed) as refused:
        anticipation_batch_request(
            items=[(payment, days(0)), (payment, days(1))], all_or_none=False, requested_by=supplier.user
        )
    assert (refused.value.field, refused.value.field_code) == ("items.1.payment", "unique")


def test_the_batch_e_mail_is_previewed_in_the_notifications_admin(supplier, client, admin_operator):
    payments = [PaymentFactory(supplier=supplier, due_date=days(16)) for _ in range(2)]
    anticipation_batch_request(
        items=[(payment, days(0)) for payment in payments], all_or_none=False, requested_by=supplier.user
    )
    notification = Notification.objects.get()
    client.force_login(admin_operator)

    response = client.get(f"/admin/notifications/notification/{notification.pk}/change/")

    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview["subject"] == "2 antecipações solicitadas"
    assert all(f"nº {payment.pk}" in preview["text"] for payment in payments)


def test_the_notifications_admin_lists_a_batch_e_mail_as_one(supplier, client, admin_operator):
    payments = [PaymentFactory(supplier=supplier, due_date=days(16)) for _ in range(3)]
    anticipation_batch_request(
        items=[(payment, days(0)) for payment in payments], all_or_none=False, requested_by=supplier.user
    )
    first = Anticipation.objects.get(payment=payments[0])
    client.force_login(admin_operator)

    page = client.get("/admin/notifications/notification/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f"Requested anticipations #{first.pk} and 2 more (a batch)" in page
