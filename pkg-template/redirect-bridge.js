// Entry for the redirect page of popups, hidden iframes and redirects (msal-browser's redirect
// bridge):
//   import { broadcastResponseToMainFrame } from "msal-wasm/redirect-bridge";
//   broadcastResponseToMainFrame();
// Kept free of the wasm module so the bridge page loads instantly.
//
// A popup's or a frame's response goes to the waiting page over BroadcastChannel(<state id>)
// (it works when COOP cut window.opener). A redirect's response is kept in sessionStorage and
// the browser goes back to the page the sign-in started from, whose handleRedirectPromise
// completes it; a sign-out's return goes to the site's home page, as msal's. The storage keys
// are the Rust client's (src/client/interaction.rs: the interaction lock, and the client's
// `urlHash` stash, `request.origin` start page and `request.params` saved request, whose
// `stateId` it reads). A page without a response rejects with
// msal's error codes.
import { BrowserAuthError, ClientAuthError } from "./errors.js";

// msal's BrowserUtils.parseAuthResponseFromUrl: the response in this page's address — the
// parameters of the hash or the query, whichever carries a state (both, when both do),
// without their `#` or `?` — and its state's library half `{ id, meta }`; msal's errors when
// there is none.
export function parseAuthResponseFromUrl() {
  const [q, h] = [window.location.search, window.location.hash].map((s) => {
    const content = s.length > 1 ? s.slice(1) : "";
    return { s, content, has: new URLSearchParams(content).has("state") };
  });
  const payload = [q, h].filter((p) => p.has).map((p) => p.content).join("&");
  if (!payload) throw new BrowserAuthError("empty_response", "");
  const params = new URLSearchParams(payload);
  const state = params.get("state");
  if (!state) throw new BrowserAuthError("no_state_in_hash", "");
  let lib;
  try {
    lib = base64UrlJson(state.split("|")[0]);
  } catch (_) {
    throw new ClientAuthError("invalid_state", "");
  }
  if (!lib || typeof lib.id !== "string" || !lib.id || !lib.meta) throw new BrowserAuthError("unable_to_parse_state", "", "missing_library_state");
  return {
    params, payload, urlHash: h.s, urlQuery: q.s, hasResponseInHash: h.has, hasResponseInQuery: q.has,
    libraryState: { id: lib.id, meta: lib.meta },
  };
}

// msal's BrowserUtils.clearAuthResponseFromUrl: the address without its query and hash
// (`keepQuery`/`keepHash` keep them). (Office.js sets history.replaceState to null.)
export function clearAuthResponseFromUrl(contentWindow, keepQuery, keepHash) {
  const w = contentWindow || window;
  const { origin, pathname, search, hash } = w.location;
  if (w.history && typeof w.history.replaceState === "function") w.history.replaceState(null, "", `${origin}${pathname}${keepQuery ? search : ""}${keepHash ? hash : ""}`);
}

export async function broadcastResponseToMainFrame(navigationClient) {
  document.title = "Microsoft Authentication";
  let response, state;
  try {
    response = parseAuthResponseFromUrl();
    state = response.libraryState;
  } catch (e) {
    clearAuthResponseFromUrl(window);
    throw e;
  }
  if (state.meta.interactionType === "redirect") {
    const { start, signOut } = keepRedirectResponse(response);
    // Only ever back to a page of this origin (sessionStorage is writable by any script here).
    let url = `${window.location.origin}/`;
    try {
      const u = new URL(start, window.location.href);
      if (start && u.origin === window.location.origin && /^https?:$/.test(u.protocol)) url = u.href.replace(/\?$/, "");
    } catch (_) { /* not a URL: go home */ }
    if (navigationClient && typeof navigationClient.navigateInternal === "function") {
      await navigationClient.navigateInternal(url, { noHistory: true, apiId: signOut ? 961 : 865, timeout: 30000 });
      return true;
    }
    window.location.replace(url);
    return true;
  }
  // Without BroadcastChannel the response stays in the address for the opener's poll to read.
  if (typeof BroadcastChannel !== "function") return false;
  // The address keeps what did not carry the response.
  clearAuthResponseFromUrl(window, !response.hasResponseInQuery, !response.hasResponseInHash);
  if (!answerWaitingPage(response)) return false;
  try { window.close(); } catch (_) { /* not a popup */ }
  return true;
}

// JSON in base64url, padded or not.
function base64UrlJson(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(b64 + "===".slice((b64.length + 3) % 4)));
}

// The state id of `clientId`'s saved redirect request (the Rust client's `request.params`:
// base64url JSON), "" without one.
function savedStateId(clientId) {
  try { return base64UrlJson(window.sessionStorage.getItem(`msal.${clientId}.request.params`) || "").stateId || ""; } catch (_) { return ""; }
}

// A redirect's response (parseAuthResponseFromUrl's), kept for the client whose interaction it
// answers: its handleRedirectPromise redeems it when the address no longer carries it. Returns
// that client's start page ("" when unknown) and whether the interaction was a sign-out.
export function keepRedirectResponse(response) {
  let start = "";
  let signOut = false;
  try {
    const status = JSON.parse(window.sessionStorage.getItem("msal.interaction.status") || "null");
    const clientId = status && typeof status.clientId === "string" ? status.clientId : "";
    signOut = !!status && status.type === "signout";
    // (A sign-in's answer has a code or an error, its description alone too: a state alone,
    // a sign-out's return the page still shows in its query, never replaces the answer kept,
    // unless it is the saved sign-in request's own, its answer without a code.)
    const answer = /(^|[?#&])(code|error|error_description|suberror|ear_jwe)=/.test(response.payload);
    if (clientId && (signOut || answer || savedStateId(clientId) === response.libraryState.id)) {
      start = window.sessionStorage.getItem(`msal.${clientId}.request.origin`) || "";
      window.sessionStorage.setItem(`msal.${clientId}.urlHash`, response.payload);
    }
  } catch (_) { /* storage blocked or full: the page signs in again */ }
  return { start, signOut };
}

// A popup's or a frame's response (parseAuthResponseFromUrl's), to the page that waits for it on
// its state's channel. Only a request's channel, named by a GUID (msal's and ours): a crafted
// link must not post on the origin's other channels (msal.broadcast.event, the tabs' account
// channel). False when nothing was sent.
const GUID = /^[\da-f]{8}(-[\da-f]{4}){3}-[\da-f]{12}$/i;
export function answerWaitingPage(response) {
  if (!GUID.test(response.libraryState.id)) return false;
  const channel = new BroadcastChannel(response.libraryState.id);
  channel.postMessage({ v: 1, payload: response.payload });
  channel.close();
  return true;
}
