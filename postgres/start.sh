#!/bin/sh
# First start: create the cluster and the `kitchen` database with a writer role for the simulators and a
# read-only role for the dashboard (roles.sql), both with passwords from the environment. Connections
# from the network need a password (scram-sha-256); only the local superuser, on the socket, does not.
set -e
: "${KITCHEN_DB_PASSWORD:?set KITCHEN_DB_PASSWORD}" "${KITCHEN_DB_READER_PASSWORD:?set KITCHEN_DB_READER_PASSWORD}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb --auth-local=peer --auth-host=scram-sha-256 --username=postgres --encoding=UTF8 >/dev/null
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
  pg_ctl -w start -o "-c listen_addresses=''" >/dev/null
  psql -q -U postgres -c "CREATE DATABASE kitchen"
  psql -q -U postgres -d kitchen -v ON_ERROR_STOP=1 -v database=kitchen -v writer=kitchen_writer \
       -v reader=kitchen_reader -v writer_password="$KITCHEN_DB_PASSWORD" \
       -v reader_password="$KITCHEN_DB_READER_PASSWORD" -f /usr/local/share/kitchen/roles.sql
  psql -q -U postgres -c "ALTER DATABASE kitchen OWNER TO kitchen_writer"
  pg_ctl -w stop >/dev/null
fi
exec postgres -c listen_addresses='*'
