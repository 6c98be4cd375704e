// An Angular app that keeps msal-angular and aliases @azure/msal-browser to msal-wasm, compiled
// as the Angular CLI compiles it (strict, noPropertyAccessFromIndexSignature), with msal-angular's
// own declarations checked against ours (skipLibCheck off).
import type { MsalGuardConfiguration, MsalInterceptorConfiguration } from "@azure/msal-angular";
import { InteractionType } from "@azure/msal-browser";

export const guard: MsalGuardConfiguration = { interactionType: InteractionType.Redirect, authRequest: { scopes: ["User.Read"] } };
export const interceptor: MsalInterceptorConfiguration = {
  interactionType: InteractionType.Popup as InteractionType.Popup,
  protectedResourceMap: new Map([["https://graph.microsoft.com/v1.0/me", ["User.Read"]]]),
};
// @ts-expect-error a guard signs in by redirect or popup only (msal's enum members as types)
export const silentGuard: MsalGuardConfiguration = { interactionType: InteractionType.Silent };
