// msal 5's popup relay (auth.popupRelayUri, `msal-wasm/popup-relay`): the app runs in a frame of
// another site (frame.html on http://localhost framing the app on http://127.0.0.1), where the
// browser partitions the frame's storage and BroadcastChannels by the top-level site (Chromium
// as Chrome runs it: tests/e2e/helpers.mjs turns partitioning back on). Its popup
// opens the app's relay page (relay.html, first party), which opens the provider's window on
// "Continue", hears the redirect bridge there and posts the answer back to the frame. The
// provider runs on https: the relay page only ever sends its window to https addresses.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { useEnv } from "../env.mjs";
import { ENGINE, clickClosing, waitFor } from "../helpers.mjs";

// msal-browser's own relay page entry, as one ES module (relay.html?lib=msal imports it): an
// app that moves to msal-wasm keeps the relay page it has.
const dir = mkdtempSync(join(tmpdir(), "msal-relay-"));
before(async () => {
  await build({
    stdin: { contents: `export * from "@azure/msal-browser/popup-relay";`, resolveDir: process.cwd(), loader: "js" },
    bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, logLevel: "silent",
    outfile: join(dir, "msal-popup-relay.js"),
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const env = useEnv({ idp: { https: true }, crossSite: true, roots: { "/": ["tests/e2e/www", "www"], "/pkg/": "pkg", "/interop/": dir } });

// The app in a frame of another site, configured with `auth`; resolves to [page, frame].
async function embedded(ctx, auth) {
  const page = await ctx.newPage();
  const app = env.harness("entra", "sessionStorage", 300, { auth: JSON.stringify(auth) });
  await page.goto(`${env.crossSiteOrigin}/frame.html?src=${encodeURIComponent(app)}`);
  const frame = await appFrame(page);
  await frame.waitForSelector("body[data-ready='1']");
  return [page, frame];
}

// The app's frame in `page` (awaited: a command over WebDriver).
function appFrame(page) {
  return waitFor("the app's frame", async () => {
    for (const f of await page.frames()) if (String(await f.url()).startsWith(env.web.origin)) return f;
    return null;
  });
}

// A click in the app's frame. Over WebDriver BiDi, playwright-core's click reaches no element in
// a frame of another site (Firefox ESR: nothing is clicked), so there the page clicks itself
// (Firefox under automation lets a script open a popup); WebKit's popup blocker wants a real
// click, which WebDriver gives in the frame.
function frameClick(frame, selector) {
  return ENGINE === "firefox" ? frame.evaluate((s) => document.querySelector(s).click(), selector) : frame.click(selector);
}

// Starts `call` in the frame from a click there, as a user's, and waits for the relay page.
async function openRelay(ctx, frame, call) {
  await frame.evaluate((src) => { window.onRun = new Function(`return (${src})`)(); }, String(call));
  const [relay] = await Promise.all([ctx.waitForEvent("page"), frameClick(frame, "#run")]);
  await relay.waitForSelector("body[data-ready='1']");
  return relay;
}

// The relay page's "Continue": resolves to the provider's window it opens.
async function proceed(relay) {
  const [child] = await Promise.all([relay.waitForEvent("popup"), relay.click("#continue")]);
  return child;
}

// A real click (the page opens a window from it: the user's gesture) after which the frame may
// close the page (a refusal it hears): a click reported as failed for that reason is no error.
function clickOpening(page, selector) {
  return page.click(selector).catch((e) => {
    if (!/has been closed/.test(e.message)) throw e;
  });
}

async function signIn(child, login) {
  await child.waitForSelector("#login");
  await child.fill("#login", login);
  await Promise.all([child.waitForEvent("close"), clickClosing(child, "#submit")]);
}

const loginPopup = () => {
  window.last = null;
  document.getElementById("popup").click();
};
// How the frame's loginPopup settled ("" for what does not apply).
const settled = (frame) => waitFor("the frame's loginPopup to settle", () => frame.evaluate(() => {
  const l = window.last;
  return l && { ok: l.ok, code: l.code || "", sub: (l.error && l.error.subError) || "", user: l.ok ? l.result.account.username : "" };
}));

for (const [v, lib] of [[1, "msal-wasm"], [2, "msal-wasm"], [1, "msal"], [2, "msal"]]) {
  test(`protocol ${v}: a framed app signs in through its relay page (${lib === "msal" ? "msal-browser's own" : "msal-wasm's"}); the frame keeps its tokens`, async () => {
    const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
    // (Ours with a timeoutMs past setTimeout's range, held at its end: it would fire at once.)
    const timeout = lib === "msal-wasm" ? `&timeout=${Number.MAX_SAFE_INTEGER}` : "";
    const [page, frame] = await embedded(ctx, { popupRelayUri: `/relay.html?v=${v}&lib=${lib}${timeout}`, ...(v === 2 ? { popupRelayProtocolVersion: 2 } : {}) });
    const before = (await env.idp.counters()).log.length;
    const relay = await openRelay(ctx, frame, loginPopup);
    const carried = new URL(await relay.evaluate(() => window.addressAtStart)).hash;
    // Protocol 1 carries the request (the provider's address) in the fragment; 2 only its id.
    if (v === 1) assert.match(decodeURIComponent(carried), /"method":"GET","url":"https:\/\/127\.0\.0\.1:\d+\/.*\/authorize\?/);
    else assert.match(carried, /^#id=[\w-]+$/);
    const child = await proceed(relay);
    assert.equal(new URL(await relay.url()).hash, "", "the relay page takes the request out of its address");
    const relayClosed = relay.waitForEvent("close", { timeout: 20000 });
    await signIn(child, `relay${v}-${lib}`);
    assert.deepEqual(await settled(frame), { ok: true, code: "", sub: "", user: `relay${v}-${lib}` });
    await relayClosed;
    const authorize = (await env.idp.counters()).log.slice(before).filter((e) => e.route === "authorize");
    assert.deepEqual(authorize.map((e) => e.pocd), ["1"], "pocd=1: the provider's window is the relay page's own popup");
    // The tokens are the frame's (its partitioned storage): a silent call is a cache hit.
    const silent = await frame.evaluate(async () => {
      const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account: window.last.result.account });
      return r.fromCache;
    });
    assert.equal(silent, true);
    await page.close();
    await ctx.close();
  });
}

test("the relay page refuses a provider not on its allowed origins, and the frame hears why at once", async () => {
  const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
  const [, frame] = await embedded(ctx, { popupRelayUri: `/relay.html?v=2&allowed=${encodeURIComponent('["https://login.microsoftonline.com"]')}`, popupRelayProtocolVersion: 2 });
  const authorized = async () => (await env.idp.counters()).log.filter((e) => e.route === "authorize").length;
  const before = await authorized();
  const relay = await openRelay(ctx, frame, loginPopup);
  await clickOpening(relay, "#continue");
  assert.deepEqual(await settled(frame), { ok: false, code: "popup_relay_unsupported_flow", sub: "popup_relay_untrusted_authority", user: "" });
  assert.equal(await authorized(), before, "the provider was never asked");
  assert.equal(await frame.evaluate(() => window.pca.getAllAccounts().length), 0);
  await ctx.close();
});

test("with system.enableLegacyPolling too, a relay page that never relays ends at popupBridgeTimeout, as msal's (the relay wins over polling)", async () => {
  const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  const auth = { popupRelayUri: "/relay.html?v=2", popupRelayProtocolVersion: 2 };
  const app = env.harness("entra", "sessionStorage", 300, { auth: JSON.stringify(auth), system: JSON.stringify({ enableLegacyPolling: true, popupBridgeTimeout: 3000 }) });
  await page.goto(`${env.crossSiteOrigin}/frame.html?src=${encodeURIComponent(app)}`);
  const frame = await appFrame(page);
  await frame.waitForSelector("body[data-ready='1']");
  // The user never goes on from the relay page (before: waited for as long as it stayed open).
  await openRelay(ctx, frame, loginPopup);
  assert.deepEqual(await settled(frame), { ok: false, code: "timed_out", sub: "popup_relay_timeout", user: "" });
  assert.equal(await frame.evaluate(() => window.pca.getAllAccounts().length), 0);
  await ctx.close();
});

test("a relay page of the other protocol ends the sign-in with msal's code and sub-error", async () => {
  const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
  // The app speaks protocol 2, its relay page 1.
  const [, frame] = await embedded(ctx, { popupRelayUri: "/relay.html?v=1", popupRelayProtocolVersion: 2 });
  const relay = await openRelay(ctx, frame, loginPopup);
  await clickOpening(relay, "#continue");
  assert.deepEqual(await settled(frame), { ok: false, code: "popup_relay_unsupported_flow", sub: "popup_relay_protocol_mismatch", user: "" });
  await ctx.close();
});

test("the provider's window closed by the user ends the sign-in with user_cancelled, and frees the interaction", async () => {
  const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
  const [, frame] = await embedded(ctx, { popupRelayUri: "/relay.html?v=2", popupRelayProtocolVersion: 2 });
  let relay = await openRelay(ctx, frame, loginPopup);
  const child = await proceed(relay);
  await child.waitForSelector("#login");
  await child.close();
  assert.deepEqual(await settled(frame), { ok: false, code: "user_cancelled", sub: "", user: "" });
  // The next sign-in opens its relay page (no interaction_in_progress).
  relay = await openRelay(ctx, frame, loginPopup);
  assert.equal(await frame.evaluate(() => window.last), null);
  await ctx.close();
});

test("a framed app signs out by popup through its relay page", async () => {
  const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
  const [, frame] = await embedded(ctx, { popupRelayUri: "/relay.html?v=2", popupRelayProtocolVersion: 2 });
  const relay = await openRelay(ctx, frame, loginPopup);
  await signIn(await proceed(relay), "relay-out");
  assert.equal((await settled(frame)).ok, true);
  const before = (await env.idp.counters()).log.length;
  const out = await openRelay(ctx, frame, () => {
    window.out = window.pca.logoutPopup({ account: window.pca.getAllAccounts()[0], postLogoutRedirectUri: "/redirect.html" }).then(() => "ok", (e) => e.errorCode);
  });
  // (The provider's window signs out and closes at once: no hand is needed there.)
  await clickOpening(out, "#continue");
  assert.equal(await waitFor("logoutPopup to settle", () => frame.evaluate(() => window.out)), "ok");
  const ended = (await env.idp.counters()).log.slice(before).filter((e) => e.route === "end_session");
  assert.equal(ended.length, 1);
  assert.equal(ended[0].pocd, "1");
  assert.equal(ended[0].state, true, "the bridge answers the relay page on the state's channel");
  assert.equal(await frame.evaluate(() => window.pca.getAllAccounts().length), 0);
  await ctx.close();
});

// Why the relay page: the provider's sign-in page sends Cross-Origin-Opener-Policy (as Entra's
// without pocd=1, which a framed page cannot claim), so the frame loses sight of its popup, and
// the redirect bridge's channel does not reach a frame of another site.
test("without a relay page, a framed app's popup gets no answer", async () => {
  const ctx = await env.browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  const app = env.harness("entra", "sessionStorage", 300, { system: JSON.stringify({ popupBridgeTimeout: 4000 }) });
  await page.goto(`${env.crossSiteOrigin}/frame.html?src=${encodeURIComponent(app)}`);
  const frame = await appFrame(page);
  await frame.waitForSelector("body[data-ready='1']");
  const [popup] = await Promise.all([ctx.waitForEvent("page"), frameClick(frame, "#popup")]);
  await signIn(popup, "no-relay");
  assert.deepEqual(await settled(frame), { ok: false, code: "timed_out", sub: "redirect_bridge_timeout", user: "" });
  // The app's logger heard why, when the popup opened (level 1: Warning).
  const warned = await frame.evaluate(() => window.logs.filter(([level, m]) => level === 1 && /framed .*another site's.*auth\.popupRelayUri/.test(m)).length);
  assert.equal(warned, 1);
  await ctx.close();
});
