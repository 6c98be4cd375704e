// Entry for the popup relay page (msal-browser's `@azure/msal-browser/popup-relay`), the page
// `auth.popupRelayUri` names:
//   import { runPopupRelay } from "msal-wasm/popup-relay";
//   continueButton.onclick = () => runPopupRelay({ protocolVersion: 2 });
// Kept free of the wasm module, as the redirect bridge.
//
// An app inside another site's frame opens this page (on the app's own origin) as its popup.
// This page opens the provider's window itself, hears the redirect bridge there (a top-level
// page of the app's origin, so the same BroadcastChannel partition) and posts the response to
// the frame that opened it. The frame keeps the PKCE verifier: only the authorize response
// crosses windows. The page only ever opens or posts to https addresses without user info (on
// `allowedAuthorityOrigins` when given), and posts only to its own origin.
//
// Protocol 1 (msal's default, which msal deprecates) takes the request from this page's
// fragment; protocol 2 takes only the request's id from there, tells the opener it is ready
// with a nonce of its own, and navigates once the opener hands it the request for that nonce.
import { BrowserAuthError } from "./errors.js";

const kind = (k, v) => `msal:popup-relay-${k}:v${v}`;

function refuse(subError) {
  throw new BrowserAuthError("popup_relay_unsupported_flow", "", subError);
}

function protocol(v) {
  if (v === undefined) return 1;
  if (v !== 1 && v !== 2) refuse("popup_relay_invalid_protocol");
  return v;
}

function httpsUrl(raw, sub) {
  let u = null;
  try { u = typeof raw === "string" ? new URL(raw) : null; } catch (_) { /* not a URL */ }
  if (!u || u.protocol !== "https:" || u.username || u.password) refuse(sub);
  return u;
}

// Where this page may send its popup: an https address without user info, on one of `allowed`
// (origins, or any URL on them) when the page names them.
function target(raw, allowed) {
  if (typeof raw !== "string" || !raw) refuse("popup_relay_bad_request");
  const u = httpsUrl(raw, "popup_relay_unsafe_url");
  if (allowed !== undefined) {
    if (!Array.isArray(allowed)) refuse("popup_relay_invalid_allowed_origin");
    const origins = allowed.map((a) => httpsUrl(a, "popup_relay_invalid_allowed_origin").origin);
    if (!origins.includes(u.origin)) refuse("popup_relay_untrusted_authority");
  }
  return raw;
}

// msal's request: `{ id, method: "GET", url }` or `{ id, method: "POST", action, fields }`,
// checked exactly.
function parseRequest(r, allowed) {
  if (!r || typeof r !== "object" || typeof r.id !== "string" || !r.id) refuse("popup_relay_bad_request");
  if (r.method === "GET") return { id: r.id, method: "GET", url: target(r.url, allowed) };
  if (r.method !== "POST") refuse("popup_relay_bad_request");
  const action = target(r.action, allowed);
  const f = r.fields;
  if (!f || typeof f !== "object" || Array.isArray(f)) refuse("popup_relay_bad_request");
  const fields = {};
  for (const name of Object.keys(f)) {
    if (typeof f[name] !== "string") refuse("popup_relay_bad_request");
    fields[name] = f[name];
  }
  return { id: r.id, method: "POST", action, fields };
}

function send(child, request) {
  if (request.method === "GET") return child.location.replace(request.url);
  const doc = child.document;
  const form = doc.createElement("form");
  form.method = "post";
  form.action = request.action;
  for (const [name, value] of Object.entries(request.fields)) {
    const input = doc.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  doc.body.appendChild(form);
  form.submit();
}

function nonce() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function runPopupRelay(options) {
  options = options || {};
  const version = protocol(options.protocolVersion);
  const opener = window.opener;
  const origin = window.location.origin;
  const carried = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const incoming = carried.has("id") ? 2 : 1;
  let legacy = null;
  if (incoming === 1) {
    try { legacy = JSON.parse(carried.get("req") || ""); } catch (_) { legacy = null; }
  }
  const id = incoming === 2 ? carried.get("id") : legacy && typeof legacy === "object" ? legacy.id : "";
  // The request leaves this page's address at once.
  if (typeof window.history.replaceState === "function") window.history.replaceState(null, "", origin + window.location.pathname);
  if (!opener) refuse("popup_relay_no_opener");
  if (typeof id !== "string" || !id) refuse("popup_relay_bad_request");
  const tell = (v, message) => opener.postMessage({ type: kind("response", v), id, ...message }, origin);
  // A refusal reaches the opener too (msal's page only throws for some of them): the app gets
  // its error at once instead of when the user closes this window.
  const refused = (e, v) => {
    tell(v, { error: e.errorCode || "popup_window_error", subError: e.subError || "" });
    throw e;
  };
  if (incoming !== version) {
    try { refuse("popup_relay_protocol_mismatch"); } catch (e) { refused(e, incoming); }
  }
  let request = null;
  if (version === 1) {
    try { request = parseRequest(legacy, options.allowedAuthorityOrigins); } catch (e) { refused(e, 1); }
  }
  const secret = version === 2 ? nonce() : "";
  const channel = new BroadcastChannel(id);
  let settled = false;
  let poll = 0;
  let timer = 0;
  let child = null;
  const stop = () => {
    settled = true;
    try { channel.close(); } catch (_) { /* closed */ }
    clearInterval(poll);
    clearTimeout(timer);
    window.removeEventListener("message", onRequest);
    window.removeEventListener("pagehide", onPageHide);
  };
  const relay = (message) => {
    if (settled) return;
    stop();
    tell(version, version === 2 ? { nonce: secret, ...message } : message);
    setTimeout(() => { try { window.close(); } catch (_) { /* not closable */ } }, 0);
  };
  // The redirect bridge in the provider's window answers on the request's channel.
  channel.onmessage = (e) => {
    const payload = e.data && e.data.payload;
    if (request && typeof payload === "string" && payload) relay({ payload });
  };
  function onRequest(e) {
    const d = e.data;
    if (settled || request || e.origin !== origin || e.source !== opener || !d || d.type !== kind("request", 2) || d.id !== id || d.nonce !== secret) return;
    window.removeEventListener("message", onRequest);
    try {
      const r = parseRequest(d.request, options.allowedAuthorityOrigins);
      if (r.id !== id) refuse("popup_relay_bad_request");
      request = r;
      send(child, request);
    } catch (err) {
      const known = err instanceof BrowserAuthError;
      relay({ error: known ? err.errorCode : "popup_window_error", subError: known ? err.subError : "popup_relay_navigation_failed" });
      try { child.close(); } catch (_) { /* gone */ }
    }
  }
  function onPageHide() {
    stop();
    try { if (child) child.close(); } catch (_) { /* gone */ }
  }
  const size = (options.popupWindowAttributes && options.popupWindowAttributes.popupSize) || {};
  const at = (options.popupWindowAttributes && options.popupWindowAttributes.popupPosition) || {};
  const features = [`width=${size.width || 520}`, `height=${size.height || 640}`];
  if (at.top !== undefined) features.push(`top=${at.top}`);
  if (at.left !== undefined) features.push(`left=${at.left}`);
  features.push("scrollbars=yes");
  // Opened now, inside the click that ran this (the handover comes later, without it).
  const name = version === 1 ? "msalPopupRelayChild" : "_blank";
  child = request && request.method === "GET" ? window.open(request.url, name, features.join(",")) : window.open("about:blank", name, features.join(","));
  if (!child) return relay({ error: "popup_window_error" });
  window.addEventListener("pagehide", onPageHide);
  if (version === 2) window.addEventListener("message", onRequest);
  else if (request.method === "POST") send(child, request);
  poll = setInterval(() => {
    if (!child.closed || settled) return;
    clearInterval(poll);
    // The redirect bridge in that window answers on the channel, then closes it: the answer
    // may land after the window reads closed (another process, a loaded machine). Give it a
    // moment before the user counts as having closed it.
    setTimeout(() => relay({ error: "user_cancelled" }), 250);
  }, 500);
  // (setTimeout fires at once past 2^31-1 ms: held there, as the library's own waits.)
  timer = setTimeout(() => {
    if (settled) return;
    clearInterval(poll);
    try { child.close(); } catch (_) { /* gone */ }
    relay({ error: "timed_out", subError: request ? "" : "popup_relay_handshake_timeout" });
  }, Math.min(options.timeoutMs || 300000, 2147483647));
  if (version === 2) opener.postMessage({ type: kind("ready", 2), id, nonce: secret }, origin);
}
