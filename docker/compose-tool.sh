#!/usr/bin/env bash
# Make sure a compose tool exists, so that `make test` can validate docker/compose.yaml
# (`config` needs no Docker engine). Idempotent: does nothing when `docker compose` or
# `docker-compose` is installed. Installs Debian's docker-compose package when run as root with
# apt-get; otherwise says how, and the compose test is skipped.
set -euo pipefail

if docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "setup: installing docker-compose (to validate docker/compose.yaml)" >&2
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -q docker-compose >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q docker-compose >/dev/null 2>&1; }; then
    exit 0
  fi
fi
echo "setup: no compose tool; install docker-compose (Debian: apt-get install -y docker-compose)" \
  "or the Docker compose plugin; until then the compose file test is skipped" >&2
