//! Bulk sending under the server's rate limit, against the mock API.
//!
//! ```sh
//! cargo bench -p sentdm-client --bench bulk
//! ```
//!
//! The mock allows 200 requests per window (the documented 200 per minute, with the minute
//! scaled down to `BULK_WINDOW_SECS`, default 10 s, sliding like the real one). Messages are
//! offered without end for `BULK_WINDOWS` windows (default 3), first through
//! [`sentdm_client::bulk::Bulk`], which paces itself from the rate-limit headers, then — as
//! the baseline of the same run — through plain concurrent sends with the same concurrency
//! and no pacing. Reported per run: messages accepted, achieved rate ÷ the limit, and `429`s
//! (total and per window). Goal for the paced sender: ratio ≥ 0.95 and at most one `429` per
//! window. (`X-RateLimit-Reset` is in whole seconds, so a paced sender refills up to a second
//! late each window: a few percent of a 10 s window, under 2 % of the real 60 s one.)

use std::pin::pin;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sentdm_client::bulk::Bulk;
use sentdm_client::types::TemplateRef;
use sentdm_client::{Client, RetryPolicy};
use sentdm_mock::MockServer;

const LIMIT: u32 = 200;
const CONCURRENCY: usize = 16;

struct Report {
    accepted: u64,
    failed: u64,
    throttled: usize,
    elapsed: Duration,
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn phone(i: usize) -> String {
    format!("+1415{:07}", i % 10_000_000)
}

async fn run(
    paced: bool,
    window: Duration,
    windows: u32,
) -> Result<Report, Box<dyn std::error::Error>> {
    let mock = MockServer::builder()
        .rate_limit(LIMIT, window)
        .require_known_templates(false)
        .start()?;
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        // 429s are retried after their Retry-After; other failures would show as `failed`.
        .retry_policy(RetryPolicy::new().max_retries(5).max_retry_after(window))
        .build()?;
    let make = |c: &Client, i: usize| c.messages().send([phone(i)], TemplateRef::by_name("bulk"));

    let duration = window * windows;
    let started = Instant::now();
    let deadline = tokio::time::Instant::from_std(started + duration);
    let (mut accepted, mut failed) = (0, 0);
    if paced {
        let bulk = Bulk::new(&client).concurrency(CONCURRENCY);
        let mut results = pin!(bulk.stream(0.., make));
        while let Ok(Some((_, result))) = tokio::time::timeout_at(deadline, results.next()).await {
            if result.is_ok() {
                accepted += 1
            } else {
                failed += 1
            }
        }
    } else {
        let mut results = pin!(
            futures_util::stream::iter(0..)
                .map(|i| make(&client, i).into_future())
                .buffer_unordered(CONCURRENCY)
        );
        while let Ok(Some(result)) = tokio::time::timeout_at(deadline, results.next()).await {
            if result.is_ok() {
                accepted += 1
            } else {
                failed += 1
            }
        }
    }
    let elapsed = started.elapsed().min(duration);
    let throttled = mock
        .requests()
        .iter()
        .filter(|r| r.status == Some(429) && r.at <= std::time::SystemTime::now())
        .count();
    Ok(Report {
        accepted,
        failed,
        throttled,
        elapsed,
    })
}

fn print(name: &str, r: &Report, window: Duration, windows: u32) {
    let achieved = r.accepted as f64 / r.elapsed.as_secs_f64();
    let limit = f64::from(LIMIT) / window.as_secs_f64();
    println!(
        "{name:<24} {:>6} accepted {:>4} failed   {:>7.1}/s vs limit {:>6.1}/s   ratio {:>5.3}   429s {:>4} ({:.1} per window)",
        r.accepted,
        r.failed,
        achieved,
        limit,
        achieved / limit,
        r.throttled,
        r.throttled as f64 / f64::from(windows),
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; this harness takes no options of its own.
    let window = Duration::from_secs(env_u64("BULK_WINDOW_SECS", 10));
    let windows = u32::try_from(env_u64("BULK_WINDOWS", 3)).unwrap_or(3);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "bulk send: limit {LIMIT} per {}s window (sliding), {windows} windows, concurrency {CONCURRENCY}",
        window.as_secs()
    );
    let paced = runtime.block_on(run(true, window, windows))?;
    print("paced (bulk::Bulk)", &paced, window, windows);
    let naive = runtime.block_on(run(false, window, windows))?;
    print("baseline (no pacing)", &naive, window, windows);
    Ok(())
}
