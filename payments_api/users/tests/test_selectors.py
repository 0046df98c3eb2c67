import pytest

from payments_api.users.selectors import user_email_taken
from payments_api.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("email", ["dora@example.com", "DORA@example.com", "Dora@Example.COM"])
def test_an_email_is_taken_whatever_its_case(email):
    UserFactory(email="dora@example.com")

    assert user_email_taken(email=email)


def test_an_email_is_not_taken_by_the_user_that_has_it():
    user = UserFactory(email="dora@example.com")

    assert not user_email_taken(email="Dora@example.com", excluding=user)
    assert not user_email_taken(email="other@example.com")
    assert user_email_taken(email="Dora@example.com", excluding=UserFactory())
