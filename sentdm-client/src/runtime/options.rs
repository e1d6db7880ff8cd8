//! Per-request overrides.

use std::fmt;
use std::time::Duration;

/// Settings that apply to a single request, overriding the [`Runtime`](super::Runtime)'s.
///
/// ```
/// use std::time::Duration;
/// use sentdm_client::runtime::RequestOptions;
///
/// let options = RequestOptions::new()
///     .timeout(Duration::from_secs(5))
///     .max_retries(0)
///     .header("x-profile-id", "a1b2c3d4-e5f6-7890-abcd-ef1234567890");
/// # let _ = options;
/// ```
#[derive(Default, Clone)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Timeout of each attempt of this request, replacing the runtime's.
    pub timeout: Option<Duration>,
    /// How many times this request is retried, replacing the runtime's
    /// [`RetryPolicy::max_retries`](super::RetryPolicy::max_retries).
    pub max_retries: Option<u32>,
    /// Extra headers, applied after the runtime's default headers and the operation's header
    /// parameters (so a header set here wins).
    pub headers: Vec<(String, String)>,
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

    /// Sets how many times this request is sent again after a retryable failure (0: never).
    #[must_use]
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// Adds a header to this request. The name and value are checked when the request is
    /// sent; an invalid one fails the request with [`Error::InvalidRequest`](super::Error).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

impl fmt::Debug for RequestOptions {
    /// Header values are left out: they may hold credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("headers", &names)
            .finish()
    }
}
