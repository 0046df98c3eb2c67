from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from payments_api.cockpit.dashboard import Dashboard
from payments_api.cockpit.services import dashboard_snapshot
from payments_api.common.throttling import login_wait


class CockpitAdminSite(admin.AdminSite):
    """The admin as the operators' cockpit: named after the service, opening on the programme's dashboard."""

    site_header = _("Supplier early payments")
    site_title = _("Supplier early payments")
    index_title = _("How the programme is doing")
    # The service has no public page of its own: "View site" opens the API's documentation.
    site_url = "/api/docs/"
    index_template = "cockpit/index.html"

    def index(self, request, extra_context=None):
        extra_context = extra_context or {}
        if self.shows_dashboard(request):
            extra_context["dashboard"] = Dashboard(dashboard_snapshot())
        return super().index(request, extra_context)

    def shows_dashboard(self, request) -> bool:
        """Whoever may see the anticipations (operators, superusers) sees the figures drawn from them."""
        from payments_api.payments.models import Anticipation

        model_admin = self._registry.get(Anticipation)
        return model_admin is not None and model_admin.has_view_permission(request)

    def login(self, request, extra_context=None):
        # The login form's POSTs count against the limits of POST /api/token/: same limits, same counters.
        if (seconds := login_wait(request)) is not None:
            context = {**self.each_context(request), "title": _("Too many login attempts"), "seconds": seconds}
            response = TemplateResponse(request, "cockpit/login_throttled.html", context, status=429)
            response["Retry-After"] = str(seconds)
            return response
        return super().login(request, extra_context)
