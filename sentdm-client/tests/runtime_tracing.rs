//! Tracing output of requests. These tests have their binary to themselves: each sets a
//! subscriber for its thread only, and a test running concurrently without one could make
//! tracing cache the callsites as disabled.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod runtime_support;

use std::sync::{Arc, Mutex};

use http::StatusCode;
use runtime_support::{KEY, Reply, Server, client, contact_json, sent_message};
use sentdm_client::Client;
use sentdm_client::types::TemplateRef;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

/// Captures everything traced on this thread at TRACE level until the guard is dropped.
fn capture() -> (Capture, tracing::subscriber::DefaultGuard) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .finish();
    (capture, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn tracing_shows_each_attempt_and_never_the_key() {
    let (capture, _guard) = capture();

    let server = Server::script(vec![
        Reply::error(503, "SERVICE_001", "Down"),
        Reply::ok(sent_message()),
    ])
    .await;
    let response = client(&server)
        .messages()
        .send(["+14155551234"], TemplateRef::by_name("welcome"))
        .idempotency_key("trace-key-1")
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let output = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(output.contains("api_attempt{attempt=1"), "{output}");
    assert!(output.contains("api_attempt{attempt=2"), "{output}");
    assert!(output.contains("retrying"), "{output}");
    assert!(output.contains("status=503"), "{output}");
    assert!(output.contains("attempts=2"), "{output}");
    assert!(!output.contains(KEY), "API key in logs: {output}");
}

#[tokio::test]
async fn spans_record_operation_path_template_status_and_request_id_only() {
    let (capture, _guard) = capture();

    let server = Server::script(vec![Reply::ok(contact_json(
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "+14155551234",
    ))])
    .await;
    let profile = uuid::Uuid::parse_str("770e8400-e29b-41d4-a716-446655440002").unwrap();
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .profile_id(profile)
        .build()
        .unwrap();
    let id = uuid::Uuid::parse_str("6ba7b810-9dad-11d1-80b4-00c04fd430c8").unwrap();
    client.contacts().get(id).await.unwrap();

    let output = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(output.contains("api_request"), "{output}");
    assert!(
        output.contains(
            r#"operation="SentDmServicesEndpointsCustomerAPIv3ContactsGetContactByIdEndpoint""#
        ),
        "{output}"
    );
    assert!(output.contains(r#"method="GET""#), "{output}");
    assert!(output.contains(r#"path="/v3/contacts/{id}""#), "{output}");
    assert!(output.contains("status=200"), "{output}");
    assert!(output.contains("request_id="), "{output}");
    assert!(!output.contains(KEY), "credential in logs: {output}");
    assert!(
        !output.contains(&profile.to_string()),
        "header value in logs: {output}"
    );
    assert!(
        !output.contains(&format!("/v3/contacts/{id}")),
        "expanded path in logs: {output}"
    );
}
