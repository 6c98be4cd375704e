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
