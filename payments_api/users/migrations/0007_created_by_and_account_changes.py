import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from payments_api.common.append_only import append_only_sql

# The account changes refuse UPDATE, DELETE and TRUNCATE on PostgreSQL, as the request log does.
CREATE, DROP = append_only_sql("users_accountchange")


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def not_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('users', '0006_refresh_tokens_from_token_blacklist'),
    ]

    operations = [
        migrations.AddField(
            model_name='supplier',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, help_text='Who added the supplier in the admin (empty for suppliers made otherwise).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='user',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, help_text='Who added the account in the admin (empty for accounts made otherwise).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.CreateModel(
            name='AccountChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('user-created', 'Account created'), ('password-set', 'Password set'), ('email-changed', 'E-mail changed'), ('supplier-created', 'Supplier created'), ('supplier-moved', 'Supplier moved to another account')], max_length=16)),
                ('detail', models.CharField(blank=True, max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='account_changes_made', to=settings.AUTH_USER_MODEL)),
                ('supplier', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='account_changes', to='users.supplier')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='account_changes', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['id'],
                'indexes': [models.Index(fields=['actor', 'user'], name='accountchange_actor_user_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['user-created', 'password-set', 'email-changed', 'supplier-created', 'supplier-moved'])), name='accountchange_kind_valid')],
            },
        ),
        migrations.RunPython(append_only, not_append_only),
    ]
