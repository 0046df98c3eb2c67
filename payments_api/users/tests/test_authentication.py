"""Authenticating an API request: the user and its supplier in one query, then from the cache until either changes."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments_api.common.tests.problems import assert_problem
from payments_api.users.selectors import authentication_cache_key
from payments_api.users.tests.factories import OperatorFactory, UserFactory

URL = "/api/logs/"  # an empty list: one query (its count), plus the user's when it is not cached


def queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200, response.content
    return len(captured)


def test_the_user_and_its_supplier_cost_one_query_then_none(supplier_client, supplier):
    assert queries(supplier_client) == 2
    assert queries(supplier_client) == 1
    assert cache.get(authentication_cache_key(supplier.user.pk)).supplier_or_none == supplier


def test_without_a_cache_lifetime_every_request_loads_the_user(supplier_client, settings):
    settings.AUTH_USER_CACHE_SECONDS = 0

    assert [queries(supplier_client) for _ in range(3)] == [2, 2, 2]


def test_a_deactivated_user_is_refused_at_once_though_it_was_cached(supplier_client, supplier):
    queries(supplier_client)

    supplier.user.is_active = False
    supplier.user.save()

    assert_problem(supplier_client.get(URL), 401, "user-inactive")


def test_a_changed_password_ends_the_cached_users_tokens_at_once(supplier_client, supplier):
    queries(supplier_client)

    supplier.user.set_password("a-brand-new-password")
    supplier.user.save()

    assert_problem(supplier_client.get(URL), 401, "password-changed")


def test_a_user_whose_supplier_is_deleted_loses_the_suppliers_access_at_once(supplier_client, supplier):
    queries(supplier_client)

    supplier.delete()

    assert_problem(supplier_client.get(URL), 403)


def test_a_supplier_moved_to_another_user_leaves_the_previous_user_at_once(supplier_client, supplier):
    queries(supplier_client)

    supplier.user = UserFactory()
    supplier.save()

    assert_problem(supplier_client.get(URL), 403)


def test_a_user_made_operator_sees_every_supplier_at_once(client_for, supplier, other_supplier):
    from payments_api.payments.tests.factories import PaymentFactory

    PaymentFactory(supplier=other_supplier)
    client = client_for(supplier.user)
    assert client.get("/api/payments/").json()["count"] == 0

    supplier.user.is_operator = True
    supplier.user.save()

    assert len(client.get("/api/payments/").json()["results"]) == 1


def test_a_deleted_user_is_not_found(client_for, db):
    operator = OperatorFactory()
    client = client_for(operator)
    assert client.get(URL).status_code == 200

    operator.delete()

    assert_problem(client.get(URL), 401, "user-not-found")


@pytest.mark.django_db(transaction=True)
def test_the_cached_copy_is_dropped_again_when_the_change_commits(supplier_client, supplier):
    """A request that read the old row while the change was uncommitted must not leave it cached."""
    from django.db import transaction

    with transaction.atomic():
        supplier.user.is_active = False
        supplier.user.save()
        # Another request, reading the committed (still active) row, caches it meanwhile.
        stale = type(supplier.user).objects.select_related("supplier").get(pk=supplier.user.pk)
        stale.is_active = True
        cache.set(authentication_cache_key(supplier.user.pk), stale, 60)

    assert_problem(supplier_client.get(URL), 401, "user-inactive")
