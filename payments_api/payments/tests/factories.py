import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from payments_api.payments.models import Anticipation, AnticipationStatus, Payment
from payments_api.programme.selectors import programme_current
from payments_api.users.tests.factories import SupplierFactory


def days(offset: int) -> datetime.date:
    """The date `offset` days from today (negative: in the past)."""
    return timezone.localdate() + datetime.timedelta(days=offset)


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment stored directly; use payment_create to go through the rules."""

    class Meta:
        model = Payment

    supplier = factory.SubFactory(SupplierFactory)
    creation_date = factory.LazyFunction(lambda: days(-10))
    due_date = factory.LazyFunction(lambda: days(30))
    value = Decimal("1000.00")


class AnticipationFactory(factory.django.DjangoModelFactory):
    """An anticipation stored directly (no log, no e-mail); use anticipation_request to go through the rules."""

    class Meta:
        model = Anticipation

    payment = factory.SubFactory(PaymentFactory)
    creation_date = factory.LazyAttribute(lambda o: o.payment.creation_date)
    new_due_date = factory.LazyFunction(lambda: days(10))
    new_value = Decimal("980.00")
    status = AnticipationStatus.PENDING_CONFIRMATION
    monthly_rate = factory.LazyFunction(lambda: programme_current().monthly_rate)
    programme_version_id = factory.LazyFunction(lambda: programme_current().version_id)
