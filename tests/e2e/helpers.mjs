// Shared e2e helpers: the browser (Debian's Chromium by default), and the IdP's login form.
//
// E2E_ENGINE picks the engine: chromium (default; every e2e file), firefox or webkit (the core
// matrix, tests/e2e/matrix.test.mjs; see the README's "Browsers"):
//   chromium  Debian's Chromium through playwright-core (CDP)
//   firefox   Debian's Firefox ESR through playwright-core over WebDriver BiDi (with a small
//             runtime shim for one command ESR lacks: engines/firefox-esr-shim.mjs)
//   webkit    Debian's WebKitGTK (WebKitWebDriver + MiniBrowser, under a private Xvfb) through
//             selenium-webdriver, WebDriver classic, behind playwright's interface (engines/webdriver.mjs)
import { chromium, firefox } from "playwright-core";
import { installFirefoxEsrShim } from "./engines/firefox-esr-shim.mjs";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const FIREFOX = process.env.FIREFOX || "/usr/bin/firefox-esr";
export const ENGINE = process.env.E2E_ENGINE || "chromium";
if (!["chromium", "firefox", "webkit"].includes(ENGINE)) throw new Error(`E2E_ENGINE=${ENGINE}: chromium, firefox or webkit`);
// E2E_CPU_SLOWDOWN=N (Chromium): every page of a context opened with browser.newContext()
// (not browser.newPage()'s own) runs N times slower (CDP's CPU throttling), to
// shake out races that a fast machine hides (a slow phone's timing). Not part of `make test`:
// tests that time the library against a wall clock may then fail for that reason alone.
const CPU_SLOWDOWN = Number(process.env.E2E_CPU_SLOWDOWN || 0);

// `backForwardCache`: Chromium with its back/forward cache, which Playwright turns off.
// playwright-core's own --disable-features list (its chromiumSwitches), but for
// ThirdPartyStoragePartitioning.
const PLAYWRIGHT_DISABLED_FEATURES = [
  "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades", "HttpsFirstBalancedModeAutoEnable",
  "LensOverlay", "MediaRouter", "PaintHolding", "AvoidCorsURLLoaderRestartOnRedirect", "OptimizationHints",
  "NetworkTimeServiceQuerying", "AimEnabled", "PreconnectToSearch",
];

// `jitless`: V8 without its compilers, as a browser with WebAssembly turned off runs it (the
// WebAssembly global is then missing).
export async function launchBrowser(engine = ENGINE, { backForwardCache = false, jitless = false } = {}) {
  if (engine === "firefox") {
    installFirefoxEsrShim();
    return firefox.launch({ channel: "moz-firefox", executablePath: FIREFOX, headless: true });
  }
  if (engine === "webkit") {
    const { launchWebKit } = await import("./engines/webdriver.mjs");
    return launchWebKit();
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: backForwardCache ? ["--disable-back-forward-cache"] : [],
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      // Third-party storage partitioning on, as in every Chrome since 115: playwright-core turns
      // it off (its --disable-features list); this later list, the same without it, replaces
      // that one. A frame of another site then gets Web Storage and BroadcastChannels of its
      // own, keyed by the top-level site, instead of none.
      `--disable-features=${PLAYWRIGHT_DISABLED_FEATURES.join(",")}`,
      ...(jitless ? ["--js-flags=--jitless"] : []),
    ],
  });
  if (CPU_SLOWDOWN > 1) {
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (...args) => {
      const ctx = await newContext(...args);
      ctx.on("page", (page) => {
        ctx.newCDPSession(page).then((cdp) => cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN })).catch(() => {});
      });
      return ctx;
    };
  }
  return browser;
}

// Clicks `selector` on `page`, signs in as `login` in the popup that opens, and waits for the
// popup to close.
export async function popupSignIn(page, selector, login, { kmsi = false } = {}) {
  const [popup] = await Promise.all([page.waitForEvent("popup", { timeout: 10000 }), page.click(selector)]);
  await popup.waitForSelector("#login", { timeout: 10000 });
  await popup.fill("#login", login);
  // The provider's "Stay signed in": its ID token then says signin_state ["kmsi"].
  if (kmsi) await popup.check("#kmsi");
  await Promise.all([popup.waitForEvent("close", { timeout: 15000 }), clickClosing(popup, "#submit")]);
}

// Clicks a button whose click ends with the page closing (the popup's sign-in form: the
// library closes the popup as soon as the response arrives). Over WebDriver BiDi (Firefox) and
// WebDriver classic (WebKitGTK) the click itself may then be reported as failed with the page
// "closed": that is the expected outcome here, not an error; the caller waits for the close.
// noWaitAfter: over WebDriver classic the click is dispatched by the page (engines/webdriver.mjs).
export async function clickClosing(page, selector) {
  try {
    await page.click(selector, { noWaitAfter: true });
  } catch (e) {
    if (!/has been closed/.test(e.message)) throw e;
  }
}

// Polls `check` (sync or async) until it returns a truthy value, which it returns; fails with
// `what` and the last value after `timeout` ms.
export async function waitFor(what, check, { timeout = 10000, interval = 25 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// Everything the page's origin holds in Web Storage, as { local: {key: value}, session: {...} }.
export function storageSnapshot(page) {
  return page.evaluate(() => {
    const dump = (s) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => s.key(i)).map((k) => [k, s.getItem(k)]));
    return { local: dump(window.localStorage), session: dump(window.sessionStorage) };
  });
}

// The keys `after` has that `before` lacks, that it lacks, and that changed value, per storage area.
export function storageDiff(before, after) {
  const out = {};
  for (const area of ["local", "session"]) {
    const a = before[area];
    const b = after[area];
    out[area] = {
      added: Object.keys(b).filter((k) => !(k in a)).sort(),
      removed: Object.keys(a).filter((k) => !(k in b)).sort(),
      changed: Object.keys(b).filter((k) => k in a && a[k] !== b[k]).sort(),
    };
  }
  return out;
}

// acquireTokenSilent for User.Read with the page's first account (and `extra`), as plain data:
// { ok: true, at, fromCache } or { ok: false, code, name }.
export const silent = (page, extra = {}) =>
  page.evaluate(async (extra) => {
    try {
      const account = window.pca.getAllAccounts()[0];
      const r = await window.pca.acquireTokenSilent({ scopes: ["User.Read"], account, ...extra });
      return { ok: true, at: r.accessToken, fromCache: r.fromCache };
    } catch (e) {
      return { ok: false, code: e.errorCode, name: e.name };
    }
  }, extra);

// Counts, in window.bridgeMessages, the messages that reach the page's BroadcastChannels (the
// redirect bridge's among them) from now on.
export function countChannelMessages(page) {
  return page.evaluate(() => {
    window.bridgeMessages = 0;
    const Channel = window.BroadcastChannel;
    window.BroadcastChannel = class extends Channel {
      constructor(name) {
        super(name);
        this.addEventListener("message", () => { window.bridgeMessages += 1; });
      }
    };
  });
}

// Fills the page's `area` ("localStorage" or "sessionStorage") to the last byte the browser
// accepts, with junk of the app's own; returns how many items it wrote (-1: not full after all).
export function fillStorage(page, area) {
  return page.evaluate((area) => {
    const storage = window[area];
    let n = 0;
    for (const size of [256 * 1024, 16 * 1024, 1024, 64, 1]) {
      const chunk = "x".repeat(size);
      try { for (;;) storage.setItem(`junk.${n++}`, chunk); } catch (_) { /* full at this size */ }
    }
    // The last few characters, in one-character items.
    for (const k of "abcdefghijklmnopqrstuvwxyz") try { storage.setItem(k, ""); n++; } catch (_) { break; }
    try { storage.setItem("~", ""); return -1; } catch (_) { return n; }
  }, area);
}
