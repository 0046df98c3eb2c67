from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "payments_api.users"
    verbose_name = _("Users")

    def ready(self):
        from payments_api.users import schema, signals  # noqa: F401  the OpenAPI security scheme, cache upkeep
