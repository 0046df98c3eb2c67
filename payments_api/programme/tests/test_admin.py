"""The admin: superusers change the terms (a new version each time), operators read them and keep the calendar."""

import datetime
from decimal import Decimal

import pytest

from payments_api.payments.tests.factories import AnticipationFactory
from payments_api.programme.models import CalendarOverride, CalendarOverrideKind, Programme, ProgrammeVersion
from payments_api.programme.selectors import business_calendar, programme_current

pytestmark = pytest.mark.django_db

PROGRAMME = "/admin/programme/programme/1/change/"
VERSIONS = "/admin/programme/programmeversion/"
OVERRIDES = "/admin/programme/calendaroverride/"


def test_a_superuser_changes_the_rate_and_a_version_records_it(superuser_admin_client):
    response = superuser_admin_client.post(PROGRAMME, {"monthly_rate": "0.025", "business_days_only": "on"})

    assert response.status_code == 302, response.content
    programme = Programme.objects.get()
    assert (programme.monthly_rate, programme.business_days_only, programme.version_id) == (Decimal("0.025"), True, 2)
    version = ProgrammeVersion.objects.get(number=2)
    assert version.created_by.is_superuser
    assert version.changes["monthly_rate"] == {"old": "0.030000", "new": "0.025000"}


def test_a_superuser_sets_the_treasury_controls_in_the_admin(superuser_admin_client):
    terms = {
        "monthly_rate": "0.03",
        "monthly_budget": "250000",
        "auto_approve_min_apr": "36.5",
        "auto_approve_max_value": "5000",
        "dual_approval_min_value": "100000",
    }

    response = superuser_admin_client.post(PROGRAMME, terms)

    assert response.status_code == 302, response.content
    programme = Programme.objects.get()
    assert (
        programme.monthly_budget,
        programme.auto_approve_min_apr,
        programme.auto_approve_max_value,
        programme.dual_approval_min_value,
        programme.version_id,
    ) == (Decimal("250000"), Decimal("36.5"), Decimal("5000"), Decimal("100000"), 2)
    assert set(ProgrammeVersion.objects.get(number=2).changes) == {
        "monthly_budget", "auto_approve_min_apr", "auto_approve_max_value", "dual_approval_min_value"
    }


def test_a_hurdle_without_its_ceiling_is_refused_on_the_form(superuser_admin_client):
    response = superuser_admin_client.post(PROGRAMME, {"monthly_rate": "0.03", "auto_approve_min_apr": "36.5"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == ["Set both the APR hurdle and the ceiling for automatic approval, or neither."]
    assert ProgrammeVersion.objects.count() == 1


def test_the_programme_page_shows_the_versions(operator_admin_client, programme_terms):
    programme_terms(monthly_rate=Decimal("0.02"))
    programme_terms(business_days_only=True)

    page = operator_admin_client.get(PROGRAMME).content.decode()

    assert "business_days_only: False → True" in page
    assert "monthly_rate: 0.030000 → 0.020000" in page
    assert "by the first migrate: first version" in page
    assert page.index("business_days_only: False") < page.index("monthly_rate: 0.030000")  # newest first


def test_a_rate_out_of_range_is_shown_on_the_form_and_changes_nothing(superuser_admin_client):
    response = superuser_admin_client.post(PROGRAMME, {"monthly_rate": "1.5"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["monthly_rate"]
    assert ProgrammeVersion.objects.count() == 1


def test_an_operator_reads_the_terms_and_versions_but_does_not_change_them(operator_admin_client, programme_terms):
    programme_terms(monthly_rate=Decimal("0.02"))

    assert operator_admin_client.get(PROGRAMME).status_code == 200
    assert operator_admin_client.post(PROGRAMME, {"monthly_rate": "0.01"}).status_code == 403
    versions = operator_admin_client.get(VERSIONS)
    assert versions.status_code == 200
    assert b"monthly_rate: 0.030000 \xe2\x86\x92 0.020000" in versions.content
    assert b"first version" in versions.content
    assert Programme.objects.get().monthly_rate == Decimal("0.02")


def test_an_operator_adds_and_deletes_an_override_and_the_calendar_follows(operator_admin_client, admin_operator):
    day = datetime.date(2027, 1, 25)

    response = operator_admin_client.post(
        f"{OVERRIDES}add/", {"day": day.isoformat(), "kind": CalendarOverrideKind.HOLIDAY, "name": "São Paulo"}
    )

    assert response.status_code == 302, response.content
    override = CalendarOverride.objects.get()
    assert override.updated_by == admin_operator
    assert business_calendar(programme=programme_current()).holiday_name(day) == "São Paulo"

    response = operator_admin_client.post(
        OVERRIDES, {"action": "delete_selected", "_selected_action": [override.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert business_calendar(programme=programme_current()).is_business_day(day)


def test_a_superuser_who_is_not_an_operator_only_reads_the_overrides(superuser_admin_client):
    assert superuser_admin_client.get(OVERRIDES).status_code == 200
    assert superuser_admin_client.get(f"{OVERRIDES}add/").status_code == 403


def test_each_anticipation_shows_the_rate_it_was_priced_at(operator_admin_client):
    AnticipationFactory(monthly_rate=Decimal("0.0175"))

    response = operator_admin_client.get("/admin/payments/anticipation/")

    assert b"1.75% a month" in response.content
