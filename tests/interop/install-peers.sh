#!/usr/bin/env bash
# Installs the interop peers when missing: msal-node 7.2.4 (in tests/interop/node_modules; the
# version the README's msal-node claims are checked against) and MSAL Python 1.x (pip: 1.39.0,
# the version the interop test was last checked with; Debian's python3-msal otherwise). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# (Loaded, not only its package.json read: an install cut short leaves that file without the
# module's dependencies.)
if [ "$(node -e 'const m = require.resolve("@azure/msal-node", { paths: [process.argv[1]] }); require(m); process.stdout.write(require(require.resolve("@azure/msal-node/package.json", { paths: [process.argv[1]] })).version)' "$here" 2>/dev/null)" != "7.2.4" ]; then
  npm install --no-save --no-audit --no-fund --prefix "$here" @azure/msal-node@7.2.4 >/dev/null
fi
if ! python3 -c 'import msal' 2>/dev/null; then
  # pip where there is one that may install (a pyenv or venv python); else Debian's package
  # (Debian's python3 has no pip, and its pip refuses system-wide installs).
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  python3 -m pip install --quiet 'msal==1.39.0' 2>/dev/null || {
    # (Through sudo the environment goes by `env`; an unattended upgrade's lock is waited for.)
    apt=($SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
    "${apt[@]}" install -y -qq python3-msal >/dev/null 2>&1 || { "${apt[@]}" update -qq && "${apt[@]}" install -y -qq python3-msal >/dev/null; }
  }
fi
# (Debian's package serves /usr/bin/python3: a pyenv or venv python3 whose pip failed still
# cannot import it.)
if ! python3 -c 'import msal' 2>/dev/null; then
  echo "install-peers: $(command -v python3) cannot import msal: install it for that Python (python3 -m pip install 'msal==1.39.0')" >&2
  exit 1
fi
