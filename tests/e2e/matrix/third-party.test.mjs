// Third-party cookies, where each engine decides. The provider here runs on https, so its
// session cookie is SameSite=None; Secure (as Entra's): it may go to a cross-site iframe, and
// whether it does is the engine's cookie policy. The app is on http://localhost, the provider
// on https://127.0.0.1: the provider's hidden iframe is a third-party frame. In every engine the
// outcome must be either a token (the cookie was sent) or a prompt login_required (it was not),
// never the 10 s iframe timeout; which one is the engine's, stated below with its reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useEnv } from "../env.mjs";
import { ENGINE, popupSignIn } from "../helpers.mjs";

const env = useEnv({ idp: { https: true }, crossSite: true });

const EXPECTED = {
  // Debian's Chromium 156 does not send it: observed in a playwright context and, checked once,
  // in a fresh persistent profile alike (third-party cookies blocked by default in this build).
  chromium: "login_required",
  // Firefox's Total Cookie Protection (default): the iframe gets a cookie jar partitioned by the
  // top-level site, without the cookie the first-party popup set.
  firefox: "login_required",
  // WebKitGTK's default policy (no third-party cookies) refuses cookies a third party sets, but
  // sends those the site set as a first party (here in the sign-in popup); WebKitGTK has no ITP.
  // Safari's ITP would block it: WebKitGTK is not Safari.
  webkit: "ok",
};

test(`ssoSilent from another site with a SameSite=None provider cookie: ${EXPECTED[ENGINE]} in ${ENGINE}, fast`, async (t) => {
  const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  await page.goto(env.harness("entra", "sessionStorage", 300, {}, env.crossSiteOrigin));
  await page.waitForSelector("body[data-ready='1']");
  await popupSignIn(page, "#popup", "tpc");
  await page.waitForFunction(() => window.last !== null);
  assert.equal(await page.evaluate(() => (window.last.ok ? "ok" : window.last.code)), "ok");
  await page.evaluate(() => window.pca.clearCache());
  const r = await page.evaluate(async () => {
    const t0 = performance.now();
    try {
      await window.pca.ssoSilent({ scopes: ["User.Read"], loginHint: "tpc", redirectUri: location.origin + "/redirect.html" });
      return { outcome: "ok", ms: performance.now() - t0 };
    } catch (e) {
      return { outcome: e.errorCode, ms: performance.now() - t0 };
    }
  });
  t.diagnostic(`${ENGINE}: ssoSilent across sites -> ${r.outcome} in ${Math.round(r.ms)} ms`);
  assert.equal(r.outcome, EXPECTED[ENGINE]);
  assert.ok(r.ms < 3000, `took ${r.ms} ms`);
  await ctx.close();
});
