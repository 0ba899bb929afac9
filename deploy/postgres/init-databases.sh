#!/bin/sh
# One database and one login role per site and for the hub, made on the PostgreSQL container's first start
# (an empty data volume): the postgres image runs the scripts of /docker-entrypoint-initdb.d then.
# The names and passwords come from the container's environment, deploy/secrets/env/postgres.env, made by
# `sopro deploy init`: SOPRO_DATABASES="at11 at12 ..." and SOPRO_DB_PASSWORD_<ID>=... for each.
# No password is in this file. Each role owns its own database; no role may connect to another's.
# (Executable: the entrypoint runs it; a missing password stops the first start.)
for sopro_name in $SOPRO_DATABASES; do
    sopro_var="SOPRO_DB_PASSWORD_$(echo "$sopro_name" | tr '[:lower:]' '[:upper:]')"
    sopro_password="$(printenv "$sopro_var")"
    if [ -z "$sopro_password" ]; then
        echo "init-databases.sh: $sopro_var is not set (run sopro deploy init)" >&2
        exit 1
    fi
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
         -v role="sopro_$sopro_name" -v password="$sopro_password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
unset sopro_name sopro_var sopro_password
