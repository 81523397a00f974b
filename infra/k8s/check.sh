#!/usr/bin/env bash
# infra/k8s/check.sh - validates the manifests of infra/k8s against the Kubernetes schemas and checks
# their references (check/validate.mjs), installing its npm packages first when needed (npm ci from
# check/package-lock.json, into check/node_modules). Also renders the kustomization when kubectl is there.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null 2>&1 || { echo "k8s: node is missing (Debian: nodejs, npm)" >&2; exit 1; }
stamp=$HERE/check/node_modules/.agents-lock
if [ ! -f "$stamp" ] || ! cmp -s "$stamp" "$HERE/check/package-lock.json"; then
  (cd "$HERE/check" && npm ci --no-audit --no-fund --loglevel=error >&2)
  cp "$HERE/check/package-lock.json" "$stamp"
fi
node "$HERE/check/validate.mjs" "$HERE"
if command -v kubectl >/dev/null 2>&1; then
  kubectl kustomize "$HERE" >/dev/null
  echo "k8s: kubectl kustomize renders the kustomization"
fi
