#!/usr/bin/env bash
# Chromium for the console's browser test (tests/integration/test_console_browser.py, driven by
# Playwright with Debian's chromium and chromium-driver; Playwright's own browser download is
# never used). Idempotent: does nothing when /usr/bin/chromium exists; otherwise installs the
# Debian packages as root or through passwordless sudo. When it cannot, it says so and exits 0:
# the browser test then skips with that reason; nothing else needs a browser.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
say() { echo "chromium: $*" >&2; }
if ! command -v apt-get >/dev/null 2>&1; then
  say "not installed and no apt-get here; install chromium by hand for the browser test"
  exit 0
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    say "not installed, and installing needs root (apt-get install -y chromium chromium-driver)"
    exit 0
  fi
fi
install() {
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver
}
say "installing chromium (apt-get, once)"
install || { "${sudo[@]}" apt-get update -q && install; } || say "could not install chromium; the browser test will be skipped"
