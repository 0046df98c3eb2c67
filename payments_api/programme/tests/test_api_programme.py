"""GET /api/programme/ (the terms in force) and GET /api/calendar/ (non-business days for a date picker)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from payments_api.common.tests.problems import assert_problem
from payments_api.programme.models import CalendarOverride, CalendarOverrideKind, ProgrammeVersion
from payments_api.programme.services import calendar_override_save

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("client_name", ["supplier_client", "operator_client"])
def test_suppliers_and_operators_read_the_terms_in_force(request, client_name, programme_terms):
    programme_terms(monthly_rate=Decimal("0.0125"))

    response = request.getfixturevalue(client_name).get("/api/programme/")

    assert response.status_code == 200
    assert response.json() == {
        "version": 2,
        "effective_since": timezone.localtime(ProgrammeVersion.objects.get(number=2).created_at).isoformat(),
        "monthly_rate": "0.012500",
        "business_days_only": False,
        "monthly_budget": None,
        "auto_approve_min_apr": None,
        "auto_approve_max_value": None,
        "dual_approval_min_value": None,
    }


def test_the_treasury_controls_are_shown_once_set(supplier_client, programme_terms):
    programme_terms(
        monthly_budget=Decimal("250000"),
        auto_approve_min_apr=Decimal("36.5"),
        auto_approve_max_value=Decimal("5000"),
        dual_approval_min_value=Decimal("100000"),
    )

    body = supplier_client.get("/api/programme/").json()

    assert (
        body["monthly_budget"],
        body["auto_approve_min_apr"],
        body["auto_approve_max_value"],
        body["dual_approval_min_value"],
    ) == ("250000.00", "36.50", "5000.00", "100000.00")


def test_the_terms_are_read_only(operator_client):
    assert_problem(operator_client.put("/api/programme/", {"monthly_rate": "0.01"}, format="json"), 405)
    assert_problem(operator_client.patch("/api/programme/", {"monthly_rate": "0.01"}, format="json"), 405)


def test_others_do_not_read_the_terms(client_for, plain_user, anonymous_client):
    assert_problem(client_for(plain_user).get("/api/programme/"), 403)
    assert_problem(anonymous_client.get("/api/programme/"), 401)


def calendar(client, **params):
    return client.get("/api/calendar/", params)


def test_the_calendar_lists_2027_carnival_and_corpus_christi_with_their_names(supplier_client):
    response = calendar(supplier_client, **{"from": "2027-02-06", "to": "2027-02-14"})

    assert response.status_code == 200
    assert response.json() == {
        "count": 6,
        "next": None,
        "previous": None,
        "results": [
            {"date": "2027-02-06", "name": "Saturday"},
            {"date": "2027-02-07", "name": "Sunday"},
            {"date": "2027-02-08", "name": "Carnival"},
            {"date": "2027-02-09", "name": "Carnival"},
            {"date": "2027-02-13", "name": "Saturday"},
            {"date": "2027-02-14", "name": "Sunday"},
        ],
    }
    corpus_christi = calendar(supplier_client, **{"from": "2027-05-27", "to": "2027-05-28"}).json()["results"]
    assert corpus_christi == [{"date": "2027-05-27", "name": "Corpus Christi"}]


def test_the_calendar_is_paged_and_defaults_to_a_year_from_today(operator_client):
    today = timezone.localdate()

    first = calendar(operator_client).json()
    year = calendar(operator_client, page_size=100, **{"from": today.isoformat()}).json()

    assert first["count"] == year["count"] > 104  # every weekend of a year, and its holidays
    assert len(first["results"]) == 10
    assert first["next"].endswith("/api/calendar/?page=2")
    assert today <= datetime.date.fromisoformat(year["results"][0]["date"])


def test_an_operators_override_shows_at_once(supplier_client, operator):
    window = {"from": "2027-01-25", "to": "2027-01-25"}
    assert calendar(supplier_client, **window).json()["count"] == 0

    calendar_override_save(
        override=CalendarOverride(day=datetime.date(2027, 1, 25), kind=CalendarOverrideKind.HOLIDAY, name="São Paulo"),
        saved_by=operator,
    )
    assert calendar(supplier_client, **window).json()["results"] == [{"date": "2027-01-25", "name": "São Paulo"}]

    calendar_override_save(
        override=CalendarOverride(day=datetime.date(2027, 2, 9), kind=CalendarOverrideKind.WORKING_DAY, name="Open"),
        saved_by=operator,
    )
    carnival = calendar(supplier_client, **{"from": "2027-02-08", "to": "2027-02-09"}).json()["results"]
    assert carnival == [{"date": "2027-02-08", "name": "Carnival"}]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2027-02-10", "to": "2027-02-09"}, "to"),
        ({"from": "2027-01-01", "to": "2037-01-31"}, "to"),
        ({"from": "2027-02-30"}, "from"),
        ({"to": "tomorrow"}, "to"),
        ({"from": "9999-12-31", "to": "10000-01-01"}, "to"),
    ],
)
def test_a_range_that_is_not_one_is_a_validation_problem(supplier_client, params, field):
    assert_problem(calendar(supplier_client, **params), 400, "validation-error", fields={field})


def test_the_calendar_reaches_the_last_day_there_is(supplier_client):
    response = calendar(supplier_client, **{"from": "9999-12-25", "to": "9999-12-31"})

    assert response.status_code == 200
    assert response.json()["results"][-1]["date"] <= "9999-12-31"
    assert calendar(supplier_client, **{"from": "9999-12-31"}).status_code == 200
