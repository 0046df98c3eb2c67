from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    """The operators' cockpit: the admin site, its dashboard and the pages built on the admin."""

    name = "payments_api.cockpit"
    verbose_name = _("Cockpit")


class CockpitAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the cockpit's site (header, dashboard, throttled login) as admin.site."""

    default = False
    default_site = "payments_api.cockpit.sites.CockpitAdminSite"
