#!/usr/bin/env bash
# NGINX for the auth_request example and its integration test (tests/integration/test_nginx_check.py).
# Idempotent: does nothing when nginx is installed; otherwise installs Debian's nginx-light
# (--no-install-recommends) as root or through passwordless sudo. When it cannot, it says so and
# exits 0: the NGINX test then skips with that reason; nothing else needs NGINX.
set -euo pipefail

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
say() { echo "nginx: $*" >&2; }
if ! command -v apt-get >/dev/null 2>&1; then
  say "not installed and no apt-get here; install nginx (with the auth_request module) by hand"
  exit 0
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    say "not installed, and installing needs root (apt-get install -y nginx-light)"
    exit 0
  fi
fi
install() {
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light
}
say "installing nginx-light (apt-get, once)"
install || { "${sudo[@]}" apt-get update -q && install; } || say "could not install nginx-light; the NGINX test will be skipped"
