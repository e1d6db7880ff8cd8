//! The runtime: what a generated client sends its calls through. A call goes, top to bottom:
//! [`Runtime::execute`] builds the HTTP request before any I/O (`prepare`), then runs the
//! exchange (`exchange::run`): attempts under the deadline, each sending the request and
//! decoding its response (`decode`), with the retry policy deciding between them.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::Either;
use http::header::HeaderName;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::error::Error;
use super::limiter::RateLimiter;
use super::response::Response;
use super::retry::RetryPolicy;
use super::state::{Inner, body_default_names, default_header};
use super::{ApiDescription, OperationRequest, exchange, prepare};

/// Sends API requests: holds the HTTP client, base URL, credential and client-wide headers.
///
/// Cloning is cheap (the state is shared behind an [`Arc`]), so one runtime can serve a whole
/// application. `Debug` output never includes the credential or header values.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

/// Stands in for a credential in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Runtime {
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
    /// without an idempotency key, see [`Operation::is_replay_safe`](super::Operation::is_replay_safe)) is retried only after
    /// failures that show the server did not act on it ([`Error::is_unprocessed`]).
    ///
    /// The body defaults set with [`RuntimeBuilder::body_default`](super::RuntimeBuilder::body_default) are added to the JSON body of
    /// operations whose body has that field, unless the body already sets it.
    ///
    /// Each attempt has its timeout; the whole call — attempts, waits between them and for a
    /// [`RateLimiter`] — has its deadline (see [`RuntimeBuilder::deadline`](super::RuntimeBuilder::deadline)). Response bodies
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
        let limits = exchange::limits(&self.inner, &request.options);
        match prepare::prepare(&self.inner, request) {
            Ok(prepared) => {
                let deadline_at = limits.deadline.and_then(|d| started.checked_add(d));
                Either::Left(
                    exchange::run(&self.inner, op, prepared, limits, deadline_at).instrument(span),
                )
            }
            Err(error) => Either::Right(std::future::ready(Err(error))),
        }
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
