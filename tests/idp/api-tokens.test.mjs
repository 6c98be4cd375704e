// Tokens for the registered web APIs (the To-Do API and its downstream API), as Entra issues
// them: JWTs signed with the provider's key, for one API per request (AADSTS28000), and the
// on-behalf-of grant that takes such a token only from the API it was issued to.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
  DOWNSTREAM_API_CLIENT_ID, DOWNSTREAM_SCOPES, TENANT_ID, TODO_API_CLIENT_ID, TODO_API_SECRET, TODO_SCOPES,
  WEB_CLIENT_ID, WEB_SECRET, WEB_API_SCOPES, startIdp,
} from './server.mjs';

const OBO = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('web API tokens', () => {
  let idp;
  let tokenUrl;
  const redirect = 'http://127.0.0.1:8125/auth/redirect';
  before(async () => {
    idp = await startIdp({ redirectUris: [redirect] });
    tokenUrl = `${idp.entraAuthority}/oauth2/v2.0/token`;
  });
  after(() => idp?.close());

  const post = async (body) => {
    const res = await fetch(tokenUrl, { method: 'POST', body: new URLSearchParams(body) });
    return { status: res.status, json: await res.json() };
  };
  const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));
  const signIn = async (scope) => {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const res = await fetch(`${idp.origin}/__test/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        mode: 'entra', client_id: WEB_CLIENT_ID, login: 'api-user', redirect_uri: redirect, nonce: 'n', scope: `${scope} offline_access`,
        code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
      }),
    });
    const { code } = await res.json();
    return post({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirect, client_id: WEB_CLIENT_ID, client_secret: WEB_SECRET });
  };

  it('are JWTs for the API, signed with a key of the JWKS, with Entra v2 claims', async () => {
    const { status, json } = await signIn(`openid profile offline_access ${TODO_SCOPES[0]}`);
    assert.equal(status, 200);
    // As Entra: the token is for every consented scope of the API, and `scope` lists them all.
    assert.equal(json.scope, TODO_SCOPES.join(' '));
    const [h, p, s] = json.access_token.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url'));
    const discovery = await (await fetch(`${idp.entraAuthority}/v2.0/.well-known/openid-configuration`)).json();
    const { keys } = await (await fetch(discovery.jwks_uri)).json();
    const key = keys.find((k) => k.kid === header.kid);
    assert.ok(key, 'the token names a published key');
    assert.ok(crypto.verify('sha256', Buffer.from(`${h}.${p}`), crypto.createPublicKey({ key, format: 'jwk' }), Buffer.from(s, 'base64url')));
    const claims = claimsOf(json.access_token);
    assert.equal(claims.aud, TODO_API_CLIENT_ID);
    assert.equal(claims.scp, 'ToDoList.Read ToDoList.ReadWrite');
    assert.equal(claims.azp, WEB_CLIENT_ID);
    assert.equal(claims.tid, TENANT_ID);
    assert.equal(claims.ver, '2.0');
    // A scope the user has not consented to is neither listed nor in the token.
    await idp.setConfig({ consentRequired: [TODO_SCOPES[1]] });
    try {
      const narrow = await signIn(`openid profile ${TODO_SCOPES[0]}`);
      assert.equal(narrow.json.scope, TODO_SCOPES[0]);
      assert.equal(claimsOf(narrow.json.access_token).scp, 'ToDoList.Read');
    } finally {
      await idp.setConfig({ consentRequired: [] });
    }
    assert.ok(claims.oid && claims.exp > claims.iat);

    // A refresh for the API's other scope: a JWT again; for a Graph-style scope: opaque.
    const rw = await post({ grant_type: 'refresh_token', refresh_token: json.refresh_token, scope: `openid ${TODO_SCOPES[1]}`, client_id: WEB_CLIENT_ID, client_secret: WEB_SECRET });
    assert.equal(claimsOf(rw.json.access_token).scp, 'ToDoList.Read ToDoList.ReadWrite');
    const graph = await post({ grant_type: 'refresh_token', refresh_token: rw.json.refresh_token, scope: 'openid User.Read', client_id: WEB_CLIENT_ID, client_secret: WEB_SECRET });
    assert.equal(graph.status, 200);
    assert.notEqual(graph.json.access_token.split('.').length, 3);

    // Two resources in one request: refused before the refresh token is redeemed.
    const mixed = await post({ grant_type: 'refresh_token', refresh_token: graph.json.refresh_token, scope: `User.Read ${TODO_SCOPES[0]}`, client_id: WEB_CLIENT_ID, client_secret: WEB_SECRET });
    assert.equal(mixed.status, 400);
    assert.match(mixed.json.error_description, /AADSTS28000/);
    const still = await post({ grant_type: 'refresh_token', refresh_token: graph.json.refresh_token, scope: `openid ${TODO_SCOPES[0]}`, client_id: WEB_CLIENT_ID, client_secret: WEB_SECRET });
    assert.equal(still.status, 200, 'the refresh token survived the refused request');
  });

  it('go on behalf of the user only from the API they were issued to', async () => {
    const { json } = await signIn(`openid ${TODO_SCOPES[0]}`);
    const obo = (assertion, client, secret) => post({ grant_type: OBO, requested_token_use: 'on_behalf_of', assertion, scope: DOWNSTREAM_SCOPES[0], client_id: client, client_secret: secret });
    const ok = await obo(json.access_token, TODO_API_CLIENT_ID, TODO_API_SECRET);
    assert.equal(ok.status, 200);
    const down = claimsOf(ok.json.access_token);
    assert.equal(down.aud, DOWNSTREAM_API_CLIENT_ID);
    assert.equal(down.azp, TODO_API_CLIENT_ID);
    assert.equal(down.oid, claimsOf(json.access_token).oid);
    // The web app is not the token's audience.
    const wrong = await obo(json.access_token, WEB_CLIENT_ID, WEB_SECRET);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error, 'invalid_grant');
    // The user's token for another resource (Graph's, opaque here): refused, as Entra
    // (AADSTS50013); and a web app presents only a token for its own API.
    const graph = await signIn('openid User.Read');
    assert.equal((await obo(graph.json.access_token, TODO_API_CLIENT_ID, TODO_API_SECRET)).json.error, 'invalid_grant');
    const own = await signIn(`openid ${WEB_API_SCOPES[0]}`);
    assert.equal(claimsOf(own.json.access_token).aud, WEB_CLIENT_ID);
    assert.equal((await obo(own.json.access_token, WEB_CLIENT_ID, WEB_SECRET)).status, 200);
    // A forged signature.
    const [h, p] = json.access_token.split('.');
    const forged = await obo(`${h}.${p}.${crypto.randomBytes(256).toString('base64url')}`, TODO_API_CLIENT_ID, TODO_API_SECRET);
    assert.equal(forged.json.error, 'invalid_grant');
  });
});
