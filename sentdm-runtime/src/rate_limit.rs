//! Rate-limit headers: `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`,
//! `Retry-After` and `retry-after-ms`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

use super::headers::header_str;

/// Header with the number of requests allowed per window.
pub(crate) const LIMIT_HEADER: &str = "x-ratelimit-limit";
/// Header with the number of requests left in the current window.
pub(crate) const REMAINING_HEADER: &str = "x-ratelimit-remaining";
/// Header with the time the window resets, in Unix seconds.
pub(crate) const RESET_HEADER: &str = "x-ratelimit-reset";
/// Header with the number of milliseconds to wait before retrying.
pub(crate) const RETRY_AFTER_MS_HEADER: &str = "retry-after-ms";

/// `X-RateLimit-Reset` values below this are read as seconds from now rather than as a Unix
/// time (which would lie before September 2001).
const RESET_DELTA_BELOW: f64 = 1_000_000_000.0;

/// The rate limit a response advertises.
///
/// Read from `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (Unix seconds;
/// a value small enough to be a duration is taken as seconds from now) and `retry-after-ms`
/// (milliseconds) or `Retry-After` (seconds or an HTTP date), which servers send with `429`
/// and `503` responses.
/// Headers that are missing or malformed leave their field `None`.
///
/// ```
/// use http::HeaderMap;
/// use sentdm_runtime::RateLimit;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-ratelimit-limit", "200".parse().unwrap());
/// headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
/// headers.insert("retry-after", "12".parse().unwrap());
/// let limit = RateLimit::from_headers(&headers).unwrap();
/// assert_eq!(limit.limit, Some(200));
/// assert_eq!(limit.remaining, Some(0));
/// assert_eq!(limit.retry_after, Some(std::time::Duration::from_secs(12)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed per window (`X-RateLimit-Limit`).
    pub limit: Option<u64>,
    /// Requests left in the current window (`X-RateLimit-Remaining`).
    pub remaining: Option<u64>,
    /// When the current window resets (`X-RateLimit-Reset`).
    pub reset: Option<SystemTime>,
    /// How long the server asks the client to wait before retrying (`retry-after-ms` or
    /// `Retry-After`), measured from when the headers were read.
    pub retry_after: Option<Duration>,
}

impl RateLimit {
    /// Reads the rate-limit headers; `None` when none of them is present and valid.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        RateLimit::from_headers_at(headers, SystemTime::now())
    }

    /// Like [`from_headers`](Self::from_headers), with `now` as the current time (used to turn
    /// an HTTP-date `Retry-After` and a relative reset into absolute values).
    pub fn from_headers_at(headers: &HeaderMap, now: SystemTime) -> Option<RateLimit> {
        let limit = header_str(headers, LIMIT_HEADER).and_then(parse_count);
        let remaining = header_str(headers, REMAINING_HEADER).and_then(parse_count);
        let reset = header_str(headers, RESET_HEADER).and_then(|raw| parse_reset(raw, now));
        let retry_after = server_wait_at(headers, now);
        if limit.is_none() && remaining.is_none() && reset.is_none() && retry_after.is_none() {
            return None;
        }
        Some(RateLimit {
            limit,
            remaining,
            reset,
            retry_after,
        })
    }

    /// Time from now until the window resets (zero when it already has); `None` without a
    /// reset time.
    pub fn reset_in(&self) -> Option<Duration> {
        self.reset.map(|reset| {
            reset
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO)
        })
    }
}

/// The wait the server asks for before a retry: `retry-after-ms` when present and valid,
/// otherwise `Retry-After` as delta seconds or an HTTP date (a date in the past gives zero).
pub(crate) fn server_wait(headers: &HeaderMap) -> Option<Duration> {
    server_wait_at(headers, SystemTime::now())
}

fn server_wait_at(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = header_str(headers, RETRY_AFTER_MS_HEADER).and_then(parse_non_negative) {
        if let Ok(wait) = Duration::try_from_secs_f64(ms / 1000.0) {
            return Some(wait);
        }
    }
    let raw = header_str(headers, http::header::RETRY_AFTER.as_str())?;
    if let Some(seconds) = parse_non_negative(raw) {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let date = httpdate::parse_http_date(raw).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A finite, non-negative decimal number.
fn parse_non_negative(raw: &str) -> Option<f64> {
    if !raw.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    raw.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// A count such as `200`; a decimal such as `200.0` is accepted when whole.
fn parse_count(raw: &str) -> Option<u64> {
    raw.parse::<u64>().ok().or_else(|| {
        parse_non_negative(raw)
            .filter(|v| v.fract() == 0.0 && *v < u64::MAX as f64)
            .map(|v| v as u64)
    })
}

fn parse_reset(raw: &str, now: SystemTime) -> Option<SystemTime> {
    let value = parse_non_negative(raw)?;
    let offset = Duration::try_from_secs_f64(value).ok()?;
    if value < RESET_DELTA_BELOW {
        now.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_add(offset)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn reads_all_fields() {
        let now = UNIX_EPOCH + Duration::from_secs(1_775_000_000);
        let limit = RateLimit::from_headers_at(
            &headers(&[
                ("X-RateLimit-Limit", "200"),
                ("X-RateLimit-Remaining", "17"),
                ("X-RateLimit-Reset", "1775000060"),
                ("Retry-After", "3"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(limit.limit, Some(200));
        assert_eq!(limit.remaining, Some(17));
        assert_eq!(limit.reset, Some(now + Duration::from_secs(60)));
        assert_eq!(limit.retry_after, Some(Duration::from_secs(3)));
    }

    #[test]
    fn retry_after_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(1_775_000_000);
        let wait = |pairs: &[(&'static str, &str)]| server_wait_at(&headers(pairs), now);
        assert_eq!(wait(&[("retry-after", "0")]), Some(Duration::ZERO));
        assert_eq!(
            wait(&[("retry-after", "1.5")]),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            wait(&[("retry-after-ms", "250"), ("retry-after", "9")]),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            wait(&[("retry-after-ms", "soon"), ("retry-after", "9")]),
            Some(Duration::from_secs(9))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            wait(&[("retry-after", &date)]),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(wait(&[("retry-after", &past)]), Some(Duration::ZERO));
        assert_eq!(wait(&[("retry-after", "-1")]), None);
        assert_eq!(wait(&[("retry-after", "tomorrow")]), None);
        assert_eq!(wait(&[("retry-after", "1e400")]), None);
        assert_eq!(wait(&[]), None);
    }

    #[test]
    fn relative_reset_and_garbage() {
        let now = UNIX_EPOCH + Duration::from_secs(1_775_000_000);
        let limit =
            RateLimit::from_headers_at(&headers(&[("x-ratelimit-reset", "30")]), now).unwrap();
        assert_eq!(limit.reset, Some(now + Duration::from_secs(30)));
        assert_eq!(limit.limit, None);
        assert!(
            RateLimit::from_headers_at(
                &headers(&[
                    ("x-ratelimit-limit", "many"),
                    ("x-ratelimit-remaining", "-3")
                ]),
                now
            )
            .is_none()
        );
        let decimal =
            RateLimit::from_headers_at(&headers(&[("x-ratelimit-limit", "60.0")]), now).unwrap();
        assert_eq!(decimal.limit, Some(60));
    }
}
