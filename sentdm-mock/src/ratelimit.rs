//! A sliding-window rate limiter per API key.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

/// The state of an account's window after a request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Quota {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds when the window has room again.
    pub reset: u64,
    /// Whole seconds until then (at least 1).
    pub retry_after: u64,
    pub allowed: bool,
}

/// Requests allowed per window, per API key.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: u32,
    window: Duration,
    hits: HashMap<String, VecDeque<Instant>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            hits: HashMap::new(),
        }
    }

    /// A limiter with the same settings and no requests counted.
    pub fn emptied(&self) -> RateLimiter {
        RateLimiter::new(self.limit, self.window)
    }

    fn prune(&mut self, key: &str, now: Instant) -> &mut VecDeque<Instant> {
        let window = self.window;
        let log = self.hits.entry(key.to_owned()).or_default();
        while log
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            log.pop_front();
        }
        log
    }

    fn quota(&self, log_len: usize, oldest: Option<Instant>, now: Instant, allowed: bool) -> Quota {
        let used = u32::try_from(log_len).unwrap_or(u32::MAX);
        let until = oldest
            .map(|t| {
                t.checked_add(self.window)
                    .map_or(self.window, |end| end.saturating_duration_since(now))
            })
            .unwrap_or(self.window);
        let reset_at = SystemTime::now()
            .checked_add(until)
            .unwrap_or_else(SystemTime::now);
        let reset = reset_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0))
            .unwrap_or(0);
        let retry_after = (until.as_secs() + u64::from(until.subsec_nanos() > 0)).max(1);
        Quota {
            limit: self.limit,
            remaining: self.limit.saturating_sub(used),
            reset,
            retry_after,
            allowed,
        }
    }

    /// Counts a request against `key`'s window, when there is room.
    pub fn hit(&mut self, key: &str) -> Quota {
        let now = Instant::now();
        let limit = self.limit as usize;
        let log = self.prune(key, now);
        let allowed = log.len() < limit;
        if allowed {
            log.push_back(now);
        }
        let (len, oldest) = (log.len(), log.front().copied());
        self.quota(len, oldest, now, allowed)
    }

    /// The state of `key`'s window, without counting a request.
    pub fn peek(&self, key: &str) -> Quota {
        let now = Instant::now();
        let live: Vec<Instant> = self
            .hits
            .get(key)
            .map(|log| {
                log.iter()
                    .copied()
                    .filter(|t| now.duration_since(*t) < self.window)
                    .collect()
            })
            .unwrap_or_default();
        let allowed = live.len() < self.limit as usize;
        self.quota(live.len(), live.first().copied(), now, allowed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn limits_per_key_and_recovers() {
        let mut rl = RateLimiter::new(2, Duration::from_millis(200));
        assert_eq!(rl.hit("a").remaining, 1);
        assert_eq!(rl.hit("a").remaining, 0);
        let q = rl.hit("a");
        assert!(!q.allowed);
        assert_eq!(q.retry_after, 1);
        assert!(rl.hit("b").allowed);
        std::thread::sleep(Duration::from_millis(250));
        assert!(rl.hit("a").allowed);
    }
}
