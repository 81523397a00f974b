#!/bin/bash
# The first-start contract of the official postgres image, which Testcontainers and infra/pg.sh use:
#   - an empty PGDATA gets initdb with POSTGRES_USER (postgres), POSTGRES_PASSWORD (required unless
#     POSTGRES_HOST_AUTH_METHOD=trust) and POSTGRES_DB (the user's name), a pg_hba line for password
#     logins from any host, and /docker-entrypoint-initdb.d/*.sql|*.sh run once;
#   - then `exec postgres -c listen_addresses='*'` with the container's arguments after it
#     (`docker run IMAGE -c fsync=off` works, as with the official image).
# During the first-start setup the server listens on its socket only, so a readiness check over TCP
# (Testcontainers runs `pg_isready --host localhost`) passes only once the real server is up.
set -Eeuo pipefail

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
[ "$1" = postgres ] || exec "$@"
shift

say() { echo "docker-entrypoint: $*" >&2; }
: "${PGDATA:=/var/lib/postgresql/data}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    say "POSTGRES_PASSWORD is empty: set it (or POSTGRES_HOST_AUTH_METHOD=trust to allow logins without one)"
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  pwargs=()
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    pwargs=(--pwfile="$pwfile")
  fi
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as in the official image
  initdb -D "$PGDATA" --username="$user" "${pwargs[@]}" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-} >/dev/null
  [ -z "${pwfile:-}" ] || rm -f "$pwfile"
  printf '\n# any host, with a password (the official image has the same line)\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

  pg_ctl -D "$PGDATA" -w -t 60 -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" start >/dev/null
  psql=(psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -U "$user")
  if [ "$db" != postgres ]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE \"${db//\"/\"\"}\"" >/dev/null
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case $f in
      *.sql) say "running $f"; "${psql[@]}" -d "$db" -f "$f" ;;
      *.sh) say "running $f"; PGHOST=/var/run/postgresql PGUSER=$user PGDATABASE=$db bash "$f" ;;
      *) ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
  say "initialised $PGDATA (user $user, database $db)"
fi

exec postgres -c listen_addresses='*' "$@"
