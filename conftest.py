import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from payments_api.users.tests.factories import OperatorFactory, SupplierFactory, UserFactory

pytest_plugins = ["payments_api.common.tests.celery_worker"]


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
