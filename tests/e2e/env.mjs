// One browser, one static server and one OpenID provider per test file, and the sweep that
// runs after every test: no token held in the pages' storage appears in their log output.
import { after, afterEach, before } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_REDIRECT_PATHS, startIdp } from "../idp/server.mjs";
import { startStatic } from "../serve.mjs";
import { launchBrowser, popupSignIn } from "./helpers.mjs";

// Registers the file's environment: started before its first test, swept after each test,
// closed after the last. Its fields are there once `before` has run.
//   redirectPaths: more redirect URIs to register (exactly) on the SPA origin
//   isolate: serve every page cross-origin isolated (COOP + COEP); "coop": with COOP alone
//   csp: a Content-Security-Policy header for every HTML page
export function useEnv(options = {}) {
  const env = {};
  before(async () => {
    Object.assign(env, await startEnv(options));
  });
  afterEach(async () => {
    await env.checkSweep();
  });
  after(async () => {
    // Nothing to close when `before` failed (startEnv closed what it had started).
    if (env.close) await env.close();
  });
  return env;
}

//   roots: what the static server serves (default: the e2e harness, the demo and the package)
//   crossSite: also register the app at http://localhost:<port> (env.crossSiteOrigin), the same
//     server under another site than the provider's 127.0.0.1: there the provider's iframe is
//     a third-party frame, and its cookies are not sent (SameSite=Lax) or are blocked/partitioned
//   https: serve the app over https too (beside an https provider: the same site, whose
//     hidden frames get the provider's cookies); contexts then need ignoreHTTPSErrors
export async function startEnv({ idp: idpOptions = {}, redirectPaths = [], isolate = false, csp = "", roots, crossSite = false, https = false } = {}) {
  const web = await startStatic({ roots: roots || { "/": ["tests/e2e/www", "www"], "/pkg/": "pkg" }, isolate, csp, https });
  const crossSiteOrigin = crossSite ? web.origin.replace("//127.0.0.1:", "//localhost:") : null;
  const origins = crossSite ? [web.origin, crossSiteOrigin] : [web.origin];
  const redirectUris = origins.flatMap((o) => [...DEFAULT_REDIRECT_PATHS, ...redirectPaths].map((p) => o + p));
  const idp = await startIdp({ port: 0, spaOrigins: origins, redirectUris, ...idpOptions });
  // A browser that does not start must not leave the servers running (the test process would
  // wait for them until its timeout).
  const browser = await launchBrowser().catch(async (e) => {
    await idp.close();
    await web.close();
    throw e;
  });
  const sweep = sweeper(browser, origins);
  const env = {
    web,
    idp,
    browser,
    redirectUris,
    crossSiteOrigin,
    harness(mode = "entra", cache = "sessionStorage", offset = 300, extra = {}, origin = web.origin) {
      const authority = mode === "oidc" ? idp.oidcAuthority : idp.entraAuthority;
      const q = new URLSearchParams({ idp: authority, mode, cache, offset: String(offset), ...extra });
      return `${origin}/?${q}`;
    },
    async open(mode, cache, context, offset, extra) {
      const ctx = context || (await browser.newContext());
      const page = await ctx.newPage();
      await page.goto(env.harness(mode, cache, offset, extra));
      await page.waitForSelector("body[data-ready='1']");
      return page;
    },
    // After each test: sweeps the contexts still open and fails on any leak found since the
    // last check (contexts closed during the test were swept as they closed).
    checkSweep: () => sweep.check(),
    // Another browser of the test's, whose contexts are swept as this one's (close them
    // before closing it).
    watch: (b) => sweep.watch(b),
    async close() {
      try {
        await browser.close();
      } finally {
        await idp.close();
        await web.close();
      }
      // The sweep must have had something to look at, or it proves nothing.
      assert.ok(sweep.stats.secrets > 0, "the token sweep never found a token in storage");
      assert.ok(sweep.stats.lines > 0, "the token sweep never saw a log line");
    },
  };
  return env;
}

// Wraps browser.newContext so that every context is swept before it closes, and records every
// console line of every page (the harness logs the library's messages to the console).
function sweeper(browser, origins) {
  const open = new Set();
  const lines = [];
  const problems = [];
  const stats = { secrets: 0, lines: 0 };
  // Every context of `b` is swept: when it closes, and after each test.
  const watch = (b) => {
    const newContext = b.newContext.bind(b);
    b.newContext = async (options) => {
      const ctx = await newContext(options);
      open.add(ctx);
      ctx.on("page", (page) => page.on("console", (m) => lines.push(m.text())));
      const close = ctx.close.bind(ctx);
      ctx.close = async (o) => {
        if (open.delete(ctx)) await sweepContext(ctx);
        return close(o);
      };
      return ctx;
    };
    return b;
  };
  watch(browser);

  async function sweepContext(ctx) {
    const secrets = new Set();
    const logged = [];
    // Every frame of every page (an app framed by another site keeps its own storage); awaited,
    // as over WebDriver (engines/webdriver.mjs) they are a command.
    const open = ctx.pages().filter((page) => !page.isClosed());
    const frames = (await Promise.all(open.map((page) => Promise.resolve(page.frames()).catch(() => [])))).flat();
    for (const frame of frames) {
      // Awaited: over WebDriver the URL is a command; a page whose window has just gone has none.
      const url = await Promise.resolve(frame.url()).catch(() => "");
      if (!origins.some((o) => url.startsWith(o))) continue;
      let data = null;
      for (let attempt = 0; attempt < 3 && !data; attempt++) {
        data = await frame.evaluate(readPage).catch(() => null);
        if (!data) await frame.waitForLoadState("load").catch(() => {});
      }
      if (!data) {
        // A page that closed itself meanwhile (a relay or popup page that answered) holds nothing
        // left to read; one still open that cannot be read is a problem.
        const gone = await Promise.resolve(typeof frame.isDetached === "function" && frame.isDetached()).catch(() => false)
          || (typeof frame.page === "function" && frame.page().isClosed());
        if (!gone) problems.push(`could not read storage and logs of ${url}`);
        continue;
      }
      data.secrets.forEach((s) => secrets.add(s));
      logged.push(...data.logs);
    }
    const all = [...lines, ...logged];
    stats.secrets += secrets.size;
    stats.lines += all.length;
    const redact = (line) => [...secrets].reduce((l, t) => l.split(t).join("[TOKEN]"), line);
    for (const secret of secrets) {
      for (const line of all) {
        if (line.includes(secret)) {
          problems.push(`a token held in storage (…${secret.slice(-6)}) appears in the page's log output: ${redact(line).slice(0, 300)}`);
        }
      }
    }
  }

  return {
    stats,
    watch,
    async check() {
      for (const ctx of [...open]) {
        if (ctx.pages().length) await sweepContext(ctx);
      }
      lines.length = 0;
      const found = problems.splice(0);
      assert.deepEqual(found, [], "token sweep");
    },
  };
}

// In the page: the tokens held in storage (the `secret` of every cache entity, msal's cache
// schema; localStorage entries encrypted in msal's format are decrypted with the key from its
// cookie, written here independently of the library) and in the last result, and the log lines
// the harness kept.
async function readPage() {
  const secrets = new Set();
  const walk = (v, key) => {
    if (typeof v === "string") {
      if (key === "secret" && v.length >= 16) secrets.add(v);
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, k);
    }
  };
  const bytes = (b64) => Uint8Array.from(atob(b64.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0));
  let base = null;
  let keyId = "";
  try {
    const cookie = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith("msal.cache.encryption="));
    if (cookie && crypto.subtle) {
      const { id, key } = JSON.parse(decodeURIComponent(cookie.slice("msal.cache.encryption=".length)));
      keyId = id;
      base = await crypto.subtle.importKey("raw", bytes(key), "HKDF", false, ["deriveKey"]);
    }
  } catch (_) { /* no key: nothing to decrypt */ }
  const decrypt = async (storageKey, e) => {
    if (!base || e.id !== keyId) return null;
    // The HKDF context is the client id or "": try "" and every part of the key.
    for (const info of new Set(["", ...storageKey.split("|")])) {
      try {
        const aes = await crypto.subtle.deriveKey({ name: "HKDF", salt: bytes(e.nonce), hash: "SHA-256", info: new TextEncoder().encode(info) }, base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
        return JSON.parse(new TextDecoder().decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, aes, bytes(e.data))));
      } catch (_) { /* another context */ }
    }
    return null;
  };
  for (const name of ["localStorage", "sessionStorage"]) {
    let store = null;
    try { store = window[name]; } catch (_) { continue; } // storage blocked for this page
    for (let i = 0; i < store.length; i++) {
      const key = store.key(i);
      try {
        const v = JSON.parse(store.getItem(key));
        const clear = v && typeof v.id === "string" && typeof v.nonce === "string" && typeof v.data === "string" ? await decrypt(key, v) : v;
        walk(clear, "");
      } catch (_) { /* not JSON */ }
    }
  }
  const r = window.last && window.last.ok && window.last.result;
  for (const t of [r && r.accessToken, r && r.idToken]) if (typeof t === "string" && t.length >= 16) secrets.add(t);
  return { secrets: [...secrets], logs: (window.logs || []).map(([, m]) => String(m)) };
}

// A page of a fresh browser context, signed in by popup as `login`.
export async function signedInPage(env, login, { mode = "entra", cache = "sessionStorage", offset, context, extra } = {}) {
  const page = await env.open(mode, cache, context, offset, extra);
  await popupSignIn(page, "#popup", login);
  await page.waitForFunction(() => window.last !== null);
  const last = await page.evaluate(() => (window.last.ok ? "ok" : window.last.code));
  if (last !== "ok") throw new Error(`popup sign-in failed: ${last}`);
  return page;
}
