from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "payments_api.users"

    def ready(self):
        from payments_api.users import schema, signals  # noqa: F401  the OpenAPI security scheme, cache upkeep
