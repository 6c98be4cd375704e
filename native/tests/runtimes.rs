//! The confidential client's user flows (a code, a refresh token, on-behalf-of) run on a runtime
//! of their own, one per blocking thread, driven only while a flow runs. Their HTTP requests
//! run on the app's runtime: a pooled connection a flow opened is one the app's next request may
//! take, and its task must be driven after the flow returned.

use msal_native::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A token endpoint on 127.0.0.1 that keeps its connections open (HTTP/1.1 keep-alive, as
/// Entra's): client credentials get a token, anything else `invalid_grant`.
fn keep_alive_provider() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    origin
}

fn serve(stream: TcpStream) {
    let Ok(mut out) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" {
                break;
            }
            if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, json) = if String::from_utf8_lossy(&body).contains("grant_type=client_credentials") {
            ("200 OK", r#"{"access_token":"app-token","token_type":"Bearer","expires_in":3600}"#)
        } else {
            ("400 Bad Request", r#"{"error":"invalid_grant","error_description":"unknown refresh token"}"#)
        };
        let answer = format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{json}", json.len());
        if out.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_a_user_flow_opened_serves_the_apps_next_request() {
    let origin = keep_alive_provider();
    let authority = format!("{origin}/tenant");
    let document = format!(
        r#"{{"issuer":"{authority}","authorization_endpoint":"{authority}/authorize","token_endpoint":"{authority}/token","jwks_uri":"{authority}/keys"}}"#
    );
    let mut config = ConfidentialClientConfig::new("service", authority, Credential::Secret("secret".into()));
    config.protocol_mode = ProtocolMode::Oidc;
    config.authority_metadata = Some(document);
    config.network_timeout = Duration::from_secs(3);
    let app = ConfidentialClientApplication::new(config, None).unwrap();
    // A user flow: its request opens the connection (refused: no matter).
    let e = app.acquire_token_by_refresh_token("a-refresh-token", &["User.Read".into()]).await.unwrap_err();
    assert!(e.is_invalid_grant(), "{e:?}");
    // The app's own request, on the app's runtime, over the pooled connection.
    let start = Instant::now();
    let request = ClientCredentialRequest { scopes: vec!["api://service/.default".into()], ..Default::default() };
    let token = app.acquire_token_by_client_credential(&request).await;
    assert!(token.is_ok(), "{token:?}");
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
}
