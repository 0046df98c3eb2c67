"""Money and figures as people read them, in the active language: R$ 1.234,56 in pt-BR, R$1,234.56 in en."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext, pgettext


def _number(value: Decimal, decimal_pos: int) -> str:
    return formats.number_format(value, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True)


def format_money(value: Decimal | int | None) -> str:
    """R$ and the amount in cents with the language's separators; an empty string for no amount."""
    if value is None:
        return ""
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    # Translators: a money amount in reais; the amount is already formatted with the language's separators.
    return sign + pgettext("money", "R$%(amount)s") % {"amount": _number(abs(value), 2)}


def format_money_compact(value: Decimal | int) -> str:
    """An axis label: R$ 1,5 mi / R$1.5M, R$ 250 mil / R$250K, or the whole amount below a thousand."""
    value = Decimal(value)
    for size, unit in ((Decimal(10**9), gettext("B")), (Decimal(10**6), gettext("M")), (Decimal(10**3), gettext("K"))):
        if abs(value) >= size:
            scaled = (value / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize()
            amount = _number(scaled, 0 if scaled == scaled.to_integral_value() else 1)
            # Translators: a compact amount in reais, as 1.5M or 250K; the unit is translated on its own.
            return pgettext("money", "R$%(amount)s%(unit)s") % {"amount": amount, "unit": unit}
    return pgettext("money", "R$%(amount)s") % {"amount": _number(value.quantize(Decimal(1)), 0)}


def format_percent(value: Decimal | None, *, decimal_pos: int = 1) -> str:
    """A ratio (0.4321) as a percentage (43.2%, 43,2%); an empty string for none."""
    if value is None:
        return ""
    return _number((value * 100).quantize(Decimal(10) ** -decimal_pos, rounding=ROUND_HALF_UP), decimal_pos) + "%"
