"""JWT authentication (/api/token/, /api/token/refresh/) and who may use the API at all."""

import datetime
import re
from pathlib import Path

import jwt
import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from payments_api.common.tests.problems import assert_problem
from payments_api.payments.models import Anticipation, Payment
from payments_api.payments.tests.factories import AnticipationFactory
from payments_api.requestlogs.models import RequestLog, RequestLogAction
from payments_api.users.tests.factories import SupplierFactory, UserFactory

TOKEN_URL = "/api/token/"
REFRESH_URL = "/api/token/refresh/"
PASSWORD = "secret-password"  # the factories' password


def bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def obtain(email: str, password: str = PASSWORD):
    return APIClient().post(TOKEN_URL, {"email": email, "password": password}, format="json")


@pytest.fixture
def world(supplier, operator):
    """One of everything, so each endpoint has a real object to point at."""
    anticipation = AnticipationFactory(payment__supplier=supplier)
    log = RequestLog.objects.create(anticipation=anticipation, user=supplier.user, action=RequestLogAction.REQUESTED)
    return {"payment": anticipation.payment, "anticipation": anticipation, "log": log}


def endpoint_calls(world) -> list[tuple[str, str, dict | None]]:
    payment, anticipation, log = world["payment"], world["anticipation"], world["log"]
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    return [
        ("get", "/api/payments/", None),
        ("get", "/api/payments/?status=A", None),
        ("post", "/api/payments/", {"supplier": payment.supplier_id, "due_date": due, "value": "10.00"}),
        ("get", f"/api/payments/{payment.pk}/", None),
        ("get", "/api/anticipations/", None),
        ("post", "/api/anticipations/", {"payment": payment.pk, "new_due_date": due}),
        ("get", f"/api/anticipations/{anticipation.pk}/", None),
        ("patch", f"/api/anticipations/{anticipation.pk}/", {"status": "A"}),
        ("get", "/api/logs/", None),
        ("get", f"/api/logs/{log.pk}/", None),
    ]


ENDPOINT_IDS = [
    "list-payments",
    "filter-payments",
    "create-payment",
    "retrieve-payment",
    "list-anticipations",
    "request-anticipation",
    "retrieve-anticipation",
    "decide-anticipation",
    "list-logs",
    "retrieve-log",
]


def call(client, world, index: int):
    method, url, body = endpoint_calls(world)[index]
    return getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)


def assert_nothing_written(world):
    assert Payment.objects.count() == 1
    assert list(Anticipation.objects.values_list("status", flat=True)) == ["PC"]
    assert RequestLog.objects.count() == 1


# --- obtaining and refreshing tokens ---------------------------------------------------------------------------------


def test_token_is_obtained_with_email_and_password_and_authenticates(supplier):
    response = obtain(supplier.user.email)

    assert response.status_code == 200
    assert response.json().keys() == {"access", "refresh"}
    assert AccessToken(response.json()["access"])["user_id"] == str(supplier.user.pk)
    assert bearer(response.json()["access"]).get("/api/payments/").status_code == 200


@pytest.mark.parametrize("transform", [str.upper, str.title, lambda email: email.swapcase()])
def test_email_is_case_insensitive(supplier, transform):
    response = obtain(transform(supplier.user.email))

    assert response.status_code == 200
    assert AccessToken(response.json()["access"])["user_id"] == str(supplier.user.pk)


@pytest.mark.parametrize(
    "credentials",
    [
        {"password": "wrong-password"},
        {"password": PASSWORD.upper()},
        {"email": "nobody@example.com"},
    ],
    ids=["wrong-password", "password-case-matters", "unknown-email"],
)
def test_wrong_credentials_are_unauthorized(supplier, credentials):
    body = {"email": supplier.user.email, "password": PASSWORD, **credentials}

    response = APIClient().post(TOKEN_URL, body, format="json")

    problem = assert_problem(response, 401, "no-active-account")
    assert "access" not in problem and "refresh" not in problem


def test_the_password_is_compared_as_typed_with_its_surrounding_spaces(db):
    padded = SupplierFactory().user
    padded.set_password(" pad pass ")
    padded.save()
    plain = SupplierFactory().user

    assert obtain(padded.email, " pad pass ").status_code == 200
    assert_problem(obtain(padded.email, "pad pass"), 401, "no-active-account")
    assert_problem(obtain(plain.email, f"  {PASSWORD}\t\n "), 401, "no-active-account")


def test_inactive_user_cannot_obtain_a_token(db):
    user = SupplierFactory(user__is_active=False).user

    assert_problem(obtain(user.email), 401, "no-active-account")


@pytest.mark.parametrize(
    "body, missing",
    [
        ({}, {"email", "password"}),
        ({"email": "someone@example.com"}, {"password"}),
        ({"password": PASSWORD}, {"email"}),
        ({"email": "", "password": ""}, {"email", "password"}),
    ],
    ids=["nothing", "no-password", "no-email", "blank"],
)
def test_missing_credentials_are_a_validation_problem(db, body, missing):
    response = APIClient().post(TOKEN_URL, body, format="json")

    assert_problem(response, 400, "validation-error", fields=missing)


def test_refresh_token_gives_a_new_working_access_token(supplier):
    refresh = obtain(supplier.user.email).json()["refresh"]

    response = APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json")

    assert response.status_code == 200
    assert "access" in response.json()
    assert AccessToken(response.json()["access"])["user_id"] == str(supplier.user.pk)
    assert bearer(response.json()["access"]).get("/api/payments/").status_code == 200


@pytest.mark.parametrize("kind", ["garbage", "access-token-instead"])
def test_refresh_with_an_invalid_token_is_unauthorized(supplier, kind):
    token = "not-a-token" if kind == "garbage" else obtain(supplier.user.email).json()["access"]

    response = APIClient().post(REFRESH_URL, {"refresh": token}, format="json")

    assert_problem(response, 401, "token-not-valid")
    assert "access" not in response.json()


def test_refresh_without_a_token_is_a_validation_problem(db):
    assert_problem(APIClient().post(REFRESH_URL, {}, format="json"), 400, "validation-error", fields={"refresh"})


# --- requests without a usable token ---------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(ENDPOINT_IDS)), ids=ENDPOINT_IDS)
def test_no_token_is_unauthorized_with_a_bearer_challenge(anonymous_client, world, index):
    response = call(anonymous_client, world, index)

    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_nothing_written(world)


def _expired(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - datetime.timedelta(days=1))
    return str(token)


def _signed_with_another_key(user) -> str:
    payload = dict(AccessToken.for_user(user).payload)
    return jwt.encode(payload, "another-key-that-is-long-enough-for-hs256-signing", algorithm="HS256")


def _refresh_as_access(user) -> str:
    return str(RefreshToken.for_user(user))


def _unknown_user(user) -> str:
    token = AccessToken.for_user(user)
    token["user_id"] = str(user.pk + 1000)
    return str(token)


@pytest.mark.parametrize(
    "make_token",
    [
        lambda user: "garbage",
        lambda user: "a.b.c",
        _expired,
        _signed_with_another_key,
        _refresh_as_access,
        _unknown_user,
    ],
    ids=["garbage", "not-base64", "expired", "wrong-signature", "refresh-token", "unknown-user"],
)
def test_unusable_token_is_unauthorized(supplier, make_token):
    response = bearer(make_token(supplier.user)).get("/api/payments/")

    body = assert_problem(response, 401)
    assert "results" not in body


@pytest.mark.parametrize(
    "make_token, reason", [(lambda user: "garbage", "Token is invalid"), (_expired, "Token is expired")]
)
def test_a_refused_token_says_why_in_the_detail_and_lists_no_field_errors(supplier, make_token, reason):
    response = bearer(make_token(supplier.user)).get("/api/payments/")

    body = assert_problem(response, 401, "token-not-valid")
    assert body["detail"].endswith(reason)
    assert "errors" not in body


def test_a_token_of_another_scheme_is_unauthorized(supplier):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AccessToken.for_user(supplier.user)}")

    response = client.get("/api/payments/")

    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_inactive_users_token_is_unauthorized(supplier, client_for):
    client = client_for(supplier.user)
    supplier.user.is_active = False
    supplier.user.save()

    body = assert_problem(client.get("/api/payments/"), 401)
    assert "inactive" in body["detail"]


def test_token_issued_before_a_password_change_is_unauthorized(supplier, client_for):
    old_client = client_for(supplier.user)
    supplier.user.set_password("a-new-password-123")
    supplier.user.save()

    body = assert_problem(old_client.get("/api/payments/"), 401)
    assert "password" in body["detail"]
    new_token = obtain(supplier.user.email, "a-new-password-123").json()["access"]
    assert bearer(new_token).get("/api/payments/").status_code == 200
    assert_problem(obtain(supplier.user.email), 401, "no-active-account")


def test_refresh_token_issued_before_a_password_change_is_unauthorized(supplier):
    refresh = obtain(supplier.user.email).json()["refresh"]
    supplier.user.set_password("a-new-password-123")
    supplier.user.save()

    response = APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json")

    assert_problem(response, 401)
    assert "access" not in response.json()


@pytest.mark.parametrize("save", [lambda user: user.save(), lambda user: user.save(update_fields=["is_active"])])
def test_tokens_issued_before_a_deactivation_stay_dead_after_reactivation(supplier, save):
    old = issued_seconds_ago(supplier.user, 1)
    for active in (False, True):
        supplier.user.is_active = active
        save(supplier.user)

    assert_problem(bearer(old["access"]).get("/api/payments/"), 401, "token-revoked")
    assert_problem(APIClient().post(REFRESH_URL, {"refresh": old["refresh"]}, format="json"), 401, "token-revoked")
    assert_problem(APIClient().post("/api/token/verify/", {"token": old["access"]}, format="json"), 401)
    new = obtain(supplier.user.email).json()
    assert bearer(new["access"]).get("/api/payments/").status_code == 200
    assert APIClient().post(REFRESH_URL, {"refresh": new["refresh"]}, format="json").status_code == 200


def test_refresh_token_of_an_inactive_user_is_unauthorized(supplier):
    refresh = obtain(supplier.user.email).json()["refresh"]
    supplier.user.is_active = False
    supplier.user.save()

    response = APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json")

    assert_problem(response, 401, "no-active-account")
    assert "access" not in response.json()


def test_refresh_token_of_a_deleted_user_is_unauthorized(operator):
    refresh = obtain(operator.email).json()["refresh"]
    operator.delete()

    # Render an unexpected exception as the 500 a real client would see, rather than raising it here.
    response = APIClient(raise_request_exception=False).post(REFRESH_URL, {"refresh": refresh}, format="json")

    assert_problem(response, 401)
    assert "access" not in response.json()


# --- every 401 code, as docs/api.md's error table lists them ----------------------------------------------------------


def _deactivated(user) -> str:
    token = str(AccessToken.for_user(user))
    user.is_active = False
    user.save()
    return token


def _password_changed(user) -> str:
    token = str(AccessToken.for_user(user))
    user.set_password("a-new-password-123")
    user.save()
    return token


def issued_seconds_ago(user, seconds: int) -> dict:
    """A token pair as POST /api/token/ would have issued it `seconds` ago."""
    refresh = RefreshToken.for_user(user)
    access = refresh.access_token
    for token in (refresh, access):
        token.set_iat(at_time=timezone.now() - datetime.timedelta(seconds=seconds))
    return {"access": str(access), "refresh": str(refresh)}


def _reactivated(user) -> str:
    token = issued_seconds_ago(user, 1)["access"]
    user.is_active = False
    user.save()
    user.is_active = True
    user.save()
    return token


UNAUTHORIZED = {
    "no token": (lambda user: APIClient().get("/api/payments/"), "not-authenticated"),
    "header not 'Bearer <token>'": (
        lambda user: APIClient(HTTP_AUTHORIZATION="Bearer two parts").get("/api/payments/"),
        "bad-authorization-header",
    ),
    "expired token": (lambda user: bearer(_expired(user)).get("/api/payments/"), "token-not-valid"),
    "deleted user": (lambda user: bearer(_unknown_user(user)).get("/api/payments/"), "user-not-found"),
    "deactivated user": (lambda user: bearer(_deactivated(user)).get("/api/payments/"), "user-inactive"),
    "password changed": (lambda user: bearer(_password_changed(user)).get("/api/payments/"), "password-changed"),
    "deactivated since": (lambda user: bearer(_reactivated(user)).get("/api/payments/"), "token-revoked"),
    "wrong credentials": (lambda user: obtain(user.email, "a-wrong-password"), "no-active-account"),
}


@pytest.mark.parametrize("cause", UNAUTHORIZED)
def test_each_cause_of_a_401_has_its_code(supplier, cause):
    request, code = UNAUTHORIZED[cause]

    assert_problem(request(supplier.user), 401, code)


def test_the_api_reference_lists_the_401_codes_the_service_answers():
    reference = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text()

    rows = [line for line in reference.splitlines() if re.match(r"^\| .* \| 401 \|", line)]
    listed = {code for row in rows for code in re.findall(r"`([a-z-]+)`", row.split(" | 401 | ")[0])}
    assert listed == {code for _request, code in UNAUTHORIZED.values()}


# --- authenticated, but not a supplier or an operator ----------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(ENDPOINT_IDS)), ids=ENDPOINT_IDS)
def test_user_who_is_neither_supplier_nor_operator_is_forbidden_everywhere(client_for, plain_user, world, index):
    response = call(client_for(plain_user), world, index)

    assert_problem(response, 403, "permission-denied")
    assert_nothing_written(world)


@pytest.mark.parametrize(
    "flags",
    [{"is_staff": True}, {"is_superuser": True}, {"is_staff": True, "is_superuser": True}],
    ids=["staff", "superuser", "staff-superuser"],
)
@pytest.mark.parametrize("index", range(len(ENDPOINT_IDS)), ids=ENDPOINT_IDS)
def test_staff_or_superuser_without_is_operator_is_forbidden(client_for, world, flags, index):
    admin = UserFactory(**flags)

    response = call(client_for(admin), world, index)

    assert_problem(response, 403, "permission-denied")
    assert_nothing_written(world)


def test_the_token_endpoints_answer_without_the_trailing_slash(supplier):
    client = APIClient()
    pair = client.post(TOKEN_URL.rstrip("/"), {"email": supplier.user.email, "password": PASSWORD}, format="json")
    assert pair.status_code == 200, pair.content

    assert client.post("/api/token/verify", {"token": pair.json()["access"]}, format="json").status_code == 200
    rotated = client.post(REFRESH_URL.rstrip("/"), {"refresh": pair.json()["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert client.post("/api/token/logout", {"refresh": rotated.json()["refresh"]}, format="json").status_code == 204
    assert_problem(client.post(REFRESH_URL, {"refresh": rotated.json()["refresh"]}, format="json"), 401)
