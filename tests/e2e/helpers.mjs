// Shared e2e helpers: Debian's Chromium through playwright-core, and the IdP's login form.
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

// Clicks `selector` on `page`, signs in as `login` in the popup that opens, and waits for the
// popup to close.
export async function popupSignIn(page, selector, login) {
  const [popup] = await Promise.all([page.waitForEvent("popup", { timeout: 10000 }), page.click(selector)]);
  await popup.waitForSelector("#login", { timeout: 10000 });
  await popup.fill("#login", login);
  await Promise.all([popup.waitForEvent("close", { timeout: 15000 }), popup.click("#submit")]);
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
