// Window mechanics the Rust side drives: popups, hidden iframes, timers, logging.
// Kept in JS because these are callback- and timer-shaped browser APIs; every failure is
// reported as a rejected promise or a null, never thrown past the Rust caller.

let logSink = null;

export function setLogSink(fn) {
  logSink = typeof fn === "function" ? fn : null;
}

export function log(level, message) {
  if (logSink) {
    try { logSink(level, message); } catch (_) { /* a broken logger must not break auth */ }
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Opens a centred popup synchronously. Returns the window, or null when the browser
// returned none; throws only when window.open itself throws.
export function openPopup(url, name, width, height, top, left) {
  const w = width > 0 ? width : 483;
  const h = height > 0 ? height : 600;
  const outerW = window.outerWidth || window.innerWidth || w;
  const outerH = window.outerHeight || window.innerHeight || h;
  const x = left >= 0 ? left : Math.max(0, (window.screenX || window.screenLeft || 0) + (outerW - w) / 2);
  const y = top >= 0 ? top : Math.max(0, (window.screenY || window.screenTop || 0) + (outerH - h) / 2);
  const popup = window.open(url, name, `width=${w}, height=${h}, top=${y}, left=${x}, scrollbars=yes`);
  if (popup && typeof popup.focus === "function") {
    try { popup.focus(); } catch (_) { /* ignore */ }
  }
  return popup || null;
}

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

export function closePopup(popup) {
  try { if (popup && !popup.closed) popup.close(); } catch (_) { /* ignore */ }
}

// The redirect bridge's message `{v: 1, payload}`: its payload, "" when empty, or null for
// anything that is not such a message (or too long to be an authorize response).
function bridgePayload(e) {
  const d = e && e.data;
  if (!d || typeof d !== "object") return null;
  if (d.payload === undefined || d.payload === null || d.payload === "") return "";
  return typeof d.payload === "string" && d.payload.length <= 65536 ? d.payload : null;
}

function responseFrom(loc) {
  const hash = loc.hash && loc.hash.length > 1 ? loc.hash : "";
  const search = loc.search && loc.search.length > 1 ? loc.search : "";
  for (const s of [hash, search]) {
    if (/[#?&](code|error|state)=/.test(s)) return s;
  }
  return "";
}

// Waits for the authorize response of `stateId` in `popup`: by polling its location once it
// is back on our origin, or by a message on BroadcastChannel(stateId) from a redirect page
// that called broadcastResponseToMainFrame(). Rejects with "user_cancelled" when the popup
// closes first and "timed_out" after timeoutMs.
export function waitForPopup(popup, stateId, timeoutMs) {
  return new Promise((resolve, reject) => {
    let done = false;
    let channel = null;
    const finish = (ok, value) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(timer);
      if (channel) channel.close();
      try { if (!popup.closed) popup.close(); } catch (_) { /* ignore */ }
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
    // On a cross-origin-isolated page (COOP), the popup is severed from this window as soon
    // as it loads another origin and `closed` reads true while the user is still signing in:
    // only the bridge channel (or the timeout) can end the wait there.
    const severable = isolated();
    const poll = setInterval(() => {
      let closed = true;
      try { closed = popup.closed; } catch (_) { closed = true; }
      if (closed && severable) {
        clearInterval(poll);
        return;
      }
      if (closed) {
        // Give a bridge message already in flight a moment to land.
        setTimeout(() => finish(false, "user_cancelled"), 50);
        clearInterval(poll);
        return;
      }
      try {
        const loc = popup.location;
        if (loc.origin === window.location.origin) {
          const r = responseFrom(loc);
          if (r) finish(true, r);
        }
      } catch (_) { /* cross-origin while at the identity provider */ }
    }, 30);
    const timer = setTimeout(() => finish(false, "timed_out"), timeoutMs);
  });
}

// Loads `url` in a hidden iframe and waits for the response (polling, or the bridge
// channel). Rejects with "timed_out", or with "iframe_no_response" when a page of another
// origin finished loading and nothing followed within `settleMs` (the provider showed a page
// instead of answering: third-party cookies blocked, framing refused). The iframe is always
// removed.
export function loadHiddenIframe(url, stateId, timeoutMs, settleMs) {
  return new Promise((resolve, reject) => {
    const frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms");
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
        if (payload) finish(true, payload);
      };
    } catch (_) { channel = null; }
    const poll = setInterval(() => {
      try {
        const loc = frame.contentWindow && frame.contentWindow.location;
        if (loc && loc.origin === window.location.origin) {
          const r = responseFrom(loc);
          if (r) finish(true, r);
        }
      } catch (_) { /* cross-origin while at the identity provider */ }
    }, 30);
    const timer = setTimeout(() => finish(false, "timed_out"), timeoutMs);
    let settle = null;
    frame.addEventListener("load", () => {
      clearTimeout(settle);
      let foreign = true;
      try { foreign = frame.contentWindow.location.origin !== window.location.origin; } catch (_) { foreign = true; }
      if (foreign && settleMs > 0) settle = setTimeout(() => finish(false, "iframe_no_response"), settleMs);
    });
    frame.src = url;
    (document.body || document.documentElement).appendChild(frame);
  });
}

export function isolated() {
  return typeof window !== "undefined" && window.crossOriginIsolated === true;
}

export function inIframe() {
  try { return window.parent !== window; } catch (_) { return true; }
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

// A signal that aborts a fetch after `ms`.
export function timeoutSignal(ms) {
  if (typeof AbortSignal !== "undefined" && typeof AbortSignal.timeout === "function") return AbortSignal.timeout(ms);
  if (typeof AbortController !== "function") return undefined;
  const c = new AbortController();
  setTimeout(() => c.abort(), ms);
  return c.signal;
}

// True for the rejection of a fetch its signal aborted.
export function isAbort(e) {
  return !!e && (e.name === "TimeoutError" || e.name === "AbortError");
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

// Marks for other tabs: a shared Web Lock named `${prefix}|${this tab}` held for `ms`; the
// lock manager orders it with the other locks, unlike messages or storage events. Resolves
// once it is held.
const TAB = Math.random().toString(36).slice(2);
export function markLock(prefix, ms) {
  const locks = typeof navigator !== "undefined" && navigator.locks;
  if (!locks || typeof locks.request !== "function") return Promise.resolve();
  return new Promise((held) => {
    locks
      .request(`${prefix}|${TAB}`, { mode: "shared" }, () => {
        held();
        return new Promise((done) => setTimeout(done, ms));
      })
      .catch(() => held());
  });
}

// Resolves to true while another tab holds a mark with this prefix (see markLock).
export function othersMarked(prefix) {
  const locks = typeof navigator !== "undefined" && navigator.locks;
  if (!locks || typeof locks.query !== "function") return Promise.resolve(false);
  const own = `${prefix}|${TAB}`;
  return locks.query().then(
    (s) => s.held.some((l) => l.name !== own && l.name.startsWith(`${prefix}|`)),
    () => false,
  );
}

export function release(fn) {
  if (typeof fn === "function") {
    try { fn(); } catch (_) { /* ignore */ }
  }
}

// Calls `onKey(key)` for every change another tab makes to localStorage.
export function onStorage(onKey) {
  if (typeof window === "undefined") return;
  window.addEventListener("storage", (e) => {
    try { onKey(e.key === null ? "" : e.key); } catch (_) { /* never break the page */ }
  });
}

// A named BroadcastChannel: `send(text)` posts, `onMessage(text)` receives string messages of
// at most `maxLength` characters (any page of the origin can post here: a huge message must
// not be copied into the module); null without BroadcastChannel.
export function openChannel(name, onMessage, maxLength) {
  if (typeof BroadcastChannel === "undefined") return null;
  try {
    const channel = new BroadcastChannel(name);
    channel.onmessage = (e) => {
      if (typeof e.data === "string" && e.data.length <= maxLength) {
        try { onMessage(e.data); } catch (_) { /* ignore */ }
      }
    };
    return channel;
  } catch (_) {
    return null;
  }
}

export function post(channel, text) {
  if (channel) {
    try { channel.postMessage(text); } catch (_) { /* ignore */ }
  }
}

// Calls `onWake()` when the page becomes visible again or the browser comes back online:
// timers are not trusted after sleep or in background tabs.
export function onWake(onWake) {
  if (typeof document === "undefined") return;
  const fire = () => { try { onWake(); } catch (_) { /* ignore */ } };
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") fire(); });
  window.addEventListener("online", fire);
}
