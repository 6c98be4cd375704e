//! HTTP for the native clients: reqwest over rustls, a timeout on every request, no redirects,
//! and one retry of a GET after a connection failure or a 5xx answer (never of a POST, as
//! msal-node: a code or a refresh token sent twice may be spent by the first).

use msal_wasm::core::http::{HttpRequest, HttpResponse, Method};
use msal_wasm::error::{codes, network_timeout, AuthError, ErrorKind};
use std::time::Duration;

/// The largest answer read.
const MAX_BODY: usize = 1 << 20;

/// How long to wait before the one retry.
const RETRY_DELAY: Duration = Duration::from_millis(200);

/// Every request names its client (msal-node's fetch sends `node`): a provider behind a WAF
/// that challenges requests without a user agent (Cloudflare's default) answers them.
const USER_AGENT: &str = concat!("msal-native/", env!("CARGO_PKG_VERSION"));

/// An HTTP client shared by the clients of a process (cheap to clone).
#[derive(Clone, Debug)]
pub struct Http {
    client: reqwest::Client,
    timeout: Duration,
    /// A failed GET is tried once more.
    retry: bool,
}

impl Http {
    /// A client whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<Http, AuthError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(USER_AGENT)
            // A redirect would resend a secret or an assertion elsewhere (307/308 keep the body).
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| AuthError::client(codes::NETWORK_ERROR, "could not build the HTTP client"))?;
        Ok(Http { client, timeout, retry: true })
    }

    /// A client for Azure's instance metadata service: no proxy (it is only reachable from the
    /// machine itself), no retry, as msal's region discovery asks it.
    pub(crate) fn direct(timeout: Duration) -> Result<Http, AuthError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(USER_AGENT)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| AuthError::client(codes::NETWORK_ERROR, "could not build the HTTP client"))?;
        Ok(Http { client, timeout, retry: false })
    }

    /// A client over `client` (tests: a resolver of their own).
    #[cfg(test)]
    pub(crate) fn over(client: reqwest::Client, timeout: Duration) -> Http {
        Http { client, timeout, retry: true }
    }

    /// The request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends `request`; a GET that failed to connect or got a 5xx answer is retried once (a
    /// timeout is not: it already cost the whole timeout). A POST is sent once, as msal-node
    /// sends it: its 5xx is an answer (the token endpoint's throttling reads it). Failures are
    /// typed: a timeout is msal's failed-request code with `timed_out`, other network failures
    /// `network_error`. HTTP error statuses are answers, for the caller to read.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, AuthError> {
        let once = request.method == Method::Post || !self.retry;
        match self.send_once(request).await {
            Ok(r) if r.status < 500 || once => Ok(r),
            Err(e) if once || e.sub_error() == codes::TIMED_OUT => Err(e),
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
            // A form unless the request says what it sends (reqwest adds headers: never two).
            if !request.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
                builder = builder.header("content-type", "application/x-www-form-urlencoded");
            }
            builder = builder.body(request.body.clone());
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
        // (www-authenticate: the Azure Arc agent's challenge; x-ms-request-id: the result's
        // `request_id`, which Microsoft's support asks for.)
        for name in ["retry-after", "content-type", "dpop-nonce", "www-authenticate", "x-ms-request-id"] {
            if let Some(v) = resp.headers().get(name).and_then(|v| v.to_str().ok()) {
                headers.push((name.to_owned(), v.to_owned()));
            }
        }
        // At most 1 MB: every answer this crate reads is a few kilobytes, and a broken or
        // hostile endpoint must not fill the memory.
        let mut resp = resp;
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(failed)? {
            if bytes.len() + chunk.len() > MAX_BODY {
                return Err(AuthError::new(ErrorKind::Network, codes::FAILED_TO_PARSE_RESPONSE, "the server's answer is larger than 1 MB")
                    .with_status(status));
            }
            bytes.extend_from_slice(&chunk);
        }
        // A UTF-8 byte order mark is no part of the JSON (a discovery document saved by Windows
        // PowerShell 5 starts with one; fetch's `json()`, msal-node's reader, drops it).
        let body = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)).into_owned();
        Ok(HttpResponse { status, headers, body })
    }
}

/// A scripted HTTP server on 127.0.0.1 for this crate's unit tests: `answer` gets each
/// request's head (lower-cased) and gives the status and body to send; the heads are kept.
#[cfg(test)]
pub(crate) async fn scripted(
    answer: impl Fn(&str) -> (u16, String) + Send + 'static,
) -> (std::net::SocketAddr, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // The head, then as much body as it announces.
            let mut head_end = None;
            while head_end.is_none() {
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
                head_end = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
            }
            let Some(head_end) = head_end else { continue };
            let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
            let length = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
            while buf.len() < head_end + length.unwrap_or(0) {
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let (status, body) = answer(&head);
            // The head (lower-cased), then the body as sent.
            log.lock().unwrap().push(head + &String::from_utf8_lossy(&buf[head_end..]));
            let reply =
                format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\nx-ms-request-id: r-1\r\nconnection: close\r\n\r\n{body}", body.len());
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    (addr, seen)
}

#[cfg(test)]
mod tests {
    use super::*;
    /// A server answering every request with `status`; it keeps each request's head.
    async fn server(status: u16) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        let (addr, seen) = scripted(move |_| (status, "{}".to_owned())).await;
        (format!("http://{addr}/token"), seen)
    }

    #[tokio::test]
    async fn a_post_goes_once_with_one_content_type_and_a_get_is_retried_after_a_5xx() {
        let http = Http::new(Duration::from_secs(5)).unwrap();
        let (url, seen) = server(503).await;
        let mut post = HttpRequest::get(url.clone());
        post.method = Method::Post;
        post.headers.push(("Content-Type".into(), "application/x-www-form-urlencoded;charset=utf-8".into()));
        post.body = "grant_type=client_credentials".into();
        assert_eq!(http.send(&post).await.unwrap().status, 503, "the answer, not a retry");
        {
            let heads = seen.lock().unwrap();
            assert_eq!(heads.len(), 1, "one POST: {heads:?}");
            assert_eq!(heads[0].matches("content-type:").count(), 1, "{}", heads[0]);
            assert!(heads[0].contains("content-type: application/x-www-form-urlencoded;charset=utf-8"));
        }
        seen.lock().unwrap().clear();
        post.headers.clear();
        http.send(&post).await.unwrap();
        assert!(seen.lock().unwrap()[0].contains("content-type: application/x-www-form-urlencoded\r\n"), "a form by default");
        seen.lock().unwrap().clear();
        let answer = http.send(&HttpRequest::get(url)).await.unwrap();
        assert_eq!(answer.status, 503);
        assert_eq!(seen.lock().unwrap().len(), 2, "a GET is retried once");
        assert_eq!(answer.header("x-ms-request-id"), Some("r-1"), "the request id a result carries");
    }

    #[tokio::test]
    async fn requests_name_the_client_and_a_byte_order_mark_is_dropped() {
        let (addr, seen) = scripted(|_| (200, "\u{feff}{\"a\":1}".to_owned())).await;
        for http in [Http::new(Duration::from_secs(5)).unwrap(), Http::direct(Duration::from_secs(5)).unwrap()] {
            assert_eq!(http.send(&HttpRequest::get(format!("http://{addr}/doc"))).await.unwrap().body, "{\"a\":1}");
        }
        let heads = seen.lock().unwrap();
        assert_eq!(heads.len(), 2);
        for head in heads.iter() {
            assert!(head.contains(&format!("user-agent: msal-native/{}\r\n", env!("CARGO_PKG_VERSION"))), "{head}");
        }
    }

    #[tokio::test]
    async fn an_answer_over_1_mb_is_refused_and_one_under_it_read() {
        let http = Http::new(Duration::from_secs(5)).unwrap();
        let (addr, _) = scripted(|head| (200, "x".repeat(if head.contains("/big") { MAX_BODY + 1 } else { MAX_BODY }))).await;
        let e = http.send(&HttpRequest::get(format!("http://{addr}/big"))).await.unwrap_err();
        assert_eq!((e.code(), e.status()), (codes::FAILED_TO_PARSE_RESPONSE, Some(200)));
        assert_eq!(http.send(&HttpRequest::get(format!("http://{addr}/small"))).await.unwrap().body.len(), MAX_BODY);
    }
}
