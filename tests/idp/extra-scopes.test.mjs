// startIdp({ extraScopes }): more supported scopes (the benchmark's bench.s01…bench.s50), granted
// like the built-in ones: a refresh token can be redeemed for any of them.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { CLIENT_ID, startIdp } from './server.mjs';

const SPA = 'http://127.0.0.1:8124';
const REDIRECT_URI = `${SPA}/`;

describe('extraScopes', () => {
  let idp;
  before(async () => { idp = await startIdp({ spaOrigins: [SPA], extraScopes: ['bench.s01', 'bench.s02'] }); });
  after(() => idp?.close());

  const token = async (body) => {
    const res = await fetch(idp.endpoints.oidc.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SPA },
      body: new URLSearchParams(body),
    });
    return { status: res.status, json: await res.json() };
  };

  it('are supported, and a refresh token is redeemed for each of them', async () => {
    const discovery = await (await fetch(`${idp.oidcAuthority}/.well-known/openid-configuration`)).json();
    assert.ok(discovery.scopes_supported.includes('bench.s01') && discovery.scopes_supported.includes('User.Read'));

    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const { code } = await idp.mintCode({ mode: 'oidc', login: 'dave', redirect_uri: REDIRECT_URI, code_challenge: challenge, scope: 'openid profile offline_access User.Read' });
    const first = await token({ client_id: CLIENT_ID, grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    assert.equal(first.status, 200, JSON.stringify(first.json));

    let rt = first.json.refresh_token;
    for (const scope of ['bench.s01', 'bench.s02']) {
      const r = await token({ client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: rt, scope: `${scope} openid profile offline_access` });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.ok(r.json.scope.split(' ').includes(scope), r.json.scope);
      rt = r.json.refresh_token;
    }
  });

  it('must be scope tokens', async () => {
    await assert.rejects(startIdp({ extraScopes: ['two words'] }), TypeError);
  });
});
