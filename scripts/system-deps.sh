#!/usr/bin/env bash
# System packages the test suite needs (Debian): Chromium for the Galata UI tests and PostgreSQL
# for the Store contract suite. Installs only what is missing.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql)
if [ "${#need[@]}" -gt 0 ]; then
  echo "==> apt-get install ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  # The package would start its own cluster on 5432; the tests start their own servers instead.
  $SUDO mkdir -p /etc/postgresql-common
  echo 'create_main_cluster = false' | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
