//! A broken or hostile server, and misuse by the caller, over loopback HTTP: bodies past the
//! size limit, resets after processing, redirects to another origin, headers that frame or
//! route the message, paths the URL parser would rewrite, waits past the deadline, pages that
//! repeat forever and deeply nested members.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod runtime_support;

use std::collections::BTreeMap;
use std::error::Error as _;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use runtime_support::{KEY, Reply, Server, client, contact_json, fast_retries, sent_message};
use sentdm_client::runtime::{OperationRequest, RequestOptions, Runtime};
use sentdm_client::types::{ContactId, TemplateRef};
use sentdm_client::{Client, Error, RetryPolicy, operations};
use sentdm_mock::{Fault, MockServer};
use serde_json::{Value, json};

const CONTACT_ID: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

fn send(client: &Client) -> sentdm_client::resources::messages::SendRequest {
    client
        .messages()
        .send(["+14155551234"], TemplateRef::by_name("welcome"))
}

fn contact_id() -> ContactId {
    CONTACT_ID.parse().unwrap()
}

fn contact(id: &str) -> Value {
    contact_json(id, "+14155551234")
}

#[tokio::test]
async fn bodies_past_the_limit_fail_with_the_limit_status_and_request_id() {
    let padding = "x".repeat(100_000);
    let server = Server::start(move |_, seen| {
        if seen.path.starts_with("/v3/messages") {
            Reply::ok(json!({"padding": padding})).header("x-request-id", "req_big")
        } else {
            Reply::error(500, "INTERNAL_001", &padding).header("x-request-id", "req_big_error")
        }
    })
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .retry_policy(fast_retries())
        .max_response_bytes(10_000)
        .build()
        .unwrap();

    let error = send(&client).idempotency_key("big-1").await.unwrap_err();
    match &error {
        Error::ResponseTooLarge {
            limit,
            status,
            request_id,
            ..
        } => {
            assert_eq!(*limit, 10_000);
            assert_eq!(status.as_u16(), 200);
            assert_eq!(request_id.as_deref(), Some("req_big"));
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    assert_eq!(error.idempotency_key(), Some("big-1"));
    assert_eq!(error.request_id(), Some("req_big"));
    assert!(
        error.to_string().contains("limit of 10000 bytes"),
        "{error}"
    );
    // Not retried: the same request gets the same body.
    assert_eq!(server.count(), 1);

    // Error bodies are held to the same limit.
    let error = client.contacts().get(contact_id()).await.unwrap_err();
    assert!(
        matches!(&error, Error::ResponseTooLarge { status, .. } if status.as_u16() == 500),
        "{error:?}"
    );
    assert_eq!(error.request_id(), Some("req_big_error"));
    assert_eq!(server.count(), 2);

    // A request can raise its own limit.
    let sent = send(&client)
        .options(RequestOptions::new().max_response_bytes(1_000_000))
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 200);
}

#[tokio::test]
async fn the_key_of_a_send_the_server_processed_survives_a_reset() {
    let mock = MockServer::builder()
        .require_known_templates(false)
        .start()
        .unwrap();
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .max_retries(0)
        .build()
        .unwrap();
    let before = mock.send_count();
    let _rule = mock
        .fault(Fault::reset_after_processing())
        .on("POST", "/v3/messages")
        .times(1);

    // The server stored the message, then the connection dropped: the caller is told which
    // key the request carried, although no response ever arrived.
    let error = send(&client).await.unwrap_err();
    assert!(
        matches!(error, Error::Transport { .. } | Error::Connection { .. }),
        "{error:?}"
    );
    let key = error
        .idempotency_key()
        .expect("the error keeps the key")
        .to_owned();
    assert!(key.starts_with("sentdm-"), "{key}");
    assert_eq!(mock.send_count(), before + 1);

    // Retrying by hand with that key replays the stored outcome instead of sending again.
    let sent = send(&client).idempotency_key(&key).await.unwrap();
    assert!(sent.idempotent_replayed());
    assert_eq!(sent.idempotency_key(), Some(key.as_str()));
    assert_eq!(mock.send_count(), before + 1);
}

#[tokio::test]
async fn every_error_after_the_request_was_built_carries_the_key() {
    let server = Server::start(|n, _| match n {
        0 => Reply::ok(sent_message()).delayed(Duration::from_secs(5)),
        1 => Reply::json(202, json!({"success": true, "data": {"recipients": 7}})),
        _ => Reply::error(400, "VALIDATION_004", "bad"),
    })
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .max_retries(0)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let timeout = send(&client)
        .idempotency_key("k-timeout")
        .await
        .unwrap_err();
    assert!(timeout.is_timeout(), "{timeout:?}");
    assert_eq!(timeout.idempotency_key(), Some("k-timeout"));
    let decode = send(&client).idempotency_key("k-decode").await.unwrap_err();
    assert!(matches!(decode, Error::Decode(_)), "{decode:?}");
    assert_eq!(decode.idempotency_key(), Some("k-decode"));
    assert_eq!(
        decode.as_decode().unwrap().idempotency_key(),
        Some("k-decode")
    );
    let api = send(&client).await.unwrap_err();
    assert!(
        api.idempotency_key()
            .is_some_and(|k| k.starts_with("sentdm-"))
    );
    // A read carries no key.
    let read = client.contacts().get(contact_id()).await.unwrap_err();
    assert_eq!(read.idempotency_key(), None);
}

#[tokio::test]
async fn redirects_are_never_followed_even_by_a_caller_supplied_client() {
    let elsewhere = Server::start(|_, _| Reply::ok(contact(CONTACT_ID))).await;
    let target = format!("{}/v3/contacts/{CONTACT_ID}", elsewhere.base);
    let server = Server::start(move |_, _| Reply::empty(307).header("location", &target)).await;
    // A builder that asks for redirects to be followed.
    let following = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(5));
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .http_client_builder(following)
        .max_retries(0)
        .build()
        .unwrap();
    let error = client.contacts().get(contact_id()).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(307), "{error:?}");
    assert_eq!(server.count(), 1);
    assert_eq!(elsewhere.count(), 0, "the API key went to another origin");
}

#[tokio::test]
async fn headers_that_frame_route_or_authenticate_are_refused_before_io() {
    let server = Server::start(|_, _| Reply::ok(sent_message())).await;
    let client = client(&server);
    for name in [
        "Content-Length",
        "transfer-encoding",
        "Host",
        "connection",
        "keep-alive",
        "TE",
        "upgrade",
        "x-api-key",
        "Authorization",
        "proxy-authorization",
    ] {
        let error = send(&client)
            .options(RequestOptions::new().header(name, "1"))
            .await
            .unwrap_err();
        match &error {
            Error::InvalidRequest { field, message } => {
                assert_eq!(field, name);
                assert!(
                    message.starts_with("cannot be set per request"),
                    "{message}"
                );
            }
            other => panic!("{name}: expected InvalidRequest, got {other:?}"),
        }
    }
    // The runtime builder refuses them as default headers too.
    for name in ["content-length", "Host", "x-api-key", "authorization"] {
        let built = Runtime::builder(&sentdm_client::API)
            .credential(KEY)
            .base_url(&server.base)
            .default_header(name, "1")
            .build();
        match built {
            Err(Error::Config { message }) => {
                assert!(message.contains("cannot be set"), "{name}: {message}");
            }
            other => panic!("{name}: expected a configuration error, got {other:?}"),
        }
    }
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn documented_header_parameters_given_as_options_are_checked_like_their_setters() {
    let server = Server::start(|_, _| Reply::ok(sent_message())).await;
    let client = client(&server);
    for (name, value, expected) in [
        (
            "Idempotency-Key",
            "has spaces",
            "must match ^[a-zA-Z0-9_-]+$",
        ),
        ("idempotency-key", "", "must match ^[a-zA-Z0-9_-]+$"),
        ("x-profile-id", "not-a-uuid", "must be a UUID"),
    ] {
        let error = send(&client)
            .options(RequestOptions::new().header(name, value))
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(text.contains(expected), "{name}: {text}");
    }
    let long = "k".repeat(256);
    let error = send(&client)
        .options(RequestOptions::new().header("Idempotency-Key", long))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("at most 255"), "{error}");
    assert_eq!(server.count(), 0);

    // A valid one is sent, and reported as the key used.
    let sent = send(&client)
        .options(RequestOptions::new().header("Idempotency-Key", "order-12345"))
        .await
        .unwrap();
    assert_eq!(sent.idempotency_key(), Some("order-12345"));
    assert_eq!(
        server.seen()[0].header("idempotency-key"),
        Some("order-12345")
    );
}

#[tokio::test]
async fn raw_paths_the_url_parser_would_rewrite_are_refused() {
    let server = Server::start(|_, _| Reply::ok(contact(CONTACT_ID))).await;
    let client = client(&server);
    for path in [
        "/v3/contacts/..\\webhooks",
        "/v3/contacts/a\\b",
        "/v3/contacts/a\tb",
        "/v3/contacts/a\rb",
        "/v3/contacts/a\nb",
    ] {
        let request = OperationRequest::new(&operations::CONTACTS_GET, path);
        let error = client
            .runtime()
            .execute::<Value>(request)
            .await
            .unwrap_err();
        match &error {
            Error::InvalidRequest { field, message } => {
                assert_eq!(field, "path");
                assert!(message.contains("must not contain"), "{message}");
            }
            other => panic!("{path:?}: expected InvalidRequest, got {other:?}"),
        }
    }
    assert_eq!(server.count(), 0);
}

/// The deadline text somewhere in the error's source chain.
fn deadline_passed(error: &Error) -> bool {
    let mut source = error.source();
    while let Some(cause) = source {
        if cause.to_string().contains("deadline") {
            return true;
        }
        source = cause.source();
    }
    false
}

#[tokio::test]
async fn the_deadline_bounds_attempts_and_waits() {
    // A server slower than the deadline: the attempt is cut off at the deadline.
    let slow =
        Server::start(|_, _| Reply::ok(contact(CONTACT_ID)).delayed(Duration::from_secs(30))).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&slow.base)
        .retry_policy(fast_retries())
        .deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client.contacts().get(contact_id()).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(deadline_passed(&error), "{error:?}");
    assert_eq!(slow.count(), 1);

    // A per-request deadline replaces the client's.
    let error = client
        .contacts()
        .get(contact_id())
        .options(RequestOptions::new().deadline(Duration::from_millis(100)))
        .await
        .unwrap_err();
    assert!(deadline_passed(&error), "{error:?}");

    // A backoff that would end past the deadline is not waited for.
    let failing = Server::start(|_, _| Reply::error(503, "INTERNAL_002", "unavailable")).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&failing.base)
        .retry_policy(
            RetryPolicy::new()
                .max_retries(5)
                .base_delay(Duration::from_secs(20))
                .max_delay(Duration::from_secs(20)),
        )
        .deadline(Duration::from_secs(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.contacts().get(contact_id()).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(failing.count(), 1);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_retry_after_longer_than_the_time_left_ends_the_call_with_the_rate_limit_error() {
    let server = Server::start(|_, _| {
        Reply::error(429, "RATE_LIMIT_001", "slow down").header("retry-after", "30")
    })
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        // The policy alone would wait 30 s and retry.
        .retry_policy(
            RetryPolicy::new()
                .max_retries(3)
                .max_retry_after(Duration::from_secs(60)),
        )
        .deadline(Duration::from_secs(20))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = send(&client).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.code(), Some("RATE_LIMIT_001"));
    assert_eq!(
        error.rate_limit().and_then(|r| r.retry_after),
        Some(Duration::from_secs(30))
    );
    assert_eq!(server.count(), 1);
    // It did not sleep through the 30 s the server asked for.
    assert!(started.elapsed() < Duration::from_secs(20));
}

fn page(ids: &[&str], has_more: bool) -> Reply {
    let contacts: Vec<Value> = ids.iter().map(|id| contact(id)).collect();
    Reply::ok(json!({
        "contacts": contacts,
        "pagination": {
            "page": 1,
            "page_size": ids.len(),
            "total_count": ids.len(),
            "total_pages": 1,
            "has_more": has_more
        }
    }))
}

#[tokio::test]
async fn a_page_served_again_ends_the_stream_with_a_typed_error() {
    const A: [&str; 2] = [
        "6ba7b810-9dad-11d1-80b4-00c04fd430c1",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c2",
    ];
    const B: [&str; 1] = ["6ba7b810-9dad-11d1-80b4-00c04fd430c3"];
    // The same page forever, always saying more follow.
    let stuck = Server::start(|_, _| page(&A, true)).await;
    let items: Vec<Result<_, Error>> = client(&stuck).contacts().list().items().collect().await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[..2].iter().all(Result::is_ok));
    match &items[2] {
        Err(Error::RepeatedPage { page, earlier, .. }) => assert_eq!((*page, *earlier), (2, 1)),
        other => panic!("expected RepeatedPage, got {other:?}"),
    }
    assert_eq!(stuck.count(), 2);

    // Two pages in turn are caught as well.
    let alternating = Server::start(|n, _| {
        if n % 2 == 0 {
            page(&A, true)
        } else {
            page(&B, true)
        }
    })
    .await;
    let pages: Vec<_> = client(&alternating)
        .contacts()
        .list()
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 3);
    assert!(matches!(
        pages[2],
        Err(Error::RepeatedPage {
            page: 3,
            earlier: 1,
            ..
        })
    ));
    assert_eq!(alternating.count(), 3);

    // An honest last page still ends the stream without an error.
    let honest = Server::start(|n, _| {
        if n == 0 {
            page(&A, true)
        } else {
            page(&B, false)
        }
    })
    .await;
    let items: Vec<_> = client(&honest).contacts().list().items().collect().await;
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(Result::is_ok));
}

/// `depth` nested arrays around `inner`.
fn nested(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test]
async fn deeply_nested_members_that_are_skipped_never_fail_a_response() {
    let deep = nested(100_000, "1");
    let members = contact(CONTACT_ID).to_string();
    let members = members.trim_start_matches('{').trim_end_matches('}');
    let body = format!(
        r#"{{"success": true, "data": {{{members}, "unknown": {deep}}}, "error": null,
            "meta": {{"request_id": "req_deep", "trace": {{"spans": {deep}}}, "version": "v3"}},
            "extra": {deep}}}"#
    );
    let server = Server::start(move |_, _| Reply {
        status: 200,
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body: body.clone(),
        delay: None,
    })
    .await;
    let contact = client(&server).contacts().get(contact_id()).await.unwrap();
    assert_eq!(contact.id.to_string(), CONTACT_ID);
    assert_eq!(contact.request_id(), Some("req_deep"));
    assert_eq!(contact.meta().version.as_deref(), Some("v3"));
}

#[tokio::test]
async fn decode_error_paths_are_shortened_to_a_readable_length() {
    let mut data = serde_json::Map::new();
    data.insert("k".repeat(5_000), json!({"inner": "not a number"}));
    let data = Value::Object(data);
    let server = Server::start(move |_, _| Reply::ok(data.clone())).await;
    let request = OperationRequest::new(
        &operations::CONTACTS_GET,
        format!("/v3/contacts/{CONTACT_ID}"),
    );
    let error = client(&server)
        .runtime()
        .execute::<BTreeMap<String, BTreeMap<String, u32>>>(request)
        .await
        .unwrap_err();
    let decode = error.as_decode().expect("a decode error");
    let path = decode.path();
    assert!(
        path.chars().count() <= 160,
        "{} characters",
        path.chars().count()
    );
    assert!(path.starts_with("data.kkkk"), "{path}");
    assert!(path.ends_with("kkk.inner"), "{path}");
    assert!(path.contains('…'), "{path}");
    assert_eq!(decode.request_id(), Some("req_ok"));
    assert!(error.to_string().len() < 600, "{error}");
}
