from payments_api.webhooks.tests.receiver import receiver  # noqa: F401
