from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The suppliers' web portal at /portal/: server-rendered pages on the same services and selectors as the API."""

    name = "payments_api.portal"
    verbose_name = _("Supplier portal")
