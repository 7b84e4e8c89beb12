#!/usr/bin/env bash
# Run before `npm test`: the tests start a real etcd (Debian's etcd-server). Installs it when
# missing and this process may install packages; otherwise stops with one line saying what to install.
set -euo pipefail
if command -v etcd >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "etcd not found: installing Debian's etcd-server" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq etcd-server >/dev/null
  command -v etcd >/dev/null 2>&1 && exit 0
fi
echo "kitsune tests need etcd on PATH: install Debian's etcd-server (apt-get install etcd-server) and run npm test again" >&2
exit 1
