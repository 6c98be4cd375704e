//! HTTP for the native clients: reqwest over rustls, a timeout on every request, no redirects,
//! and one retry after a connection failure or a 5xx answer.

use msal_wasm::core::http::{HttpRequest, HttpResponse, Method};
use msal_wasm::error::{codes, network_timeout, AuthError, ErrorKind};
use std::time::Duration;

/// How long to wait before the one retry.
const RETRY_DELAY: Duration = Duration::from_millis(200);

/// An HTTP client shared by the clients of a process (cheap to clone).
#[derive(Clone, Debug)]
pub struct Http {
    client: reqwest::Client,
    timeout: Duration,
}

impl Http {
    /// A client whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<Http, AuthError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            // A redirect would resend a secret or an assertion elsewhere (307/308 keep the body).
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| AuthError::client(codes::NETWORK_ERROR, "could not build the HTTP client"))?;
        Ok(Http { client, timeout })
    }

    /// The request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends `request`; a connection failure or a 5xx answer is retried once (a timeout is
    /// not: it already cost the whole timeout). Failures are typed: a timeout is msal's
    /// failed-request code with `timed_out`, other network failures `network_error`. HTTP error
    /// statuses are answers, for the caller to read.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, AuthError> {
        match self.send_once(request).await {
            Ok(r) if r.status < 500 => Ok(r),
            Err(e) if e.sub_error() == codes::TIMED_OUT => Err(e),
            _ => {
                tokio::time::sleep(RETRY_DELAY).await;
                self.send_once(request).await
            }
        }
    }

    async fn send_once(&self, request: &HttpRequest) -> Result<HttpResponse, AuthError> {
        let post = request.method == Method::Post;
        let mut builder = if post { self.client.post(&request.url) } else { self.client.get(&request.url) };
        for (k, v) in &request.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if post {
            builder = builder.header("content-type", "application/x-www-form-urlencoded").body(request.body.clone());
        }
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                network_timeout(post)
            } else {
                AuthError::new(ErrorKind::Network, codes::NETWORK_ERROR, "the network request failed (connection, DNS or TLS)")
            }
        };
        let resp = builder.send().await.map_err(failed)?;
        let status = resp.status().as_u16();
        let mut headers = Vec::new();
        for name in ["retry-after", "content-type", "dpop-nonce"] {
            if let Some(v) = resp.headers().get(name).and_then(|v| v.to_str().ok()) {
                headers.push((name.to_owned(), v.to_owned()));
            }
        }
        let body = resp.text().await.map_err(failed)?;
        Ok(HttpResponse { status, headers, body })
    }
}
