#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (driven by Playwright with
# executable_path; Playwright's own browser download is never used). Without root or apt-get
# this only says so: the browser tests then skip, unless ASSETMAP_REQUIRE_BROWSER=1.
set -euo pipefail
chromium=${ASSETMAP_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  echo "setup-browser: $("$chromium" --version 2>/dev/null || echo "$chromium")"
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = "0" ] || sudo="sudo"
  echo "setup-browser: installing Debian's chromium"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  echo "setup-browser: $(/usr/bin/chromium --version)"
  exit 0
fi
echo "setup-browser: no Chromium at $chromium and no apt-get to install it." >&2
if [ "${ASSETMAP_REQUIRE_BROWSER:-0}" = "1" ]; then exit 1; fi
echo "setup-browser: the browser tests will be skipped." >&2
