from django.utils.translation import gettext_lazy as _

from payments_api.common.exceptions import ValidationFailed


class UnsafeWebhookUrl(ValidationFailed):
    code = "unsafe-webhook-url"
    title = _("The URL may not receive webhooks.")
