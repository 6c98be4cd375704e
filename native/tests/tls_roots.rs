//! The default transport trusts the machine's certificate store besides the bundled roots: an
//! enterprise's TLS-inspecting proxy, or an AD FS behind an internal CA, is trusted once the
//! machine trusts it (here through `SSL_CERT_FILE`, which the store is read from on Linux).
//! Each case runs in a child process of this test binary, with its own environment.

use msal_native::http::Http;
use msal_wasm::core::http::HttpRequest;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const CERT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/idp/.cert");

/// The child: a GET of $MSAL_TLS_URL through the default transport; prints its outcome.
#[tokio::test]
async fn tls_child() {
    let Ok(url) = std::env::var("MSAL_TLS_URL") else { return };
    let http = Http::new(Duration::from_secs(10)).unwrap();
    match http.send(&HttpRequest::get(url)).await {
        Ok(r) => println!("outcome: status {}", r.status),
        Err(e) => println!("outcome: error {}", e.code()),
    }
}

fn fetch_with(url: &str, cert_file: &str) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "tls_child", "--nocapture", "--test-threads=1"])
        .env("MSAL_TLS_URL", url)
        .env("SSL_CERT_FILE", cert_file)
        .env_remove("SSL_CERT_DIR")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines().find_map(|l| l.split_once("outcome: ").map(|(_, o)| o.to_owned())).unwrap_or_else(|| format!("no outcome: {text}"))
}

#[test]
fn a_server_the_machine_trusts_is_reached_and_one_it_does_not_is_refused() {
    let (cert, key) = (format!("{CERT_DIR}/cert.pem"), format!("{CERT_DIR}/key.pem"));
    assert!(std::path::Path::new(&cert).exists(), "run under scripts/with-idp.mjs, which makes {cert}");
    // An https server with the provider's self-signed certificate (127.0.0.1), in Node.
    let script = "const fs=require('fs');const s=require('https').createServer({cert:fs.readFileSync(process.argv[1]),key:fs.readFileSync(process.argv[2])},(q,r)=>r.end('{}'));s.listen(0,'127.0.0.1',()=>console.log(s.address().port));";
    let mut server = Command::new("node").args(["-e", script, &cert, &key]).stdout(Stdio::piped()).spawn().unwrap();
    let mut port = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut port).unwrap();
    let url = format!("https://127.0.0.1:{}/", port.trim());
    let trusted = fetch_with(&url, &cert);
    let untrusted = fetch_with(&url, "/etc/ssl/certs/ca-certificates.crt");
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(trusted, "status 200", "the machine's store names the server's certificate");
    assert_eq!(untrusted, "error network_error", "a certificate nobody trusts is refused");
}
