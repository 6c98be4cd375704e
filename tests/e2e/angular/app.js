// msal-angular's services (from npm), constructed as Angular's injector would, over msal-wasm:
// the bundler maps @azure/msal-browser to the package (tests/e2e/angular.test.mjs).
// Angular packages ship partially compiled: the JIT compiler finishes them at load, as in an
// app bootstrapped without the Angular linker.
import "@angular/compiler";
import { MsalService, MsalBroadcastService, MsalGuard, MsalInterceptor } from "@azure/msal-angular";
import { PublicClientApplication, InteractionStatus, InteractionType, EventType } from "@azure/msal-browser";
import { HttpRequest } from "@angular/common/http";
import { firstValueFrom, of } from "rxjs";

// The test passes the provider's authority (and a mode) once; a redirect's return keeps them.
const q = new URLSearchParams(location.search);
for (const k of ["idp", "ngLocation"]) if (q.get(k)) sessionStorage.setItem(`app.${k}`, q.get(k));
const authority = sessionStorage.getItem("app.idp");
// ngLocation=1: MsalService gets the Location Angular injects (whose path carries the address's
// fragment, which MsalService hands to every handleRedirectPromise), and the redirect URI is a
// page of the app, as in msal-angular's samples with MsalRedirectComponent.
const withNgLocation = sessionStorage.getItem("app.ngLocation") === "1";
const instance = new PublicClientApplication({
  auth: { clientId: "msal-wasm-test-client", authority, knownAuthorities: [new URL(authority).host], redirectUri: withNgLocation ? "/" : "/redirect.html" },
  system: { loggerOptions: { logLevel: 4, loggerCallback: (level, message) => console.debug(message) } },
});
// What Angular would inject: a zone that just runs, a Location for a path-routed app at the
// origin (or one whose path has no hash), a Router that only parses URLs, and an injector that
// hands out the broadcast service.
const zone = { run: (fn) => fn() };
const broadcast = new MsalBroadcastService(instance, zone);
const injector = { get: () => broadcast };
const ngLocation = { path: (withHash) => window.location.pathname + window.location.search + (withHash ? window.location.hash : ""), normalize: (url) => url, prepareExternalUrl: (path) => path };
const service = new MsalService(instance, withNgLocation ? ngLocation : { path: () => "" }, injector);

window.trail = [];
broadcast.inProgress$.subscribe((s) => window.trail.push(s));
window.InteractionStatus = InteractionStatus;
window.service = service;
// As Microsoft's Angular samples: a new sign-in's account becomes the active one.
broadcast.msalSubject$.subscribe((m) => { if (m.eventType === EventType.LOGIN_SUCCESS) instance.setActiveAccount(m.payload); });
// What MsalRedirectComponent does on every load: a page that comes back from a redirect sign-in
// gets its result here.
window.ready = firstValueFrom(service.handleRedirectObservable()).then(
  (r) => (r ? `result ${r.account.username} ${r.scopes.join(" ")}` : "ready"),
  (e) => `error ${e.errorCode}`,
);
window.login = () => firstValueFrom(service.loginPopup({ scopes: ["User.Read"] })).then((r) => {
  service.instance.setActiveAccount(r.account);
  return r.account.username;
}, (e) => `error ${e.errorCode}`);
window.silent = () => firstValueFrom(service.acquireTokenSilent({ scopes: ["User.Read"] })).then((r) => ({ fromCache: r.fromCache, user: r.account.username }), (e) => `error ${e.errorCode}`);

// MsalGuard and MsalInterceptor as an app configures them (popup).
const router = { parseUrl: (url) => ({ urlTree: url }) };
const guard = new MsalGuard({ interactionType: InteractionType.Popup, authRequest: { scopes: ["User.Read"] } }, broadcast, service, ngLocation, router);
const api = `${window.location.origin}/api/`;
const interceptor = new MsalInterceptor(
  { interactionType: InteractionType.Popup, protectedResourceMap: new Map([[`${api}*`, ["User.Read"]]]), strictMatching: true },
  service, ngLocation, broadcast, document,
);
const outcome = (p) => p.then((v) => v, (e) => `error ${e && (e.errorCode || e.message)}`);
// The route state Angular hands a guard.
window.canActivate = (url = "/profile", fragment = null) => outcome(firstValueFrom(guard.canActivate({}, { url, root: { fragment } })));
// The same guard and interceptor as apps configure them by redirect (Microsoft's Angular
// samples). The guard's sign-in and the interceptor's interaction navigate away.
const redirectGuard = new MsalGuard({ interactionType: InteractionType.Redirect, authRequest: { scopes: ["User.Read"] } }, broadcast, service, ngLocation, router);
const redirectInterceptor = new MsalInterceptor(
  { interactionType: InteractionType.Redirect, protectedResourceMap: new Map([[`${api}*`, ["User.Read", "api.read"]]]) },
  service, ngLocation, broadcast, document,
);
window.canActivateByRedirect = (url) => outcome(firstValueFrom(redirectGuard.canActivate({}, { url, root: { fragment: null } })));
window.interceptByRedirect = (url) => {
  // The interceptor completes without a request when it navigates (EMPTY): "none" then. A
  // request it sends on is also noted where the page's navigation does not lose it.
  const handle = (req) => {
    sessionStorage.setItem("app.sent", req.headers.get("Authorization") || "no header");
    return of(req);
  };
  const sent = firstValueFrom(redirectInterceptor.intercept(new HttpRequest("GET", url), { handle }), { defaultValue: null });
  return outcome(sent.then((req) => (req ? req.headers.get("Authorization") : "none")));
};
// The request the app's HttpClient call would send on: its Authorization header, if any.
window.intercept = (url) => outcome(firstValueFrom(interceptor.intercept(new HttpRequest("GET", url), { handle: (req) => of(req) })).then((req) => req.headers.get("Authorization")));
window.api = api;
window.silentToken = () => outcome(instance.acquireTokenSilent({ scopes: ["User.Read"], account: instance.getActiveAccount() }).then((r) => r.accessToken));
document.body.dataset.ready = "1";
