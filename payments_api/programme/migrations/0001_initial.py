"""The programme's terms, their versions and the calendar's overrides.

The programme's first version is seeded from ANTICIPATION_MONTHLY_RATE as it is set when this migration runs: the
rate the service priced every earlier anticipation at (payments 0004 records it on them).
"""

import uuid
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

RATE_VALIDATORS = [
    django.core.validators.MinValueValidator(Decimal("0")),
    django.core.validators.MaxValueValidator(Decimal("0.999999")),
]
RATE_HELP = "The discount per 30 days early, e.g. 0.030000 for 3% a month."
BUSINESS_DAYS_HELP = "Refuse new due dates that are not business days (weekends, banking holidays)."
RATE_RANGE = models.Q(("monthly_rate__gte", 0), ("monthly_rate__lte", Decimal("0.999999")))


def seed_programme(apps, schema_editor):
    ProgrammeVersion = apps.get_model("programme", "ProgrammeVersion")
    Programme = apps.get_model("programme", "Programme")
    rate = settings.ANTICIPATION_MONTHLY_RATE.quantize(Decimal("0.000001"))
    version = ProgrammeVersion.objects.create(number=1, monthly_rate=rate, created_at=timezone.now())
    Programme.objects.create(id=1, version=version, monthly_rate=rate)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProgrammeVersion",
            fields=[
                (
                    "monthly_rate",
                    models.DecimalField(
                        decimal_places=6, help_text=RATE_HELP, max_digits=7, validators=RATE_VALIDATORS
                    ),
                ),
                ("business_days_only", models.BooleanField(default=False, help_text=BUSINESS_DAYS_HELP)),
                ("number", models.PositiveIntegerField(primary_key=True, serialize=False)),
                ("created_at", models.DateTimeField()),
                ("changes", models.JSONField(blank=True, default=dict)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-number"],
                "constraints": [models.CheckConstraint(condition=RATE_RANGE, name="programmeversion_monthly_rate_range")],
            },
        ),
        migrations.CreateModel(
            name="Programme",
            fields=[
                (
                    "monthly_rate",
                    models.DecimalField(
                        decimal_places=6, help_text=RATE_HELP, max_digits=7, validators=RATE_VALIDATORS
                    ),
                ),
                ("business_days_only", models.BooleanField(default=False, help_text=BUSINESS_DAYS_HELP)),
                ("id", models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ("calendar_revision", models.UUIDField(default=uuid.uuid4, editable=False)),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="programme.programmeversion",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="programme_single_row"),
                    models.CheckConstraint(condition=RATE_RANGE, name="programme_monthly_rate_range"),
                ],
            },
        ),
        migrations.CreateModel(
            name="CalendarOverride",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(unique=True)),
                (
                    "kind",
                    models.CharField(choices=[("H", "Holiday (no settlement)"), ("W", "Working day")], max_length=1),
                ),
                ("name", models.CharField(help_text="Shown to clients, e.g. the city's anniversary.", max_length=100)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["day"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["H", "W"])), name="calendaroverride_kind_valid"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("name", ""), _negated=True), name="calendaroverride_name_not_blank"
                    ),
                ],
            },
        ),
        migrations.RunPython(seed_programme, migrations.RunPython.noop),
    ]
