#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every kind of scripted fault, seen from the wire.

mod common;

use std::time::{Duration, Instant};

use common::Api;
use reqwest::Method;
use sentdm_mock::Fault;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends a raw HTTP/1.1 request and reads until the server closes; returns the bytes read and
/// the error that ended the read, if any.
async fn raw(
    api: &Api,
    method: &str,
    path: &str,
    body: &str,
    extra: &str,
) -> (Vec<u8>, Option<std::io::ErrorKind>) {
    let mut stream = TcpStream::connect(api.server.addr()).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {}\r\nx-api-key: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n{body}",
        api.server.addr(),
        api.server.api_key(),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(0)) => return (out, None),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Ok(Err(e)) => return (out, Some(e.kind())),
            Err(_) => panic!("the server neither answered nor closed"),
        }
    }
}

fn split(response: &[u8]) -> (String, Vec<u8>) {
    let at = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no end of headers");
    (
        String::from_utf8_lossy(&response[..at]).to_lowercase(),
        response[at + 4..].to_vec(),
    )
}

#[tokio::test]
async fn status_faults_with_html_and_json_bodies_limited_to_n_and_a_route() {
    let api = Api::new();
    let tid = api.template("t", "Hello").await;
    let rule = api
        .server
        .fault(Fault::status(503).html("<h1>down</h1>"))
        .times(2)
        .on("POST", "/v3/messages");
    // Other routes are untouched.
    assert_eq!(api.get("/v3/me").await.status, 200);
    let body = json!({"to": ["+14155551234"], "template": {"id": tid}});
    for _ in 0..2 {
        let a = api.post("/v3/messages", body.clone()).await;
        assert_eq!(a.status, 503);
        assert_eq!(a.text, "<h1>down</h1>");
        assert!(a.header("content-type").unwrap().starts_with("text/html"));
        assert!(a.header("x-request-id").is_some());
    }
    assert_eq!(rule.triggered(), 2);
    assert!(rule.is_exhausted());
    assert_eq!(api.server.send_count(), 0);
    assert_eq!(api.post("/v3/messages", body).await.status, 202);
    assert_eq!(api.server.send_count(), 1);

    // The default body is the documented error envelope for the status.
    api.server.fault(Fault::status(500));
    let a = api.get("/v3/me").await;
    assert_eq!(a.status, 500);
    assert_eq!(a.code(), "INTERNAL_001");
    assert_eq!(
        a.json()["meta"]["request_id"],
        json!(a.header("x-request-id").unwrap())
    );
    api.server
        .fault(Fault::status(429).header("Retry-After", "7"))
        .on("GET", "/v3/contacts");
    let a = api.get("/v3/contacts?page=1&page_size=1").await;
    assert_eq!(a.status, 429);
    assert_eq!(a.code(), "BUSINESS_002");
    assert_eq!(a.header("retry-after").as_deref(), Some("7"));

    api.server
        .fault(Fault::status(502).json(json!({"oops": true})))
        .on("*", "/v3/contacts/{id}");
    let a = api
        .get("/v3/contacts/6ba7b810-9dad-11d1-80b4-00c04fd430c8")
        .await;
    assert_eq!(a.status, 502);
    assert_eq!(a.json(), json!({"oops": true}));

    let log = api.server.requests();
    assert_eq!(log.last().unwrap().fault.as_deref(), Some("status 502"));
}

#[tokio::test]
async fn faults_are_consumed_in_order() {
    let api = Api::new();
    api.server.fault(Fault::status(500));
    api.server.fault(Fault::status(503)).times(2);
    api.server.fault(Fault::status(504));
    let statuses: Vec<u16> = {
        let mut v = Vec::new();
        for _ in 0..5 {
            v.push(api.get("/v3/me").await.status);
        }
        v
    };
    assert_eq!(statuses, vec![500, 503, 503, 504, 200]);

    let always = api.server.fault(Fault::status(500)).always();
    for _ in 0..3 {
        assert_eq!(api.get("/v3/me").await.status, 500);
    }
    always.cancel();
    assert_eq!(api.get("/v3/me").await.status, 200);
    api.server.fault(Fault::status(500)).times(5);
    api.server.clear_faults();
    assert_eq!(api.get("/v3/me").await.status, 200);
}

#[tokio::test]
async fn delays() {
    let api = Api::new();
    api.server.fault(Fault::delay(Duration::from_millis(300)));
    let t = Instant::now();
    let a = api.get("/v3/me").await;
    assert_eq!(a.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));

    api.server
        .fault(Fault::status(503).delayed(Duration::from_millis(200)));
    let t = Instant::now();
    assert_eq!(api.get("/v3/me").await.status, 503);
    assert!(t.elapsed() >= Duration::from_millis(200));

    // A client timeout shorter than the delay fails the request.
    api.server.fault(Fault::delay(Duration::from_millis(800)));
    let err = api
        .http
        .get(api.url("/v3/me"))
        .header("x-api-key", api.server.api_key())
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
}

#[tokio::test]
async fn reset_before_processing_changes_nothing() {
    let api = Api::new();
    let before =
        api.get("/v3/contacts?page=1&page_size=5").await.data()["pagination"]["total_count"]
            .clone();
    api.server
        .fault(Fault::reset_before_processing())
        .on("POST", "/v3/contacts");
    let (bytes, err) = raw(
        &api,
        "POST",
        "/v3/contacts",
        r#"{"phone_number":"+14155550177"}"#,
        "",
    )
    .await;
    assert!(bytes.is_empty(), "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(err, Some(std::io::ErrorKind::ConnectionReset));
    let list = api.get("/v3/contacts?page=1&page_size=5").await;
    assert_eq!(list.data()["pagination"]["total_count"], before);
    let log = api.server.requests();
    assert_eq!(log[1].status, None);
    assert_eq!(log[1].fault.as_deref(), Some("reset before processing"));

    // reqwest sees a connection error, not a response.
    api.server.fault(Fault::reset_before_processing());
    let err = api
        .http
        .get(api.url("/v3/me"))
        .header("x-api-key", api.server.api_key())
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn reset_after_processing_keeps_the_send_and_the_idempotent_response() {
    let api = Api::new();
    let tid = api.template("t", "Hello").await;
    api.server
        .fault(Fault::reset_after_processing())
        .on("POST", "/v3/messages");
    let body = json!({"to": ["+14155551234"], "template": {"id": tid}}).to_string();
    let (bytes, err) = raw(
        &api,
        "POST",
        "/v3/messages",
        &body,
        "idempotency-key: after-reset\r\n",
    )
    .await;
    assert!(bytes.is_empty());
    assert_eq!(err, Some(std::io::ErrorKind::ConnectionReset));
    assert_eq!(api.server.send_count(), 1);
    let log = api.server.requests();
    assert_eq!(log.last().unwrap().status, None);

    // The retry with the same key replays the response the client never saw.
    let retry = api
        .call(
            Method::POST,
            "/v3/messages",
            Some(serde_json::from_str(&body).unwrap()),
            &[("Idempotency-Key", "after-reset")],
        )
        .await;
    assert_eq!(retry.status, 202);
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(
        retry.header("x-original-request-id"),
        Some(api.server.sends()[0].request_id.clone())
    );
    assert_eq!(api.server.send_count(), 1);
}

#[tokio::test]
async fn truncated_body_with_content_length() {
    let api = Api::new();
    api.server
        .fault(Fault::truncated_body())
        .on("POST", "/v3/contacts");
    let (bytes, _) = raw(
        &api,
        "POST",
        "/v3/contacts",
        r#"{"phone_number":"+14155550177"}"#,
        "",
    )
    .await;
    let (head, body) = split(&bytes);
    assert!(head.starts_with("http/1.1 201"), "{head}");
    let declared: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(body.len() < declared, "{} of {declared}", body.len());
    assert!(!body.is_empty());
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
    // It was processed.
    let found = api
        .get("/v3/contacts?page=1&page_size=5&phone=%2B14155550177")
        .await;
    assert_eq!(found.data()["pagination"]["total_count"], json!(1));

    // reqwest fails while reading the body.
    api.server.fault(Fault::truncated_body());
    let resp = api
        .http
        .get(api.url("/v3/me"))
        .header("x-api-key", api.server.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.is_err());
}

#[tokio::test]
async fn truncated_chunked_body() {
    let api = Api::new();
    api.server.fault(Fault::truncated_chunked_body());
    let (bytes, _) = raw(&api, "GET", "/v3/me", "", "").await;
    let (head, body) = split(&bytes);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    assert!(!head.contains("content-length"));
    assert!(!body.is_empty());
    assert!(
        !body.ends_with(b"0\r\n\r\n"),
        "the terminating chunk was sent"
    );
}

#[tokio::test]
async fn invalid_json_and_unsuccessful_envelope_on_200() {
    let api = Api::new();
    api.server.fault(Fault::invalid_json());
    let a = api.get("/v3/me").await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.header("content-type").as_deref(),
        Some("application/json")
    );
    assert!(serde_json::from_str::<serde_json::Value>(&a.text).is_err());

    api.server.fault(Fault::unsuccessful_envelope());
    let a = api.get("/v3/me").await;
    assert_eq!(a.status, 200);
    let v = a.json();
    assert_eq!(v["success"], json!(false));
    assert_eq!(v["data"], json!(null));
    assert_eq!(v["error"]["code"], json!("INTERNAL_001"));

    api.server.fault(Fault::status(204).empty_body());
    let a = api.get("/v3/me").await;
    assert_eq!(a.status, 204);
    assert!(a.text.is_empty());
}
