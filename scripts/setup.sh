#!/usr/bin/env bash
# Installs whatever is missing for the demo and the tests; does nothing when all is there.
# Needs only what a fresh machine has: Rust (rustup), node/npm, gcc, python3, apt (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "setup: $*"; }

# Node 20.19 or later (playwright-core, vite and Angular's engines): Debian 12's own is 18.
# (vite's and Angular's engines: ^20.19 || ^22.12 || >=24.)
node_ok=$(node -p 'const [a, b] = process.versions.node.split(".").map(Number); (a === 20 && b >= 19) || (a === 22 && b >= 12) || a >= 24' 2>/dev/null || echo false)
if [ "$node_ok" != "true" ]; then
  echo "setup: node $(node --version 2>/dev/null || echo '(none)') will not do: Node 20.19+, 22.12+ or 24+ is needed (Debian 12's nodejs is 18: use NodeSource's, or Debian 13's)" >&2
  exit 1
fi

# rustfmt and clippy (the test command's first steps; a minimal rustup profile lacks them).
installed=$(rustup component list --installed)
for c in rustfmt clippy; do
  grep -q "^$c" <<<"$installed" || { say "adding the $c component"; rustup component add "$c"; }
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must match Cargo.lock's wasm-bindgen exactly.
[ -f Cargo.lock ] || cargo generate-lockfile
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (have: ${have:-none}); takes a few minutes"
  # --force: over a binary cargo did not install (a release tarball's, a CI action's).
  cargo install wasm-bindgen-cli --version "$want" --locked --force || cargo install wasm-bindgen-cli --version "$want" --force
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    echo "setup: $(command -v wasm-bindgen) is wasm-bindgen ${have:-?}, earlier on PATH than cargo's $want: remove it" >&2
    exit 1
  fi
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (for \`wasm-pack test\`); takes a few minutes"
  cargo install wasm-pack --locked || cargo install wasm-pack
fi

# geckodriver drives Firefox for wasm-bindgen-test-runner (the wasm32 tests in Firefox).
# Pinned; built from crates.io (≈ 8 min on 2 cores, once).
GECKODRIVER_VERSION=0.37.1
if [ "$(geckodriver --version 2>/dev/null | awk 'NR==1 {print $2}')" != "$GECKODRIVER_VERSION" ]; then
  say "installing geckodriver $GECKODRIVER_VERSION; takes several minutes"
  # --force: over a binary cargo did not install.
  cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked --force || cargo install geckodriver --version "$GECKODRIVER_VERSION" --force
  have=$(geckodriver --version 2>/dev/null | awk 'NR==1 {print $2}' || true)
  if [ "$have" != "$GECKODRIVER_VERSION" ]; then
    echo "setup: $(command -v geckodriver) is geckodriver ${have:-?}, earlier on PATH than cargo's $GECKODRIVER_VERSION: remove it" >&2
    exit 1
  fi
fi

# Debian packages: Chromium and its driver for the browser tests; Firefox ESR and WebKitGTK's
# WebDriver (WebKitWebDriver and its MiniBrowser) with Xvfb (WebKitGTK needs a display) for the
# core e2e matrix in the other two engines; redis-server for the distributed token cache tests
# (started by the tests themselves, on a random port).
missing=""
{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || missing=" chromium chromium-driver"
[ -x /usr/bin/firefox-esr ] || missing="$missing firefox-esr"
[ -x /usr/bin/WebKitWebDriver ] || missing="$missing webkit2gtk-driver"
[ -x /usr/bin/Xvfb ] || missing="$missing xvfb"
[ -x /usr/bin/redis-server ] || missing="$missing redis-server"
# A C++ compiler (the fuzz targets build libFuzzer) and openssl (the test provider's TLS
# certificate), which a machine with gcc alone may lack.
command -v c++ >/dev/null || missing="$missing g++"
command -v openssl >/dev/null || missing="$missing openssl"
if [ -n "$missing" ]; then
  say "installing Debian packages:$missing"
  # (Through sudo, the environment goes by `env`: sudo drops it. The lock an unattended upgrade
  # holds at a fresh machine's boot is waited for; an install cut short earlier is finished, and
  # the install tried again, when apt refuses.)
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  apt=($SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
  "${apt[@]}" update -qq
  # shellcheck disable=SC2086
  "${apt[@]}" install -y -qq $missing >/dev/null || {
    $SUDO env DEBIAN_FRONTEND=noninteractive dpkg --configure -a
    "${apt[@]}" install -y -qq $missing >/dev/null
  }
  # The package starts a system-wide server; the tests start their own.
  { $SUDO systemctl disable --now redis-server || $SUDO service redis-server stop; } >/dev/null 2>&1 || true
fi

# npm dev tools (oidc-provider, playwright-core, selenium-webdriver, binaryen): reinstall when the lockfile changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies"
  # npm ci is exact; some npm 11 setups write lockfiles without other platforms' optional
  # packages (rollup's), which npm ci then refuses: fall back to npm install, which honours
  # the locked versions and adds what is missing.
  if ! npm ci --no-audit --no-fund --loglevel=silent; then
    say "npm ci refused the lockfile; installing with npm install (locked versions kept)"
    npm install --no-audit --no-fund --loglevel=error
  fi
fi

# The interop tests' peers: msal-node and MSAL Python (now, not 20 minutes into the tests, where
# a sudo password would be asked for). Only the tests need them: the demo goes on without.
bash tests/interop/install-peers.sh || say "the interop tests' peers are missing (see above): make test will stop there"
