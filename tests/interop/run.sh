#!/usr/bin/env bash
# Unified-cache interop with msal-node 7 and MSAL Python (see main.rs for the steps).
# Idempotent: installs the peers only when missing. Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

"$here/install-peers.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export INTEROP_DIR="$work"

rust_step() {
  (cd "$root" && cargo test --quiet --test interop -- --ignored --exact "$1" >"$work/$1.log" 2>&1) || {
    cat "$work/$1.log" >&2
    echo "interop: rust step $1 failed" >&2
    exit 1
  }
}

# (a) Rust writes the cache.
rust_step write_input
# (b), (c) The peers read it, check it and write it back.
node "$here/peer.mjs" roundtrip "$work/input.json" "$work/node.json" "$work/meta.json"
python3 "$here/peer.py" roundtrip "$work/input.json" "$work/python.json" "$work/meta.json"
# (d) Rust checks nothing was lost and re-serializes; the peers read that back.
rust_step check_peers
for f in rust_from_node rust_from_python rust_typed; do
  node "$here/peer.mjs" read "$work/$f.json" "$work/meta.json"
  python3 "$here/peer.py" read "$work/$f.json" "$work/meta.json"
done

echo "interop: msal-node ok, msal-python ok"
