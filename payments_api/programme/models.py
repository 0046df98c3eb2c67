"""The programme's terms (one row, versioned on every change) and the operators' overrides of the banking calendar."""

import uuid
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments_api.common.models import MoneyField

PROGRAMME_ID = 1
MAX_MONTHLY_RATE = Decimal("0.999999")
# An APR hurdle, as the quote writes APRs: a percentage with two decimals (36.50 is 36.5% a year).
MAX_APR = Decimal("9999.99")


class DecimalDigits(TypedDict):
    max_digits: int
    decimal_places: int


# A monthly rate such as 0.03 (3% a month), to the millionth.
RATE: DecimalDigits = {"max_digits": 7, "decimal_places": 6}
RATE_QUANTUM = Decimal("0.000001")


class ProgrammeTerms(models.Model):
    """The terms, as held by the programme and copied into each of its versions.

    A new term is a field here (both tables gain it in one migration) and a name in TERMS.
    """

    TERMS = (
        "monthly_rate",
        "business_days_only",
        "monthly_budget",
        "auto_approve_min_apr",
        "auto_approve_max_value",
        "dual_approval_min_value",
    )

    monthly_rate = models.DecimalField(
        _("monthly rate"),
        **RATE,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_MONTHLY_RATE)],
        help_text=_("The discount per 30 days early, e.g. 0.030000 for 3% a month."),
    )
    business_days_only = models.BooleanField(
        _("business days only"),
        default=False, help_text=_("Refuse new due dates that are not business days (weekends, banking holidays).")
    )
    # The treasury controls: each null is off.
    monthly_budget = MoneyField(
        _("monthly budget"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "The most that may be approved for payment in one calendar month (by new due date, counted on new "
            "values); empty for no limit."
        ),
    )
    auto_approve_min_apr = models.DecimalField(
        _("auto-approval minimum APR"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_APR)],
        help_text=_(
            "Approve at once a request whose APR (as quoted, a percentage) is at least this, with a new value "
            "up to the ceiling below, within the month's budget; empty (with the ceiling) for no automatic approval."
        ),
    )
    auto_approve_max_value = MoneyField(
        _("auto-approval maximum value"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("The largest new value approved automatically; set with the APR hurdle, or neither."),
    )
    dual_approval_min_value = MoneyField(
        _("dual approval minimum value"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "Anticipations with a new value at or above this need the approval of two different operators; "
            "empty for one approval always."
        ),
    )

    class Meta:
        abstract = True

    @classmethod
    def terms_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        """The checks the terms hold in both tables, named after the table."""
        return [
            models.CheckConstraint(
                condition=Q(monthly_rate__gte=0) & Q(monthly_rate__lte=MAX_MONTHLY_RATE),
                name=f"{prefix}_monthly_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(monthly_budget__isnull=True) | Q(monthly_budget__gte=0),
                name=f"{prefix}_monthly_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(auto_approve_min_apr__isnull=True)
                | (Q(auto_approve_min_apr__gte=0) & Q(auto_approve_min_apr__lte=MAX_APR)),
                name=f"{prefix}_auto_approve_min_apr_range",
            ),
            models.CheckConstraint(
                condition=Q(auto_approve_max_value__isnull=True) | Q(auto_approve_max_value__gt=0),
                name=f"{prefix}_auto_approve_max_value_positive",
            ),
            # A hurdle without a ceiling (or the reverse) would be a policy nobody set: both or neither.
            models.CheckConstraint(
                condition=Q(auto_approve_min_apr__isnull=True, auto_approve_max_value__isnull=True)
                | Q(auto_approve_min_apr__isnull=False, auto_approve_max_value__isnull=False),
                name=f"{prefix}_auto_approval_both_or_neither",
                violation_error_message="Set both the APR hurdle and the ceiling for automatic approval, or neither.",
            ),
            models.CheckConstraint(
                condition=Q(dual_approval_min_value__isnull=True) | Q(dual_approval_min_value__gt=0),
                name=f"{prefix}_dual_approval_min_value_positive",
            ),
        ]

    def terms(self) -> dict:
        return {name: getattr(self, name) for name in self.TERMS}


class ProgrammeVersion(ProgrammeTerms):
    """The terms in force from `created_at` until the next version; never changed or deleted."""

    number = models.PositiveIntegerField(_("number"), primary_key=True)
    created_at = models.DateTimeField(_("created at"))
    # Null for the first version, seeded from ANTICIPATION_MONTHLY_RATE when the database was created.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    # {"term": {"old": ..., "new": ...}} as shown to people (JSON strings for rates); empty for the first version.
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        ordering = ["-number"]
        constraints = ProgrammeTerms.terms_constraints("programmeversion")

    def __str__(self):
        return _("Programme version %(number)s") % {"number": self.number}


class Programme(ProgrammeTerms):
    """The one row of terms in force (its id is always PROGRAMME_ID)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=PROGRAMME_ID, editable=False)
    version = models.ForeignKey(ProgrammeVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version"))
    # Drawn anew with every change of the calendar's overrides, in the same transaction: the key of the cached
    # calendar. Random rather than counted, so a change rolled back (or a database emptied) never brings back a key
    # some process still holds for other overrides.
    calendar_revision = models.UUIDField(_("calendar revision"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programme")
        constraints = [
            models.CheckConstraint(condition=Q(id=PROGRAMME_ID), name="programme_single_row"),
            *ProgrammeTerms.terms_constraints("programme"),
        ]

    def __str__(self):
        return _("Programme (version %(number)s)") % {"number": self.version_id}


class BudgetMonth(models.Model):
    """One calendar month of the funding budget: the row every approval paid in that month locks (SELECT ... FOR
    UPDATE) before it counts what is committed, so concurrent approvals are counted one after the other and together
    never exceed the budget. What is committed is counted from the approved anticipations themselves."""

    month = models.DateField(primary_key=True, help_text=_("The month's first day."))

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="budgetmonth_first_day")]

    def __str__(self):
        return self.month.strftime("%Y-%m")


class CalendarOverrideKind(models.TextChoices):
    HOLIDAY = "H", _("Holiday (no settlement)")
    WORKING_DAY = "W", _("Working day")


class CalendarOverride(models.Model):
    """An operator's correction of the banking calendar on one day: an extra holiday, or a day declared working."""

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=1, choices=CalendarOverrideKind.choices)
    name = models.CharField(_("name"), max_length=100, help_text=_("Shown to clients, e.g. the city's anniversary."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CalendarOverrideKind.values), name="calendaroverride_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="calendaroverride_name_not_blank"),
        ]

    def __str__(self):
        return f"{self.day}: {self.name} ({self.get_kind_display().lower()})"
