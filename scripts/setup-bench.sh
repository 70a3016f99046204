#!/usr/bin/env bash
# Make sure Debian's wrk and valgrind are installed: bench/api_load.py drives the API with wrk
# on 127.0.0.1, and bench/api_cost.py counts a request's instructions with valgrind's callgrind.
set -euo pipefail
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-bench: wrk and valgrind are installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-bench: no ${missing[*]} and no apt-get to install it; install by hand" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" = "0" ] || sudo="sudo"
echo "setup-bench: installing Debian's ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
echo "setup-bench: wrk and valgrind are installed"
