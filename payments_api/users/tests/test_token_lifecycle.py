"""Refresh-token rotation and blacklisting, logout, verify, and token lifetimes from the settings."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from payments_api.common.tests.concurrency import run_together
from payments_api.common.tests.problems import assert_problem
from payments_api.users.models import IssuedRefreshToken, RefreshTokenState
from payments_api.users.services import refresh_token_issue
from payments_api.users.tokens import RefreshToken
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


def state_of(token: str) -> str:
    return IssuedRefreshToken.objects.get(jti=RefreshToken(token, verify=False)["jti"]).state


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
    assert state_of(body["refresh"]) == RefreshTokenState.ACTIVE
    assert state_of(pair["refresh"]) == RefreshTokenState.ROTATED
    assert refresh(body["refresh"]).status_code == 200
    assert_problem(refresh(pair["refresh"]), 401, "token-not-valid")


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
    # "iat" is to the microsecond, "exp" in whole seconds.
    assert access["exp"] - int(access["iat"]) == api_settings.ACCESS_TOKEN_LIFETIME.total_seconds() == 15 * 60
    refresh_lifetime = refresh_token["exp"] - int(refresh_token["iat"])
    assert refresh_lifetime == api_settings.REFRESH_TOKEN_LIFETIME.total_seconds() == 86400


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_of_concurrent_refreshes_with_one_token_exactly_one_succeeds():
    supplier = SupplierFactory()
    token = str(refresh_token_issue(user=supplier.user))
    count = 6
    statuses = run_together(count, lambda index: refresh(token).status_code)

    assert sorted(statuses) == [200] + [401] * (count - 1)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_of_a_logout_and_a_refresh_racing_with_one_token_exactly_one_succeeds():
    supplier = SupplierFactory()
    for _ in range(10):  # the race is decided by timing: run it several times
        token = str(refresh_token_issue(user=supplier.user))
        logged_out, refreshed = run_together(2, lambda index: (logout, refresh)[index](token))
        for outcome in (logged_out, refreshed):
            if isinstance(outcome, BaseException):
                raise outcome

        assert sorted([logged_out.status_code, refreshed.status_code]) in ([200, 401], [204, 401])
        if refreshed.status_code == 200:
            # The refresh won; the logout then presented a rotated token, which revokes the chain: the new token is
            # refused too, so the logout's intent holds either way.
            assert_problem(logged_out, 401, "token-not-valid")
            assert_problem(refresh(refreshed.json()["refresh"]), 401, "token-not-valid")
        else:
            assert_problem(refreshed, 401, "token-not-valid")
        assert state_of(token) != RefreshTokenState.ACTIVE


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_of_concurrent_logouts_with_one_token_exactly_one_succeeds():
    supplier = SupplierFactory()
    token = str(refresh_token_issue(user=supplier.user))
    count = 6
    statuses = run_together(count, lambda index: logout(token).status_code)

    assert sorted(statuses) == [204] + [401] * (count - 1)


# --- reuse detection and the chain's absolute lifetime (OAuth 2.0 Security BCP, RFC 9700 section 4.14.2) ------------


def test_reusing_a_rotated_refresh_token_revokes_its_whole_chain(supplier):
    """A stolen refresh token: whichever of thief and owner presents the spent token second ends the login for both."""
    stolen = obtain(supplier.user)["refresh"]
    owners = refresh(stolen).json()  # the owner refreshes first
    owners_next = refresh(owners["refresh"]).json()

    body = assert_problem(refresh(stolen), 401, "token-not-valid")  # the thief replays the stolen token

    assert "revoked" in body["detail"]
    assert_problem(refresh(owners_next["refresh"]), 401, "token-not-valid")
    assert_problem(verify(owners_next["refresh"]), 401, "token-not-valid")
    assert set(IssuedRefreshToken.objects.values_list("state", flat=True)) == {RefreshTokenState.REVOKED}


def test_a_thief_who_refreshes_first_loses_the_chain_when_the_owner_refreshes(supplier):
    stolen = obtain(supplier.user)["refresh"]
    thiefs = refresh(stolen).json()

    assert_problem(refresh(stolen), 401, "token-not-valid")  # the owner's refresh fails: it must log in again

    assert_problem(refresh(thiefs["refresh"]), 401, "token-not-valid")


def test_after_the_owner_logs_out_a_stolen_chain_goes_no_further(supplier):
    """Scenario 4 of the security review: before, each refresh issued a token with a fresh lifetime, and the thief's
    chain outlived the owner's logout until a password change."""
    pair = obtain(supplier.user)
    thiefs = refresh(pair["refresh"]).json()  # the thief took the token and refreshed it

    assert_problem(logout(pair["refresh"]), 401, "token-not-valid")  # the owner logs out with the token it holds

    assert_problem(refresh(thiefs["refresh"]), 401, "token-not-valid")
    assert not IssuedRefreshToken.objects.filter(state=RefreshTokenState.ACTIVE).exists()


def test_logging_out_with_the_chains_latest_token_ends_it(supplier):
    pair = obtain(supplier.user)
    latest = refresh(refresh(pair["refresh"]).json()["refresh"]).json()["refresh"]

    assert logout(latest).status_code == 204

    assert not IssuedRefreshToken.objects.filter(state=RefreshTokenState.ACTIVE).exists()
    assert_problem(refresh(latest), 401, "token-not-valid")


def test_a_chain_ends_a_refresh_lifetime_after_its_login_however_often_it_is_refreshed(supplier):
    first = RefreshToken(obtain(supplier.user)["refresh"])
    token = str(first)
    for _ in range(3):
        pair = refresh(token).json()
        token = pair["refresh"]
        rotated, access = RefreshToken(token), AccessToken(pair["access"])
        assert rotated["exp"] == first["exp"]
        assert rotated["auth_time"] == first["auth_time"] == first["iat"]
        assert rotated["chain"] == first["chain"] == first["jti"]
        assert access["exp"] <= first["exp"]
        assert "chain" not in access.payload


def test_a_chain_whose_login_is_older_than_the_refresh_lifetime_is_refused(supplier):
    login_time = timezone.now() - api_settings.REFRESH_TOKEN_LIFETIME - datetime.timedelta(seconds=1)
    first = refresh_token_issue(user=supplier.user)
    # The next token of a chain that began more than a lifetime ago, as rotation would have written it.
    late = refresh_token_issue(user=supplier.user, chain=first.chain, login_time=login_time)

    assert late["exp"] < timezone.now().timestamp()
    assert_problem(refresh(str(late)), 401, "token-not-valid")


def test_a_refresh_token_that_was_never_issued_here_is_refused(supplier):
    unrecorded = RefreshToken.for_user(supplier.user)  # signed with the key, but not issued by the service

    body = assert_problem(refresh(str(unrecorded)), 401, "token-not-valid")

    assert "not recognised" in body["detail"]
    assert_problem(verify(str(unrecorded)), 401, "token-not-valid")
    assert_problem(logout(str(unrecorded)), 401, "token-not-valid")


# --- no bearer token at rest ------------------------------------------------------------------------------------------


def test_no_issued_token_is_stored_anywhere_in_the_database(supplier):
    pair = obtain(supplier.user)
    rotated = refresh(pair["refresh"]).json()
    logout(rotated["refresh"])
    tokens = [pair["refresh"], pair["access"], rotated["refresh"], rotated["access"]]
    signatures = {token.rsplit(".", 1)[1] for token in tokens}

    stored = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # nosec B608: the database's tables
            stored.extend(str(value) for row in cursor.fetchall() for value in row)

    assert stored
    assert not [value for value in stored if any(signature in value for signature in signatures)]
    assert IssuedRefreshToken.objects.filter(user=supplier.user).count() == 2


def test_no_admin_page_shows_a_token(superuser_admin_client, supplier):
    from django.contrib.admin import site

    pair = obtain(supplier.user)
    superuser = superuser_admin_client
    pages = ["/admin/"] + [f"/admin/{model._meta.app_label}/{model._meta.model_name}/" for model in site._registry]

    for page in pages:
        response = superuser.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        assert pair["refresh"].rsplit(".", 1)[1] not in body, page
        assert "token_blacklist" not in body, page
    assert IssuedRefreshToken not in site._registry


# --- the cut-off of a deactivation, by every path ------------------------------------------------------------------


def token_in_the_second_of(user) -> str:
    """An access token whose "iat" is the whole second of the user's cut-off, as simplejwt writes it: it may have been
    issued before or after the deactivation, so it must be refused."""
    token = AccessToken.for_user(user)
    token["iat"] = int(user.tokens_valid_after.timestamp())
    return str(token)


DEACTIVATIONS = {
    "save": lambda user: (setattr(user, "is_active", False), user.save()),
    "save(update_fields)": lambda user: (setattr(user, "is_active", False), user.save(update_fields=["is_active"])),
    "update()": lambda user: type(user).objects.filter(pk=user.pk).update(is_active=False),
    "deactivate()": lambda user: type(user).objects.filter(pk=user.pk).deactivate(),
}


@pytest.mark.parametrize("deactivate", DEACTIVATIONS.values(), ids=DEACTIVATIONS.keys())
def test_every_path_of_deactivation_sets_the_cut_off_and_ends_tokens_at_once(supplier, deactivate):
    pair = obtain(supplier.user)
    assert can_list_payments(pair["access"])  # the user is now in the authentication cache

    deactivate(supplier.user)

    supplier.user.refresh_from_db()
    assert supplier.user.tokens_valid_after is not None
    assert not can_list_payments(pair["access"])
    type(supplier.user).objects.filter(pk=supplier.user.pk).update(is_active=True)
    supplier.user.refresh_from_db()
    for access in (pair["access"], token_in_the_second_of(supplier.user)):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        assert_problem(client.get("/api/payments/"), 401, "token-revoked")
    assert_problem(refresh(pair["refresh"]), 401, "token-revoked")
    assert can_list_payments(obtain(supplier.user)["access"])  # a login after the reactivation works at once


def test_deactivating_in_the_admin_sets_the_cut_off(superuser_admin_client, supplier):
    pair = obtain(supplier.user)
    superuser = superuser_admin_client
    page = f"/admin/users/user/{supplier.user.pk}/change/"
    form = superuser.get(page).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(is_active="", groups=[], user_permissions=[], date_joined_0="2026-01-01", date_joined_1="00:00:00")

    response = superuser.post(page, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    supplier.user.refresh_from_db()
    assert not supplier.user.is_active and supplier.user.tokens_valid_after is not None
    assert not can_list_payments(pair["access"])


def test_a_token_issued_in_the_second_of_a_password_change_never_works_again(supplier):
    pair = obtain(supplier.user)
    supplier.user.set_password(PASSWORD)  # even the same password: the salted hash changes, and the tokens carry it
    supplier.user.save()

    assert not can_list_payments(pair["access"])
    assert_problem(refresh(pair["refresh"]), 401, "password-changed")
    assert can_list_payments(obtain(supplier.user)["access"])
