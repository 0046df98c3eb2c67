"""The demo data: initial_data.json's users and suppliers, and demo_payments' payments in every state."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from payments_api import settings as production_settings
from payments_api.payments.models import Anticipation, Payment, PaymentStatus
from payments_api.payments.selectors import payments_visible_to
from payments_api.requestlogs.models import RequestLog
from payments_api.users.models import Supplier, User

pytestmark = pytest.mark.django_db

DEMO_SUPPLIERS = {"user01@email.com": "11222333000181", "user02@email.com": "12ABC34501DE35"}


@pytest.fixture
def demo_users(settings):
    # The fixture's hashes are Argon2id, as production makes them; the test settings hash with MD5 only.
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    call_command("loaddata", "initial_data.json", verbosity=0)


@pytest.mark.parametrize("email", ["user01@email.com", "user02@email.com", "operator01@email.com", "admin@email.com"])
def test_each_demo_user_logs_in_with_its_documented_password(demo_users, email):
    password = email.split("@")[0]

    assert authenticate(email=email, password=password) == User.objects.get(email=email)


def test_the_demo_passwords_are_hashed_with_argon2id_as_production_hashes_them(demo_users):
    """So that logging in as a demo user verifies as fast as any other login, and is not re-hashed on the way."""
    for encoded in User.objects.values_list("password", flat=True):
        assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$"), encoded


def test_a_demo_user_does_not_log_in_with_another_password(demo_users):
    assert authenticate(email="user01@email.com", password="user02") is None


def test_the_demo_users_are_two_suppliers_an_operator_and_a_superuser(demo_users):
    """Seed 002's kinds of account: suppliers, an operator with the operators' admin rights but not a superuser (so
    the demo shows what an ordinary operator may and may not do), and a superuser who is no operator."""
    suppliers = {supplier.user.email: supplier.reg_number for supplier in Supplier.objects.select_related("user")}
    assert suppliers == DEMO_SUPPLIERS
    for email in DEMO_SUPPLIERS:
        user = User.objects.get(email=email)
        assert (user.is_operator, user.is_staff, user.is_superuser, user.is_active) == (False, False, False, True)

    operator = User.objects.get(email="operator01@email.com")
    assert (operator.is_operator, operator.is_staff, operator.is_superuser, operator.is_active) == (
        True,
        True,
        False,
        True,
    )
    assert operator.supplier_or_none is None
    admin = User.objects.get(email="admin@email.com")
    assert (admin.is_operator, admin.is_staff, admin.is_superuser, admin.is_active) == (False, True, True, True)
    assert admin.supplier_or_none is None
    demo_emails = {*DEMO_SUPPLIERS, "operator01@email.com", "admin@email.com"}
    assert set(User.objects.values_list("email", flat=True)) == demo_emails


def test_the_demo_suppliers_cnpjs_are_valid(demo_users):
    for supplier in Supplier.objects.all():
        supplier.full_clean()


def test_demo_payments_gives_each_supplier_a_payment_in_every_state(demo_users):
    call_command("demo_payments", verbosity=0)

    for supplier in Supplier.objects.select_related("user"):
        for state in PaymentStatus.values:
            assert payments_visible_to(user=supplier.user, status=state).exists(), (supplier, state)


def test_demo_payments_goes_through_the_services(demo_users):
    call_command("demo_payments", verbosity=0)

    # every anticipation requested once; every decided one decided once
    for anticipation in Anticipation.objects.all():
        actions = sorted(RequestLog.objects.filter(anticipation=anticipation).values_list("action", flat=True))
        expected = ["R"] if anticipation.status == "PC" else sorted(["R", anticipation.status])
        assert actions == expected, anticipation


def test_demo_payments_run_twice_creates_nothing_more(demo_users):
    call_command("demo_payments", verbosity=0)
    counts = (Payment.objects.count(), Anticipation.objects.count(), RequestLog.objects.count())
    assert counts[0] > 0

    call_command("demo_payments", verbosity=0)

    assert (Payment.objects.count(), Anticipation.objects.count(), RequestLog.objects.count()) == counts


def test_demo_payments_needs_an_operator(db):
    with pytest.raises(CommandError):
        call_command("demo_payments", verbosity=0)

    assert not Payment.objects.exists()
