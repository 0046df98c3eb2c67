from django.db import migrations

OUTSTANDING = "token_blacklist_outstandingtoken"
BLACKLISTED = "token_blacklist_blacklistedtoken"


def forwards(apps, schema_editor):
    """Keep what recognises each refresh token simplejwt's token_blacklist app recorded, then drop its tables, which
    held every token whole. A blacklisted token stays revoked; each token starts a chain of its own."""
    connection = schema_editor.connection
    tables = set(connection.introspection.table_names())
    if OUTSTANDING not in tables:
        return  # a database created after the app was removed
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO users_issuedrefreshtoken (jti, user_id, chain, expires_at, state)
            SELECT outstanding.jti, outstanding.user_id, outstanding.jti, outstanding.expires_at,
                   CASE WHEN blacklisted.id IS NULL THEN 'active' ELSE 'revoked' END
            FROM {OUTSTANDING} outstanding LEFT JOIN {BLACKLISTED} blacklisted ON blacklisted.token_id = outstanding.id
            WHERE outstanding.user_id IS NOT NULL
            """  # nosec B608: the table names are the constants above
        )
    schema_editor.execute(f"DROP TABLE {BLACKLISTED}")
    schema_editor.execute(f"DROP TABLE {OUTSTANDING}")
    # The app's migrations are no longer applied: were it installed again, they would create empty tables.
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'token_blacklist'")


class Migration(migrations.Migration):
    """Refresh tokens are recognised by users.IssuedRefreshToken (jti, owner, chain, expiry), no longer stored whole.

    Tokens of deleted users (simplejwt kept them with no user) are not carried over: they could never be used. The
    app's content types and permissions hold no token; `manage.py remove_stale_contenttypes` removes them.
    Irreversible: the tokens themselves are gone.
    """

    dependencies = [("users", "0005_issuedrefreshtoken")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
