// msal-angular's services (from npm), constructed as Angular's injector would, over msal-wasm:
// the bundler maps @azure/msal-browser to the package (tests/e2e/angular.test.mjs).
// Angular packages ship partially compiled: the JIT compiler finishes them at load, as in an
// app bootstrapped without the Angular linker.
import "@angular/compiler";
import { MsalService, MsalBroadcastService } from "@azure/msal-angular";
import { PublicClientApplication, InteractionStatus } from "@azure/msal-browser";
import { firstValueFrom } from "rxjs";

const q = new URLSearchParams(location.search);
const authority = q.get("idp");
const instance = new PublicClientApplication({
  auth: { clientId: "msal-wasm-test-client", authority, knownAuthorities: [new URL(authority).host], redirectUri: "/redirect.html" },
  system: { loggerOptions: { logLevel: 4, loggerCallback: (level, message) => console.debug(message) } },
});
// What Angular would inject: a zone that just runs, a Location whose path has no hash, and an
// injector that hands out the broadcast service.
const zone = { run: (fn) => fn() };
const broadcast = new MsalBroadcastService(instance, zone);
const injector = { get: () => broadcast };
const service = new MsalService(instance, { path: () => "" }, injector);

window.trail = [];
broadcast.inProgress$.subscribe((s) => window.trail.push(s));
window.InteractionStatus = InteractionStatus;
window.service = service;
window.ready = firstValueFrom(service.handleRedirectObservable()).then(() => "ready", (e) => `error ${e.errorCode}`);
window.login = () => firstValueFrom(service.loginPopup({ scopes: ["User.Read"] })).then((r) => {
  service.instance.setActiveAccount(r.account);
  return r.account.username;
}, (e) => `error ${e.errorCode}`);
window.silent = () => firstValueFrom(service.acquireTokenSilent({ scopes: ["User.Read"] })).then((r) => ({ fromCache: r.fromCache, user: r.account.username }), (e) => `error ${e.errorCode}`);
document.body.dataset.ready = "1";
