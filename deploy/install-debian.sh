#!/usr/bin/env bash
# Installs the Debian packages a test needs, once: `make setup` runs it for NGINX (the
# auth_request test), Chromium (the console's browser test) and docker-compose (the compose file
# check). Usage: install-debian.sh NAME FOR PRESENT-CHECK PACKAGE...
# Idempotent: does nothing when PRESENT-CHECK (a shell command) succeeds; otherwise installs the
# packages (--no-install-recommends) as root or through passwordless sudo. When it cannot, it says
# so and exits 0: the test that needs them then skips, saying why; nothing else needs them.
set -euo pipefail

name=$1 purpose=$2 present=$3
shift 3
if bash -c "$present" >/dev/null 2>&1; then
  exit 0
fi
say() { echo "$name: $*" >&2; }
if ! command -v apt-get >/dev/null 2>&1; then
  say "not installed and no apt-get here; install $* by hand for $purpose"
  exit 0
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    say "not installed, and installing needs root (apt-get install -y $*)"
    exit 0
  fi
fi
install() {
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}
say "installing $* (apt-get, once)"
install "$@" || { "${sudo[@]}" apt-get update -q && install "$@"; } || say "could not install $*; $purpose will be skipped"
