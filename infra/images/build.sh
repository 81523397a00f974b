#!/usr/bin/env bash
# infra/images/build.sh - the cluster's images (docker-compose.yml, infra/k8s/) from local parts, for
# machines where no base image can be pulled. Where they can, `docker compose build` builds the silo
# image from Microsoft's .NET images with the same Dockerfile (infra/images/silo/Dockerfile).
#
#   infra/images/build.sh [all|base|silo|postgres]     (default: all)
#
# Prints, on stdout, the images as compose's variables (messages go to stderr):
#   AGENTS_SILO_IMAGE=agents/silo:latest
#   AGENTS_PG_IMAGE=agents/postgres-pgvector:17
# so `eval "$(infra/images/build.sh)"` or `infra/images/build.sh > .env` points compose at them.
#
#   base      a Debian 13 (trixie) root filesystem with the packages of Microsoft's runtime-deps image
#             (ca-certificates, ICU, OpenSSL, tzdata, zlib, libstdc++) and its non-root user `app`
#             (uid 1654, $APP_UID), made by mmdebstrap, cached as a .tar.zst and `docker import`ed;
#   silo      the silo published self-contained for linux-x64 on this host (`dotnet publish -r
#             linux-x64 --self-contained`: the runtime packs restore from NuGet), put into an image
#             on the base, then the silo Dockerfile run with that image as SDK_IMAGE (its build stage
#             finds /app published) and the base as BASE_IMAGE;
#   postgres  PostgreSQL 17 + pgvector: infra/images/postgres/build.sh.
#
# Caches (AGENTS_IMAGE_CACHE: /var/cache/agents as root, else ~/.cache/agents): the base's tarball
# (named by its recipe's hash; about a minute to make, seconds to import) and the publish's
# intermediate files (incremental rebuilds). Images carry the hash of what made them
# (label agents.image.recipe): a current image is reused at once, so a second run takes a second or two.
# Environment: AGENTS_SILO_IMAGE, AGENTS_PG_IMAGE (names), AGENTS_IMAGE_MIRROR (Debian mirror; default:
# the host's first apt source).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SILO_IMAGE=${AGENTS_SILO_IMAGE:-agents/silo:latest}
if [ "$(id -u)" = 0 ]; then CACHE_DIR=${AGENTS_IMAGE_CACHE:-/var/cache/agents}; else CACHE_DIR=${AGENTS_IMAGE_CACHE:-$HOME/.cache/agents}; fi

say() { echo "[infra/images] $*" >&2; }
fail() { say "error: $*"; exit 1; }
sha() { sha256sum | cut -c1-12; }
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
recipe_of() { docker image inspect -f '{{index .Config.Labels "agents.image.recipe"}}' "$1" 2>/dev/null || true; }

need() {  # command, Debian package
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then fail "$1 is missing (Debian package $2)"; fi
  say "installing $2 on the host"
  apt-get update -qq >&2 || apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >&2
}

mirror() {
  local m=${AGENTS_IMAGE_MIRROR:-${AGENTS_PG_MIRROR:-}}
  [ -n "$m" ] || m=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$m" ] || m=$(awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$m" ] || fail "no Debian mirror found; set AGENTS_IMAGE_MIRROR"
  echo "$m"
}

# --- base -------------------------------------------------------------------------------------------
# What Microsoft's runtime-deps image holds (its Dockerfile's package list), on trixie, plus the user.
# shellcheck disable=SC2054,SC2016 # commas inside --include; $1 is the hook's own argument
BASE_ARGS=(--variant=minbase
  --include=ca-certificates,libc6,libgcc-s1,libicu76,libssl3t64,libstdc++6,tzdata,zlib1g,passwd
  --keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  --aptopt='APT::Install-Recommends "false"' --aptopt='Acquire::Retries "3"'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --customize-hook='chroot "$1" groupadd --gid 1654 app'
  --customize-hook='chroot "$1" useradd --uid 1654 --gid 1654 --home-dir /app --no-create-home --shell /usr/sbin/nologin app'
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*'
  trixie)
BASE_RECIPE=$(printf '%s\n' "${BASE_ARGS[@]}" | sha)
BASE_TAR=$CACHE_DIR/dotnet-base-trixie-$BASE_RECIPE.tar.zst
BASE_IMAGE=agents/dotnet-base:trixie-$BASE_RECIPE

build_base() {
  [ -n "$(image_id "$BASE_IMAGE")" ] && { say "reusing $BASE_IMAGE"; return 0; }
  if [ ! -f "$BASE_TAR" ]; then
    [ -f /etc/debian_version ] || fail "building the base needs Debian (mmdebstrap); or build with Microsoft's images (docker compose build)"
    need mmdebstrap mmdebstrap
    need zstd zstd
    local m attempt tmp=$BASE_TAR.partial.tar
    m=$(mirror)
    for attempt in 1 2 3; do
      say "building a trixie root filesystem for .NET (attempt $attempt; about a minute)"
      rm -f "$tmp"
      if mmdebstrap "${BASE_ARGS[@]}" "$tmp" "$m" >&2; then
        zstd -T0 -10 -q -f --rm "$tmp" -o "$BASE_TAR.partial" && mv -f "$BASE_TAR.partial" "$BASE_TAR"
        say "cached $BASE_TAR ($(du -h "$BASE_TAR" | cut -f1))"
        break
      fi
      [ "$attempt" = 3 ] && { rm -f "$tmp"; fail "mmdebstrap failed three times"; }
      sleep $((attempt * 5))
    done
  fi
  need zstd zstd
  say "importing $BASE_TAR as $BASE_IMAGE"
  # The environment Microsoft's runtime-deps image sets, so that one Dockerfile fits both.
  zstd -dcq "$BASE_TAR" | docker import \
    --change 'ENV APP_UID=1654' --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
}

# --- silo -------------------------------------------------------------------------------------------
# The sources the silo is built from (tracked and new files, not ignored ones) and the Dockerfile.
silo_sources() {
  (cd "$ROOT" && git ls-files -co --exclude-standard -- Directory.Build.props Directory.Packages.props \
     Abstractions Memory Inference Grains Silo Client infra/Agents.Infra.csproj 'infra/*.cs' infra/Migrations infra/migrations \
     infra/images/silo global.json nuget.config NuGet.Config 2>/dev/null | LC_ALL=C sort)
}

build_silo() {
  build_base
  local recipe
  recipe=$( { echo "$BASE_IMAGE"; cd "$ROOT" && silo_sources | while IFS= read -r f; do [ -f "$f" ] && { echo "$f"; cat "$f"; }; done; } | sha)
  if [ "$(recipe_of "$SILO_IMAGE")" = "$recipe" ]; then say "reusing $SILO_IMAGE"; return 0; fi

  # Published on the host, outside the work tree's bin/obj (so that a build there is not disturbed).
  local work=$CACHE_DIR/silo-publish out
  out=$work/app
  mkdir -p "$work"
  rm -rf "$out"
  say "publishing the silo self-contained for linux-x64 (a minute or two; incremental afterwards)"
  (cd "$ROOT" && dotnet publish Silo/Agents.Silo.csproj -c Release -r linux-x64 --self-contained \
     --artifacts-path "$work/artifacts" -o "$out" --nologo -v quiet -clp:ErrorsOnly >&2) || fail "dotnet publish failed"
  [ -x "$out/Agents.Silo" ] || fail "the publish has no Agents.Silo executable"

  say "building $SILO_IMAGE"
  local published=agents/silo-published:latest previous ctx log
  previous=$(image_id "$published")
  log=$(printf 'FROM %s\nCOPY . /app\n' "$BASE_IMAGE" | DOCKER_BUILDKIT=0 docker build -q --label agents.image.part=silo-published \
    -t "$published" -f - "$out" 2>&1) \
    || { echo "$log" >&2; fail "docker build of the published silo failed"; }
  # The Dockerfile's context: nothing (the build stage's image already holds the silo).
  ctx=$(mktemp -d)
  log=$(DOCKER_BUILDKIT=0 docker build -q --build-arg "SDK_IMAGE=$published" --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    --label "agents.image.recipe=$recipe" -t "$SILO_IMAGE" -f "$HERE/silo/Dockerfile" "$ctx" 2>&1) \
    || { rm -rf "$ctx"; echo "$log" >&2; fail "docker build of $SILO_IMAGE failed"; }
  rm -rf "$ctx"
  # The previous publish's image and the build stage's leftovers are no longer needed (the final
  # image holds its own copy); only dangling images of that label are pruned.
  docker image prune -f --filter label=agents.image.part=silo-published >/dev/null 2>&1 || true
  [ -z "$previous" ] || [ "$previous" = "$(image_id "$published")" ] || docker rmi "$previous" >/dev/null 2>&1 || true
  say "built $SILO_IMAGE ($(docker image inspect -f '{{.Size}}' "$SILO_IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
}

# --- postgres ---------------------------------------------------------------------------------------
PG_IMAGE=""
build_postgres() { PG_IMAGE=$("$ROOT/infra/images/postgres/build.sh"); }

timeout 10 docker info >/dev/null 2>&1 || fail "no Docker engine answers (infra/docker-engine.sh ensure starts one)"
mkdir -p "$CACHE_DIR"
exec 8>"$CACHE_DIR/images.lock"
flock -w 1800 8 || fail "another build holds $CACHE_DIR/images.lock"
case ${1:-all} in
  all) build_silo; build_postgres ;;
  base) build_base ;;
  silo) build_silo ;;
  postgres) build_postgres ;;
  *) fail "usage: infra/images/build.sh [all|base|silo|postgres]" ;;
esac
case ${1:-all} in
  all|silo) echo "AGENTS_SILO_IMAGE=$SILO_IMAGE" ;;
esac
[ -z "$PG_IMAGE" ] || echo "AGENTS_PG_IMAGE=$PG_IMAGE"
[ "${1:-all}" != base ] || echo "AGENTS_BASE_IMAGE=$BASE_IMAGE"
