// msal-browser's type exports an app imports for its own declarations exist here under the
// same names, so such an app compiles after changing its import.
import type {
  BrowserAuthOptions, CacheOptions, BrowserSystemOptions, BrowserTelemetryOptions, BrowserExperimentalOptions, BrowserConfiguration,
  EventError, BrokerConnectionEvent, ILoggerCallback, IPerformanceClient, InProgressPerformanceEvent, LoadTokenOptions,
  PopupSize, PopupPosition, IController, Configuration,
} from "msal-wasm";
import { StubPerformanceClient, BrowserPerformanceClient, PublicClientApplication } from "msal-wasm";
export const stub: IPerformanceClient = new StubPerformanceClient();

const auth: BrowserAuthOptions = { clientId: "c", redirectUri: "/" };
const cache: CacheOptions = { cacheLocation: "localStorage" };
const system: BrowserSystemOptions = { tokenRenewalOffsetSeconds: 300 };
const telemetry: BrowserTelemetryOptions = { application: { appName: "app" } };
const experimental: BrowserExperimentalOptions = {};
export const config: Configuration = { auth, cache, system, telemetry, experimental };
export type Full = BrowserConfiguration;
export const noError: EventError = null;
export const broker: BrokerConnectionEvent = { pairwiseBrokerOrigin: "https://example" };
export const logger: ILoggerCallback = (_level, _message, _pii) => {};
export type Client = IPerformanceClient;
export type InProgress = InProgressPerformanceEvent;
export const load: LoadTokenOptions = { clientInfo: "x", expiresOn: 1700000000 };
export const size: PopupSize = { height: 600, width: 480 };
export const position: PopupPosition = { top: 0, left: 0 };
export type Controller = IController;
// msal 5's way to turn performance telemetry on.
const measured: IPerformanceClient = new BrowserPerformanceClient(config);
export const withTelemetry = new PublicClientApplication({ ...config, telemetry: { ...telemetry, client: measured } });

// Names that are msal's types as well as its values, and shapes apps write by hand.
import {
  stubbedPublicClientApplication, LogLevel, ApiId as ApiIds, JsonWebTokenTypes as JwtTypes,
  type ApiId, type JsonWebTokenTypes, type NetworkRequestOptions, type AccountInfo, type IPublicClientApplication, type Logger,
} from "msal-wasm";
export const api: ApiId = ApiIds.acquireTokenSilent_silentFlow;
export const typ: JsonWebTokenTypes = JwtTypes.Pop;
export const verbose: LogLevel.Verbose = LogLevel.Verbose;
// A custom network client reads the POST's correlation id.
export const cid = (options?: NetworkRequestOptions): string | undefined => options?.correlationId;
// Analytics helpers take plain records.
export const track = (_name: string, _props: Record<string, unknown>): void => {};
export const tracked = (account: AccountInfo): void => track("login", account);
// A test double written by hand (msal's interface has plain getLogger/getConfiguration).
declare const testLogger: Logger;
declare const testConfig: BrowserConfiguration;
export const mock: IPublicClientApplication = { ...stubbedPublicClientApplication, getLogger: () => testLogger, getConfiguration: () => testConfig };
