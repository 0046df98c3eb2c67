from django import template

from payments_api.users.cnpj import format_cnpj

register = template.Library()

register.filter("cnpj", format_cnpj)


@register.simple_tag(takes_context=True)
def page_query(context, number: int) -> str:
    """The current list's query string at page `number` (its filters kept)."""
    query = context.get("query") or ""
    return f"?{query}&page={number}" if query else f"?page={number}"


@register.filter
def status_on(payment, today):
    """The payment's state on `today` (Payment.status_on, the selectors' rule)."""
    return payment.status_on(today)
