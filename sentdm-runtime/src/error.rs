//! The runtime's error type.

use std::collections::BTreeMap;
use std::fmt;

use http::{HeaderMap, StatusCode};

use super::rate_limit::RateLimit;

/// A boxed error source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong when calling the API.
///
/// No variant's `Display` or `Debug` output contains the credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status, or with an envelope that reports failure.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The request failed client-side validation and was not sent.
    #[error("{}", invalid_request_text(.field, .message))]
    InvalidRequest {
        /// JSON path of the offending value, such as `to[0]` or `template.id`.
        field: String,
        /// What is wrong with it, such as `must be at most 100`.
        message: String,
    },

    /// A success response could not be decoded into the expected type.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// The request did not complete in time: an attempt outlasted its timeout, or the
    /// overall deadline of the call passed (the source then says so).
    #[error("the request timed out")]
    #[non_exhaustive]
    Timeout {
        /// Underlying transport error, or the deadline that passed.
        #[source]
        source: BoxError,
        /// The `Idempotency-Key` the request was sent with (see [`Error::idempotency_key`]).
        idempotency_key: Option<String>,
    },

    /// No connection to the server could be established (DNS, refused, TLS handshake…).
    #[error("could not connect to the API server")]
    #[non_exhaustive]
    Connection {
        /// Underlying transport error.
        #[source]
        source: BoxError,
        /// The `Idempotency-Key` the request was sent with (see [`Error::idempotency_key`]).
        idempotency_key: Option<String>,
    },

    /// The connection failed while the request or response was in flight.
    #[error("HTTP transport error")]
    #[non_exhaustive]
    Transport {
        /// Underlying transport error.
        #[source]
        source: BoxError,
        /// The `Idempotency-Key` the request was sent with (see [`Error::idempotency_key`]).
        idempotency_key: Option<String>,
    },

    /// The response body was longer than the limit set with
    /// [`RuntimeBuilder::max_response_bytes`](super::RuntimeBuilder::max_response_bytes) or
    /// [`RequestOptions::max_response_bytes`](super::RequestOptions::max_response_bytes);
    /// reading stopped at the limit.
    #[error("{}", too_large_text(*.limit, *.status, .request_id.as_deref()))]
    #[non_exhaustive]
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// HTTP status of the response.
        status: StatusCode,
        /// The server's request id, when the headers carry one (`X-Request-Id`).
        request_id: Option<String>,
        /// The `Idempotency-Key` the request was sent with (see [`Error::idempotency_key`]).
        idempotency_key: Option<String>,
    },

    /// A paginated list answered a page it had already answered while saying that more
    /// pages follow; following it would never end.
    #[error(
        "page {page} of the list repeats page {earlier}, although the server says more pages follow"
    )]
    #[non_exhaustive]
    RepeatedPage {
        /// The page number that was requested (the item offset, for offset-paginated lists).
        page: u64,
        /// The earlier page (or offset) it repeats.
        earlier: u64,
    },

    /// The runtime configuration is invalid (base URL, credential, header, TLS setup).
    #[error("invalid client configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
}

fn too_large_text(limit: u64, status: StatusCode, request_id: Option<&str>) -> String {
    let mut text = format!(
        "the response body ({}) is larger than the limit of {limit} bytes",
        status_text(status)
    );
    if let Some(id) = request_id {
        text.push_str(&format!(" (request id {id})"));
    }
    text
}

fn invalid_request_text(field: &str, message: &str) -> String {
    if field.is_empty() {
        message.to_owned()
    } else {
        format!("{field}: {message}")
    }
}

impl Error {
    /// A client-side validation error for `field` (a JSON path such as `to[0]`).
    pub fn invalid_request(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::InvalidRequest {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A configuration error: what is wrong with the settings a client was built from.
    pub fn config(message: impl Into<String>) -> Error {
        Error::Config {
            message: message.into(),
        }
    }

    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status()),
            Error::Decode(decode) => decode.status(),
            Error::ResponseTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The `Idempotency-Key` the failed call was sent with — the caller's, or the one the
    /// runtime generated — whatever went wrong once the request was built: a timeout, a
    /// connection reset, an error status, an undecodable or oversized response. The server
    /// may have performed the operation; sending the same request again with this key
    /// cannot perform it twice.
    pub fn idempotency_key(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.idempotency_key(),
            Error::Decode(decode) => decode.idempotency_key(),
            Error::Timeout {
                idempotency_key, ..
            }
            | Error::Connection {
                idempotency_key, ..
            }
            | Error::Transport {
                idempotency_key, ..
            }
            | Error::ResponseTooLarge {
                idempotency_key, ..
            } => idempotency_key.as_deref(),
            _ => None,
        }
    }

    /// Records the key the request was sent with, on the errors that can carry one.
    pub(crate) fn set_idempotency_key(&mut self, key: Option<&str>) {
        let Some(key) = key else { return };
        let slot = match self {
            Error::Api(api) => &mut api.idempotency_key,
            Error::Decode(decode) => &mut decode.idempotency_key,
            Error::Timeout {
                idempotency_key, ..
            }
            | Error::Connection {
                idempotency_key, ..
            }
            | Error::Transport {
                idempotency_key, ..
            }
            | Error::ResponseTooLarge {
                idempotency_key, ..
            } => idempotency_key,
            _ => return,
        };
        *slot = Some(key.to_owned());
    }

    /// The server's request id (from the envelope's `meta.request_id` or the `X-Request-Id`
    /// header), when a response was received.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id(),
            Error::Decode(decode) => decode.request_id(),
            Error::ResponseTooLarge { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The API's error code (such as `VALIDATION_004`), for [`Error::Api`].
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.code(),
            _ => None,
        }
    }

    /// The API error, if this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The decode error, if this is one.
    pub fn as_decode(&self) -> Option<&DecodeError> {
        match self {
            Error::Decode(decode) => Some(decode),
            _ => None,
        }
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Whether no connection could be established.
    pub fn is_connection(&self) -> bool {
        matches!(self, Error::Connection { .. })
    }

    /// Whether the server certainly did not act on the request: no connection could be
    /// established, or the server answered `408 Request Timeout` or `429 Too Many Requests`.
    /// Only such failures are retried for a request that is not safe to send twice (see
    /// [`Operation::is_replay_safe`](super::Operation::is_replay_safe)).
    pub fn is_unprocessed(&self) -> bool {
        match self {
            Error::Connection { .. } => true,
            Error::Api(api) => matches!(api.status.as_u16(), 408 | 429),
            _ => false,
        }
    }

    /// Whether sending the same request again may succeed: connection and transport
    /// failures, timeouts, and API errors that [`ApiError::is_retryable`] accepts. The runtime
    /// retries these, as its [`RetryPolicy`](super::RetryPolicy) allows — those that
    /// [`is_unprocessed`](Self::is_unprocessed) accepts only, for a request that is not safe
    /// to send twice; an error returned to the caller has already been retried.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Connection { .. } | Error::Transport { .. } => true,
            Error::Api(api) => api.is_retryable(),
            _ => false,
        }
    }

    /// The rate limit advertised by the error response (including how long to wait, from
    /// `Retry-After`), for [`Error::Api`].
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.as_api().and_then(ApiError::rate_limit)
    }
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Error::Api(Box::new(error))
    }
}

impl From<DecodeError> for Error {
    fn from(error: DecodeError) -> Self {
        Error::Decode(Box::new(error))
    }
}

/// An error reported by the API: a non-success status, or a success status whose envelope
/// says `success: false` or carries an error object.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: Option<String>,
    pub(crate) message: String,
    pub(crate) details: BTreeMap<String, Vec<String>>,
    pub(crate) doc_url: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body_excerpt: String,
    pub(crate) idempotency_key: Option<String>,
    /// The code is one the API documents as transient.
    pub(crate) transient: bool,
}

impl ApiError {
    /// HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The API's error code as sent, such as `VALIDATION_004` or `AUTH_001`.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Human-readable message: the API's own when it sent one, otherwise the status reason.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Per-field messages, such as `phone_number → ["Phone number is required"]`.
    ///
    /// Details that are not an object of string lists are kept as JSON text; details that
    /// are not an object at all are kept under the empty key.
    pub fn details(&self) -> &BTreeMap<String, Vec<String>> {
        &self.details
    }

    /// Link to the documentation of this error.
    pub fn doc_url(&self) -> Option<&str> {
        self.doc_url.as_deref()
    }

    /// Server-assigned request id, for support requests.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Response headers (for example `Retry-After`).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The start of the response body (at most 200 characters, on one line).
    pub fn body_excerpt(&self) -> &str {
        &self.body_excerpt
    }

    /// The rate limit the response advertises (`X-RateLimit-*`, `Retry-After`), if it
    /// carries any of those headers.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(&self.headers)
    }

    /// The `Idempotency-Key` the failed request was sent with. Sending the request again
    /// later with this key cannot apply the operation twice.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// Whether the same request may succeed when sent again: status `408`, `429`, any `5xx`,
    /// or a code the API documents as transient (see
    /// [`ApiDescription::transient_error_codes`](super::ApiDescription::transient_error_codes),
    /// such as a `409` saying the same idempotent request is still being processed). Other
    /// `4xx` errors, such as a duplicate resource, are final.
    pub fn is_retryable(&self) -> bool {
        matches!(self.status.as_u16(), 408 | 429 | 500..=599) || self.transient
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error {}", status_text(self.status))?;
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        if Some(self.message.as_str()) != self.status.canonical_reason() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A success response whose body did not match the expected type.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    pub(crate) path: String,
    pub(crate) message: String,
    pub(crate) status: Option<StatusCode>,
    pub(crate) request_id: Option<String>,
    pub(crate) body_excerpt: String,
    pub(crate) source: Option<serde_json::Error>,
    pub(crate) idempotency_key: Option<String>,
}

impl DecodeError {
    /// JSON path of the value that failed, such as `data.recipients[0].message_id`; empty
    /// when the failure is at the top level.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What went wrong, as reported by the JSON decoder.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// HTTP status of the response (absent only when given an invalid status code).
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// Server-assigned request id, for support requests.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The start of the response body (at most 200 characters, on one line).
    pub fn body_excerpt(&self) -> &str {
        &self.body_excerpt
    }

    /// The `Idempotency-Key` the request was sent with. The server performed the operation
    /// (it answered with a success status); sending the request again with this key returns
    /// the stored response instead of performing it twice.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("could not decode the response")?;
        if let Some(status) = self.status {
            write!(f, " ({})", status_text(status))?;
        }
        if !self.path.is_empty() {
            write!(f, " at `{}`", self.path)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}
