//! The exchange of one call: attempts under the deadline, each waiting for the rate limiter,
//! sending the prepared request and reading its response within the size limit, with the
//! [`RetryPolicy`](super::RetryPolicy) deciding after a failure whether, and when, to try again.

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::Operation;
use super::body::{BodyError, read_limited};
use super::decode::decode_parts;
use super::error::Error;
use super::headers::{REQUEST_ID_HEADER, header_str};
use super::limiter::Permit;
use super::prepare::Prepared;
use super::response::Response;
use super::retry::{Decision, StopReason};
use super::state::Inner;

/// The limits of one call, from its [`RequestOptions`](super::RequestOptions) or the
/// runtime's defaults.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    max_retries: u32,
    timeout: Duration,
    pub(crate) deadline: Option<Duration>,
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

/// Sends the request until it succeeds, fails for good, runs out of retries or reaches
/// the deadline, and records the outcome on the current span.
///
/// An `async` block rather than an `async fn`, so that `prepared` is used where it was
/// captured instead of being copied into the future a second time.
#[allow(
    clippy::manual_async_fn,
    reason = "an async fn would hold `prepared` twice"
)]
pub(crate) fn run<'a, T: DeserializeOwned + Send>(
    inner: &'a Inner,
    op: &'static Operation,
    mut prepared: Prepared,
    limits: Limits,
    deadline_at: Option<Instant>,
) -> impl Future<Output = Result<Response<T>, Error>> + Send + 'a {
    async move {
        let mut attempt: u32 = 1;
        let result = loop {
            let permit = match &inner.rate_limiter {
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
                match attempt_request(inner, &mut prepared, attempt, limits).await {
                    Ok(request) => request,
                    Err(error) => break Err(error),
                };
            let clipped = left.is_some_and(|left| left < limits.timeout);
            *http_request.timeout_mut() =
                Some(left.map_or(limits.timeout, |left| left.min(limits.timeout)));
            let attempt_span =
                tracing::debug_span!("api_attempt", attempt, status = tracing::field::Empty);
            let sent = inner.http.execute(http_request);
            let error = match receive::<T>(inner, op, sent, limits.max_response_bytes, permit)
                .instrument(attempt_span)
                .await
            {
                Ok(response) => break Ok(response),
                Err(error) if clipped && error.is_timeout() => {
                    break Err(deadline_error(limits, attempt));
                }
                Err(error) => error,
            };
            if !op.is_replay_safe(inner.description) && !error.is_unprocessed() {
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
            match inner.retry.decide(attempt, limits.max_retries, &error) {
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
    #[cfg_attr(
        not(feature = "multipart"),
        expect(unused_variables, reason = "the HTTP client builds multipart forms")
    )]
    inner: &Inner,
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
    let request =
        request.ok_or_else(|| Error::invalid_request("body", "cannot be sent more than once"))?;
    #[cfg(feature = "multipart")]
    if let Some(form) = &prepared.multipart {
        let form = form.form().await?;
        return reqwest::RequestBuilder::from_parts(inner.http.clone(), request)
            .multipart(form)
            .build()
            .map_err(transport_error);
    }
    Ok(request)
}

/// The request's limits: its options, or else the runtime's.
pub(crate) fn limits(inner: &Inner, options: &super::RequestOptions) -> Limits {
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
    inner: &Inner,
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
    let result = decode_parts::<T>(inner.description, op, status, headers, body);
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
