"""The user model's lookups (logging in finds a user by e-mail in any case, through the case-insensitive index), and
the supplier's language kept to the ones e-mails are written in."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from payments_api.users.models import Language, Supplier, User
from payments_api.users.tests.factories import SupplierFactory


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


@pytest.mark.parametrize("language", ["fr", "", "PT-BR"])
def test_the_database_refuses_a_language_without_emails(db, language):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupplierFactory(language=language)

    assert not Supplier.objects.exists()


@pytest.mark.parametrize("language", Language.values)
def test_the_database_accepts_each_language_of_the_emails(db, language):
    supplier = SupplierFactory(language=language)

    assert Supplier.objects.get(pk=supplier.pk).language == language
