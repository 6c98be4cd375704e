// One app, bundled twice by tests/e2e/differential.test.mjs: over msal-wasm (/wasm/) and over
// @azure/msal-browser 5 (/msal/). Each step calls the library and reports what an app can see
// of it, with the values that differ on every run (tokens, ids, times) replaced by their kind.
import * as msal from "@azure/msal-browser";

const q = new URLSearchParams(location.search);
for (const k of ["authority", "cache", "mode"]) if (q.get(k)) sessionStorage.setItem(`app.${k}`, q.get(k));
const authority = sessionStorage.getItem("app.authority");
const base = `${location.origin}${location.pathname.replace(/[^/]*$/, "")}`;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;
// What a value is, as far as a comparison can tell: its shape and its stable parts.
const ERRORS = Object.keys(msal).filter((k) => /Error$/.test(k) && typeof msal[k] === "function").sort();
function norm(v, key = "", seen = new Set()) {
  if (v === undefined) return "<undefined>";
  if (v === null || typeof v === "boolean") return v;
  if (typeof v === "function") return "<function>";
  if (v instanceof Date) return isNaN(v) ? "<Invalid Date>" : "<Date>";
  if (typeof v === "number") return v > 1e12 ? "<ms>" : v > 1e9 ? "<s>" : /expires|ext|refresh/i.test(key) ? "<n>" : v;
  if (typeof v === "string") {
    if (key === "state" && v) return "<state>";
    if (GUID.test(v)) return "<guid>";
    if (JWT.test(v) && v.length > 40) return "<jwt>";
    if (/^[\w-]{30,}$/.test(v)) return "<opaque>";
    if (/^[\w-]{20,}\.[\w-]{20,}$/.test(v)) return "<guid.guid>";
    if (/^\d{10,13}$/.test(v)) return "<time>";
    if (/correlation|nonce|sid|uti|rh|aio|login_hint|code/i.test(key) && v.length > 8) return "<id>";
    return v.replace(/\/(wasm|msal)\//g, "/<lib>/").replace(/https?:\/\/127\.0\.0\.1:\d+/g, "<origin>").replace(/127\.0\.0\.1:\d+/g, "<host>");
  }
  if (v === window || v.window === v) return "<Window>";
  if (seen.has(v)) return "<cycle>";
  seen = new Set(seen).add(v);
  if (Array.isArray(v)) return v.map((x) => norm(x, key, seen));
  if (v instanceof Map) return { "<Map>": norm(Object.fromEntries(v), key, seen) };
  if (v instanceof Error) {
    // What an app can test: the error classes it is an instance of, its name and codes.
    const classes = ERRORS.filter((k) => { try { return v instanceof msal[k]; } catch { return false; } });
    return { classes, name: v.name, errorCode: norm(v.errorCode), subError: norm(v.subError), message: typeof v.message };
  }
  const out = {};
  // (A key whose value is undefined is taken as absent, as JSON takes it.)
  for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = norm(v[k], k, seen);
  return out;
}

// The origin's storage: its keys (ids replaced) and, for msal's JSON entities, their fields.
function storage() {
  const out = {};
  for (const [name, s] of [["local", localStorage], ["session", sessionStorage]]) {
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k.startsWith("app.")) continue;
      let v = s.getItem(k);
      try { v = JSON.parse(v); } catch { /* a plain string */ }
      const key = k.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<guid>").replace(/127\.0\.0\.1:\d+/g, "<host>");
      out[`${name}:${key}`] = v && typeof v === "object" ? (Array.isArray(v) ? `<array ${v.length}>` : Object.keys(v).sort().join(",")) : typeof v;
    }
  }
  return out;
}

const pca = new msal.PublicClientApplication({
  auth: {
    clientId: "msal-wasm-test-client",
    authority,
    knownAuthorities: [new URL(authority).host],
    redirectUri: `${base}redirect.html`,
    postLogoutRedirectUri: `${base}redirect.html`,
  },
  cache: { cacheLocation: sessionStorage.getItem("app.cache") || "sessionStorage" },
  // (The log goes to the console, where the e2e sweep looks for tokens.)
  system: { protocolMode: sessionStorage.getItem("app.mode") || "AAD", loggerOptions: { logLevel: msal.LogLevel.Info, loggerCallback: (level, message) => console.log(message) } },
});
window.events = [];
pca.addEventCallback((e) => {
  window.events.push(norm({ eventType: e.eventType, interactionType: e.interactionType, payload: e.payload, error: e.error }));
});

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
  return { ...outcome, events: window.events, storage: storage() };
};
// From a click (popups): the step's outcome lands in window.outcome.
document.getElementById("go").onclick = () => {
  window.outcome = null;
  const fn = new Function("pca", "msal", `return (${document.getElementById("go").dataset.fn})(pca, msal);`);
  window.step(fn).then((o) => { window.outcome = o; });
};
window.ready = window.step(async (p) => { await p.initialize(); return p.handleRedirectPromise(); });
