"""Passwords are hashed with Argon2id at the stated parameters; PBKDF2 hashes made before verify and are re-made with
Argon2id at their user's next successful login (the API's and the admin's alike); and a login costs one hash whether
the e-mail names an account or not.

The rest of the suite hashes with MD5 (test_settings.py) for speed; these tests use the production list."""

import argon2
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, identify_hasher, make_password
from django.test import Client
from rest_framework.test import APIClient

from payments_api import settings as production_settings
from payments_api.users.hashers import Argon2idPasswordHasher
from payments_api.users.models import User
from payments_api.users.tests.factories import SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
TOKEN_URL = "/api/token/"


@pytest.fixture(autouse=True)
def production_hashers(settings):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS


@pytest.fixture
def argon2_runs(monkeypatch):
    """How many Argon2id computations the hasher ran, hashing or verifying: each is what a login costs. A spy: the
    hasher still does its work."""
    runs = {"hash": 0, "verify": 0}

    def counted(name, method):
        def run(self, *args, **kwargs):
            runs[name] += 1
            return method(self, *args, **kwargs)

        return run

    monkeypatch.setattr(Argon2idPasswordHasher, "encode", counted("hash", Argon2idPasswordHasher.encode))
    monkeypatch.setattr(Argon2idPasswordHasher, "verify", counted("verify", Argon2idPasswordHasher.verify))
    return runs


def pbkdf2_hash(password: str) -> str:
    """A hash as the service made them before Argon2id (fewer iterations than Django's, to keep the test quick: the
    iterations are part of the hash, and any PBKDF2 hash is upgraded alike)."""
    return PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt(), iterations=1000)


def user_with_pbkdf2_password(**fields) -> User:
    user = UserFactory(**fields)
    User.objects.filter(pk=user.pk).update(password=pbkdf2_hash(PASSWORD))
    user.refresh_from_db()
    return user


def obtain(email: str, password: str = PASSWORD):
    return APIClient().post(TOKEN_URL, {"email": email, "password": password}, format="json")


def test_argon2id_comes_first_at_owasps_minimum_or_above_and_pbkdf2_after_it():
    hashers = production_settings.PASSWORD_HASHERS

    assert hashers[0] == "payments_api.users.hashers.Argon2idPasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in hashers[1:]
    assert Argon2idPasswordHasher.memory_cost >= 19 * 1024  # KiB
    assert Argon2idPasswordHasher.time_cost >= 2
    assert Argon2idPasswordHasher.parallelism >= 1


def test_a_new_password_is_hashed_with_argon2id_at_the_stated_parameters():
    encoded = make_password(PASSWORD)

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert isinstance(identify_hasher(encoded), Argon2idPasswordHasher)
    assert check_password(PASSWORD, encoded)
    assert not check_password("wrong", encoded)


def test_a_pbkdf2_password_logs_in_and_is_rehashed_with_argon2id():
    user = SupplierFactory(user=user_with_pbkdf2_password()).user
    assert user.password.startswith("pbkdf2_sha256$1000$")

    response = obtain(user.email)

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert check_password(PASSWORD, user.password)
    # The token issued with the login carries the new hash, so it works; and the next login verifies with Argon2id.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert client.get("/api/payments/").status_code == 200
    assert obtain(user.email).status_code == 200


def test_a_failed_login_leaves_a_pbkdf2_hash_as_it_was():
    user = SupplierFactory(user=user_with_pbkdf2_password()).user
    before = user.password

    assert obtain(user.email, "wrong password").status_code == 401

    user.refresh_from_db()
    assert user.password == before


def test_the_admin_login_rehashes_a_pbkdf2_password_too():
    user = user_with_pbkdf2_password(is_staff=True, is_operator=True)
    browser = Client()

    response = browser.post("/admin/login/", {"username": user.email, "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert browser.get("/admin/").status_code == 200


def test_a_hash_with_weaker_argon2_parameters_is_rehashed_at_login():
    user = SupplierFactory().user
    weaker = argon2.PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=argon2.Type.ID)
    User.objects.filter(pk=user.pk).update(password="argon2" + weaker.hash(PASSWORD))

    assert obtain(user.email).status_code == 200

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize(
    "attempt",
    ["the right password", "a wrong password", "an unknown e-mail", "an inactive account"],
)
def test_every_api_login_runs_argon2_once(argon2_runs, attempt):
    """No enumeration by timing: an e-mail of no account costs the hash that a real one would (Django's ModelBackend
    hashes the password for it), and neither the throttles nor anything else adds or skips one."""
    user = SupplierFactory(user__password=PASSWORD).user
    if attempt == "an inactive account":
        User.objects.filter(pk=user.pk).update(is_active=False)
    email = "nobody@example.com" if attempt == "an unknown e-mail" else user.email
    password = "wrong password" if attempt == "a wrong password" else PASSWORD
    argon2_runs.update(hash=0, verify=0)

    response = obtain(email, password)

    assert response.status_code == (200 if attempt == "the right password" else 401)
    assert argon2_runs["hash"] + argon2_runs["verify"] == 1, argon2_runs
    if attempt == "an unknown e-mail":
        assert argon2_runs["hash"] == 1


@pytest.mark.parametrize("email", ["known", "nobody@example.com"])
def test_an_admin_login_runs_argon2_once_whether_the_email_is_known_or_not(argon2_runs, email):
    user = UserFactory(is_staff=True, is_operator=True, password=PASSWORD)
    argon2_runs.update(hash=0, verify=0)

    response = Client().post("/admin/login/", {"username": user.email if email == "known" else email, "password": "x"})

    assert response.status_code == 200  # the form again, with its error
    assert argon2_runs["hash"] + argon2_runs["verify"] == 1, argon2_runs
