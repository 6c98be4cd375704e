// Window mechanics the Rust side drives: popups, hidden iframes, timers, logging.
// Kept in JS because these are callback- and timer-shaped browser APIs; every failure is
// reported as a rejected promise or a null, never thrown past the Rust caller.

// A log line to a client's logger (`sink(level, message, correlationId)`; every client has its own).
export function logTo(sink, level, message, correlationId) {
  if (typeof sink === "function") {
    try { sink(level, message, correlationId); } catch (_) { /* a broken logger must not break auth */ }
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// sleep(), but over as soon as another tab's storage write or message was handled here: a
// background tab's timers run late, its events do not. News that came while nobody waited
// ends the next wait at once (never lost between the caller's look and its wait).
let wakeUps = [], news = false;
export function waitForTabs(ms) {
  if (news) {
    news = false;
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    wakeUps.push(resolve);
    setTimeout(() => {
      const i = wakeUps.indexOf(resolve);
      if (i >= 0) wakeUps.splice(i, 1);
      resolve();
    }, ms);
  });
}
const tabsSpoke = () => {
  news = wakeUps.length === 0;
  wakeUps.splice(0).forEach((wake) => wake());
};

// The window the next popup opens from, centred on it (msal's popupWindowParent).
let parent = null;
export function popupParent(win) { parent = win || null; }

// Opens a centred popup synchronously. Returns the window, or null when the browser
// returned none; throws only when window.open itself throws.
export function openPopup(url, name, width, height, top, left) {
  const from = parent || window;
  parent = null;
  // msal's geometry: a number that is not positive or exceeds the parent's inner size gets
  // the default (483 x 600, centred on the parent as if of that size).
  const root = document.documentElement || {};
  const winW = from.innerWidth || root.clientWidth || 0;
  const winH = from.innerHeight || root.clientHeight || 0;
  const fit = (v, max, dflt) => (v > 0 && v <= max ? v : dflt);
  const w = fit(width, winW, 483);
  const h = fit(height, winH, 600);
  const x = fit(left, winW, Math.max(0, winW / 2 - 483 / 2 + (from.screenLeft || from.screenX || 0)));
  const y = fit(top, winH, Math.max(0, winH / 2 - 600 / 2 + (from.screenTop || from.screenY || 0)));
  const popup = from.open(url, name, `width=${w}, height=${h}, top=${y}, left=${x}, scrollbars=yes`);
  if (popup && typeof popup.focus === "function") {
    try { popup.focus(); } catch (_) { /* ignore */ }
  }
  // (msal's title, while the popup is still this origin's blank page.)
  try { if (popup) popup.document.title = "Microsoft Authentication"; } catch (_) { /* not ours any more */ }
  return (waitless = popup || null);
}
// The popup opened last, until a wait takes it (cancelPopupWaits closes it too: one whose
// request was given up before its wait began, while its authority was resolved).
let waitless = null;

// Sends a popup opened at about:blank to `url` (once the request's URL is known). False when
// the popup is gone.
export function navigatePopup(popup, url) {
  try {
    if (!popup || popup.closed) return false;
    popup.location.assign(url);
    return true;
  } catch (_) {
    return false;
  }
}

// Posts a form of `fields` (URL-encoded) to `action` in `win` (a popup or frame on
// about:blank, or this window when null). False when the window is gone.
export function postForm(win, action, fields) {
  try {
    const doc = (win || window).document;
    const form = doc.createElement("form");
    form.method = "post";
    form.action = action;
    for (const [name, value] of new URLSearchParams(fields)) {
      const input = doc.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    doc.body.appendChild(form);
    form.submit();
    return true;
  } catch (_) {
    return false;
  }
}

export function closePopup(popup) {
  try { if (popup && !popup.closed) popup.close(); } catch (_) { /* ignore */ }
}

// The redirect bridge's message `{v: 1, payload}`: its payload, "" when empty, or null for
// anything that is not such a message (or too long to be an authorize response).
function bridgePayload(e) {
  const d = e && e.data;
  if (!d || typeof d !== "object" || !("payload" in d)) return null;
  if (d.payload === undefined || d.payload === null || d.payload === "") return "";
  return typeof d.payload === "string" && d.payload.length <= 65536 ? d.payload : null;
}

// A response in a window's address. Not the request itself: a provider on this origin (one
// reverse-proxied beside the app) shows its sign-in page at the authorize URL, whose `state` is
// ours, and a sign-out page at the end-session URL (what they ask for, and where to answer,
// mark them).
function responseFrom(loc) {
  const hash = loc.hash && loc.hash.length > 1 ? loc.hash : "";
  const search = loc.search && loc.search.length > 1 ? loc.search : "";
  for (const s of [hash, search]) {
    if (/[#?&](code|error|state)=/.test(s) && !/[#?&](response_type|post_logout_redirect_uri)=/.test(s)) return s;
  }
  return "";
}

// Waits for the authorize response of `stateId` in `popup`: by polling its location once it
// is back on our origin, or by a message on BroadcastChannel(stateId) from a redirect page
// that called broadcastResponseToMainFrame(). Rejects with "user_cancelled" when the popup
// closes first, "timed_out" after timeoutMs, "interaction_in_progress_cancelled" when
// cancelPopupWaits() ends it. `legacy` (msal 5's system.enableLegacyPolling): as msal 4, no
// timeout, the popup closed when this page unloads, a popup that reads closed is cancelled (a
// moment later), and any page of this origin but the request's ends the wait (without a
// response: msal's hash_empty_error).
const popupWaits = new Set();
export function cancelPopupWaits() {
  closePopup(waitless);
  waitless = null;
  for (const finish of popupWaits) finish(false, "interaction_in_progress_cancelled");
}
export function waitForPopup(popup, stateId, timeoutMs, sink, correlationId, relayVersion, relayRequest, legacy) {
  if (popup === waitless) waitless = null;
  return new Promise((resolve, reject) => {
    let done = false;
    let channel = null;
    let poll = 0;
    const finish = (ok, value) => {
      if (done) return;
      done = true;
      popupWaits.delete(finish);
      clearInterval(poll);
      clearTimeout(timer);
      removeEventListener("focus", back);
      removeEventListener("blur", away);
      removeEventListener("beforeunload", gone);
      if (channel) channel.close();
      window.removeEventListener("message", relayed);
      try { if (!popup.closed) popup.close(); } catch (_) { /* ignore */ }
      ok ? resolve(value) : reject(value);
    };
    // (Legacy: as msal's poller, the popup closes with this page.)
    const gone = () => finish(false, "user_cancelled");
    if (legacy) addEventListener("beforeunload", gone);
    const timer = legacy ? 0 : setTimeout(() => finish(false, "timed_out"), timeoutMs);
    // A popup out of reach while this window does not have the focus: the user is still in it
    // (Cross-Origin-Opener-Policy on a later page cut it off), or closed it and the focus comes
    // back here a moment later (Firefox), or closed it while another window took the focus. The
    // focus here at once (after a moment for a bridge message already in flight), or the user
    // back in this window for a second, without an answer, ends it.
    let giveUp = 0, outOfReachAt = 0;
    const back = () => {
      clearTimeout(giveUp);
      giveUp = setTimeout(() => finish(false, "user_cancelled"), Date.now() - outOfReachAt < 500 ? 50 : 1000);
    };
    const away = () => clearTimeout(giveUp);
    popupWaits.add(finish);
    // msal 5's popup relay (auth.popupRelayUri): the popup is a page of this origin that opens
    // the provider's window itself and posts its response here. Only that window's messages
    // count; protocol 2 first hands it the request, once, for the nonce it sent.
    let nonce = "";
    const kind = (k) => `msal:popup-relay-${k}:v${relayVersion}`;
    function relayed(e) {
      const d = e.data;
      if (e.origin !== window.location.origin || e.source !== popup || !d || typeof d !== "object" || d.id !== stateId) return;
      if (relayVersion === 2 && d.type === kind("ready")) {
        if (nonce || typeof d.nonce !== "string" || !d.nonce) return;
        nonce = d.nonce;
        try {
          popup.postMessage({ type: kind("request"), id: stateId, nonce, request: JSON.parse(relayRequest) }, window.location.origin);
        } catch (_) {
          finish(false, "popup_window_error");
        }
        return;
      }
      const error = typeof d.error === "string" ? d.error : "";
      if (d.type !== kind("response") || (relayVersion === 2 && (nonce ? d.nonce !== nonce : !error))) return;
      if (error) finish(false, error === "popup_relay_unsupported_flow" ? String(d.subError || "popup_relay_bad_request") : error);
      else if (typeof d.payload === "string" && d.payload && d.payload.length <= 65536) finish(true, d.payload);
      else finish(false, "redirect_bridge_empty_response");
    }
    if (relayVersion) {
      window.addEventListener("message", relayed);
      poll = setInterval(() => {
        let closed = true;
        try { closed = popup.closed; } catch (_) { /* unreachable: closed */ }
        if (!closed) return;
        // The relay page posts its answer and closes itself: the answer may land after the
        // window reads closed (another process in Firefox, a loaded machine). Give it a moment.
        clearInterval(poll);
        setTimeout(() => finish(false, "user_cancelled"), 250);
      }, 500);
      return;
    }
    try {
      channel = new BroadcastChannel(stateId);
      channel.onmessage = (e) => {
        const payload = bridgePayload(e);
        if (payload === null) return;
        payload ? finish(true, payload) : finish(false, "redirect_bridge_empty_response");
      };
    } catch (_) { channel = null; }
    // `closed` reads true when the user closed the popup, and also when Cross-Origin-Opener-
    // Policy (this page's, or the provider's) severed it from this window as it navigated,
    // while the user is still signing in. Severing takes effect as the provider's page loads
    // (this window may glimpse that page for a moment first), so a popup seen open at another
    // origin for a second or more and then closed, with the focus back in this window, was
    // closed by the user. A later page of the sign-in can sever it too (a federated identity
    // provider's, with the focus still in the popup): then, and for any popup severed at once,
    // the bridge channel or the timeout ends the wait, as always in msal v5; one severed later
    // also ends when the user is back here (see `back`).
    let awaySince = 0, awayFor = 0;
    poll = setInterval(() => {
      let closed = true;
      try { closed = popup.closed; } catch (_) { closed = true; }
      if (closed) {
        clearInterval(poll);
        // (A page of the app that sent the answer over the bridge and closed itself: its
        // message may land a moment after the window reads closed.)
        if (legacy) return setTimeout(() => finish(false, "user_cancelled"), 250);
        outOfReachAt = Date.now();
        if (awayFor >= 1000 && document.hasFocus()) return back();
        logTo(sink, 2, "the popup is out of reach (closed, or severed by Cross-Origin-Opener-Policy): waiting for the redirect bridge until popupBridgeTimeout", correlationId);
        if (awayFor >= 1000) {
          addEventListener("focus", back);
          addEventListener("blur", away);
        }
        return;
      }
      try {
        const loc = popup.location;
        if (loc.origin === window.location.origin) {
          const r = responseFrom(loc);
          if (r) finish(true, r);
          else if (legacy && loc.href !== "about:blank" && !/[#?&](response_type|post_logout_redirect_uri)=/.test(loc.search + loc.hash)) finish(true, loc.hash || loc.search);
        }
      } catch (_) {
        // At the identity provider.
        awaySince = awaySince || Date.now();
        awayFor = Date.now() - awaySince;
      }
    }, 30);
  });
}

// Loads `url` in a hidden iframe (or posts `fields` to it there) and waits for the response
// (polling, or the bridge channel). Rejects with "iframe_no_response" when a page of another
// origin finished loading and nothing followed within `settleMs`, or by the timeout when no
// `settleMs` applies (the provider showed a page instead of answering: third-party cookies
// blocked, framing refused, a sign-in form); with "timed_out" when nothing loaded in time.
// The iframe is always removed.
export function loadHiddenIframe(url, fields, stateId, timeoutMs, settleMs) {
  return new Promise((resolve, reject) => {
    const frame = document.createElement("iframe");
    // As msal 5's frame (apps' styles and tests find it by its class); `allow` lets it reach a
    // provider on the local network under Chrome's Local Network Access (an intranet ADFS).
    frame.className = "msalSilentIframe";
    frame.title = "Microsoft Authentication";
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms");
    frame.setAttribute("allow", "local-network-access *");
    frame.setAttribute("aria-hidden", "true");
    frame.style.cssText = "visibility:hidden;position:absolute;width:0;height:0;border:0";
    let done = false;
    let channel = null;
    const finish = (ok, value) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(timer);
      clearTimeout(settle);
      if (channel) channel.close();
      frame.remove();
      ok ? resolve(value) : reject(value);
    };
    try {
      channel = new BroadcastChannel(stateId);
      channel.onmessage = (e) => {
        const payload = bridgePayload(e);
        if (payload === null) return;
        payload ? finish(true, payload) : finish(false, "redirect_bridge_empty_response");
      };
    } catch (_) { channel = null; }
    // Takes the response once the frame is back on this origin (false while elsewhere): by the
    // poll, and on load, since the poll's timer runs late in a background tab.
    const look = () => {
      try {
        const loc = frame.contentWindow.location;
        if (loc.origin !== window.location.origin) return false;
        const r = responseFrom(loc);
        if (r) finish(true, r);
        return true;
      } catch (_) { return false; }
    };
    const poll = setInterval(look, 30);
    // (A raised timeout has no settle bound: a provider's page that never answers still ends as
    // iframe_no_response, an InteractionRequiredAuthError, not msal's timed_out, on which
    // msal-react gives up.)
    let elsewhere = false;
    const timer = setTimeout(() => finish(false, elsewhere ? "iframe_no_response" : "timed_out"), timeoutMs);
    let settle = null;
    frame.addEventListener("load", () => {
      clearTimeout(settle);
      // (A POST's frame first loads its own blank page, before the form goes: not the provider's.)
      try {
        if (frame.contentWindow.location.href === "about:blank") return;
      } catch (_) { /* another origin's page */ }
      elsewhere = !look();
      if (elsewhere && settleMs > 0) settle = setTimeout(() => finish(false, "iframe_no_response"), settleMs);
    });
    if (!fields) frame.src = url;
    (document.body || document.documentElement).appendChild(frame);
    if (fields && !postForm(frame.contentWindow, url, fields)) finish(false, "iframe_no_response");
  });
}

// sessionStorage or localStorage; null when refused (blocked; a sandboxed frame throws on use).
// Probed by reading: a probe write would reach every other tab.
export function storageArea(session) {
  try {
    const s = session ? sessionStorage : localStorage;
    s.length;
    return s;
  } catch (_) {
    return null;
  }
}
export function storageGet(s, key) {
  try { return s.getItem(key); } catch (_) { return null; }
}
// 0: stored; 1: refused, the storage is full; 2: refused otherwise (blocked).
export function storageSet(s, key, value) {
  try { s.setItem(key, value); return 0; } catch (e) { return isQuota(e) ? 1 : 2; }
}

// (QuotaExceededError, Firefox's NS_ERROR_DOM_QUOTA_REACHED, "exceeded the quota".)
const isQuota = (e) => /quota/i.test(e && e.name + e.message);
export function storageRemove(s, key) {
  try { s.removeItem(key); } catch (_) { /* blocked meanwhile */ }
}
export function storageLength(s) {
  try { return s.length; } catch (_) { return -1; }
}
export function storageKeys(s) {
  const keys = [];
  try {
    for (let i = 0, k; i < s.length; i++) if ((k = s.key(i)) !== null) keys.push(k);
  } catch (_) { /* blocked meanwhile */ }
  return keys;
}
// Whether `key` holds both `a` and `b` (lower case), its case aside.
const naming = (key, a, b) => { const k = key.toLowerCase(); return k.includes(a) && k.includes(b); };
export function storageRemoveNaming(s, a, b) {
  for (const k of storageKeys(s)) if (naming(k, a, b)) storageRemove(s, k);
}

// The page's id, shared by its clients (also those of another copy of this package, as two
// micro-frontends may bundle): a client's message with it comes from one sharing this
// sessionStorage.
export function pageId() {
  const k = Symbol.for("msal-wasm.page");
  if (!globalThis[k]) globalThis[k] = String(Math.random()).slice(2) + String(Date.now());
  return globalThis[k];
}

export function pageUrl() {
  return location.href;
}

// A fragment that is not the page's now (a hash route put back after a redirect) is set as
// msal sets it, through location.hash: the app's router hears hashchange. Office.js nulls
// replaceState: then only the fragment changes (msal's clearHash).
export function replaceAddress(url) {
  try {
    const i = url.indexOf("#");
    const hash = i < 0 || url.length - i < 2 ? "" : url.slice(i);
    const replace = typeof history.replaceState == "function";
    // A response leaving the fragment: a hashchange first, as msal's clearHash, so a hash
    // router hears that the route is gone (replace("#") keeps the history as it was).
    if (replace && !hash && location.hash.length > 1) location.replace("#");
    if (replace && (!hash || hash === location.hash)) return history.replaceState(null, "", url);
    if (replace) history.replaceState(null, "", url.slice(0, i));
    if (location.hash !== hash) location.hash = hash;
  } catch (_) { /* a sandboxed frame */ }
}

export function randomFill(buf) {
  try { crypto.getRandomValues(buf); return true; } catch (_) { return false; }
}

// The wasm's tasks (runtime.rs): polled in a microtask whenever woken, until done.
const tasks = new Map();
export function spawn(id, task) {
  return new Promise((resolve, reject) => {
    tasks.set(id, { task, resolve, reject, queued: false });
    wake(id);
  });
}
export function wake(id) {
  const t = tasks.get(id);
  if (!t || t.queued) return;
  t.queued = true;
  // (A promise's reaction, not queueMicrotask: test runners' fake timers fake that one.)
  Promise.resolve().then(() => {
    if (tasks.get(id) !== t) return; // finished meanwhile (it woke itself as it ended)
    t.queued = false;
    try {
      if (!t.task.poll()) return;
      tasks.delete(id);
      t.resolve(t.task.take());
    } catch (e) {
      tasks.delete(id);
      t.reject(e);
    }
    t.task.free();
  });
}
export function watch(promise, settle) {
  const done = (ok) => (v) => { settle.settle(ok, v); settle.free(); };
  Promise.resolve(promise).then(done(true), done(false));
}

export function inIframe() {
  try { return window.parent !== window; } catch (_) { return true; }
}

// msal 5's popup origin check: every ancestor frame is of this origin, and the top window was
// opened by none or by a page of this origin (a read across origins throws).
export function originCheck() {
  const check = (win) => {
    try {
      if (win.origin === "null") return false;
      for (let w = win; w !== w.parent;) { w = w.parent; void w.location.href; }
      const opener = win.top && win.top.opener;
      if (opener && opener !== win.top) void opener.location.href;
      return !!win.top;
    } catch (_) {
      return false;
    }
  };
  // As msal: a popup opened from another window (popupWindowParent) needs that one's too.
  return check(window) && (!parent || parent === window || check(parent));
}

export function isOnline() {
  return typeof navigator === "undefined" || navigator.onLine !== false;
}

// Cross-tab mutual exclusion with the Web Locks API. Resolves to a release function once the
// lock is held, or to null when `waitMs` passed first (a holder that never lets go: a hung tab,
// or a page of the origin requesting our lock name). The browser releases a lock when its tab
// goes away, so a crashed or closed tab never leaves it behind. Without Web Locks it resolves
// at once (no exclusion).
export function acquireLock(name, waitMs) {
  const locks = typeof navigator !== "undefined" && navigator.locks;
  if (!locks || typeof locks.request !== "function") return Promise.resolve(() => {});
  return new Promise((acquired) => {
    const abort = typeof AbortController === "function" ? new AbortController() : null;
    const timer = setTimeout(() => (abort ? abort.abort() : acquired(null)), waitMs);
    const options = abort ? { signal: abort.signal } : {};
    locks
      .request(name, options, () => {
        clearTimeout(timer);
        return new Promise((release) => acquired(release));
      })
      .catch(() => {
        clearTimeout(timer);
        acquired(null);
      });
  });
}

// One HTTP exchange: through the app's msal network client (`system.networkClient`) when it
// has one, else fetch, which sends a failed POST once more after 100 ms (msal's FetchClient).
// Either is given up after `ms` (fetch is aborted). `headers` is a JSON object. Never rejects:
// resolves to the JSON of {s: status, h: {lower-case name: value}, b: body text, cut after
// `maxBody` characters}, or of {e: "abort" | "failed" | "client", c: the error code, n: the class
// and s: the subError of an AuthError the client threw, m: a message}. The client gets a POST's correlation id
// in its options, as msal's.
export async function send(post, url, headers, body, ms, maxBody, correlationId, client) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(late), ms); });
  const abort = !client && typeof AbortController === "function" ? new AbortController() : null;
  late.catch(() => abort && abort.abort());
  const h = {};
  const header = (v, k) => { h[String(k).toLowerCase()] = String(v); };
  try {
    const options = { headers: JSON.parse(headers) };
    let status, b;
    if (client) {
      if (post) Object.assign(options, { body, correlationId: correlationId || undefined });
      const r = (await Promise.race([post ? client.sendPostRequestAsync(url, options) : client.sendGetRequestAsync(url, options), late])) || {};
      const rh = r.headers || {};
      if (typeof rh.forEach === "function") rh.forEach(header);
      else for (const k of Object.keys(rh)) header(rh[k], k);
      // msal reads the body whatever the status: an answer without one counts as 200.
      status = typeof r.status === "number" ? r.status : 200;
      b = typeof r.body === "string" ? r.body : JSON.stringify(r.body);
    } else {
      Object.assign(options, { method: post ? "POST" : "GET", signal: abort ? abort.signal : undefined, body: post ? body : undefined });
      let r;
      for (let retry = post; !r; retry = false) {
        try {
          r = await Promise.race([fetch(url, options), late]);
        } catch (e) {
          if (!retry || e === late || !isOnline()) throw e;
          await sleep(100);
        }
      }
      r.headers.forEach(header);
      status = r.status;
      // A body that breaks off is an answer that does not parse, as msal's response.json().
      b = await Promise.race([r.text(), late]).catch((e) => { if (e === late) throw e; return ""; });
    }
    b = b || "";
    // A body past the limit is refused anyway: it is not copied whole into the wasm.
    return JSON.stringify({ s: status | 0, h, b: b.length > maxBody ? b.slice(0, maxBody + 1) : b });
  } catch (e) {
    if (e === late || (abort && abort.signal.aborted)) return '{"e":"abort"}';
    try {
      // As msal: an AuthError the client threw (or msal's NetworkError around one) is the
      // call's error; anything else is network_error.
      const err = client && [e && e.error, e].find((x) => x instanceof Error && typeof x.errorCode === "string");
      // (With a server error's details: its claims challenge, trace id, time and number.)
      const text = (v) => (v === undefined || v === null ? "" : String(v));
      if (err) return JSON.stringify({ e: "client", c: err.errorCode, n: String(err.name), m: String(err.errorMessage || err.message), s: text(err.subError), t: text(err.traceId), ts: text(err.timestamp), no: text(err.errorNo), cl: text(err.claims) });
      return JSON.stringify({ e: client ? "client" : "failed", m: String((e && e.message) || e) });
    } catch (_) {
      return client ? '{"e":"client"}' : '{"e":"failed"}';
    }
  } finally {
    clearTimeout(timer);
  }
}

// Tries to take a Web Lock without waiting: resolves to a release function, or null when
// another tab holds it. Without Web Locks: a no-op release.
export function tryLock(name) {
  const locks = typeof navigator !== "undefined" && navigator.locks;
  if (!locks || typeof locks.request !== "function") return Promise.resolve(() => {});
  return new Promise((done) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => (lock ? new Promise((release) => done(release)) : (done(null), undefined)))
      .catch(() => done(() => {}));
  });
}

// Marks for the app's other clients (in other tabs, and beside this one in the page): a shared
// Web Lock named `${prefix}|${this tab}-${owner}|${value}` held for `ms`; the lock manager
// orders it with the other locks, unlike messages or storage events. Resolves once it is held.
// `owner`: markOwner()'s, one per client.
const TAB = Math.random().toString(36).slice(2);
let owners = 0;
export function markOwner() {
  return (owners += 1);
}
export function markLock(prefix, owner, value, ms) {
  const locks = typeof navigator !== "undefined" && navigator.locks;
  if (!locks || typeof locks.request !== "function") return Promise.resolve();
  return new Promise((held) => {
    locks
      .request(`${prefix}|${TAB}-${owner}|${value}`, { mode: "shared" }, () => {
        held();
        return new Promise((done) => setTimeout(done, ms));
      })
      .catch(() => held());
  });
}

// Resolves to the largest value of the marks named `prefix` (`under`: whose names start with
// it) other clients than `owner` hold (see markLock), or to null when they hold none (a mark of
// an older version, without a value, counts as 0).
export function othersMarked(prefix, owner, under) {
  const locks = typeof navigator !== "undefined" && navigator.locks;
  if (!locks || typeof locks.query !== "function") return Promise.resolve(null);
  return locks.query().then((s) => {
    let max = null;
    for (const { name } of s.held) {
      if (!name.startsWith(under ? prefix : `${prefix}|`)) continue;
      // `${name}|${owner}|${value}`: the last two parts (a name may hold "|").
      const parts = name.slice(prefix.length).split("|");
      const [who, value] = parts.length > 2 ? parts.slice(-2) : [parts[1]];
      if (who !== `${TAB}-${owner}`) max = Math.max(max ?? 0, Number(value) || 0);
    }
    return max;
  }, () => null);
}

export function release(fn) {
  if (typeof fn === "function") {
    try { fn(); } catch (_) { /* ignore */ }
  }
}

// What the page hears for one app (`events`: runtime.rs, `TabEvents`): string messages of at most
// `maxLength` characters on the BroadcastChannel `name` (any page of the origin can post there: a
// huge message must not be copied into the module), the changes other pages make to `storage`
// (the cache's area, else null: other tabs' to localStorage, the tab's other same-origin frames'
// to sessionStorage), and wake-ups: visible again or back online (timers are not trusted after sleep or
// in background tabs), or back from the back/forward cache (`restored` true). Returns what
// `post` and `unlisten` take: the channel (null without BroadcastChannel) and what stops it all.
export function listen(name, maxLength, storage, store, events) {
  const safely = (f) => { try { f(); } catch (_) { /* never break the page */ } };
  const off = [];
  const on = (target, type, f) => { target.addEventListener(type, f); off.push(() => target.removeEventListener(type, f)); };
  if (store) {
    store.full = (key) => { try { return events.full(key); } catch (_) { return false; } };
    off.push(() => { store.full = null; });
  }
  if (typeof document !== "undefined") {
    if (storage) on(window, "storage", (e) => { if (e.storageArea === storage) { safely(() => events.storage(e.key === null ? "" : e.key)); tabsSpoke(); } });
    const wake = (restored) => safely(() => events.wake(restored));
    on(document, "visibilitychange", () => { if (document.visibilityState === "visible") wake(false); });
    on(window, "online", () => wake(false));
    on(window, "pageshow", (e) => { if (e.persisted) wake(true); });
  }
  // msal-browser 5 on this page, or another copy of this package on it, tells its writes on
  // msal's cache channel only: no storage event reaches the page that wrote. (Another tab's
  // writes come with a storage event: a copy of this package there names its page, skipped.)
  // Its change of the active account, a write it does not tell there, comes as its event.
  if (store) {
    try {
      on(cacheChannel(), "message", (e) => {
        const d = e.data, key = d && d.key;
        // (Not the active account's key: msal tells its change as its event, below, which another
        // tab's storage event would count twice.)
        if (typeof key === "string" && key.startsWith("msal.") && !key.endsWith(".active-account-filters") && (d.page === undefined || d.page === pageId())) safely(() => events.storage(key));
      });
      const told = new BroadcastChannel("msal.broadcast.event");
      on(told, "message", (e) => { if (e.data && e.data.eventType === "msal:activeAccountChanged") safely(() => events.activeHeard()); });
      off.push(() => told.close());
    } catch (_) { /* no BroadcastChannel */ }
  }
  let channel = null;
  try {
    channel = new BroadcastChannel(name);
    channel.onmessage = (e) => {
      if (typeof e.data === "string" && e.data.length <= maxLength) {
        safely(() => events.message(e.data));
        tabsSpoke();
      }
    };
    off.push(() => channel.close());
  } catch (_) { /* no BroadcastChannel */ }
  return { channel, stop: () => off.splice(0).forEach(safely) };
}

export function post(listening, text) {
  if (listening && listening.channel) {
    try { listening.channel.postMessage(text); } catch (_) { /* ignore */ }
  }
}

// Stops what `listen` started: a client that is gone hears nothing more (its listeners and
// channel would otherwise stay with the page).
export function unlisten(listening) {
  if (listening) listening.stop();
}

// ---- the token cache in localStorage, encrypted at rest as msal-browser v4/v5 do it ----
// The key lives in the session cookie `msal.cache.encryption` (URI-encoded JSON {id, key}, key =
// 32 raw bytes, base64url): when the browser session ends, the entries on disk can no longer be
// read. Accounts and credentials (keys `msal.<schema>|…`) are stored as
// {"id", "nonce", "data", "lastUpdatedAt"}: AES-GCM-256, all-zero 12-byte IV, with a key derived
// per write by HKDF-SHA-256 (salt = the 16-byte nonce, info = the client id when the storage key
// contains it, else ""). Key lists, the active account and metadata stay in clear (as msal).
// Entries are decrypted once, by load(), into memory; reads come from there.
const ENC_COOKIE = "msal.cache.encryption";
const USER_KEY = /^msal\.\d+\|/;

function b64url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function unb64url(text) {
  let s = String(text).replace(/-/g, "+").replace(/_/g, "/");
  while (s.length % 4) s += "=";
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function readKeyCookie() {
  for (const part of document.cookie.split(";")) {
    const at = part.indexOf("=");
    if (at < 0 || part.slice(0, at).trim() !== ENC_COOKIE) continue;
    try {
      const v = JSON.parse(decodeURIComponent(part.slice(at + 1).trim()));
      if (v && typeof v.id === "string" && v.id && typeof v.key === "string" && unb64url(v.key).length) return v;
    } catch (_) { /* malformed: a new key is made */ }
  }
  return null;
}

function newKeyId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Two key lists' union (msal's account list, an array; or its token lists, an object of
// arrays), the first's keys first; the first when the second is not a list.
function mergeLists(mine, theirs) {
  try {
    const [a, b] = [JSON.parse(mine), JSON.parse(theirs)];
    const union = (x, y) => (Array.isArray(y) ? [...new Set([...x, ...y])] : x);
    if (Array.isArray(a)) return JSON.stringify(union(a, b));
    for (const k of Object.keys(a)) if (Array.isArray(a[k])) a[k] = union(a[k], b && b[k]);
    return JSON.stringify(a);
  } catch (_) {
    return mine;
  }
}

const isEnvelope = (v) => v && typeof v === "object" && typeof v.id === "string" && typeof v.nonce === "string" && typeof v.data === "string";

// The page's stores: one that loads waits for the writes the others have under way (a client
// made just after another one wrote, e.g. after loadExternalTokens, reads them).
const pageStores = new Set();

let msalChannel = null;
const cacheChannel = () => {
  if (!msalChannel) {
    msalChannel = new BroadcastChannel("msal.broadcast.cache");
    if (msalChannel.unref) msalChannel.unref(); // Node: let the process end
  }
  return msalChannel;
};

export class EncryptedStore {
  constructor(clientId, log) {
    this.clientId = clientId;
    this.log = log;
    this.mem = new Map();
    // Entries of msal-browser 4's schemas 0 and 1 decrypted by load(), until the cache migrates them.
    this.older = new Map();
    // Values of other keys (key lists, the active account) written but not on disk yet.
    this.pending = new Map();
    // Key lists whose write the storage refused for good (full): read as the pending value
    // merged with the stored one (see get()).
    this.stuck = new Set();
    // Entries held in this page's memory only (no key to encrypt them, or a full storage).
    this.memOnly = new Set();
    this.base = null;
    this.id = "";
    this.loaded = null;
    this.ready = false;
    this.turns = new Map();
    // The last answers read from localStorage (see disk()).
    this.seen = new Map();
    this.queue = Promise.resolve();
    if (typeof WeakRef === "function") pageStores.add(new WeakRef(this));
  }

  context(key) {
    return key.includes(this.clientId) ? this.clientId : "";
  }

  // msal 5 keeps its tabs' caches in memory and learns of another tab's writes only from its
  // BroadcastChannel: told nothing, an msal-browser tab beside this one unlists (and deletes)
  // the entries this tab writes. Each write and removal is told there as msal tells it (its
  // owner: the client id in a key's fifth segment). msal's tab then reads the key from the
  // storage, where another process may not see the write yet (Chromium: it then drops the
  // entry from its memory): so it is told again a moment later.
  tellMsal(key, value) {
    if (typeof BroadcastChannel !== "function") return;
    const owner = key.toLowerCase().split("|")[4] === this.clientId.toLowerCase();
    const tell = () => {
      try {
        cacheChannel().postMessage({ key, value, context: owner ? this.clientId : "", page: pageId() });
      } catch (_) { /* not told: an msal tab re-reads the storage on its next start */ }
    };
    tell();
    setTimeout(tell, 250);
  }

  async derive(nonce, key) {
    const info = new TextEncoder().encode(this.context(key));
    return crypto.subtle.deriveKey({ name: "HKDF", salt: nonce, hash: "SHA-256", info }, this.base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  }

  async encrypt(key, value) {
    const nonce = crypto.getRandomValues(new Uint8Array(16));
    const aes = await this.derive(nonce, key);
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, aes, new TextEncoder().encode(value));
    let lastUpdatedAt = Date.now().toString();
    try { const e = JSON.parse(value); if (typeof e.lastUpdatedAt === "string") lastUpdatedAt = e.lastUpdatedAt; } catch (_) { /* not JSON */ }
    return JSON.stringify({ id: this.id, nonce: b64url(nonce), data: b64url(new Uint8Array(data)), lastUpdatedAt });
  }

  stale(stored) {
    try { const v = JSON.parse(stored); return isEnvelope(v) && v.id !== this.id; } catch (_) { return false; }
  }

  // The clear text of a stored value: decrypted when it is an envelope of the current key, as
  // is when it was stored in clear; null for an envelope of another key (an earlier browser
  // session) or one that does not decrypt.
  async open(key, stored) {
    let v;
    try { v = JSON.parse(stored); } catch (_) { return stored; }
    if (!isEnvelope(v)) return stored;
    if (v.id !== this.id || !this.base) return null;
    try {
      const aes = await this.derive(unb64url(v.nonce), key);
      const plain = new TextDecoder().decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, aes, unb64url(v.data)));
      const entity = JSON.parse(plain);
      if (typeof v.lastUpdatedAt === "string" && entity && typeof entity === "object") entity.lastUpdatedAt = v.lastUpdatedAt;
      return JSON.stringify(entity);
    } catch (_) {
      return null;
    }
  }

  // Reads (or makes) the key, then decrypts every entry into memory. Once; later calls share it.
  load() {
    if (!this.loaded) this.loaded = this.loadOnce().finally(() => { this.ready = true; });
    return this.loaded;
  }

  async loadOnce() {
    for (const ref of pageStores) {
      const other = ref.deref();
      if (!other) pageStores.delete(ref);
      else if (other !== this) await other.flush();
    }
    let kept = false;
    if (!(typeof crypto !== "undefined" && crypto.subtle)) {
      this.log(1, "WebCrypto is unavailable (not a secure context): the cache lasts for this page only");
    } else {
      // Without the cookie (the browser refused it) every page has a key of its own: entries
      // sealed with another key may be another open tab's, not an earlier session's.
      let cookie = readKeyCookie();
      kept = true;
      if (!cookie) {
        const made = { id: newKeyId(), key: b64url(crypto.getRandomValues(new Uint8Array(32))) };
        // (A frame of another site that blocks third-party cookies takes a partitioned one.)
        for (const a of ["None;Secure", location.protocol === "https:" ? "Lax;Secure" : "Lax", "None;Secure;Partitioned"]) if (!readKeyCookie()) document.cookie = `${ENC_COOKIE}=${encodeURIComponent(JSON.stringify(made))};path=/;SameSite=${a}`;
        // A key another tab stored at the same moment wins.
        cookie = readKeyCookie();
        kept = cookie !== null;
        if (!kept) {
          cookie = made;
          this.log(1, "the browser refused the cache key cookie: encrypted tokens last for this page only");
        }
      }
      this.id = cookie.id;
      this.base = await crypto.subtle.importKey("raw", unb64url(cookie.key), "HKDF", false, ["deriveKey"]);
    }
    const keys = [];
    for (let i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
    // msal-browser 4 before 4.26 (cache schemas 0 and 1) kept its sealed entries under keys
    // without the `msal.<schema>|` prefix (`<home>-…`, `msal.1-<home>-…`), listed in
    // msal[.1].account.keys and msal[.1].token.keys.<client id>: those are opened too (as msal's
    // importExistingCache), so that the cache can migrate them.
    const older = new Set();
    for (const list of ["", ".1"].flatMap((s) => [`msal${s}.account.keys`, `msal${s}.token.keys.${this.clientId}`])) {
      try {
        const v = JSON.parse(localStorage.getItem(list)) || [];
        for (const k of Array.isArray(v) ? v : [v.idToken, v.accessToken, v.refreshToken].flat()) older.add(k);
      } catch (_) { /* none, or not msal's */ }
    }
    let dropped = 0;
    const sealed = [];
    for (const key of keys) {
      const user = USER_KEY.test(key);
      if (!user && !older.has(key)) continue;
      const stored = localStorage.getItem(key);
      if (stored === null) continue;
      if (kept && this.stale(stored)) {
        // Sealed with the key of an earlier browser session: unreadable for good (as msal).
        localStorage.removeItem(key);
        dropped++;
        continue;
      }
      sealed.push([key, stored, user]);
    }
    // Decrypted side by side (as msal's importArray: one wait for WebCrypto's thread, not one
    // per entry), taken into memory in the storage's order.
    const plains = await Promise.all(sealed.map(([key, stored]) => this.open(key, stored)));
    sealed.forEach(([key, stored, user], i) => {
      // null: another client's entry (another HKDF context); it stays where it is.
      const plain = plains[i];
      if (plain !== null && (user || plain !== stored)) (user ? this.mem : this.older).set(key, plain);
    });
    if (dropped) this.log(1, `removed ${dropped} cache entries encrypted with an earlier browser session's key`);
  }

  // Another tab changed `key`: takes its new value into memory.
  // A later refresh, write or removal of the key wins over one still decrypting.
  async refresh(key) {
    if (!USER_KEY.test(key)) return;
    const turn = this.touch(key);
    await this.load();
    const stored = localStorage.getItem(key);
    if (stored === null) {
      if (this.turns.get(key) === turn) {
        this.mem.delete(key);
        this.memOnly.delete(key);
      }
      return;
    }
    const plain = await this.open(key, stored);
    if (plain !== null && this.turns.get(key) === turn) {
      this.mem.set(key, plain);
      this.memOnly.delete(key);
    }
  }

  touch(key) {
    const turn = (this.turns.get(key) || 0) + 1;
    this.turns.set(key, turn);
    return turn;
  }

  // localStorage's answer to `read`; when reading throws (the user blocked the site's data
  // with the page open, a detached frame), its last answer for `what`. The wasm reads under a
  // borrow of its cache: a throw would leave that borrowed for good, and an empty answer would
  // empty this page's view of the cache until the next change.
  disk(what, read) {
    try {
      const v = read(localStorage);
      if (v === null) this.seen.delete(what);
      else this.seen.set(what, v);
      return v;
    } catch (_) {
      return this.seen.has(what) ? this.seen.get(what) : null;
    }
  }

  // What this page wrote is what a later read would have answered.
  wrote(key, value) {
    if (value === null || USER_KEY.test(key)) this.seen.delete(key);
    else this.seen.set(key, value);
    const keys = this.seen.get(null);
    if (keys && (value === null) === keys.includes(key)) this.seen.set(null, value === null ? keys.filter((k) => k !== key) : [...keys, key]);
  }

  get(key) {
    if (!this.ready) return null;
    if (USER_KEY.test(key)) return this.mem.has(key) ? this.mem.get(key) : null;
    if (this.older.has(key)) return this.older.get(key);
    const stored = () => this.disk(key, (s) => s.getItem(key));
    if (this.stuck.has(key)) return mergeLists(this.pending.get(key), stored());
    return this.pending.has(key) ? this.pending.get(key) : stored();
  }

  // True when the storage holds `key`, decrypted yet or not (another tab's new entry); a key
  // list this page is writing counts. Not this page's decrypted copy of an entry: that
  // outlives a removal the page heard of only as a whole (another tab's localStorage.clear(),
  // a page restored from the back/forward cache), and the cache keeps what it holds while
  // this is true.
  contains(key) {
    return this.pending.has(key) || this.disk(key, (s) => s.getItem(key)) !== null;
  }

  holds(key) {
    return this.memOnly.has(key) || this.contains(key);
  }

  // Writes reach the disk in the order they were made (entries are encrypted first, so a key
  // list never lands before the entries it lists: other tabs read them in that order), and
  // reads see them at once. Never refused: a write the browser refuses (quota) is tried again
  // while the cache makes room (`full`, set by `listen`: it drops an access token each time),
  // else it stays in memory for the page, with a warning.
  // `clear`: a "keep me signed in" entry, stored as msal stores it (it outlives the key).
  set(key, value, clear) {
    // An older schema's sealed entry the cache dates (msal-browser 4 before 4.26): its envelope
    // takes the date and stays sealed, as msal 5's migration dates it (in clear, it would show
    // the user's name on disk, and msal-browser 4 would drop it).
    if (this.older.has(key)) {
      this.older.set(key, value);
      try {
        const sealed = JSON.parse(localStorage.getItem(key)), at = JSON.parse(value).lastUpdatedAt;
        if (isEnvelope(sealed) && at) localStorage.setItem(key, JSON.stringify({ ...sealed, lastUpdatedAt: String(at) }));
      } catch (_) { /* left undated */ }
      return true;
    }
    this.touch(key);
    const user = USER_KEY.test(key);
    (user ? this.mem : this.pending).set(key, value);
    this.queue = this.queue.then(async () => {
      // No key (not loaded, or the import failed): this page's memory only, never in clear.
      // (Not when a later write or a removal of this key came first.)
      if (user && !this.base && !clear) return this.mem.get(key) === value && this.memOnly.add(key);
      const sealed = user && !clear ? await this.encrypt(key, value) : value;
      // A later write or a removal of this key wins (also one made while making room). As
      // msal: room is made for a quota error only, 20 times at most.
      for (let round = 0; (user ? this.mem : this.pending).get(key) === value;) {
        try {
          localStorage.setItem(key, sealed);
          this.wrote(key, sealed);
          this.stuck.delete(key);
          this.memOnly.delete(key);
          if (!user) this.pending.delete(key);
          else this.tellMsal(key, value);
          return;
        } catch (e) {
          if (!(isQuota(e) && round++ < 20 && this.full && this.full(key))) {
            this.log(1, "storage is full (quota exceeded); a cache entry stays in memory for this page");
            // A key list stays pending, read merged with the stored one: alone, it would hide
            // other tabs' changes from this page for good (its next write would unlist their
            // entries); dropped, this page's own entries would go at its next read.
            if (!user) this.stuck.add(key);
            else this.memOnly.add(key);
            return;
          }
        }
      }
    }).catch(() => {});
    return true;
  }

  remove(key) {
    this.touch(key);
    this.stuck.delete(key);
    this.memOnly.delete(key);
    this.mem.delete(key);
    this.older.delete(key);
    this.pending.delete(key);
    this.wrote(key, null);
    try {
      const held = localStorage.getItem(key) !== null;
      localStorage.removeItem(key);
      if (held && USER_KEY.test(key)) this.tellMsal(key, null);
    } catch (_) { /* ignore */ }
  }

  removeNaming(a, b) {
    // (Every key on disk too: another client id's entries, sealed for it, are not read here.)
    for (const k of new Set([...this.keys(), ...(this.disk(null, storageKeys) || [])])) if (naming(k, a, b)) this.remove(k);
  }

  keys() {
    if (!this.ready) return [];
    const out = new Set([...this.mem.keys(), ...this.pending.keys()]);
    const disk = this.disk(null, (s) => {
      const keys = [];
      for (let i = 0; i < s.length; i++) keys.push(s.key(i));
      return keys;
    }) || [];
    for (const k of disk) if (k && !USER_KEY.test(k)) out.add(k);
    return Array.from(out);
  }

  length() {
    try { return localStorage.length; } catch (_) { return -1; }
  }

  // Resolves once every write made so far is on disk.
  flush() {
    return this.queue;
  }
}

export function encryptedStore(clientId, sink) {
  return new EncryptedStore(clientId, (level, message) => logTo(sink, level, message));
}

// DPoP keys: ECDSA P-256 pairs made by WebCrypto with the private key unextractable, kept in
// IndexedDB (which stores CryptoKey objects as they are: the private key stays unreadable)
// under their JWK thumbprint, so the app's reloads and other tabs sign with the same key. The
// database, store and record are msal-browser's (msal.db / msal.db.keys), so an app that
// switches libraries keeps its keys.
const KEY_DB = "msal.db";
const KEY_STORE = "msal.db.keys";
const keyMemo = new Map();

// (A database that cannot be opened, as msal's database_unavailable: site data blocked, a
// private mode, a third-party frame. msal then keeps the keys in memory for the page.)
const unavailable = { unavailable: true };
const orUnavailable = (fallback) => (e) => { if (e === unavailable) return fallback; throw e; };

function keyStore(mode, op) {
  return new Promise((resolve, reject) => {
    let open;
    try { open = indexedDB.open(KEY_DB, 1); } catch (_) { return reject(unavailable); }
    open.onupgradeneeded = () => { if (!open.result.objectStoreNames.contains(KEY_STORE)) open.result.createObjectStore(KEY_STORE); };
    open.onerror = () => reject(unavailable);
    open.onsuccess = () => {
      const db = open.result;
      // A store that refuses the record at once (iOS Safari's DataCloneError for a CryptoKey)
      // throws here, outside the promise's executor: it fails the call instead of leaving it
      // (and the interaction it holds) waiting forever.
      try {
        const tx = db.transaction(KEY_STORE, mode);
        const req = op(tx.objectStore(KEY_STORE));
        tx.oncomplete = () => { db.close(); resolve(req.result); };
        tx.onerror = tx.onabort = () => { db.close(); reject(tx.error); };
      } catch (e) {
        db.close();
        reject(e);
      }
    };
  });
}

async function keyPair(kid) {
  if (!keyMemo.has(kid)) {
    const pair = await keyStore("readonly", (s) => s.get(kid)).catch(orUnavailable(null));
    if (!pair || !pair.privateKey) return null;
    keyMemo.set(kid, pair);
  }
  return keyMemo.get(kid);
}

// A new pair (ECDSA P-256, or RSA 2048 for msal's PoP); resolves to its public members
// ([x, y] or [n, e]) and a handle to store it by.
export async function makeKeyPair(rsa) {
  const alg = rsa
    ? { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
    : { name: "ECDSA", namedCurve: "P-256" };
  const pair = await crypto.subtle.generateKey(alg, false, ["sign", "verify"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return rsa ? [jwk.n, jwk.e, pair] : [jwk.x, jwk.y, pair];
}

// Keys kept in this page's memory only (no IndexedDB): the next page will not find them.
const unkept = new Set();
export const keyLasts = (kid) => !unkept.has(kid);

export async function storeKeyPair(kid, pair) {
  const rsa = pair.privateKey.algorithm.name !== "ECDSA";
  const record = { publicKey: pair.publicKey, privateKey: pair.privateKey, keyId: kid, tokenBindingKeyType: rsa ? "shr" : "dpop", tokenBindingKeyAlgorithm: rsa ? "RS256" : "ES256" };
  keyMemo.set(kid, record);
  try {
    await keyStore("readwrite", (s) => s.put(record, kid)).catch((e) => {
      if (e !== unavailable) throw e;
      unkept.add(kid);
    });
  } catch (e) {
    keyMemo.delete(kid);
    throw e;
  }
}

// The public members of the pair `kid` ([x, y, false] or [n, e, true]), or null; exported once.
export async function publicKey(kid) {
  const pair = await keyPair(kid);
  if (pair && !pair.pub) {
    const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
    pair.pub = jwk.kty === "RSA" ? [jwk.n, jwk.e, true] : [jwk.x, jwk.y, false];
  }
  return pair ? pair.pub : null;
}

// The signature of `data` with the pair `kid` (ES256 r || s, or RS256), base64url; null without the pair.
// `view` looks into the wasm's memory, which a growth during the await detaches: copied first.
export async function signWithKey(kid, view) {
  const data = view.slice();
  const pair = await keyPair(kid);
  if (!pair) return null;
  const alg = pair.privateKey.algorithm.name === "ECDSA" ? { name: "ECDSA", hash: "SHA-256" } : { name: "RSASSA-PKCS1-v1_5" };
  return b64url(new Uint8Array(await crypto.subtle.sign(alg, pair.privateKey, data)));
}

export async function removeKeyPair(kid) {
  keyMemo.delete(kid);
  await keyStore("readwrite", (s) => s.delete(kid)).catch(orUnavailable());
}
