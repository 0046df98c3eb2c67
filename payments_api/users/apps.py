from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "payments_api.users"

    def ready(self):
        from payments_api.users import schema  # noqa: F401  registers the OpenAPI security scheme
