"""The cockpit's browser tests share one programme of suppliers, payments and anticipations."""

from decimal import Decimal

import pytest

from payments_api.payments.models import AnticipationStatus
from payments_api.payments.services import anticipation_request, payment_create
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import SupplierFactory


@pytest.fixture
def programme(admin_operator):
    """Three suppliers: two pending requests filed today through the service, one filed four days ago, and an
    approval of this morning."""
    alpha = SupplierFactory(corporate_name="Alpha Peças Ltda", language="en")
    beta = SupplierFactory(corporate_name="Beta Embalagens SA", language="en")
    gamma = SupplierFactory(corporate_name="Gama Transportes Ltda", language="en")
    oldest = AnticipationFactory(
        payment__supplier=beta,
        payment__value=Decimal("2000.00"),
        payment__creation_date=days(-10),
        payment__due_date=days(34),
        creation_date=days(-4),
        update_date=days(-4),
        new_due_date=days(4),
        new_value=Decimal("1940.00"),
    )
    RequestLog.objects.create(anticipation=oldest, user=beta.user, action=RequestLogAction.REQUESTED)
    filed = []
    for supplier, value in ((alpha, "1000.00"), (alpha, "1500.00")):
        payment = payment_create(created_by=supplier.user, supplier=supplier, due_date=days(40), value=Decimal(value))
        filed.append(anticipation_request(payment=payment, new_due_date=days(10), requested_by=supplier.user))
    AnticipationFactory(
        payment=PaymentFactory(supplier=gamma, value=Decimal("4000.00"), creation_date=days(-1), due_date=days(20)),
        creation_date=days(0),
        new_due_date=days(0),
        new_value=Decimal("3920.00"),
        status=AnticipationStatus.APPROVED,
        update_date=days(0),
    )
    return {"alpha": alpha, "beta": beta, "gamma": gamma, "pending": [oldest, *filed]}
