//! Retries, idempotency keys, timeouts, rate-limit and replay accessors, against loopback
//! servers, through the generated Sent.dm client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod runtime_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use http::StatusCode;
use runtime_support::{KEY, Reply, Server, client, contact_json, fast_retries, sent_message};
use sentdm_client::ErrorCodeExt;
use sentdm_client::types::TemplateRef;
use sentdm_client::{Client, Error, ErrorCode, RequestOptions, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TO: &str = "+14155551234";

fn template() -> TemplateRef {
    TemplateRef::by_name("welcome")
}

fn keys(server: &Server) -> Vec<String> {
    server
        .seen()
        .iter()
        .map(|seen| {
            seen.header("idempotency-key")
                .unwrap_or("<none>")
                .to_owned()
        })
        .collect()
}

fn is_generated_key(key: &str) -> bool {
    key.len() == 39
        && key.starts_with("sentdm-")
        && key["sentdm-".len()..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[tokio::test]
async fn transient_failures_are_retried_with_one_generated_key() {
    let server = Server::script(vec![
        Reply::error(503, "SERVICE_001", "Service unavailable"),
        Reply::error(502, "INTERNAL_003", "Bad gateway"),
        Reply::ok(sent_message()),
    ])
    .await;
    let response = client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap();

    assert_eq!(server.count(), 3);
    let keys = keys(&server);
    assert!(is_generated_key(&keys[0]), "{keys:?}");
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    assert_eq!(response.idempotency_key(), Some(keys[0].as_str()));
    // Bodies are identical on every attempt too.
    let bodies: Vec<_> = server.seen().into_iter().map(|s| s.body).collect();
    assert!(bodies.iter().all(|b| *b == bodies[0]));
    assert!(!response.idempotent_replayed());
}

#[tokio::test]
async fn every_call_gets_its_own_generated_key() {
    let server = Server::script(vec![Reply::ok(sent_message())]).await;
    let client = client(&server);
    let first = client.messages().send([TO], template()).await.unwrap();
    let second = client.messages().send([TO], template()).await.unwrap();
    assert_ne!(first.idempotency_key(), second.idempotency_key());
    assert!(is_generated_key(first.idempotency_key().unwrap()));
}

#[tokio::test]
async fn the_callers_key_is_used_on_every_attempt() {
    let server = Server::script(vec![
        Reply::error(500, "INTERNAL_001", "Internal error"),
        Reply::ok(sent_message()),
    ])
    .await;
    let response = client(&server)
        .messages()
        .send([TO], template())
        .idempotency_key("order-42_retry")
        .await
        .unwrap();
    assert_eq!(keys(&server), ["order-42_retry", "order-42_retry"]);
    assert_eq!(response.idempotency_key(), Some("order-42_retry"));
}

#[tokio::test]
async fn operations_without_the_header_get_no_key() {
    let server = Server::script(vec![Reply::ok(contact_json(
        "9ba7b830-9dad-11d1-80b4-00c04fd430c8",
        "+14155551234",
    ))])
    .await;
    let response = client(&server)
        .contacts()
        .get(uuid::Uuid::nil())
        .await
        .unwrap();
    assert_eq!(keys(&server), ["<none>"]);
    assert_eq!(response.idempotency_key(), None);
}

#[tokio::test]
async fn two_retries_by_default_then_the_error_with_its_key() {
    let server = Server::script(vec![Reply::error(503, "SERVICE_001", "Down")]).await;
    let error = client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap_err();
    assert_eq!(server.count(), 3, "one attempt and two retries");
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert!(error.is_retryable());
    let api = error.as_api().unwrap();
    assert_eq!(api.idempotency_key(), Some(keys(&server)[0].as_str()));
    assert!(!format!("{error:?}").contains(KEY));
    assert!(!error.to_string().contains(KEY));
}

#[tokio::test]
async fn conflict_001_is_retried_but_resource_007_is_not() {
    let server = Server::script(vec![
        Reply::error(409, "CONFLICT_001", "Request in progress"),
        Reply::ok(sent_message()),
    ])
    .await;
    client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
    let keys = keys(&server);
    assert_eq!(keys[0], keys[1]);

    let server = Server::script(vec![Reply::error(409, "RESOURCE_007", "Already exists")]).await;
    let error = client(&server).contacts().create(TO).await.unwrap_err();
    assert_eq!(server.count(), 1);
    assert!(!error.is_retryable());
    assert_eq!(error.error_code(), Some(ErrorCode::Resource007));
    assert_eq!(error.as_api().unwrap().error_code(), ErrorCode::Resource007);
}

#[tokio::test]
async fn other_client_errors_are_final() {
    for (status, code) in [
        (400, "VALIDATION_004"),
        (401, "AUTH_002"),
        (404, "RESOURCE_002"),
        (422, "BUSINESS_003"),
        (409, "SOMETHING_NEW"),
    ] {
        let server = Server::script(vec![Reply::error(status, code, "nope")]).await;
        let error = client(&server)
            .messages()
            .send([TO], template())
            .await
            .unwrap_err();
        assert_eq!(server.count(), 1, "{status} {code} must not be retried");
        assert!(!error.is_retryable());
        assert_eq!(error.code(), Some(code));
    }
}

#[tokio::test]
async fn request_timeout_408_and_gateway_timeout_are_retried() {
    let server = Server::script(vec![
        Reply::json(408, serde_json::json!({})),
        Reply::error(504, "INTERNAL_004", "Gateway timeout"),
        Reply::ok(sent_message()),
    ])
    .await;
    client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap();
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = Server::script(vec![
        Reply::error(429, "BUSINESS_002", "Rate limit exceeded").header("retry-after", "1"),
        Reply::ok(sent_message()),
    ])
    .await;
    let started = Instant::now();
    client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_ms_is_honoured_and_preferred() {
    let server = Server::script(vec![
        Reply::error(429, "BUSINESS_002", "Rate limit exceeded")
            .header("retry-after-ms", "120")
            .header("retry-after", "30"),
        Reply::ok(sent_message()),
    ])
    .await;
    let started = Instant::now();
    client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(110), "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_http_dates_are_honoured() {
    // A date two seconds ahead: the retry waits for it (at least a second, given the
    // one-second resolution of HTTP dates).
    let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    let server = Server::script(vec![
        Reply::error(503, "SERVICE_001", "Down").header("retry-after", soon),
        Reply::ok(sent_message()),
    ])
    .await;
    let started = Instant::now();
    client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );

    // A date in the past: retry at once.
    let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(60));
    let server = Server::script(vec![
        Reply::error(429, "BUSINESS_002", "Slow down").header("retry-after", past),
        Reply::ok(sent_message()),
    ])
    .await;
    client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_wait_longer_than_the_policy_allows_returns_the_error() {
    let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    let server = Server::script(vec![
        Reply::error(429, "BUSINESS_002", "Rate limit exceeded")
            .header("retry-after", later)
            .header("x-ratelimit-limit", "200")
            .header("x-ratelimit-remaining", "0"),
    ])
    .await;
    let error = client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1);
    assert!(error.is_retryable());
    let limit = error.rate_limit().unwrap();
    assert!(limit.retry_after.unwrap() > Duration::from_secs(3500));
    assert_eq!(limit.limit, Some(200));
    assert_eq!(limit.remaining, Some(0));

    let server = Server::script(vec![
        Reply::error(429, "BUSINESS_002", "Rate limit exceeded").header("retry-after", "120"),
    ])
    .await;
    let tolerant = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .retry_policy(fast_retries().max_retry_after(Duration::from_secs(119)))
        .build()
        .unwrap();
    let error = tolerant
        .messages()
        .send([TO], template())
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1);
    assert_eq!(
        error.rate_limit().unwrap().retry_after,
        Some(Duration::from_secs(120))
    );
}

#[tokio::test]
async fn backoff_waits_at_least_its_jittered_minimum() {
    let server = Server::script(vec![
        Reply::error(500, "INTERNAL_001", "Oops"),
        Reply::ok(sent_message()),
    ])
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .retry_policy(RetryPolicy::new().base_delay(Duration::from_millis(80)))
        .build()
        .unwrap();
    let started = Instant::now();
    client.messages().send([TO], template()).await.unwrap();
    // The first retry waits at least three quarters of the base delay.
    assert!(
        started.elapsed() >= Duration::from_millis(60),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retries_can_be_disabled_per_client_and_set_per_request() {
    let server = Server::script(vec![Reply::error(503, "SERVICE_001", "Down")]).await;
    let no_retries = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .max_retries(0)
        .build()
        .unwrap();
    no_retries
        .messages()
        .send([TO], template())
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1);

    // Per request on a client that retries twice.
    let server = Server::script(vec![Reply::error(503, "SERVICE_001", "Down")]).await;
    client(&server)
        .messages()
        .send([TO], template())
        .options(RequestOptions::new().max_retries(0))
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1);

    // Per request on a client that never retries.
    let server = Server::script(vec![Reply::error(503, "SERVICE_001", "Down")]).await;
    let no_retries = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .retry_policy(fast_retries().max_retries(0))
        .build()
        .unwrap();
    no_retries
        .messages()
        .send([TO], template())
        .options(RequestOptions::new().max_retries(4))
        .await
        .unwrap_err();
    assert_eq!(server.count(), 5);
    assert_eq!(no_retries.runtime().retry_policy().max_retries, 0);
}

#[tokio::test]
async fn a_timed_out_attempt_is_retried_with_a_fresh_timeout() {
    let server = Server::script(vec![
        Reply::ok(sent_message()).delayed(Duration::from_secs(3)),
        Reply::ok(sent_message()),
    ])
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .timeout(Duration::from_millis(300))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let response = client.messages().send([TO], template()).await.unwrap();
    assert_eq!(server.count(), 2);
    let keys = keys(&server);
    assert_eq!(keys[0], keys[1]);
    assert_eq!(response.idempotency_key(), Some(keys[0].as_str()));
}

#[tokio::test]
async fn persistent_timeouts_end_in_a_timeout_error() {
    let server = Server::script(vec![
        Reply::ok(sent_message()).delayed(Duration::from_secs(3)),
    ])
    .await;
    let error = client(&server)
        .messages()
        .send([TO], template())
        .options(RequestOptions::new().timeout(Duration::from_millis(150)))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(server.count(), 3);
}

/// A raw HTTP/1.1 server that resets the first `resets` connections after reading the
/// request, and answers later ones with a send-message success. Returns the base URL, the
/// number of requests read, and the task.
async fn flaky_server(resets: usize) -> (String, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                loop {
                    // Read one request: the head, then `content-length` bytes of body.
                    let mut buffer = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let head_end = loop {
                        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                            break end + 4;
                        }
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buffer[..head_end]).to_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse().unwrap());
                    while buffer.len() < head_end + length {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    if n < resets {
                        stream.set_zero_linger().unwrap();
                        return;
                    }
                    let body = serde_json::json!({
                        "success": true,
                        "data": sent_message(),
                        "error": null,
                        "meta": {"request_id": "req_after_reset"}
                    })
                    .to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if stream.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (base, count, task)
}

#[tokio::test]
async fn a_connection_reset_mid_request_is_retried() {
    let (base, count, task) = flaky_server(2).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&base)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let response = client.messages().send([TO], template()).await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert_eq!(response.request_id(), Some("req_after_reset"));

    // Without retries the reset is reported as a transport error.
    let (base, count, task2) = flaky_server(1).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&base)
        .max_retries(0)
        .build()
        .unwrap();
    let error = client.messages().send([TO], template()).await.unwrap_err();
    assert!(
        matches!(error, Error::Transport { .. } | Error::Connection { .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(count.load(Ordering::SeqCst), 1);
    task.abort();
    task2.abort();
}

#[tokio::test]
async fn replayed_responses_are_visible() {
    let server = Server::script(vec![
        Reply::ok(sent_message())
            .header("idempotent-replayed", "true")
            .header("x-original-request-id", "req_original_1")
            .header("x-request-id", "req_replay_2"),
    ])
    .await;
    let response = client(&server)
        .messages()
        .send([TO], template())
        .idempotency_key("same-key")
        .await
        .unwrap();
    assert!(response.idempotent_replayed());
    assert_eq!(response.original_request_id(), Some("req_original_1"));
    assert_eq!(response.idempotency_key(), Some("same-key"));

    let server = Server::script(vec![Reply::ok(sent_message())]).await;
    let fresh = client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap();
    assert!(!fresh.idempotent_replayed());
    assert_eq!(fresh.original_request_id(), None);
}

#[tokio::test]
async fn rate_limit_headers_are_read_from_responses_and_errors() {
    let reset = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 42;
    let server = Server::script(vec![
        Reply::ok(sent_message())
            .header("x-ratelimit-limit", "200")
            .header("x-ratelimit-remaining", "199")
            .header("x-ratelimit-reset", reset.to_string()),
    ])
    .await;
    let response = client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap();
    let limit = response.rate_limit().unwrap();
    assert_eq!(limit.limit, Some(200));
    assert_eq!(limit.remaining, Some(199));
    assert_eq!(
        limit.reset,
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(reset))
    );
    assert_eq!(limit.retry_after, None);
    let reset_in = limit.reset_in().unwrap();
    assert!(reset_in <= Duration::from_secs(42) && reset_in > Duration::from_secs(30));

    let server = Server::script(vec![
        Reply::error(429, "BUSINESS_002", "Rate limit exceeded")
            .header("x-ratelimit-limit", "60")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", reset.to_string())
            .header("retry-after", "9000"),
    ])
    .await;
    let error = client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap_err();
    let limit = error.rate_limit().unwrap();
    assert_eq!((limit.limit, limit.remaining), (Some(60), Some(0)));
    assert_eq!(limit.retry_after, Some(Duration::from_secs(9000)));
    let api = error.as_api().unwrap();
    assert_eq!(api.rate_limit(), Some(limit));
    assert_eq!(api.error_code(), ErrorCode::Business002);
    assert_eq!(
        api.doc_url(),
        Some("https://docs.sent.dm/errors/BUSINESS_002")
    );
    assert_eq!(api.headers().get("retry-after").unwrap(), "9000");

    let server = Server::script(vec![Reply::ok(sent_message())]).await;
    let plain = client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap();
    assert_eq!(plain.rate_limit(), None);
}

#[tokio::test]
async fn unknown_and_missing_error_codes() {
    let server = Server::script(vec![Reply::error(400, "VALIDATION_999", "New rule")]).await;
    let error = client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap_err();
    let code = error.error_code().unwrap();
    assert_eq!(code, ErrorCode::Unknown("VALIDATION_999".to_owned()));
    assert!(!code.is_known());

    let server = Server::script(vec![Reply::json(
        400,
        serde_json::json!({"success": false}),
    )])
    .await;
    let error = client(&server)
        .messages()
        .send([TO], template())
        .await
        .unwrap_err();
    assert_eq!(error.error_code(), None);
    assert_eq!(
        error.as_api().unwrap().error_code(),
        ErrorCode::Unknown(String::new())
    );
}
