import type { PopupWindowAttributes } from "./index.js";
/** Options of {@link runPopupRelay}. */
export type PopupRelayOptions = {
  /** The protocol the app's `auth.popupRelayProtocolVersion` names: 1 (the default) or 2. */
  protocolVersion?: 1 | 2;
  /** Size and position of the provider's window (default 520×640). */
  popupWindowAttributes?: PopupWindowAttributes;
  /** How long the page waits for the provider's answer, in ms (default 300000). */
  timeoutMs?: number;
  /** The https origins the page may send its popup to (e.g. the authority); unset: any https address. */
  allowedAuthorityOrigins?: string[];
};
/**
 * Call on the page `auth.popupRelayUri` names, inside a click (it opens the provider's window):
 * it sends that window to the app's request and posts the provider's answer, which the redirect
 * bridge there broadcasts, to the app's frame that opened this page. Throws msal's
 * `popup_relay_unsupported_flow` (with its sub-error) when it cannot relay.
 */
export function runPopupRelay(options?: PopupRelayOptions): void;
