#!/usr/bin/env bash
# Runs the integration tests against real servers from Debian packages. Installs what is missing
# (CI runs as root on a fresh machine; apt-get reaches Debian's mirrors). Extra args go to jest.
set -euo pipefail
cd "$(dirname "$0")/../.."

PACKAGES=(postgresql pgbouncer patroni redis-server redis-sentinel nginx etcd-server prometheus-postgres-exporter prometheus-redis-exporter clickhouse-server clickhouse-client zookeeper prometheus prometheus-alertmanager libnginx-mod-http-modsecurity modsecurity-crs)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "integration: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # Debian's postinst scripts would start the services; our tests start their own on loopback.
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  $SUDO rm -f /usr/sbin/policy-rc.d
fi
# The servers listen on fixed loopback ports: two runs on one machine would take each other's
# ports (Patroni: "Address already in use"). Runs wait for each other on a machine-wide lock.
exec flock /tmp/receivables-integration.lock npx jest -c jest.integration.config.js "$@"
