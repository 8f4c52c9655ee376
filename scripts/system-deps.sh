#!/usr/bin/env bash
# System packages the test suite needs (Debian): Chromium for the Galata UI tests and PostgreSQL
# for the Store contract suite; Slurm (with slurmdbd on MariaDB, munge and the Torque-compatible PBS
# commands), sshd and sudo for the HPC backend's tests; OpenLDAP's slapd and ldap-utils (with openssl
# for the test CA) for the LDAP login tests. Installs only what is missing; no daemon is started by
# the install (the tests start their own).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql)
[ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] || need+=(slurm-wlm)
[ -x /usr/bin/qsub ] || need+=(slurm-wlm-torque)
[ -x /usr/sbin/munged ] || need+=(munge)
[ -x /usr/sbin/slurmdbd ] || need+=(slurmdbd)
[ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
[ -x /usr/bin/sudo ] || need+=(sudo)
[ -x /usr/sbin/slapd ] || need+=(slapd)
[ -x /usr/bin/ldapadd ] || need+=(ldap-utils)
[ -x /usr/bin/openssl ] || need+=(openssl)
if [ "${#need[@]}" -gt 0 ]; then
  echo "==> apt-get install ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  # The package would start its own cluster on 5432; the tests start their own servers instead.
  $SUDO mkdir -p /etc/postgresql-common
  echo 'create_main_cluster = false' | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
  # No package may start its daemon (munge, mariadb, slurm*, ssh, slapd): a policy-rc.d that says no,
  # removed afterwards only when this script put it there.
  own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  rc=0
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" || rc=$?
  [ -z "$own_policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d
  [ "$rc" -eq 0 ] || exit "$rc"
fi
