"""The database itself refuses a payment or an anticipation that breaks the rules, whatever code writes it."""

from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from payments_api.payments.models import MAX_PAYMENT_VALUE, Anticipation, AnticipationStatus, Payment
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(supplier):
    return PaymentFactory(supplier=supplier)


def refused(factory, error=IntegrityError, **fields):
    with pytest.raises(error), transaction.atomic():
        factory(**fields)


@pytest.mark.parametrize(
    "fields",
    [{"value": Decimal("0.00")}, {"value": Decimal("-0.01")}, {"creation_date": days(0), "due_date": days(-1)}],
    ids=["zero", "negative", "due-before-creation"],
)
def test_the_database_refuses_a_payment_that_breaks_a_rule(supplier, fields):
    refused(PaymentFactory, supplier=supplier, **fields)

    assert not Payment.objects.exists()


def test_the_database_refuses_a_value_above_the_maximum(supplier):
    # 11 digits: the column itself overflows on PostgreSQL; the range check refuses it where the column would not.
    refused(PaymentFactory, (DataError, IntegrityError), supplier=supplier, value=MAX_PAYMENT_VALUE + Decimal("0.01"))

    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [{"value": Decimal("0.01")}, {"value": MAX_PAYMENT_VALUE}, {"creation_date": days(0), "due_date": days(0)}],
    ids=["smallest", "largest", "due-on-creation"],
)
def test_the_database_accepts_a_payment_at_the_edges(supplier, fields):
    payment = PaymentFactory(supplier=supplier, **fields)

    assert Payment.objects.filter(pk=payment.pk).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "X"},
        {"status": ""},
        {"new_value": Decimal("0.00")},
        {"new_value": Decimal("-1.00")},
        {"creation_date": days(0), "new_due_date": days(-1)},
    ],
    ids=["unknown-status", "empty-status", "zero-value", "negative-value", "new-due-before-creation"],
)
def test_the_database_refuses_an_anticipation_that_breaks_a_rule(payment, fields):
    refused(AnticipationFactory, payment=payment, **fields)

    assert not Anticipation.objects.exists()


def test_the_database_refuses_a_second_anticipation_of_a_payment(payment):
    first = AnticipationFactory(payment=payment)

    refused(AnticipationFactory, payment=payment, status=AnticipationStatus.DENIED)

    assert list(Anticipation.objects.filter(payment=payment)) == [first]


def test_anticipations_of_different_payments_are_independent(payment, supplier):
    AnticipationFactory(payment=payment)
    AnticipationFactory(payment=PaymentFactory(supplier=supplier))

    assert Anticipation.objects.count() == 2
