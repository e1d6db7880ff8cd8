//! Configuring a [`Runtime`]: base URL, credential, transport, limits and defaults.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use http::HeaderMap;
use http::header::{ACCEPT, AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT};
use reqwest::Url;

use super::client::Runtime;
use super::error::Error;
use super::headers::APPLICATION_JSON;
use super::limiter::RateLimiter;
use super::retry::RetryPolicy;
use super::state::{AppliedAuth, Inner, body_default_names, default_header};
use super::{ApiDescription, Auth, Secret};

/// Timeout of each attempt of a request unless configured otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Time allowed for a whole call, retries and waits included, unless configured otherwise.
const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

/// Time allowed to establish a connection unless configured otherwise.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest response body accepted unless configured otherwise: 16 MiB, far above any
/// documented response, small enough that a misbehaving server cannot exhaust memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// `User-Agent` sent unless configured otherwise.
const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

impl Runtime {
    /// Starts configuring a runtime for the API described by `description`.
    pub fn builder(description: &'static ApiDescription) -> RuntimeBuilder {
        RuntimeBuilder::new(description)
    }

    /// A runtime with default settings and the given credential.
    pub fn new(
        description: &'static ApiDescription,
        credential: impl Into<Secret>,
    ) -> Result<Runtime, Error> {
        Runtime::builder(description).credential(credential).build()
    }
}

/// Configures a [`Runtime`]; created by [`Runtime::builder`].
///
/// `Debug` output never includes the credential or header values.
#[must_use]
pub struct RuntimeBuilder {
    description: &'static ApiDescription,
    base_url: Option<String>,
    allow_insecure_http: bool,
    /// Credentials as given: unnamed (from `credential`) or by the header or query
    /// parameter they travel in (from `credential_for`).
    credentials: Vec<(Option<String>, Secret)>,
    timeout: Duration,
    deadline: Option<Duration>,
    connect_timeout: Duration,
    max_response_bytes: u64,
    user_agent: Option<String>,
    default_headers: Vec<(String, String)>,
    http_client: Option<reqwest::ClientBuilder>,
    retry: RetryPolicy,
    body_defaults: Vec<(String, serde_json::Value)>,
    rate_limiter: Option<RateLimiter>,
}

impl RuntimeBuilder {
    pub(crate) fn new(description: &'static ApiDescription) -> RuntimeBuilder {
        RuntimeBuilder {
            description,
            base_url: None,
            allow_insecure_http: false,
            credentials: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            deadline: Some(DEFAULT_DEADLINE),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: None,
            default_headers: Vec::new(),
            http_client: None,
            retry: RetryPolicy::new(),
            body_defaults: Vec::new(),
            rate_limiter: None,
        }
    }

    /// Base URL of the API, such as `https://api.sent.dm` (default: the server the
    /// credential's prefix selects, for APIs whose servers say which keys they take, else the
    /// description's first server). Must be an `https` URL without credentials, query or fragment; a
    /// path prefix is kept. Plain `http` is accepted for loopback hosts (`localhost`,
    /// `127.0.0.0/8`, `::1`) such as a local mock server, and elsewhere only after
    /// [`allow_insecure_http`](Self::allow_insecure_http).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Accepts a plain `http` base URL whose host is not a loopback address (default: refused,
    /// because the credential would cross the network unencrypted). Meant for a TLS-terminating
    /// proxy on a trusted network; never use it across the internet.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The API key or token, attached to every request as the API's (first) [`Auth`]
    /// scheme says. For [`Auth::Basic`] it is `username:password`.
    pub fn credential(mut self, credential: impl Into<Secret>) -> Self {
        self.credentials.retain(|(name, _)| name.is_some());
        self.credentials.push((None, credential.into()));
        self
    }

    /// A credential of an API that takes several, by the header or query parameter it
    /// travels in (as [`Auth::name`] says, ignoring case), such as a tenant id in
    /// `X-Tenant-ID` beside a bearer token. A name the API does not use is reported by
    /// [`build`](Self::build).
    pub fn credential_for(mut self, name: &str, credential: impl Into<Secret>) -> Self {
        self.credentials.retain(|(given, _)| {
            !given
                .as_deref()
                .is_some_and(|g| g.eq_ignore_ascii_case(name))
        });
        self.credentials
            .push((Some(name.to_owned()), credential.into()));
        self
    }

    /// Username and password for [`Auth::Basic`].
    pub fn basic_auth(self, username: &str, password: &str) -> Self {
        self.credential(Secret::new(format!("{username}:{password}")))
    }

    /// Time allowed for each attempt of a request, from connecting to reading the last byte
    /// of the body (default 60 seconds). A retry gets a fresh timeout, within what is left of
    /// the [`deadline`](Self::deadline), and an attempt that times out is retried like a
    /// connection failure. [`RequestOptions::timeout`](super::RequestOptions::timeout)
    /// overrides it per request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed for a whole call: every attempt, the waits between them (backoff and
    /// `Retry-After`) and the wait for a [`RateLimiter`] (default 120 seconds). No attempt
    /// outlives it, a retry whose wait would end past it is not made, and a `Retry-After`
    /// longer than the time left ends the call at once with the rate-limit error.
    /// [`RequestOptions::deadline`](super::RequestOptions::deadline) overrides it per request.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Removes the overall deadline: a call is then bounded only by the timeout of each
    /// attempt, the number of retries and the longest wait the [`RetryPolicy`] honours.
    pub fn no_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    /// Time allowed for establishing a connection (default 10 seconds, and never more than the
    /// request timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Longest response body accepted, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`],
    /// 16 MiB), for success and error responses alike. Bodies are read as they arrive and
    /// reading stops as soon as the limit is passed, with
    /// [`Error::ResponseTooLarge`]. [`RequestOptions::max_response_bytes`](super::RequestOptions::max_response_bytes)
    /// overrides it per request.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// How failed requests are retried (default [`RetryPolicy::new`]: 2 retries with
    /// exponential backoff). [`RequestOptions::max_retries`](super::RequestOptions::max_retries)
    /// overrides the number of retries per request.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets how many times a failed request is retried, keeping the rest of the retry policy.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.retry = self.retry.max_retries(max_retries);
        self
    }

    /// Adds `field: value` to the JSON body of every operation whose request body has a
    /// top-level property `field` (see [`Operation::body_fields`](super::Operation::body_fields)),
    /// unless the body already sets it. An operation with an optional body that was not set
    /// is sent `{field: value}`. Setting the same field again replaces the earlier value.
    pub fn body_default(mut self, field: impl Into<String>, value: serde_json::Value) -> Self {
        let field = field.into();
        self.body_defaults.retain(|(name, _)| *name != field);
        self.body_defaults.push((field, value));
        self
    }

    /// Removes a body default set with [`body_default`](Self::body_default).
    pub fn remove_body_default(mut self, field: &str) -> Self {
        self.body_defaults.retain(|(name, _)| name != field);
        self
    }

    /// Paces every attempt of every request with `limiter` (see [`RateLimiter`]).
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// `User-Agent` header (default `sentdm-runtime/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// A header sent with every request, such as `x-profile-id`. Setting the same name again
    /// replaces the earlier value. Headers that frame or route the message (`Host`,
    /// `Content-Length`, `Transfer-Encoding`, `Connection`, …) or carry the credential are
    /// refused by [`build`](Self::build).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Builds the HTTP client from this `reqwest` builder instead of the default one, to set
    /// proxies, TLS roots or client certificates, pool sizes or local addresses.
    ///
    /// The runtime sets two things on it, replacing what the builder says: redirects are never
    /// followed (a redirect would carry the credential to wherever the server points, and
    /// API calls are not redirected, so a `3xx` is reported as the error it is), and the
    /// [`connect_timeout`](Self::connect_timeout). A ready-made `reqwest::Client` is not
    /// accepted because its redirect policy could not be checked.
    pub fn http_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http_client = Some(builder);
        self
    }

    /// Checks the configuration and builds the runtime.
    ///
    /// Fails with [`Error::Config`] on an invalid base URL (or a plain `http` one to a host
    /// that is not loopback, see [`allow_insecure_http`](Self::allow_insecure_http)), a
    /// missing, empty or malformed credential (the message never contains it), an invalid or
    /// refused default header, a zero timeout, deadline or connect timeout, or when the HTTP
    /// client cannot be built (for example TLS set-up).
    pub fn build(self) -> Result<Runtime, Error> {
        let description = self.description;
        let auth = apply_auth(description, &self.credentials)?;
        let base_url = match self.base_url.as_deref() {
            Some(url) => url,
            None => self
                .primary_credential()
                .and_then(|key| description.server_for_credential(key.expose()))
                .map_or_else(|| description.default_base_url(), |server| server.url),
        };
        let base_url = parse_base_url(base_url, self.allow_insecure_http)?;
        if self.timeout.is_zero() {
            return Err(Error::config("the timeout must be greater than zero"));
        }
        if self.deadline.is_some_and(|d| d.is_zero()) {
            return Err(Error::config("the deadline must be greater than zero"));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::config(
                "the connect timeout must be greater than zero",
            ));
        }

        let mut base_headers = HeaderMap::new();
        base_headers.insert(ACCEPT, HeaderValue::from_static(APPLICATION_JSON));
        let user_agent = self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT);
        let user_agent = HeaderValue::from_str(user_agent)
            .map_err(|_| Error::config("the user agent is not a valid HTTP header value"))?;
        base_headers.insert(USER_AGENT, user_agent);
        let mut default_header_names = Vec::new();
        for (name, value) in &self.default_headers {
            let (header_name, header_value) = default_header(name, value, &auth)?;
            if !default_header_names.contains(&header_name) {
                default_header_names.push(header_name.clone());
            }
            base_headers.insert(header_name, header_value);
        }
        for (name, value) in &auth.headers {
            base_headers.insert(name.clone(), value.clone());
        }

        let http = build_http_client(
            self.http_client.unwrap_or_default(),
            self.connect_timeout.min(self.timeout),
        )?;

        Ok(Runtime::from_inner(Arc::new(Inner {
            description,
            base_url,
            http,
            auth,
            base_headers,
            default_header_names,
            timeout: self.timeout,
            deadline: self.deadline,
            max_response_bytes: self.max_response_bytes,
            retry: self.retry,
            body_defaults: self.body_defaults,
            rate_limiter: self.rate_limiter,
        })))
    }
}

impl RuntimeBuilder {
    /// The credential for the first scheme: the unnamed one, or the one named after it.
    fn primary_credential(&self) -> Option<&Secret> {
        let first = self.description.auth.first()?;
        self.credentials
            .iter()
            .find(|(name, _)| match name {
                None => true,
                Some(name) => name.eq_ignore_ascii_case(first.name()),
            })
            .map(|(_, secret)| secret)
    }
}

impl fmt::Debug for RuntimeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self
            .default_headers
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        f.debug_struct("RuntimeBuilder")
            .field("api", &self.description.title)
            .field("base_url", &self.base_url.as_deref().map(redact_url))
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("auth", &self.description.auth)
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("user_agent", &self.user_agent)
            .field("default_headers", &header_names)
            .field("custom_http_client", &self.http_client.is_some())
            .field("retry", &self.retry)
            .field("body_defaults", &body_default_names(&self.body_defaults))
            .field("rate_limited", &self.rate_limiter.is_some())
            .finish()
    }
}

/// A URL as text without its userinfo, query and fragment, which may hold credentials.
fn redact_url(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(mut url) => {
            let had_extras = !url.username().is_empty()
                || url.password().is_some()
                || url.query().is_some()
                || url.fragment().is_some();
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            if had_extras {
                format!("{url} [userinfo, query or fragment removed]")
            } else {
                url.to_string()
            }
        }
        Err(_) => "[not a valid URL]".to_owned(),
    }
}

/// Parses and checks a base URL. Error messages never repeat the URL's userinfo, query or
/// fragment.
fn parse_base_url(raw: &str, allow_insecure_http: bool) -> Result<Url, Error> {
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::config(format!("the base URL is not a valid URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config(format!(
            "the base URL must use https (or http to a loopback host), not `{}`",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "the base URL must not contain credentials; use `credential` instead",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::config("the base URL has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            "the base URL must not have a query string or fragment",
        ));
    }
    if url.scheme() == "http" && !allow_insecure_http && !is_loopback(&url) {
        return Err(Error::config(format!(
            "the base URL uses plain http to `{}`, which is not a loopback host, so the \
             credential would travel unencrypted; use https, or call \
             `allow_insecure_http(true)` on the builder to accept that",
            url.host_str().unwrap_or_default()
        )));
    }
    Ok(url)
}

/// Whether the URL's host is this machine: `localhost` (and `*.localhost`), `127.0.0.0/8`
/// or `::1`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            domain == "localhost" || domain.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            IpAddr::V6(ip).is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

fn apply_auth(
    description: &'static ApiDescription,
    credentials: &[(Option<String>, Secret)],
) -> Result<AppliedAuth, Error> {
    let mut applied = AppliedAuth::default();
    for (name, _) in credentials {
        if let Some(name) = name {
            if !description
                .auth
                .iter()
                .any(|auth| auth.name().eq_ignore_ascii_case(name))
            {
                let known: Vec<String> = description
                    .auth
                    .iter()
                    .map(|a| format!("`{}`", a.name()))
                    .collect();
                return Err(Error::config(format!(
                    "{} takes no credential in `{name}`; it takes {}",
                    description.title,
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(" and ")
                    }
                )));
            }
        }
    }
    for (index, auth) in description.auth.iter().enumerate() {
        let given = credentials.iter().rev().find(|(name, _)| match name {
            None => index == 0,
            Some(name) => name.eq_ignore_ascii_case(auth.name()),
        });
        let Some((_, credential)) = given else {
            let call = if index == 0 {
                "`credential`".to_owned()
            } else {
                format!("`credential_for(\"{}\", ..)`", auth.name())
            };
            return Err(Error::config(format!(
                "no credential set; {} authenticates with {auth} (call {call} on the builder)",
                description.title
            )));
        };
        apply_one(auth, credential, &mut applied)?;
    }
    Ok(applied)
}

/// Adds one credential in the form `auth` says.
fn apply_one(auth: &Auth, credential: &Secret, applied: &mut AppliedAuth) -> Result<(), Error> {
    let name = auth.name();
    if credential.expose().trim().is_empty() {
        return Err(Error::config(format!(
            "the credential for `{name}` is empty"
        )));
    }
    let mut header = |header: HeaderName, value: String| -> Result<(), Error> {
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            Error::config(format!(
                "the credential for `{name}` is not a valid HTTP header value \
                 (check for line breaks or other control characters)"
            ))
        })?;
        value.set_sensitive(true);
        applied.headers.push((header, value));
        Ok(())
    };
    match auth {
        Auth::ApiKeyHeader { name } => {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::config(format!("the API key header name `{name}` is not valid"))
            })?;
            header(name, credential.expose().to_owned())
        }
        Auth::Bearer => header(AUTHORIZATION, format!("Bearer {}", credential.expose())),
        Auth::Basic => header(
            AUTHORIZATION,
            format!(
                "Basic {}",
                BASE64_STANDARD.encode(credential.expose().as_bytes())
            ),
        ),
        Auth::ApiKeyQuery { name } => {
            applied.query.push((name, credential.clone()));
            Ok(())
        }
    }
}

/// The HTTP client: rustls with the platform's certificate verifier (reqwest's `rustls`
/// feature), HTTP/2 when the server offers it, and never following redirects.
fn build_http_client(
    builder: reqwest::ClientBuilder,
    connect_timeout: Duration,
) -> Result<reqwest::Client, Error> {
    builder
        // A redirect could carry the credential to another host; API calls are not
        // redirected, so a 3xx is reported as it is.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(connect_timeout)
        .build()
        .map_err(|e| Error::config(format!("the HTTP client could not be built: {e}")))
}

/// The value of environment variable `name`, for clients' `from_env`: `None` when it is unset
/// or blank, an [`Error::Config`] naming it when it is not Unicode (the value is never
/// repeated).
pub fn read_env(name: &str) -> Result<Option<String>, Error> {
    match std::env::var(name) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::config(format!("{name} is not valid Unicode")))
        }
    }
}
