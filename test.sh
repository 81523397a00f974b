#!/usr/bin/env bash
# Runs every test: provisions PostgreSQL 17 + pgvector (infra/pg.sh: AGENTS_PG_CONNECTION, else
# Docker, else a Debian 13 chroot), then the unit and integration tests of Agents.sln.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Memory").
set -euo pipefail
cd "$(dirname "$0")"
AGENTS_TEST_PG=$(infra/pg.sh start)
export AGENTS_TEST_PG
dotnet build Agents.sln -c Release --nologo -v quiet -clp:ErrorsOnly
log=$(mktemp)
status=0
dotnet test Agents.sln -c Release --no-build --nologo -v quiet --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
# One closing line over all test assemblies.
awk '/^ *Passed: *[0-9]+$/ {p += $2} /^ *Failed: *[0-9]+$/ {f += $2} /^ *Skipped: *[0-9]+$/ {s += $2}
     END {printf "%d passed, %d failed, %d skipped\n", p, f, s}' "$log"
rm -f "$log"
exit $status
