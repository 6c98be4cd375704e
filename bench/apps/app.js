// The benchmark app: the same code for both libraries. "msal-lib" is @azure/msal-browser or
// msal-wasm, chosen at bundle time (bench/run.mjs). The page builds one client from the query
// string (?authority=...), records performance.now() once initialize() has resolved, and
// exposes the scenarios to the driver as window.bench.
import { PublicClientApplication } from "msal-lib";

const q = new URLSearchParams(location.search);
const authority = q.get("authority");
const pca = new PublicClientApplication({
  auth: {
    clientId: "msal-wasm-test-client",
    authority,
    knownAuthorities: [new URL(authority).host],
    redirectUri: location.origin + "/redirect.html",
  },
  cache: { cacheLocation: "localStorage" },
  // msal-browser v5 reads protocolMode from `system` (v4 had it in `auth`); msal-wasm reads both.
  system: { protocolMode: "OIDC" },
});

window.pca = pca; // for ad-hoc diagnostics from the driver
const SCOPES = ["User.Read"];
const account = () => pca.getActiveAccount() || pca.getAllAccounts()[0] || null;
const errorText = (e) => (e && (e.errorCode || e.message)) || String(e);

window.loginResult = null;
document.getElementById("login").onclick = () => {
  // No await before loginPopup: the popup must open inside the click.
  pca.loginPopup({ scopes: SCOPES }).then(
    (r) => {
      pca.setActiveAccount(r.account);
      window.loginResult = { ok: true, username: r.account.username };
    },
    (e) => (window.loginResult = { ok: false, error: errorText(e) }),
  );
};

window.bench = {
  crossOriginIsolated: window.crossOriginIsolated === true,

  account() {
    const a = account();
    return a ? { homeAccountId: a.homeAccountId, username: a.username } : null;
  },

  // `n` sequential acquireTokenSilent calls after `warm` warm-ups: per-call times (ms) and
  // the whole loop's time; every result must come from the cache.
  // `style`: "fixed" (one request object), "app" (the account looked up on every call, as apps
  // write it: getActiveAccount() ?? getAllAccounts()[0]), or "distinct" (every request
  // differs, by an extra query parameter both libraries ignore for a cache hit).
  async silentLoop(n, warm, scopes = SCOPES, style = "fixed") {
    const fixed = { scopes, account: account() };
    const make = style === "app" ? () => ({ scopes, account: account() })
      : style === "distinct" ? (i) => ({ scopes, account: fixed.account, extraQueryParameters: { bench: String(i) } })
        : () => fixed;
    for (let i = 0; i < warm; i++) await pca.acquireTokenSilent(make(i));
    const times = new Array(n);
    let fromCache = 0;
    let tokens = new Set();
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await pca.acquireTokenSilent(make(warm + i));
      times[i] = performance.now() - t0;
      if (r.fromCache) fromCache++;
      tokens.add(r.accessToken);
    }
    const total = performance.now() - start;
    return { times, total, fromCache, distinctTokens: tokens.size };
  },

  // One call; its time in ms and what came back.
  async acquire(scopes, forceRefresh = false) {
    const t0 = performance.now();
    try {
      const r = await pca.acquireTokenSilent({ scopes, account: account(), forceRefresh });
      return { ok: true, ms: performance.now() - t0, fromCache: r.fromCache, scopes: r.scopes, expiresOn: +r.expiresOn };
    } catch (e) {
      return { ok: false, ms: performance.now() - t0, error: errorText(e) };
    }
  },

  // `n` sequential forced refreshes: per-call times (ms).
  async refreshLoop(n) {
    const request = { scopes: SCOPES, account: account(), forceRefresh: true };
    const times = [];
    let fromCache = 0;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await pca.acquireTokenSilent(request);
      times.push(performance.now() - t0);
      if (r.fromCache) fromCache++;
    }
    return { times, fromCache };
  },

  // `n` concurrent calls started in the same task.
  async burst(n, forceRefresh) {
    const acct = account();
    const calls = [];
    for (let i = 0; i < n; i++) calls.push(pca.acquireTokenSilent({ scopes: SCOPES, account: acct, forceRefresh }));
    const settled = await Promise.allSettled(calls);
    const ok = settled.filter((s) => s.status === "fulfilled");
    return {
      ok: ok.length,
      fromCache: ok.filter((s) => s.value.fromCache).length,
      distinctTokens: new Set(ok.map((s) => s.value.accessToken)).size,
      errors: [...new Set(settled.filter((s) => s.status === "rejected").map((s) => errorText(s.reason)))],
    };
  },

  // Unrelated localStorage entries (an app's own state), `size` characters each.
  junk(n, size = 200) {
    const value = "x".repeat(size);
    for (let i = 0; i < n; i++) localStorage.setItem(`bench.unrelated.${String(i).padStart(4, "0")}`, value);
  },

  storage() {
    const keys = Object.keys(localStorage);
    return {
      keys: keys.length,
      accessTokens: keys.filter((k) => k.toLowerCase().includes("|accesstoken|")).length,
      refreshTokens: keys.filter((k) => k.toLowerCase().includes("|refreshtoken|")).length,
    };
  },
};

window.firstTokenAt = null;
try {
  await pca.initialize();
  window.readyAt = performance.now();
  window.initError = null;
  // ?first=1: also time the page's first token (a cache hit), as an app would ask right away.
  if (q.get("first") === "1" && account()) {
    await pca.acquireTokenSilent({ scopes: SCOPES, account: account() });
    window.firstTokenAt = performance.now();
  }
} catch (e) {
  window.initError = errorText(e);
}
document.body.dataset.ready = "1";
