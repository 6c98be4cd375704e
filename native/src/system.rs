//! msal-node's `system` options, shared by the native clients: the app's own network client
//! (`networkClient`) and logger (`loggerOptions`).

use crate::http::Http;
use msal_wasm::core::http::{HttpRequest, HttpResponse};
use msal_wasm::error::AuthError;
pub use msal_wasm::platform::LogLevel;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed, `Send` future (what a [`NetworkClient`] returns).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// msal-node's `INetworkModule`: sends the library's HTTP requests (discovery, keys, token
/// requests, managed identity endpoints). Bring one for a proxy, a private certificate
/// authority (an on-premises AD FS), or your own HTTP stack; the default is this crate's
/// [`Http`] (reqwest with rustls, one retry of a GET after a connection failure or a 5xx).
pub trait NetworkClient: Send + Sync {
    /// Sends `request`. An HTTP error status is an answer (`Ok`); only a request that got no
    /// answer is an error: `network_error`, or after a timeout msal's failed-request code
    /// (`post_request_failed`, `get_request_failed`) with the sub-error `timed_out`.
    fn send<'a>(&'a self, request: &'a HttpRequest) -> BoxFuture<'a, Result<HttpResponse, AuthError>>;
}

impl NetworkClient for Http {
    fn send<'a>(&'a self, request: &'a HttpRequest) -> BoxFuture<'a, Result<HttpResponse, AuthError>> {
        Box::pin(Http::send(self, request))
    }
}

/// The callback of a [`Logger`]: the level, the formatted line, and whether it holds personal
/// data (msal-node's `loggerCallback(level, message, containsPii)`; this crate's lines never do).
pub type LoggerCallback = Arc<dyn Fn(LogLevel, &str, bool) + Send + Sync>;

/// msal-node's `loggerOptions`: the lines at `level` and above go to the callback, formatted as
/// msal-node formats them (`[<correlation id>] : msal-native@<version> : <Level> - <message>`,
/// without msal-node's leading date: a logging framework adds its own).
#[derive(Clone)]
pub struct Logger {
    callback: LoggerCallback,
    level: LogLevel,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger").field("level", &self.level).finish_non_exhaustive()
    }
}

impl Logger {
    /// A logger of the lines at `level` and above (msal-node's default level is Info).
    pub fn new(level: LogLevel, callback: impl Fn(LogLevel, &str, bool) + Send + Sync + 'static) -> Logger {
        Logger { callback: Arc::new(callback), level }
    }

    /// The level it logs at and above.
    pub fn level(&self) -> LogLevel {
        self.level
    }

    /// Logs `message` about the call `correlation_id` (`""`: none) at `level`.
    pub fn log(&self, level: LogLevel, correlation_id: &str, message: &str) {
        if level > self.level {
            return;
        }
        let name = match level {
            LogLevel::Error => "Error",
            LogLevel::Warning => "Warning",
            LogLevel::Info => "Info",
            LogLevel::Verbose => "Verbose",
            LogLevel::Trace => "Trace",
        };
        let line = format!("[{correlation_id}] : msal-native@{} : {name} - {message}", env!("CARGO_PKG_VERSION"));
        (self.callback)(level, &line, false);
    }
}

/// msal-node's `system` options of a client.
#[derive(Clone, Default)]
pub struct SystemOptions {
    /// The app's network client (default: [`Http`] with the client's timeout).
    pub network_client: Option<Arc<dyn NetworkClient>>,
    /// The app's logger (default: none; nothing is logged).
    pub logger: Option<Logger>,
}

impl std::fmt::Debug for SystemOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemOptions")
            .field("network_client", &self.network_client.as_ref().map(|_| "the app's"))
            .field("logger", &self.logger)
            .finish()
    }
}

impl SystemOptions {
    /// The network client: the app's, else `default`.
    pub(crate) fn network(&self, default: impl FnOnce() -> Result<Http, AuthError>) -> Result<Arc<dyn NetworkClient>, AuthError> {
        match &self.network_client {
            Some(n) => Ok(n.clone()),
            None => Ok(Arc::new(default()?)),
        }
    }

    /// Logs through the app's logger, if any.
    pub(crate) fn log(&self, level: LogLevel, correlation_id: &str, message: &str) {
        if let Some(l) = &self.logger {
            l.log(level, correlation_id, message);
        }
    }
}
