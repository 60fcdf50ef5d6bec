#!/usr/bin/env bash
# Debian packages `make e2e` needs (PostgreSQL, Redis, Chromium), installed only when missing.
# CI runs this as root on a fresh machine with no stdin: nothing may prompt.
set -euo pipefail
need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  echo "e2e system packages: postgresql, redis-server, chromium already installed"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
export DEBIAN_FRONTEND=noninteractive
if [[ " ${need[*]} " == *" postgresql "* ]]; then
  # The suite runs its own throwaway servers: no system-wide PostgreSQL cluster to create and start.
  $sudo mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/campaigns-e2e.conf >/dev/null
fi
echo "e2e system packages: installing ${need[*]}"
start=$(date +%s)
$sudo apt-get update -qq </dev/null
$sudo apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${need[@]}" </dev/null >/dev/null
echo "e2e system packages: installed in $(( $(date +%s) - start )) s"
