//! Sliding-window rate limits per account and endpoint group, as the rate-limit page documents
//! them.

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

/// The endpoint groups of the rate-limit page, each limited on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Group {
    /// "Most API endpoints": 200 requests per minute.
    Standard,
    /// Webhook secret rotation, user invitation, profile completion: 10 per minute.
    Sensitive,
    /// `POST /v3/webhooks/{id}/test`: 60 per minute.
    WebhookTest,
    /// `POST /v3/messages`: by account tier.
    MessageSend,
}

impl Group {
    /// The group of an operation, by the rate-limit page's lists.
    pub fn of(method: &str, template: &str) -> Group {
        match (method, template) {
            ("POST", "/v3/webhooks/{id}/rotate-secret" | "/v3/users")
            | ("POST", "/v3/profiles/{profileId}/complete") => Group::Sensitive,
            ("POST", "/v3/webhooks/{id}/test") => Group::WebhookTest,
            ("POST", "/v3/messages") => Group::MessageSend,
            _ => Group::Standard,
        }
    }
}

/// The message-sending tier of the mock's accounts, which sets how many `POST /v3/messages`
/// requests a minute they may make (the rate-limit page's "Message Sending" table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccountTier {
    /// 60 per minute: "for new accounts and testing" (the default).
    Starter,
    /// 300 per minute: "standard production limits".
    Growth,
    /// A custom limit per minute, as agreed with support.
    Enterprise(u32),
}

impl AccountTier {
    /// Message sends allowed per minute.
    pub fn sends_per_minute(self) -> u32 {
        match self {
            AccountTier::Starter => 60,
            AccountTier::Growth => 300,
            AccountTier::Enterprise(n) => n,
        }
    }
}

/// How requests are limited.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Limits {
    /// The documented tiers, each per minute: standard 200, sensitive 10, webhook tests 60,
    /// message sends by account tier.
    Documented(AccountTier),
    /// One limit and one window for every request of an account.
    Uniform { limit: u32, window: Duration },
}

const MINUTE: Duration = Duration::from_secs(60);

impl Limits {
    /// The limit, the window and the pool of a group.
    fn of(self, group: Group) -> (u32, Duration, Group) {
        match self {
            Limits::Uniform { limit, window } => (limit, window, Group::Standard),
            Limits::Documented(tier) => {
                let limit = match group {
                    Group::Standard => 200,
                    Group::Sensitive => 10,
                    Group::WebhookTest => 60,
                    Group::MessageSend => tier.sends_per_minute(),
                };
                (limit, MINUTE, group)
            }
        }
    }
}

/// Requests allowed per window, per account and endpoint group.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limits: Limits,
    hits: HashMap<(String, Group), VecDeque<Instant>>,
}

impl RateLimiter {
    pub fn new(limits: Limits) -> RateLimiter {
        RateLimiter {
            limits,
            hits: HashMap::new(),
        }
    }

    /// A limiter with the same settings and no requests counted.
    pub fn emptied(&self) -> RateLimiter {
        RateLimiter::new(self.limits)
    }

    fn quota(
        limit: u32,
        window: Duration,
        log_len: usize,
        oldest: Option<Instant>,
        now: Instant,
        allowed: bool,
    ) -> Quota {
        let used = u32::try_from(log_len).unwrap_or(u32::MAX);
        let until = oldest
            .map(|t| {
                t.checked_add(window)
                    .map_or(window, |end| end.saturating_duration_since(now))
            })
            .unwrap_or(window);
        let reset_at = SystemTime::now()
            .checked_add(until)
            .unwrap_or_else(SystemTime::now);
        let reset = reset_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0))
            .unwrap_or(0);
        let retry_after = (until.as_secs() + u64::from(until.subsec_nanos() > 0)).max(1);
        Quota {
            limit,
            remaining: limit.saturating_sub(used),
            reset,
            retry_after,
            allowed,
        }
    }

    /// Counts a request of `account` to an endpoint of `group`, when its pool has room.
    pub fn hit(&mut self, account: &str, group: Group) -> Quota {
        let now = Instant::now();
        let (limit, window, pool) = self.limits.of(group);
        let log = self.hits.entry((account.to_owned(), pool)).or_default();
        while log
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            log.pop_front();
        }
        let allowed = log.len() < limit as usize;
        if allowed {
            log.push_back(now);
        }
        let (len, oldest) = (log.len(), log.front().copied());
        Self::quota(limit, window, len, oldest, now, allowed)
    }

    /// The state of `account`'s pool for `group`, without counting a request.
    pub fn peek(&self, account: &str, group: Group) -> Quota {
        let now = Instant::now();
        let (limit, window, pool) = self.limits.of(group);
        let live: Vec<Instant> = self
            .hits
            .get(&(account.to_owned(), pool))
            .map(|log| {
                log.iter()
                    .copied()
                    .filter(|t| now.duration_since(*t) < window)
                    .collect()
            })
            .unwrap_or_default();
        let allowed = live.len() < limit as usize;
        Self::quota(
            limit,
            window,
            live.len(),
            live.first().copied(),
            now,
            allowed,
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn limits_per_account_and_recovers() {
        let mut rl = RateLimiter::new(Limits::Uniform {
            limit: 2,
            window: Duration::from_millis(200),
        });
        assert_eq!(rl.hit("a", Group::Standard).remaining, 1);
        // One pool for every group when the limit is uniform.
        assert_eq!(rl.hit("a", Group::MessageSend).remaining, 0);
        let q = rl.hit("a", Group::Standard);
        assert!(!q.allowed);
        assert_eq!(q.retry_after, 1);
        assert!(rl.hit("b", Group::Standard).allowed);
        std::thread::sleep(Duration::from_millis(250));
        assert!(rl.hit("a", Group::Standard).allowed);
    }

    #[test]
    fn documented_tiers_have_pools_of_their_own() {
        let mut rl = RateLimiter::new(Limits::Documented(AccountTier::Growth));
        assert_eq!(rl.hit("a", Group::Standard).limit, 200);
        assert_eq!(rl.hit("a", Group::Sensitive).limit, 10);
        assert_eq!(rl.hit("a", Group::WebhookTest).limit, 60);
        let send = rl.hit("a", Group::MessageSend);
        assert_eq!((send.limit, send.remaining), (300, 299));
        assert_eq!(rl.peek("a", Group::Standard).remaining, 199);
        assert_eq!(rl.peek("a", Group::Sensitive).remaining, 9);
        assert_eq!(
            Group::of("POST", "/v3/webhooks/{id}/rotate-secret"),
            Group::Sensitive
        );
        assert_eq!(Group::of("GET", "/v3/users"), Group::Standard);
        assert_eq!(Group::of("POST", "/v3/users"), Group::Sensitive);
        assert_eq!(AccountTier::Starter.sends_per_minute(), 60);
    }
}
