//! Pacing requests by the rate limit the server advertises.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use futures_util::future::{Either, select};
use http::{HeaderMap, StatusCode};

use super::rate_limit::RateLimit;

/// How long a waiting request sleeps before looking again when nothing tells it when the
/// budget will come back (no reset time known, nothing in flight to report one).
const IDLE_RECHECK: Duration = Duration::from_secs(1);

/// A newly advertised reset time counts as a new window when it is this much later than the
/// one already known (reset times have a resolution of one second).
const NEW_WINDOW_SLACK: Duration = Duration::from_millis(500);

/// Shares the server's advertised rate-limit budget among concurrent requests.
///
/// Attach one to a client (`ClientBuilder::rate_limiter`, `Client::with_rate_limiter`, or
/// [`RuntimeBuilder::rate_limiter`](super::RuntimeBuilder::rate_limiter)) and every attempt of
/// every request first takes a slot from the budget, then reports the response's rate-limit
/// headers back:
///
/// * The budget is what `X-RateLimit-Remaining` last said, minus the requests started since
///   and still in flight (the server may not have counted them yet), minus the
///   [`headroom`](Self::headroom). Responses can only lower it within a window.
/// * When the budget is spent, requests wait until `X-RateLimit-Reset`; then the budget is the
///   whole `X-RateLimit-Limit` again.
/// * While nothing is known (before the first response, or after a reset when the limit is
///   unknown) a single request goes out to learn the budget; the others wait for its answer.
///   A server that sends no `X-RateLimit-Remaining` at all is not paced, except by `429`s.
/// * A `429` blocks every request until its `Retry-After` (or the reset, or one second) has
///   passed, and counts towards [`RateLimiterStats::throttled`].
///
/// Clones share the same budget, so one limiter can pace several clients that use the same
/// API key. Time spent waiting for the budget is not part of any request timeout.
#[derive(Clone, Default)]
pub struct RateLimiter {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    headroom: u64,
    limit: Option<u64>,
    /// Requests that may still be started in the current window; `None` when unknown.
    budget: Option<u64>,
    reset_at: Option<Instant>,
    blocked_until: Option<Instant>,
    /// The last response advertised no remaining budget at all: nothing to pace by but `429`s.
    unmetered: bool,
    /// Sequence numbers of the attempts in flight.
    in_flight: BTreeSet<u64>,
    /// Sequence number of the next attempt to start.
    next_seq: u64,
    /// The newest attempt whose response set the budget in this window.
    budget_from: Option<u64>,
    /// Bumped on every change, to wake waiting requests.
    generation: u64,
    waiters: Vec<Waker>,
    stats: RateLimiterStats,
}

/// Counters of a [`RateLimiter`], for reporting and benchmarks.
///
/// The achieved rate of a run is `started` divided by its duration; compare it with `limit`
/// per window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimiterStats {
    /// Attempts that were let through.
    pub started: u64,
    /// Responses seen.
    pub responses: u64,
    /// Responses with status `429 Too Many Requests`.
    pub throttled: u64,
    /// Attempts that had to wait for the budget before starting.
    pub delayed: u64,
    /// Total time attempts spent waiting for the budget (summed over concurrent waiters).
    pub waited: Duration,
    /// The last advertised `X-RateLimit-Limit`.
    pub limit: Option<u64>,
    /// The last advertised `X-RateLimit-Remaining`.
    pub remaining: Option<u64>,
}

impl RateLimiter {
    /// A limiter that knows nothing yet; it learns the limit from the first response.
    pub fn new() -> RateLimiter {
        RateLimiter::default()
    }

    /// Leaves `requests` of every window's budget unused, for other clients sharing the API
    /// key (default 0).
    #[must_use]
    pub fn headroom(self, requests: u64) -> RateLimiter {
        self.lock().headroom = requests;
        self
    }

    /// Counters so far.
    pub fn stats(&self) -> RateLimiterStats {
        self.lock().stats
    }

    /// Attempts currently in flight.
    pub fn in_flight(&self) -> u64 {
        self.lock().in_flight.len() as u64
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until the budget allows one more attempt and takes a slot for it.
    pub(crate) async fn acquire(&self) -> Permit {
        let mut waited_since: Option<Instant> = None;
        loop {
            let (deadline, generation) = {
                let mut state = self.lock();
                let now = Instant::now();
                match state.decide(now) {
                    Ok(seq) => {
                        if let Some(since) = waited_since {
                            state.stats.delayed += 1;
                            state.stats.waited += now.saturating_duration_since(since);
                        }
                        return Permit {
                            limiter: self.clone(),
                            seq,
                        };
                    }
                    Err(deadline) => (deadline, state.generation),
                }
            };
            waited_since.get_or_insert_with(Instant::now);
            let deadline = deadline.unwrap_or_else(|| Instant::now() + IDLE_RECHECK);
            let sleep = pin!(tokio::time::sleep_until(tokio::time::Instant::from_std(
                deadline
            )));
            let changed = pin!(self.changed(generation));
            match select(changed, sleep).await {
                Either::Left(((), _)) | Either::Right(((), _)) => {}
            }
        }
    }

    /// Resolves once the state has changed since `generation`.
    fn changed(&self, generation: u64) -> impl Future<Output = ()> + '_ {
        std::future::poll_fn(move |cx| {
            let mut state = self.lock();
            if state.generation != generation {
                Poll::Ready(())
            } else {
                state.waiters.push(cx.waker().clone());
                Poll::Pending
            }
        })
    }
}

impl State {
    /// Takes a slot (`Ok` with the attempt's sequence number), or says until when to wait
    /// (`Err(None)`: until something changes).
    fn decide(&mut self, now: Instant) -> Result<u64, Option<Instant>> {
        if let Some(until) = self.blocked_until {
            if until > now {
                return Err(Some(until));
            }
            self.blocked_until = None;
        }
        if self.reset_at.is_some_and(|reset| reset <= now) {
            self.reset_at = None;
            self.budget_from = None;
            self.budget = self.limit.map(|limit| limit.saturating_sub(self.headroom));
        }
        match self.budget {
            Some(budget) if budget > 0 => {
                self.budget = Some(budget - 1);
                Ok(self.start())
            }
            Some(_) if self.reset_at.is_some() => Err(self.reset_at),
            None if self.unmetered => Ok(self.start()),
            // Nothing known, or spent with no reset in sight: one request finds out.
            _ if self.in_flight.is_empty() => Ok(self.start()),
            _ => Err(None),
        }
    }

    fn start(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.in_flight.insert(seq);
        self.stats.started += 1;
        seq
    }

    /// Takes in the rate-limit headers of the response to attempt `seq` (still in flight).
    ///
    /// The server's `remaining` counts what reached it before this answer. Attempts started
    /// after this one will each be counted, and earlier ones still unanswered may not have
    /// been yet (a server answers concurrent requests in any order), so both are subtracted.
    /// The newest answer gives the best estimate and replaces the one derived from older
    /// answers (stale answers are ignored); once a burst's answers are in, the budget is
    /// exactly what the server says is left.
    fn observe(&mut self, status: StatusCode, headers: &HeaderMap, now: Instant, seq: u64) {
        self.stats.responses += 1;
        let wall = SystemTime::now();
        let advertised = RateLimit::from_headers_at(headers, wall);
        self.unmetered = advertised.is_none_or(|a| a.remaining.is_none());
        if let Some(advertised) = advertised {
            if let Some(limit) = advertised.limit {
                self.limit = Some(limit);
                self.stats.limit = Some(limit);
            }
            if advertised.remaining.is_some() {
                self.stats.remaining = advertised.remaining;
            }
            let reset = advertised
                .reset
                .map(|reset| now + reset.duration_since(wall).unwrap_or(Duration::ZERO));
            let stale = reset.is_some_and(|reset| reset <= now);
            if let (Some(remaining), false) = (advertised.remaining, stale) {
                let started_since = self.next_seq.saturating_sub(seq + 1);
                let earlier_unanswered = self.in_flight.range(..seq).count() as u64;
                let estimate = remaining
                    .saturating_sub(started_since)
                    .saturating_sub(earlier_unanswered)
                    .saturating_sub(self.headroom);
                let new_window = match (self.reset_at, reset) {
                    (Some(known), Some(reset)) => reset > known + NEW_WINDOW_SLACK,
                    (None, Some(_)) => true,
                    _ => false,
                };
                let newer = new_window || self.budget_from.is_none_or(|from| seq > from);
                if newer {
                    self.budget = Some(estimate);
                    self.budget_from = Some(seq);
                }
                if new_window {
                    self.reset_at = reset;
                }
            }
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.stats.throttled += 1;
            let wait = advertised
                .and_then(|a| a.retry_after)
                .or_else(|| {
                    self.reset_at
                        .map(|reset| reset.saturating_duration_since(now))
                })
                .unwrap_or(IDLE_RECHECK);
            let until = now + wait;
            self.blocked_until = Some(self.blocked_until.map_or(until, |b| b.max(until)));
        }
        self.notify();
    }

    fn notify(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        for waker in self.waiters.drain(..) {
            waker.wake();
        }
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("RateLimiter")
            .field("headroom", &state.headroom)
            .field("limit", &state.limit)
            .field("budget", &state.budget)
            .field("in_flight", &state.in_flight.len())
            .field("stats", &state.stats)
            .finish_non_exhaustive()
    }
}

/// A slot in the budget for one attempt; gives it back when dropped.
pub(crate) struct Permit {
    limiter: RateLimiter,
    /// The attempt's place in the order attempts were started.
    seq: u64,
}

impl Permit {
    /// Reports the response this attempt received.
    pub(crate) fn observe(&self, status: StatusCode, headers: &HeaderMap) {
        self.limiter
            .lock()
            .observe(status, headers, Instant::now(), self.seq);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = self.limiter.lock();
        state.in_flight.remove(&self.seq);
        state.notify();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn headers(limit: u64, remaining: u64, reset_in: u64) -> HeaderMap {
        let reset = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + reset_in;
        let mut map = HeaderMap::new();
        map.insert("x-ratelimit-limit", limit.into());
        map.insert("x-ratelimit-remaining", remaining.into());
        map.insert("x-ratelimit-reset", reset.into());
        map
    }

    #[test]
    fn one_probe_while_nothing_is_known() {
        let mut state = State::default();
        let now = Instant::now();
        assert_eq!(state.decide(now), Ok(0));
        assert_eq!(state.decide(now), Err(None));
        state.observe(StatusCode::OK, &headers(10, 9, 60), now, 0);
        assert_eq!(state.budget, Some(9));
        for seq in 1..10 {
            assert_eq!(state.decide(now), Ok(seq));
        }
        assert!(matches!(state.decide(now), Err(Some(_))));
        assert_eq!(state.in_flight.len(), 10);
    }

    #[test]
    fn unanswered_attempts_are_subtracted_and_newer_answers_win() {
        let mut state = State::default();
        let now = Instant::now();
        state.budget = Some(5);
        for seq in 0..3 {
            assert_eq!(state.decide(now), Ok(seq));
        }
        assert_eq!(state.budget, Some(2));
        // Attempt 0's answer: 4 left on the server, and attempts 1 and 2 started since.
        state.observe(StatusCode::OK, &headers(10, 4, 60), now, 0);
        assert_eq!(state.budget, Some(2));
        state.in_flight.remove(&0);
        // Attempt 2 answered first: its count may miss attempt 1, still unanswered.
        state.observe(StatusCode::OK, &headers(10, 3, 60), now, 2);
        assert_eq!(state.budget, Some(2));
        state.in_flight.remove(&2);
        // An older answer arriving late changes nothing…
        state.observe(StatusCode::OK, &headers(10, 2, 60), now, 1);
        assert_eq!(state.budget, Some(2));
        state.in_flight.remove(&1);
        // …and once everything is answered the newest answer is the budget.
        assert_eq!(state.decide(now), Ok(3));
        state.observe(StatusCode::OK, &headers(10, 1, 60), now, 3);
        assert_eq!(state.budget, Some(1));
        // Another client used the budget meanwhile: the newest answer lowers it.
        state.in_flight.remove(&3);
        assert_eq!(state.decide(now), Ok(4));
        state.observe(StatusCode::OK, &headers(10, 0, 60), now, 4);
        assert_eq!(state.budget, Some(0));
        assert!(matches!(state.decide(now), Err(Some(_))));
    }

    #[test]
    fn reset_refills_and_429_blocks() {
        let mut state = State::default().with_headroom(1);
        let now = Instant::now();
        assert_eq!(state.decide(now), Ok(0));
        state.observe(StatusCode::OK, &headers(4, 0, 2), now, 0);
        assert_eq!(state.budget, Some(0));
        let Err(Some(reset)) = state.decide(now) else {
            panic!("expected to wait for the reset");
        };
        assert!(reset > now);
        state.in_flight.clear();
        assert_eq!(state.decide(reset), Ok(1));
        assert_eq!(state.budget, Some(2), "limit minus headroom minus one");

        let mut throttled = headers(4, 0, 3);
        throttled.insert("retry-after", 2u64.into());
        state.observe(StatusCode::TOO_MANY_REQUESTS, &throttled, reset, 1);
        assert_eq!(state.stats.throttled, 1);
        assert_eq!(
            state.decide(reset),
            Err(Some(reset + Duration::from_secs(2)))
        );
    }

    #[test]
    fn servers_without_budget_headers_are_not_paced() {
        let mut state = State::default();
        let now = Instant::now();
        assert_eq!(state.decide(now), Ok(0));
        state.observe(StatusCode::OK, &HeaderMap::new(), now, 0);
        for seq in 1..21 {
            assert_eq!(state.decide(now), Ok(seq));
        }
        let mut throttled = HeaderMap::new();
        throttled.insert("retry-after-ms", 300u64.into());
        state.observe(StatusCode::TOO_MANY_REQUESTS, &throttled, now, 20);
        assert_eq!(
            state.decide(now),
            Err(Some(now + Duration::from_millis(300)))
        );
        assert_eq!(state.decide(now + Duration::from_millis(300)), Ok(21));
    }

    impl State {
        fn with_headroom(mut self, headroom: u64) -> State {
            self.headroom = headroom;
            self
        }
    }
}
