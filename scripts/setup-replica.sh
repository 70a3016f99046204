#!/usr/bin/env bash
# Make a streaming replica of the local PostgreSQL server beside it, with PostgreSQL's own
# replication: a second cluster of the same major version on port 5433, copied from the primary
# by pg_basebackup -R and then following it. Run again, it checks the replica it made. The
# replica tests use it (ASSETMAP_TEST_REPLICA_URL); without a server, or without root to make a
# cluster, this only says why and they skip, unless ASSETMAP_REQUIRE_REPLICA=1.
set -euo pipefail

primary_url=${ASSETMAP_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
replica_url=${ASSETMAP_TEST_REPLICA_URL:-postgresql+psycopg://postgres@127.0.0.1:5433/postgres}
primary=${primary_url/postgresql+psycopg:/postgresql:}
replica=${replica_url/postgresql+psycopg:/postgresql:}
required=${ASSETMAP_REQUIRE_REPLICA:-0}
cluster=${ASSETMAP_REPLICA_CLUSTER:-replica}
port=5433
if [[ $replica =~ :([0-9]+)/ ]]; then port=${BASH_REMATCH[1]}; fi

fail() {
  echo "setup-replica: $*" >&2
  if [ "$required" = "1" ]; then exit 1; fi
  echo "setup-replica: the replica tests will be skipped." >&2
  exit 0
}

export PGCONNECT_TIMEOUT=5
answers() { psql -w "$1" -qtAc 'SELECT 1' >/dev/null 2>&1; }
on_primary() { psql -w "$primary" -qtAc "$1"; }
on_replica() { psql -w "$replica" -qtAc "$1"; }

# A working replica is in recovery and streaming the primary's log as it is written.
is_replica() {
  [ "$(on_replica "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')" 2>/dev/null)" = "t" ]
}

command -v psql >/dev/null 2>&1 || fail "psql is not installed, so no PostgreSQL server can be checked."
answers "$primary" || fail "no PostgreSQL server answers at $primary (run scripts/setup-postgis.sh)."
for tool in pg_createcluster pg_ctlcluster pg_dropcluster pg_lsclusters; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool (Debian's postgresql-common) is not installed."
done
# Making or mending the replica needs root; one that already streams is only checked.
if [ "$(id -u)" = "0" ]; then
  major=$(on_primary 'SHOW server_version_num' | cut -c1-2)
  primary_port=$(on_primary 'SHOW port')
  bin=/usr/lib/postgresql/$major/bin

  # The primary must send its log to a replica: a replica-level log, WAL senders, and a pg_hba
  # line letting replication connections in from this machine only.
  settings_changed=0
  if [ "$(on_primary 'SHOW wal_level')" = "minimal" ]; then
    on_primary "ALTER SYSTEM SET wal_level = 'replica'" >/dev/null
    settings_changed=1
  fi
  if [ "$(on_primary 'SHOW max_wal_senders')" = "0" ]; then
    on_primary "ALTER SYSTEM SET max_wal_senders = 10" >/dev/null
    settings_changed=1
  fi
  hba=$(on_primary 'SHOW hba_file')
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1/32' "$hba"; then
    echo "setup-replica: letting replication connections in from 127.0.0.1 ($hba)"
    printf '# Streaming replicas on this machine (scripts/setup-replica.sh).\nhost replication postgres 127.0.0.1/32 trust\n' >>"$hba"
    on_primary 'SELECT pg_reload_conf()' >/dev/null
  fi
  if [ "$settings_changed" = "1" ]; then
    primary_cluster=$(pg_lsclusters -h | awk -v v="$major" -v p="$primary_port" '$1 == v && $3 == p {print $2}')
    [ -n "$primary_cluster" ] || fail "wal_level or max_wal_senders need a restart of the server on port $primary_port; restart it and run this again."
    echo "setup-replica: restarting $major/$primary_cluster for replication settings"
    pg_ctlcluster --skip-systemctl-redirect "$major" "$primary_cluster" restart
  fi

  wait_for_replica() {
    for _ in $(seq "$1"); do is_replica && return 0; sleep 1; done
    return 1
  }
  cluster_field() { pg_lsclusters -h | awk -v v="$major" -v c="$cluster" -v f="$1" '$1 == v && $2 == c {print $f}'; }

  # The replica lets in whom the primary lets in: the same pg_hba.conf. It tells the primary
  # which rows its reads still see (hot_standby_feedback), so a long read is not cancelled
  # when the primary's vacuum removes them.
  same_clients() {
    local own=/etc/postgresql/$major/$cluster/pg_hba.conf
    local feedback=/etc/postgresql/$major/$cluster/conf.d/assetmap-replica.conf
    [ -f "$own" ] || return 0
    if ! cmp -s "$hba" "$own" || [ ! -f "$feedback" ]; then
      cp "$hba" "$own"
      chown postgres:postgres "$own"
      echo "hot_standby_feedback = on" >"$feedback"
      pg_ctlcluster --skip-systemctl-redirect "$major" "$cluster" reload >/dev/null 2>&1 || true
    fi
  }

  # The primary keeps its log for the replica in a replication slot, so a busy primary never
  # recycles a segment the replica has yet to receive.
  slot=assetmap_$cluster
  drop_slot() {
    on_primary "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$slot' AND NOT active" >/dev/null
  }

  if [ -n "$(cluster_field 2)" ] && ! is_replica; then
    [ "$(cluster_field 3)" = "$port" ] || fail "cluster $major/$cluster exists on port $(cluster_field 3), not $port."
    # A cluster of that name that is not a working replica (stopped, or left half made):
    # start it if it is a replica, else make it again from the primary.
    same_clients
    if [ -f "$(cluster_field 6)/standby.signal" ]; then
      pg_ctlcluster --skip-systemctl-redirect "$major" "$cluster" start >/dev/null 2>&1 || true
    fi
    if ! wait_for_replica 15; then
      echo "setup-replica: remaking $major/$cluster, which was not a working replica"
      pg_dropcluster --stop "$major" "$cluster"
    fi
  fi

  if [ -z "$(cluster_field 2)" ]; then
    if answers "$replica"; then
      fail "something that is not this replica already answers at $replica."
    fi
    echo "setup-replica: making $major/$cluster on port $port from the primary on port $primary_port"
    pg_createcluster "$major" "$cluster" --port "$port" >/dev/null
    data=$(cluster_field 6)
    rm -rf "${data:?}"/*
    drop_slot
    # -R writes primary_conninfo, the slot's name and standby.signal; -C -S makes the slot;
    # -X stream copies the log written meanwhile.
    runuser -u postgres -- "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres \
      -D "$data" -R -X stream -C -S "$slot" --checkpoint=fast
    # Debian keeps postgresql.conf (with the replica's port) in /etc, so the copy keeps it.
    same_clients
    pg_ctlcluster --skip-systemctl-redirect "$major" "$cluster" start
  fi

  same_clients
  wait_for_replica 60 || fail "the replica at $replica does not stream the primary's log (pg_stat_wal_receiver)."
elif ! is_replica; then
  fail "making a PostgreSQL cluster needs root; run this as root."
fi

# A row written on the primary must reach the replica.
token=$(date +%s%N)
on_primary "CREATE TABLE IF NOT EXISTS replica_check (token text); TRUNCATE replica_check; INSERT INTO replica_check VALUES ('$token')" >/dev/null
seen=""
for _ in $(seq 150); do
  seen=$(on_replica "SELECT token FROM replica_check" 2>/dev/null || true)
  [ "$seen" = "$token" ] && break
  sleep 0.2
done
on_primary "DROP TABLE replica_check" >/dev/null
[ "$seen" = "$token" ] || fail "a row written on the primary did not reach the replica at $replica."

echo "setup-replica: a streaming replica of $primary answers at $replica"
echo "$replica_url"
