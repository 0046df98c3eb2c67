"""The programme's terms change only by a superuser, each change a dated version; the calendar's cache follows the
operators' overrides."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from payments_api.programme.errors import InvalidProgrammeTerms, OperatorRequired, SuperuserRequired
from payments_api.programme.models import CalendarOverride, CalendarOverrideKind, Programme, ProgrammeVersion
from payments_api.programme.selectors import business_calendar, programme_current
from payments_api.programme.services import calendar_override_save, calendar_overrides_delete, programme_update
from payments_api.users.tests.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2027, 3, 9)  # a Tuesday


def test_the_first_version_is_seeded_from_the_setting(settings):
    programme = programme_current()

    assert programme.monthly_rate == settings.ANTICIPATION_MONTHLY_RATE == Decimal("0.03")
    assert programme.business_days_only is False
    assert programme.version_id == 1
    assert programme.version.created_by is None and programme.version.changes == {}


def test_a_change_is_kept_as_a_version_with_who_when_and_old_and_new_values(superuser):
    before = timezone.now()

    programme = programme_update(changed_by=superuser, monthly_rate=Decimal("0.025"), business_days_only=True)

    assert (programme.monthly_rate, programme.business_days_only, programme.version_id) == (Decimal("0.025"), True, 2)
    version = ProgrammeVersion.objects.get(number=2)
    assert version.created_by == superuser
    assert before <= version.created_at <= timezone.now()
    assert (version.monthly_rate, version.business_days_only) == (Decimal("0.025"), True)
    assert version.changes == {
        "monthly_rate": {"old": "0.030000", "new": "0.025000"},
        "business_days_only": {"old": False, "new": True},
    }
    assert ProgrammeVersion.objects.get(number=1).monthly_rate == Decimal("0.03")  # history is kept as it was


def test_each_version_records_only_what_changed(superuser):
    programme_update(changed_by=superuser, monthly_rate=Decimal("0.02"))
    programme_update(changed_by=superuser, monthly_rate=Decimal("0.02"), business_days_only=True)

    assert ProgrammeVersion.objects.get(number=3).changes == {"business_days_only": {"old": False, "new": True}}


def test_the_treasury_controls_are_terms_versioned_like_the_others(superuser):
    programme = programme_update(
        changed_by=superuser,
        monthly_budget=Decimal("250000"),
        auto_approve_min_apr=Decimal("36.5"),
        auto_approve_max_value=Decimal("5000"),
        dual_approval_min_value=Decimal("100000"),
    )

    assert programme.terms() == {
        "monthly_rate": Decimal("0.030000"),
        "business_days_only": False,
        "monthly_budget": Decimal("250000.00"),
        "auto_approve_min_apr": Decimal("36.50"),
        "auto_approve_max_value": Decimal("5000.00"),
        "dual_approval_min_value": Decimal("100000.00"),
    }
    assert ProgrammeVersion.objects.get(number=2).changes == {
        "monthly_budget": {"old": None, "new": "250000.00"},
        "auto_approve_min_apr": {"old": None, "new": "36.50"},
        "auto_approve_max_value": {"old": None, "new": "5000.00"},
        "dual_approval_min_value": {"old": None, "new": "100000.00"},
    }
    # Off again: null.
    programme = programme_update(changed_by=superuser, monthly_budget=None)
    assert programme.monthly_budget is None
    assert ProgrammeVersion.objects.get(number=3).changes == {"monthly_budget": {"old": "250000.00", "new": None}}


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"monthly_budget": Decimal("-0.01")}, "monthly_budget"),
        ({"auto_approve_min_apr": Decimal("-1"), "auto_approve_max_value": Decimal("1")}, "auto_approve_min_apr"),
        ({"auto_approve_min_apr": Decimal("10"), "auto_approve_max_value": Decimal("0")}, "auto_approve_max_value"),
        ({"dual_approval_min_value": Decimal("0")}, "dual_approval_min_value"),
        ({"auto_approve_min_apr": Decimal("10")}, None),
        ({"auto_approve_max_value": Decimal("10")}, None),
    ],
)
def test_treasury_controls_out_of_range_or_half_set_are_refused(superuser, terms, field):
    with pytest.raises(InvalidProgrammeTerms) as refusal:
        programme_update(changed_by=superuser, **terms)

    assert refusal.value.field == field
    assert programme_current().version_id == 1


@pytest.mark.parametrize(
    "column",
    [
        {"monthly_budget": Decimal("-1")},
        {"auto_approve_min_apr": Decimal("1")},  # without its ceiling
        {"auto_approve_min_apr": Decimal("-1"), "auto_approve_max_value": Decimal("1")},
        {"auto_approve_min_apr": Decimal("1"), "auto_approve_max_value": Decimal("0")},
        {"dual_approval_min_value": Decimal("0")},
    ],
)
def test_the_database_holds_the_treasury_controls_in_both_tables(column):
    for model in (Programme, ProgrammeVersion):
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=model.objects.order_by("pk").first().pk).update(**column)


def test_terms_given_unchanged_make_no_version(superuser):
    programme = programme_update(changed_by=superuser, monthly_rate=Decimal("0.030"), business_days_only=False)

    assert programme.version_id == 1
    assert ProgrammeVersion.objects.count() == 1


@pytest.mark.parametrize("user", [lambda: OperatorFactory(is_staff=True), lambda: UserFactory(is_staff=True)])
def test_only_a_superuser_changes_the_terms(user):
    with pytest.raises(SuperuserRequired):
        programme_update(changed_by=user(), monthly_rate=Decimal("0.01"))

    assert programme_current().monthly_rate == Decimal("0.03")


@pytest.mark.parametrize("rate", ["-0.01", "1", "1.5", "0.0000001"])
def test_a_rate_outside_0_to_below_1_or_finer_than_a_millionth_is_refused(superuser, rate):
    with pytest.raises(InvalidProgrammeTerms) as refused:
        programme_update(changed_by=superuser, monthly_rate=Decimal(rate))

    assert refused.value.field == "monthly_rate"
    assert Programme.objects.get().monthly_rate == Decimal("0.03")
    assert ProgrammeVersion.objects.count() == 1


def test_an_unknown_term_is_refused(superuser):
    with pytest.raises(InvalidProgrammeTerms):
        programme_update(changed_by=superuser, calendar_revision=None)


def test_the_database_keeps_one_programme_row_and_rates_in_range():
    version = programme_current().version
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(id=2, version=version, monthly_rate=Decimal("0.03"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.update(monthly_rate=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeVersion.objects.create(number=9, monthly_rate=Decimal("-0.1"), created_at=timezone.now())


def test_an_emptied_database_gets_the_first_version_back(settings):
    Programme.objects.all().delete()
    ProgrammeVersion.objects.all().delete()
    settings.ANTICIPATION_MONTHLY_RATE = Decimal("0.021")

    assert (programme_current().monthly_rate, programme_current().version_id) == (Decimal("0.021"), 1)


# --- the calendar's overrides and its cache -------------------------------------------------------------------------


def test_an_override_is_seen_by_the_next_calendar_and_the_calendar_is_read_once(operator, django_assert_num_queries):
    calendar = business_calendar(programme=programme_current())
    assert calendar.is_business_day(DAY)

    calendar_override_save(
        override=CalendarOverride(day=DAY, kind=CalendarOverrideKind.HOLIDAY, name="Local holiday"), saved_by=operator
    )
    programme = programme_current()
    with django_assert_num_queries(1):  # the overrides, once
        calendar = business_calendar(programme=programme)
    with django_assert_num_queries(0):
        assert business_calendar(programme=programme) is calendar

    assert calendar.holiday_name(DAY) == "Local holiday"
    assert CalendarOverride.objects.get().updated_by == operator


def test_deleting_overrides_is_seen_by_the_next_calendar(operator):
    calendar_override_save(
        override=CalendarOverride(day=DAY, kind=CalendarOverrideKind.HOLIDAY, name="Local holiday"), saved_by=operator
    )
    assert not business_calendar(programme=programme_current()).is_business_day(DAY)

    calendar_overrides_delete(overrides=CalendarOverride.objects.all(), deleted_by=operator)

    assert business_calendar(programme=programme_current()).is_business_day(DAY)


def test_only_operators_change_the_calendar(superuser):
    override = CalendarOverride(day=DAY, kind=CalendarOverrideKind.HOLIDAY, name="Local holiday")
    revision = programme_current().calendar_revision

    with pytest.raises(OperatorRequired):
        calendar_override_save(override=override, saved_by=superuser)
    with pytest.raises(OperatorRequired):
        calendar_overrides_delete(overrides=CalendarOverride.objects.all(), deleted_by=superuser)

    assert not CalendarOverride.objects.exists()
    assert programme_current().calendar_revision == revision
