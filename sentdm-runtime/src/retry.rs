//! When and how long to wait before sending a failed request again.

use std::time::Duration;

use super::error::Error;
use super::rate_limit::server_wait;

/// How failed requests are retried.
///
/// A request is sent again, up to [`max_retries`](Self::max_retries) times, when it fails
/// with a connection error, a transport error (such as a connection reset while the request
/// was in flight), a timeout, or a response with status `408`, `429` or `5xx`, or with an
/// error code the API documents as transient ([`Error::is_retryable`]). Other `4xx`
/// responses, undecodable bodies and invalid requests are never retried. Every attempt of a
/// request is identical, down to its idempotency key, so a mutation the server already
/// applied is not applied twice; a mutation without an idempotency key is sent again only
/// when the server certainly did not act on it ([`Error::is_unprocessed`]).
///
/// Between attempts the runtime waits for:
///
/// * the time the server asked for, when the failed response carries `retry-after-ms`
///   (milliseconds) or `Retry-After` (seconds or an HTTP date) — unless that is longer than
///   [`max_retry_after`](Self::max_retry_after), in which case the error is returned at once
///   (with [`Error::rate_limit`] telling how long the server asked to wait);
/// * otherwise an exponential backoff with jitter: before retry *n* (1-based) the nominal
///   delay is `min(max_delay, base_delay × 2^(n−1))`, and the actual delay is drawn uniformly
///   from `(0.75 × nominal, nominal]`, so that many clients failing together do not retry in
///   lockstep.
///
/// With the defaults (2 retries, 500 ms base, 8 s cap) a request is sent at most three times,
/// about 0.5 s and 1 s apart.
///
/// ```
/// use std::time::Duration;
/// use sentdm_runtime::RetryPolicy;
///
/// let policy = RetryPolicy::new()
///     .max_retries(4)
///     .base_delay(Duration::from_millis(200))
///     .max_delay(Duration::from_secs(2));
/// assert_eq!(policy.max_retries, 4);
/// assert!(policy.backoff(1) <= Duration::from_millis(200));
/// assert!(policy.backoff(10) <= Duration::from_secs(2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// How many times a failed request is sent again (default 2; 0 disables retries).
    pub max_retries: u32,
    /// Nominal delay before the first retry (default 500 ms); it doubles for each later one.
    pub base_delay: Duration,
    /// Upper bound of the backoff delay (default 8 s).
    pub max_delay: Duration,
    /// Longest server-requested wait (`Retry-After`) the runtime sleeps through before
    /// retrying (default 60 s); a longer one returns the error instead.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::new()
    }
}

impl RetryPolicy {
    /// The default policy: 2 retries, 500 ms base delay, 8 s maximum delay, and server waits
    /// of up to 60 s honoured.
    pub const fn new() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }

    /// A policy that never retries.
    pub const fn none() -> Self {
        RetryPolicy::new().max_retries(0)
    }

    /// Sets how many times a failed request is sent again.
    #[must_use]
    pub const fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Sets the nominal delay before the first retry.
    #[must_use]
    pub const fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the upper bound of the backoff delay.
    #[must_use]
    pub const fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the longest server-requested wait the runtime honours before retrying.
    #[must_use]
    pub const fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The nominal (unjittered) backoff before retry number `retry` (1-based):
    /// `min(max_delay, base_delay × 2^(retry−1))`.
    pub fn nominal_backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(31);
        self.base_delay
            .checked_mul(1u32 << exponent)
            .unwrap_or(Duration::MAX)
            .min(self.max_delay)
    }

    /// The jittered backoff before retry number `retry` (1-based): a random duration in
    /// `(0.75 × nominal, nominal]`, where nominal is [`nominal_backoff`](Self::nominal_backoff).
    pub fn backoff(&self, retry: u32) -> Duration {
        let nominal = self.nominal_backoff(retry);
        // fastrand::f64() is in [0, 1), so the factor is in (0.75, 1].
        let factor = 1.0 - 0.25 * fastrand::f64();
        Duration::try_from_secs_f64(nominal.as_secs_f64() * factor)
            .map_or(nominal, |jittered| jittered.min(nominal))
    }

    /// What to do after attempt number `attempt` (1-based) failed with `error`.
    pub(crate) fn decide(&self, attempt: u32, max_retries: u32, error: &Error) -> Decision {
        if !error.is_retryable() {
            return Decision::Stop(StopReason::NotRetryable);
        }
        if attempt > max_retries {
            return Decision::Stop(StopReason::Exhausted);
        }
        let requested = error.as_api().and_then(|api| server_wait(api.headers()));
        match requested {
            Some(wait) if wait > self.max_retry_after => {
                Decision::Stop(StopReason::WaitTooLong(wait))
            }
            Some(wait) => Decision::Retry {
                delay: wait,
                server: true,
            },
            None => Decision::Retry {
                delay: self.backoff(attempt),
                server: false,
            },
        }
    }
}

/// The outcome of [`RetryPolicy::decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait `delay`, then send the request again; `server` when the server chose the delay.
    Retry { delay: Duration, server: bool },
    /// Return the error.
    Stop(StopReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StopReason {
    NotRetryable,
    Exhausted,
    WaitTooLong(Duration),
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn nominal_backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy::new();
        assert_eq!(policy.nominal_backoff(1), Duration::from_millis(500));
        assert_eq!(policy.nominal_backoff(2), Duration::from_secs(1));
        assert_eq!(policy.nominal_backoff(3), Duration::from_secs(2));
        assert_eq!(policy.nominal_backoff(5), Duration::from_secs(8));
        assert_eq!(policy.nominal_backoff(6), Duration::from_secs(8));
        assert_eq!(policy.nominal_backoff(u32::MAX), Duration::from_secs(8));
        assert_eq!(policy.nominal_backoff(0), Duration::from_millis(500));
    }

    #[test]
    fn jitter_stays_within_a_quarter_below_nominal() {
        let policy = RetryPolicy::new();
        for retry in 1..8 {
            let nominal = policy.nominal_backoff(retry);
            for _ in 0..200 {
                let delay = policy.backoff(retry);
                assert!(delay <= nominal, "{delay:?} > {nominal:?}");
                assert!(delay >= nominal.mul_f64(0.75), "{delay:?} too short");
            }
        }
    }

    #[test]
    fn huge_base_delay_saturates() {
        let policy = RetryPolicy::new()
            .base_delay(Duration::MAX)
            .max_delay(Duration::MAX);
        assert_eq!(policy.nominal_backoff(4), Duration::MAX);
        let _ = policy.backoff(4);
    }
}
