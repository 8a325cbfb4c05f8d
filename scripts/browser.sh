#!/usr/bin/env bash
# Installs Debian's Chromium and its WebDriver for the real-browser tests (the report, the Argilla UI).
# Idempotent: does nothing when both are there. Needs apt-get and root (CI runs as root); elsewhere it
# says why it cannot, and the browser tests skip with that reason.
set -uo pipefail
say() { printf '\033[1m[browser]\033[0m %s\n' "$*" >&2; }
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if ! command -v apt-get >/dev/null || [[ "$(id -u)" != 0 ]]; then
  say "cannot install chromium + chromium-driver here (needs apt-get as root): the browser tests will skip"
  exit 0
fi
T=$(date +%s)
say "installing chromium and chromium-driver for the browser tests (Debian packages)"
{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver; } \
  >/tmp/synthesizrr-browser-install.log 2>&1 \
  || { say "apt-get failed (log: /tmp/synthesizrr-browser-install.log): the browser tests will skip"; exit 0; }
say "  chromium: $(( $(date +%s) - T )) s"
