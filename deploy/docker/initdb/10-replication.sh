#!/bin/sh
# Run once by the postgres image on a new primary: let replicas connect, and keep a
# replication slot per replica (the names `make stack` uses: stack.postgres.slot_name).
set -eu
echo "host replication all all trust" >> "$PGDATA/pg_hba.conf"
psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
    -c "SELECT pg_create_physical_replication_slot('notestack_replica1')"
