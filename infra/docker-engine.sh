#!/usr/bin/env bash
# infra/docker-engine.sh - make sure a Docker engine answers, for the tests and infra/pg.sh.
#
#   infra/docker-engine.sh ensure   return at once when `docker info` answers; otherwise, on Debian as
#                                   root, install Debian's docker.io if dockerd is missing, start
#                                   dockerd in the background (no systemd needed) and wait for it
#   infra/docker-engine.sh stop     stop the dockerd this script started (nothing else)
#
# Environment: AGENTS_DOCKERD_LOG (/var/log/agents-dockerd.log). Messages go to stderr.
# Debian's engine is 20.10 (API 1.41): the tests use Testcontainers 3.x, which accepts it.
set -euo pipefail

PIDFILE=/run/agents-dockerd.pid
LOG=${AGENTS_DOCKERD_LOG:-/var/log/agents-dockerd.log}

say() { echo "[infra/docker] $*" >&2; }
fail() { say "error: $*"; exit 1; }
answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

# The pid recorded at start, when that process is still a live dockerd.
our_dockerd() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  case $pid in ''|*[!0-9]*) return 1;; esac
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] && echo "$pid"
}

live() {  # a process that exists and is not a zombie
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

dockerd_running() {  # any live dockerd (ours or not): then wait for it rather than start another
  local d
  for d in /proc/[0-9]*; do
    [ "$(cat "$d/comm" 2>/dev/null)" = dockerd ] && live "${d#/proc/}" && return 0
  done
  return 1
}

ensure() {
  answers && return 0
  [ "$(id -u)" = 0 ] || fail "no Docker engine answers and starting one needs root; start Docker, or set AGENTS_PG_CONNECTION to a PostgreSQL 17 server with pgvector"
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    [ -f /etc/debian_version ] || fail "no Docker engine and not Debian: install Docker, or set AGENTS_PG_CONNECTION"
    say "installing Debian's docker.io"
    apt-get update -qq >&2 || apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >&2
  fi
  local started=""
  if ! dockerd_running; then
    say "starting dockerd (log: $LOG)"
    mkdir -p "$(dirname "$LOG")"
    # Its own session, no inherited descriptors: it outlives this script and the test run. Published
    # ports by NAT rules rather than a docker-proxy process per port: that proxy copies every byte
    # through user space, ~0.3 ms and CPU on each PostgreSQL round trip of the tests and benchmarks.
    setsid dockerd --userland-proxy=false >>"$LOG" 2>&1 </dev/null 9>&- &
    started=$!
    echo "$started" >"$PIDFILE"
  fi
  local _
  for _ in $(seq 1 120); do
    answers && { say "engine ready ($(docker version -f '{{.Server.Version}}' 2>/dev/null))"; return 0; }
    if ! { [ -n "$started" ] && live "$started"; } && ! dockerd_running; then tail -n 20 "$LOG" >&2 || true; fail "dockerd exited"; fi
    sleep 0.5
  done
  tail -n 20 "$LOG" >&2 || true
  fail "dockerd did not answer within 60 s"
}

stop() {
  local pid _
  pid=$(our_dockerd) || { say "no dockerd started by this script is running"; return 0; }
  say "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    live "$pid" || break
    sleep 0.5
  done
  live "$pid" && fail "dockerd (pid $pid) still runs after 30 s"
  rm -f "$PIDFILE"
}

case ${1:-ensure} in
  ensure) ensure ;;
  stop) stop ;;
  *) fail "usage: infra/docker-engine.sh ensure|stop" ;;
esac
