//! Sending many requests concurrently while staying under the API's rate limit.
//!
//! Sent.dm limits requests per account and window and says so on every response:
//! `X-RateLimit-Limit` (requests per window), `X-RateLimit-Remaining` and `X-RateLimit-Reset`
//! (when the window starts over, in Unix seconds); a request over the limit gets
//! `429 Too Many Requests` with `Retry-After`. Firing a large batch as fast as possible
//! mostly produces 429s. A [`Bulk`] sender instead:
//!
//! * runs at most [`concurrency`](Bulk::concurrency) requests at a time (default
//!   [`DEFAULT_CONCURRENCY`]);
//! * paces every attempt with a shared [`RateLimiter`], which starts a request only while the
//!   advertised budget (remaining requests, minus those already in flight) allows it, waits
//!   for the reset when the budget is spent, and after a `429` holds every request back until
//!   the `Retry-After` has passed;
//! * retries like any other call (same `Idempotency-Key` on every attempt), so a message is
//!   not sent twice because its first attempt was throttled or timed out.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use sentdm_client::{Client, bulk::Bulk, types::TemplateRef};
//!
//! # async fn run() -> Result<(), sentdm_client::Error> {
//! let client = Client::from_env()?;
//! let recipients = vec!["+14155550001".to_owned(), "+14155550002".to_owned()];
//! let bulk = Bulk::new(&client).concurrency(16);
//! let started = std::time::Instant::now();
//! let mut results = bulk.stream(recipients, |client, to| {
//!     client
//!         .messages()
//!         .send([to], TemplateRef::by_name("welcome"))
//! });
//! while let Some((index, result)) = results.next().await {
//!     match result {
//!         Ok(sent) => println!("#{index}: {:?}", sent.request_id()),
//!         Err(error) => eprintln!("#{index}: {error}"),
//!     }
//! }
//! let stats = bulk.stats();
//! let rate = stats.started as f64 / started.elapsed().as_secs_f64();
//! println!("{rate:.1} requests/s, limit {:?} per window, {} throttled", stats.limit, stats.throttled);
//! # Ok(())
//! # }
//! ```
//!
//! The limiter can also pace a whole application: set it with
//! [`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter) or
//! [`Client::with_rate_limiter`](crate::Client::with_rate_limiter), and share clones of it
//! between clients that use the same API key.

use std::future::IntoFuture;

use futures_core::Stream;
use futures_util::StreamExt;

pub use crate::runtime::{RateLimiter, RateLimiterStats};
use crate::{Client, Error, Response};

/// Requests a [`Bulk`] sender runs at a time unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Sends many requests concurrently, paced by the rate limit the API advertises. See the
/// [module documentation](self).
#[derive(Debug, Clone)]
pub struct Bulk {
    client: Client,
    limiter: RateLimiter,
    concurrency: usize,
}

impl Bulk {
    /// A sender on `client`'s configuration, with the client's rate limiter if it has one and
    /// a new one otherwise.
    pub fn new(client: &Client) -> Bulk {
        let limiter = client.runtime().rate_limiter().cloned().unwrap_or_default();
        Bulk::with_limiter(client, limiter)
    }

    /// A sender pacing its requests with `limiter` (shared with whatever else uses it).
    pub fn with_limiter(client: &Client, limiter: RateLimiter) -> Bulk {
        Bulk {
            client: client.with_rate_limiter(limiter.clone()),
            limiter,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    /// Sets how many requests run at a time (at least 1).
    #[must_use]
    pub fn concurrency(mut self, concurrency: usize) -> Bulk {
        self.concurrency = concurrency.max(1);
        self
    }

    /// The paced client requests are built from.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The rate limiter pacing the requests.
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }

    /// The limiter's counters: attempts started, responses, `429`s, waits, and the last
    /// advertised limit.
    pub fn stats(&self) -> RateLimiterStats {
        self.limiter.stats()
    }

    /// Sends one request per input, built by `make` from the paced client, and streams the
    /// results as they complete, each with the position of its input.
    ///
    /// Inputs are taken and requests built only as slots free up, so memory stays flat
    /// however many inputs there are; dropping the stream stops sending.
    pub fn stream<I, F, R, T>(
        &self,
        inputs: I,
        mut make: F,
    ) -> impl Stream<Item = (usize, Result<Response<T>, Error>)> + use<I, F, R, T>
    where
        I: IntoIterator,
        F: FnMut(&Client, I::Item) -> R,
        R: IntoFuture<Output = Result<Response<T>, Error>>,
    {
        let client = self.client.clone();
        futures_util::stream::iter(inputs.into_iter().enumerate())
            .map(move |(index, input)| {
                let request = make(&client, input).into_future();
                async move { (index, request.await) }
            })
            .buffer_unordered(self.concurrency)
    }

    /// Sends one request per input, built by `make` from the paced client, and returns the
    /// results in the order of the inputs.
    pub async fn send_all<I, F, R, T>(&self, inputs: I, make: F) -> Vec<Result<Response<T>, Error>>
    where
        I: IntoIterator,
        F: FnMut(&Client, I::Item) -> R,
        R: IntoFuture<Output = Result<Response<T>, Error>>,
    {
        let mut results: Vec<(usize, Result<Response<T>, Error>)> =
            self.stream(inputs, make).collect().await;
        results.sort_by_key(|(index, _)| *index);
        results.into_iter().map(|(_, result)| result).collect()
    }
}
