import factory

from payments_api.users.cnpj import check_digit
from payments_api.users.models import Supplier, User


def _cnpj(n: int) -> str:
    """A valid numeric CNPJ derived from n."""
    base = f"{n:08d}0001"
    first = check_digit(base)
    return base + first + check_digit(base + first)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password("secret-password")


class OperatorFactory(UserFactory):
    is_operator = True


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    user = factory.SubFactory(UserFactory)
    corporate_name = factory.Sequence(lambda n: f"Supplier {n} Ltda")
    reg_number = factory.Sequence(lambda n: _cnpj(n + 1))
