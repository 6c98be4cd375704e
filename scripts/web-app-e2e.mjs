#!/usr/bin/env node
// msal-native's web app example end to end, as a user meets it: two instances of the Axum web
// app (A and B, one Redis for their sessions and token caches) and the To-Do API, against the
// local provider in Entra mode, driven by headless Chromium.
//   - sign in on A (form_post, PKCE); /users/id shows the ID token's claims;
//   - /todolist on A: a silent token for the API (refresh token), the API validates it (JWT);
//   - /todolist on B: the token from the shared Redis cache, 0 requests to the provider;
//   - the user's cache lost: /todolist signs in again for the API's scope and comes back;
//   - a tampered state and a replayed code are refused, with nothing stored;
//   - the To-Do API: on-behalf-of to the downstream API (then from its cache); tokens without
//     the scope, for another audience, with a forged signature or absent are refused;
//   - sign out on B: session and tokens gone on both instances, end-session at the provider.
// Exits non-zero on any failure.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import * as crypto from 'node:crypto';
import { launchBrowser } from '../tests/e2e/helpers.mjs';
import {
  startIdp, WEB_CLIENT_ID, WEB_SECRET, TODO_API_CLIENT_ID, TODO_API_SECRET, TODO_SCOPES,
  DOWNSTREAM_API_CLIENT_ID, DOWNSTREAM_SCOPES, TENANT_ID, accountIdForLogin,
} from '../tests/idp/server.mjs';

const children = [];
const check = (ok, what) => { if (!ok) throw new Error(`FAILED: ${what}`); console.log(`ok - ${what}`); };

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

// Starts a program and resolves with the URL it prints (`listening on <url>`).
function serve(cmd, args, name) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s: ${out}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${out}`)));
  });
}

function redisCli(port, ...args) {
  return execFileSync('redis-cli', ['-p', String(port), '--raw', ...args]).toString().trim();
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  children.push(child);
  for (let i = 0; i < 100; i += 1) {
    try { if (redisCli(port, 'PING') === 'PONG') return port; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

execFileSync('cargo', ['build', '--quiet', '-p', 'msal-native', '--example', 'web_app', '--example', 'todo_api'], { stdio: 'inherit' });
const bin = (name) => `target/debug/examples/${name}`;

const redisPort = await startRedis();
const [portA, portB] = [await freePort(), await freePort()];
const appOrigins = [portA, portB].map((p) => `http://127.0.0.1:${p}`);
// Each instance's redirect URI and post-logout page, registered exactly (as in Entra).
const idp = await startIdp({ port: 0, redirectUris: appOrigins.flatMap((o) => [`${o}/auth/redirect`, `${o}/`]) });
const browser = await launchBrowser();
try {
  const authority = idp.entraAuthority;
  const api = await serve(bin('todo_api'), [authority, TODO_API_CLIENT_ID, TODO_API_SECRET, DOWNSTREAM_API_CLIENT_ID, DOWNSTREAM_SCOPES[0]], 'todo_api');
  const webArgs = (port) => [authority, WEB_CLIENT_ID, WEB_SECRET, `redis://127.0.0.1:${redisPort}/`, api, TODO_SCOPES[0], String(port)];
  const [A, B] = [await serve(bin('web_app'), webArgs(portA), 'web_app A'), await serve(bin('web_app'), webArgs(portB), 'web_app B')];

  const counters = () => fetch(`${idp.origin}/__test/counters`).then((r) => r.json());
  const reset = () => fetch(`${idp.origin}/__test/reset`, { method: 'POST' });
  const login = 'web-user';
  // The user's homeAccountId (client_info's uid.utid): their partition's key in Redis.
  const homeOf = (who) => `${accountIdForLogin(who)}.${TENANT_ID}`;
  const home = homeOf(login);

  // --- Hostile first, in a context of its own: a tampered state, then a replayed code.
  {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    let original;
    await page.route(`${A}/auth/redirect`, (route) => {
      original = route.request().postData();
      const form = new URLSearchParams(original);
      form.set('state', `${form.get('state')}x`);
      route.continue({ postData: form.toString() });
    });
    await page.goto(`${A}/auth/signin`);
    await page.fill('#login', 'tamper-user');
    await Promise.all([page.waitForURL(`${A}/auth/redirect`), page.click('#submit')]);
    check(await page.textContent('#error') === 'state_mismatch', 'a tampered state is refused (state_mismatch)');
    check(redisCli(redisPort, 'EXISTS', homeOf('tamper-user')) === '0', 'nothing is stored for a tampered state');
    // The genuine response, replayed: its pending request was taken out of the session by the
    // first attempt, so the code is never redeemed.
    await reset();
    const replay = await ctx.request.post(`${A}/auth/redirect`, { data: original, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    check(replay.status() === 400 && (await replay.text()).includes('no_token_request_cache_error'), 'a replayed code is refused (no pending request)');
    check((await counters()).token === 0, 'the replayed code never reaches the token endpoint');
    await page.goto(`${A}/`);
    check(await page.textContent('#user') === '', 'the session holds no user after the refused responses');
    await ctx.close();
  }

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  // --- Sign in on A.
  await reset();
  await page.goto(`${A}/`);
  await page.click('#signin');
  await page.fill('#login', login);
  await Promise.all([page.waitForURL(`${A}/`), page.click('#submit')]);
  check(await page.textContent('#user') === `Signed in as ${login}`, 'signed in on A');
  const cookie = (await ctx.cookies(A)).find((c) => c.name === 'webapp.sid');
  check(cookie && cookie.httpOnly && cookie.secure && cookie.sameSite === 'None', 'the session cookie is HttpOnly, Secure, SameSite=None');
  check(redisCli(redisPort, 'EXISTS', `session:${cookie.value}`) === '1', 'the session is in Redis');
  check(redisCli(redisPort, 'EXISTS', home) === '1', "the user's tokens are in their Redis partition");
  await page.goto(`${A}/users/id`);
  check(await page.textContent('[data-claim="preferred_username"]') === login, '/users/id shows the ID token claims');

  // --- The To-Do list on A: a token for the API by the refresh token, validated by the API.
  await reset();
  await page.goto(`${A}/todolist`);
  check((await page.textContent('#items')).includes('Sign in with msal-native'), '/todolist on A shows the API\'s list');
  check(await page.textContent('#token-source') === 'token from cache: false', 'A got the API token from the provider');
  let c = await counters();
  check(c.authorize === 0 && c.byGrant.refresh_token === 1, 'A: one refresh request, no sign-in');

  // --- Instance B, same Redis: the session and the token from the shared cache.
  await reset();
  await page.goto(`${B}/todolist`);
  check(await page.textContent('#token-source') === 'token from cache: true', 'B serves the token from the shared Redis cache');
  c = await counters();
  check(c.authorize === 0 && c.token === 0, 'B: 0 authorize and 0 token requests');

  // --- The user's cache lost: interaction required, a sign-in for the API scope, then back.
  redisCli(redisPort, 'DEL', home);
  await reset();
  await page.goto(`${B}/todolist`);
  await page.waitForURL(`${B}/todolist`);
  check((await page.textContent('#items')).includes('Call the To-Do API'), 'after the cache loss, /todolist signs in again and comes back');
  c = await counters();
  check(c.authorize === 1, 'one authorize request (the provider session signs in without the form)');

  // --- The To-Do API itself: on-behalf-of, and the tokens it refuses.
  {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const redirect = `${A}/auth/redirect`;
    const post = (p, b) => fetch(idp.origin + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) }).then((r) => r.json());
    const tokenFor = async (scope) => {
      const { code } = await post('/__test/code', {
        mode: 'entra', client_id: WEB_CLIENT_ID, login, redirect_uri: redirect, nonce: 'n', scope: `openid ${scope}`,
        code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
      });
      const form = new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirect, client_id: WEB_CLIENT_ID, client_secret: WEB_SECRET });
      const r = await fetch(`${authority}/oauth2/v2.0/token`, { method: 'POST', body: form }).then((x) => x.json());
      if (!r.access_token) throw new Error(`no token for ${scope}: ${JSON.stringify(r)}`);
      return r.access_token;
    };
    const call = (path, token) => fetch(`${api}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const read = await tokenFor(TODO_SCOPES[0]);
    const owner = await call('/api/todolist/owner', read).then((r) => r.json());
    check(owner.downstream_status === 200 && owner.downstream.oid === owner.owner && owner.downstream.azp === TODO_API_CLIENT_ID,
      'on-behalf-of: the downstream API sees the same user, called by the To-Do API');
    check(owner.obo_from_cache === false, 'the first on-behalf-of token comes from the provider');
    const again = await call('/api/todolist/owner', read).then((r) => r.json());
    check(again.obo_from_cache === true, 'the second comes from the API\'s cache (same caller token)');

    const none = await call('/api/todolist');
    check(none.status === 401 && /invalid_token/.test(none.headers.get('www-authenticate')), 'no token: 401 invalid_token');
    // (A token for ToDoList.ReadWrite alone: the user has not consented to ToDoList.Read, as
    // the provider lists every consented scope of the API in a token, as Entra.)
    await idp.setConfig({ consentRequired: [TODO_SCOPES[0]] });
    const write = await tokenFor(TODO_SCOPES[1]).finally(() => idp.setConfig({ consentRequired: [] }));
    const scopeless = await call('/api/todolist', write);
    check(scopeless.status === 403 && /insufficient_scope/.test(scopeless.headers.get('www-authenticate')), 'a token without ToDoList.Read: 403 insufficient_scope');
    const [h, p] = read.split('.');
    const forged = `${h}.${p}.${crypto.randomBytes(256).toString('base64url')}`;
    check((await call('/api/todolist', forged)).status === 401, 'a forged signature: 401');
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    const swapped = `${h}.${Buffer.from(JSON.stringify({ ...claims, oid: crypto.randomUUID() })).toString('base64url')}.${read.split('.')[2]}`;
    check((await call('/api/todolist', swapped)).status === 401, 'claims changed after signing: 401');
    const downstream = await call('/downstream/me', read);
    check(downstream.status === 401 && /another audience/.test(downstream.headers.get('www-authenticate')), "the To-Do API's token at the downstream API: 401 (audience)");
  }

  // --- Sign out on B: the session and the user's tokens are gone for A too.
  await page.goto(`${B}/auth/signout`);
  await page.waitForURL((u) => u.href.startsWith(`${B}/`), { timeout: 10000 });
  check(await page.textContent('#user') === '', 'signed out on B, back on B\'s home page');
  c = await counters();
  check(c.endSession >= 1, 'the provider\'s end-session endpoint was visited');
  check(redisCli(redisPort, 'EXISTS', `session:${cookie.value}`) === '0', 'the session is gone from Redis');
  const left = JSON.parse(redisCli(redisPort, 'GET', home) || '{}');
  const count = (section) => Object.keys(left[section] ?? {}).length;
  check(count('AccessToken') + count('RefreshToken') + count('IdToken') + count('Account') === 0, "no tokens left in the user's partition");
  await page.goto(`${A}/todolist`);
  await page.waitForSelector('#login');
  check(page.url().startsWith(idp.origin), "A no longer knows the user, nor does the provider: /todolist shows the provider's sign-in form");
  console.log('web app example: all checks passed');
} finally {
  await browser.close();
  await idp.close();
  for (const child of children) child.kill();
}
