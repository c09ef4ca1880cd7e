#!/usr/bin/env bash
# Run before the tests (npm's pretest): the monitoring checks need promtool, which Debian's
# prometheus package provides. Installs it when missing and we may (root with apt-get).
set -euo pipefail
command -v promtool >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "pretest: installing promtool (Debian package prometheus)..." >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
  exit 0
fi
echo "pretest: promtool is missing; install Prometheus' promtool (Debian: apt-get install prometheus)" >&2
exit 1
