"""Refresh-token rotation and blacklisting, logout, verify, and token lifetimes from the settings."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from payments_api.common.tests.concurrency import run_together
from payments_api.common.tests.problems import assert_problem
from payments_api.users.tests.factories import SupplierFactory

PASSWORD = "secret-password"


def obtain(user) -> dict:
    response = APIClient().post("/api/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def refresh(token: str):
    return APIClient().post("/api/token/refresh/", {"refresh": token}, format="json")


def logout(token: str):
    return APIClient().post("/api/token/logout/", {"refresh": token}, format="json")


def verify(token: str):
    return APIClient().post("/api/token/verify/", {"token": token}, format="json")


def can_list_payments(access: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/payments/").status_code == 200


def test_refresh_rotates_the_refresh_token_and_the_old_one_stops_working(supplier):
    pair = obtain(supplier.user)

    rotated = refresh(pair["refresh"])

    assert rotated.status_code == 200
    body = rotated.json()
    assert body.keys() == {"access", "refresh"}
    assert body["refresh"] != pair["refresh"]
    assert can_list_payments(body["access"])
    assert BlacklistedToken.objects.filter(token__jti=RefreshToken(body["refresh"], verify=False)["jti"]).count() == 0
    assert_problem(refresh(pair["refresh"]), 401, "token-not-valid")
    assert refresh(body["refresh"]).status_code == 200


def test_logout_blacklists_the_refresh_token(supplier):
    pair = obtain(supplier.user)

    response = logout(pair["refresh"])

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(refresh(pair["refresh"]), 401, "token-not-valid")
    assert_problem(verify(pair["refresh"]), 401, "token-not-valid")
    assert_problem(logout(pair["refresh"]), 401, "token-not-valid")


@pytest.mark.parametrize("body", [{}, {"refresh": ""}, {"refresh": None}])
def test_logout_without_a_refresh_token_is_a_validation_problem(db, body):
    assert_problem(APIClient().post("/api/token/logout/", body, format="json"), 400, "validation-error")


def test_logout_refuses_an_access_token(supplier):
    pair = obtain(supplier.user)
    assert_problem(logout(pair["access"]), 401, "token-not-valid")
    assert refresh(pair["refresh"]).status_code == 200


def test_verify_accepts_valid_access_and_refresh_tokens(supplier):
    pair = obtain(supplier.user)
    for token in (pair["access"], pair["refresh"]):
        response = verify(token)
        assert response.status_code == 200
        assert response.json() == {}


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c"])
def test_verify_refuses_garbage(db, token):
    response = verify(token)
    assert response.status_code in (400, 401)
    assert_problem(response, response.status_code)


def test_verify_refuses_a_tampered_token(supplier):
    access = obtain(supplier.user)["access"]
    header, payload, signature = access.split(".")
    assert_problem(verify(f"{header}.{payload}.{signature[::-1]}"), 401, "token-not-valid")


def test_tokens_of_a_deactivated_user_stop_working_everywhere(supplier):
    pair = obtain(supplier.user)
    supplier.user.is_active = False
    supplier.user.save()

    assert not can_list_payments(pair["access"])
    assert_problem(refresh(pair["refresh"]), 401)
    assert_problem(verify(pair["access"]), 401, "no-active-account")


def test_tokens_issued_before_a_password_change_stop_working_everywhere(supplier):
    pair = obtain(supplier.user)
    supplier.user.set_password("a-new-password")
    supplier.user.save()

    assert not can_list_payments(pair["access"])
    assert_problem(refresh(pair["refresh"]), 401, "password-changed")
    assert_problem(verify(pair["access"]), 401, "password-changed")
    assert_problem(verify(pair["refresh"]), 401, "password-changed")


def test_lifetimes_come_from_the_settings(supplier):
    pair = obtain(supplier.user)
    access, refresh_token = AccessToken(pair["access"]), RefreshToken(pair["refresh"])
    assert access["exp"] - access["iat"] == api_settings.ACCESS_TOKEN_LIFETIME.total_seconds() == 15 * 60
    assert refresh_token["exp"] - refresh_token["iat"] == api_settings.REFRESH_TOKEN_LIFETIME.total_seconds() == 86400


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_of_concurrent_refreshes_with_one_token_exactly_one_succeeds():
    supplier = SupplierFactory()
    token = str(RefreshToken.for_user(supplier.user))
    count = 6
    statuses = run_together(count, lambda index: refresh(token).status_code)

    assert sorted(statuses) == [200] + [401] * (count - 1)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_of_a_logout_and_a_refresh_racing_with_one_token_exactly_one_succeeds():
    supplier = SupplierFactory()
    for _ in range(10):  # the race is decided by timing: run it several times
        token = str(RefreshToken.for_user(supplier.user))
        logged_out, refreshed = run_together(2, lambda index: (logout, refresh)[index](token))
        for outcome in (logged_out, refreshed):
            if isinstance(outcome, BaseException):
                raise outcome

        assert sorted([logged_out.status_code, refreshed.status_code]) in ([200, 401], [204, 401])
        if refreshed.status_code == 200:  # the refresh won: its new token works, the logout was refused
            assert_problem(logged_out, 401, "token-not-valid")
            assert refresh(refreshed.json()["refresh"]).status_code == 200
        else:
            assert_problem(refreshed, 401, "token-not-valid")
        assert BlacklistedToken.objects.filter(token__jti=RefreshToken(token, verify=False)["jti"]).count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_of_concurrent_logouts_with_one_token_exactly_one_succeeds():
    supplier = SupplierFactory()
    token = str(RefreshToken.for_user(supplier.user))
    count = 6
    statuses = run_together(count, lambda index: logout(token).status_code)

    assert sorted(statuses) == [204] + [401] * (count - 1)
