#!/usr/bin/env bash
# infra/pg.sh - provision PostgreSQL 17 + pgvector for Agents (tests, benchmarks, local runs).
#
#   infra/pg.sh start   ensure a server is up; prints its Npgsql connection string on stdout
#   infra/pg.sh stop    stop the server this script started (no-op for an external server)
#   infra/pg.sh status  exit 0 when a server answers, 3 otherwise
#   infra/pg.sh psql    psql against the server (chroot mode)
#   infra/pg.sh reset   stop and wipe the data directory (the root filesystem is kept)
#
# Where the server comes from, in this order:
#   1. AGENTS_PG_CONNECTION set: that server is used as it is (nothing is started or stopped).
#   2. A Docker engine answers `docker info`: container `agents-pg` from pgvector/pgvector:pg17.
#   3. Debian as root: a Debian 13 (trixie) root filesystem with postgresql-17 and
#      postgresql-17-pgvector, built once with mmdebstrap, the server run chroot'ed on 127.0.0.1.
#      Debian 12 has no pgvector and trixie binaries cannot run on the bookworm loader, hence chroot.
#
# Environment: AGENTS_PG_PORT (55432), AGENTS_PG_HOME (/var/tmp/agents-pg: rootfs, data, lock),
#   AGENTS_PG_CACHE (a .tar.zst of the rootfs to restore from / save to; optional),
#   AGENTS_PG_MIRROR (Debian mirror; default: the host's first apt source), AGENTS_PG_MODE
#   (docker|chroot to force one). Messages go to stderr; only the connection string to stdout.
set -euo pipefail

PORT=${AGENTS_PG_PORT:-55432}
HOME_DIR=${AGENTS_PG_HOME:-/var/tmp/agents-pg}
ROOTFS=$HOME_DIR/rootfs
CACHE=${AGENTS_PG_CACHE:-}
PASSWORD=agents
CONTAINER=agents-pg
IMAGE=pgvector/pgvector:pg17
PGBIN=/usr/lib/postgresql/17/bin            # inside the chroot
DATA_IN=/var/lib/postgresql/agents-data     # inside the chroot
DATA=$ROOTFS$DATA_IN
LOGFILE_IN=/var/lib/postgresql/agents.log

say() { echo "[infra/pg] $*" >&2; }
fail() { say "error: $*"; exit 1; }
case $PORT in ''|*[!0-9]*) fail "AGENTS_PG_PORT must be a number";; esac
conn_string() { echo "Host=127.0.0.1;Port=$PORT;Database=postgres;Username=postgres;Password=$PASSWORD"; }

mode() {
  if [ -n "${AGENTS_PG_CONNECTION:-}" ]; then echo external; return; fi
  if [ -n "${AGENTS_PG_MODE:-}" ]; then echo "$AGENTS_PG_MODE"; return; fi
  if command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1; then echo docker; return; fi
  echo chroot
}

# ---------------------------------------------------------------- docker
docker_start() {
  if [ "$(docker inspect -f '{{.State.Running}}' $CONTAINER 2>/dev/null || true)" != true ]; then
    if docker inspect $CONTAINER >/dev/null 2>&1; then docker start $CONTAINER >/dev/null
    else
      say "starting $IMAGE as container $CONTAINER on 127.0.0.1:$PORT"
      docker run -d --name $CONTAINER -e POSTGRES_PASSWORD=$PASSWORD -p 127.0.0.1:$PORT:5432 $IMAGE \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 >/dev/null
    fi
  fi
  local i
  for i in $(seq 1 60); do
    docker exec $CONTAINER pg_isready -q -U postgres -h 127.0.0.1 && break
    [ "$i" = 60 ] && fail "container $CONTAINER not ready after 60 s (docker logs $CONTAINER)"
    sleep 1
  done
  docker exec $CONTAINER psql -q -U postgres -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
  say "ready (docker)"; conn_string
}

# ---------------------------------------------------------------- chroot
rootfs_complete() {
  [ -f "$1/.agents-rootfs" ] && [ -x "$1$PGBIN/postgres" ] \
    && [ -f "$1/usr/lib/postgresql/17/lib/vector.so" ] && grep -q '^postgres:' "$1/etc/passwd"
}

# rm -rf that never crosses into a mount below the tree (a chroot may have some)
remove_tree() {
  [ -e "$1" ] || return 0
  local m
  for m in $(awk -v r="$1" '$2==r || index($2, r"/")==1 {print $2}' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
  rm -rf --one-file-system "$1"
}

need() {  # command, package (bookworm, installed on the host)
  command -v "$1" >/dev/null 2>&1 && return 0
  say "installing $2 on the host"
  apt-get update -qq >&2 || apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >&2
}

in_chroot() {  # run as the chroot's own postgres user with a clean environment
  local ids
  ids=$(awk -F: '$1=="postgres"{print $3":"$4}' "$ROOTFS/etc/passwd")
  chroot --userspec="$ids" "$ROOTFS" /usr/bin/env -i PATH="$PGBIN:/usr/bin:/bin" \
    HOME=/var/lib/postgresql LC_ALL=C.UTF-8 TZ=UTC "$@"
}

build_rootfs() {
  local tmp=$ROOTFS.partial
  if [ -n "$CACHE" ] && [ -f "$CACHE" ]; then
    need zstd zstd
    say "restoring the root filesystem from $CACHE"
    remove_tree "$tmp"; mkdir -p "$tmp"
    if zstd -dcq "$CACHE" | tar -C "$tmp" --numeric-owner -xpf - && rootfs_complete "$tmp"; then
      remove_tree "$ROOTFS"; mv "$tmp" "$ROOTFS"; return 0
    fi
    say "cache unusable; building"
  fi
  [ -f /etc/debian_version ] || fail "no Docker engine and not Debian: set AGENTS_PG_CONNECTION to a PostgreSQL 17 server with pgvector"
  local mirror=${AGENTS_PG_MIRROR:-$(awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
  [ -n "$mirror" ] || mirror=$(awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || fail "no Debian mirror found; set AGENTS_PG_MIRROR"
  need mmdebstrap mmdebstrap
  local attempt
  for attempt in 1 2 3; do
    remove_tree "$tmp"
    say "building a trixie root filesystem with postgresql-17 + pgvector (attempt $attempt; ~20 s)"
    if mmdebstrap --variant=essential --include=postgresql-17,postgresql-17-pgvector \
        --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
        --aptopt='APT::Install-Recommends "false"' --aptopt='Acquire::Retries "3"' \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --setup-hook='mkdir -p "$1/etc/postgresql-common" && echo "create_main_cluster = false" > "$1/etc/postgresql-common/createcluster.conf"' \
        trixie "$tmp" "$mirror" >&2; then
      touch "$tmp/.agents-rootfs"
      rootfs_complete "$tmp" || fail "root filesystem built without postgres or pgvector"
      remove_tree "$ROOTFS"; mv "$tmp" "$ROOTFS"
      if [ -n "$CACHE" ]; then
        need zstd zstd; mkdir -p "$(dirname "$CACHE")"
        tar -C "$ROOTFS" --numeric-owner --exclude=".$DATA_IN" -cf - . | zstd -T0 -10 -q -f -o "$CACHE.tmp" && mv -f "$CACHE.tmp" "$CACHE"
      fi
      return 0
    fi
    sleep $((attempt * 5))
  done
  remove_tree "$tmp"; fail "mmdebstrap failed three times"
}

# A postmaster killed with -9 can linger as a zombie, and its pid can be reused: trust only a live
# process named postgres.
live_postgres() {
  local state
  case ${1:-} in ''|*[!0-9]*) return 1;; esac
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = postgres ]
}
postmaster_pid() { head -n 1 "$DATA/postmaster.pid" 2>/dev/null || true; }
chroot_running() { rootfs_complete "$ROOTFS" && live_postgres "$(postmaster_pid)"; }
running_port() { sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true; }

chroot_stop() {
  if chroot_running; then in_chroot pg_ctl -D "$DATA_IN" -m fast -w -t 60 stop >&2; else say "not running"; fi
}

chroot_start() {
  [ "$(id -u)" = 0 ] || fail "the chroot server needs root; or set AGENTS_PG_CONNECTION"
  mkdir -p "$HOME_DIR"
  exec 9>"$HOME_DIR/lock"
  flock -w 900 9 || fail "another infra/pg.sh holds $HOME_DIR/lock"
  rootfs_complete "$ROOTFS" || build_rootfs
  if [ ! -f "$DATA/PG_VERSION" ]; then
    remove_tree "$DATA"
    say "initdb"
    in_chroot initdb -D "$DATA_IN" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if chroot_running && [ "$(running_port)" != "$PORT" ]; then say "running on port $(running_port); restarting on $PORT"; chroot_stop; fi
  if ! chroot_running; then
    local f
    for f in "$DATA/postmaster.pid" "$ROOTFS/tmp/.s.PGSQL.$PORT.lock"; do
      if [ -f "$f" ] && ! live_postgres "$(head -n 1 "$f")"; then say "removing stale $f"; rm -f "$f"; fi
    done
    rm -f "$ROOTFS/tmp/.s.PGSQL.$PORT"
    # nothing is mounted in the chroot: no /dev/shm, so SysV shared memory; throw-away data, so no fsync
    local opts="-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=/tmp"
    opts+=" -c dynamic_shared_memory_type=sysv -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    opts+=" -c max_connections=300 -c shared_buffers=256MB -c maintenance_work_mem=512MB"
    # 9>&- : the server must not inherit the lock descriptor
    in_chroot pg_ctl -D "$DATA_IN" -l "$LOGFILE_IN" -w -t 60 -o "$opts" start >/dev/null 9>&- || {
      tail -n 20 "$ROOTFS$LOGFILE_IN" >&2 || true; fail "server did not start; 'infra/pg.sh reset' wipes its data"; }
  fi
  local i
  for i in $(seq 1 60); do
    in_chroot pg_isready -q -h 127.0.0.1 -p "$PORT" -U postgres && break
    [ "$i" = 60 ] && fail "server not accepting connections after 60 s"
    sleep 1
  done
  local psql=(psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres)
  if [ ! -f "$DATA/.agents-init" ]; then
    echo "ALTER ROLE postgres PASSWORD '$PASSWORD'; CREATE EXTENSION IF NOT EXISTS vector;" | in_chroot "${psql[@]}" >/dev/null
    touch "$DATA/.agents-init"
  fi
  say "ready (chroot, PostgreSQL 17 + pgvector, port $PORT)"
  conn_string
}

case ${1:-start} in
  start)
    case $(mode) in
      external) say "using AGENTS_PG_CONNECTION"; echo "$AGENTS_PG_CONNECTION" ;;
      docker) docker_start ;;
      chroot) chroot_start ;;
      *) fail "AGENTS_PG_MODE must be docker or chroot" ;;
    esac ;;
  stop)
    case $(mode) in
      external) say "external server: nothing to stop" ;;
      docker) docker stop $CONTAINER >/dev/null 2>&1 || say "not running" ;;
      chroot) chroot_stop ;;
    esac ;;
  status)
    case $(mode) in
      external) say "external server" ;;
      docker) [ "$(docker inspect -f '{{.State.Running}}' $CONTAINER 2>/dev/null || true)" = true ] || exit 3 ;;
      chroot) chroot_running || exit 3 ;;
    esac ;;
  psql) shift; rootfs_complete "$ROOTFS" || fail "no root filesystem at $ROOTFS"
        in_chroot psql -X -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@" ;;
  reset) [ "$(mode)" = chroot ] || fail "reset applies to the chroot server only"
         chroot_stop; remove_tree "$DATA"; say "data removed" ;;
  *) fail "usage: infra/pg.sh start|stop|status|psql|reset" ;;
esac
