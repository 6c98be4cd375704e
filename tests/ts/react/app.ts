// An msal-react app (no JSX here: what its hooks and components are given), typed twice:
// tsconfig.json maps `@azure/msal-browser` itself to msal-wasm's declarations (the README's
// tsconfig `paths` route; msal-react's own declarations then see ours), tsconfig.mixed.json
// leaves msal-react typed by the real msal-browser while the app imports msal-wasm (a bundler
// alias for the runtime only). Both must compile under --strict.
import { createElement } from "react";
import { useMsal, useMsalAuthentication, useAccount, useIsAuthenticated, MsalProvider, MsalAuthenticationTemplate, type IMsalContext } from "@azure/msal-react";
import {
  PublicClientApplication,
  InteractionType,
  InteractionStatus,
  InteractionRequiredAuthError,
  EventType,
  LogLevel,
  type EventMessage,
  type AuthenticationResult,
  type SilentRequest,
  type PopupRequest,
  type AccountInfo,
} from "msal-wasm";

const env: { level: string } = { level: "Warning" };
export const pca = new PublicClientApplication({
  auth: { clientId: "c" },
  // Apps pick the level by name from their environment (msal's numeric enum).
  system: { loggerOptions: { logLevel: LogLevel[env.level as keyof typeof LogLevel] } },
});
pca.addEventCallback((event: EventMessage) => {
  if (event.eventType === EventType.LOGIN_SUCCESS && event.payload) {
    pca.setActiveAccount((event.payload as AuthenticationResult).account);
  }
});

export const root = createElement(MsalProvider, { instance: pca }, createElement(MsalAuthenticationTemplate, { interactionType: InteractionType.Redirect }));

const loginRequest: PopupRequest = { scopes: ["User.Read"] };
export function useToken(): string | undefined {
  const { instance, accounts, inProgress }: IMsalContext = useMsal();
  const account: AccountInfo | null = useAccount(accounts[0] ?? {});
  const signedIn: boolean = useIsAuthenticated();
  const { login, result, error } = useMsalAuthentication(InteractionType.Redirect, loginRequest);
  if (error instanceof InteractionRequiredAuthError) void login(InteractionType.Popup, loginRequest);
  const req: SilentRequest = { ...loginRequest, account: account ?? undefined };
  if (signedIn && inProgress === InteractionStatus.None) void instance.acquireTokenSilent(req).then((r) => r.accessToken);
  return result?.accessToken;
}
