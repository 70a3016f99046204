#!/usr/bin/env bash
# Make sure Debian's wrk is installed: bench/api_load.py drives the API with it on 127.0.0.1.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  echo "setup-bench: wrk is installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-bench: no wrk and no apt-get to install it; install wrk by hand" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" = "0" ] || sudo="sudo"
echo "setup-bench: installing Debian's wrk"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
echo "setup-bench: wrk is installed"
