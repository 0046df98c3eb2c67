import pytest
from django.core.cache import cache
from django.db import connection
from django.db.backends.base.creation import BaseDatabaseCreation
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from payments_api.common import outbox
from payments_api.programme.services import programme_update
from payments_api.users.tests.factories import OperatorFactory, SupplierFactory, UserFactory

from payments_api.common.append_only import TRUNCATE_SETTING

pytest_plugins = [
    "payments_api.common.tests.celery_worker",
    "payments_api.common.tests.browser",
    "payments_api.common.tests.replica",
]

_execute_sql_flush = DatabaseOperations.execute_sql_flush


def _execute_sql_flush_of_append_only_tables_too(self, sql_list):
    """The database flush after each transactional test empties every table with one TRUNCATE, which the append-only
    tables refuse unless a superuser (the suite's) allows it for the flush's own transaction (common/append_only.py)."""
    return _execute_sql_flush(self, [f"SET LOCAL {TRUNCATE_SETTING} = 'on'", *sql_list])


DatabaseOperations.execute_sql_flush = _execute_sql_flush_of_append_only_tables_too

_deserialize_db_from_string = BaseDatabaseCreation.deserialize_db_from_string


def _deserialize_db_from_string_over_recreated_content_types(self, data):
    """A test with serialized_rollback writes the migrations' rows back at its start, content types and permissions
    with their ids included. The flush after a plain transactional test re-creates content types and permissions
    under new ids (post_migrate, sequences not reset), and the restored ones would collide with them on their natural
    keys: drop those first (nothing else holds them after a flush), then restore."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.using(self.connection.alias).all().delete()
    ContentType.objects.clear_cache()
    return _deserialize_db_from_string(self, data)


BaseDatabaseCreation.deserialize_db_from_string = _deserialize_db_from_string_over_recreated_content_types


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttling counters live in the cache: each test starts with none, so no test is throttled by another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _publishing_not_paused(monkeypatch):
    """Each test starts as a fresh process would: not pausing its publishes after an earlier test's broker failure."""
    monkeypatch.setattr(outbox, "_publishing_paused_until", 0.0)


def pytest_collection_modifyitems(config, items):
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgresql" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def supplier(db):
    return SupplierFactory()


@pytest.fixture
def other_supplier(db):
    return SupplierFactory()


@pytest.fixture
def operator(db):
    return OperatorFactory()


@pytest.fixture
def plain_user(db):
    """Authenticated, but neither a supplier nor an operator."""
    return UserFactory()


@pytest.fixture
def client_for():
    """An API client authenticated with a real access token for `user`."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
        return client

    return make


@pytest.fixture
def supplier_client(client_for, supplier):
    return client_for(supplier.user)


@pytest.fixture
def other_supplier_client(client_for, other_supplier):
    return client_for(other_supplier.user)


@pytest.fixture
def operator_client(client_for, operator):
    return client_for(operator)


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def superuser(db):
    """A superuser that is not an operator: it keeps the programme's terms."""
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def programme_terms(superuser):
    """Changes the programme's terms as a superuser would (a new version), e.g. programme_terms(monthly_rate=...)."""
    return lambda **terms: programme_update(changed_by=superuser, **terms)


@pytest.fixture
def admin_operator(db):
    """An operator as the admin knows one: staff, not a superuser, with no model permission assigned."""
    return OperatorFactory(is_staff=True)


@pytest.fixture
def operator_admin_client(admin_operator):
    """A browser session in the Django admin, logged in as `admin_operator`."""
    client = Client()
    client.force_login(admin_operator)
    return client


@pytest.fixture
def superuser_admin_client(db):
    """A superuser that is not an operator: the API would refuse it, and so does the admin where rules apply."""
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client
