#!/usr/bin/env node
// Local OpenID Connect provider for msal-wasm tests and demo.
//
// One node http(s) server on 127.0.0.1 hosting two oidc-provider instances:
//   Entra-compatible: issuer ${origin}/${TENANT_ID}/v2.0, endpoints ${origin}/${TENANT_ID}/oauth2/v2.0/*
//   generic OIDC:     issuer ${origin}/oidc
// plus a dev login form, auto-consent, and /__test/* control endpoints.
// See README.md in this directory.

import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { MemoryStore } from './adapter.mjs';
import { OPENSSL, ensureCert } from './cert.mjs';

export const CLIENT_ID = 'msal-wasm-test-client';
// A second SPA registered like the first (two apps, or two clients, on one origin).
export const SECOND_CLIENT_ID = 'msal-wasm-test-client-2';
const SPA_CLIENTS = [CLIENT_ID, SECOND_CLIENT_ID];
// A confidential web app (a server that signs users in with a secret and PKCE).
export const WEB_CLIENT_ID = 'msal-wasm-test-web';
export const WEB_SECRET = 'web-secret-for-tests-only';
// The same with a certificate (private_key_jwt, the key of tests/idp/.cert/localhost.pem).
export const WEB_CERT_CLIENT_ID = 'msal-wasm-test-web-cert';
// On-behalf-of (Entra's jwt-bearer grant with requested_token_use=on_behalf_of).
const OBO_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
// Clients whose redirect URIs are the registered set, that get every scope without a consent
// page, and whose ID tokens carry sid.
const TEST_CLIENTS = new Set([...SPA_CLIENTS, WEB_CLIENT_ID, WEB_CERT_CLIENT_ID]);
// Confidential clients (daemons and web apps): one with a secret, one that signs a client
// assertion (private_key_jwt) with the key of tests/idp/.cert/localhost.pem.
export const DAEMON_CLIENT_ID = 'msal-wasm-test-daemon';
export const DAEMON_SECRET = 'daemon-secret-for-tests-only';
export const DAEMON_CERT_CLIENT_ID = 'msal-wasm-test-daemon-cert';
// A public client for CLIs and devices (device code flow, refresh tokens).
export const CLI_CLIENT_ID = 'msal-wasm-test-cli';
/** Scopes daemons may get tokens for with client credentials (Entra style `/.default`). */
export const APP_SCOPES = ['api://msal-wasm-test-api/.default'];
// Web APIs registered like Entra app registrations that expose scopes: a token for their
// scopes is a JWT signed with the provider's key (aud = the API's client id, `scp` = the scope
// names), as Entra issues for an API; other tokens stay opaque. The To-Do API is a confidential
// client too: it calls the downstream API on behalf of its caller.
export const TODO_API_CLIENT_ID = 'msal-wasm-test-todo-api';
export const TODO_API_SECRET = 'todo-api-secret-for-tests-only';
export const TODO_SCOPES = Object.freeze([`api://${TODO_API_CLIENT_ID}/ToDoList.Read`, `api://${TODO_API_CLIENT_ID}/ToDoList.ReadWrite`]);
export const DOWNSTREAM_API_CLIENT_ID = 'msal-wasm-test-downstream';
export const DOWNSTREAM_SCOPES = Object.freeze([`api://${DOWNSTREAM_API_CLIENT_ID}/Data.Read`]);
/** The web app's own API (a middle tier's callers ask for it, aud = the web app's client id). */
export const WEB_API_SCOPES = Object.freeze([`api://${WEB_CLIENT_ID}/access_as_user`]);
const API_AUDIENCES = [TODO_API_CLIENT_ID, DOWNSTREAM_API_CLIENT_ID, WEB_CLIENT_ID];
// Microsoft Graph's app id: the audience of tokens for the default resource's scopes (User.Read).
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The API a scope belongs to (`api://<client id>/<name>`), or undefined. */
function apiOfScope(scope) {
  const m = /^api:\/\/([^/]+)\/([^/]+)$/.exec(scope);
  return m && API_AUDIENCES.includes(m[1]) ? { audience: m[1], name: m[2] } : undefined;
}
export const TENANT_ID = '8eaef023-2b34-4da1-9baa-8bc8c9d6a490';
/** A second Entra tenant where every user of TENANT_ID is a guest (own `oid`, same home account). */
export const GUEST_TENANT_ID = '3c9a7d51-6b2e-4f80-a1d4-0f5e2b7c9e31';
/** A B2C-style tenant: authorities `${origin}/${B2C_DOMAIN}/<policy>`, one per user flow. */
export const B2C_TENANT_ID = 'b2c0c0de-1d2e-4f3a-9b8c-7d6e5f4a3b2c';
export const B2C_DOMAIN = 'b2c.onmicrosoft.com';
export const B2C_POLICIES = Object.freeze(['b2c_1_signin', 'b2c_1_reset']);
export const EXTRA_SCOPES = Object.freeze(['api.read', 'api.write', 'User.Read']);
const STEP_UP_REQUIRED = 'AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.';
// The authentication contexts (Entra's `acrs`) a `claims` parameter asks of the access token:
// {"access_token":{"acrs":{"essential":true,"value":"c1"}}} (or `values`).
function acrsAsked(claims) {
  let parsed;
  try { parsed = JSON.parse(String(claims ?? '')); } catch { return []; }
  const acrs = parsed?.access_token?.acrs;
  if (!acrs || typeof acrs !== 'object') return [];
  return [].concat(acrs.value ?? [], acrs.values ?? []).map(String).filter(Boolean);
}
const CONSENT_REQUIRED = 'AADSTS65001: The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.';
export const OIDC_SCOPES = Object.freeze(['openid', 'profile', 'email', 'offline_access']);
/** Path prefixes that alias the Entra tenant (like login.microsoftonline.com/common). */
export const ENTRA_ALIASES = Object.freeze(['common', 'organizations']);

const DEFAULTS = Object.freeze({
  port: 0,
  https: false,
  spaOrigins: [],
  redirectUris: undefined,
  accessTokenTtl: 3600,
  idTokenTtl: 3600,
  refreshTokenTtl: 86400,
  extraScopes: [],
});

// Fixed development cookie signing keys (never use outside tests).
const COOKIE_KEYS = ['msal-wasm-test-idp-cookie-key-1', 'msal-wasm-test-idp-cookie-key-2'];
const DPOP_NONCE_SECRET = crypto.randomBytes(32);
const ACCOUNT_NAMESPACE = '5d0b8e4e-3f3c-4c53-9a4e-6a1c3b2f7d10';
const SESSION_TTL = 14 * 24 * 3600;
/** Paths registered as redirect URIs on every SPA origin unless `redirectUris` is given. */
export const DEFAULT_REDIRECT_PATHS = Object.freeze(['/', '/redirect.html']);
const LOG_LIMIT = 100;
const BODY_LIMIT = 64 * 1024;

// ---------------------------------------------------------------------------
// helpers

/** Entra's `login_hint` claim for a user: an opaque value that names the user to the provider
 * (msal sends it as the `login_hint` of a hidden frame and the `logout_hint` of a sign-out). */
export function loginHintFor(login) {
  return `LH.${Buffer.from(String(login), 'utf8').toString('base64url')}`;
}
/** The login a hint names: the claim's value, or a login as typed. */
function loginOfHint(hint) {
  return typeof hint === 'string' && hint.startsWith('LH.') ? Buffer.from(hint.slice(3), 'base64url').toString('utf8') : hint;
}

/** Deterministic account id (UUID v5 style) for a login name (case-insensitive). */
export function accountIdForLogin(login) {
  const ns = Buffer.from(ACCOUNT_NAMESPACE.replace(/-/g, ''), 'hex');
  const h = crypto.createHash('sha1').update(ns).update(String(login).trim().toLowerCase(), 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** A request's parameters as the log keeps them (the query's and the form's, sorted by name):
 * the values of secrets and of what each request makes afresh are "<set>". */
const UNLOGGED_VALUES = new Set(['state', 'nonce', 'code_challenge', 'code', 'code_verifier', 'refresh_token', 'client_secret', 'client_assertion', 'client-request-id', 'assertion', 'device_code']);
function loggedParams(...lists) {
  const out = {};
  for (const list of lists) for (const [k, v] of list) out[k] = UNLOGGED_VALUES.has(k) ? '<set>' : v;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** client_info value as returned by Entra: base64url(JSON {uid, utid}); with Entra's
 * `xms_tdbr: "EU"` (the tenant's data boundary) for the users whose login starts with `eu-`. */
export function clientInfoFor(uid, utid = TENANT_ID, login = '') {
  const info = String(login).startsWith('eu-') ? { uid, utid, xms_tdbr: 'EU' } : { uid, utid };
  return Buffer.from(JSON.stringify(info)).toString('base64url');
}

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

function normalizeOrigin(value) {
  const u = URL.parse(String(value));
  if (!u || !/^https?:$/.test(u.protocol)) throw new TypeError(`invalid SPA origin: ${value}`);
  return u.origin;
}

function normalizeRedirectUris(list) {
  return [].concat(list).map((value) => {
    const u = URL.parse(String(value));
    if (!u || !/^https?:$/.test(u.protocol) || u.hash) throw new TypeError(`invalid redirect URI: ${value}`);
    // Registered as given (Entra compares the string as registered).
    return String(value);
  });
}

function positiveTtl(value, name) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new TypeError(`${name} must be a positive number of seconds`);
  return Math.ceil(n);
}

function readBody(req, limit = BODY_LIMIT) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A readable stand-in for an IncomingMessage whose body has already been consumed. */
function replayRequest(req, body) {
  const fake = new Readable({ read() {} });
  fake.push(body);
  fake.push(null);
  const headers = { ...req.headers, 'content-length': String(body.length) };
  delete headers['transfer-encoding'];
  Object.assign(fake, {
    method: req.method,
    url: req.url,
    originalUrl: req.originalUrl,
    headers,
    rawHeaders: req.rawHeaders,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
    complete: true,
    idpPrefix: req.idpPrefix,
  });
  return fake;
}

function send(res, status, body, headers = {}) {
  if (res.headersSent) {
    res.end();
    return;
  }
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body ?? '');
  res.writeHead(status, { 'Content-Length': buf.length, ...headers });
  res.end(buf);
}

const sendJson = (res, status, obj, headers = {}) => send(res, status, JSON.stringify(obj), {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  ...headers,
});

const sendHtml = (res, status, html, headers = {}) => send(res, status, html, {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  ...headers,
});

function page(title, body) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`;
}

function loginPage({ hint, error, forgot } = {}) {
  return page('Sign in - msal-wasm test IdP', `<h1>Sign in</h1>${error ? `<p id="error">${esc(error)}</p>` : ''}`
    + `<form method=post><input name=login id=login${hint ? ` value="${esc(hint)}"` : ''} autofocus>`
    + '<label><input type=checkbox name=kmsi id=kmsi> Stay signed in</label>'
    + '<button id=submit type=submit>Sign in</button></form>'
    + (forgot ? '<form method=post><input type=hidden name=forgot value=1><button id=forgot type=submit>Forgot your password?</button></form>' : ''));
}

function errorPage(error, description) {
  return page('Error - msal-wasm test IdP', `<h1>Error</h1><pre id="error">${esc(error)}</pre>`
    + `<pre id="error_description">${esc(description)}</pre>`);
}

// oidc-provider warns (console.warn) on import when node < 22; the provider works
// on node 20 (URL.parse / crypto.hash exist), so that one notice is filtered.
let oidcProviderModule;
function loadOidcProvider() {
  oidcProviderModule ||= (async () => {
    const warn = console.warn;
    console.warn = (...args) => {
      if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return;
      warn.apply(console, args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return oidcProviderModule;
}

// A fresh signing key per start, made by openssl rather than node's generateKeyPair: exporting
// a key that node has just generated can deadlock the process (Node 20: a garbage collection
// during the JWK export runs the finished KeyGenJob's destructor, which waits for the key's
// mutex that the export holds). Seen in CI as a provider that never started (gdb: main thread
// in ExportJWKRsaKey -> GC -> ~KeyGenJob -> uv_mutex_lock).
function generateSigningKey() {
  const pem = execFileSync(OPENSSL, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const jwk = crypto.createPrivateKey(pem.toString('utf8')).export({ format: 'jwk' });
  const kid = crypto.createHash('sha256').update(jwk.n).digest('base64url').slice(0, 16);
  return { ...jwk, kid, use: 'sig', alg: 'RS256' };
}

// ---------------------------------------------------------------------------
// startIdp

/**
 * Start the IdP.
 * @param {object} [options]
 * @param {number} [options.port=0] 0 = any free port; always binds 127.0.0.1.
 * @param {boolean} [options.https=false] serve https with a cached self-signed cert.
 * @param {string[]} [options.spaOrigins] origins that get CORS headers (the SPA's origins).
 * @param {string[]} [options.redirectUris] the client's registered redirect URIs, matched exactly
 *   as Entra matches them (another path, a query or a fragment is rejected); they also serve as
 *   the allowed post-logout URIs. Default: `DEFAULT_REDIRECT_PATHS` on every SPA origin.
 * @param {number} [options.accessTokenTtl=3600] seconds
 * @param {number} [options.idTokenTtl=3600] seconds
 * @param {number} [options.refreshTokenTtl=86400] seconds (absolute lifetime, rotation does not extend it)
 * @param {string[]} [options.extraScopes] more supported (and auto-granted) scopes, e.g. the
 *   benchmark's `bench.s01`…`bench.s50`
 */
export async function startIdp(options = {}) {
  const opts = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const config = {
    accessTokenTtl: positiveTtl(opts.accessTokenTtl, 'accessTokenTtl'),
    idTokenTtl: positiveTtl(opts.idTokenTtl, 'idTokenTtl'),
    refreshTokenTtl: positiveTtl(opts.refreshTokenTtl, 'refreshTokenTtl'),
  };
  const spaOrigins = new Set((opts.spaOrigins ?? []).map(normalizeOrigin));
  let explicitRedirectUris = opts.redirectUris === undefined ? null : normalizeRedirectUris(opts.redirectUris);
  const registered = new Set();
  const moreScopes = [].concat(opts.extraScopes ?? []).map(String);
  if (moreScopes.some((s) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))) throw new TypeError('extraScopes must be scope tokens');
  const supportedScopes = [...new Set([...OIDC_SCOPES, ...EXTRA_SCOPES, ...APP_SCOPES, ...TODO_SCOPES, ...DOWNSTREAM_SCOPES, ...WEB_API_SCOPES, ...moreScopes])];
  const supportedScopeSet = new Set(supportedScopes);

  // `log`: the last requests' non-secret parameters, for tests that check what a client sent.
  // `revoked`: grants oidc-provider revoked (a spent refresh token or code presented again, the
  // revocation endpoint; not this provider's own sign-out).
  const newCounters = () => ({ token: 0, byGrant: { authorization_code: 0, refresh_token: 0 }, authorize: 0, endSession: 0, discovery: 0, revoked: 0, log: [] });
  let counters = newCounters();
  let failNext = null;
  let silentNoResponse = false;
  // Test switch: scopes the user has not consented to (Entra's AADSTS65001): a refresh token
  // or a prompt=none request for them is refused with consent_required; a code issued for them
  // (an interactive sign-in: the user's consent) lifts that.
  let consentRequired = new Set();
  // The B2C user flow each code and refresh token was issued by (the flows share one store).
  const issuedBy = new Map();
  // The Entra tenant each code was issued in (the home and guest tenants share one store).
  const codeTenant = new Map();
  let silentHopMs = 0;
  // As Entra: the sign-in page sends Cross-Origin-Opener-Policy unless the authorize request
  // said pocd=1 (test switch `coop`, on by default).
  let coop = opts.coop !== false;
  // Test switch: a second page after the sign-in form that sends Cross-Origin-Opener-Policy
  // whatever the request said, as a federated identity provider's page or a verification step
  // may: a popup is cut off from its opener in the middle of the sign-in.
  let coopStep = false;
  // Test switch: the sign-in form submits itself as this login (for tests without a hand on
  // the form, e.g. wasm-bindgen tests of popup sign-in).
  let autoLogin = null;
  // Test switch: DPoP proofs must carry the provider's nonce (a `use_dpop_nonce` challenge first).
  let dpopRequireNonce = false;
  // Test switch: the browser holds other sessions at Entra too (a work and a guest account):
  // a prompt=none request that names no user (login_hint or sid) is refused with
  // interaction_required (AADSTS16000), as Entra cannot tell which one is meant.
  let otherSessions = false;
  // Test switch: the user's cloud, as Entra names it to an instance-aware request: the
  // authorization response of a request that sent instance_aware=true carries
  // cloud_instance_host_name=<this host>.
  let cloudInstance = null;
  // ... and that cloud's Graph hosts (cloud_graph_host_name, msgraph_host), when set.
  let graphHosts = null;
  const instanceAwareStates = new Set();
  // The PKCE challenges of authorize requests that asked for offline_access: as Entra, only
  // their codes come with a refresh token (oidc-provider drops offline_access from a code's
  // scope without prompt=consent, so the request's own scope is what counts).
  const offlineChallenges = new Set();
  // Test switch: requests to these routes ('token', 'discovery') are counted and never
  // answered (a provider that hangs); the held requests end when the switch is cleared.
  let stall = new Set();
  const stalled = new Set();
  // Entra's Conditional Access authentication contexts (`acrs`, e.g. c1: "multi-factor
  // authentication done") each user has satisfied, and when (seconds): an interactive sign-in
  // whose request asked for them (its `claims`) satisfies them for the session it starts and
  // the codes and refresh tokens issued from it (their `authTime`), not for those of an earlier
  // sign-in (another tab's refresh token). A prompt=none request or a refresh token asking for
  // one not satisfied so is refused (AADSTS50076), and a token issued for them names them in
  // its `acrs` claim.
  const stepUps = new Map();
  const satisfied = (accountId, asked, authTime) => asked.every((c) => {
    const at = stepUps.get(accountId)?.get(c);
    return at !== undefined && Number(authTime ?? 0) >= at;
  });

  const accounts = new Map(); // accountId -> { login }
  const store = new MemoryStore();

  // Two CI runs hung before a test of the provider or the msal-native step said anything; if a
  // start takes this long again, say where it is (stderr, once).
  let stage = 'certificate';
  const slowStart = setTimeout(() => console.error(`idp: still starting after 20 s, at: ${stage}`), 20_000);
  slowStart.unref();
  const tls = opts.https ? ensureCert() : undefined;
  // The certificate daemon's public key (the private key is in the PEM the tests read).
  const daemonJwk = { ...crypto.createPublicKey(ensureCert().cert).export({ format: 'jwk' }), use: 'sig' };
  // Its thumbprints, by which Entra finds the registered certificate (x5t#S256, or x5t).
  const daemonDer = new crypto.X509Certificate(ensureCert().cert).raw;
  const daemonThumbprints = {
    'x5t#S256': crypto.createHash('sha256').update(daemonDer).digest('base64url'),
    x5t: crypto.createHash('sha1').update(daemonDer).digest('base64url'),
  };
  stage = 'loading oidc-provider';
  const { Provider, interactionPolicy, errors } = await loadOidcProvider();
  stage = 'listening';

  let mounts = [];
  let ready = false;

  const server = tls
    ? https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => handle(req, res))
    : http.createServer((req, res) => handle(req, res));

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(opts.port) || 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address();
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  if (spaOrigins.size === 0) spaOrigins.add(origin);

  function registerRedirectUris() {
    registered.clear();
    const uris = explicitRedirectUris ?? [...spaOrigins].flatMap((o) => DEFAULT_REDIRECT_PATHS.map((p) => o + p));
    uris.forEach((u) => registered.add(u));
  }
  registerRedirectUris();
  // Exact string match, as Entra does for SPA redirect URIs.
  const redirectUriRegistered = (value) => typeof value === 'string' && registered.has(value);
  // RFC 8252 §7.3 (and Entra for public clients): a native app's loopback redirect URI matches
  // whatever port it listens on, the host as registered. The CLI client is registered as
  // msal-node's docs ask: http://localhost (this check decides, not the metadata below).
  const loopbackRedirect = (value) => {
    try {
      const u = new URL(value);
      return u.protocol === 'http:' && u.hostname === 'localhost' && u.pathname === '/' && !u.search && !u.hash && !u.username;
    } catch {
      return false;
    }
  };
  const record = (entry) => {
    counters.log.push(entry);
    if (counters.log.length > LOG_LIMIT) counters.log.shift();
  };

  const corsHeaders = (req, extra = {}) => {
    const o = req.headers.origin;
    if (!o || !spaOrigins.has(o)) return { Vary: 'Origin' };
    return { 'Access-Control-Allow-Origin': o, Vary: 'Origin', ...extra };
  };

  stage = 'generating the signing key';
  const signingKey = generateSigningKey();
  stage = 'configuring the provider';
  const signingPrivateKey = crypto.createPrivateKey({ key: signingKey, format: 'jwk' });
  const signingPublicKey = crypto.createPublicKey(signingPrivateKey);

  // -- provider factory ------------------------------------------------------
  // kind 'entra' serves an Entra-style tenant: `realm` says which ({ ns, tenantId, homeTenant,
  // policy }). Providers of one namespace `ns` share their store and cookies: like Entra, a
  // session and a refresh token work in every tenant of the user (guest tenants).
  function createProvider(kind, issuer, routes, realm = { ns: kind }) {
    const cookiePrefix = `idp${port}_${realm.ns}`;
    const sameSite = tls ? 'none' : 'lax'; // https IdP + http SPA is cross-site (schemeful same-site)

    const policy = interactionPolicy.base();
    // prompt=select_account (sent by MSAL) behaves like prompt=login here.
    policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 1);
    // Entra-like: a login_hint for another user than the session's one needs a (re)login.
    policy.get('login').checks.push(new interactionPolicy.Check(
      'login_hint_mismatch',
      'login_hint does not match the signed-in user',
      'login_required',
      (ctx) => {
        const { login_hint: hint } = ctx.oidc.params;
        const current = ctx.oidc.session.accountId;
        if (hint && current && !ctx.oidc.result?.login && accountIdForLogin(loginOfHint(hint)) !== current) {
          return interactionPolicy.Check.REQUEST_PROMPT;
        }
        return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      },
    ));
    // As Entra (AADSTS160021): a `sid` (msal sends the account's for a silent request when its
    // ID token has no login_hint claim) that is not this browser session's asks for the user,
    // never another session's user. (Entra's sid is the session's, for every app of it, as
    // msal's SSO between apps uses it; oidc-provider makes one per app of the session, any of
    // which is taken. A generic provider does not know the parameter.)
    if (kind === 'entra') {
      policy.get('login').checks.push(new interactionPolicy.Check(
        'session_mismatch',
        'AADSTS160021: Application requested a user session which does not exist.',
        'interaction_required',
        (ctx) => {
          const { sid } = ctx.oidc.params;
          const { session } = ctx.oidc;
          if (sid && session.accountId && !ctx.oidc.result?.login && !Object.values(session.authorizations ?? {}).some((a) => a?.sid === sid)) {
            return interactionPolicy.Check.REQUEST_PROMPT;
          }
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        },
      ));
    }

    // As Entra: a request asking for an authentication context (its `claims`) the user has
    // not satisfied needs the user (here: signing in again, the provider's multi-factor step).
    if (kind === 'entra') {
      policy.get('login').checks.push(new interactionPolicy.Check(
        'auth_context',
        STEP_UP_REQUIRED,
        'interaction_required',
        (ctx) => {
          const asked = acrsAsked(ctx.oidc.params.claims);
          const { session } = ctx.oidc;
          const who = session.accountId;
          if (asked.length && who && !ctx.oidc.result?.login && !satisfied(who, asked, session.authTime())) return interactionPolicy.Check.REQUEST_PROMPT;
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        },
      ));
    }

    const openidClaims = kind === 'entra'
      ? ['sub', 'oid', 'ver', 'name', 'preferred_username', 'signin_state', ...(realm.policy ? ['tfp'] : ['tid', 'login_hint', 'upn'])]
      : ['sub', 'name', 'preferred_username'];
    // The user's object id in this tenant: a guest has its own.
    const oidFor = (sub) => (realm.tenantId === realm.homeTenant || realm.policy ? sub : accountIdForLogin(`${sub}@${realm.tenantId}`));
    // client_info names the home account: B2C's uid carries the policy.
    const clientInfoOf = (uid) => clientInfoFor(realm.policy ? `${uid}-${realm.policy}` : uid, realm.homeTenant, accounts.get(uid)?.login);

    // The provider's accounts (its findAccount; the on-behalf-of grant reads the ID token's
    // claims from it too).
    const findAccount = async (ctx, sub) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          const { login } = account;
          return {
            sub,
            name: `Test User ${login}`,
            given_name: 'Test',
            family_name: `User ${login}`,
            preferred_username: login,
            email: login.includes('@') ? login : `${login}@msal-wasm.test`,
            email_verified: true,
            // B2C's user flows issue no `tid`: the policy (`tfp`) stands for the tenant.
            ...(kind === 'entra' ? { oid: oidFor(sub), ver: '2.0', ...(realm.policy ? { tfp: realm.policy } : { tid: realm.tenantId }) } : {}),
            ...(kind === 'entra' && account.kmsi ? { signin_state: ['kmsi'] } : {}),
            // Entra's optional claims, for a work account's login (user@domain): the opaque
            // login hint and the UPN. Other users' ID tokens have neither, as an app's that did
            // not ask for them.
            ...(kind === 'entra' && !realm.policy && login.includes('@') ? { login_hint: loginHintFor(login), upn: login } : {}),
          };
        },
      };
    };
    const provider = new Provider(issuer, {
      adapter: store.adapterFor(realm.ns),
      clients: [
        {
          client_id: DAEMON_CLIENT_ID,
          client_secret: DAEMON_SECRET,
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          scope: APP_SCOPES.join(' '),
        },
        {
          client_id: CLI_CLIENT_ID,
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: ['http://127.0.0.1/'],
        },
        {
          client_id: DAEMON_CERT_CLIENT_ID,
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [daemonJwk] },
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          scope: APP_SCOPES.join(' '),
        },
        {
          client_id: WEB_CLIENT_ID,
          client_secret: WEB_SECRET,
          client_name: 'msal-wasm test web app',
          application_type: 'web',
          token_endpoint_auth_method: 'client_secret_post',
          // A web app that is also a middle tier: its own app tokens, and tokens on behalf of users.
          grant_types: ['authorization_code', 'refresh_token', OBO_GRANT, 'client_credentials'],
          response_types: ['code'],
          redirect_uris: [...registered],
          post_logout_redirect_uris: [...registered],
        },
        {
          client_id: WEB_CERT_CLIENT_ID,
          client_name: 'msal-wasm test web app (certificate)',
          application_type: 'web',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [daemonJwk] },
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: [...registered],
          post_logout_redirect_uris: [...registered],
        },
        {
          client_id: TODO_API_CLIENT_ID,
          client_secret: TODO_API_SECRET,
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: [OBO_GRANT],
          response_types: [],
          redirect_uris: [],
        },
      ].concat(SPA_CLIENTS.map((clientId) => ({
        client_id: clientId,
        client_name: 'msal-wasm test SPA',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // Checked against `registered` (below), which the test controls can change.
        redirect_uris: [...registered],
        post_logout_redirect_uris: [...registered],
      }))),
      jwks: { keys: [signingKey] },
      cookies: {
        keys: COOKIE_KEYS,
        names: {
          session: `${cookiePrefix}_session`,
          interaction: `${cookiePrefix}_interaction`,
          resume: `${cookiePrefix}_resume`,
        },
        long: { httpOnly: true, sameSite },
        short: { httpOnly: true, sameSite },
      },
      claims: {
        openid: openidClaims,
        profile: ['name', 'preferred_username', 'given_name', 'family_name'],
        email: ['email', 'email_verified'],
        acr: null,
        auth_time: null,
        iss: null,
        sid: null,
      },
      scopes: supportedScopes,
      // pocd: msal 5's popup origin check (kept for the sign-in page's COOP, below).
      // (A validator runs for every request, with its parameter or without.)
      extraParams: {
        client_info: undefined,
        // (Read by the session and authentication context checks above.)
        sid: undefined,
        claims: undefined,
        // As Entra (AADSTS70011): a scope the provider does not know fails the authorize request,
        // answered at the redirect URI (oidc-provider would sign in without it).
        // (The request's own scope: oidc-provider has dropped unknown ones from its params by now.)
        pocd(ctx) {
          const asked = String(ctx.query?.scope ?? '').split(' ');
          const unknown = asked.filter((sc) => sc && !supportedScopeSet.has(sc));
          if (unknown.length) throw new errors.InvalidScope(`AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope '${unknown.join(' ')}' does not exist.`, unknown.join(' '));
          if (ctx.query?.prompt === 'none' && asked.some((sc) => consentRequired.has(sc))) throw new errors.ConsentRequired(CONSENT_REQUIRED);
          const p = ctx.oidc?.params ?? {};
          if (otherSessions && kind === 'entra' && p.prompt === 'none' && !p.login_hint && !p.sid) {
            throw new errors.InteractionRequired('AADSTS16000: SelectUserAccount - This is a flag that requires the user to select an account. Several users are signed in to this browser.');
          }
        },
      },
      // As Entra: the redirect URI is named at /authorize and at /token, even by a client that
      // registered only one.
      allowOmittingSingleRegisteredRedirectUri: false,
      conformIdTokenClaims: false,
      clockTolerance: 1,
      responseTypes: ['code'],
      pkce: { required: () => true },
      routes,
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        deviceFlow: { enabled: true },
        // DPoP (RFC 9449): proofs checked at the token endpoint and at userinfo (the resource
        // server of the tests); a public client's refresh token is bound to its key. With a
        // nonce secret, so the `dpopRequireNonce` switch can demand nonces (and CORS exposes
        // DPoP-Nonce).
        dPoP: { enabled: true, nonceSecret: DPOP_NONCE_SECRET, requireNonce: () => dpopRequireNonce },
        pushedAuthorizationRequests: { enabled: false },
        resourceIndicators: { enabled: false },
        userinfo: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          // Handled by the post-route middleware below (immediate logout + redirect).
          async logoutSource(ctx) { ctx.body = ''; },
          async postLogoutSuccessSource(ctx) {
            ctx.type = 'html';
            ctx.body = page('Signed out - msal-wasm test IdP', '<h1 id="signed-out">Signed out</h1>');
          },
        },
      },
      clientBasedCORS: (ctx, reqOrigin) => spaOrigins.has(reqOrigin),
      // As Entra checks a client assertion (AADSTS700027, AADSTS700024): the certificate is
      // found by the thumbprint in the header, and the audience is the token endpoint alone
      // (oidc-provider also takes the issuer, and finds the key by alg; it refuses a subject
      // other than the client_id sent itself, "client_id mismatch").
      async assertJwtClientAuthClaimsAndHeader(ctx, claims, header, client) {
        const named = Object.entries(daemonThumbprints).some(([name, value]) => header[name] === value);
        if (client.tokenEndpointAuthMethod === 'private_key_jwt' && !named) {
          throw new errors.InvalidClientAuth('AADSTS700027: the assertion names no certificate registered for the client (x5t#S256 or x5t)');
        }
        if (claims.aud !== ctx.oidc.urlFor('token')) {
          throw new errors.InvalidClientAuth(`AADSTS700024: the assertion's audience (aud) is not the token endpoint ${ctx.oidc.urlFor('token')}`);
        }
      },
      issueRefreshToken: async (ctx, client, source) =>
        client.grantTypeAllowed('refresh_token') && (source?.kind !== 'AuthorizationCode' || offlineChallenges.has(source.codeChallenge)),
      rotateRefreshToken: true,
      expiresWithSession: async () => false,
      findAccount,
      // Auto-consent: our (only) client gets every supported scope, so refresh tokens
      // can later be redeemed for any of them (like Entra's multi-resource RTs).
      async loadExistingGrant(ctx) {
        const { client, session } = ctx.oidc;
        const accountId = ctx.oidc.account?.accountId ?? session.accountId;
        const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
        let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
        if (grant && (grant.accountId !== accountId || grant.clientId !== client.clientId)) grant = undefined;
        grant ||= new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
        if (TEST_CLIENTS.has(client.clientId)) {
          grant.addOIDCScope(supportedScopes.join(' '));
          const claims = [...ctx.oidc.requestParamClaims];
          if (claims.length) grant.addOIDCClaims(claims);
          await grant.save();
        }
        return grant;
      },
      interactions: {
        policy,
        url: (ctx, interaction) => `${ctx.req.idpPrefix ?? new URL(issuer).pathname}/interaction/${interaction.uid}`,
      },
      ttl: {
        AccessToken: () => config.accessTokenTtl,
        IdToken: () => config.idTokenTtl,
        RefreshToken(ctx) {
          let ttl = config.refreshTokenTtl;
          const rotated = ctx?.oidc?.entities?.RotatedRefreshToken;
          if (rotated) ttl = Math.min(ttl, rotated.remainingTTL);
          return Math.max(1, ttl);
        },
        AuthorizationCode: 120,
        Interaction: 3600,
        Session: SESSION_TTL,
        Grant: SESSION_TTL,
        ClientCredentials: 600,
        DeviceCode: 600,
        BackchannelAuthenticationRequest: 600,
        PreAuthorizedCode: 600,
      },
      async renderError(ctx, out) {
        ctx.type = 'html';
        ctx.body = errorPage(out.error, out.error_description);
      },
    });

    provider.proxy = false;
    // Redirect / post-logout URIs: the registered ones, exactly.
    provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
      if (this.clientId === CLI_CLIENT_ID) return loopbackRedirect(value);
      return TEST_CLIENTS.has(this.clientId) ? redirectUriRegistered(value) : this.redirectUris.includes(value);
    };
    provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(value) {
      return TEST_CLIENTS.has(this.clientId) ? redirectUriRegistered(value) : this.postLogoutRedirectUris.includes(value);
    };

    // Always put `sid` in ID tokens of our client (oidc-provider only does it for back-channel logout clients).
    const includeSid = provider.Client.prototype.includeSid;
    provider.Client.prototype.includeSid = function includeSidForTestClient() {
      return TEST_CLIENTS.has(this.clientId) || includeSid.call(this);
    };

    // An API's access token as Entra issues one: a JWT signed with the provider's key, for the
    // API of `scopes` (all of one API), with the user's ids and the calling app in `azp`.
    function apiAccessToken({ sub, clientId, scopes, expiresIn, popKid, audience, acrs }) {
      const now = Math.floor(Date.now() / 1000);
      const header = { typ: 'JWT', alg: 'RS256', kid: signingKey.kid };
      const payload = {
        aud: audience ?? apiOfScope(scopes[0]).audience, iss: issuer, iat: now, nbf: now, exp: now + expiresIn,
        azp: clientId, azpacr: '1', oid: oidFor(sub), sub, tid: realm.tenantId ?? TENANT_ID,
        scp: scopes.map((x) => apiOfScope(x)?.name ?? x).join(' '), ver: '2.0', uti: crypto.randomBytes(12).toString('base64url'),
        ...(popKid ? { cnf: { kid: popKid } } : {}),
        ...(acrs?.length ? { acrs } : {}),
      };
      const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const input = `${b64(header)}.${b64(payload)}`;
      return `${input}.${crypto.sign('sha256', Buffer.from(input), signingPrivateKey).toString('base64url')}`;
    }
    // The claims of an API access token this provider issued and that is still valid.
    function verifiedApiToken(value) {
      const parts = typeof value === 'string' ? value.split('.') : [];
      if (parts.length !== 3) return undefined;
      const signed = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), signingPublicKey, Buffer.from(parts[2], 'base64url'));
      if (!signed) return undefined;
      let claims;
      try { claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString()); } catch { return undefined; }
      return claims?.iss === issuer && claims.exp > Date.now() / 1000 ? claims : undefined;
    }
    // A token response's scope split: the API's scopes (one API at most, as Entra: AADSTS28000),
    // and whether it mixes resources.
    function apiScopesOf(scope) {
      const all = String(scope ?? '').split(' ').filter(Boolean);
      const api = all.filter((x) => apiOfScope(x));
      const audiences = new Set(api.map((x) => apiOfScope(x).audience));
      const others = all.filter((x) => !apiOfScope(x) && !OIDC_SCOPES.includes(x));
      return { api, mixed: audiences.size > 1 || (api.length > 0 && others.length > 0) };
    }
    // As Entra: a user's token is for every scope the user consented to on the token's resource,
    // and the response's `scope` lists them all, not only those the request named (a request for
    // User.Read comes back with api.read and api.write too; a login's token, for the OpenID
    // scopes alone, is the default resource's). Not those of `consentRequired`, and not the
    // `extraScopes` of a caller (each answered alone: the benchmark fills a cache with them).
    function consentedScopes(audience) {
      return [...EXTRA_SCOPES, ...TODO_SCOPES, ...DOWNSTREAM_SCOPES, ...WEB_API_SCOPES]
        .filter((x) => (apiOfScope(x)?.audience ?? GRAPH_APP_ID) === audience && !consentRequired.has(x));
    }
    const MIXED_RESOURCES = 'AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource.';

    // On-behalf-of, as Entra's: a middle-tier API (a confidential client) exchanges the access
    // token its caller sent — a JWT issued for it (aud = its client id) to a user (`scp`) — for
    // a token to a downstream API, for the same user. A token that is not such a JWT (another
    // token of the provider, one for another audience: a Graph token), expired, or an app's
    // own (no `scp`) is refused as Entra refuses it (invalid_grant, AADSTS50013).
    provider.registerGrantType(OBO_GRANT, async (ctx) => {
      const { client, params } = ctx.oidc;
      const fail = (error, description) => {
        ctx.status = 400;
        ctx.body = { error, error_description: description };
      };
      if (params.requested_token_use !== 'on_behalf_of') return fail('invalid_request', 'AADSTS70003: requested_token_use must be on_behalf_of');
      const jwt = verifiedApiToken(params.assertion);
      if (!jwt) return fail('invalid_grant', 'AADSTS50013: Assertion failed signature validation.');
      if (jwt.aud !== client.clientId) return fail('invalid_grant', 'AADSTS50013: Assertion audience does not match the Client app presenting the assertion.');
      if (!jwt.scp || !jwt.sub) return fail('invalid_grant', 'AADSTS50013: Assertion is not a user\'s token (no scp).');
      const incoming = { accountId: jwt.sub };
      const scope = String(params.scope || '').split(' ').filter((x) => supportedScopeSet.has(x) && !OIDC_SCOPES.includes(x)).join(' ');
      if (!scope) return fail('invalid_scope', 'AADSTS70011: The provided value for the input parameter scope is not valid.');
      const { api, mixed } = apiScopesOf(scope);
      if (mixed) return fail('invalid_request', MIXED_RESOURCES);
      // Entra names the user with client_info when asked (msal-node asks, and keys the token by it).
      const info = String(params.client_info) === '1' ? { client_info: clientInfoOf(incoming.accountId) } : {};
      // As Entra's: with openid, the user's ID token for this client; with offline_access, a
      // refresh token (msal-node asks for both, and caches them under the assertion's hash).
      const asked = new Set(String(params.scope || '').split(' '));
      const account = await findAccount(ctx, incoming.accountId);
      if (asked.has('openid') && account) {
        ctx.oidc.entity('Account', account);
        const idToken = new provider.IdToken({ ...(await account.claims('id_token', 'openid profile', {}, [])) }, { ctx });
        idToken.scope = 'openid profile';
        info.id_token = await idToken.issue({ use: 'idtoken' });
      }
      if (asked.has('offline_access') && account) {
        const grant = new provider.Grant({ clientId: client.clientId, accountId: incoming.accountId });
        grant.addOIDCScope(supportedScopes.join(' '));
        const rt = new provider.RefreshToken({ accountId: incoming.accountId, client, grantId: await grant.save(), scope: 'openid profile offline_access', gty: 'on_behalf_of' });
        info.refresh_token = await rt.save();
      }
      if (api.length) {
        const expiresIn = config.accessTokenTtl;
        const value = apiAccessToken({ sub: incoming.accountId, clientId: client.clientId, scopes: api, expiresIn });
        ctx.body = { access_token: value, token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, scope, ...info };
        return;
      }
      const token = new provider.AccessToken({ accountId: incoming.accountId, client, grantId: incoming.grantId, scope, gty: 'on_behalf_of' });
      const value = await token.save();
      ctx.body = { access_token: value, token_type: 'Bearer', expires_in: token.expiration, ext_expires_in: token.expiration, scope, ...info };
    }, new Set(['assertion', 'requested_token_use', 'scope', 'client_info']));

    provider.on('grant.revoked', () => { counters.revoked += 1; });
    // The user consented to a code's scopes when it was issued (see consentRequired).
    provider.on('authorization_code.saved', (code) => {
      for (const sc of String(code.scope ?? '').split(' ')) consentRequired.delete(sc);
      if (realm.policy) issuedBy.set(code.jti, realm.policy);
      else if (realm.tenantId) codeTenant.set(code.jti, realm.tenantId);
    });
    if (realm.policy) provider.on('refresh_token.saved', (rt) => issuedBy.set(rt.jti, realm.policy));
    provider.on('error', (err, ctx) => {
      if (!err?.status || err.status >= 500) console.error(`[idp:${kind}] ${ctx?.method} ${ctx?.path}:`, err);
    });
    provider.on('server_error', (ctx, err) => console.error(`[idp:${kind}] server_error ${ctx?.method} ${ctx?.path}:`, err));

    provider.use(async (ctx, next) => {
      await next();

      // CORS only for the SPA origins (oidc-provider opens discovery/jwks/preflights to any origin).
      const reqOrigin = ctx.get('Origin');
      if (reqOrigin && !spaOrigins.has(reqOrigin)) {
        for (const name of Object.keys(ctx.response.headers)) {
          if (name.toLowerCase().startsWith('access-control-')) ctx.remove(name);
        }
      }

      const oidc = ctx.oidc;
      const route = oidc?.route;
      if (!route) return;

      if (route === 'discovery' && ENTRA_ALIASES.some((a) => ctx.req.idpPrefix === `/${a}`) && typeof ctx.body?.issuer === 'string') {
        // As Entra: the multi-tenant aliases' documents name no tenant in their issuer, a
        // template the client fills in from the ID token's tid.
        ctx.body = { ...ctx.body, issuer: ctx.body.issuer.replace(`/${realm.tenantId}/`, '/{tenantid}/') };
        return;
      }

      if (route === 'token' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object' && ctx.body.access_token) {
        if (kind === 'entra') {
          const body = { ...ctx.body };
          const { api, mixed } = apiScopesOf(body.scope);
          const uidForApi = oidc.entities.Account?.accountId;
          if (mixed) {
            ctx.status = 400;
            ctx.body = { error: 'invalid_request', error_description: MIXED_RESOURCES, error_codes: [28000] };
            return;
          }
          const { popKid, acrs } = ctx.req;
          const asked = String(body.scope ?? '').split(' ').filter(Boolean);
          if (api.length && uidForApi) {
            // The API's token: a JWT for it (the opaque one oidc-provider made stays unused).
            const scopes = [...new Set([...consentedScopes(apiOfScope(api[0]).audience), ...api])];
            body.access_token = apiAccessToken({ sub: uidForApi, clientId: oidc.client.clientId, scopes, expiresIn: body.expires_in, popKid, acrs });
            body.scope = scopes.join(' ');
          } else if (uidForApi && !realm.policy && !asked.some((x) => APP_SCOPES.includes(x))) {
            // The default resource's (Graph's): every consented scope of it, with the OpenID
            // scopes oidc-provider granted, but offline_access (Entra does not list it).
            body.scope = [...new Set([...asked.filter((x) => x !== 'offline_access'), ...consentedScopes(GRAPH_APP_ID)])].join(' ');
          }
          if (popKid && !(api.length && uidForApi)) {
            // A PoP token for the default resource (Graph in Entra), or an app's own: a JWT
            // bound to the key.
            const scopes = String(body.scope ?? '').split(' ').filter((x) => x && !OIDC_SCOPES.includes(x));
            const sub = uidForApi ?? oidc.client.clientId;
            body.access_token = apiAccessToken({ sub, clientId: oidc.client.clientId, scopes, expiresIn: body.expires_in, popKid, audience: GRAPH_APP_ID, acrs });
          }
          if (popKid) body.token_type = 'pop';
          body.ext_expires_in = body.expires_in;
          const rt = oidc.entities.RefreshToken;
          if (body.refresh_token && rt?.expiration) body.refresh_token_expires_in = rt.expiration;
          const uid = oidc.entities.Account?.accountId;
          if (String(oidc.body?.client_info) === '1' && uid) body.client_info = clientInfoOf(uid);
          if (realm.policy && !popKid && String(body.scope ?? '').split(' ').every((x) => !x || OIDC_SCOPES.includes(x))) {
            // B2C answers a request for OpenID scopes alone with an ID token and no access token.
            for (const k of ['access_token', 'expires_in', 'ext_expires_in']) delete body[k];
            body.id_token_expires_in = config.idTokenTtl;
          }
          ctx.body = body;
        }
        return;
      }

      if ((route === 'authorization' || route === 'resume') && kind === 'entra'
        && [302, 303].includes(ctx.status) && String(oidc.params?.client_info) === '1' && oidc.account) {
        // Entra also returns client_info next to the code in the authorization response.
        const location = ctx.response.get('Location');
        const u = location && URL.parse(location);
        if (u && redirectUriRegistered(`${u.origin}${u.pathname}`)) {
          const info = clientInfoOf(oidc.account.accountId);
          if (u.searchParams.has('code')) {
            u.searchParams.set('client_info', info);
            ctx.set('Location', u.href);
          } else if (u.hash) {
            const h = new URLSearchParams(u.hash.slice(1));
            if (h.has('code')) {
              h.set('client_info', info);
              u.hash = h.toString();
              ctx.set('Location', u.href);
            }
          }
        }
        return;
      }

      if (route === 'end_session' && ctx.status === 200) {
        // RP-initiated logout without confirmation: log out now and redirect.
        const { session, params } = oidc;
        // As Entra, a sign-out ends the browser session and revokes no refresh token (its
        // "Refresh tokens" revocation table: a web sign-out leaves them alive). A library that
        // keeps one after a sign-out would renew with it there, and so it would here. (A
        // generic provider's grants end with the session, as oidc-provider's do.)
        if (kind !== 'entra' && session?.authorizations) {
          for (const { grantId } of Object.values(session.authorizations)) {
            if (grantId) await revokeGrant(provider, grantId);
          }
        }
        if (session && !session.destroyed) await session.destroy();
        ctx.cookies.set(provider.cookieName('session'), null, {
          httpOnly: true, sameSite, overwrite: true,
        });
        let target = oidc.urlFor('end_session_success');
        if (params.post_logout_redirect_uri) {
          const u = new URL(params.post_logout_redirect_uri);
          if (params.state != null) u.searchParams.set('state', params.state);
          target = u.href;
        }
        ctx.status = 303;
        ctx.redirect(target);
      }
    });

    return provider;
  }

  async function revokeGrant(provider, grantId) {
    await Promise.all([provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode]
      .map((model) => model.revokeByGrantId(grantId)));
    await provider.Grant.adapter.destroy(grantId);
  }

  const entraRoutes = {
    authorization: '/oauth2/v2.0/authorize',
    token: '/oauth2/v2.0/token',
    end_session: '/oauth2/v2.0/logout',
    userinfo: '/oidc/userinfo',
    jwks: '/discovery/v2.0/keys',
    device_authorization: '/oauth2/v2.0/devicecode',
    code_verification: '/devicelogin',
  };
  const oidcRoutes = {
    authorization: '/auth',
    token: '/token',
    end_session: '/session/end',
    userinfo: '/me',
    jwks: '/jwks',
    device_authorization: '/device/auth',
    code_verification: '/device',
  };

  const home = { ns: 'entra', tenantId: TENANT_ID, homeTenant: TENANT_ID };
  const entra = createProvider('entra', `${origin}/${TENANT_ID}/v2.0`, entraRoutes, home);
  const guest = createProvider('entra', `${origin}/${GUEST_TENANT_ID}/v2.0`, entraRoutes, { ...home, tenantId: GUEST_TENANT_ID });
  const generic = createProvider('oidc', `${origin}/oidc`, oidcRoutes);
  const entraCallback = entra.callback();
  const genericCallback = generic.callback();
  const entraMount = (prefix, provider, ns, callback = provider.callback()) => ({ prefix, kind: 'entra', ns, provider, callback, routes: entraRoutes });

  mounts = [
    { ...entraMount(`/${TENANT_ID}`, entra, 'entra', entraCallback), tenantId: TENANT_ID },
    ...ENTRA_ALIASES.map((alias) => ({ ...entraMount(`/${alias}`, entra, 'entra', entraCallback), tenantId: TENANT_ID })),
    { ...entraMount(`/${GUEST_TENANT_ID}`, guest, 'entra'), tenantId: GUEST_TENANT_ID },
    ...B2C_POLICIES.map((policy) => {
      const prefix = `/${B2C_DOMAIN}/${policy}`;
      const realm = { ns: 'b2c', tenantId: B2C_TENANT_ID, homeTenant: B2C_TENANT_ID, policy };
      return { ...entraMount(prefix, createProvider('entra', `${origin}${prefix}/v2.0`, entraRoutes, realm), 'b2c'), policy };
    }),
    { prefix: '/oidc', kind: 'oidc', ns: 'oidc', provider: generic, callback: genericCallback, routes: oidcRoutes },
  ];
  ready = true;
  clearTimeout(slowStart);

  // -- minted authorization codes (POST /__test/code, idp.mintCode) ------------------
  // Stores what an authorize request (no prompt) + login form + auto-consent would have
  // stored: the account, a Session (never sent as a cookie) holding the sid and grant, the
  // Grant (all supported scopes) and the AuthorizationCode. The token endpoint then treats
  // the code exactly like an interactive one (single use, PKCE, redirect_uri match).
  const mintError = (error, description) => Object.assign(new Error(description), { status: 400, error });

  async function mintCode(input = {}) {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw mintError('invalid_request', 'expected a JSON object');
    const pick = (...names) => names.map((n) => input[n]).find((v) => v !== undefined && v !== null);
    const str = (value, name) => {
      if (value !== undefined && typeof value !== 'string') throw mintError('invalid_request', `${name} must be a string`);
      return value;
    };
    const mode = str(pick('mode'), 'mode') ?? 'entra';
    // (Entra's tenant: the home one by default, or the guest tenant.)
    const tenant = str(pick('tenant'), 'tenant');
    const mount = mounts.find((m) => m.kind === mode && (tenant === undefined || m.tenantId === tenant));
    if (!mount) throw mintError('invalid_request', 'mode must be "entra" or "oidc", and tenant one of the Entra tenants');
    const login = (str(pick('login'), 'login') ?? '').trim();
    if (!login) throw mintError('invalid_request', 'login is required');
    const clientId = str(pick('client_id', 'clientId'), 'client_id') ?? CLIENT_ID;
    if (!TEST_CLIENTS.has(clientId) && clientId !== CLI_CLIENT_ID) throw mintError('invalid_client', 'client_id is not a test client');
    const redirectUri = str(pick('redirect_uri', 'redirectUri'), 'redirect_uri');
    if (!redirectUri) throw mintError('invalid_request', 'redirect_uri is required');
    if (!(clientId === CLI_CLIENT_ID ? loopbackRedirect(redirectUri) : redirectUriRegistered(redirectUri))) {
      throw mintError('invalid_redirect_uri', "redirect_uri did not match any of the client's registered redirect_uris");
    }
    const challenge = str(pick('code_challenge', 'codeChallenge'), 'code_challenge');
    if (!challenge || !/^[\w.~-]{43,128}$/.test(challenge)) {
      throw mintError('invalid_request', 'code_challenge must be a string of 43 to 128 characters [A-Za-z0-9._~-]');
    }
    const method = str(pick('code_challenge_method', 'codeChallengeMethod'), 'code_challenge_method') ?? 'S256';
    if (method !== 'S256') throw mintError('invalid_request', 'not supported value of code_challenge_method');
    const nonce = str(pick('nonce'), 'nonce');
    const scopeParam = str(pick('scope'), 'scope') ?? 'openid profile offline_access';
    if (!/^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(scopeParam)) {
      throw mintError('invalid_scope', 'scope contains invalid characters');
    }
    // As at the authorization endpoint: offline_access is dropped from the code's scope
    // (oidc-provider keeps it only with prompt=consent; a refresh token is issued when the
    // request asked for it), unknown scopes are ignored.
    const requested = new Set(scopeParam.split(' ').filter((s) => s !== 'offline_access'));
    if (scopeParam.split(' ').includes('offline_access')) offlineChallenges.add(challenge);
    if (!requested.has('openid')) throw mintError('invalid_scope', 'scope must include openid');

    const { provider } = mount;
    const client = await provider.Client.find(clientId);
    const accountId = accountIdForLogin(login);
    if (!accounts.has(accountId)) accounts.set(accountId, { login });

    const grant = new provider.Grant({ clientId, accountId });
    grant.addOIDCScope(supportedScopes.join(' '));
    const grantId = await grant.save();

    const session = new provider.Session();
    session.loginAccount({ accountId, amr: ['pwd'] });
    session.ensureClientContainer(clientId);
    session.grantIdFor(clientId, grantId);
    session.authorizationFor(clientId).persistsLogout = true;
    await session.save(SESSION_TTL);

    const code = new provider.AuthorizationCode({
      accountId,
      amr: session.amr,
      authTime: session.authTime(),
      client,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      grantId,
      nonce,
      redirectUri,
      scope: grant.getOIDCScopeFiltered(requested),
      sessionUid: session.uid,
      sid: session.sidFor(clientId),
    });
    return { code: await code.save() };
  }

  // -- device codes approved by a test (POST /__test/device, idp.approveDevice) ----------
  // Does what the user would do on the verification page: signs in as `login` and approves the
  // device code `user_code` with every supported scope (or, with `deny`, refuses it).
  async function approveDevice(input = {}) {
    const mount = mounts.find((m) => m.kind === (input.mode || 'entra'));
    if (!mount) throw mintError('invalid_request', 'mode must be "entra" or "oidc"');
    const { provider } = mount;
    const userCode = typeof input.user_code === 'string' ? input.user_code : '';
    const code = await provider.DeviceCode.findByUserCode(userCode.replace(/[^A-Za-z]/g, '').toUpperCase(), { ignoreExpiration: true });
    if (!code) throw mintError('invalid_grant', 'no such user code');
    if (input.deny) {
      // (Entra's code for a declined device code; RFC 8628's, a generic provider's, is access_denied.)
      code.error = mount.kind === 'entra' ? 'authorization_declined' : 'access_denied';
      code.errorDescription = 'the user declined';
      await code.save();
      return { ok: true };
    }
    const login = String(input.login || '').trim();
    if (!login) throw mintError('invalid_request', 'login is required');
    const accountId = accountIdForLogin(login);
    if (!accounts.has(accountId)) accounts.set(accountId, { login });
    const grant = new provider.Grant({ clientId: code.clientId, accountId });
    grant.addOIDCScope(supportedScopes.join(' '));
    const grantId = await grant.save();
    const session = new provider.Session();
    session.loginAccount({ accountId, amr: ['pwd'] });
    session.ensureClientContainer(code.clientId);
    session.grantIdFor(code.clientId, grantId);
    await session.save(SESSION_TTL);
    // As the consent step would: the code carries the requested scopes the grant covers
    // (offline_access aside, as at the authorization endpoint; a refresh token comes anyway).
    const requested = new Set(String(code.params?.scope || '').split(' ').filter((x) => x && x !== 'offline_access'));
    const scope = grant.getOIDCScopeFiltered(requested);
    Object.assign(code, { accountId, grantId, scope, amr: session.amr, authTime: session.authTime(), sessionUid: session.uid, sid: session.sidFor(code.clientId) });
    await code.save();
    return { ok: true };
  }

  // -- request handling --------------------------------------------------------
  async function handle(req, res) {
    try {
      if (!ready) {
        sendJson(res, 503, { error: 'temporarily_unavailable' });
        return;
      }
      const url = new URL(req.url, origin);
      const { pathname } = url;

      if (pathname === '/__test' || pathname.startsWith('/__test/')) {
        await handleTestControl(pathname, req, res);
        return;
      }
      if (pathname === '/' || pathname === '') {
        sendJson(res, 200, info(), corsHeaders(req));
        return;
      }
      const mount = mounts.find((m) => pathname === m.prefix || pathname.startsWith(`${m.prefix}/`));
      if (mount && stall.has('discovery') && pathname.endsWith('/.well-known/openid-configuration')) {
        record({ route: 'discovery', prefix: mount.prefix, stalled: true });
        stalled.add(res);
        return;
      }
      if (!mount) {
        sendJson(res, 404, { error: 'not_found', path: pathname });
        return;
      }
      if (pathname.endsWith('/.well-known/openid-configuration')) counters.discovery += 1;
      await dispatch(mount, pathname.slice(mount.prefix.length) || '/', url, req, res);
    } catch (err) {
      console.error('[idp] unhandled error', err);
      if (!res.headersSent) sendJson(res, err.status || 500, { error: 'server_error', error_description: String(err.message) });
      else res.end();
    }
  }

  async function dispatch(mount, rest, url, req, res) {
    const { routes } = mount;
    const interaction = /^\/interaction\/([^/]+)$/.exec(rest);
    if (interaction) {
      req.idpPrefix = mount.prefix;
      await handleInteraction(mount, interaction[1], req, res);
      return;
    }

    // Entra discovery lives at /{tenant}/v2.0/.well-known/openid-configuration.
    if (mount.kind === 'entra' && rest.startsWith('/v2.0/.well-known/')) rest = rest.slice('/v2.0'.length);

    let search = url.search;
    if (rest === routes.authorization && (req.method === 'GET' || req.method === 'POST')) {
      const method = req.method;
      if (method === 'POST') {
        // Entra takes the authorize request as a form POST too (msal's httpMethod: "POST").
        // oidc-provider does only with SameSite=None cookies, which need https: it gets the
        // equivalent GET (the action URL's query, then the form's fields), checked as strictly.
        if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] || '')) {
          sendHtml(res, 400, errorPage('invalid_request', 'the authorize form must be application/x-www-form-urlencoded'));
          return;
        }
        for (const [k, v] of new URLSearchParams((await readBody(req)).toString('utf8'))) url.searchParams.append(k, v);
        req.method = 'GET';
        delete req.headers['content-type'];
        delete req.headers['content-length'];
        search = url.search;
      }
      counters.authorize += 1;
      if (url.searchParams.get('instance_aware') === 'true' && url.searchParams.get('state')) instanceAwareStates.add(url.searchParams.get('state'));
      if ((url.searchParams.get('scope') ?? '').split(' ').includes('offline_access')) offlineChallenges.add(url.searchParams.get('code_challenge'));
      record({ route: 'authorize', method, prefix: mount.prefix, redirect_uri: url.searchParams.get('redirect_uri'), prompt: url.searchParams.get('prompt'), scope: url.searchParams.get('scope'), pocd: url.searchParams.get('pocd'), instance_aware: url.searchParams.get('instance_aware'), login_hint: url.searchParams.get('login_hint'), sid: url.searchParams.get('sid'), claims: url.searchParams.get('claims'), params: loggedParams(url.searchParams) });
      // Test switch: a silent (prompt=none) request lands on a page that never answers, as a
      // hidden iframe does when the browser blocks the provider's third-party cookies.
      if (silentNoResponse && url.searchParams.get('prompt') === 'none') {
        sendHtml(res, 200, '<!doctype html><title>Sign in</title><p>Your browser blocked the session cookie.</p>');
        return;
      }
      // Test switch: a silent request first lands on a page that goes on after this many ms,
      // as a federated sign-in's hop (an identity provider's auto-posted form) on a slow link.
      if (silentHopMs > 0 && url.searchParams.get('prompt') === 'none') {
        if (url.searchParams.get('hop') !== 'done') {
          const next = new URL(url);
          next.searchParams.set('hop', 'done');
          sendHtml(res, 200, `<!doctype html><title>Signing in</title><script>setTimeout(() => location.replace(${JSON.stringify(next.pathname + next.search)}), ${silentHopMs});</script>`);
          return;
        }
        url.searchParams.delete('hop');
        search = url.search;
      }
    }
    if (rest === routes.end_session && req.method === 'GET') {
      counters.endSession += 1;
      const sp = url.searchParams;
      // (The app's own part of the state, after the library's and a `|`, as msal encodes it.)
      const appState = sp.has('state') && sp.get('state').includes('|') ? sp.get('state').slice(sp.get('state').indexOf('|') + 1) : null;
      record({ route: 'end_session', prefix: mount.prefix, post_logout_redirect_uri: sp.get('post_logout_redirect_uri'), state: sp.has('state'), logout_hint: sp.has('logout_hint'), pocd: sp.get('pocd'), app_state: appState, params: loggedParams(sp) });
      const refused = logoutRefusal(sp);
      if (refused) {
        sendHtml(res, 400, errorPage('invalid_request', refused));
        return;
      }
      // (The generic provider as it is: the client must name itself.)
      search = mount.kind === 'oidc' ? url.search : fixLogoutQuery(sp);
    }

    req.idpPrefix = mount.prefix;
    req.originalUrl = mount.prefix + rest + search;
    req.url = rest + search;

    if (rest === routes.token && req.method === 'POST') {
      await handleToken(mount, req, res);
      return;
    }
    if (cloudInstance) {
      const setHeader = res.setHeader.bind(res);
      res.setHeader = (name, value) => setHeader(name, /^location$/i.test(name) && typeof value === 'string' ? withCloudInstance(value) : value);
    }
    await mount.callback(req, res);
  }

  // An authorization response (fragment or query) to an instance-aware request, with the
  // user's cloud added.
  function withCloudInstance(location) {
    let u;
    try {
      u = new URL(location);
    } catch {
      return location;
    }
    for (const part of ['hash', 'search']) {
      const params = new URLSearchParams(u[part].slice(1));
      if (params.has('code') && instanceAwareStates.has(params.get('state'))) {
        params.append('cloud_instance_host_name', cloudInstance);
        if (graphHosts) {
          params.append('cloud_graph_host_name', graphHosts[0]);
          params.append('msgraph_host', graphHosts[1]);
        }
        u[part] = params.toString();
        return u.href;
      }
    }
    return location;
  }

  // Entra's checks on a logout request: a post_logout_redirect_uri must be one of the client's
  // registered redirect URIs, exactly (the user is not sent anywhere else).
  function logoutRefusal(sp) {
    const plru = sp.get('post_logout_redirect_uri');
    if (plru !== null && !redirectUriRegistered(plru)) {
      return `post_logout_redirect_uri '${plru}' is not a registered redirect URI of the application`;
    }
    return null;
  }

  // MSAL sends no client_id on logout; the id_token_hint is optional and would fail
  // validation after an IdP restart (new keys). Identify our client by client_id instead.
  function fixLogoutQuery(sp) {
    const hint = sp.get('id_token_hint');
    if (hint) {
      try {
        const payload = JSON.parse(Buffer.from(hint.split('.')[1], 'base64url').toString('utf8'));
        const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
        if (aud === CLIENT_ID && (!sp.has('client_id') || sp.get('client_id') === CLIENT_ID)) {
          sp.delete('id_token_hint');
          sp.set('client_id', CLIENT_ID);
        }
      } catch { /* leave it to oidc-provider */ }
    }
    const plru = sp.get('post_logout_redirect_uri');
    if (!sp.has('client_id') && !sp.has('id_token_hint') && plru && redirectUriRegistered(plru)) sp.set('client_id', CLIENT_ID);
    const qs = sp.toString();
    return qs ? `?${qs}` : '';
  }

  // A token request refused before it reaches oidc-provider, as Entra answers it (no-cache,
  // with the SPA's CORS headers).
  const refuse = (req, res, body) => sendJson(res, 400, body, { Pragma: 'no-cache', ...corsHeaders(req) });

  async function handleToken(mount, req, res) {
    counters.token += 1;
    let body = await readBody(req);
    const isForm = /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '');
    const form = isForm ? new URLSearchParams(body.toString('utf8')) : undefined;
    const grantType = form?.get('grant_type') || 'unknown';
    counters.byGrant[grantType] = (counters.byGrant[grantType] ?? 0) + 1;
    record({
      route: 'token', prefix: mount.prefix, grant_type: grantType, at: Date.now(), scope: form?.get('scope') ?? undefined,
      correlationId: new URL(req.url, 'http://x').searchParams.get('client-request-id') || req.headers['client-request-id'] || form?.get('client-request-id') || undefined,
      ...(form?.has('claims') ? { claims: form.get('claims') } : {}),
      ...(form ? { params: loggedParams(form, new URL(req.url, 'http://x').searchParams) } : {}),
      // msal's telemetry.application, when the app sends it.
      ...(form?.has('x-app-name') || form?.has('x-app-ver') ? { app: `${form.get('x-app-name')}@${form.get('x-app-ver')}` } : {}),
    });
    if (stall.has('token')) {
      stalled.add(res);
      return;
    }

    if (failNext && failNext.remaining > 0) {
      const f = failNext;
      f.remaining -= 1;
      if (f.remaining <= 0) failNext = null;
      const names = Object.keys(f.headers);
      const payload = typeof f.body === 'string' ? f.body : JSON.stringify(f.body);
      if (f.truncate) {
        // The connection breaks off in the middle of the body (a dropped network, a proxy
        // restarting): half of it is sent under the whole one's length.
        res.writeHead(f.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(payload), ...corsHeaders(req) });
        res.write(payload.slice(0, payload.length >> 1));
        setTimeout(() => res.destroy(), 50);
        return;
      }
      send(res, f.status, payload, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        Pragma: 'no-cache',
        ...f.headers,
        ...corsHeaders(req, names.length ? { 'Access-Control-Expose-Headers': names.join(', ') } : {}),
      });
      return;
    }

    if (form && mount.kind === 'entra' && SPA_CLIENTS.includes(form.get('client_id')) && ['authorization_code', 'refresh_token'].includes(grantType) && !req.headers.origin) {
      // As Entra (AADSTS9002327): a SPA's code or refresh token is redeemed only by a
      // cross-origin request (a browser's, which names its origin).
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: "AADSTS9002327: Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
        error_codes: [9002327],
      }, { Pragma: 'no-cache' });
      return;
    }
    if (form && mount.kind === 'entra' && grantType === 'client_credentials') {
      // As Entra: an app token names its resource with `/.default` (AADSTS1002012), and a
      // request without a scope is refused (AADSTS90014).
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      const bad = scopes.find((sc) => !sc.endsWith('/.default'));
      if (!scopes.length || bad) {
        refuse(req, res, bad ? {
          error: 'invalid_scope',
          error_description: `AADSTS1002012: The provided value for scope ${bad} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
          error_codes: [1002012],
        } : {
          error: 'invalid_request',
          error_description: "AADSTS90014: The required field 'scope' is missing from the credential. Ensure that you have all the necessary parameters for the login request.",
          error_codes: [90014],
        });
        return;
      }
    }
    const grantValue = form && (grantType === 'refresh_token' ? form.get('refresh_token') : grantType === 'authorization_code' ? form.get('code') : null);
    if (mount.policy && grantValue && issuedBy.has(grantValue) && issuedBy.get(grantValue) !== mount.policy) {
      // As B2C: a code or refresh token is redeemed only at the user flow that issued it.
      refuse(req, res, {
        error: 'invalid_grant',
        error_description: `AADB2C90088: The provided grant has not been issued for this endpoint. Actual Value : ${issuedBy.get(grantValue)} and Expected Value : ${mount.policy}`,
      });
      return;
    }
    if (grantType === 'authorization_code' && mount.tenantId && codeTenant.has(grantValue) && codeTenant.get(grantValue) !== mount.tenantId) {
      // As Entra: a code is redeemed in the tenant that issued it (a refresh token, unlike a
      // code, works in every tenant of the user).
      refuse(req, res, {
        error: 'invalid_grant',
        error_description: 'AADSTS700005: Provided Authorization Code is intended to use against other tenant, thus rejected.',
        error_codes: [700005],
      });
      return;
    }
    if (form && ['refresh_token', 'authorization_code'].includes(grantType) && form.has('scope')) {
      const unknown = (form.get('scope') ?? '').split(' ').filter((sc) => sc && !supportedScopeSet.has(sc));
      if (unknown.length) {
        // As Entra (AADSTS70011): a scope the provider does not know fails the whole request.
        refuse(req, res, {
          error: 'invalid_scope',
          error_description: `AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope '${unknown.join(' ')}' does not exist.`,
          error_codes: [70011],
        });
        return;
      }
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      const apis = new Set(scopes.map((sc) => apiOfScope(sc)?.audience ?? (OIDC_SCOPES.includes(sc) ? undefined : '')).filter((a) => a !== undefined));
      if (mount.kind === 'entra' && apis.size > 1 && [...apis].some(Boolean)) {
        // As Entra (AADSTS28000), before the refresh token or code is redeemed (it stays valid).
        refuse(req, res, {
          error: 'invalid_request',
          error_description: 'AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource.',
          error_codes: [28000],
        });
        return;
      }
      if (scopes.some((sc) => consentRequired.has(sc))) {
        // As Entra, before the refresh token or code is redeemed (a refresh token stays valid
        // for other scopes): a code is redeemed only for scopes the user consented to (those of
        // its authorize request, or consented before).
        refuse(req, res, { error: 'invalid_grant', error_description: CONSENT_REQUIRED, error_codes: [65001], suberror: 'consent_required' });
        return;
      }
      if (grantType === 'refresh_token') widenRefreshScope(mount, form);
      else narrowCodeScope(mount.ns, form);
    }
    // An authentication context the request's claims ask for: its user must have satisfied it
    // (else Entra's AADSTS50076, before the refresh token or code is redeemed), and the token
    // names it.
    const acrs = mount.kind === 'entra' ? acrsAsked(form?.get('claims')) : [];
    if (acrs.length && ['refresh_token', 'authorization_code'].includes(grantType)) {
      const grant = grantType === 'refresh_token'
        ? store.peek(mount.ns, 'RefreshToken', form.get('refresh_token') ?? '')
        : store.peek(mount.ns, 'AuthorizationCode', form.get('code') ?? '');
      const missing = grant && !grant.consumed ? acrs.filter((c) => !satisfied(grant.accountId, [c], grant.authTime)) : [];
      if (missing.length) {
        // As Entra's answer (invalid_grant, suberror basic_action), with the claims that would
        // satisfy it.
        const claims = { access_token: { acrs: { essential: true, ...(missing.length === 1 ? { value: missing[0] } : { values: missing }) } } };
        refuse(req, res, { error: 'invalid_grant', error_description: STEP_UP_REQUIRED, error_codes: [50076], suberror: 'basic_action', claims: JSON.stringify(claims) });
        return;
      }
    }
    // msal's PoP, as Entra: `token_type=pop` with `req_cnf` (base64url JSON naming the app's
    // key) binds the access token to that key (its `cnf.kid`); the response's token_type is pop.
    let popKid;
    if (form && mount.kind === 'entra' && form.get('token_type') === 'pop') {
      try { popKid = JSON.parse(Buffer.from(form.get('req_cnf') ?? '', 'base64url').toString('utf8'))?.kid; } catch { popKid = undefined; }
      if (typeof popKid !== 'string' || !popKid) {
        refuse(req, res, { error: 'invalid_request', error_description: 'AADSTS50146: req_cnf is missing or is not valid.' });
        return;
      }
      form.delete('token_type');
      form.delete('req_cnf');
      body = Buffer.from(form.toString());
    }
    const replayed = replayRequest(req, body);
    replayed.popKid = popKid;
    replayed.acrs = acrs;
    await mount.callback(replayed, res);
  }

  // Refresh requests (of known scopes only, see handleToken): at the Entra mount, a refresh
  // token is redeemed for any scope of its grant (all supported scopes are granted to our
  // client), e.g. api.write after logging in with api.read, as Entra's multi-resource refresh
  // tokens are. A generic provider (node-oidc-provider, Keycloak, Auth0, Okta) refuses a scope
  // its refresh token was not issued for (RFC 6749 section 6): there only the OpenID scopes
  // are added, offline_access among them, which oidc-provider strips at the authorization
  // endpoint unless prompt=consent (this provider issues the refresh token anyway, see mintCode),
  // and the benchmark's `extraScopes` (so that both libraries fill a big cache from one sign-in;
  // no test of the clients asks for them).
  function widenRefreshScope(mount, form) {
    const kept = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const rt = store.peek(mount.ns, 'RefreshToken', form.get('refresh_token') ?? '');
    if (rt && !rt.consumed) {
      const grant = store.peek(mount.ns, 'Grant', rt.grantId);
      const granted = new Set(grant?.openid?.scope?.split(' ') ?? []);
      const have = new Set((rt.scope ?? '').split(' ').filter(Boolean));
      const add = kept.filter((s) => !have.has(s) && granted.has(s) && (mount.kind === 'entra' || OIDC_SCOPES.includes(s) || moreScopes.includes(s)));
      if (add.length) rt.scope = [...have, ...add].join(' ');
    }
  }

  // As Entra: a code is redeemed for the scopes the token request names (one resource), of
  // those the user consented to; not for every scope the authorize request named (msal asks
  // consent there for extraScopesToConsent, then redeems the code for the request's scopes).
  // (Whether a refresh token comes with it stays the code's: offline_access is not a scope of
  // codes here, see mintCode.)
  function narrowCodeScope(ns, form) {
    const code = store.peek(ns, 'AuthorizationCode', form.get('code') ?? '');
    if (!code || code.consumed) return;
    const grant = store.peek(ns, 'Grant', code.grantId);
    const granted = new Set(grant?.openid?.scope?.split(' ') ?? []);
    const had = new Set((code.scope ?? '').split(' ').filter(Boolean));
    const asked = (form.get('scope') ?? '').split(' ').filter((s) => s && s !== 'offline_access' && s !== 'openid' && granted.has(s));
    code.scope = [...(had.has('openid') ? ['openid'] : []), ...new Set(asked)].join(' ');
  }

  async function handleInteraction(mount, uid, req, res) {
    const { provider } = mount;
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch (err) {
      sendHtml(res, 400, errorPage('invalid_request', `interaction not found: ${err.message}`));
      return;
    }
    if (details.uid !== uid) {
      sendHtml(res, 400, errorPage('invalid_request', 'interaction mismatch'));
      return;
    }
    const promptName = details.prompt?.name;

    if (promptName === 'consent') {
      // Never shown: consent is granted automatically (normally already done by loadExistingGrant).
      let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
      const accountId = details.session?.accountId ?? details.lastSubmission?.login?.accountId;
      grant ||= new provider.Grant({ accountId, clientId: details.params.client_id });
      grant.addOIDCScope(supportedScopes.join(' '));
      const claims = details.prompt.details?.missingOIDCClaims;
      if (claims?.length) grant.addOIDCClaims(claims);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }

    if ((req.method === 'GET' || req.method === 'HEAD') && !autoLogin) {
      // As Entra: the sign-in page cuts itself off from its opener (Cross-Origin-Opener-Policy)
      // unless the client said no window of another origin can reach its popup (msal 5's
      // pocd=1); a popup then reaches its app only through the redirect bridge.
      sendHtml(res, 200, loginPage({ hint: loginOfHint(details.params.login_hint), forgot: mount.ns === 'b2c' && mount.prefix.endsWith('/b2c_1_signin') }), coop && details.params.pocd !== '1' ? { 'Cross-Origin-Opener-Policy': 'same-origin' } : {});
      return;
    }
    if (req.method !== 'POST' && !autoLogin) {
      sendJson(res, 405, { error: 'method_not_allowed' });
      return;
    }
    const form = autoLogin ? new URLSearchParams({ login: autoLogin }) : new URLSearchParams((await readBody(req)).toString('utf8'));
    if (form.get('forgot') === '1' && mount.ns === 'b2c') {
      // B2C's sign-in user flow ends a "Forgot your password?" with this error at the redirect
      // URI; the app is to start its password-reset user flow (another authority).
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: `AADB2C90118: The user has forgotten their password.\r\nCorrelation ID: ${crypto.randomUUID()}\r\nTimestamp: ${new Date().toISOString().replace('T', ' ').slice(0, 19)}Z\r\n`,
      }, { mergeWithLastSubmission: false });
      return;
    }
    const login = (form.get('login') ?? '').trim();
    if (!login) {
      sendHtml(res, 400, loginPage({ error: 'Enter a login name.' }));
      return;
    }
    if (coopStep && !autoLogin && form.get('step') !== 'continue') {
      sendHtml(res, 200, page('Verify - msal-wasm test IdP', '<h1>Verify it is you</h1><form method=post>'
        + `<input type=hidden name=login value="${esc(login)}"><input type=hidden name=kmsi value="${form.get('kmsi') === 'on' ? 'on' : ''}">`
        + '<input type=hidden name=step value=continue><button id=continue type=submit>Continue</button></form>'), { 'Cross-Origin-Opener-Policy': 'same-origin' });
      return;
    }
    const accountId = accountIdForLogin(login);
    if (!accounts.has(accountId)) accounts.set(accountId, { login });
    // The sign-in satisfies the authentication contexts its request asked for, from now.
    for (const c of acrsAsked(details.params.claims)) {
      if (!stepUps.has(accountId)) stepUps.set(accountId, new Map());
      stepUps.get(accountId).set(c, Math.floor(Date.now() / 1000));
    }
    // "Stay signed in?" answered yes: Entra's ID tokens then carry signin_state ["kmsi"].
    accounts.get(accountId).kmsi = form.get('kmsi') === 'on';
    await provider.interactionFinished(req, res, {
      login: { accountId, remember: true, amr: ['pwd'] },
      select_account: {},
    }, { mergeWithLastSubmission: false });
  }

  // -- test control ---------------------------------------------------------------
  async function handleTestControl(pathname, req, res) {
    const cors = corsHeaders(req);
    if (req.method === 'OPTIONS') {
      const o = req.headers.origin;
      if (o && spaOrigins.has(o)) {
        Object.assign(cors, {
          'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
          'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || 'content-type',
          'Access-Control-Max-Age': '600',
        });
      }
      send(res, 204, '', cors);
      return;
    }
    const readJson = async () => {
      const raw = (await readBody(req)).toString('utf8').trim();
      return raw ? JSON.parse(raw) : {};
    };
    try {
      switch (`${req.method} ${pathname}`) {
        case 'GET /__test/counters':
          sendJson(res, 200, counters, cors);
          return;
        case 'POST /__test/reset':
          await readBody(req);
          counters = newCounters();
          failNext = null;
          sendJson(res, 200, { ok: true }, cors);
          return;
        case 'GET /__test/config':
          sendJson(res, 200, currentConfig(), cors);
          return;
        case 'POST /__test/config':
          applyConfig(await readJson());
          sendJson(res, 200, currentConfig(), cors);
          return;
        case 'POST /__test/fail-next':
          setFailNext(await readJson());
          sendJson(res, 200, { ok: true, remaining: failNext?.remaining ?? 0 }, cors);
          return;
        case 'POST /__test/device':
          sendJson(res, 200, await approveDevice(await readJson()), cors);
          return;
        case 'GET /__test/pop-resource':
        case 'POST /__test/pop-resource':
        case 'GET /__test/pop-resource-2': {
          // A resource that takes msal's PoP tokens (a signed HTTP request wrapping an access
          // token of this provider), as an Entra-protected API checks them.
          const auth = String(req.headers.authorization ?? '');
          const checked = auth.startsWith('PoP ') ? checkShr(auth.slice(4), req.method, req.headers.host, pathname) : { ok: false, error: 'no PoP token' };
          sendJson(res, checked.ok ? 200 : 401, checked, cors);
          return;
        }
        case 'GET /__test/step-up-resource': {
          // An API behind a Conditional Access authentication context (c1): a token of this
          // provider without it gets Entra's claims challenge (insufficient_claims, the claims
          // to ask for, base64), which the app passes to acquireToken* as `claims`.
          const auth = String(req.headers.authorization ?? '');
          const claims = auth.startsWith('Bearer ') ? signedClaimsOf(auth.slice(7)) : undefined;
          if (claims?.acrs?.includes('c1')) {
            sendJson(res, 200, { ok: true, oid: claims.oid, acrs: claims.acrs }, cors);
            return;
          }
          const challenge = Buffer.from(JSON.stringify({ access_token: { acrs: { essential: true, value: 'c1' } } })).toString('base64');
          sendJson(res, 401, { error: 'insufficient_claims' }, {
            ...cors,
            ...(cors['Access-Control-Allow-Origin'] ? { 'Access-Control-Expose-Headers': 'WWW-Authenticate' } : {}),
            'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${challenge}"`,
          });
          return;
        }
        case 'POST /__test/code':
          sendJson(res, 200, await mintCode(await readJson()), cors);
          return;
        default:
          sendJson(res, 404, { error: 'not_found' }, cors);
      }
    } catch (err) {
      sendJson(res, err.status || 400, { error: err.error || 'invalid_request', error_description: String(err.message) }, cors);
    }
  }

  function currentConfig() {
    return { ...config, consentRequired: [...consentRequired], silentNoResponse, silentHopMs, coop, coopStep, autoLogin, dpopRequireNonce, otherSessions, cloudInstance, graphHosts, stall: [...stall], spaOrigins: [...spaOrigins], redirectUris: [...registered] };
  }

  function applyConfig(patch = {}) {
    const next = { ...config };
    for (const k of ['accessTokenTtl', 'idTokenTtl', 'refreshTokenTtl']) {
      if (patch[k] !== undefined) next[k] = positiveTtl(patch[k], k);
    }
    const origins = patch.spaOrigins !== undefined ? patch.spaOrigins.map(normalizeOrigin) : undefined;
    const uris = patch.redirectUris !== undefined ? normalizeRedirectUris(patch.redirectUris) : undefined;
    if (patch.silentNoResponse !== undefined) silentNoResponse = patch.silentNoResponse === true;
    if (patch.consentRequired !== undefined) consentRequired = new Set(Array.isArray(patch.consentRequired) ? patch.consentRequired.map(String) : []);
    if (patch.silentHopMs !== undefined) silentHopMs = Number.isInteger(patch.silentHopMs) && patch.silentHopMs > 0 ? patch.silentHopMs : 0;
    if (patch.coop !== undefined) coop = patch.coop !== false;
    if (patch.coopStep !== undefined) coopStep = patch.coopStep === true;
    if (patch.autoLogin !== undefined) autoLogin = patch.autoLogin ? String(patch.autoLogin) : null;
    if (patch.dpopRequireNonce !== undefined) dpopRequireNonce = patch.dpopRequireNonce === true;
    if (patch.otherSessions !== undefined) otherSessions = patch.otherSessions === true;
    if (patch.cloudInstance !== undefined) cloudInstance = patch.cloudInstance ? String(patch.cloudInstance) : null;
    if (patch.graphHosts !== undefined) graphHosts = Array.isArray(patch.graphHosts) && patch.graphHosts.length === 2 ? patch.graphHosts.map(String) : null;
    if (patch.stall !== undefined) {
      stall = new Set(Array.isArray(patch.stall) ? patch.stall.map(String) : []);
      if (!stall.size) for (const r of stalled) r.destroy();
      if (!stall.size) stalled.clear();
    }
    Object.assign(config, next);
    if (origins) {
      spaOrigins.clear();
      origins.forEach((o) => spaOrigins.add(o));
    }
    if (uris) explicitRedirectUris = uris;
    if (origins || uris) registerRedirectUris();
  }

  // The claims of a JWT this provider signed (an API's access token), unexpired, or undefined.
  function signedClaimsOf(jwt) {
    const parts = jwt.split('.');
    if (parts.length !== 3 || !crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), signingPublicKey, Buffer.from(parts[2], 'base64url'))) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      return claims.exp > Date.now() / 1000 ? claims : undefined;
    } catch { return undefined; }
  }

  // A signed HTTP request (msal's PoP): signed by the key in its cnf.jwk, whose thumbprint is
  // the header's kid and the wrapped access token's cnf.kid; the token signed by this provider
  // and unexpired; m, u and p those of the request (below); ts within 5 minutes.
  function checkShr(shr, method, host, path) {
    const fail = (error) => ({ ok: false, error });
    const parts = String(shr).split('.');
    if (parts.length !== 3) return fail('not a JWS');
    let header;
    let claims;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch { return fail('not JSON'); }
    if (header.typ !== 'pop' || header.alg !== 'RS256') return fail('header');
    const jwk = claims?.cnf?.jwk;
    if (!jwk || jwk.kty !== 'RSA') return fail('no cnf.jwk');
    let signed = false;
    try {
      signed = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), crypto.createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }), Buffer.from(parts[2], 'base64url'));
    } catch { signed = false; }
    if (!signed) return fail('signature');
    const thumbprint = crypto.createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest('base64url');
    let kid;
    try { kid = JSON.parse(Buffer.from(String(header.kid), 'base64url').toString('utf8')).kid; } catch { kid = undefined; }
    if (kid !== thumbprint) return fail('kid');
    const at = String(claims.at ?? '').split('.');
    if (at.length !== 3 || !crypto.verify('sha256', Buffer.from(`${at[0]}.${at[1]}`), signingPublicKey, Buffer.from(at[2], 'base64url'))) return fail('access token signature');
    const token = JSON.parse(Buffer.from(at[1], 'base64url').toString('utf8'));
    if (!(token.exp > Date.now() / 1000)) return fail('access token expired');
    if (token.cnf?.kid !== thumbprint) return fail('access token not bound to this key');
    // m as sent; u the host, with or without its port, and p the path without its outer
    // slashes, both ignoring case, as Microsoft.IdentityModel's SignedHttpRequestHandler checks
    // them for Entra's resources (ValidateUClaim, ValidatePClaim).
    const lower = (s) => String(s).toLowerCase();
    const inner = (p) => lower(p).replace(/^\/+|\/+$/g, '');
    const hosts = [lower(host), lower(host).replace(/:\d+$/, '')];
    if (claims.m !== method || typeof claims.u !== 'string' || !hosts.includes(lower(claims.u))) return fail('m/u/p');
    if (typeof claims.p !== 'string' || inner(claims.p) !== inner(path)) return fail('m/u/p');
    if (!(Math.abs(Date.now() / 1000 - Number(claims.ts)) < 300)) return fail('ts');
    return { ok: true, oid: token.oid, nonce: claims.nonce, clientClaims: claims.client_claims ?? null };
  }

  function setFailNext(spec = {}) {
    const status = spec.status === undefined ? 400 : Number(spec.status);
    if (!Number.isInteger(status) || status < 200 || status > 599) throw new TypeError('status must be an HTTP status code');
    const count = spec.count === undefined ? 1 : Number(spec.count);
    if (!Number.isInteger(count) || count < 0) throw new TypeError('count must be a non-negative integer');
    const headers = Object.fromEntries(Object.entries(spec.headers ?? {}).map(([k, v]) => [k, String(v)]));
    failNext = count > 0 ? {
      status,
      body: spec.body ?? { error: 'invalid_grant', error_description: 'injected failure' },
      headers,
      truncate: spec.truncate === true,
      remaining: count,
    } : null;
  }

  function info() {
    const entraBase = `${origin}/${TENANT_ID}`;
    const oidcBase = `${origin}/oidc`;
    return {
      origin,
      clientId: CLIENT_ID,
      tenantId: TENANT_ID,
      entraAuthority: entraBase,
      oidcAuthority: oidcBase,
      guestAuthority: `${origin}/${GUEST_TENANT_ID}`,
      b2cAuthorities: Object.fromEntries(B2C_POLICIES.map((p) => [p, `${origin}/${B2C_DOMAIN}/${p}`])),
      entra: {
        issuer: `${entraBase}/v2.0`,
        discovery: `${entraBase}/v2.0/.well-known/openid-configuration`,
        ...Object.fromEntries(Object.entries(entraRoutes).map(([k, v]) => [k, entraBase + v])),
      },
      oidc: {
        issuer: oidcBase,
        discovery: `${oidcBase}/.well-known/openid-configuration`,
        ...Object.fromEntries(Object.entries(oidcRoutes).map(([k, v]) => [k, oidcBase + v])),
      },
    };
  }

  let closing;
  function close() {
    closing ||= new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
      store.clear();
    });
    return closing;
  }

  const summary = info();
  return {
    origin,
    entraAuthority: summary.entraAuthority,
    oidcAuthority: summary.oidcAuthority,
    /** The guest tenant's authority (GUEST_TENANT_ID). */
    guestAuthority: summary.guestAuthority,
    /** B2C-style authorities by policy (B2C_POLICIES). */
    b2cAuthorities: summary.b2cAuthorities,
    tenantId: TENANT_ID,
    clientId: CLIENT_ID,
    /** Endpoint URLs of both modes. */
    endpoints: { entra: summary.entra, oidc: summary.oidc },
    /** PEM of the self-signed certificate when https (trust it as a CA), else undefined. */
    cert: tls?.cert,
    certPath: tls?.certPath,
    server,
    close,
    // Node-side equivalents of the /__test endpoints.
    counters: () => structuredClone(counters),
    reset() { counters = newCounters(); failNext = null; },
    setConfig(patch) { applyConfig(patch); return currentConfig(); },
    failNext(spec) { setFailNext(spec); },
    /** Like POST /__test/code: resolves to { code }, rejects (err.status 400, err.error) on bad input. */
    mintCode,
  };
}

// ---------------------------------------------------------------------------
// CLI

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

async function main() {
  // stdout carries exactly one JSON line; anything else goes to stderr.
  console.log = console.info = console.debug = (...args) => console.error(...args);
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      https: { type: 'boolean', default: false },
      'spa-origin': { type: 'string', multiple: true, default: [] },
      'redirect-uri': { type: 'string', multiple: true },
      'at-ttl': { type: 'string' },
      'id-ttl': { type: 'string' },
      'rt-ttl': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.error('usage: node tests/idp/server.mjs [--port N] [--https] [--spa-origin ORIGIN]... [--redirect-uri URI]... '
      + '[--at-ttl SEC] [--id-ttl SEC] [--rt-ttl SEC]');
    process.exit(0);
  }
  const idp = await startIdp({
    port: Number(values.port),
    https: values.https,
    spaOrigins: values['spa-origin'],
    redirectUris: values['redirect-uri'],
    accessTokenTtl: values['at-ttl'],
    idTokenTtl: values['id-ttl'],
    refreshTokenTtl: values['rt-ttl'],
  });
  process.stdout.write(`${JSON.stringify({
    ready: true,
    origin: idp.origin,
    entraAuthority: idp.entraAuthority,
    oidcAuthority: idp.oidcAuthority,
    clientId: idp.clientId,
    tenantId: idp.tenantId,
  })}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await idp.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (isMain()) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
