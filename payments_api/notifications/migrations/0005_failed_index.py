from django.db import migrations, models


class Migration(migrations.Migration):
    """The failed e-mails, counted at every metrics scrape, are found without reading the sent ones."""

    dependencies = [
        ("notifications", "0004_context_from_the_caller"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("status", "failed")), fields=["created_at"], name="notification_failed_idx"
            ),
        ),
    ]
