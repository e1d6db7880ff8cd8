//! What a runtime holds once built, shared by its clones and derived runtimes: the transport,
//! the base URL, the credentials in the form they are sent, the client-wide headers and the
//! limits. The builder makes it, the request path reads it.

use std::time::Duration;

use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};
use reqwest::Url;

use super::error::Error;
use super::headers::forbidden_header;
use super::limiter::RateLimiter;
use super::retry::RetryPolicy;
use super::{ApiDescription, Secret};

/// A built runtime's state.
#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) description: &'static ApiDescription,
    pub(crate) base_url: Url,
    pub(crate) http: reqwest::Client,
    pub(crate) auth: AppliedAuth,
    /// Sent with every request: `Accept`, `User-Agent`, the default headers, the credential.
    pub(crate) base_headers: HeaderMap,
    /// Names of the default headers, for `Debug`.
    pub(crate) default_header_names: Vec<HeaderName>,
    pub(crate) timeout: Duration,
    pub(crate) deadline: Option<Duration>,
    pub(crate) max_response_bytes: u64,
    pub(crate) retry: RetryPolicy,
    pub(crate) body_defaults: Vec<(String, serde_json::Value)>,
    pub(crate) rate_limiter: Option<RateLimiter>,
}

/// The credentials in the form they are sent.
#[derive(Clone, Default)]
pub(crate) struct AppliedAuth {
    /// Headers carrying a credential, with their values (marked sensitive).
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// Query parameters carrying a credential.
    pub(crate) query: Vec<(&'static str, Secret)>,
}

impl AppliedAuth {
    /// Whether any credential is attached.
    pub(crate) fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.query.is_empty()
    }
}

/// The names of the body defaults, for `Debug`.
pub(crate) fn body_default_names(defaults: &[(String, serde_json::Value)]) -> Vec<&str> {
    defaults.iter().map(|(name, _)| name.as_str()).collect()
}

/// A header sent with every request, checked: a valid name and value, and not one that frames
/// or routes the message or carries the credential.
pub(crate) fn default_header(
    name: &str,
    value: &str,
    auth: &AppliedAuth,
) -> Result<(HeaderName, HeaderValue), Error> {
    let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        Error::config(format!(
            "default header name `{name}` is not a valid header name"
        ))
    })?;
    if let Some(why) = forbidden_header(&header_name, &auth.headers) {
        return Err(Error::config(format!(
            "default header `{name}` cannot be set: {why}"
        )));
    }
    let mut header_value = HeaderValue::from_str(value).map_err(|_| {
        Error::config(format!(
            "the value of default header `{name}` is not a valid HTTP header value"
        ))
    })?;
    header_value.set_sensitive(header_name == http::header::COOKIE);
    Ok((header_name, header_value))
}
