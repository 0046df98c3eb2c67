from django.db import migrations, models


class Migration(migrations.Migration):
    """An e-mail names its templates: one anticipation's action, or the anticipations a batch request created."""

    dependencies = [
        ("notifications", "0005_failed_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="template",
            field=models.CharField(
                choices=[
                    ("anticipation", "An anticipation's request or decision"),
                    ("anticipation_batch", "The anticipations of a batch request"),
                ],
                default="anticipation",
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(("template__in", ["anticipation", "anticipation_batch"])),
                name="notification_template_valid",
            ),
        ),
    ]
