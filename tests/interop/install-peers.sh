#!/usr/bin/env bash
# Installs the interop peers when missing: msal-node 7 (in tests/interop/node_modules) and MSAL
# Python. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -f "$here/node_modules/@azure/msal-node/package.json" ]; then
  npm install --no-save --no-audit --no-fund --prefix "$here" @azure/msal-node@7 >/dev/null
fi
if ! python3 -c 'import msal' 2>/dev/null; then
  pip install --quiet msal
fi
