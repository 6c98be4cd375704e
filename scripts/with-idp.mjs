#!/usr/bin/env node
// Runs a command with the local test IdP (tests/idp/server.mjs) up:
//   node scripts/with-idp.mjs [--spa-origin ORIGIN]... [--redirect-uri URI]... [--port N] -- <command> [args...]
// The command gets MSAL_TEST_ENTRA_AUTHORITY, MSAL_TEST_OIDC_AUTHORITY and MSAL_TEST_IDP_ORIGIN
// in its environment and inherits stdio. When it ends, the IdP is closed and this script exits
// with its exit code (128 + signal number if it was killed by a signal). SIGINT/SIGTERM are
// passed on to the command's whole process group; the IdP is closed once the command is gone.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { parseArgs } from 'node:util';

import { startIdp } from '../tests/idp/server.mjs';

const USAGE = 'usage: node scripts/with-idp.mjs [--spa-origin ORIGIN]... [--redirect-uri URI]... [--port N] -- <command> [args...]';
const KILL_AFTER_MS = 10_000;

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const [command, ...commandArgs] = sep === -1 ? [] : argv.slice(sep + 1);
let values;
try {
  ({ values } = parseArgs({
    args: sep === -1 ? argv : argv.slice(0, sep),
    options: {
      'spa-origin': { type: 'string', multiple: true, default: [] },
      'redirect-uri': { type: 'string', multiple: true },
      port: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }));
} catch (err) {
  console.error(`with-idp: ${err.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.error(USAGE);
  process.exit(0);
}
if (!command) {
  console.error(`with-idp: no command given\n${USAGE}`);
  process.exit(2);
}

let idp;
try {
  idp = await startIdp({ port: Number(values.port), spaOrigins: values['spa-origin'], redirectUris: values['redirect-uri'] });
} catch (err) {
  console.error('with-idp: could not start the IdP:', err);
  process.exit(1);
}
console.error(`with-idp: IdP ${idp.origin} (entra ${idp.entraAuthority}, oidc ${idp.oidcAuthority}); `
  + `SPA origins: ${(values['spa-origin'].length ? values['spa-origin'] : [idp.origin]).join(', ')}`);

let finished = false;
async function finish(code) {
  if (finished) return;
  finished = true;
  try {
    await idp.close();
  } catch (err) {
    console.error('with-idp: closing the IdP failed:', err);
  }
  process.exit(code);
}

// Own process group (POSIX), so that a signal reaches everything the command started
// (cargo → wasm-bindgen-test-runner → chromedriver/browser).
const group = process.platform !== 'win32';
const child = spawn(command, commandArgs, {
  stdio: 'inherit',
  detached: group,
  env: {
    ...process.env,
    MSAL_TEST_ENTRA_AUTHORITY: idp.entraAuthority,
    MSAL_TEST_OIDC_AUTHORITY: idp.oidcAuthority,
    MSAL_TEST_IDP_ORIGIN: idp.origin,
  },
});

function signalChild(signal, { evenIfExited = false } = {}) {
  if (!child.pid) return;
  if (!evenIfExited && (child.exitCode !== null || child.signalCode !== null)) return;
  try {
    if (group) process.kill(-child.pid, signal);
    else if (!evenIfExited) child.kill(signal);
  } catch {
    /* already gone */
  }
}

child.on('error', (err) => {
  console.error(`with-idp: cannot run ${command}: ${err.message}`);
  finish(err.code === 'ENOENT' ? 127 : 126);
});
let signalled = 0;
child.on('exit', (code, signal) => {
  // After SIGINT/SIGTERM, also stop what the command left behind in its process group.
  if (signalled) signalChild('SIGTERM', { evenIfExited: true });
  finish(code ?? 128 + (constants.signals[signal] ?? 0));
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    signalled += 1;
    if (signalled > 1) {
      signalChild('SIGKILL');
      return;
    }
    signalChild(sig);
    setTimeout(() => signalChild('SIGKILL'), KILL_AFTER_MS).unref();
  });
}
