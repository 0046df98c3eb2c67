from django import template

from payments_api.common import formatting

register = template.Library()

register.filter("money", formatting.format_money)
register.filter("money_compact", formatting.format_money_compact)
register.filter("percent", formatting.format_percent)
