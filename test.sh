#!/usr/bin/env bash
# Runs every test of Agents.sln and ends with one summary line.
# PostgreSQL for the integration tests: with AGENTS_PG_CONNECTION set, that server (the tests create and
# drop their own databases there). Otherwise the tests start one container for the run (Testcontainers)
# from the image of infra/images/postgres/build.sh (built once, then reused), on a Docker engine that
# infra/docker-engine.sh starts where none answers (installing Debian's docker.io if needed). The run's
# containers carry the label agents.test=1 and are removed at its end; leftovers of runs that died are
# removed at the start. Debian's chromium is installed where missing (the web console's browser test).
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Memory").
set -euo pipefail
cd "$(dirname "$0")"

# Containers labelled agents.test=1 whose test process (label agents.test.pid) is gone, or those of one run.
remove_containers() {  # [run id]
  local id pid run
  for id in $(docker ps -aq --filter label=agents.test=1 2>/dev/null); do
    pid=$(docker inspect -f '{{index .Config.Labels "agents.test.pid"}}' "$id" 2>/dev/null || true)
    run=$(docker inspect -f '{{index .Config.Labels "agents.test.run"}}' "$id" 2>/dev/null || true)
    if { [ -n "${1:-}" ] && [ "$run" = "$1" ]; } || [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then
      docker rm -f -v "$id" >/dev/null 2>&1 || true
    fi
  done
  # The test host may have asked for its container's removal just before it exited: wait for it.
  local _
  for _ in $(seq 1 60); do
    [ -n "${1:-}" ] && docker ps -aq --filter "label=agents.test.run=$1" 2>/dev/null | grep -q . || return 0
    sleep 0.5
  done
}

if [ -z "${AGENTS_PG_CONNECTION:-}" ]; then
  unset AGENTS_TEST_PG  # a test-only server of an earlier session: this run uses its own container
  infra/docker-engine.sh ensure
  remove_containers
  AGENTS_PG_IMAGE=$(infra/images/postgres/build.sh)
  AGENTS_TEST_RUN_ID=$(date +%s)-$$
  # Ryuk cannot be pulled (removal is by label); tests reach containers on loopback only.
  export AGENTS_PG_IMAGE AGENTS_TEST_RUN_ID TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost
  trap 'remove_containers "$AGENTS_TEST_RUN_ID"' EXIT
fi

# The deployment files' tests (Operations/DeploymentFilesTests) run Debian's docker-compose and node
# (npm installs the schema check's packages); the chaos test (Cluster/ChaosTests) runs the compose
# cluster (infra/compose.sh builds its images: mmdebstrap, zstd); the chaos bench's local variant
# makes network namespaces with iproute2 and iptables and asks a silo's readiness with curl.
missing=()
for tool in docker-compose:docker-compose node:nodejs npm:npm ip:iproute2 iptables:iptables curl:curl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
  echo "[test.sh] installing Debian's ${missing[*]}" >&2
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The web console's browser test (tests/Agents.Tests.Integration/WebConsole) drives Debian's chromium
# through Playwright (no browser download): installed here where missing, as Docker is.
if [ -z "${AGENTS_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing chromium for the console's browser test" >&2
    apt-get update -qq >&2 || apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  else
    echo "test.sh: no /usr/bin/chromium (apt-get install chromium, or set AGENTS_CHROMIUM): the console's browser test will fail" >&2
  fi
fi

dotnet build Agents.sln -c Release --nologo -v quiet -clp:ErrorsOnly
log=$(mktemp)
status=0
dotnet test Agents.sln -c Release --no-build --nologo -v quiet --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
[ -z "${AGENTS_TEST_RUN_ID:-}" ] || remove_containers "$AGENTS_TEST_RUN_ID"
# One closing line over all test assemblies.
awk '/^ *Passed: *[0-9]+$/ {p += $2} /^ *Failed: *[0-9]+$/ {f += $2} /^ *Skipped: *[0-9]+$/ {s += $2}
     END {printf "%d passed, %d failed, %d skipped\n", p, f, s}' "$log"
rm -f "$log"
exit $status
