//! The runtime: configuration, request assembly and the HTTP exchange.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use http::{HeaderMap, StatusCode};
use reqwest::Url;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::decode::decode;
use super::error::Error;
use super::limiter::RateLimiter;
use super::response::Response;
use super::retry::{Decision, RetryPolicy, StopReason};
use super::{ApiDescription, Auth, Operation, OperationRequest, Secret};

/// Timeout of each attempt of a request unless configured otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Time allowed to establish a connection unless configured otherwise (built-in HTTP client
/// only).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Header carrying the idempotency key of a mutation.
const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// Prefix of the idempotency keys the runtime generates; the rest is a UUID v4 in hex, so a
/// key is 39 characters of `[a-z0-9-]`.
const GENERATED_KEY_PREFIX: &str = "sentdm-";

/// `User-Agent` sent unless configured otherwise.
const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

const APPLICATION_JSON: &str = "application/json";

/// Sends API requests: holds the HTTP client, base URL, credential and client-wide headers.
///
/// Cloning is cheap (the state is shared behind an [`Arc`]), so one runtime can serve a whole
/// application. `Debug` output never includes the credential or header values.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    description: &'static ApiDescription,
    base_url: Url,
    http: reqwest::Client,
    auth: AppliedAuth,
    default_headers: HeaderMap,
    timeout: Duration,
    retry: RetryPolicy,
    body_defaults: Vec<(String, serde_json::Value)>,
    rate_limiter: Option<RateLimiter>,
}

/// The credential in the form it is sent.
#[derive(Clone)]
enum AppliedAuth {
    None,
    Header(HeaderName, HeaderValue),
    Query(&'static str, Secret),
}

/// Stands in for a credential in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The HTTP exchange of one attempt: status, headers and the complete body.
struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// A request ready to be sent, as many times as the retry policy allows.
struct Prepared {
    request: reqwest::Request,
    idempotency_key: Option<String>,
}

impl Runtime {
    /// Starts configuring a runtime for the API described by `description`.
    pub fn builder(description: &'static ApiDescription) -> RuntimeBuilder {
        RuntimeBuilder {
            description,
            base_url: None,
            credential: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: None,
            default_headers: Vec::new(),
            http_client: None,
            retry: RetryPolicy::new(),
            body_defaults: Vec::new(),
            rate_limiter: None,
        }
    }

    /// A runtime with default settings and the given credential.
    pub fn new(
        description: &'static ApiDescription,
        credential: impl Into<Secret>,
    ) -> Result<Runtime, Error> {
        Runtime::builder(description).credential(credential).build()
    }

    /// The API this runtime talks to.
    pub fn description(&self) -> &'static ApiDescription {
        self.inner.description
    }

    /// The base URL requests are sent to.
    pub fn base_url(&self) -> &str {
        self.inner.base_url.as_str()
    }

    /// The timeout of each attempt of requests that do not override it.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The retry policy of requests that do not override it.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// The rate limiter pacing this runtime's requests, if any.
    pub fn rate_limiter(&self) -> Option<&RateLimiter> {
        self.inner.rate_limiter.as_ref()
    }

    /// A runtime with the same configuration and connection pool whose requests are paced by
    /// `limiter` (see [`RateLimiter`]). This runtime is left as it is.
    pub fn with_rate_limiter(&self, limiter: RateLimiter) -> Runtime {
        let mut inner = (*self.inner).clone();
        inner.rate_limiter = Some(limiter);
        Runtime {
            inner: Arc::new(inner),
        }
    }

    /// The underlying HTTP client.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Sends one call of an operation and decodes the response with [`decode`], retrying
    /// failures as the [`RetryPolicy`] allows.
    ///
    /// Headers are applied in this order, a later one replacing an earlier one of the same
    /// name: `Accept: application/json` and the `User-Agent`, the runtime's default headers,
    /// the credential, the operation's header parameters, then the headers in
    /// [`RequestOptions`](super::RequestOptions). `Content-Type: application/json` is sent
    /// only with a body.
    ///
    /// When the operation documents an `Idempotency-Key` header and none was given, a key is
    /// generated (`sentdm-` and a UUID v4 in hex). The request is built once, so every attempt
    /// carries the same key and body; [`Response::idempotency_key`] and
    /// [`ApiError::idempotency_key`](super::ApiError::idempotency_key) tell which key was used.
    ///
    /// The body defaults set with [`RuntimeBuilder::body_default`] are added to the JSON body of
    /// operations whose body has that field, unless the body already sets it.
    ///
    /// The timeout applies to each attempt separately: a retry gets a fresh one, and the time
    /// spent waiting between attempts (or for a [`RateLimiter`]) is not part of it. A request
    /// can therefore take up to `(max_retries + 1) × timeout` plus the waits in between.
    ///
    /// Runs inside a `tracing` span (`api_request`) recording the operation id, method, path
    /// template, number of attempts, final status and request id, with one child span per
    /// attempt (`api_attempt`, field `attempt`, 1-based) and a `retrying` event before each
    /// retry; URLs, header values and bodies are never recorded.
    pub async fn execute<T: DeserializeOwned + Send + 'static>(
        &self,
        request: OperationRequest,
    ) -> Result<Response<T>, Error> {
        let op = request.operation;
        let span = tracing::debug_span!(
            "api_request",
            api = self.inner.description.title,
            operation = op.id,
            method = op.method.as_str(),
            path = op.path,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        self.run(request).instrument(span).await
    }

    async fn run<T: DeserializeOwned>(
        &self,
        request: OperationRequest,
    ) -> Result<Response<T>, Error> {
        let op = request.operation;
        let max_retries = request
            .options
            .max_retries
            .unwrap_or(self.inner.retry.max_retries);
        let prepared = self.prepare(request)?;
        let span = tracing::Span::current();
        let mut attempt: u32 = 1;
        let result = loop {
            let outcome = match copy_request(&prepared.request) {
                Ok(http_request) => {
                    let attempt_span = tracing::debug_span!(
                        "api_attempt",
                        attempt,
                        status = tracing::field::Empty
                    );
                    self.attempt::<T>(op, http_request)
                        .instrument(attempt_span)
                        .await
                }
                Err(error) => Err(error),
            };
            let error = match outcome {
                Ok(response) => break Ok(response),
                Err(error) => error,
            };
            match self.inner.retry.decide(attempt, max_retries, &error) {
                Decision::Retry { delay, server } => {
                    tracing::debug!(
                        attempt,
                        delay_ms = millis(delay),
                        server_requested = server,
                        error = %error,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                    attempt = attempt.saturating_add(1);
                }
                Decision::Stop(reason) => {
                    if let StopReason::WaitTooLong(wait) = reason {
                        tracing::debug!(
                            attempt,
                            requested_wait_ms = millis(wait),
                            "not retrying: the server asked to wait longer than the policy allows"
                        );
                    }
                    break Err(error);
                }
            }
        };
        span.record("attempts", attempt);
        let status = match &result {
            Ok(response) => Some(response.status()),
            Err(error) => error.status(),
        };
        if let Some(status) = status {
            span.record("status", status.as_u16());
        }
        let request_id = match &result {
            Ok(response) => response.request_id(),
            Err(error) => error.request_id(),
        };
        if let Some(id) = request_id {
            span.record("request_id", id);
        }
        tracing::debug!(attempts = attempt, ok = result.is_ok(), "request finished");
        match result {
            Ok(response) => Ok(response.with_idempotency_key(prepared.idempotency_key)),
            Err(Error::Api(mut api)) => {
                api.idempotency_key = prepared.idempotency_key;
                Err(Error::Api(api))
            }
            Err(error) => Err(error),
        }
    }

    /// One attempt: waits for the rate limiter, sends the request, reads and decodes the
    /// response.
    async fn attempt<T: DeserializeOwned>(
        &self,
        op: &'static Operation,
        request: reqwest::Request,
    ) -> Result<Response<T>, Error> {
        let permit = match &self.inner.rate_limiter {
            Some(limiter) => Some(limiter.acquire().await),
            None => None,
        };
        let started = Instant::now();
        let raw = match self.exchange(request).await {
            Ok(raw) => raw,
            Err(error) => {
                tracing::debug!(
                    elapsed_ms = elapsed_ms(started),
                    error = %error,
                    "request failed"
                );
                return Err(error);
            }
        };
        if let Some(permit) = &permit {
            permit.observe(raw.status, &raw.headers);
        }
        drop(permit);
        tracing::Span::current().record("status", raw.status.as_u16());
        let body_bytes = raw.body.len();
        let result = decode::<T>(
            op,
            self.inner.description.envelope.as_ref(),
            raw.status.as_u16(),
            &raw.headers,
            raw.body,
        );
        match &result {
            Ok(_) => tracing::debug!(
                elapsed_ms = elapsed_ms(started),
                body_bytes,
                "response received"
            ),
            Err(error) => tracing::debug!(
                elapsed_ms = elapsed_ms(started),
                body_bytes,
                error = %error,
                "request unsuccessful"
            ),
        }
        result
    }

    /// Builds the HTTP request: URL, headers (with the idempotency key), body and timeout.
    fn prepare(&self, request: OperationRequest) -> Result<Prepared, Error> {
        let inner = &*self.inner;
        let op = request.operation;

        check_path(op.path, &request.path)?;
        let mut url = inner.base_url.clone();
        let base_path = url.path().trim_end_matches('/');
        let path = if request.path.starts_with('/') {
            format!("{base_path}{}", request.path)
        } else {
            format!("{base_path}/{}", request.path)
        };
        url.set_path(&path);
        let auth_query = match &inner.auth {
            AppliedAuth::Query(name, secret) => Some((*name, secret.expose())),
            _ => None,
        };
        if !request.query.is_empty() || auth_query.is_some() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
            if let Some((name, value)) = auth_query {
                pairs.append_pair(name, value);
            }
        }

        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(APPLICATION_JSON));
        for (name, value) in &inner.default_headers {
            headers.insert(name.clone(), value.clone());
        }
        if let AppliedAuth::Header(name, value) = &inner.auth {
            headers.insert(name.clone(), value.clone());
        }
        for (name, value) in &request.headers {
            let (name, value) = request_header(name, value)?;
            headers.insert(name, value);
        }
        for (name, value) in &request.options.headers {
            let (name, value) = request_header(name, value)?;
            headers.insert(name, value);
        }
        if !headers.contains_key(IDEMPOTENCY_KEY_HEADER) && documents_idempotency(op) {
            let key = format!("{GENERATED_KEY_PREFIX}{}", uuid::Uuid::new_v4().simple());
            if let Ok(value) = HeaderValue::from_str(&key) {
                headers.insert(IDEMPOTENCY_KEY_HEADER, value);
            }
        }
        let idempotency_key = headers
            .get(IDEMPOTENCY_KEY_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);

        let mut body = request.body;
        for (field, value) in &inner.body_defaults {
            if !op.body_fields.contains(&field.as_str()) {
                continue;
            }
            match &mut body {
                Some(serde_json::Value::Object(object)) => {
                    if !object.contains_key(field) {
                        object.insert(field.clone(), value.clone());
                    }
                }
                Some(_) => {}
                None => {
                    let mut object = serde_json::Map::new();
                    object.insert(field.clone(), value.clone());
                    body = Some(serde_json::Value::Object(object));
                }
            }
        }

        let body = match &body {
            Some(body) => {
                let bytes = serde_json::to_vec(body).map_err(|e| {
                    Error::invalid_request("body", format!("cannot be serialized as JSON: {e}"))
                })?;
                headers.insert(CONTENT_TYPE, HeaderValue::from_static(APPLICATION_JSON));
                Some(reqwest::Body::from(bytes))
            }
            None => None,
        };

        let mut http_request = reqwest::Request::new(op.method.clone(), url);
        *http_request.headers_mut() = headers;
        *http_request.body_mut() = body;
        *http_request.timeout_mut() = Some(request.options.timeout.unwrap_or(inner.timeout));
        Ok(Prepared {
            request: http_request,
            idempotency_key,
        })
    }

    /// Sends one request and reads the whole response.
    async fn exchange(&self, request: reqwest::Request) -> Result<RawResponse, Error> {
        let response = self
            .inner
            .http
            .execute(request)
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport_error)?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let credential = match &inner.auth {
            AppliedAuth::None => None,
            AppliedAuth::Header(..) | AppliedAuth::Query(..) => Some(Redacted),
        };
        let header_names: Vec<&str> = inner
            .default_headers
            .keys()
            .map(HeaderName::as_str)
            .collect();
        f.debug_struct("Runtime")
            .field("api", &inner.description.title)
            .field("base_url", &inner.base_url.as_str())
            .field("auth", &inner.description.auth)
            .field("credential", &credential)
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("default_headers", &header_names)
            .field("body_defaults", &body_default_names(&inner.body_defaults))
            .field("rate_limited", &inner.rate_limiter.is_some())
            .finish_non_exhaustive()
    }
}

/// Configures a [`Runtime`]; created by [`Runtime::builder`].
///
/// `Debug` output never includes the credential or header values.
#[must_use]
pub struct RuntimeBuilder {
    description: &'static ApiDescription,
    base_url: Option<String>,
    credential: Option<Secret>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: Option<String>,
    default_headers: Vec<(String, String)>,
    http_client: Option<reqwest::Client>,
    retry: RetryPolicy,
    body_defaults: Vec<(String, serde_json::Value)>,
    rate_limiter: Option<RateLimiter>,
}

impl RuntimeBuilder {
    /// Base URL of the API, such as `https://api.sent.dm` (default: the description's
    /// `default_base_url`). Must be an `http` or `https` URL without credentials, query or
    /// fragment; a path prefix is kept.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The API key or token, attached to every request as the API's [`Auth`] scheme says.
    /// For [`Auth::Basic`] it is `username:password`.
    pub fn credential(mut self, credential: impl Into<Secret>) -> Self {
        self.credential = Some(credential.into());
        self
    }

    /// Username and password for [`Auth::Basic`].
    pub fn basic_auth(self, username: &str, password: &str) -> Self {
        self.credential(Secret::new(format!("{username}:{password}")))
    }

    /// Time allowed for each attempt of a request, from connecting to reading the last byte
    /// of the body (default 60 seconds). A retry gets a fresh timeout, and an attempt that
    /// times out is retried like a connection failure.
    /// [`RequestOptions::timeout`](super::RequestOptions::timeout) overrides it per request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed for establishing a connection (default 10 seconds, and never more than the
    /// request timeout). Applies to the built-in HTTP client, not to one passed to
    /// [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
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
    /// top-level property `field` (see [`Operation::body_fields`]), unless the body already
    /// sets it. An operation with an optional body that was not set is sent `{field: value}`.
    /// Setting the same field again replaces the earlier value.
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

    /// `User-Agent` header (default `sentdm-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// A header sent with every request, such as `x-profile-id`. Setting the same name again
    /// replaces the earlier value.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Uses this HTTP client instead of building one (to share a connection pool, or to
    /// configure proxies or TLS). Timeouts set on the builder still apply per request;
    /// `connect_timeout` does not. A client built this way follows its own redirect policy,
    /// and on a redirect to another host it may forward an API key sent in a custom header.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks the configuration and builds the runtime.
    ///
    /// Fails with [`Error::Config`] on an invalid base URL, a missing, empty or malformed
    /// credential (the message never contains it), an invalid header, a zero timeout or
    /// connect timeout, or when TLS cannot be set up for an `https` base URL.
    pub fn build(self) -> Result<Runtime, Error> {
        let description = self.description;
        let base_url = parse_base_url(
            self.base_url
                .as_deref()
                .unwrap_or(description.default_base_url),
        )?;
        if self.timeout.is_zero() {
            return Err(Error::config("the timeout must be greater than zero"));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::config(
                "the connect timeout must be greater than zero",
            ));
        }
        let auth = apply_auth(description, self.credential)?;

        let mut default_headers = HeaderMap::new();
        let user_agent = self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT);
        let user_agent = HeaderValue::from_str(user_agent)
            .map_err(|_| Error::config("the user agent is not a valid HTTP header value"))?;
        default_headers.insert(USER_AGENT, user_agent);
        for (name, value) in &self.default_headers {
            let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::config(format!(
                    "default header name `{name}` is not a valid header name"
                ))
            })?;
            let mut header_value = HeaderValue::from_str(value).map_err(|_| {
                Error::config(format!(
                    "the value of default header `{name}` is not a valid HTTP header value"
                ))
            })?;
            header_value.set_sensitive(is_sensitive(&header_name, &auth));
            default_headers.insert(header_name, header_value);
        }

        let http = match self.http_client {
            Some(client) => client,
            None => build_http_client(self.connect_timeout.min(self.timeout))?,
        };

        Ok(Runtime {
            inner: Arc::new(Inner {
                description,
                base_url,
                http,
                auth,
                default_headers,
                timeout: self.timeout,
                retry: self.retry,
                body_defaults: self.body_defaults,
                rate_limiter: self.rate_limiter,
            }),
        })
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
            .field("base_url", &self.base_url)
            .field("auth", &self.description.auth)
            .field("credential", &self.credential)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("default_headers", &header_names)
            .field("custom_http_client", &self.http_client.is_some())
            .field("retry", &self.retry)
            .field("body_defaults", &body_default_names(&self.body_defaults))
            .field("rate_limited", &self.rate_limiter.is_some())
            .finish()
    }
}

fn parse_base_url(raw: &str) -> Result<Url, Error> {
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::config(format!("the base URL is not a valid URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config(format!(
            "the base URL must use http or https, not `{}`",
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
        return Err(Error::config(format!(
            "the base URL `{url}` must not have a query or fragment"
        )));
    }
    Ok(url)
}

fn apply_auth(
    description: &'static ApiDescription,
    credential: Option<Secret>,
) -> Result<AppliedAuth, Error> {
    if description.auth == Auth::None {
        return Ok(AppliedAuth::None);
    }
    let Some(credential) = credential else {
        return Err(Error::config(format!(
            "no credential set; {} authenticates with {} (call `credential` on the builder)",
            description.title, description.auth
        )));
    };
    if credential.expose().trim().is_empty() {
        return Err(Error::config("the credential is empty"));
    }
    let header = |name: HeaderName, value: String| -> Result<AppliedAuth, Error> {
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            Error::config(
                "the credential is not a valid HTTP header value \
                 (check for line breaks or other control characters)",
            )
        })?;
        value.set_sensitive(true);
        Ok(AppliedAuth::Header(name, value))
    };
    match description.auth {
        Auth::None => Ok(AppliedAuth::None),
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
        Auth::ApiKeyQuery { name } => Ok(AppliedAuth::Query(name, credential)),
    }
}

fn is_sensitive(name: &HeaderName, auth: &AppliedAuth) -> bool {
    *name == AUTHORIZATION
        || *name == http::header::PROXY_AUTHORIZATION
        || *name == http::header::COOKIE
        || matches!(auth, AppliedAuth::Header(auth_name, _) if auth_name == name)
}

/// The built-in HTTP client: rustls with the platform's certificate verifier (reqwest's
/// `rustls` feature), HTTP/2 when the server offers it.
fn build_http_client(connect_timeout: Duration) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        // Redirects could carry a custom API key header to another host; API calls are not
        // redirected, so a 3xx is reported as it is.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(connect_timeout)
        .build()
        .map_err(|e| Error::config(format!("the HTTP client could not be built: {e}")))
}

/// Rejects expanded paths that would reach another endpoint: an empty parameter
/// (`/contacts/` instead of `/contacts/{id}`) or a `.`/`..` segment, which URL
/// normalization would remove.
fn check_path(template: &str, path: &str) -> Result<(), Error> {
    let template_segments = template.split('/');
    if template_segments.clone().count() == path.split('/').count() {
        for (param, value) in template_segments.zip(path.split('/')) {
            let Some(name) = param.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else {
                continue;
            };
            if value.is_empty() {
                return Err(Error::invalid_request(name, "must not be empty"));
            }
            if is_dot_segment(value) {
                return Err(Error::invalid_request(name, "must not be `.` or `..`"));
            }
        }
    }
    if path.split('/').any(is_dot_segment) {
        return Err(Error::invalid_request(
            "path",
            "must not contain `.` or `..` segments",
        ));
    }
    Ok(())
}

fn is_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
    )
}

/// A caller-supplied header, checked.
fn request_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), Error> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid_request(name, "is not a valid HTTP header name"))?;
    let header_value = HeaderValue::from_str(value).map_err(|_| {
        Error::invalid_request(
            name,
            "is not a valid HTTP header value (control characters are not allowed)",
        )
    })?;
    Ok((header_name, header_value))
}

/// Maps a transport failure to an [`Error`], dropping the URL (it may carry a query-string
/// credential).
fn transport_error(error: reqwest::Error) -> Error {
    let error = error.without_url();
    if error.is_timeout() {
        Error::Timeout {
            source: Box::new(error),
        }
    } else if error.is_connect() {
        Error::Connection {
            source: Box::new(error),
        }
    } else {
        Error::Transport {
            source: Box::new(error),
        }
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    millis(started.elapsed())
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// A copy of a prepared request for one attempt. Requests built by [`Runtime::prepare`] have
/// in-memory bodies, which can always be copied.
fn copy_request(request: &reqwest::Request) -> Result<reqwest::Request, Error> {
    request
        .try_clone()
        .ok_or_else(|| Error::invalid_request("body", "cannot be sent more than once"))
}

/// Whether the operation documents an `Idempotency-Key` header parameter.
fn documents_idempotency(op: &Operation) -> bool {
    op.header_params
        .iter()
        .any(|name| name.eq_ignore_ascii_case(IDEMPOTENCY_KEY_HEADER))
}

fn body_default_names(defaults: &[(String, serde_json::Value)]) -> Vec<&str> {
    defaults.iter().map(|(name, _)| name.as_str()).collect()
}
