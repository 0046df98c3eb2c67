"""The programme's terms (one row, versioned on every change) and the operators' overrides of the banking calendar."""

import uuid
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PROGRAMME_ID = 1
MAX_MONTHLY_RATE = Decimal("0.999999")


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

    TERMS = ("monthly_rate", "business_days_only")

    monthly_rate = models.DecimalField(
        **RATE,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_MONTHLY_RATE)],
        help_text="The discount per 30 days early, e.g. 0.030000 for 3% a month.",
    )
    business_days_only = models.BooleanField(
        default=False, help_text="Refuse new due dates that are not business days (weekends, banking holidays)."
    )

    class Meta:
        abstract = True

    def terms(self) -> dict:
        return {name: getattr(self, name) for name in self.TERMS}


class ProgrammeVersion(ProgrammeTerms):
    """The terms in force from `created_at` until the next version; never changed or deleted."""

    number = models.PositiveIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    # Null for the first version, seeded from ANTICIPATION_MONTHLY_RATE when the database was created.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # {"term": {"old": ..., "new": ...}} as shown to people (JSON strings for rates); empty for the first version.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_rate__gte=0) & Q(monthly_rate__lte=MAX_MONTHLY_RATE),
                name="programmeversion_monthly_rate_range",
            ),
        ]

    def __str__(self):
        return f"Programme version {self.number}"


class Programme(ProgrammeTerms):
    """The one row of terms in force (its id is always PROGRAMME_ID)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=PROGRAMME_ID, editable=False)
    version = models.ForeignKey(ProgrammeVersion, on_delete=models.PROTECT, related_name="+")
    # Drawn anew with every change of the calendar's overrides, in the same transaction: the key of the cached
    # calendar. Random rather than counted, so a change rolled back (or a database emptied) never brings back a key
    # some process still holds for other overrides.
    calendar_revision = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programme")
        constraints = [
            models.CheckConstraint(condition=Q(id=PROGRAMME_ID), name="programme_single_row"),
            models.CheckConstraint(
                condition=Q(monthly_rate__gte=0) & Q(monthly_rate__lte=MAX_MONTHLY_RATE),
                name="programme_monthly_rate_range",
            ),
        ]

    def __str__(self):
        return f"Programme (version {self.version_id})"


class CalendarOverrideKind(models.TextChoices):
    HOLIDAY = "H", "Holiday (no settlement)"
    WORKING_DAY = "W", "Working day"


class CalendarOverride(models.Model):
    """An operator's correction of the banking calendar on one day: an extra holiday, or a day declared working."""

    day = models.DateField(unique=True)
    kind = models.CharField(max_length=1, choices=CalendarOverrideKind.choices)
    name = models.CharField(max_length=100, help_text="Shown to clients, e.g. the city's anniversary.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
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
