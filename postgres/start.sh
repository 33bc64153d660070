#!/bin/sh
# First start: create the cluster, a `kitchen` database and role, and let the compose network in
# (trust: the server is reachable only on the compose network; put a password here for anything else).
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb --auth=trust --username=postgres --encoding=UTF8 >/dev/null
  echo "host all all 0.0.0.0/0 trust" >> "$PGDATA/pg_hba.conf"
  pg_ctl -w start -o "-c listen_addresses=''" >/dev/null
  psql -q -U postgres -c "CREATE ROLE kitchen LOGIN" -c "CREATE DATABASE kitchen OWNER kitchen"
  pg_ctl -w stop >/dev/null
fi
exec postgres -c listen_addresses='*'
