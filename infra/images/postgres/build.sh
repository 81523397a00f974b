#!/usr/bin/env bash
# infra/images/postgres/build.sh - the PostgreSQL 17 + pgvector image of the tests and infra/pg.sh.
# Prints the image name on stdout (messages go to stderr). Needs a Docker engine (infra/docker-engine.sh).
#
# The image is tagged agents/postgres-pgvector:17 (AGENTS_PG_IMAGE overrides) and comes from, in order:
#   1. that tag already present and current: reused as it is (a second run takes well under a second);
#   2. pgvector/pgvector:pg17, present locally or pulled: tagged under the name above;
#   3. a local equivalent, where no image can be pulled: a Debian 13 (trixie) root filesystem with
#      postgresql-17 and postgresql-17-pgvector made by mmdebstrap and cached as a .tar.zst, brought in
#      with `docker import`, then ./Dockerfile adds the entrypoint (./docker-entrypoint.sh) that does
#      what the official image does on a first start.
# Either way the image takes POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, extra `-c` arguments,
# and has pg_isready on PATH, which is what Testcontainers' PostgreSQL module relies on.
#
# Environment: AGENTS_PG_IMAGE (agents/postgres-pgvector:17), AGENTS_IMAGE_CACHE (the rootfs tarball's
#   directory: /var/cache/agents as root, else ~/.cache/agents), AGENTS_PG_MIRROR (Debian mirror;
#   default: the host's first apt source), AGENTS_PG_PULL=0 (never try to pull the official image).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
IMAGE=${AGENTS_PG_IMAGE:-agents/postgres-pgvector:17}
OFFICIAL=pgvector/pgvector:pg17
if [ "$(id -u)" = 0 ]; then CACHE_DIR=${AGENTS_IMAGE_CACHE:-/var/cache/agents}; else CACHE_DIR=${AGENTS_IMAGE_CACHE:-$HOME/.cache/agents}; fi

say() { echo "[infra/images/postgres] $*" >&2; }
fail() { say "error: $*"; exit 1; }
sha() { sha256sum | cut -c1-12; }
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

# The root filesystem's recipe: its hash names the cached tarball and the imported base image, so a
# changed recipe builds anew instead of reusing an old one.
# shellcheck disable=SC2054,SC2016 # commas inside --include; $1 is the hook's own argument
MMDEBSTRAP_ARGS=(--variant=essential --include=postgresql-17,postgresql-17-pgvector
  --keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  --aptopt='APT::Install-Recommends "false"' --aptopt='Acquire::Retries "3"'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --setup-hook='mkdir -p "$1/etc/postgresql-common" && echo "create_main_cluster = false" > "$1/etc/postgresql-common/createcluster.conf"'
  trixie)
ROOTFS_RECIPE=$(printf '%s\n' "${MMDEBSTRAP_ARGS[@]}" | sha)
ROOTFS_TAR=$CACHE_DIR/postgres-pgvector-17-trixie-$ROOTFS_RECIPE.tar.zst
BASE=agents/postgres-pgvector-rootfs:17-$ROOTFS_RECIPE
# The final image's recipe: the base, the Dockerfile and the entrypoint.
RECIPE=$( { echo "$BASE"; cat "$HERE/Dockerfile" "$HERE/docker-entrypoint.sh"; } | sha)

need() {  # command, Debian package
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then fail "$1 is missing (Debian package $2)"; fi
  say "installing $2 on the host"
  apt-get update -qq >&2 || apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >&2
}

current() {  # the image is ours at this recipe, or the official one under our name
  local id
  id=$(image_id "$IMAGE")
  [ -n "$id" ] || return 1
  [ "$(docker image inspect -f '{{index .Config.Labels "agents.image.recipe"}}' "$IMAGE" 2>/dev/null)" = "$RECIPE" ] && return 0
  [ "$id" = "$(image_id "$OFFICIAL")" ]
}

build_rootfs_tar() {
  [ -f /etc/debian_version ] || fail "building the image needs Debian (mmdebstrap); or pull $OFFICIAL, or set AGENTS_PG_CONNECTION"
  local mirror=${AGENTS_PG_MIRROR:-$(awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
  [ -n "$mirror" ] || mirror=$(awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || fail "no Debian mirror found; set AGENTS_PG_MIRROR"
  need mmdebstrap mmdebstrap
  need zstd zstd
  mkdir -p "$CACHE_DIR"
  local attempt tmp=$ROOTFS_TAR.partial.tar
  for attempt in 1 2 3; do
    say "building a trixie root filesystem with postgresql-17 + pgvector (attempt $attempt; about a minute)"
    rm -f "$tmp"
    if mmdebstrap "${MMDEBSTRAP_ARGS[@]}" "$tmp" "$mirror" >&2; then
      tar -tf "$tmp" ./usr/lib/postgresql/17/lib/vector.so >/dev/null 2>&1 || fail "root filesystem built without pgvector"
      zstd -T0 -10 -q -f --rm "$tmp" -o "$ROOTFS_TAR.partial" && mv -f "$ROOTFS_TAR.partial" "$ROOTFS_TAR"
      say "cached $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
      return 0
    fi
    sleep $((attempt * 5))
  done
  rm -f "$tmp"; fail "mmdebstrap failed three times"
}

build_local() {
  if [ -z "$(image_id "$BASE")" ]; then
    [ -f "$ROOTFS_TAR" ] || build_rootfs_tar
    need zstd zstd
    say "importing $ROOTFS_TAR as $BASE"
    zstd -dcq "$ROOTFS_TAR" | docker import --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
  fi
  say "building $IMAGE from $BASE"
  # The legacy builder: Debian's engine has no BuildKit client plugin, and the Dockerfile needs none.
  local log
  log=$(DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE=$BASE" --label "agents.image.recipe=$RECIPE" \
    -t "$IMAGE" "$HERE" 2>&1) || { echo "$log" >&2; fail "docker build failed"; }
}

timeout 10 docker info >/dev/null 2>&1 || fail "no Docker engine answers (infra/docker-engine.sh ensure starts one)"
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/postgres-image.lock"
flock -w 900 9 || fail "another build holds $CACHE_DIR/postgres-image.lock"
if current; then
  say "reusing $IMAGE"
else
  if [ -n "$(image_id "$OFFICIAL")" ]; then
    say "using the local $OFFICIAL"; docker tag "$OFFICIAL" "$IMAGE"
  elif [ "${AGENTS_PG_PULL:-1}" != 0 ] && timeout 300 docker pull -q "$OFFICIAL" >/dev/null 2>&1; then
    say "pulled $OFFICIAL"; docker tag "$OFFICIAL" "$IMAGE"
  else
    say "$OFFICIAL cannot be pulled: building a local equivalent"
    build_local
  fi
fi
echo "$IMAGE"
