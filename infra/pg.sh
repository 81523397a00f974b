#!/usr/bin/env bash
# infra/pg.sh - a long-lived PostgreSQL 17 + pgvector server for development and the benchmarks.
# (The tests start their own container through Testcontainers; see test.sh.)
#
#   infra/pg.sh start   ensure the server is up; prints its Npgsql connection string on stdout
#   infra/pg.sh stop    stop the container (its data is kept for the next start)
#   infra/pg.sh status  exit 0 when the container runs, 3 otherwise
#   infra/pg.sh psql    psql in the container (extra arguments go to psql)
#   infra/pg.sh reset   remove the container and its data
#
# With AGENTS_PG_CONNECTION set, that server is used as it is (start prints it; nothing is started).
# Otherwise: a Docker engine (infra/docker-engine.sh starts one where none answers), the image of
# infra/images/postgres/build.sh (pgvector/pgvector:pg17, or its local equivalent, built once), and
# container agents-pg publishing 5432 on 127.0.0.1:55432 only, with settings for throw-away data.
#
# Environment: AGENTS_PG_PORT (55432), AGENTS_PG_CONTAINER (agents-pg). Messages go to stderr; only the
# connection string to stdout.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PORT=${AGENTS_PG_PORT:-55432}
CONTAINER=${AGENTS_PG_CONTAINER:-agents-pg}
PASSWORD=agents

say() { echo "[infra/pg] $*" >&2; }
fail() { say "error: $*"; exit 1; }
case $PORT in ''|*[!0-9]*) fail "AGENTS_PG_PORT must be a number";; esac
conn_string() { echo "Host=127.0.0.1;Port=$PORT;Database=postgres;Username=postgres;Password=$PASSWORD"; }
state() { docker inspect -f '{{.State.Status}}' "$CONTAINER" 2>/dev/null || true; }
published_port() { docker inspect -f '{{with index .HostConfig.PortBindings "5432/tcp"}}{{(index . 0).HostPort}}{{end}}' "$CONTAINER" 2>/dev/null || true; }
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

start() {
  "$HERE/docker-engine.sh" ensure
  local current
  current=$(state)
  if [ -n "$current" ] && [ "$(published_port)" != "$PORT" ]; then
    fail "container $CONTAINER publishes port $(published_port), not $PORT: set AGENTS_PG_PORT=$(published_port), or 'infra/pg.sh reset' removes it"
  fi
  case $current in
    running) ;;
    '')
      local image
      image=$("$HERE/images/postgres/build.sh")
      port_taken && fail "127.0.0.1:$PORT is taken by another server (a chroot server of an older infra/pg.sh? stop it), or set AGENTS_PG_PORT"
      say "starting $image as container $CONTAINER on 127.0.0.1:$PORT"
      # Throw-away data: no fsync. /dev/shm holds parallel index builds' shared memory (up to
      # maintenance_work_mem), hence a larger one than Docker's 64 MB. shared_buffers holds the
      # benchmarks' 100k-memory tables (266 MB and their indexes): searches read no pages from the OS.
      # Autovacuum looks at each database every 5 s, not every minute: a benchmark's fresh database
      # would otherwise go its whole run without a vacuum (see migration 0096).
      docker run -d --name "$CONTAINER" --label agents.pg=1 --shm-size=1g \
        -e POSTGRES_PASSWORD=$PASSWORD -p "127.0.0.1:$PORT:5432" "$image" \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
        -c shared_buffers=2GB -c maintenance_work_mem=512MB -c autovacuum_naptime=5s >/dev/null ;;
    *)
      say "starting container $CONTAINER"
      docker start "$CONTAINER" >/dev/null ;;
  esac
  local i
  for i in $(seq 1 120); do
    # over TCP: the first-start setup answers on the socket only
    docker exec "$CONTAINER" pg_isready -q -h localhost -U postgres && break
    [ "$(state)" = running ] || { docker logs --tail 20 "$CONTAINER" >&2; fail "container $CONTAINER stopped"; }
    [ "$i" = 120 ] && { docker logs --tail 20 "$CONTAINER" >&2; fail "container $CONTAINER not ready after 60 s"; }
    sleep 0.5
  done
  docker exec "$CONTAINER" psql -X -q -U postgres -d postgres -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
  say "ready (container $CONTAINER, PostgreSQL 17 + pgvector, 127.0.0.1:$PORT)"
  conn_string
}

external() { [ -n "${AGENTS_PG_CONNECTION:-}" ]; }
engine() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

case ${1:-start} in
  start)
    if external; then say "using AGENTS_PG_CONNECTION"; echo "$AGENTS_PG_CONNECTION"; else start; fi ;;
  stop)
    if external; then say "external server: nothing to stop"
    elif engine && [ "$(state)" = running ]; then docker stop "$CONTAINER" >/dev/null; say "stopped $CONTAINER"
    else say "not running"; fi ;;
  status)
    if external; then say "external server"; else engine && [ "$(state)" = running ] || exit 3; fi ;;
  psql)
    shift
    external && fail "external server: use psql \"\$AGENTS_PG_CONNECTION\""
    [ "$(state)" = running ] || fail "container $CONTAINER is not running (infra/pg.sh start)"
    tty=(); [ -t 0 ] && [ -t 1 ] && tty=(-t)
    docker exec -i "${tty[@]}" "$CONTAINER" psql -X -U postgres -d postgres "$@" ;;
  reset)
    external && fail "reset applies to the container only"
    engine || fail "no Docker engine answers"
    if docker rm -f -v "$CONTAINER" >/dev/null 2>&1; then say "removed $CONTAINER and its data"; else say "no container $CONTAINER"; fi ;;
  *) fail "usage: infra/pg.sh start|stop|status|psql|reset" ;;
esac
