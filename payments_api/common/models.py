from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Sum
from django.db.models.functions import Coalesce

# Amounts up to 999,999,999.99, in cents.
MONEY_MAX_DIGITS = 11
MONEY_DECIMAL_PLACES = 2


class MoneyField(models.DecimalField):
    """An amount of money: a decimal with the project's digits (11, two of them after the point)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        # Migrations keep the plain DecimalField: the column is the same, and they never depend on this class.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def money_total_field() -> models.DecimalField:
    """The output field of a sum of amounts: room for millions of them, in cents."""
    return models.DecimalField(max_digits=MONEY_MAX_DIGITS + 9, decimal_places=MONEY_DECIMAL_PLACES)


def money_sum(expression: Any) -> Coalesce:
    """The sum of `expression` (a column's name or an expression) in money_total_field's digits, 0.00 over no rows."""
    field = money_total_field()
    return Coalesce(Sum(expression, output_field=field), Decimal("0.00"), output_field=field)
