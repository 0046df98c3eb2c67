from django.db import migrations

from payments_api.common.append_only import append_only_sql

# The row triggers came with 0003.
CREATE, DROP = append_only_sql("requestlogs_requestlog", rows=False)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    """TRUNCATE, which row triggers do not see, is refused by a statement trigger (common/append_only.py)."""

    dependencies = [("requestlogs", "0003_append_only_trigger")]

    operations = [migrations.RunPython(forwards, backwards)]
