// Smoke test of the local IdP, driven with plain fetch (no browser).
//   node --test tests/idp/            (runs smoke.test.mjs, which imports this file)
//   node --test tests/idp/smoke.mjs
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as https from 'node:https';
import { after, before, describe, it } from 'node:test';

import {
  B2C_DOMAIN, CLI_CLIENT_ID, CLIENT_ID, DAEMON_CLIENT_ID, DAEMON_SECRET, GUEST_TENANT_ID, TENANT_ID, accountIdForLogin, startIdp,
} from './server.mjs';

const SPA = 'http://127.0.0.1:8123';
const REDIRECT_URI = `${SPA}/`;
const EVIL = 'http://evil.example';
// The counters without the request log.
const counted = ({ token, byGrant, authorize, endSession }) => ({ token, byGrant, authorize, endSession });

class CookieJar {
  cookies = new Map();

  store(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expires = attrs.map((a) => a.trim()).find((a) => /^expires=/i.test(a));
      const expired = expires && new Date(expires.slice(8)).getTime() <= Date.now();
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function pkce() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function decodeJwt(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

async function get(url, jar, headers = {}) {
  const res = await fetch(url, { redirect: 'manual', headers: { ...headers, ...(jar ? { cookie: jar.header() } : {}) } });
  jar?.store(res);
  return res;
}

/**
 * Drives an authorization request to the redirect_uri: follows redirects and submits the
 * login form (as a browser + user would). Returns { url: URL of the final redirect, loginPages }.
 */
async function authorize(jar, authorizeUrl, { login = 'alice', redirectUri = REDIRECT_URI } = {}) {
  let url = authorizeUrl;
  let loginPages = 0;
  for (let hop = 0; hop < 15; hop += 1) {
    const res = await get(url, jar);
    if (res.status === 200) {
      const html = await res.text();
      assert.match(html, /<form method=post><input name=login id=login/);
      assert.match(html, /<button id=submit type=submit>Sign in<\/button>/);
      loginPages += 1;
      const post = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login }),
      });
      jar.store(post);
      assert.equal(post.status, 303, 'login form submit redirects');
      url = new URL(post.headers.get('location'), url).href;
      continue;
    }
    const text = await res.text();
    assert.ok([302, 303].includes(res.status), `unexpected ${res.status} at ${url}: ${text}`);
    const next = new URL(res.headers.get('location'), url);
    if (next.href.startsWith(redirectUri)) return { url: next, loginPages };
    url = next.href;
  }
  throw new Error('too many redirects');
}

function authorizeUrl(endpoint, params) {
  const u = new URL(endpoint);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.href;
}

async function tokenRequest(endpoint, params, origin = SPA) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
    body: new URLSearchParams(params),
  });
  return { res, json: await res.json() };
}

async function codeFlow(idp, mode, {
  jar = new CookieJar(), login = 'alice', scope = 'openid profile offline_access api.read', prompt,
} = {}) {
  const ep = idp.endpoints[mode];
  const { verifier, challenge } = pkce();
  const state = crypto.randomUUID();
  const nonce = crypto.randomUUID();
  const { url, loginPages } = await authorize(jar, authorizeUrl(ep.authorization, {
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope,
    state,
    nonce,
    prompt,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    client_info: mode === 'entra' ? '1' : undefined,
  }), { login });
  assert.equal(url.searchParams.get('state'), state);
  const code = url.searchParams.get('code');
  assert.ok(code, `code in ${url.href}`);
  const { res, json } = await tokenRequest(ep.token, {
    client_id: CLIENT_ID,
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    scope,
    ...(mode === 'entra' ? { client_info: '1' } : {}),
  });
  assert.equal(res.status, 200, JSON.stringify(json));
  assert.equal(res.headers.get('access-control-allow-origin'), SPA);
  return { jar, json, nonce, redirect: url, loginPages };
}

describe('msal-wasm test IdP', () => {
  let idp;
  before(async () => {
    idp = await startIdp({ port: 0, spaOrigins: [SPA] });
  });
  after(async () => {
    await idp?.close();
  });

  it('serves discovery for both modes', async () => {
    const counted = idp.counters().discovery;
    const entra = await (await fetch(`${idp.entraAuthority}/v2.0/.well-known/openid-configuration`)).json();
    const base = `${idp.origin}/${TENANT_ID}`;
    assert.equal(idp.entraAuthority, base);
    assert.equal(entra.issuer, `${base}/v2.0`);
    assert.equal(entra.authorization_endpoint, `${base}/oauth2/v2.0/authorize`);
    assert.equal(entra.token_endpoint, `${base}/oauth2/v2.0/token`);
    assert.equal(entra.end_session_endpoint, `${base}/oauth2/v2.0/logout`);
    assert.ok(entra.jwks_uri.startsWith(`${base}/`));
    assert.ok(entra.userinfo_endpoint.startsWith(`${base}/`));
    assert.deepEqual(entra.code_challenge_methods_supported, ['S256']);
    for (const s of ['api.read', 'api.write', 'User.Read', 'offline_access']) assert.ok(entra.scopes_supported.includes(s));

    const common = await (await fetch(`${idp.origin}/common/v2.0/.well-known/openid-configuration`)).json();
    assert.equal(common.authorization_endpoint, `${idp.origin}/common/oauth2/v2.0/authorize`);
    // As Entra's: a multi-tenant alias's issuer is a template the ID token's tid fills in.
    assert.equal(common.issuer, `${idp.origin}/{tenantid}/v2.0`);
    assert.equal(entra.issuer, `${idp.origin}/${TENANT_ID}/v2.0`);

    const oidc = await (await fetch(`${idp.oidcAuthority}/.well-known/openid-configuration`)).json();
    assert.equal(oidc.issuer, `${idp.origin}/oidc`);
    assert.equal(oidc.authorization_endpoint, `${idp.origin}/oidc/auth`);
    assert.equal(oidc.token_endpoint, `${idp.origin}/oidc/token`);
    assert.equal(oidc.end_session_endpoint, `${idp.origin}/oidc/session/end`);
    // Each discovery document served is counted (msal-native's tests count refetches).
    assert.equal(idp.counters().discovery - counted, 3);

    const jwks = await (await fetch(entra.jwks_uri)).json();
    assert.equal(jwks.keys[0].kty, 'RSA');
    assert.equal(jwks.keys[0].d, undefined);
  });

  it('requires PKCE (S256)', async () => {
    const res = await get(authorizeUrl(idp.endpoints.entra.authorization, {
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', state: 's',
    }));
    const loc = new URL(res.headers.get('location'));
    assert.equal(loc.searchParams.get('error'), 'invalid_request');
    const plain = await get(authorizeUrl(idp.endpoints.entra.authorization, {
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain',
    }));
    assert.equal(new URL(plain.headers.get('location')).searchParams.get('error'), 'invalid_request');
    const badRedirect = await get(authorizeUrl(idp.endpoints.entra.authorization, {
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: `${EVIL}/`, scope: 'openid', code_challenge: pkce().challenge, code_challenge_method: 'S256',
    }));
    assert.equal(badRedirect.status, 400);
  });

  it('Entra mode: code + PKCE, client_info, refresh rotation, replay, userinfo, counters, fail-next, logout', async () => {
    await fetch(`${idp.origin}/__test/reset`, { method: 'POST' });
    const ep = idp.endpoints.entra;
    const { jar, json, nonce, redirect, loginPages } = await codeFlow(idp, 'entra', { login: 'alice' });
    assert.equal(loginPages, 1);
    const oid = accountIdForLogin('alice');

    // authorization response carries client_info too
    assert.deepEqual(JSON.parse(Buffer.from(redirect.searchParams.get('client_info'), 'base64url')), { uid: oid, utid: TENANT_ID });

    assert.ok(json.access_token);
    assert.ok(json.refresh_token);
    assert.equal(json.token_type, 'Bearer');
    assert.equal(json.expires_in, 3600);
    assert.ok(json.scope.split(' ').includes('api.read'), json.scope);
    assert.deepEqual(JSON.parse(Buffer.from(json.client_info, 'base64url')), { uid: oid, utid: TENANT_ID });
    const claims = decodeJwt(json.id_token);
    assert.equal(claims.iss, `${idp.origin}/${TENANT_ID}/v2.0`);
    assert.equal(claims.aud, CLIENT_ID);
    assert.equal(claims.tid, TENANT_ID);
    assert.equal(claims.oid, oid);
    assert.equal(claims.sub, oid);
    assert.equal(claims.preferred_username, 'alice');
    assert.equal(claims.name, 'Test User alice');
    assert.equal(claims.nonce, nonce);
    assert.ok(claims.sid);

    // userinfo with the access token as Bearer
    const ui = await fetch(ep.userinfo, { headers: { authorization: `Bearer ${json.access_token}`, origin: SPA } });
    assert.equal(ui.status, 200);
    assert.equal(ui.headers.get('access-control-allow-origin'), SPA);
    const uiJson = await ui.json();
    assert.equal(uiJson.sub, oid);
    assert.equal(uiJson.preferred_username, 'alice');

    // refresh (MSAL-style scope incl. offline_access and a scope not in the original request)
    const r1 = await tokenRequest(ep.token, {
      client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: json.refresh_token,
      scope: 'api.write openid profile offline_access', client_info: '1',
    });
    assert.equal(r1.res.status, 200, JSON.stringify(r1.json));
    assert.ok(r1.json.refresh_token && r1.json.refresh_token !== json.refresh_token, 'rotated');
    assert.ok(r1.json.scope.split(' ').includes('api.write'), r1.json.scope);
    assert.ok(r1.json.client_info);
    assert.equal(decodeJwt(r1.json.id_token).oid, oid);

    // silent SSO: prompt=none with the session cookie → code without login page
    const silent = await authorize(jar, authorizeUrl(ep.authorization, {
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid profile', prompt: 'none', state: 'st', code_challenge: pkce().challenge, code_challenge_method: 'S256',
    }));
    assert.equal(silent.loginPages, 0);
    assert.ok(silent.url.searchParams.get('code'));

    // prompt=login shows the form again
    const relogin = await authorize(jar, authorizeUrl(ep.authorization, {
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', prompt: 'login', code_challenge: pkce().challenge, code_challenge_method: 'S256',
    }));
    assert.equal(relogin.loginPages, 1);
    assert.ok(relogin.url.searchParams.get('code'));

    // replaying the already-used refresh token fails
    const replay = await tokenRequest(ep.token, {
      client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: json.refresh_token,
    });
    assert.equal(replay.res.status, 400);
    assert.equal(replay.json.error, 'invalid_grant');
    assert.equal(replay.res.headers.get('access-control-allow-origin'), SPA);
    // (Counted: the e2e tests assert that no renewal presented a spent one.)
    assert.equal(idp.counters().revoked, 1);

    let counters = await (await fetch(`${idp.origin}/__test/counters`)).json();
    assert.deepEqual(counted(counters), { token: 3, byGrant: { authorization_code: 1, refresh_token: 2 }, authorize: 3, endSession: 0 });

    // fail-next
    const fn = await fetch(`${idp.origin}/__test/fail-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        status: 400,
        body: { error: 'invalid_grant', error_description: 'AADSTS50173: injected', suberror: 'bad_token' },
        headers: { 'Retry-After': '30' },
        count: 1,
      }),
    });
    assert.equal(fn.status, 200);
    const failed = await tokenRequest(ep.token, { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: r1.json.refresh_token });
    assert.equal(failed.res.status, 400);
    assert.deepEqual(failed.json, { error: 'invalid_grant', error_description: 'AADSTS50173: injected', suberror: 'bad_token' });
    assert.equal(failed.res.headers.get('retry-after'), '30');
    assert.equal(failed.res.headers.get('access-control-allow-origin'), SPA);
    assert.match(failed.res.headers.get('access-control-expose-headers'), /Retry-After/i);
    const notInjected = await tokenRequest(ep.token, { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: 'garbage' });
    assert.equal(notInjected.json.error, 'invalid_grant');
    assert.notEqual(notInjected.json.suberror, 'bad_token');
    counters = await (await fetch(`${idp.origin}/__test/counters`)).json();
    assert.deepEqual(counted(counters), { token: 5, byGrant: { authorization_code: 1, refresh_token: 4 }, authorize: 3, endSession: 0 });
    // As Entra: without an Origin (not a browser's cross-origin request), a SPA's refresh
    // token is refused.
    const noOrigin = await tokenRequest(ep.token, { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: r1.json.refresh_token }, null);
    assert.deepEqual([noOrigin.res.status, noOrigin.json.error_codes], [400, [9002327]]);

    // RP-initiated logout (no client_id / id_token_hint, like MSAL) → immediate redirect with state
    const logout = await get(authorizeUrl(ep.end_session, { post_logout_redirect_uri: REDIRECT_URI, state: 'bye' }), jar);
    assert.equal(logout.status, 303);
    const loc = new URL(logout.headers.get('location'));
    assert.equal(`${loc.origin}${loc.pathname}`, REDIRECT_URI);
    assert.equal(loc.searchParams.get('state'), 'bye');
    const logged = (await (await fetch(`${idp.origin}/__test/counters`)).json());
    assert.equal(logged.endSession, 1);
    // (A state without the library's `|` part has no app part; every parameter is logged, the
    // state's value as "<set>".)
    assert.deepEqual(logged.log.at(-1), { route: 'end_session', prefix: `/${TENANT_ID}`, post_logout_redirect_uri: REDIRECT_URI, state: true, logout_hint: false, pocd: null, app_state: null, params: { post_logout_redirect_uri: REDIRECT_URI, state: '<set>' } });

    // …after which silent SSO reports login_required
    const after = await authorize(jar, authorizeUrl(ep.authorization, {
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', prompt: 'none', state: 'x', code_challenge: pkce().challenge, code_challenge_method: 'S256',
    }));
    assert.equal(after.url.searchParams.get('error'), 'login_required');

    await fetch(`${idp.origin}/__test/reset`, { method: 'POST' });
    counters = await (await fetch(`${idp.origin}/__test/counters`)).json();
    assert.deepEqual(counters, { token: 0, byGrant: { authorization_code: 0, refresh_token: 0 }, authorize: 0, endSession: 0, discovery: 0, revoked: 0, log: [] });
  });

  it('generic OIDC mode: same claims, no client_info, runtime TTL config, id_token_hint logout', async () => {
    const cfg = await fetch(`${idp.origin}/__test/config`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessTokenTtl: 2, idTokenTtl: 2 }),
    });
    assert.equal((await cfg.json()).accessTokenTtl, 2);
    try {
      const { jar, json, nonce } = await codeFlow(idp, 'oidc', { login: 'bob@contoso.test' });
      assert.equal(json.client_info, undefined);
      assert.equal(json.expires_in, 2);
      const claims = decodeJwt(json.id_token);
      assert.equal(claims.iss, `${idp.origin}/oidc`);
      assert.equal(claims.preferred_username, 'bob@contoso.test');
      assert.equal(claims.name, 'Test User bob@contoso.test');
      assert.equal(claims.nonce, nonce);
      assert.equal(claims.tid, undefined);
      assert.equal(claims.exp - claims.iat, 2);

      const logout = await get(authorizeUrl(idp.endpoints.oidc.end_session, {
        id_token_hint: json.id_token, post_logout_redirect_uri: `${SPA}/redirect.html`, state: 's2',
      }), jar);
      assert.equal(logout.status, 303);
      assert.equal(logout.headers.get('location'), `${SPA}/redirect.html?state=s2`);
    } finally {
      await fetch(`${idp.origin}/__test/config`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessTokenTtl: 3600, idTokenTtl: 3600 }),
      });
    }
  });

  it('is as strict as Entra: exact redirect URIs, unknown refresh scopes, unregistered post-logout URIs', async () => {
    const ep = idp.endpoints.entra;
    const config = await (await fetch(`${idp.origin}/__test/config`)).json();
    assert.deepEqual(config.redirectUris, [`${SPA}/`, `${SPA}/redirect.html`]);
    // Another path, a query, a fragment or a missing slash on a registered origin: refused at
    // the authorize endpoint (an error page, never a redirect) and when minting a code.
    for (const uri of [`${SPA}/other`, `${SPA}/?x=1`, `${SPA}/redirect.html?x=1`, SPA, `${SPA}/#f`, 'http://localhost:8123/']) {
      const res = await get(authorizeUrl(ep.authorization, {
        client_id: CLIENT_ID, response_type: 'code', redirect_uri: uri, scope: 'openid', code_challenge: pkce().challenge, code_challenge_method: 'S256',
      }));
      assert.equal(res.status, 400, `${uri} must be refused`);
      assert.equal(res.headers.get('location'), null);
      await assert.rejects(idp.mintCode({ login: 'x', redirect_uri: uri, code_challenge: pkce().challenge }), (e) => e.error === 'invalid_redirect_uri', uri);
    }
    // Both registered URIs work, and the code is bound to the one it was issued for.
    const { verifier, challenge } = pkce();
    const { code } = await idp.mintCode({ login: 'rhea', redirect_uri: `${SPA}/redirect.html`, code_challenge: challenge, scope: 'openid profile offline_access User.Read' });
    const other = await tokenRequest(ep.token, { client_id: CLIENT_ID, grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    assert.equal(other.json.error, 'invalid_grant');
    const { code: code2 } = await idp.mintCode({ login: 'rhea', redirect_uri: `${SPA}/redirect.html`, code_challenge: challenge, scope: 'openid profile offline_access User.Read' });
    const ok = await tokenRequest(ep.token, { client_id: CLIENT_ID, grant_type: 'authorization_code', code: code2, redirect_uri: `${SPA}/redirect.html`, code_verifier: verifier });
    assert.equal(ok.res.status, 200, JSON.stringify(ok.json));

    // A refresh for a scope the provider does not know fails as a whole, and uses nothing up.
    const unknown = await tokenRequest(ep.token, { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: ok.json.refresh_token, scope: 'openid User.Read Files.Read' });
    assert.equal(unknown.res.status, 400);
    assert.equal(unknown.json.error, 'invalid_scope');
    assert.equal(unknown.res.headers.get('access-control-allow-origin'), SPA);
    const known = await tokenRequest(ep.token, { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: ok.json.refresh_token, scope: 'openid offline_access api.write' });
    assert.equal(known.res.status, 200, JSON.stringify(known.json));

    // The same at the authorize endpoint: an unknown scope is an error at the redirect URI
    // (in the request's response mode), not a sign-in without it.
    const unknownAsked = await get(authorizeUrl(ep.authorization, {
      client_id: CLIENT_ID, response_type: 'code', response_mode: 'fragment', redirect_uri: REDIRECT_URI, scope: 'openid User.Read No.Such', state: 'st', code_challenge: pkce().challenge, code_challenge_method: 'S256',
    }));
    const refusal = new URLSearchParams(new URL(unknownAsked.headers.get('location')).hash.slice(1));
    assert.deepEqual([refusal.get('error'), refusal.get('state')], ['invalid_scope', 'st']);
    assert.match(refusal.get('error_description'), /AADSTS70011: .*'No\.Such'/);

    // A code is redeemed for the scopes the token request names: an unknown one fails it (the
    // code stays usable), another resource's fails it (AADSTS28000), and the token is for the
    // named ones only, not for every scope consented at the authorize request (msal's
    // extraScopesToConsent).
    const both = pkce();
    const consented = 'openid profile offline_access User.Read api://msal-wasm-test-todo-api/ToDoList.Read';
    const { code: wide } = await idp.mintCode({ login: 'rhea', redirect_uri: REDIRECT_URI, code_challenge: both.challenge, scope: consented });
    const redeem = (scope) => tokenRequest(ep.token, { client_id: CLIENT_ID, grant_type: 'authorization_code', code: wide, redirect_uri: REDIRECT_URI, code_verifier: both.verifier, scope });
    const nonsense = await redeem('openid profile offline_access User.Read No.Such');
    assert.deepEqual([nonsense.res.status, nonsense.json.error], [400, 'invalid_scope']);
    const mixed = await redeem(consented);
    assert.deepEqual([mixed.res.status, mixed.json.error_codes], [400, [28000]]);
    const narrowed = await redeem('openid profile offline_access User.Read');
    assert.equal(narrowed.res.status, 200, JSON.stringify(narrowed.json));
    // (The default resource's token: its scope lists every consented scope of it, as Entra's.)
    assert.deepEqual(narrowed.json.scope.split(' ').sort(), ['User.Read', 'api.read', 'api.write', 'openid', 'profile']);
    assert.ok(narrowed.json.refresh_token);

    // Logout to a URI that is not registered: no redirect anywhere, and the request is counted.
    const before = (await (await fetch(`${idp.origin}/__test/counters`)).json()).endSession;
    for (const uri of [`${SPA}/signed-out`, EVIL + '/', `${SPA}/?x=1`]) {
      const res = await get(authorizeUrl(ep.end_session, { post_logout_redirect_uri: uri, state: 's' }));
      assert.equal(res.status, 400, uri);
      assert.equal(res.headers.get('location'), null, uri);
    }
    assert.equal((await (await fetch(`${idp.origin}/__test/counters`)).json()).endSession, before + 3);

    // The registration can be changed at run time (tests that need another redirect page).
    await idp.setConfig({ redirectUris: [`${SPA}/landing`] });
    try {
      const one = pkce();
      const { code: landing } = await idp.mintCode({ login: 'x', redirect_uri: `${SPA}/landing`, code_challenge: one.challenge });
      await assert.rejects(idp.mintCode({ login: 'x', redirect_uri: REDIRECT_URI, code_challenge: pkce().challenge }));
      // As Entra, the one registered URI is named all the same: at /authorize (an error page)
      // and at /token.
      const unnamed = await get(authorizeUrl(ep.authorization, {
        client_id: CLIENT_ID, response_type: 'code', scope: 'openid', code_challenge: pkce().challenge, code_challenge_method: 'S256',
      }));
      assert.deepEqual([unnamed.status, unnamed.headers.get('location')], [400, null]);
      const noUri = await tokenRequest(ep.token, { client_id: CLIENT_ID, grant_type: 'authorization_code', code: landing, code_verifier: one.verifier });
      assert.equal(noUri.res.status, 400, JSON.stringify(noUri.json));
    } finally {
      await idp.setConfig({ redirectUris: [`${SPA}/`, `${SPA}/redirect.html`] });
    }
  });

  it("is as strict as Entra: a session id not the session's, a user flow's grant at another flow, unconsented scopes at code redemption, app-token scopes, a declined device code", async () => {
    const ep = idp.endpoints.entra;
    const silent = (jar, extra) => authorize(jar, authorizeUrl(ep.authorization, {
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid profile', prompt: 'none', state: 'st', code_challenge: pkce().challenge, code_challenge_method: 'S256', ...extra,
    }));
    // The account's sid (msal's for a silent request when the ID token has no login_hint):
    // the session's gets a code; another's asks for the user (AADSTS160021), never signs in
    // the session's user for it.
    const { jar, json } = await codeFlow(idp, 'entra', { login: 'alice' });
    const own = await silent(jar, { sid: decodeJwt(json.id_token).sid });
    assert.ok(own.url.searchParams.get('code'), own.url.href);
    const other = await silent(jar, { sid: crypto.randomUUID() });
    assert.deepEqual([other.url.searchParams.get('error'), other.url.searchParams.get('code')], ['interaction_required', null], other.url.href);
    assert.match(other.url.searchParams.get('error_description'), /AADSTS160021/);

    // A B2C user flow's refresh token at another flow: AADB2C90088, and it still works at its own.
    const flow = (policy) => ({ authorization: `${idp.origin}/${B2C_DOMAIN}/${policy}/oauth2/v2.0/authorize`, token: `${idp.origin}/${B2C_DOMAIN}/${policy}/oauth2/v2.0/token` });
    const b2c = await codeFlow({ endpoints: { b2c: flow('b2c_1_signin') } }, 'b2c', { login: 'bea', scope: 'openid offline_access api.read' });
    const refresh = (endpoint) => tokenRequest(endpoint, { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: b2c.json.refresh_token, scope: 'openid offline_access api.read' });
    const elsewhere = await refresh(flow('b2c_1_reset').token);
    assert.deepEqual([elsewhere.res.status, elsewhere.json.error], [400, 'invalid_grant'], JSON.stringify(elsewhere.json));
    assert.match(elsewhere.json.error_description, /AADB2C90088/);
    assert.equal((await refresh(flow('b2c_1_signin').token)).res.status, 200);

    // A code redeemed for a scope the user has not consented to: consent_required.
    await idp.setConfig({ consentRequired: ['api.write'] });
    try {
      const { verifier, challenge } = pkce();
      const { code } = await idp.mintCode({ mode: 'entra', login: 'alice', redirect_uri: REDIRECT_URI, code_challenge: challenge, scope: 'openid profile offline_access User.Read' });
      const more = await tokenRequest(ep.token, { client_id: CLIENT_ID, grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, scope: 'openid profile offline_access api.write' });
      assert.deepEqual([more.res.status, more.json.error, more.json.suberror], [400, 'invalid_grant', 'consent_required'], JSON.stringify(more.json));
      // The code stays valid for consented scopes, and the token lists the consented ones only.
      const granted = await tokenRequest(ep.token, { client_id: CLIENT_ID, grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, scope: 'openid profile offline_access User.Read' });
      assert.equal(granted.res.status, 200, JSON.stringify(granted.json));
      assert.deepEqual(granted.json.scope.split(' ').sort(), ['User.Read', 'api.read', 'openid', 'profile']);
    } finally {
      await idp.setConfig({ consentRequired: [] });
    }

    // An app token names its resource with /.default, and a scope at all.
    const app = (scope) => tokenRequest(ep.token, { client_id: DAEMON_CLIENT_ID, client_secret: DAEMON_SECRET, grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) }, null);
    const delegated = await app('User.Read');
    assert.deepEqual([delegated.res.status, delegated.json.error], [400, 'invalid_scope'], JSON.stringify(delegated.json));
    assert.match(delegated.json.error_description, /AADSTS1002012/);
    const none = await app(undefined);
    assert.deepEqual([none.res.status, none.json.error], [400, 'invalid_request'], JSON.stringify(none.json));
    assert.equal((await app('api://msal-wasm-test-api/.default')).res.status, 200);

    // A device code the user declines: Entra's authorization_declined.
    const device = await (await fetch(ep.device_authorization, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: CLI_CLIENT_ID, scope: 'openid User.Read' }) })).json();
    const deny = await fetch(`${idp.origin}/__test/device`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_code: device.user_code, login: 'nobody', deny: true }) });
    assert.equal(deny.status, 200);
    const declined = await tokenRequest(ep.token, { client_id: CLI_CLIENT_ID, grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code }, null);
    assert.deepEqual([declined.res.status, declined.json.error], [400, 'authorization_declined'], JSON.stringify(declined.json));
  });

  it('POST /__test/code mints a code redeemable once at the token endpoint (both modes, node twin)', async () => {
    const mintUrl = `${idp.origin}/__test/code`;
    const mint = (body, origin = SPA) => fetch(mintUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
      body: JSON.stringify(body),
    });

    // browser preflights: the mint endpoint and the token endpoint (MSAL sends X-AnchorMailbox)
    const preMint = await fetch(mintUrl, {
      method: 'OPTIONS',
      headers: { origin: SPA, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preMint.status, 204);
    assert.equal(preMint.headers.get('access-control-allow-origin'), SPA);
    assert.match(preMint.headers.get('access-control-allow-headers'), /content-type/i);
    for (const mode of ['entra', 'oidc']) {
      const pre = await fetch(idp.endpoints[mode].token, {
        method: 'OPTIONS',
        headers: {
          origin: SPA, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-anchormailbox',
        },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), SPA);
      assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
      assert.match(pre.headers.get('access-control-allow-headers'), /x-anchormailbox/i);
    }

    const before = (await (await fetch(`${idp.origin}/__test/counters`)).json());
    const oid = accountIdForLogin('carol');
    for (const mode of ['entra', 'oidc']) {
      const { verifier, challenge } = pkce();
      const nonce = crypto.randomUUID();
      const res = await mint({
        mode, login: 'carol', redirect_uri: REDIRECT_URI, code_challenge: challenge, scope: 'openid profile offline_access User.Read', nonce,
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), SPA);
      const { code } = await res.json();
      assert.ok(code);

      const params = {
        client_id: CLIENT_ID, grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_info: '1',
      };
      const { res: tr, json } = await tokenRequest(idp.endpoints[mode].token, params);
      assert.equal(tr.status, 200, JSON.stringify(json));
      assert.equal(tr.headers.get('access-control-allow-origin'), SPA);
      assert.ok(json.access_token && json.refresh_token);
      // (Entra lists every consented scope of the resource; a generic provider the granted ones.)
      assert.equal(json.scope, mode === 'entra' ? 'openid profile User.Read api.read api.write' : 'openid profile User.Read');
      const claims = decodeJwt(json.id_token);
      assert.equal(claims.aud, CLIENT_ID);
      assert.equal(claims.sub, oid);
      assert.equal(claims.preferred_username, 'carol');
      assert.equal(claims.name, 'Test User carol');
      assert.equal(claims.nonce, nonce);
      assert.ok(claims.sid);
      if (mode === 'entra') {
        assert.equal(claims.iss, `${idp.origin}/${TENANT_ID}/v2.0`);
        assert.equal(claims.tid, TENANT_ID);
        assert.equal(claims.oid, oid);
        assert.deepEqual(JSON.parse(Buffer.from(json.client_info, 'base64url')), { uid: oid, utid: TENANT_ID });
        assert.equal(json.ext_expires_in, json.expires_in);
      } else {
        assert.equal(claims.iss, `${idp.origin}/oidc`);
        assert.equal(claims.tid, undefined);
        assert.equal(json.client_info, undefined);
      }

      // its refresh token works like an interactive one: at the Entra mount for another
      // resource too (a multi-resource refresh token); a generic provider refuses a scope the
      // refresh token was not issued for, and the refresh token stays valid
      const refresh = (rt, scope = mode === 'entra' ? 'openid profile offline_access api.read' : 'openid profile offline_access User.Read') => tokenRequest(idp.endpoints[mode].token, {
        client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: rt, scope,
      });
      if (mode === 'oidc') {
        const wider = await refresh(json.refresh_token, 'openid profile offline_access api.read');
        assert.deepEqual([wider.res.status, wider.json.error], [400, 'invalid_scope'], JSON.stringify(wider.json));
      }
      const refreshed = await refresh(json.refresh_token);
      assert.equal(refreshed.res.status, 200, JSON.stringify(refreshed.json));

      // the minted code is single-use; a replay also revokes its grant (oidc-provider, as for any code)
      const replay = await tokenRequest(idp.endpoints[mode].token, params);
      assert.equal(replay.res.status, 400);
      assert.equal(replay.json.error, 'invalid_grant');
      assert.equal((await refresh(refreshed.json.refresh_token)).json.error, 'invalid_grant');
    }
    const counters = await (await fetch(`${idp.origin}/__test/counters`)).json();
    assert.equal(counters.token - before.token, 9);
    assert.equal(counters.byGrant.authorization_code - before.byGrant.authorization_code, 4);
    assert.equal(counters.byGrant.refresh_token - before.byGrant.refresh_token, 5);
    assert.equal(counters.authorize, before.authorize, 'minting is not an authorize request');

    // node twin; PKCE and redirect_uri are enforced at redemption
    const { verifier, challenge } = pkce();
    const { code } = await idp.mintCode({ mode: 'entra', login: 'dave', redirect_uri: REDIRECT_URI, code_challenge: challenge });
    const wrongVerifier = await tokenRequest(idp.endpoints.entra.token, {
      client_id: CLIENT_ID, grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: pkce().verifier,
    });
    assert.equal(wrongVerifier.json.error, 'invalid_grant');
    const { code: code2 } = await idp.mintCode({ mode: 'entra', login: 'dave', redirect_uri: REDIRECT_URI, code_challenge: challenge });
    const ok = await tokenRequest(idp.endpoints.entra.token, {
      client_id: CLIENT_ID, grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT_URI, code_verifier: verifier,
    });
    assert.equal(ok.res.status, 200, JSON.stringify(ok.json));
    assert.equal(decodeJwt(ok.json.id_token).nonce, undefined);
    assert.equal(ok.json.client_info, undefined, 'client_info only when the token request asks for it');
    assert.ok(ok.json.refresh_token, 'the default scope asks for offline_access');
    // As Entra: a code whose request did not ask for offline_access comes with no refresh token.
    const online = pkce();
    const { code: code3 } = await idp.mintCode({ mode: 'entra', login: 'dave', redirect_uri: REDIRECT_URI, code_challenge: online.challenge, scope: 'openid profile User.Read' });
    const noRt = await tokenRequest(idp.endpoints.entra.token, {
      client_id: CLIENT_ID, grant_type: 'authorization_code', code: code3, redirect_uri: REDIRECT_URI, code_verifier: online.verifier,
    });
    assert.equal(noRt.res.status, 200, JSON.stringify(noRt.json));
    assert.equal(noRt.json.refresh_token, undefined);
    // As Entra (AADSTS700005): a code is redeemed in the tenant that issued it, not a guest tenant of the user.
    const other = pkce();
    const { code: code4 } = await idp.mintCode({ mode: 'entra', login: 'dave', redirect_uri: REDIRECT_URI, code_challenge: other.challenge });
    const redeem4 = (tenant) => tokenRequest(`${idp.origin}/${tenant}/oauth2/v2.0/token`, {
      client_id: CLIENT_ID, grant_type: 'authorization_code', code: code4, redirect_uri: REDIRECT_URI, code_verifier: other.verifier,
    });
    const elsewhere = await redeem4(GUEST_TENANT_ID);
    assert.equal(elsewhere.json.error, 'invalid_grant', JSON.stringify(elsewhere.json));
    assert.match(elsewhere.json.error_description, /^AADSTS700005:/);
    assert.equal((await redeem4(TENANT_ID)).res.status, 200);

    // validation: redirect_uri like the authorize endpoint, PKCE challenge, mode, login
    const bad = [
      [{ redirect_uri: `${EVIL}/` }, 'invalid_redirect_uri'],
      [{ redirect_uri: `${SPA}/#x` }, 'invalid_redirect_uri'],
      [{ code_challenge: 'short' }, 'invalid_request'],
      [{ mode: 'saml' }, 'invalid_request'],
      [{ login: ' ' }, 'invalid_request'],
      [{ scope: 'profile' }, 'invalid_scope'],
    ];
    for (const [patch, error] of bad) {
      const res = await mint({
        mode: 'entra', login: 'x', redirect_uri: REDIRECT_URI, code_challenge: challenge, ...patch,
      });
      assert.equal(res.status, 400, JSON.stringify(patch));
      assert.equal((await res.json()).error, error);
      assert.equal(res.headers.get('access-control-allow-origin'), SPA);
    }
    await assert.rejects(idp.mintCode({ login: 'x', redirect_uri: `${EVIL}/`, code_challenge: challenge }), { status: 400, error: 'invalid_redirect_uri' });
    assert.equal((await mint({ login: 'x', redirect_uri: REDIRECT_URI, code_challenge: challenge }, EVIL)).headers.get('access-control-allow-origin'), null);
  });

  it('CORS only for SPA origins', async () => {
    const disc = `${idp.entraAuthority}/v2.0/.well-known/openid-configuration`;
    assert.equal((await fetch(disc, { headers: { origin: SPA } })).headers.get('access-control-allow-origin'), SPA);
    assert.equal((await fetch(disc, { headers: { origin: EVIL } })).headers.get('access-control-allow-origin'), null);

    const pre = await fetch(idp.endpoints.entra.token, {
      method: 'OPTIONS', headers: { origin: EVIL, 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    const tok = await tokenRequest(idp.endpoints.entra.token, { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: 'x' }, EVIL);
    assert.equal(tok.res.headers.get('access-control-allow-origin'), null);

    const ctl = await fetch(`${idp.origin}/__test/counters`, { headers: { origin: SPA } });
    assert.equal(ctl.headers.get('access-control-allow-origin'), SPA);
    const ctlEvil = await fetch(`${idp.origin}/__test/counters`, { headers: { origin: EVIL } });
    assert.equal(ctlEvil.headers.get('access-control-allow-origin'), null);
  });

  it('https mode serves discovery with the generated certificate', async () => {
    const secure = await startIdp({ port: 0, https: true, spaOrigins: [SPA] });
    try {
      assert.ok(secure.origin.startsWith('https://127.0.0.1:'));
      const doc = await new Promise((resolve, reject) => {
        https.get(`${secure.entraAuthority}/v2.0/.well-known/openid-configuration`, { ca: secure.cert }, (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c) => { data += c; });
          res.on('end', () => resolve(JSON.parse(data)));
        }).on('error', reject);
      });
      assert.equal(doc.issuer, `${secure.origin}/${TENANT_ID}/v2.0`);
      assert.ok(doc.token_endpoint.startsWith('https://'));
    } finally {
      await secure.close();
    }
  });
});
