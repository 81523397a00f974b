#!/usr/bin/env bash
# Runs every test: provisions PostgreSQL 17 + pgvector (infra/pg.sh: AGENTS_PG_CONNECTION, else
# Docker, else a Debian 13 chroot), then the unit and integration tests of Agents.sln.
set -euo pipefail
cd "$(dirname "$0")"
AGENTS_TEST_PG=$(infra/pg.sh start)
export AGENTS_TEST_PG
dotnet build Agents.sln -c Release --nologo -v quiet
dotnet test Agents.sln -c Release --no-build --nologo -v quiet --logger "console;verbosity=normal" "$@"
