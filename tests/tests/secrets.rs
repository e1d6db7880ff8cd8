//! The API key appears nowhere a program might print or log it: not in the `Debug` output of
//! the client or its builder, not in the `Display` or `Debug` output of any error variant, and
//! not in `tracing` output captured at TRACE level while each of those errors happens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sentdm_client::types::TemplateRef;
use sentdm_client::{Client, Error, RetryPolicy};
use sentdm_mock::{Fault, MockServer};

const KEY: &str = "sk_live_7f3c9e21-SECRET-4b1d-9f3e-a7c2d8e0b5f4";

/// Collects everything tracing writes.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn client(base_url: &str, timeout: Duration) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .timeout(timeout)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(KEY), "{what} shows the API key: {text}");
    assert!(
        !text.contains("SECRET"),
        "{what} shows part of the API key: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_never_shows() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = MockServer::builder()
        .api_key(KEY)
        .require_known_templates(false)
        .start()
        .expect("mock");
    let client = client(mock.url(), Duration::from_secs(5));
    assert_clean("Debug of the client", &format!("{client:?}"));
    assert_clean(
        "Debug of the builder",
        &format!("{:?}", Client::builder().api_key(KEY)),
    );

    let send = || {
        client
            .messages()
            .send(["+14155551234"], TemplateRef::by_name("welcome"))
    };
    let mut errors: Vec<(&str, Error)> = Vec::new();

    // A successful call, traced too.
    send().await.expect("sent");
    // Api
    errors.push((
        "Api",
        client
            .contacts()
            .get(uuid::Uuid::new_v4())
            .await
            .expect_err("404"),
    ));
    // InvalidRequest
    errors.push((
        "InvalidRequest",
        client
            .messages()
            .send(["4155551234"], TemplateRef::by_name("w"))
            .await
            .expect_err("invalid"),
    ));
    // Decode
    mock.fault(Fault::invalid_json()).on("POST", "/v3/messages");
    errors.push(("Decode", send().await.expect_err("invalid JSON")));
    // Transport: the body is cut short.
    mock.fault(Fault::truncated_body())
        .on("POST", "/v3/messages");
    errors.push(("Transport", send().await.expect_err("truncated")));
    // Timeout
    mock.fault(Fault::delay(Duration::from_secs(2)))
        .on("POST", "/v3/messages");
    let slow = self::client(mock.url(), Duration::from_millis(200));
    errors.push((
        "Timeout",
        slow.messages()
            .send(["+14155551234"], TemplateRef::by_name("w"))
            .await
            .expect_err("timeout"),
    ));
    // Connection: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let unreachable = self::client(&format!("http://{closed}"), Duration::from_secs(2));
    errors.push((
        "Connection",
        unreachable.account().get().await.expect_err("refused"),
    ));
    // Config: a bad base URL, and a key that is not a valid header value.
    errors.push((
        "Config",
        Client::builder()
            .api_key(KEY)
            .base_url("ftp://example.com")
            .build()
            .expect_err("bad URL"),
    ));
    errors.push((
        "Config",
        Client::builder()
            .api_key(format!("{KEY}\n"))
            .build()
            .expect_err("bad key"),
    ));

    let mut kinds = Vec::new();
    for (kind, error) in &errors {
        let matched = matches!(
            (kind, error),
            (&"Api", Error::Api(_))
                | (&"InvalidRequest", Error::InvalidRequest { .. })
                | (&"Decode", Error::Decode(_))
                | (&"Transport", Error::Transport { .. })
                | (&"Timeout", Error::Timeout { .. })
                | (&"Connection", Error::Connection { .. })
                | (&"Config", Error::Config { .. })
        );
        assert!(matched, "expected a {kind} error, got {error:?}");
        assert_clean(&format!("Display of {kind}"), &error.to_string());
        assert_clean(&format!("Debug of {kind}"), &format!("{error:?}"));
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            assert_clean(&format!("a cause of {kind}"), &format!("{cause} {cause:?}"));
            source = cause.source();
        }
        kinds.push(*kind);
    }
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "Api",
            "InvalidRequest",
            "Decode",
            "Transport",
            "Timeout",
            "Connection",
            "Config"
        ]
    );

    let traced = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("UTF-8");
    assert!(
        traced.contains("api_request"),
        "tracing captured nothing: {traced}"
    );
    assert_clean("tracing output", &traced);
    // The request really carried the key: the secret is redacted, not absent.
    assert!(
        mock.requests()
            .iter()
            .any(|r| r.headers.iter().any(|(n, v)| n == "x-api-key" && v == KEY))
    );
}
