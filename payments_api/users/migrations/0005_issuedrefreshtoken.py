import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("users", "0004_language_valid"),
    ]

    operations = [
        migrations.CreateModel(
            name="IssuedRefreshToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("jti", models.CharField(max_length=64, unique=True)),
                (
                    "chain",
                    models.CharField(help_text="The jti of the chain's first token, issued at login.", max_length=64),
                ),
                ("expires_at", models.DateTimeField()),
                (
                    "state",
                    models.CharField(
                        choices=[("active", "Active"), ("rotated", "Rotated"), ("revoked", "Revoked")],
                        default="active",
                        max_length=7,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="refresh_tokens",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["chain"], name="refreshtoken_chain_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("state__in", ["active", "rotated", "revoked"])),
                        name="refreshtoken_state_valid",
                    )
                ],
            },
        ),
    ]
