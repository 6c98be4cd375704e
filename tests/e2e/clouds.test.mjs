// End-to-end: msal's auth.instanceAware. Entra tells an instance-aware authorize request which
// cloud the user belongs to (cloud_instance_host_name); the code is redeemed in that cloud, and
// the account's later requests go there. The provider answers on two hosts, 127.0.0.1 (the
// configured authority's) and localhost (the user's cloud, a known authority), over https as
// msal redeems only at https authorities.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useEnv } from "./env.mjs";
import { popupSignIn } from "./helpers.mjs";

const env = useEnv({ idp: { https: true } });

test("auth.instanceAware: the code is redeemed in the cloud the response names, and the account's silent calls and renewals go there", async () => {
  const configured = new URL(env.idp.entraAuthority);
  const cloud = new URL(env.idp.entraAuthority);
  cloud.hostname = "localhost";
  const auth = JSON.stringify({ instanceAware: true, knownAuthorities: [configured.host, cloud.host] });
  const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
  await env.idp.setConfig({ cloudInstance: cloud.host, graphHosts: ["graph.example.us", "msgraph.example.us"] });
  try {
    const page = await ctx.newPage();
    await page.goto(env.harness("entra", "localStorage", 300, { auth }));
    await page.waitForSelector("body[data-ready='1']");
    const tokenHosts = [];
    page.on("request", (r) => { if (r.method() === "POST" && new URL(r.url()).pathname.endsWith("/token")) tokenHosts.push(new URL(r.url()).host); });
    await popupSignIn(page, "#popup", "ivy");
    await page.waitForFunction(() => window.last !== null);
    const r = await page.evaluate(() => {
      const l = window.last;
      return l.ok ? { authority: l.result.authority, environment: l.result.account.environment, graph: [l.result.cloudGraphHostName, l.result.msGraphHost] } : l.code;
    });
    assert.deepEqual(r, { authority: `${cloud.href}/`, environment: cloud.host, graph: ["graph.example.us", "msgraph.example.us"] });
    const authorize = (await env.idp.counters()).log.filter((e) => e.route === "authorize");
    assert.deepEqual(authorize.map((e) => e.instance_aware), ["true"], "the authorize request asked for the user's cloud");
    assert.deepEqual(tokenHosts, [cloud.host], "the code was redeemed in the user's cloud");

    // The account's silent calls go to its cloud without naming it: the cached token, then a
    // renewal there, also after a reload.
    await page.reload();
    await page.waitForSelector("body[data-ready='1']");
    const silent = await page.evaluate(async () => {
      const account = window.pca.getAllAccounts()[0];
      const hit = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account });
      const renewed = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, forceRefresh: true });
      return { hit: [hit.fromCache, hit.authority, hit.msGraphHost], renewed: [renewed.fromCache, renewed.authority, renewed.account.environment, renewed.msGraphHost] };
    });
    assert.deepEqual(silent, { hit: [true, `${cloud.href}/`, "msgraph.example.us"], renewed: [false, `${cloud.href}/`, cloud.host, "msgraph.example.us"] });
    assert.deepEqual(tokenHosts, [cloud.host, cloud.host]);
  } finally {
    await env.idp.setConfig({ cloudInstance: null, graphHosts: null });
    await ctx.close();
  }
});

test("a request's instance_aware extra query parameter turns instance awareness on for it, as msal", async () => {
  const configured = new URL(env.idp.entraAuthority);
  const cloud = new URL(env.idp.entraAuthority);
  cloud.hostname = "localhost";
  const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
  await env.idp.setConfig({ cloudInstance: cloud.host });
  try {
    const page = await ctx.newPage();
    await page.goto(env.harness("entra", "sessionStorage", 300, { auth: JSON.stringify({ knownAuthorities: [configured.host, cloud.host] }) }));
    await page.waitForSelector("body[data-ready='1']");
    await page.evaluate(() => { window.popupRequest = Object.assign({}, window.popupRequest, { extraQueryParameters: { instance_aware: "true" } }); });
    await popupSignIn(page, "#popup", "iris");
    await page.waitForFunction(() => window.last !== null);
    const r = await page.evaluate(() => window.last.ok ? [window.last.result.authority, window.last.result.account.environment] : window.last.code);
    assert.deepEqual(r, [`${cloud.href}/`, cloud.host]);
    // Without it, the next account's requests stay at the configured authority: the account of
    // the other cloud is then msal's authority_mismatch.
    const silent = await page.evaluate(async () => {
      const account = window.pca.getAllAccounts()[0];
      return window.pca.acquireTokenSilent({ scopes: ["User.Read"], account }).then((t) => t.authority, (e) => e.errorCode);
    });
    assert.equal(silent, "authority_mismatch");
  } finally {
    await env.idp.setConfig({ cloudInstance: null });
    await ctx.close();
  }
});
