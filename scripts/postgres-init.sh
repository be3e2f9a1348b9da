#!/bin/sh
# Run once by the postgres image on a new data volume (compose.postgres.yaml): the bot's own role, which may log in
# and nothing more; the bot's first start (as isms_owner, DATABASE_ADMIN_URL) creates the tables and grants it the rest.
# The password goes in as a psql variable (:'app_password'), quoted by psql, so any character in it is safe.
set -eu
psql -v ON_ERROR_STOP=1 -v app_password="$ISMS_APP_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE isms_app LOGIN PASSWORD :'app_password';
SQL
