import pytest
from django.test import Client

from payments_api.payments.tests.factories import days
from payments_api.payments.services import payment_create

PASSWORD = "secret-password"  # the factories'


@pytest.fixture
def portal(supplier):
    """A browser session of `supplier` in the portal, in English."""
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(supplier.user)
    return client


@pytest.fixture
def other_portal(other_supplier):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(other_supplier.user)
    return client


@pytest.fixture
def new_payment():
    """A payment created as a supplier creates one (payment_create), due `due_in` days from today."""
    from decimal import Decimal

    def make(supplier, *, value="1000.00", due_in=40, external_id=None):
        return payment_create(
            created_by=supplier.user, supplier=supplier, due_date=days(due_in), value=Decimal(value),
            external_id=external_id,
        )

    return make
