"""The user model's lookups: logging in finds a user by e-mail in any case, through the case-insensitive index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments_api.users.models import User


@pytest.mark.parametrize("given", ["Someone@Example.com", "SOMEONE@EXAMPLE.COM", "someone@example.com"])
def test_a_user_is_found_by_its_email_in_any_case(db, given):
    user = User.objects.create_user("someone@example.com", "secret-password")

    assert User.objects.get_by_natural_key(given) == user


def test_the_lookup_compares_the_indexed_expression(db):
    User.objects.create_user("someone@example.com", "secret-password")

    with CaptureQueriesContext(connection) as queries:
        User.objects.get_by_natural_key("SOMEONE@example.com")

    # user_email_ci_unique indexes LOWER(email); comparing UPPER() (email__iexact) would scan the table.
    assert 'LOWER("users_user"."email")' in queries[0]["sql"]


def test_an_unknown_email_is_not_found(db):
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("nobody@example.com")
