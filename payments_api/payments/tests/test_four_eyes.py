"""Four eyes: nobody decides what they filed or control, through the API and the admin alike.

The four ways an operator could approve what it effectively controlled, replayed as the security review did them:
(a) filing a request on a supplier's behalf and deciding it; (b) making an account and a supplier in the admin,
creating a payment for it, requesting as that account and approving; (c) setting a supplier user's password in the
admin and logging in as it; (d) moving another account's supplier to an account it made.
"""

import re
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from payments_api.common.tests.problems import assert_problem
from payments_api.payments.models import Anticipation, AnticipationStatus, Payment
from payments_api.payments.tests.factories import PaymentFactory, days
from payments_api.requestlogs.models import RequestLog
from payments_api.users.models import AccountChange, AccountChangeKind, Supplier, User
from payments_api.users.tests.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db

PENDING = AnticipationStatus.PENDING_CONFIRMATION
ANTICIPATIONS = "/admin/payments/anticipation/"


def admin_session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def decide_by_api(client_for, operator, anticipation, decision="A"):
    return client_for(operator).patch(f"/api/anticipations/{anticipation.pk}/", {"status": decision}, format="json")


def decide_in_admin(operator, anticipation):
    response = admin_session(operator).post(
        ANTICIPATIONS, {"action": "approve", "_selected_action": [anticipation.pk], "post": "yes"}, follow=True
    )
    return [message.message for message in response.context["messages"]]


def assert_refused_everywhere(client_for, operator, anticipation) -> None:
    """The API answers 403 own-anticipation, the admin's action says why, and nothing is decided or logged."""
    logged = RequestLog.objects.count()
    assert_problem(decide_by_api(client_for, operator, anticipation), 403, "own-anticipation")
    messages = decide_in_admin(operator, anticipation)
    assert any(re.search(r"cannot decide", message) for message in messages), messages
    assert Anticipation.objects.get(pk=anticipation.pk).status == PENDING
    assert RequestLog.objects.count() == logged


def request_as(client_for, user, payment) -> Anticipation:
    response = client_for(user).post(
        "/api/anticipations/", {"payment": payment.pk, "new_due_date": days(5).isoformat()}, format="json"
    )
    assert response.status_code == 201, response.content
    return Anticipation.objects.get(pk=response.json()["id"])


@pytest.fixture
def admin_operator_two(db):
    return OperatorFactory(is_staff=True)


def test_a_an_operator_does_not_decide_a_request_it_filed_for_a_supplier(
    client_for, supplier, admin_operator, admin_operator_two
):
    anticipation = request_as(client_for, admin_operator, PaymentFactory(supplier=supplier, due_date=days(30)))

    assert_refused_everywhere(client_for, admin_operator, anticipation)

    assert decide_by_api(client_for, admin_operator_two, anticipation).status_code == 200


def test_b_an_operator_does_not_approve_for_an_account_and_supplier_it_made(
    client_for, admin_operator, admin_operator_two
):
    session = admin_session(admin_operator)
    response = session.post(
        "/admin/users/user/add/",
        {"email": "shell@example.com", "password1": "a-Strong-pass-123", "password2": "a-Strong-pass-123"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    shell = User.objects.get(email="shell@example.com")
    response = session.post(
        "/admin/users/supplier/add/",
        {"user": shell.pk, "corporate_name": "Shell Ltda", "reg_number": "11.222.333/0001-81", "language": "en"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    supplier = Supplier.objects.get(user=shell)
    response = session.post(
        "/admin/payments/payment/add/",
        {"supplier": supplier.pk, "due_date": days(60).isoformat(), "value": "999999999.99"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    payment = Payment.objects.get(supplier=supplier)
    anticipation = request_as(client_for, shell, payment)

    assert_refused_everywhere(client_for, admin_operator, anticipation)

    # Every step left a trace: who made the account, the supplier and the payment.
    assert shell.created_by == supplier.created_by == payment.created_by == admin_operator
    assert set(AccountChange.objects.filter(actor=admin_operator).values_list("kind", flat=True)) == {
        AccountChangeKind.USER_CREATED,
        AccountChangeKind.SUPPLIER_CREATED,
    }
    assert decide_by_api(client_for, admin_operator_two, anticipation).status_code == 200


def test_c_an_operator_does_not_set_another_users_password(supplier, admin_operator):
    session = admin_session(admin_operator)
    page = f"/admin/users/user/{supplier.user.pk}/password/"
    before = User.objects.get(pk=supplier.user.pk).password

    assert session.get(page).status_code == 403
    response = session.post(page, {"password1": "Taken-over-123", "password2": "Taken-over-123"})

    assert response.status_code == 403
    assert User.objects.get(pk=supplier.user.pk).password == before
    assert not AccountChange.objects.exists()
    assert APIClient().post(
        "/api/token/", {"email": supplier.user.email, "password": "Taken-over-123"}, format="json"
    ).status_code == 401


def test_c_a_superuser_sets_a_password_on_the_record_and_then_decides_nothing_of_that_supplier(
    client_for, supplier, admin_operator
):
    manager = UserFactory(is_staff=True, is_superuser=True, is_operator=True)
    page = f"/admin/users/user/{supplier.user.pk}/password/"

    response = admin_session(manager).post(
        page, {"password1": "Reset-by-manager-1", "password2": "Reset-by-manager-1", "usable_password": "true"}
    )

    assert response.status_code == 302
    change = AccountChange.objects.get()
    assert (change.actor, change.user, change.kind) == (manager, supplier.user, AccountChangeKind.PASSWORD_SET)
    assert admin_session(admin_operator).get("/admin/users/accountchange/").status_code == 200  # operators read it
    supplier.user.refresh_from_db()  # its tokens carry the new password's hash
    anticipation = request_as(client_for, supplier.user, PaymentFactory(supplier=supplier, due_date=days(30)))
    assert_refused_everywhere(client_for, manager, anticipation)
    assert decide_by_api(client_for, admin_operator, anticipation).status_code == 200


def test_c_an_operator_who_changed_a_supplier_users_email_decides_nothing_of_that_supplier(
    client_for, supplier, admin_operator
):
    session = admin_session(admin_operator)
    page = f"/admin/users/user/{supplier.user.pk}/change/"
    form = session.get(page).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(email="redirected@example.com", is_active="on", date_joined_0="2026-01-01", date_joined_1="00:00:00")
    response = session.post(page, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    change = AccountChange.objects.get()
    assert (change.actor, change.kind) == (admin_operator, AccountChangeKind.EMAIL_CHANGED)
    assert supplier.user.email in change.detail and "redirected@example.com" in change.detail

    anticipation = request_as(client_for, supplier.user, PaymentFactory(supplier=supplier, due_date=days(30)))

    assert_refused_everywhere(client_for, admin_operator, anticipation)


def test_d_an_operator_does_not_move_a_supplier_to_another_account(supplier, admin_operator):
    session = admin_session(admin_operator)
    own = UserFactory()
    page = f"/admin/users/supplier/{supplier.pk}/change/"
    form = session.get(page).context["adminform"].form

    assert "user" not in form.fields  # shown, not editable
    response = session.post(
        page, {"user": own.pk, "corporate_name": supplier.corporate_name, "reg_number": supplier.reg_number,
               "language": supplier.language}
    )

    assert response.status_code == 302
    assert Supplier.objects.get(pk=supplier.pk).user == supplier.user
    assert not AccountChange.objects.filter(kind=AccountChangeKind.SUPPLIER_MOVED).exists()


def test_d_the_service_refuses_a_move_by_anyone_but_a_superuser(supplier, admin_operator):
    from payments_api.users.services import AccountChangeForbidden, supplier_save

    supplier.user = UserFactory()
    with pytest.raises(AccountChangeForbidden):
        supplier_save(supplier=supplier, saved_by=admin_operator)

    assert Supplier.objects.get(pk=supplier.pk).user != supplier.user


def test_d_a_superuser_moves_a_supplier_on_the_record(client_for, supplier, admin_operator):
    manager = UserFactory(is_staff=True, is_superuser=True, is_operator=True)
    previous, target = supplier.user, UserFactory()
    page = f"/admin/users/supplier/{supplier.pk}/change/"

    response = admin_session(manager).post(
        page, {"user": target.pk, "corporate_name": supplier.corporate_name, "reg_number": supplier.reg_number,
               "language": supplier.language}
    )

    assert response.status_code == 302
    change = AccountChange.objects.get()
    assert (change.actor, change.user, change.supplier, change.kind) == (
        manager, target, supplier, AccountChangeKind.SUPPLIER_MOVED
    )
    assert previous.email in change.detail and target.email in change.detail
    anticipation = request_as(client_for, target, PaymentFactory(supplier=supplier, due_date=days(30)))
    assert_refused_everywhere(client_for, manager, anticipation)


def test_an_operator_unrelated_to_the_supplier_decides_as_before(client_for, supplier, admin_operator):
    anticipation = request_as(client_for, supplier.user, PaymentFactory(supplier=supplier, due_date=days(30)))

    assert decide_by_api(client_for, admin_operator, anticipation).json()["status"] == "A"


# --- who created each payment ------------------------------------------------------------------------------------


def test_a_payment_records_who_created_it_and_operators_see_it(client_for, supplier, admin_operator):
    by_supplier = client_for(supplier.user).post(
        "/api/payments/", {"due_date": days(9).isoformat(), "value": "10.00"}, format="json"
    )
    by_operator = client_for(admin_operator).post(
        "/api/payments/", {"supplier": supplier.pk, "due_date": days(9).isoformat(), "value": "20.00"}, format="json"
    )

    assert "created_by" not in by_supplier.json()
    assert by_operator.json()["created_by"] == admin_operator.pk
    created = dict(Payment.objects.values_list("value", "created_by"))
    assert created == {Decimal("10.00"): supplier.user.pk, Decimal("20.00"): admin_operator.pk}
    listed = client_for(admin_operator).get("/api/payments/").json()["results"]
    assert {row["id"]: row["created_by"] for row in listed} == {
        payment.pk: payment.created_by_id for payment in Payment.objects.all()
    }
    assert all("created_by" not in row for row in client_for(supplier.user).get("/api/payments/").json()["results"])
    page = admin_session(admin_operator).get(f"/admin/payments/payment/{by_operator.json()['id']}/change/")
    assert admin_operator.email in page.content.decode()
