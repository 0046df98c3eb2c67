"""Operators manage users and suppliers in the admin; only a superuser grants roles or permissions, or manages an
account that holds them."""

import pytest
from django.contrib.auth.models import Group, Permission

from payments_api.users.admin import EMAIL_TAKEN
from payments_api.users.models import Supplier, User
from payments_api.users.tests.factories import SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db

USERS = "/admin/users/user/"
SUPPLIERS = "/admin/users/supplier/"
SUPERUSER_ONLY = ("is_operator", "is_staff", "is_superuser", "groups", "user_permissions")


def change_form(user: User, **fields) -> dict:
    """The change form's fields as the admin posts them, with `fields` on top."""
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "date_joined_0": user.date_joined.date().isoformat(),
        "date_joined_1": "00:00:00",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def test_an_operator_adds_a_user(operator_admin_client):
    response = operator_admin_client.post(
        f"{USERS}add/",
        {"email": "new.operator@example.com", "password1": "A-long-pass-phrase-9", "password2": "A-long-pass-phrase-9"},
    )

    assert response.status_code == 302
    created = User.objects.get(email="new.operator@example.com")
    assert created.check_password("A-long-pass-phrase-9")
    assert not (created.is_superuser or created.is_staff or created.is_operator)


def test_an_operator_changes_a_user_but_cannot_give_it_a_role(operator_admin_client):
    user = UserFactory()

    response = operator_admin_client.post(
        f"{USERS}{user.pk}/change/", change_form(user, first_name="Ana", is_staff="on", is_operator="on")
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.is_staff, user.is_operator, user.is_superuser) == ("Ana", False, False, False)


def test_an_operator_adds_a_user_without_a_role_whatever_it_posts(operator_admin_client):
    password = "A-long-pass-phrase-9"
    form = {"email": "second@example.com", "password1": password, "password2": password, "is_operator": "on"}

    assert operator_admin_client.post(f"{USERS}add/", form).status_code == 302
    assert not User.objects.get(email="second@example.com").is_operator


@pytest.mark.parametrize("page", ["change/", "add/"])
def test_an_operator_sees_the_superuser_only_fields_read_only(operator_admin_client, page):
    user = UserFactory()

    html = operator_admin_client.get(f"{USERS}{user.pk}/{page}" if page == "change/" else f"{USERS}{page}")

    for field in SUPERUSER_ONLY:
        assert f'name="{field}"' not in html.content.decode()


def test_a_superuser_makes_a_user_an_operator(superuser_admin_client):
    user = UserFactory()

    form = change_form(user, is_staff="on", is_operator="on")
    response = superuser_admin_client.post(f"{USERS}{user.pk}/change/", form)

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.is_staff, user.is_operator) == (True, True)


@pytest.mark.parametrize("target", ["another user", "themselves"])
def test_an_operator_cannot_grant_superuser_status_groups_or_permissions(operator_admin_client, admin_operator, target):
    user = UserFactory() if target == "another user" else admin_operator
    group = Group.objects.create(name="everything")
    group.permissions.set(Permission.objects.all())
    permission = Permission.objects.get(codename="delete_payment")

    escalation = {"is_superuser": "on", "groups": group.pk, "user_permissions": permission.pk}

    response = operator_admin_client.post(
        f"{USERS}{user.pk}/change/", change_form(user, is_staff="on", is_operator="on", **escalation)
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_superuser
    assert not user.groups.exists()
    assert not user.user_permissions.exists()


def test_a_superuser_still_grants_superuser_status(superuser_admin_client):
    user = UserFactory()

    form = change_form(user, is_staff="on", is_superuser="on")
    response = superuser_admin_client.post(f"{USERS}{user.pk}/change/", form)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_superuser


@pytest.mark.parametrize(
    "flags",
    [{"is_staff": True, "is_superuser": True}, {"is_staff": True, "is_operator": True}, {"is_operator": True}],
    ids=["superuser", "another-operator", "api-operator"],
)
def test_an_operator_cannot_take_over_or_delete_a_privileged_account(operator_admin_client, flags):
    superuser = UserFactory(**flags)
    email, password = superuser.email, superuser.password

    page = operator_admin_client.get(f"{USERS}{superuser.pk}/change/")
    renamed = operator_admin_client.post(
        f"{USERS}{superuser.pk}/change/", change_form(superuser, email="mine@example.com")
    )
    new_password = operator_admin_client.post(
        f"{USERS}{superuser.pk}/password/", {"password1": "Taken-over-9876", "password2": "Taken-over-9876"}
    )
    deleted = operator_admin_client.post(f"{USERS}{superuser.pk}/delete/", {"post": "yes"})
    deleted_in_bulk = operator_admin_client.post(
        USERS, {"action": "delete_selected", "_selected_action": [superuser.pk], "post": "yes"}
    )

    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert (renamed.status_code, new_password.status_code, deleted.status_code) == (403, 403, 403)
    assert deleted_in_bulk.status_code == 403
    superuser.refresh_from_db()
    assert (superuser.email, superuser.password) == (email, password)


def test_an_operator_changes_its_own_name_and_password_but_keeps_its_role(operator_admin_client, admin_operator):
    form = change_form(admin_operator, first_name="Olga", is_staff="on", is_operator=None)
    renamed = operator_admin_client.post(f"{USERS}{admin_operator.pk}/change/", form)
    new_password = operator_admin_client.post(
        f"{USERS}{admin_operator.pk}/password/", {"password1": "Own-new-pass-9876", "password2": "Own-new-pass-9876"}
    )

    assert (renamed.status_code, new_password.status_code) == (302, 302)
    admin_operator.refresh_from_db()
    assert admin_operator.first_name == "Olga" and admin_operator.check_password("Own-new-pass-9876")
    assert admin_operator.is_operator and admin_operator.is_staff


def test_an_operator_deletes_a_user_that_no_history_refers_to(operator_admin_client):
    user = UserFactory()

    response = operator_admin_client.post(f"{USERS}{user.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_an_operator_adds_a_supplier_with_a_formatted_cnpj(operator_admin_client):
    user = UserFactory()

    response = operator_admin_client.post(
        f"{SUPPLIERS}add/",
        {"user": user.pk, "corporate_name": "Nova Ltda", "reg_number": "12.ABC.345/01DE-35", "language": "en"},
    )

    assert response.status_code == 302
    supplier = Supplier.objects.get(user=user)
    assert (supplier.corporate_name, supplier.reg_number, supplier.language) == ("Nova Ltda", "12ABC34501DE35", "en")


@pytest.mark.parametrize("owner", ["itself", "another operator", "a staff user"])
def test_an_operator_cannot_make_a_privileged_account_a_supplier(operator_admin_client, admin_operator, owner):
    user = {
        "itself": lambda: admin_operator,
        "another operator": lambda: UserFactory(is_operator=True),
        "a staff user": lambda: UserFactory(is_staff=True),
    }[owner]()

    response = operator_admin_client.post(
        f"{SUPPLIERS}add/",
        {"user": user.pk, "corporate_name": "Mine Ltda", "reg_number": "12.ABC.345/01DE-35", "language": "en"},
    )

    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not Supplier.objects.exists()


def test_an_operator_changes_a_supplier(operator_admin_client):
    supplier = SupplierFactory()

    form = {"user": supplier.user_id, "corporate_name": "Renamed S.A.", "reg_number": supplier.reg_number}

    response = operator_admin_client.post(f"{SUPPLIERS}{supplier.pk}/change/", {**form, "language": "pt-br"})

    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.corporate_name == "Renamed S.A."


@pytest.mark.parametrize("term", ["12.ABC.345/01DE-35", "12.abc.345", "12ABC345", "01de-35"])
def test_an_operator_finds_a_supplier_by_its_cnpj_as_printed(operator_admin_client, term):
    wanted = SupplierFactory(reg_number="12ABC34501DE35")
    SupplierFactory()

    response = operator_admin_client.get(SUPPLIERS, {"q": term})

    assert list(response.context["cl"].result_list) == [wanted]


def test_an_operator_finds_users_with_the_supplier_forms_autocomplete(operator_admin_client):
    user = UserFactory(email="findme@example.com")

    response = operator_admin_client.get(
        "/admin/autocomplete/", {"app_label": "users", "model_name": "supplier", "field_name": "user", "term": "findme"}
    )

    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(user.pk)]


# --- e-mail addresses are unique whatever their case ----------------------------------------------------------------


def test_adding_a_user_whose_email_differs_only_in_case_shows_a_clear_error(operator_admin_client):
    UserFactory(email="ana@example.com")

    passwords = {"password1": "A-long-pass-phrase-9", "password2": "A-long-pass-phrase-9"}

    response = operator_admin_client.post(f"{USERS}add/", {"email": "Ana@Example.com", **passwords})

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"email": [EMAIL_TAKEN]}
    assert b"is violated" not in response.content
    assert User.objects.filter(email__iexact="ana@example.com").count() == 1


def test_changing_an_email_to_another_users_in_another_case_shows_a_clear_error(operator_admin_client):
    UserFactory(email="ana@example.com")
    user = UserFactory(email="bruno@example.com")

    response = operator_admin_client.post(f"{USERS}{user.pk}/change/", change_form(user, email="ANA@example.com"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"email": [EMAIL_TAKEN]}
    assert b"is violated" not in response.content
    user.refresh_from_db()
    assert user.email == "bruno@example.com"


def test_a_user_keeps_its_own_email_in_another_case(operator_admin_client):
    user = UserFactory(email="carla@example.com")

    response = operator_admin_client.post(f"{USERS}{user.pk}/change/", change_form(user, email="Carla@example.com"))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "Carla@example.com"
