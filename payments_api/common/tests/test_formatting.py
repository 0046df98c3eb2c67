"""Money and ratios as the pages show them, in each language."""

from decimal import Decimal

import pytest
from django.utils import translation

from payments_api.common.formatting import format_money, format_money_compact, format_percent


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("pt-br", Decimal("1234.56"), "R$ 1.234,56"),
        ("en", Decimal("1234.56"), "R$1,234.56"),
        ("pt-br", Decimal("999999999.99"), "R$ 999.999.999,99"),
        ("en", Decimal("0"), "R$0.00"),
        ("en", Decimal("-12.5"), "-R$12.50"),
        ("en", Decimal("0.005"), "R$0.01"),  # half up
        ("pt-br", 7, "R$ 7,00"),
    ],
)
def test_money(language, value, shown):
    with translation.override(language):
        assert format_money(value) == shown


def test_no_money_is_an_empty_string():
    assert format_money(None) == ""


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("pt-br", Decimal("1500000"), "R$ 1,5 mi"),
        ("en", Decimal("1500000"), "R$1.5M"),
        ("pt-br", Decimal("250000"), "R$ 250 mil"),
        ("en", Decimal("250000"), "R$250K"),
        ("en", Decimal("2500000000"), "R$2.5B"),
        ("en", Decimal("750"), "R$750"),
    ],
)
def test_compact_money(language, value, shown):
    with translation.override(language):
        assert format_money_compact(value) == shown


def test_percent():
    with translation.override("pt-br"):
        assert format_percent(Decimal("0.38178")) == "38,2%"
    with translation.override("en"):
        assert format_percent(Decimal("0.38178")) == "38.2%"
    assert format_percent(None) == ""
