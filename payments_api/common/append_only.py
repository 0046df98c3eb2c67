"""The database side of an append-only table (the request log, the account changes): PostgreSQL triggers that refuse
UPDATE, DELETE and TRUNCATE from any client, for migrations to create and drop.

A privileged role can still disable or drop a trigger on a table it owns: the deployment's application role owns no
table and holds only SELECT and INSERT on these (common/management/commands/grant_app_role.py). A superuser may
truncate for the length of a transaction after `SET LOCAL payments_api.truncate_append_only = 'on'`, as the test
suite's flushes do; the setting alone, in any other role, allows nothing.
"""

TRUNCATE_SETTING = "payments_api.truncate_append_only"


def append_only_sql(table: str, *, rows: bool = True) -> tuple[list[str], list[str]]:
    """The statements that make `table` append-only (row triggers only if `rows`) and those that undo it."""
    create, drop = [], []
    if rows:
        create += [
            f"""
            CREATE OR REPLACE FUNCTION {table}_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql
            """,
            f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change()
            """,
        ]
        drop += [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_refuse_change()",
        ]
    # The table names are the migrations' constants, never input.
    create += [
        f"""
        CREATE OR REPLACE FUNCTION {table}_refuse_truncate() RETURNS trigger AS $$
        BEGIN
            IF current_setting('{TRUNCATE_SETTING}', true) = 'on'
                    AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                RETURN NULL;
            END IF;
            RAISE EXCEPTION '{table} is append-only: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql
        """,  # nosec B608
        f"""
        CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse_truncate()
        """,
    ]
    drop = [
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_refuse_truncate()",
    ] + drop
    return create, drop
