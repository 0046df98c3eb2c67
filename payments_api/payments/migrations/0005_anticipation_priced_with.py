from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def agree_with_the_first_version(apps, schema_editor):
    Anticipation = apps.get_model("payments", "Anticipation")
    first = apps.get_model("programme", "ProgrammeVersion").objects.get(number=1)
    Anticipation.objects.exclude(monthly_rate=first.monthly_rate).update(monthly_rate=first.monthly_rate)


class Migration(migrations.Migration):
    """Each anticipation records the terms it was priced with.

    Every earlier anticipation was priced at ANTICIPATION_MONTHLY_RATE, the rate of the programme's first version
    (seeded by programme 0001 from the same setting): both are filled in with the setting's value at the time this
    runs. Added with a constant default and the default then dropped, which PostgreSQL does without rewriting the
    table; the default is read when this module is loaded, so the rows are then made to agree with the first version
    as seeded (an update of no row when the setting did not change in between).
    """

    dependencies = [
        ("payments", "0004_payment_external_id"),
        ("programme", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="anticipation",
            name="monthly_rate",
            field=models.DecimalField(
                decimal_places=6,
                max_digits=7,
                default=settings.ANTICIPATION_MONTHLY_RATE.quantize(Decimal("0.000001")),
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="anticipation",
            name="programme_version",
            field=models.ForeignKey(
                db_index=False,
                default=1,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="anticipations",
                to="programme.programmeversion",
            ),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="anticipation",
            constraint=models.CheckConstraint(
                condition=models.Q(("monthly_rate__gte", 0), ("monthly_rate__lte", Decimal("0.999999"))),
                name="anticipation_monthly_rate_range",
            ),
        ),
        migrations.RunPython(agree_with_the_first_version, migrations.RunPython.noop),
    ]
