"""Signing in and out, the login limits shared with the API, the password change, and who may use the portal."""

import logging

import pytest
from django.test import Client
from rest_framework.settings import api_settings

from payments_api.portal.tests.conftest import PASSWORD
from payments_api.users.cnpj import format_cnpj
from payments_api.users.models import AccountChange, AccountChangeKind
from payments_api.users.tests.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def login_email_rate():
    rates = api_settings.DEFAULT_THROTTLE_RATES
    original = rates["login_email"]
    rates["login_email"] = "2/min"
    yield
    rates["login_email"] = original


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/portal/sign-in/", {"username": email, "password": password, **extra})


def test_the_sign_in_page_speaks_portuguese_by_default_and_the_browsers_language_otherwise():
    page = Client().get("/portal/sign-in/")
    assert page.status_code == 200
    assert '<html lang="pt-br">' in page.content.decode()
    assert "Entrar" in page.content.decode()

    english = Client(headers={"Accept-Language": "en-US,en;q=0.9"}).get("/portal/sign-in/").content.decode()
    assert '<html lang="en">' in english
    spanish = Client(headers={"Accept-Language": "es"}).get("/portal/sign-in/").content.decode()
    assert '<html lang="pt-br">' in spanish


def test_the_language_switch_keeps_the_choice_in_a_cookie():
    client = Client(headers={"Accept-Language": "pt-BR"})
    response = client.post("/portal/language/", {"language": "en", "next": "/portal/sign-in/"})

    assert response.status_code == 302 and response["Location"] == "/portal/sign-in/"
    assert '<html lang="en">' in client.get("/portal/sign-in/").content.decode()


def test_a_supplier_signs_in_and_sees_its_name_and_cnpj_in_the_header(supplier):
    client = Client(headers={"Accept-Language": "en"})

    response = sign_in(client, supplier.user.email.upper())

    assert response.status_code == 302 and response["Location"] == "/portal/"
    home = client.get("/portal/").content.decode()
    assert supplier.corporate_name in home
    assert f"CNPJ {format_cnpj(supplier.reg_number)}" in home


def test_signing_in_goes_back_to_the_page_asked_for_but_never_to_another_site(supplier):
    client = Client()
    asked = client.get("/portal/payments/?status=A")
    assert asked["Location"] == "/portal/sign-in/?next=/portal/payments/%3Fstatus%3DA"

    assert sign_in(client, supplier.user.email, next="/portal/payments/?status=A")["Location"] == (
        "/portal/payments/?status=A"
    )
    client.logout()
    assert sign_in(client, supplier.user.email, next="https://evil.example/")["Location"] == "/portal/"


def test_a_wrong_password_is_refused_and_logged(supplier, caplog):
    client = Client(headers={"Accept-Language": "en"})

    with caplog.at_level(logging.INFO, logger="payments_api.portal"):
        response = sign_in(client, supplier.user.email, "wrong")

    assert response.status_code == 200
    assert "The e-mail or the password is not right." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert [record.portal_action for record in caplog.records if record.name == "payments_api.portal"] == [
        "sign-in-failed"
    ]


def test_operators_are_sent_to_the_admin_without_being_signed_in(db):
    operator = OperatorFactory()
    client = Client()

    response = sign_in(client, operator.email)

    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/admin/"
    assert "_auth_user_id" not in client.session

    client.force_login(operator)
    assert client.get("/portal/payments/")["Location"] == "/admin/"


def test_an_account_that_is_neither_supplier_nor_operator_cannot_use_the_portal(db):
    user = UserFactory()
    client = Client(headers={"Accept-Language": "en"})

    response = sign_in(client, user.email)

    assert "This portal is for suppliers of the programme." in response.content.decode()
    client.force_login(user)
    assert client.get("/portal/").status_code == 403


def test_too_many_attempts_lock_the_account_out_with_the_wait_shown(supplier, login_email_rate):
    client = Client(headers={"Accept-Language": "en"})
    for _ in range(2):
        assert sign_in(client, supplier.user.email, "wrong").status_code == 200

    response = sign_in(client, supplier.user.email)  # even the right password now waits

    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= 60
    assert f"Too many sign-in attempts. Wait {seconds} second" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_portal_and_the_api_count_the_same_attempts(supplier, login_email_rate, anonymous_client):
    for _ in range(2):
        anonymous_client.post("/api/token/", {"email": supplier.user.email, "password": "wrong"}, format="json")

    response = sign_in(Client(), supplier.user.email)

    assert response.status_code == 429
    assert '<html lang="pt-br">' in response.content.decode()
    assert "Muitas tentativas" in response.content.decode()


def test_signing_out_is_a_post_and_ends_the_session(portal):
    assert portal.get("/portal/sign-out/").status_code == 405

    response = portal.post("/portal/sign-out/")

    assert response["Location"] == "/portal/sign-in/"
    assert portal.get("/portal/")["Location"].startswith("/portal/sign-in/")


def test_every_post_needs_the_csrf_token(supplier):
    client = Client(enforce_csrf_checks=True)
    assert sign_in(client, supplier.user.email).status_code == 403
    client.force_login(supplier.user)
    assert client.post("/portal/settings/", {"language": "en"}).status_code == 403


def test_pages_are_never_cached(portal):
    assert "no-store" in portal.get("/portal/")["Cache-Control"]


def test_the_password_change_keeps_this_session_and_is_on_the_record(supplier, portal, anonymous_client):
    response = portal.post(
        "/portal/password/",
        {"old_password": PASSWORD, "new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )

    assert response["Location"] == "/portal/settings/"
    assert portal.get("/portal/").status_code == 200  # still signed in
    change = AccountChange.objects.get(user=supplier.user)
    assert (change.kind, change.actor) == (AccountChangeKind.PASSWORD_SET, supplier.user)
    token = anonymous_client.post(
        "/api/token/", {"email": supplier.user.email, "password": "a-new-long-passphrase"}, format="json"
    )
    assert token.status_code == 200


def test_a_wrong_old_password_changes_nothing(supplier, portal):
    response = portal.post(
        "/portal/password/", {"old_password": "wrong", "new_password1": "x-long-one-2", "new_password2": "x-long-one-2"}
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    supplier.user.refresh_from_db()
    assert supplier.user.check_password(PASSWORD)
    assert not AccountChange.objects.exists()


@pytest.mark.parametrize("path", ["/portal/", "/portal/payments/", "/portal/requests/", "/portal/settings/",
                                  "/portal/password/", "/portal/requests/statement.csv"])
def test_every_page_asks_a_stranger_to_sign_in(db, path):
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/portal/sign-in/?next=")


def test_the_session_cookie_is_secure_httponly_and_lax_outside_debug(supplier, settings):
    assert not settings.DEBUG  # the test settings are the production ones, less the password hasher and the broker

    response = sign_in(Client(), supplier.user.email)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert (cookie["secure"], cookie["httponly"], cookie["samesite"]) == (True, True, "Lax")
    assert cookie["max-age"] == 8 * 3600
