//! The client against the mock API: page streams over several pages, the sandbox switch, the
//! profile header and per-request overrides, end to end.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use sentdm_client::types::TemplateRef;
use sentdm_client::{Client, ClientBuilder, Error, RequestOptions, RetryPolicy};
use sentdm_mock::{Fault, MockServer};

fn builder(mock: &MockServer) -> ClientBuilder {
    Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .retry_policy(RetryPolicy::new().base_delay(Duration::from_millis(20)))
}

fn list_requests(mock: &MockServer) -> Vec<String> {
    mock.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/v3/contacts")
        .map(|r| r.query.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn page_streams_walk_every_page_lazily() {
    // Without the docs' example contacts: the pages hold exactly the 45 created here.
    let mock = MockServer::builder().seeded(false).start().unwrap();
    let client = builder(&mock).build().unwrap();
    for n in 0..45 {
        client
            .contacts()
            .create(format!("+1415555{n:04}"))
            .await
            .unwrap();
    }

    let phones: Vec<String> = client
        .contacts()
        .list()
        .page_size(20)
        .items()
        .map_ok(|c| c.phone_number)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(phones.len(), 45);
    assert_eq!(
        phones
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        45,
        "no contact twice"
    );
    assert_eq!(
        list_requests(&mock),
        [
            "page=1&page_size=20",
            "page=2&page_size=20",
            "page=3&page_size=20"
        ]
    );

    // Two pages taken: the third is never requested.
    let before = list_requests(&mock).len();
    let pages: Vec<_> = client
        .contacts()
        .list()
        .page_size(20)
        .pages()
        .take(2)
        .collect()
        .await;
    assert_eq!(pages.len(), 2);
    assert!(pages.iter().all(Result::is_ok));
    assert_eq!(list_requests(&mock).len() - before, 2);
}

#[tokio::test]
async fn the_sandbox_switch_changes_nothing_and_can_be_overridden() {
    let mock = MockServer::builder()
        .require_known_templates(false)
        .seeded(false)
        .start()
        .unwrap();
    let sandboxed = builder(&mock).sandbox(true).build().unwrap();

    let created = sandboxed.contacts().create("+14155550100").await.unwrap();
    assert!(created.is_sandbox(), "X-Sandbox: true");
    let sent = sandboxed
        .messages()
        .send(["+14155550100"], TemplateRef::by_name("w"))
        .await
        .unwrap();
    assert!(sent.is_sandbox());
    assert_eq!(mock.send_count(), 0, "a sandbox send is not recorded");
    let listed = sandboxed.contacts().list().await.unwrap();
    assert_eq!(listed.contacts.len(), 0, "nothing was stored");

    // A request saying `sandbox(false)` is real even on a sandboxed client.
    let real = sandboxed
        .contacts()
        .create("+14155550101")
        .sandbox(false)
        .await
        .unwrap();
    assert!(!real.is_sandbox());
    let listed = sandboxed.contacts().list().await.unwrap();
    assert_eq!(listed.contacts.len(), 1);
}

#[tokio::test]
async fn the_profile_header_is_client_wide_and_per_request() {
    let mock = MockServer::start().unwrap();
    // Two profiles of the mock's organization, from the docs' examples.
    let org_profile = uuid::Uuid::parse_str("770e8400-e29b-41d4-a716-446655440002").unwrap();
    let other = uuid::Uuid::parse_str("660e8400-e29b-41d4-a716-446655440001").unwrap();
    let client = builder(&mock).profile_id(org_profile).build().unwrap();

    client.contacts().list().await.unwrap();
    client.contacts().list().profile_id(other).await.unwrap();
    let seen: Vec<Vec<String>> = mock
        .requests()
        .iter()
        .map(|r| {
            r.headers
                .iter()
                .filter(|(n, _)| n == "x-profile-id")
                .map(|(_, v)| v.clone())
                .collect()
        })
        .collect();
    assert_eq!(
        seen,
        [vec![org_profile.to_string()], vec![other.to_string()]]
    );
}

#[tokio::test]
async fn per_request_options_override_the_client() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).build().unwrap();

    // No retries for this request: one attempt, the 503 is the answer.
    mock.fault(Fault::status(503)).times(1).on("GET", "/v3/me");
    let error = client
        .account()
        .get()
        .options(RequestOptions::new().max_retries(0))
        .await
        .expect_err("503 without retries");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(error.is_retryable());
    // The client's own policy retries the same fault.
    mock.fault(Fault::status(503)).times(1).on("GET", "/v3/me");
    client.account().get().await.expect("retried");
    assert_eq!(
        mock.requests()
            .iter()
            .filter(|r| r.path == "/v3/me")
            .count(),
        3
    );

    // A shorter timeout for one request.
    mock.fault(Fault::delay(Duration::from_millis(800)))
        .times(1)
        .on("GET", "/v3/me");
    let error = client
        .account()
        .get()
        .options(
            RequestOptions::new()
                .timeout(Duration::from_millis(100))
                .max_retries(0),
        )
        .await
        .expect_err("timed out");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}
