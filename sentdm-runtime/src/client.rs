//! The runtime: request assembly and the HTTP exchange, with retries under a deadline.
//!
//! A call goes through, in order: `Runtime::prepare` (URL, headers, idempotency key and
//! body, checked before any I/O), then attempts in `Runtime::run` — each waits for the rate
//! limiter and sends the request, then `Runtime::receive` reads the body within the size
//! limit and decodes the answer — with the [`RetryPolicy`] deciding after a failure whether, and
//! when, to try again before the deadline.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::future::Either;
use http::HeaderMap;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use reqwest::Url;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::body::{BodyError, read_limited};
use super::builder::{AppliedAuth, RuntimeBuilder, body_default_names, default_header};
use super::decode::decode_parts;
use super::error::Error;
use super::headers::{APPLICATION_JSON, forbidden_header};
use super::headers::{REQUEST_ID_HEADER, header_str};
use super::limiter::{Permit, RateLimiter};
use super::response::Response;
use super::retry::{Decision, RetryPolicy, StopReason};
use super::{ApiDescription, JsonBody, Operation, OperationRequest, RequestBody, Secret};

/// Longest prefix of generated idempotency keys; a longer configured one is cut.
const MAX_KEY_PREFIX: usize = 32;

/// Sends API requests: holds the HTTP client, base URL, credential and client-wide headers.
///
/// Cloning is cheap (the state is shared behind an [`Arc`]), so one runtime can serve a whole
/// application. `Debug` output never includes the credential or header values.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

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

/// Stands in for a credential in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A request ready to be sent, as many times as the retry policy allows.
struct Prepared {
    /// `None` once the last attempt took it. Without its body for multipart requests, whose
    /// form is built for each attempt.
    request: Option<reqwest::Request>,
    idempotency_key: Option<HeaderValue>,
    #[cfg(feature = "multipart")]
    multipart: Option<super::upload::Multipart>,
}

impl Prepared {
    /// Whether the request can be sent once more.
    fn is_replayable(&self) -> bool {
        #[cfg(feature = "multipart")]
        if let Some(form) = &self.multipart {
            return form.is_replayable();
        }
        self.request.is_some()
    }
}

/// The limits of one call, from its [`RequestOptions`](super::RequestOptions) or the
/// runtime's defaults.
#[derive(Clone, Copy)]
struct Limits {
    max_retries: u32,
    timeout: Duration,
    deadline: Option<Duration>,
    max_response_bytes: u64,
}

/// The overall deadline passed.
#[derive(Debug)]
struct DeadlineExceeded {
    deadline: Duration,
    attempts: u32,
}

impl fmt::Display for DeadlineExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the deadline of {:?} for the whole call passed after {} attempt{}",
            self.deadline,
            self.attempts,
            if self.attempts == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for DeadlineExceeded {}

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

    pub(crate) fn from_inner(inner: Arc<Inner>) -> Runtime {
        Runtime { inner }
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

    /// The time allowed for a whole call of requests that do not override it (`None`: no
    /// overall deadline).
    pub fn deadline(&self) -> Option<Duration> {
        self.inner.deadline
    }

    /// The longest response body accepted from requests that do not override it, in bytes.
    pub fn max_response_bytes(&self) -> u64 {
        self.inner.max_response_bytes
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

    /// A runtime with the same configuration and connection pool that sends `name: value`
    /// with every request, replacing a default header of the same name. This runtime is left
    /// as it is.
    ///
    /// Fails with [`Error::Config`] for an invalid name or value, or a header the runtime
    /// builder refuses (one that frames or routes the message, or carries the credential).
    pub fn with_default_header(&self, name: &str, value: &str) -> Result<Runtime, Error> {
        let (name, value) = default_header(name, value, &self.inner.auth)?;
        let mut inner = (*self.inner).clone();
        if !inner.default_header_names.contains(&name) {
            inner.default_header_names.push(name.clone());
        }
        inner.base_headers.insert(name, value);
        Ok(Runtime {
            inner: Arc::new(inner),
        })
    }

    /// A runtime with the same configuration and connection pool whose requests use
    /// `options` as their defaults: its timeout, deadline, response size limit and number of
    /// retries replace the runtime's, and its headers are sent with every request (checked as
    /// [`with_default_header`](Self::with_default_header) checks them). Each request can still
    /// override them. This runtime is left as it is.
    pub fn with_options(&self, options: &super::RequestOptions) -> Result<Runtime, Error> {
        let mut runtime = self.clone();
        for (name, value) in &options.headers {
            runtime = runtime.with_default_header(name, value)?;
        }
        let mut inner = (*runtime.inner).clone();
        if let Some(timeout) = options.timeout {
            if timeout.is_zero() {
                return Err(Error::config("the timeout must be greater than zero"));
            }
            inner.timeout = timeout;
        }
        if let Some(deadline) = options.deadline {
            if deadline.is_zero() {
                return Err(Error::config("the deadline must be greater than zero"));
            }
            inner.deadline = Some(deadline);
        }
        if let Some(limit) = options.max_response_bytes {
            inner.max_response_bytes = limit;
        }
        if let Some(retries) = options.max_retries {
            inner.retry = inner.retry.max_retries(retries);
        }
        Ok(Runtime {
            inner: Arc::new(inner),
        })
    }

    /// The underlying HTTP client.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Sends one call of an operation and decodes the response with
    /// [`decode`](super::decode), retrying failures as the [`RetryPolicy`] allows.
    ///
    /// Headers are applied in this order, a later one replacing an earlier one of the same
    /// name: `Accept: application/json` and the `User-Agent`, the runtime's default headers,
    /// the credential, the operation's header parameters, then the headers in
    /// [`RequestOptions`](super::RequestOptions) (which may not frame or route the message or
    /// carry the credential, and which are held to the rules of the operation's header
    /// parameter of the same name). `Content-Type: application/json` is sent only with a body.
    /// A path holding `\`, a control character, an empty parameter or a `.`/`..` segment is
    /// refused rather than normalized into another endpoint.
    ///
    /// When the operation documents an idempotency key header (such as `Idempotency-Key`) and
    /// none was given, a key is generated (the API's
    /// [`idempotency_key_prefix`](ApiDescription::idempotency_key_prefix) and a UUID v4 in
    /// hex). The request is built once, so every attempt carries the same key and body;
    /// [`Response::idempotency_key`] and [`Error::idempotency_key`] tell which key was used,
    /// whatever the outcome. A request that is not safe to send twice (a `POST` or `PATCH`
    /// without an idempotency key, see [`Operation::is_replay_safe`]) is retried only after
    /// failures that show the server did not act on it ([`Error::is_unprocessed`]).
    ///
    /// The body defaults set with [`RuntimeBuilder::body_default`] are added to the JSON body of
    /// operations whose body has that field, unless the body already sets it.
    ///
    /// Each attempt has its timeout; the whole call — attempts, waits between them and for a
    /// [`RateLimiter`] — has its deadline (see [`RuntimeBuilder::deadline`]). Response bodies
    /// longer than the size limit fail with [`Error::ResponseTooLarge`] as soon as that is
    /// known.
    ///
    /// Runs inside a `tracing` span (`api_request`) recording the operation id, method, path
    /// template, number of attempts, final status and request id, with one child span per
    /// attempt (`api_attempt`, field `attempt`, 1-based) and a `retrying` event before each
    /// retry; URLs, header values and bodies are never recorded.
    pub fn execute<T: DeserializeOwned + Send + 'static>(
        &self,
        request: OperationRequest,
    ) -> impl Future<Output = Result<Response<T>, Error>> + Send + '_ {
        let started = Instant::now();
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
        // The request is built before the first poll: an invalid one fails at once, and the
        // future holds a valid one only in the form it is sent.
        let limits = self.limits(&request.options);
        match self.prepare(request) {
            Ok(prepared) => {
                let deadline_at = limits.deadline.and_then(|d| started.checked_add(d));
                Either::Left(self.run(op, prepared, limits, deadline_at).instrument(span))
            }
            Err(error) => Either::Right(std::future::ready(Err(error))),
        }
    }

    /// Sends the request until it succeeds, fails for good, runs out of retries or reaches
    /// the deadline, and records the outcome on the current span.
    ///
    /// An `async` block rather than an `async fn`, so that `prepared` is used where it was
    /// captured instead of being copied into the future a second time.
    #[allow(
        clippy::manual_async_fn,
        reason = "an async fn would hold `prepared` twice"
    )]
    fn run<T: DeserializeOwned + Send>(
        &self,
        op: &'static Operation,
        mut prepared: Prepared,
        limits: Limits,
        deadline_at: Option<Instant>,
    ) -> impl Future<Output = Result<Response<T>, Error>> + Send + '_ {
        async move {
            let mut attempt: u32 = 1;
            let result = loop {
                let permit = match &self.inner.rate_limiter {
                    None => None,
                    Some(limiter) => match time_left(deadline_at) {
                        None => Some(limiter.acquire().await),
                        Some(left) => match tokio::time::timeout(left, limiter.acquire()).await {
                            Ok(permit) => Some(permit),
                            Err(_) => break Err(deadline_error(limits, attempt - 1)),
                        },
                    },
                };
                let left = time_left(deadline_at);
                if left.is_some_and(|left| left.is_zero()) {
                    break Err(deadline_error(limits, attempt - 1));
                }
                let mut http_request =
                    match self.attempt_request(&mut prepared, attempt, limits).await {
                        Ok(request) => request,
                        Err(error) => break Err(error),
                    };
                let clipped = left.is_some_and(|left| left < limits.timeout);
                *http_request.timeout_mut() =
                    Some(left.map_or(limits.timeout, |left| left.min(limits.timeout)));
                let attempt_span =
                    tracing::debug_span!("api_attempt", attempt, status = tracing::field::Empty);
                let sent = self.inner.http.execute(http_request);
                let error = match self
                    .receive::<T>(op, sent, limits.max_response_bytes, permit)
                    .instrument(attempt_span)
                    .await
                {
                    Ok(response) => break Ok(response),
                    Err(error) if clipped && error.is_timeout() => {
                        break Err(deadline_error(limits, attempt));
                    }
                    Err(error) => error,
                };
                if !op.is_replay_safe(self.inner.description) && !error.is_unprocessed() {
                    tracing::debug!(
                        attempt,
                        error = %error,
                        "not retrying: the request may have reached the server, and sending it \
                         again could apply it twice (no idempotency key)"
                    );
                    break Err(error);
                }
                if !prepared.is_replayable() {
                    tracing::debug!(attempt, "not retrying: the body cannot be sent again");
                    break Err(error);
                }
                match self.inner.retry.decide(attempt, limits.max_retries, &error) {
                    Decision::Retry { delay, server } => {
                        if time_left(deadline_at).is_some_and(|left| delay >= left) {
                            tracing::debug!(
                                attempt,
                                delay_ms = millis(delay),
                                server_requested = server,
                                "not retrying: the wait would end past the deadline"
                            );
                            break Err(error);
                        }
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
            record_outcome(attempt, &result);
            let key = prepared.idempotency_key;
            match result {
                Ok(response) => Ok(response.with_key_header(key)),
                Err(mut error) => {
                    error.set_idempotency_key(key.as_ref().and_then(|v| v.to_str().ok()));
                    Err(error)
                }
            }
        }
    }

    /// The HTTP request for attempt number `attempt`: a copy of the prepared one, or the
    /// prepared one itself on the last attempt the policy allows; with a multipart form
    /// built for this attempt.
    async fn attempt_request(
        &self,
        prepared: &mut Prepared,
        attempt: u32,
        limits: Limits,
    ) -> Result<reqwest::Request, Error> {
        let request = if attempt > limits.max_retries {
            prepared.request.take()
        } else {
            prepared
                .request
                .as_ref()
                .and_then(reqwest::Request::try_clone)
        };
        // JSON bodies are in memory and multipart ones are attached below, so a prepared
        // request can always be copied.
        let request = request
            .ok_or_else(|| Error::invalid_request("body", "cannot be sent more than once"))?;
        #[cfg(feature = "multipart")]
        if let Some(form) = &prepared.multipart {
            let form = form.form().await?;
            return reqwest::RequestBuilder::from_parts(self.inner.http.clone(), request)
                .multipart(form)
                .build()
                .map_err(transport_error);
        }
        Ok(request)
    }

    /// The request's limits: its options, or else the runtime's.
    fn limits(&self, options: &super::RequestOptions) -> Limits {
        let inner = &*self.inner;
        Limits {
            max_retries: options.max_retries.unwrap_or(inner.retry.max_retries),
            timeout: options.timeout.unwrap_or(inner.timeout),
            deadline: options.deadline.or(inner.deadline),
            max_response_bytes: options
                .max_response_bytes
                .unwrap_or(inner.max_response_bytes),
        }
    }

    /// The rest of one attempt once the request is on its way: reads the body within
    /// `max_body` bytes, reports the rate-limit headers to the limiter and decodes the
    /// response.
    async fn receive<T: DeserializeOwned>(
        &self,
        op: &'static Operation,
        sent: impl Future<Output = Result<reqwest::Response, reqwest::Error>>,
        max_body: u64,
        permit: Option<Permit>,
    ) -> Result<Response<T>, Error> {
        let started = Instant::now();
        let failed = |error: Error| {
            tracing::debug!(elapsed_ms = elapsed_ms(started), error = %error, "request failed");
            error
        };
        let mut response = match sent.await {
            Ok(response) => response,
            Err(error) => return Err(failed(transport_error(error))),
        };
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = match read_limited(&mut response, max_body).await {
            Ok(body) => body,
            Err(BodyError::Transport(error)) => return Err(failed(transport_error(error))),
            Err(BodyError::TooLarge) => {
                return Err(failed(Error::ResponseTooLarge {
                    limit: max_body,
                    status,
                    request_id: header_str(&headers, REQUEST_ID_HEADER).map(str::to_owned),
                    idempotency_key: None,
                }));
            }
        };
        drop(response);
        if let Some(permit) = &permit {
            permit.observe(status, &headers);
        }
        drop(permit);
        tracing::Span::current().record("status", status.as_u16());
        let body_bytes = body.len();
        let result = decode_parts::<T>(self.inner.description, op, status, headers, body);
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

    /// Builds the HTTP request: URL, headers (with the idempotency key) and body.
    fn prepare(&self, request: OperationRequest) -> Result<Prepared, Error> {
        let inner = &*self.inner;
        let op = request.operation;
        check_path(op.path, &request.path)?;
        let url = self.url(&request.path, &request.query, &request.options.query);

        // Room for the client-wide headers, the request's own, a key and a content type, so
        // that nothing grows while the request is assembled.
        let room = inner.base_headers.len() + request.headers.len() + request.options.headers.len();
        let mut headers = HeaderMap::with_capacity(room + 2);
        for (name, value) in &inner.base_headers {
            headers.append(name.clone(), value.clone());
        }
        for (name, value) in request.headers {
            let name = header_name(name)?;
            let value = header_value(name.as_str(), value)?;
            headers.insert(name, value);
        }
        for (name, value) in request.options.headers {
            let header = header_name(&name)?;
            if let Some(why) = forbidden_header(&header, &inner.auth.headers) {
                return Err(Error::invalid_request(
                    name,
                    format!("cannot be set per request: {why}"),
                ));
            }
            if let Some(param) = op.header_param(&name) {
                (param.check)(&value)?;
            }
            headers.insert(header, header_value(&name, value)?);
        }
        let idempotency_key = match op.idempotency_header(inner.description) {
            None => None,
            Some(name) => {
                let name = header_name(name)?;
                if !headers.contains_key(&name) {
                    headers.insert(
                        name.clone(),
                        generated_key(inner.description.idempotency_key_prefix),
                    );
                }
                headers.get(&name).cloned()
            }
        };

        let mut http_request = reqwest::Request::new(op.method.clone(), url);
        #[cfg(feature = "multipart")]
        let mut multipart = None;
        match request.body {
            None => {
                let body = self.with_body_defaults(op, None)?;
                self.attach_json(&mut headers, &mut http_request, body);
            }
            Some(RequestBody::Json(body)) => {
                let body = self.with_body_defaults(op, Some(body))?;
                self.attach_json(&mut headers, &mut http_request, body);
            }
            #[cfg(feature = "multipart")]
            Some(RequestBody::Multipart(form)) => multipart = Some(form),
        }
        *http_request.headers_mut() = headers;
        Ok(Prepared {
            request: Some(http_request),
            idempotency_key,
            #[cfg(feature = "multipart")]
            multipart,
        })
    }

    /// Attaches a JSON body, if there is one, with its content type.
    fn attach_json(
        &self,
        headers: &mut HeaderMap,
        request: &mut reqwest::Request,
        body: Option<JsonBody>,
    ) {
        if let Some(body) = body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(APPLICATION_JSON));
            *request.body_mut() = Some(reqwest::Body::from(body.into_bytes()));
        }
    }

    /// The URL of `path` (already encoded) with the `query` parameters (encoded here) and,
    /// for query-string authentication, the credential.
    fn url(&self, path: &str, query: &[(&'static str, String)], extra: &[(String, String)]) -> Url {
        let inner = &*self.inner;
        let mut url = inner.base_url.clone();
        let base_path = url.path().trim_end_matches('/');
        let mut full = String::with_capacity(base_path.len() + path.len() + 1);
        full.push_str(base_path);
        if !path.starts_with('/') {
            full.push('/');
        }
        full.push_str(path);
        url.set_path(&full);
        let auth_query = &inner.auth.query;
        if !query.is_empty() || !extra.is_empty() || !auth_query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
            for (name, value) in extra {
                pairs.append_pair(name, value);
            }
            for (name, value) in auth_query {
                pairs.append_pair(name, value.expose());
            }
        }
        url
    }

    /// The body with the runtime's body defaults added where the operation's body has the
    /// field and the caller did not set it.
    fn with_body_defaults(
        &self,
        op: &Operation,
        body: Option<JsonBody>,
    ) -> Result<Option<JsonBody>, Error> {
        let defaults: Vec<&(String, serde_json::Value)> = self
            .inner
            .body_defaults
            .iter()
            .filter(|(field, _)| op.body_fields.contains(&field.as_str()))
            .collect();
        if defaults.is_empty() {
            return Ok(body);
        }
        let mut object = match body {
            None => serde_json::Map::new(),
            Some(body) => match serde_json::from_slice::<serde_json::Value>(body.as_bytes()) {
                Ok(serde_json::Value::Object(object)) => object,
                // Not an object: nothing to add a field to.
                _ => return Ok(Some(body)),
            },
        };
        for (field, value) in defaults {
            if !object.contains_key(field) {
                object.insert(field.clone(), value.clone());
            }
        }
        JsonBody::new(&object).map(Some)
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let credential = (!inner.auth.is_empty()).then_some(Redacted);
        let header_names: Vec<&str> = inner
            .default_header_names
            .iter()
            .map(HeaderName::as_str)
            .collect();
        f.debug_struct("Runtime")
            .field("api", &inner.description.title)
            .field("base_url", &inner.base_url.as_str())
            .field("auth", &inner.description.auth)
            .field("credential", &credential)
            .field("timeout", &inner.timeout)
            .field("deadline", &inner.deadline)
            .field("max_response_bytes", &inner.max_response_bytes)
            .field("retry", &inner.retry)
            .field("default_headers", &header_names)
            .field("body_defaults", &body_default_names(&inner.body_defaults))
            .field("rate_limited", &inner.rate_limiter.is_some())
            .finish_non_exhaustive()
    }
}

/// The time left before the deadline, if there is one.
fn time_left(deadline_at: Option<Instant>) -> Option<Duration> {
    deadline_at.map(|at| at.saturating_duration_since(Instant::now()))
}

/// The error for a call whose deadline passed after `attempts` attempts.
fn deadline_error(limits: Limits, attempts: u32) -> Error {
    Error::Timeout {
        source: Box::new(DeadlineExceeded {
            deadline: limits.deadline.unwrap_or_default(),
            attempts,
        }),
        idempotency_key: None,
    }
}

/// Records the number of attempts, the final status and the request id on the call's span.
fn record_outcome<T>(attempts: u32, result: &Result<Response<T>, Error>) {
    let span = tracing::Span::current();
    span.record("attempts", attempts);
    let (status, request_id) = match result {
        Ok(response) => (Some(response.status()), response.request_id()),
        Err(error) => (error.status(), error.request_id()),
    };
    if let Some(status) = status {
        span.record("status", status.as_u16());
    }
    if let Some(id) = request_id {
        span.record("request_id", id);
    }
    tracing::debug!(attempts, ok = result.is_ok(), "request finished");
}

/// A fresh idempotency key: `prefix` (such as `sentdm-`) and 32 hex digits of a UUID v4.
/// The random bits come from a fast per-thread generator: keys must not collide, not resist
/// prediction.
fn generated_key(prefix: &str) -> HeaderValue {
    let uuid = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
    let prefix = prefix.as_bytes();
    let prefix = &prefix[..prefix.len().min(MAX_KEY_PREFIX)];
    let mut key = [0u8; MAX_KEY_PREFIX + uuid::fmt::Simple::LENGTH];
    let (head, rest) = key.split_at_mut(prefix.len());
    head.copy_from_slice(prefix);
    let hex = uuid
        .simple()
        .encode_lower(&mut rest[..uuid::fmt::Simple::LENGTH])
        .len();
    let key = &key[..prefix.len() + hex];
    // Hex is always a valid header value; a prefix that is not falls back to the hex alone.
    HeaderValue::from_bytes(key).unwrap_or_else(|_| {
        HeaderValue::from_bytes(&key[prefix.len()..]).unwrap_or(HeaderValue::from_static("key"))
    })
}

/// Rejects expanded paths that would reach another endpoint or be rewritten by URL parsing:
/// an empty parameter (`/contacts/` instead of `/contacts/{id}`), a `.`/`..` segment (which
/// URL normalization would remove), a `\` (which it would turn into `/`), and control
/// characters such as TAB, CR and LF (which it would drop).
fn check_path(template: &str, path: &str) -> Result<(), Error> {
    if let Some(c) = path.chars().find(|c| *c == '\\' || c.is_control()) {
        return Err(Error::invalid_request(
            "path",
            format!(
                "must not contain {} (URL parsing would rewrite it); encode path values with \
                 `encode_path_segment`",
                c.escape_debug()
            ),
        ));
    }
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

/// `.` or `..`, also percent-encoded (`%2e`, any case).
fn is_dot_segment(segment: &str) -> bool {
    let mut rest = segment.as_bytes();
    let mut dots = 0;
    while !rest.is_empty() {
        if rest[0] == b'.' {
            rest = &rest[1..];
        } else if rest.len() >= 3 && rest[0] == b'%' && rest[1] == b'2' && rest[2] | 0x20 == b'e' {
            rest = &rest[3..];
        } else {
            return false;
        }
        dots += 1;
    }
    matches!(dots, 1 | 2)
}

fn header_name(name: &str) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid_request(name, "is not a valid HTTP header name"))
}

/// A caller-supplied header value, taken without copying.
fn header_value(name: &str, value: String) -> Result<HeaderValue, Error> {
    HeaderValue::from_maybe_shared(Bytes::from(value)).map_err(|_| {
        Error::invalid_request(
            name,
            "is not a valid HTTP header value (control characters are not allowed)",
        )
    })
}

/// Maps a transport failure to an [`Error`], dropping the URL (it may carry a query-string
/// credential).
fn transport_error(error: reqwest::Error) -> Error {
    let error = error.without_url();
    if error.is_timeout() {
        Error::Timeout {
            source: Box::new(error),
            idempotency_key: None,
        }
    } else if error.is_connect() {
        Error::Connection {
            source: Box::new(error),
            idempotency_key: None,
        }
    } else {
        Error::Transport {
            source: Box::new(error),
            idempotency_key: None,
        }
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    millis(started.elapsed())
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_in_any_encoding() {
        for dot in [".", "..", "%2e", "%2E", "%2e%2E", ".%2e", "%2e."] {
            assert!(is_dot_segment(dot), "{dot}");
        }
        for other in ["", "...", "a.", ".a", "%2f", "%2", "%2e%2e%2e", "v3"] {
            assert!(!is_dot_segment(other), "{other}");
        }
    }

    #[test]
    fn generated_keys_are_unique_and_well_formed() {
        let keys: std::collections::BTreeSet<String> = (0..1000)
            .map(|_| generated_key("sentdm-").to_str().unwrap().to_owned())
            .collect();
        assert_eq!(keys.len(), 1000);
        for key in &keys {
            assert_eq!(key.len(), 39);
            assert!(key.starts_with("sentdm-"));
            let uuid = uuid::Uuid::parse_str(&key["sentdm-".len()..]).unwrap();
            assert_eq!(uuid.get_version_num(), 4);
        }
    }

    #[test]
    fn odd_key_prefixes_are_cut_or_dropped() {
        let long = "p".repeat(100);
        let key = generated_key(&long);
        assert_eq!(key.len(), MAX_KEY_PREFIX + 32);
        let key = generated_key("bad\nprefix-");
        assert_eq!(key.len(), 32);
        assert_eq!(generated_key("").len(), 32);
    }

    #[test]
    fn raw_paths_with_rewritable_characters_are_refused() {
        for path in [
            "/v3/a\\b",
            "/v3/a\tb",
            "/v3/a\rb",
            "/v3/a\nb",
            "/v3/a\u{7f}",
        ] {
            let error = check_path("/v3/{id}", path).unwrap_err();
            assert!(
                error.to_string().starts_with("path: must not contain"),
                "{error}"
            );
        }
        check_path("/v3/{id}", "/v3/a%5Cb").unwrap();
    }
}
