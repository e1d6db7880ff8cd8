//! Bulk sending under the advertised rate limit, against a loopback server that enforces a
//! small fixed-window limit and advertises it in `X-RateLimit-*` headers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod runtime_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use runtime_support::{KEY, Reply, Seen, Server, fast_retries};
use sentdm_client::bulk::{Bulk, DEFAULT_CONCURRENCY, RateLimiter};
use sentdm_client::types::TemplateRef;
use sentdm_client::{Client, RetryPolicy};
use serde_json::json;

/// What the limited server did.
#[derive(Default)]
struct Tally {
    /// Accepted requests per window (Unix second).
    accepted: HashMap<u64, u64>,
    throttled: u64,
}

/// A server allowing `limit` requests per one-second window (aligned to Unix seconds),
/// advertising the limit on every response and answering excess requests with 429 and
/// `Retry-After`. Successful sends echo the recipient.
async fn limited_server(limit: u64) -> (Server, Arc<Mutex<Tally>>) {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let record = tally.clone();
    let server = Server::start(move |_, seen: &Seen| {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap();
        let window = now.as_secs();
        let mut tally = record.lock().unwrap();
        let used = tally.accepted.entry(window).or_default();
        let reply = if *used < limit {
            *used += 1;
            let to = seen.body.as_ref().unwrap()["to"][0].clone();
            Reply::ok(json!({"status": "QUEUED", "recipients": [{"to": to}]}))
                .header("x-ratelimit-remaining", (limit - *used).to_string())
        } else {
            tally.throttled += 1;
            Reply::error(429, "BUSINESS_002", "Rate limit exceeded")
                .header("x-ratelimit-remaining", "0")
                .header("retry-after", "1")
        };
        reply
            .header("x-ratelimit-limit", limit.to_string())
            .header("x-ratelimit-reset", (window + 1).to_string())
    })
    .await;
    (server, tally)
}

fn recipients(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("+1415555{i:04}")).collect()
}

fn client(server: &Server, policy: RetryPolicy) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .retry_policy(policy)
        .build()
        .unwrap()
}

#[tokio::test]
async fn bulk_sending_stays_under_the_advertised_limit() {
    const LIMIT: u64 = 4;
    const MESSAGES: usize = 12;
    let (server, tally) = limited_server(LIMIT).await;
    let bulk = Bulk::new(&client(&server, fast_retries())).concurrency(6);
    let inputs = recipients(MESSAGES);
    let results = bulk
        .send_all(inputs.clone(), |client, to| {
            client
                .messages()
                .send([to], TemplateRef::by_name("welcome"))
        })
        .await;

    assert_eq!(results.len(), MESSAGES);
    for (input, result) in inputs.iter().zip(&results) {
        let sent = result.as_ref().unwrap();
        let to = sent.recipients[0].to.as_deref();
        assert_eq!(to, Some(input.as_str()), "results are in input order");
    }
    let tally = tally.lock().unwrap();
    assert!(tally.accepted.values().all(|&n| n <= LIMIT));
    assert_eq!(tally.accepted.values().sum::<u64>(), MESSAGES as u64);
    assert!(
        tally.throttled <= 1,
        "{} requests were throttled",
        tally.throttled
    );
    let stats = bulk.stats();
    assert_eq!(stats.throttled, tally.throttled);
    assert_eq!(stats.started, MESSAGES as u64 + tally.throttled);
    assert_eq!(stats.responses, stats.started);
    assert_eq!(stats.limit, Some(LIMIT));
    assert!(stats.delayed > 0, "requests waited for the window to reset");
    assert_eq!(bulk.limiter().in_flight(), 0);
}

#[tokio::test]
async fn without_the_limiter_the_same_burst_is_mostly_throttled() {
    let (server, tally) = limited_server(4).await;
    let client = client(&server, RetryPolicy::none());
    let results: Vec<_> = futures_util::stream::iter(recipients(12))
        .map(|to| {
            client
                .messages()
                .send([to], TemplateRef::by_name("welcome"))
                .into_future()
        })
        .buffer_unordered(12)
        .collect()
        .await;
    let failed = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(failed as u64, tally.lock().unwrap().throttled);
    assert!(failed >= 4, "only {failed} throttled");
}

#[tokio::test]
async fn a_429_holds_every_request_back_until_retry_after() {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let record = arrivals.clone();
    // No budget headers at all; the first request is throttled for 300 ms.
    let server = Server::start(move |n, _| {
        record.lock().unwrap().push(Instant::now());
        if n == 0 {
            Reply::error(429, "BUSINESS_002", "Slow down").header("retry-after-ms", "300")
        } else {
            Reply::ok(json!({"status": "QUEUED"}))
        }
    })
    .await;
    let bulk = Bulk::new(&client(&server, fast_retries())).concurrency(4);
    let mut stream = bulk.stream(recipients(4), |client, to| {
        client
            .messages()
            .send([to], TemplateRef::by_name("welcome"))
    });
    let mut done = Vec::new();
    while let Some((index, result)) = stream.next().await {
        result.unwrap();
        done.push(index);
    }
    done.sort_unstable();
    assert_eq!(done, [0, 1, 2, 3]);

    let arrivals = arrivals.lock().unwrap();
    assert_eq!(arrivals.len(), 5, "four sends and one retry");
    for later in &arrivals[1..] {
        assert!(
            later.duration_since(arrivals[0]) >= Duration::from_millis(280),
            "a request went out while the server asked to wait"
        );
    }
    let stats = bulk.stats();
    assert_eq!(stats.throttled, 1);
    assert!(stats.delayed >= 3, "{stats:?}");
}

#[tokio::test]
async fn a_limiter_set_on_the_client_is_shared_with_bulk_senders() {
    let (server, _) = limited_server(100).await;
    let limiter = RateLimiter::new().headroom(10);
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .rate_limiter(limiter.clone())
        .build()
        .unwrap();
    client
        .messages()
        .send(["+14155550000"], TemplateRef::by_name("welcome"))
        .await
        .unwrap();
    let bulk = Bulk::new(&client);
    assert_eq!(bulk.stats().started, 1, "the client's limiter is reused");
    bulk.send_all(recipients(3), |client, to| {
        client
            .messages()
            .send([to], TemplateRef::by_name("welcome"))
    })
    .await
    .into_iter()
    .for_each(|r| {
        r.unwrap();
    });
    assert_eq!(limiter.stats().started, 4);
    assert_eq!(limiter.stats().remaining, Some(96));
    // `with_rate_limiter` leaves the original client unpaced.
    let unpaced = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .build()
        .unwrap();
    assert!(unpaced.runtime().rate_limiter().is_none());
    assert!(
        unpaced
            .with_rate_limiter(limiter)
            .runtime()
            .rate_limiter()
            .is_some()
    );
    assert!(unpaced.runtime().rate_limiter().is_none());
    assert_eq!(DEFAULT_CONCURRENCY, 8);
}
