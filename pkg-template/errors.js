// msal's error classes, in a module of their own so that the redirect bridge page throws them
// without loading the rest of the package.

// msal 5's constructors (the correlation id second; v3/v4 took the message there): classes
// that extend them, as msal-react's ReactAuthError, and apps' own errors build the same way.
export class AuthError extends Error {
  constructor(errorCode, correlationId, errorMessage, subError) {
    const message = errorMessage || (errorCode ? `See https://aka.ms/msal.js.errors#${errorCode} for details` : "");
    super(message ? `${errorCode}: ${message}` : errorCode);
    this.name = "AuthError";
    this.errorCode = errorCode || "";
    this.errorMessage = message;
    this.subError = subError || "";
    this.correlationId = correlationId;
  }
  setCorrelationId(id) { this.correlationId = id; }
}
export class BrowserAuthError extends AuthError {
  constructor(c, correlationId, subError) { super(c, correlationId, "", subError); this.name = "BrowserAuthError"; }
}
export class BrowserConfigurationAuthError extends AuthError {
  constructor(c, correlationId, m) { super(c, correlationId, m); this.name = "BrowserConfigurationAuthError"; }
}
export class ClientAuthError extends AuthError {
  constructor(c, correlationId, m) { super(c, correlationId, m); this.name = "ClientAuthError"; }
}
export class ClientConfigurationError extends AuthError {
  constructor(c, correlationId) { super(c, correlationId); this.name = "ClientConfigurationError"; }
}
export class ServerError extends AuthError {
  constructor(c, correlationId, m, s, errorNo, status) {
    super(c, correlationId, m, s);
    this.name = "ServerError";
    this.errorNo = errorNo;
    this.status = status;
  }
}
export class InteractionRequiredAuthError extends AuthError {
  constructor(c, correlationId, m, s, timestamp, traceId, claims, errorNo) {
    super(c, correlationId, m, s);
    this.name = "InteractionRequiredAuthError";
    this.timestamp = timestamp || "";
    this.traceId = traceId || "";
    this.claims = claims || "";
    this.errorNo = errorNo;
  }
}

