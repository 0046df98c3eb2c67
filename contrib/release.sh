#!/bin/sh
# The release step (Procfile's release, docker compose's migrate): migrate as the owner role, then grant the
# application role (DATABASE_APP_ROLE) what it needs and no more. DATABASE_OWNER_URL, when set, is the owner's
# connection; otherwise DATABASE_URL is (a one-role deployment, see docs/security.md).
set -eu
DATABASE_URL="${DATABASE_OWNER_URL:-${DATABASE_URL:-}}"
export DATABASE_URL
python manage.py migrate --noinput
python manage.py grant_app_role
