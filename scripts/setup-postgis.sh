#!/usr/bin/env bash
# Make sure the local PostgreSQL server can create the PostGIS extension, installing Debian's
# PostGIS package for the running server's version where it is missing. Without a server this
# only says so: the PostGIS tests then skip, unless ASSETMAP_REQUIRE_POSTGIS=1.
set -euo pipefail

url=${ASSETMAP_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
libpq_url=${url/postgresql+psycopg:/postgresql:}
required=${ASSETMAP_REQUIRE_POSTGIS:-0}

fail() {
  echo "setup-postgis: $*" >&2
  if [ "$required" = "1" ]; then exit 1; fi
  echo "setup-postgis: the PostGIS tests will be skipped." >&2
  exit 0
}

if ! command -v psql >/dev/null 2>&1; then
  fail "psql is not installed, so no PostgreSQL server can be checked."
fi

if ! psql "$libpq_url" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
    done
    sleep 2
  fi
  psql "$libpq_url" -qtAc 'SELECT 1' >/dev/null 2>&1 || fail "no PostgreSQL server answers at $libpq_url."
fi

available() {
  [ -n "$(psql "$libpq_url" -qtAc "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")" ]
}

if ! available; then
  major=$(psql "$libpq_url" -qtAc 'SHOW server_version_num' | cut -c1-2)
  package="postgresql-${major}-postgis-3"
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup-postgis: installing $package"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    echo "setup-postgis: installing $package with sudo"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  else
    fail "PostGIS is not installed for PostgreSQL $major; install $package."
  fi
  available || fail "PostGIS is still not available after installing $package."
fi

echo "setup-postgis: PostGIS is available on $libpq_url"
