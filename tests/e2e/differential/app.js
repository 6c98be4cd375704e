// One app, bundled twice by tests/e2e/differential.test.mjs: over msal-wasm (/wasm/) and over
// @azure/msal-browser 5 (/msal/). Each step calls the library and reports what an app can see
// of it, with the values that differ on every run (tokens, ids, times) replaced by their kind.
import * as msal from "@azure/msal-browser";

const q = new URLSearchParams(location.search);
for (const k of ["authority", "cache", "mode", "legacy", "perf"]) if (q.get(k)) sessionStorage.setItem(`app.${k}`, q.get(k));
const authority = sessionStorage.getItem("app.authority");
const base = `${location.origin}${location.pathname.replace(/[^/]*$/, "")}`;

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;
// Ids made afresh by each call (the provider's tenant, user and object ids stay as they are:
// they are the same for both libraries).
const FRESH = /correlation|nonce|request|uti|jti|aio|^rh$/i;
const ERRORS = Object.keys(msal).filter((k) => /Error$/.test(k) && typeof msal[k] === "function").sort();
// What a value is, as far as a comparison can tell: its shape and its stable parts.
function norm(v, key = "", seen = new Set()) {
  if (v === undefined) return "<undefined>";
  if (v === null || typeof v === "boolean") return v;
  if (typeof v === "function") return "<function>";
  // A date: how many minutes from now (an expiry an hour away reads 60).
  if (v instanceof Date) return isNaN(v) ? "<Invalid Date>" : `<Date ${Math.round((v.getTime() - Date.now()) / 60000)} min>`;
  if (typeof v === "number") return v > 1e12 ? "<ms>" : v > 1e9 ? "<s>" : /expires|ext|refresh/i.test(key) ? "<n>" : v;
  if (typeof v === "string") {
    // (A state the library encoded; an app's own is compared as it is.)
    if (key === "state" && v.length > 24) return "<state>";
    if (FRESH.test(key) && v.length > 8) return "<fresh>";
    if (/^[\w-]{20,}\.[\w-]{20,}$/.test(v) && !GUID.test(v)) return "<guid.guid>";
    if (JWT.test(v) && v.length > 40) return "<jwt>";
    if (/^[\w-]{30,}$/.test(v) && !GUID.test(v)) return "<opaque>";
    if (/^\d{10,13}$/.test(v)) return "<time>";
    if (/sid|login_hint|code/i.test(key) && v.length > 8) return "<id>";
    return v.replace(/\/(wasm|msal)\//g, "/<lib>/").replace(/https?:\/\/127\.0\.0\.1:\d+/g, "<origin>").replace(/127\.0\.0\.1:\d+/g, "<host>");
  }
  if (v === window || v.window === v) return "<Window>";
  if (seen.has(v)) return "<cycle>";
  seen = new Set(seen).add(v);
  if (Array.isArray(v)) return v.map((x) => norm(x, key, seen));
  if (v instanceof Map) return { "<Map>": norm(Object.fromEntries(v), key, seen) };
  if (v instanceof Error) {
    // What an app can test: the error classes it is an instance of, its name, codes and claims
    // (its message aside: the README gives the facade's own sentences; msal-wasm's errors also
    // carry the HTTP status, which msal's token endpoint errors leave undefined).
    const classes = ERRORS.filter((k) => { try { return v instanceof msal[k]; } catch { return false; } });
    return { classes, name: v.name, errorCode: v.errorCode, subError: v.subError, claims: norm(v.claims), message: typeof v.message };
  }
  const out = {};
  // (A key whose value is undefined is taken as absent, as JSON takes it.)
  for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = norm(v[k], k, seen);
  return out;
}

// msal's encrypted localStorage entries ({id, nonce, data}), read with the key in the
// msal.cache.encryption cookie (both libraries write msal 5's format).
const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4)), (c) => c.charCodeAt(0));
async function decrypt(storageKey, e) {
  const cookie = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith("msal.cache.encryption="));
  if (!cookie) return "<no key>";
  const { id, key } = JSON.parse(decodeURIComponent(cookie.slice("msal.cache.encryption=".length)));
  if (e.id !== id) return "<another key>";
  const base = await crypto.subtle.importKey("raw", b64(key), "HKDF", false, ["deriveKey"]);
  // The HKDF context is the client id or "".
  for (const info of new Set(["", ...storageKey.split("|"), "msal-wasm-test-client"])) {
    try {
      const aes = await crypto.subtle.deriveKey({ name: "HKDF", salt: b64(e.nonce), hash: "SHA-256", info: new TextEncoder().encode(info) }, base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
      return JSON.parse(new TextDecoder().decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, aes, b64(e.data))));
    } catch { /* another context */ }
  }
  return "<undecryptable>";
}

// The origin's storage: each key (ports aside) and its value, normalised as above (msal's
// encrypted entries decrypted first).
async function storage() {
  const out = {};
  for (const [name, s] of [["local", localStorage], ["session", sessionStorage]]) {
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k.startsWith("app.")) continue;
      let v = s.getItem(k);
      try { v = JSON.parse(v); } catch { /* a plain string */ }
      if (v && typeof v === "object" && typeof v.data === "string" && typeof v.nonce === "string") v = { encrypted: await decrypt(k, v) };
      const key = k.replace(/127\.0\.0\.1:\d+/g, "<host>");
      out[`${name}:${key}`] = norm(v, k.startsWith("msal.interaction.status") ? "" : "entry");
    }
  }
  return out;
}

const config = {
  auth: {
    clientId: "msal-wasm-test-client",
    authority,
    knownAuthorities: [new URL(authority).host],
    redirectUri: `${base}redirect.html`,
    postLogoutRedirectUri: `${base}redirect.html`,
    // (A step may stop a redirect: window.onRedirectNavigate returning false.)
    onRedirectNavigate: (url) => (window.onRedirectNavigate ? window.onRedirectNavigate(url) : undefined),
  },
  cache: { cacheLocation: sessionStorage.getItem("app.cache") || "sessionStorage" },
  // (The log goes to the console, where the e2e sweep looks for tokens.)
  system: { protocolMode: sessionStorage.getItem("app.mode") || "AAD", enableLegacyPolling: sessionStorage.getItem("app.legacy") === "1", loggerOptions: { logLevel: msal.LogLevel.Info, loggerCallback: (level, message) => console.log(message) } },
};
// (app.perf "1": msal's performance client, its callback's events among the others.)
const perf = sessionStorage.getItem("app.perf") === "1";
if (perf) config.telemetry = { client: new msal.BrowserPerformanceClient(config) };
const pca = new msal.PublicClientApplication(config);
// (For a look that raises no event and resets nothing.)
window.pca = pca;
window.events = [];
pca.addEventCallback((e) => {
  window.events.push(norm({ eventType: e.eventType, interactionType: e.interactionType, payload: e.payload, error: e.error }));
});
// A call's measurement: its name, outcome, codes, account type and whether it joined another.
if (perf) {
  pca.addPerformanceCallback((measured) => {
    for (const e of measured) {
      const { name, success, errorCode, subErrorCode, accountType, deduped, fromCache } = e;
      window.events.push({ measured: name, ...norm({ success, errorCode, subErrorCode, accountType, deduped, fromCache }) });
    }
  });
}

// step(name, fn): fn's outcome (its result or its error), the events it raised, the storage after.
window.step = async (fn) => {
  window.events = [];
  let outcome;
  try {
    outcome = { result: norm(await fn(pca, msal)) };
  } catch (e) {
    outcome = { error: norm(e) };
  }
  // (Events a call raises after it settles, in a later task, belong to it.)
  await new Promise((r) => setTimeout(r, 50));
  return { ...outcome, events: window.events, storage: await storage() };
};
// From a click (popups): the step's outcome lands in window.outcome.
document.getElementById("go").onclick = () => {
  window.outcome = null;
  const fn = new Function("pca", "msal", `return (${document.getElementById("go").dataset.fn})(pca, msal);`);
  window.step(fn).then((o) => { window.outcome = o; });
};
// (A step may ask for handleRedirectPromise's options, app.hrp, and for an SPA router's
// navigation client, app.nav "spa": it moves the address itself and returns false, as
// msal-react's samples' CustomNavigationClient does, so msal handles the response where it is.)
if (sessionStorage.getItem("app.nav") === "spa") {
  pca.setNavigationClient({
    navigateInternal: (url, o) => { history[o.noHistory ? "replaceState" : "pushState"](null, "", url); return Promise.resolve(false); },
    navigateExternal: (url) => { location.assign(url); return Promise.resolve(true); },
  });
}
window.ready = window.step(async (p) => {
  await p.initialize();
  const options = sessionStorage.getItem("app.hrp");
  return p.handleRedirectPromise(options ? JSON.parse(options) : undefined);
});
