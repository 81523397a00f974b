#!/usr/bin/env bash
# infra/compose.sh - docker-compose.yml on a machine where no image can be pulled, or without an
# NVIDIA runtime: starts a Docker engine if none answers (infra/docker-engine.sh), builds the images
# from local parts (infra/images/build.sh), and runs Debian's docker-compose (1.29; or Compose v2)
# on the top-level file with those images. Without an NVIDIA runtime the gpu silo's device
# reservation is left out (Docker would refuse the container) and its reader runs on the CPU.
#
#   infra/compose.sh up -d            # the cluster, detached
#   infra/compose.sh ps | logs -f gpu | stop silo2 | down -v
#   infra/compose.sh --profile llm up -d
#   infra/compose.sh --render FILE    # only write the configuration it would run to FILE
#
# Environment: COMPOSE_PROJECT_NAME (agents), AGENTS_COMPOSE_BUILD=0 (use the images as they are),
# and every variable docker-compose.yml reads (AGENTS_ADMIN_KEY, AGENTS_LLM_BASE_URL, ...).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-agents}

say() { echo "[infra/compose] $*" >&2; }
fail() { say "error: $*"; exit 1; }

compose() {
  if command -v docker-compose >/dev/null 2>&1; then docker-compose "$@"
  elif docker compose version >/dev/null 2>&1; then docker compose "$@"
  else fail "neither docker-compose nor docker compose is installed (Debian: apt-get install docker-compose)"; fi
}

"$ROOT/infra/docker-engine.sh" ensure
if ! command -v docker-compose >/dev/null 2>&1 && ! docker compose version >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
  say "installing Debian's docker-compose"
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >&2
fi

if [ "${AGENTS_COMPOSE_BUILD:-1}" != 0 ]; then
  while IFS='=' read -r key value; do
    case $key in AGENTS_*_IMAGE) export "$key=$value" ;; esac
  done < <("$ROOT/infra/images/build.sh" all)
else
  export AGENTS_SILO_IMAGE=${AGENTS_SILO_IMAGE:-agents/silo:latest} AGENTS_PG_IMAGE=${AGENTS_PG_IMAGE:-agents/postgres-pgvector:17}
fi

# The configuration as compose resolves it, less the device reservations where Docker has no NVIDIA
# runtime: `config` prints services at two spaces and their keys at four, so a `deploy:` block is the
# line `    deploy:` and the deeper lines after it.
profiles=()   # leading --profile NAME options count for the rendering too
while [ "${1:-}" = --profile ] && [ -n "${2:-}" ]; do profiles+=(--profile "$2"); shift 2; done
rendered=$(mktemp "${TMPDIR:-/tmp}/agents-compose.XXXXXX.yml")
trap 'rm -f "$rendered"' EXIT
compose -f "$ROOT/docker-compose.yml" "${profiles[@]}" config > "$rendered.full"
if docker info -f '{{json .Runtimes}}' 2>/dev/null | grep -q nvidia; then
  mv "$rendered.full" "$rendered"
else
  say "no NVIDIA runtime: the gpu silo runs without its device reservation (CPU reader)"
  awk '/^    deploy:$/ {skip=1; next} skip && /^      / {next} {skip=0; print}' "$rendered.full" > "$rendered"
  rm -f "$rendered.full"
fi

if [ "${1:-}" = --render ]; then
  [ -n "${2:-}" ] || fail "usage: infra/compose.sh --render FILE"
  cp "$rendered" "$2"
  exit 0
fi
# The rendered file has absolute paths; the project directory stays the repository's.
compose -f "$rendered" --project-directory "$ROOT" "${profiles[@]}" "$@"
