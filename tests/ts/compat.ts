// Our client is msal-browser's IPublicClientApplication as far as TypeScript can tell: an app
// (or msal-react, msal-angular) typed against @azure/msal-browser accepts it.
import type { IPublicClientApplication } from "@azure/msal-browser";
import { PublicClientApplication } from "msal-wasm";
const ours = new PublicClientApplication({ auth: { clientId: "client" } });
export const asMsal: IPublicClientApplication = ours;

import type * as msal from "@azure/msal-browser";
import { stubbedPublicClientApplication, EventType, type IPublicClientApplication as OurInterface, type AccountInfo, type V5EventMessage } from "msal-wasm";

// So are our own interface and msal-react's stand-in.
export const asOurs: OurInterface = ours;
export const stubAsMsal: IPublicClientApplication = stubbedPublicClientApplication;

// msal-browser's request objects are accepted by our methods as they are.
import type { PopupRequest, SilentRequest } from "@azure/msal-browser";
declare const pr: PopupRequest; declare const sr: SilentRequest;
void ours.loginPopup(pr); void ours.acquireTokenSilent(sr);
declare const rr: msal.RedirectRequest;
declare const ssr: msal.SsoSilentRequest;
declare const cr: msal.AuthorizationCodeRequest;
declare const er: msal.EndSessionRequest;
declare const epr: msal.EndSessionPopupRequest;
declare const ccr: msal.ClearCacheRequest;
declare const iar: msal.InitializeApplicationRequest;
declare const hro: msal.HandleRedirectPromiseOptions;
declare const ar: msal.AuthenticationResult;
declare const acct: msal.AccountInfo;
declare const filter: Parameters<IPublicClientApplication["getAccount"]>[0];
declare const nav: msal.INavigationClient;
declare const msalLogger: msal.Logger;
void ours.initialize(iar);
void ours.acquireTokenPopup(pr);
void ours.loginRedirect(rr);
void ours.acquireTokenRedirect(rr);
void ours.ssoSilent(ssr);
void ours.acquireTokenByCode(cr);
void ours.logoutRedirect(er);
void ours.logoutPopup(epr);
void ours.clearCache(ccr);
void ours.handleRedirectPromise(hro);
void ours.hydrateCache(ar, sr);
void ours.hydrateCache(ar, ssr);
void ours.hydrateCache(ar, rr);
void ours.hydrateCache(ar, pr);
ours.setActiveAccount(acct);
void ours.getAllAccounts(filter);
void ours.getAccount(filter);
ours.setNavigationClient(nav);
ours.setLogger(msalLogger);
ours.initializeWrapperLibrary("@azure/msal-react" satisfies msal.WrapperSKU, "5.0.0");

// Callbacks written against msal-browser's types are accepted: event callbacks for msal's event
// types (with a filter: unfiltered, a callback also gets this package's ACCOUNT_ADDED and
// ACCOUNT_REMOVED, which msal's EventMessage does not have).
ours.addEventCallback((m: msal.EventMessage) => void m, [EventType.LOGIN_SUCCESS, EventType.ACQUIRE_TOKEN_SUCCESS]);
ours.addEventCallback((m: V5EventMessage) => void m, [EventType.LOGIN_SUCCESS]);
// @ts-expect-error unfiltered, it would get ACCOUNT_ADDED/ACCOUNT_REMOVED, which msal's EventMessage lacks
ours.addEventCallback((m: msal.EventMessage) => void m);
ours.addPerformanceCallback((events: msal.PerformanceEvent[]) => void events);

// What our client returns is usable where msal-browser's types are expected, and msal's
// accounts where ours are.
export async function results(): Promise<void> {
  const a: msal.AuthenticationResult = await ours.acquireTokenSilent({ scopes: ["User.Read"] });
  const b: msal.AuthenticationResult | null = await ours.handleRedirectPromise();
  const c: msal.AccountInfo | null = ours.getActiveAccount();
  const d: msal.AccountInfo[] = ours.getAllAccounts();
  const e: msal.Logger = ours.getLogger();
  const f: AccountInfo = acct;
  const g: msal.AuthenticationResult = await ours.loginPopup({ scopes: ["User.Read"], prompt: "select_account" });
  void [a, b, c, d, e, f, g];
}
// The other way: msal's configuration object is one of ours (an app that types its config with
// msal's Configuration and passes it to msal-wasm).
import type { Configuration as MsalConfiguration } from "@azure/msal-browser";
declare const msalConfig: MsalConfiguration;
export const fromMsal = new PublicClientApplication(msalConfig);

// msal's tenant profile, with its loginHint and upn, is ours (an app reads them off the Map).
import type { TenantProfile } from "msal-wasm";
declare const msalProfile: msal.TenantProfile;
const ourProfile: TenantProfile = msalProfile;
void [ourProfile.upn, ourProfile.loginHint, ourProfile.nativeAccountId];
