#!/usr/bin/env node
// Runs msal-native's examples against the local provider, as a user would run them twice:
//   daemon: a token with a certificate, then the same token from its cache file;
//   cli:    a device code sign-in (approved here as the user would approve it), then a
//           silent run served from the cache file; and a sign-in in headless Chromium through
//           the provider's own sign-in page, whose form_post comes back to the CLI's loopback
//           page.
// Exits non-zero on any failure.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_SCOPES, CLI_CLIENT_ID, DAEMON_CERT_CLIENT_ID, startIdp } from '../tests/idp/server.mjs';
import { CERT_DIR } from '../tests/idp/cert.mjs';
import { launchBrowser } from '../tests/e2e/helpers.mjs';

const dir = mkdtempSync(join(tmpdir(), 'msal-native-examples-'));
const idp = await startIdp({ port: 0 });
const fail = (what) => { throw new Error(what); };

// Build once; the runs below use the binaries.
execFileSync('cargo', ['build', '--quiet', '-p', 'msal-native', '--examples'], { stdio: 'inherit' });
const bin = (name) => join('target', 'debug', 'examples', name);

function run(name, args, onLine = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin(name), args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      const text = d.toString();
      out += text;
      for (const line of text.split('\n')) if (line) onLine(line);
    });
    const timer = setTimeout(() => { child.kill(); reject(new Error(`${name} did not finish in 60 s`)); }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      code === 0 ? resolve(out) : reject(new Error(`${name} exited with ${code}: ${out}`));
    });
  });
}

try {
  const daemonArgs = [idp.entraAuthority, DAEMON_CERT_CLIENT_ID, join(CERT_DIR, 'localhost.pem'), APP_SCOPES[0], join(dir, 'daemon-cache.json')];
  const first = await run('daemon', daemonArgs);
  const second = await run('daemon', daemonArgs);
  if (!/from cache: false/.test(first) || !/from cache: true/.test(second)) fail(`daemon: ${first} / ${second}`);
  console.log(`daemon: ${first.trim()} | ${second.trim()}`);

  const cliArgs = [idp.entraAuthority, CLI_CLIENT_ID, join(dir, 'cli-cache.json')];
  const signIn = await run('cli', cliArgs, (line) => {
    const m = /^user code: (\S+)/.exec(line);
    if (m) {
      // The user opens the verification page and signs in.
      setTimeout(() => {
        fetch(`${idp.origin}/__test/device`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_code: m[1], login: 'cli-user' }) })
          .catch((e) => console.error('approval failed', e));
      }, 200);
    }
  });
  if (!/signed in as cli-user; token from cache: false/.test(signIn)) fail(`cli sign-in: ${signIn}`);
  const again = await run('cli', cliArgs, (line) => { if (line.startsWith('user code:')) fail('the second run asked the user again'); });
  if (!/signed in as cli-user; token from cache: true/.test(again)) fail(`cli second run: ${again}`);
  console.log(`cli: ${signIn.trim().split('\n').at(-1)} | ${again.trim()}`);

  // The browser sign-in: the CLI prints the authorize URL; the user signs in on the provider's
  // page, which posts the response (form_post) to the CLI's loopback page.
  const browser = await launchBrowser('chromium');
  try {
    const page = await browser.newPage();
    let shown = null;
    const browserArgs = [idp.entraAuthority, CLI_CLIENT_ID, join(dir, 'cli-browser-cache.json'), '--browser'];
    const signedIn = await run('cli', browserArgs, (line) => {
      const m = /^open: (\S+)/.exec(line);
      if (!m) return;
      if (new URL(m[1]).searchParams.get('response_mode') !== 'form_post') fail(`not a form_post request: ${m[1]}`);
      shown = (async () => {
        await page.goto(m[1]);
        await page.waitForSelector('#login');
        await page.fill('#login', 'loopback-user');
        await page.click('#submit');
        await page.waitForURL(/^http:\/\/localhost:\d+\/$/);
        return page.textContent('body');
      })();
    });
    if (!/signed in as loopback-user; token from cache: false/.test(signedIn)) fail(`cli browser sign-in: ${signedIn}`);
    const text = await shown;
    if (!/Auth code was successfully acquired/.test(text || '')) fail(`the loopback page showed: ${text}`);
    console.log(`cli --browser: ${signedIn.trim().split('\n').at(-1)}; the loopback page said: ${text.trim()}`);
  } finally {
    await browser.close();
  }
} finally {
  await idp.close();
  rmSync(dir, { recursive: true, force: true });
}
