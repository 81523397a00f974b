#!/usr/bin/env bash
# infra/cluster.sh - the topology of docker-compose.yml as processes on loopback, for machines without
# Docker for the silos: PostgreSQL 17 + pgvector (its own container from infra/pg.sh, or the server of
# AGENTS_PG_CONNECTION), two general silos and one with the `gpu` role, each serving the API and a
# client gateway. Without PostgreSQL every silo would keep its own embedded store, so it uses one.
#
#   infra/cluster.sh start [NAME...]   build the silo (once) and start the silos not running (all by default)
#   infra/cluster.sh stop [NAME...]    SIGTERM: each leaves the cluster gracefully (waits up to 60 s)
#   infra/cluster.sh kill NAME         SIGKILL, as a crash
#   infra/cluster.sh restart NAME      stop then start
#   infra/cluster.sh status            one line per silo: name, pid or "stopped", API and gateway
#   infra/cluster.sh logs NAME         its log file
#   infra/cluster.sh env               the connection string and endpoints as KEY=value lines
#   infra/cluster.sh down              stop every silo and the PostgreSQL container (data kept)
#
#   name   silo port  gateway  API
#   silo1  11111      30000    http://127.0.0.1:8080
#   silo2  11112      30001    http://127.0.0.1:8081
#   gpu    11113      30002    http://127.0.0.1:8082   (Agents__Silo__Roles=gpu)
#
# Environment: AGENTS_CLUSTER_DIR (state and logs: /tmp/agents-cluster), AGENTS_CLUSTER_DB
# (agents_cluster), AGENTS_CLUSTER_PG_PORT (55441) and AGENTS_CLUSTER_PG_CONTAINER (agents-cluster-pg)
# for its PostgreSQL container, AGENTS_PG_CONNECTION (use that server instead; the database must
# exist), AGENTS_SILO_BIN (a silo executable to run instead of building one), AGENTS_CLUSTER_PORT_BASE
# (0: every port above moves up by this much), and any Agents__* setting, which every silo inherits.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${AGENTS_CLUSTER_DIR:-/tmp/agents-cluster}
DB=${AGENTS_CLUSTER_DB:-agents_cluster}
PG_PORT=${AGENTS_CLUSTER_PG_PORT:-55441}
PG_CONTAINER=${AGENTS_CLUSTER_PG_CONTAINER:-agents-cluster-pg}
BASE=${AGENTS_CLUSTER_PORT_BASE:-0}
NAMES=(silo1 silo2 gpu)

say() { echo "[infra/cluster] $*" >&2; }
fail() { say "error: $*"; exit 1; }
case $BASE in ''|*[!0-9]*) fail "AGENTS_CLUSTER_PORT_BASE must be a number";; esac

index_of() { case $1 in silo1) echo 0;; silo2) echo 1;; gpu) echo 2;; *) fail "no silo named '$1' (silo1, silo2, gpu)";; esac; }
silo_port() { echo $((11111 + BASE + $(index_of "$1"))); }
gateway_port() { echo $((30000 + BASE + $(index_of "$1"))); }
api_url() { echo "http://127.0.0.1:$((8080 + BASE + $(index_of "$1")))"; }
pid_of() {  # the live silo process recorded for NAME
  local pid
  pid=$(cat "$DIR/$1.pid" 2>/dev/null || true)
  case $pid in ''|*[!0-9]*) return 1;; esac
  [ -d "/proc/$pid" ] && grep -q "Agents.Silo" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

postgres() {  # the connection string of the cluster's database
  if [ -n "${AGENTS_PG_CONNECTION:-}" ]; then echo "$AGENTS_PG_CONNECTION"; return; fi
  local conn
  conn=$(AGENTS_PG_PORT=$PG_PORT AGENTS_PG_CONTAINER=$PG_CONTAINER "$ROOT/infra/pg.sh" start)
  AGENTS_PG_PORT=$PG_PORT AGENTS_PG_CONTAINER=$PG_CONTAINER "$ROOT/infra/pg.sh" psql -q -tA \
    -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || AGENTS_PG_PORT=$PG_PORT AGENTS_PG_CONTAINER=$PG_CONTAINER "$ROOT/infra/pg.sh" psql -q -c "CREATE DATABASE \"$DB\"" >/dev/null
  echo "$conn" | sed "s/Database=[^;]*/Database=$DB/"
}

silo_bin() {
  if [ -n "${AGENTS_SILO_BIN:-}" ]; then echo "$AGENTS_SILO_BIN"; return; fi
  local bin=$ROOT/Silo/bin/Release/net10.0/Agents.Silo
  if [ ! -x "$bin" ] || [ -n "$(find "$ROOT/Silo" "$ROOT/Grains" "$ROOT/Memory" "$ROOT/Inference" "$ROOT/Abstractions" "$ROOT/Client" \
        -name '*.cs' -newer "$bin" -not -path '*/obj/*' -print -quit 2>/dev/null)" ]; then
    say "building the silo"
    (cd "$ROOT" && dotnet build Silo/Agents.Silo.csproj -c Release --nologo -v quiet -clp:ErrorsOnly >&2) || fail "build failed"
  fi
  echo "$bin"
}

start_one() {  # name connection binary
  local name=$1 conn=$2 bin=$3 pid
  if pid=$(pid_of "$name"); then say "$name already runs (pid $pid)"; return 0; fi
  local roles=""
  [ "$name" = gpu ] && roles=gpu
  say "starting $name (gateway $(gateway_port "$name"), API $(api_url "$name"))"
  Agents__Postgres=$conn \
  Agents__Silo__Name=$name Agents__Silo__Address=127.0.0.1 \
  Agents__Silo__Port=$(silo_port "$name") Agents__Silo__GatewayPort=$(gateway_port "$name") \
  Agents__Silo__Roles=$roles Agents__Inference__OnCpu=false \
  Agents__Http__Urls=$(api_url "$name") OTEL_SERVICE_NAME=agents-$name \
    setsid "$bin" serve >>"$DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/$name.pid"
}

wait_ready() {  # name: GET /health/ready answers 200 (60 s at most)
  local name=$1 i
  for i in $(seq 1 120); do
    pid_of "$name" >/dev/null || { tail -n 20 "$DIR/$name.log" >&2; fail "$name exited"; }
    curl -fsS -o /dev/null --max-time 2 "$(api_url "$name")/health/ready" 2>/dev/null && { say "$name ready"; return 0; }
    sleep 0.5
  done
  tail -n 20 "$DIR/$name.log" >&2
  fail "$name not ready after 60 s"
}

stop_one() {  # name [signal]
  local name=$1 signal=${2:-TERM} pid i
  pid=$(pid_of "$name") || { say "$name is not running"; return 0; }
  say "stopping $name (pid $pid, SIG$signal)"
  kill -"$signal" "$pid" 2>/dev/null || true
  for i in $(seq 1 120); do
    [ -d "/proc/$pid" ] || break
    sleep 0.5
  done
  [ -d "/proc/$pid" ] && fail "$name (pid $pid) still runs after 60 s"
  rm -f "$DIR/$name.pid"
}

mkdir -p "$DIR"
command=${1:-status}
shift || true
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${NAMES[@]}")
for n in "${names[@]}"; do index_of "$n" >/dev/null; done

case $command in
  start)
    command -v curl >/dev/null 2>&1 || fail "curl is missing"
    conn=$(postgres)
    bin=$(silo_bin)
    # The first silo alone migrates the schema; the others start once it serves.
    for n in "${names[@]}"; do start_one "$n" "$conn" "$bin"; wait_ready "$n"; done ;;
  stop) for n in "${names[@]}"; do stop_one "$n"; done ;;
  kill) [ $# -eq 1 ] || fail "usage: infra/cluster.sh kill NAME"; stop_one "$1" KILL ;;
  restart)
    conn=$(postgres); bin=$(silo_bin)
    for n in "${names[@]}"; do stop_one "$n"; start_one "$n" "$conn" "$bin"; wait_ready "$n"; done ;;
  status)
    for n in "${NAMES[@]}"; do
      if pid=$(pid_of "$n"); then state="pid $pid"; else state=stopped; fi
      echo "$n $state api=$(api_url "$n") gateway=127.0.0.1:$(gateway_port "$n")"
    done ;;
  logs) [ $# -eq 1 ] || fail "usage: infra/cluster.sh logs NAME"; cat "$DIR/$1.log" ;;
  env)
    echo "AGENTS_PG_CONNECTION=$(postgres)"
    for n in "${NAMES[@]}"; do echo "AGENTS_${n^^}_API=$(api_url "$n")"; echo "AGENTS_${n^^}_GATEWAY=127.0.0.1:$(gateway_port "$n")"; done ;;
  down)
    for n in "${NAMES[@]}"; do stop_one "$n"; done
    [ -n "${AGENTS_PG_CONNECTION:-}" ] || AGENTS_PG_PORT=$PG_PORT AGENTS_PG_CONTAINER=$PG_CONTAINER "$ROOT/infra/pg.sh" stop ;;
  *) fail "usage: infra/cluster.sh start|stop|kill|restart|status|logs|env|down [NAME...]" ;;
esac
