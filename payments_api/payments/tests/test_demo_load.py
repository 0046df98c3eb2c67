"""manage.py demo_load (what `make run` loads): the demo's four accounts and their payments, into an empty database
only, with one line per demo e-mail; and what each account may do."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from payments_api import settings as production_settings
from payments_api.notifications.models import Notification
from payments_api.payments.models import Anticipation, Payment, PaymentStatus
from payments_api.payments.selectors import payments_visible_to
from payments_api.users.models import Language, Supplier, User

pytestmark = pytest.mark.django_db

ACCOUNTS = ["user01@email.com", "user02@email.com", "operator01@email.com", "admin@email.com"]


def demo_load() -> str:
    out = io.StringIO()
    call_command("demo_load", stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded(settings, capsys, django_capture_on_commit_callbacks):
    # The fixture's hashes are Argon2id, as production makes them; the test settings hash with MD5 only.
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    with django_capture_on_commit_callbacks(execute=True):  # the e-mails go once the load commits
        output = demo_load()
    return output + capsys.readouterr().out


def test_an_empty_database_gets_the_four_accounts_and_payments_in_every_state(loaded):
    assert sorted(User.objects.values_list("email", flat=True)) == sorted(ACCOUNTS)
    for supplier in Supplier.objects.select_related("user"):
        for state in PaymentStatus.values:
            assert payments_visible_to(user=supplier.user, status=state).exists(), (supplier, state)


@pytest.mark.django_db(transaction=True)
def test_each_demo_email_is_one_line(settings, capsys):
    """The e-mails go when the load commits (a real commit here), through the one-line console backend."""
    loaded = demo_load() + capsys.readouterr().out

    lines = [line for line in loaded.splitlines() if line.startswith("E-mail to ")]

    assert len(lines) == Notification.objects.count() > 0
    assert all(line.startswith(("E-mail to user01@email.com: ", "E-mail to user02@email.com: ")) for line in lines)
    assert len(loaded.splitlines()) < 20


def test_a_second_load_leaves_what_an_operator_edited(loaded):
    supplier = Supplier.objects.get(user__email="user01@email.com")
    supplier.language = Language.ENGLISH
    supplier.save()
    Payment.objects.filter(supplier=supplier, anticipation__isnull=True).first().delete()
    before = (Payment.objects.count(), Anticipation.objects.count(), User.objects.count())

    output = demo_load()

    assert "not loaded" in output
    supplier.refresh_from_db()
    assert supplier.language == Language.ENGLISH
    assert (Payment.objects.count(), Anticipation.objects.count(), User.objects.count()) == before


def token(email: str) -> APIClient:
    client = APIClient()
    response = client.post("/api/token/", {"email": email, "password": email.split("@")[0]}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def test_the_suppliers_see_their_own_payments(loaded):
    for email in ("user01@email.com", "user02@email.com"):
        body = token(email).get("/api/payments/").json()
        supplier = Supplier.objects.get(user__email=email)
        assert body["count"] == Payment.objects.filter(supplier=supplier).count()
        assert {item["supplier"] for item in body["results"]} == {supplier.pk}


def test_the_operator_works_the_queue_and_the_admin_but_grants_no_roles(loaded):
    operator = token("operator01@email.com")
    pending = operator.get("/api/anticipations/", {"status": "PC"}).json()
    assert pending["count"] == Anticipation.objects.filter(status="PC").count() == 2
    decided = operator.patch(f"/api/anticipations/{pending['results'][0]['id']}/", {"status": "D"}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "D"

    browser = Client()
    assert browser.login(email="operator01@email.com", password="operator01")
    assert browser.get("/admin/payments/payment/").status_code == 200
    supplier_user = User.objects.get(email="user01@email.com")
    form = browser.get(f"/admin/users/user/{supplier_user.pk}/change/").content.decode()
    assert 'name="is_operator"' not in form and 'name="is_superuser"' not in form


def test_the_admin_runs_the_admin_but_not_the_api(loaded):
    admin = token("admin@email.com")
    assert admin.get("/api/payments/").status_code == 403

    browser = Client()
    assert browser.login(email="admin@email.com", password="admin")
    operator = User.objects.get(email="operator01@email.com")
    form = browser.get(f"/admin/users/user/{operator.pk}/change/").content.decode()
    assert 'name="is_operator"' in form and 'name="is_superuser"' in form
