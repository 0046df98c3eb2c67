"""The admin site as the cockpit: named after the service, its index the dashboard, its figures a cached snapshot."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments_api.celery import app
from payments_api.cockpit.services import CACHE_KEY, dashboard_refresh, dashboard_snapshot
from payments_api.payments.tests.factories import AnticipationFactory, days
from payments_api.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_site_is_named_after_the_service_and_view_site_opens_the_api_docs(operator_admin_client):
    page = operator_admin_client.get("/admin/").content.decode()

    assert "<title>How the programme is doing | Supplier early payments</title>" in page
    assert '<div id="site-name"><a href="/admin/">Supplier early payments</a></div>' in page
    assert '<a href="/api/docs/">View site</a>' in page
    assert "Django administration" not in page


def test_an_operators_index_is_the_dashboard(operator_admin_client, supplier):
    AnticipationFactory(payment__supplier=supplier, creation_date=days(-3))

    response = operator_admin_client.get("/admin/")

    dashboard = response.context["dashboard"]
    assert (dashboard.pending.count, dashboard.pending.value, dashboard.oldest_waiting_days) == (
        1,
        Decimal("1000.00"),
        3,
    )
    page = response.content.decode()
    assert '<strong class="cockpit-value" data-figure="pending-count">1</strong>' in page
    assert 'data-figure="pending-value">R$1,000.00<' in page
    assert page.count("<svg") >= 1


def test_the_dashboard_shows_the_months_budget_used_and_left(operator_admin_client, supplier, programme_terms):
    # Approved for this month: 300.00 + 450.50 = 750.50 of 1,000.00, leaving 249.50; pending and denied ones and
    # another month's approval are not counted.
    for new_value, status, offset in [
        ("300.00", "A", 0),
        ("450.50", "A", 0),
        ("99.00", "PC", 0),
        ("98.00", "D", 0),
        ("97.00", "A", 40),
    ]:
        new_due_date = days(0).replace(day=1) + datetime.timedelta(days=offset)
        AnticipationFactory(
            payment__supplier=supplier,
            payment__creation_date=new_due_date - datetime.timedelta(days=1),
            payment__due_date=new_due_date + datetime.timedelta(days=20),
            creation_date=new_due_date - datetime.timedelta(days=1),
            new_due_date=new_due_date,
            new_value=Decimal(new_value),
            status=status,
        )
    programme_terms(monthly_budget=Decimal("1000.00"))

    page = operator_admin_client.get("/admin/").content.decode()

    assert 'data-figure="budget-left">R$249.50<' in page
    assert '<span data-figure="budget-used">R$750.50</span> used of R$1,000.00' in page


def test_without_a_budget_the_dashboard_says_no_limit_and_what_is_used(operator_admin_client, supplier):
    AnticipationFactory(payment__supplier=supplier, new_due_date=days(0), new_value=Decimal("12.00"), status="A")

    page = operator_admin_client.get("/admin/").content.decode()

    assert 'data-figure="budget-left">No limit<' in page
    assert '<span data-figure="budget-used">R$12.00</span> used' in page


def test_staff_who_may_not_see_anticipations_get_no_figures(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "dashboard" not in response.context
    assert b"cockpit-figures" not in response.content


def test_the_page_reads_the_snapshot_without_reading_the_anticipations(operator_admin_client, supplier):
    AnticipationFactory(payment__supplier=supplier)
    operator_admin_client.get("/admin/")  # computes and keeps the figures

    AnticipationFactory(payment__supplier=supplier)  # not yet in the figures
    with CaptureQueriesContext(connection) as queries:
        response = operator_admin_client.get("/admin/")

    assert response.context["dashboard"].pending.count == 1
    assert not [query for query in queries if "payments_anticipation" in query["sql"]]

    dashboard_refresh()  # what beat runs every DASHBOARD_REFRESH_SECONDS
    assert operator_admin_client.get("/admin/").context["dashboard"].pending.count == 2


def test_a_snapshot_of_another_day_is_computed_again(supplier):
    stale = dashboard_refresh()
    cache.set(CACHE_KEY, type(stale)(computed_at=stale.computed_at, figures=_on(stale.figures, days(-1))))
    AnticipationFactory(payment__supplier=supplier)

    snapshot = dashboard_snapshot()

    assert snapshot.figures.today == days(0)
    assert snapshot.figures.pending.count == 1


def _on(figures, day: datetime.date):
    import dataclasses

    return dataclasses.replace(figures, today=day)


def test_beat_refreshes_the_figures():
    schedule = settings.CELERY_BEAT_SCHEDULE["refresh-dashboard"]
    assert schedule["task"] == "payments_api.cockpit.tasks.refresh_dashboard"
    assert schedule["schedule"] == settings.DASHBOARD_REFRESH_SECONDS
    app.loader.import_default_modules()
    assert "payments_api.cockpit.tasks.refresh_dashboard" in app.tasks
