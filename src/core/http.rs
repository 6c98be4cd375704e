//! HTTP requests and responses as plain data. The platform sends them; the core builds and
//! reads them.

use crate::prelude::*;

/// GET or POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
}

/// A request for the platform's HTTP client. The body may hold secrets, so `Debug` omits it.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// `application/x-www-form-urlencoded` body for POST, empty for GET.
    pub body: String,
}

impl HttpRequest {
    /// A GET of `url`.
    pub fn get(url: impl Into<String>) -> HttpRequest {
        HttpRequest { method: Method::Get, url: url.into(), headers: Vec::new(), body: String::new() }
    }

    /// The decoded form fields of the body.
    pub fn form(&self) -> Vec<(String, String)> {
        super::url::parse_query(&self.body)
    }

    /// The value of form field `key`.
    pub fn form_field(&self, key: &str) -> Option<String> {
        self.form().into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl ::core::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        // The URL of a token request carries no secret; the body does.
        let path = self.url.split('?').next().unwrap_or_default();
        f.debug_struct("HttpRequest").field("method", &self.method).field("url", &path).finish_non_exhaustive()
    }
}

/// A response from the platform's HTTP client. `Debug` omits the body (it holds tokens).
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers (names lower-cased by the platform).
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
}

impl HttpResponse {
    /// A response with a status and body.
    pub fn new(status: u16, body: impl Into<String>) -> HttpResponse {
        HttpResponse { status, headers: Vec::new(), body: body.into() }
    }

    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl ::core::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("HttpResponse").field("status", &self.status).finish_non_exhaustive()
    }
}
