"""Every list of the admin on a laptop's screen (1,400 px), with rows in it, in both languages: all its columns in
sight beside the navigation and the filters, none of them cut off behind a sideways scroll."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from payments_api.common.tests.admin_models import ADMIN_MODELS
from payments_api.payments.models import PayablesImport, PayablesImportStatus
from payments_api.programme.models import CalendarOverride, CalendarOverrideKind
from payments_api.users.models import AccountChange, AccountChangeKind
from payments_api.webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEventType
from payments_api.webhooks.tests.factories import WebhookEndpointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def every_kind_of_row(programme, superuser, admin_operator):
    """Beside the programme's payments, anticipations, logs and e-mails: a row for each list that has none yet,
    with long values where a list shows text."""
    alpha = programme["alpha"]
    AccountChange.objects.create(
        actor=admin_operator, user=alpha.user, supplier=alpha, kind=AccountChangeKind.EMAIL_CHANGED,
        detail="old-address-of-a-supplier@example.com.br -> new-address-of-a-supplier@example.com.br",
    )
    CalendarOverride.objects.create(
        day=timezone.localdate() + datetime.timedelta(days=30), kind=CalendarOverrideKind.HOLIDAY,
        name="Aniversário da cidade de São José dos Campos", updated_by=superuser,
    )
    PayablesImport.objects.create(
        imported_by=admin_operator, status=PayablesImportStatus.IMPORTED, filename="contas-a-pagar-2026-12.csv",
        file_sha256=hashlib.sha256(b"file").hexdigest(), rows=1200, created=1000, updated=150, unchanged=50,
    )
    endpoint = WebhookEndpointFactory(
        url="https://erp.buyer-company.example.com.br/integrations/payments-api/webhooks/receive",
        description="The buyer's ERP, treasury module (production)",
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event_type=WebhookEventType.values[0], body="{}", status=WebhookDeliveryStatus.FAILED,
        attempts=12, response_status=503, last_error="HTTP 503 Service Unavailable: the receiver is down for upkeep",
    )


@pytest.mark.parametrize("language", ["en-US", "pt-BR"])
@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model._meta.model_name)
def test_every_admin_list_fits_a_laptop_screen(
    live_server, browser, screenshot, every_kind_of_row, superuser, log_in_browser, model, language
):
    context = browser.new_context(locale=language, viewport={"width": 1400, "height": 900})
    log_in_browser(context, superuser)
    page = context.new_page()

    page.goto(f"{live_server.url}/admin/{model._meta.app_label}/{model._meta.model_name}/")

    assert page.locator("#result_list tbody tr").count() >= 1, page.url
    overflow = page.eval_on_selector("#changelist .results", "e => e.scrollWidth - e.clientWidth")
    screenshot(page, f"list-{model._meta.model_name}-{language.lower()}")
    context.close()
    assert overflow <= 0, f"{model._meta.verbose_name_plural}: {overflow} px cut off"
