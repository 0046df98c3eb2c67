from payments_api.common.exceptions import ValidationFailed


class UnsafeWebhookUrl(ValidationFailed):
    code = "unsafe-webhook-url"
    title = "The URL may not receive webhooks."
