//! Per-request overrides.

use std::fmt;
use std::time::Duration;

/// Settings that apply to a single request, overriding the [`Runtime`](super::Runtime)'s.
///
/// ```
/// use std::time::Duration;
/// use sentdm_runtime::RequestOptions;
///
/// let options = RequestOptions::new()
///     .timeout(Duration::from_secs(5))
///     .deadline(Duration::from_secs(12))
///     .max_retries(0)
///     .header("x-profile-id", "a1b2c3d4-e5f6-7890-abcd-ef1234567890");
/// # let _ = options;
/// ```
#[derive(Default, Clone)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Timeout of each attempt of this request, replacing the runtime's.
    pub timeout: Option<Duration>,
    /// Time allowed for the whole call — every attempt, the waits between them and for a
    /// rate limiter — replacing the runtime's.
    pub deadline: Option<Duration>,
    /// Longest response body accepted, in bytes, replacing the runtime's.
    pub max_response_bytes: Option<u64>,
    /// How many times this request is retried, replacing the runtime's
    /// [`RetryPolicy::max_retries`](super::RetryPolicy::max_retries).
    pub max_retries: Option<u32>,
    /// Extra headers, applied after the runtime's default headers and the operation's header
    /// parameters (so a header set here wins). See [`header`](Self::header) for the names that
    /// are refused.
    pub headers: Vec<(String, String)>,
    /// Extra query parameters, sent after the operation's own.
    pub query: Vec<(String, String)>,
}

impl RequestOptions {
    /// Options that change nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the timeout of each attempt of this request: from sending it to reading the last
    /// byte of the response. A retry gets a fresh timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the time allowed for the whole call: every attempt, the waits between them
    /// (backoff and `Retry-After`) and the wait for a rate limiter. No attempt outlives it,
    /// no retry starts when its wait would end past it, and a `Retry-After` longer than the
    /// time left ends the call at once with the rate-limit error. When it passes during an
    /// attempt, the call fails with [`Error::Timeout`](super::Error::Timeout).
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the longest response body accepted for this request, in bytes. A longer body
    /// fails the call with [`Error::ResponseTooLarge`](super::Error::ResponseTooLarge);
    /// reading stops at the limit.
    #[must_use]
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Sets how many times this request is sent again after a retryable failure (0: never).
    #[must_use]
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// Adds a header to this request.
    ///
    /// The name and value are checked when the request is sent, before any I/O; the request
    /// fails with [`Error::InvalidRequest`](super::Error::InvalidRequest) when the name or
    /// value is not valid HTTP, when it names a header that frames or routes the message
    /// (`Host`, `Content-Length`, `Transfer-Encoding`, `Connection`, `Keep-Alive`,
    /// `Proxy-Connection`, `TE`, `Trailer`, `Upgrade`, `Expect`) or carries the credential
    /// (`Authorization`, `Proxy-Authorization` or the API's key header), and when it names
    /// one of the operation's documented header parameters (such as `Idempotency-Key`) with a
    /// value the parameter's own builder method would refuse.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

impl RequestOptions {
    /// Adds a query parameter to this request, after the operation's own: for a filter the
    /// client does not know yet. The name and value are percent-encoded when sent.
    #[must_use]
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }
}

impl fmt::Debug for RequestOptions {
    /// Header values are left out: they may hold credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_retries", &self.max_retries)
            .field("headers", &names)
            .field(
                "query",
                &self
                    .query
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}
