#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `POST /v3/webhooks/{id}/test` delivers a signed event to a receiver on loopback; the test
//! checks the signature with its own HMAC computation.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use common::Api;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

/// A delivery as the receiver saw it.
#[derive(Debug)]
struct Received {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header"))
    }
}

/// An HTTP receiver on 127.0.0.1 answering with a settable status.
struct Receiver {
    addr: SocketAddr,
    status: Arc<AtomicU16>,
    rx: mpsc::UnboundedReceiver<Received>,
}

async fn receiver() -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let status = Arc::new(AtomicU16::new(200));
    let (tx, rx) = mpsc::unbounded_channel();
    let answer = Arc::clone(&status);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            let answer = Arc::clone(&answer);
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let tx = tx.clone();
                    let answer = Arc::clone(&answer);
                    async move {
                        let method = req.method().to_string();
                        let path = req.uri().path().to_owned();
                        let headers = req
                            .headers()
                            .iter()
                            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
                            .collect();
                        let body = req.into_body().collect().await.unwrap().to_bytes().to_vec();
                        tx.send(Received {
                            method,
                            path,
                            headers,
                            body,
                        })
                        .unwrap();
                        let mut resp = hyper::Response::new(Full::new(bytes::Bytes::from_static(
                            b"{\"received\":true}",
                        )));
                        *resp.status_mut() =
                            hyper::StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap();
                        Ok::<_, Infallible>(resp)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Receiver { addr, status, rx }
}

/// The expected signature, computed here from the documented scheme.
fn expected_signature(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> String {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

async fn create_webhook(api: &Api, url: &str) -> (String, String) {
    let a = api
        .post(
            "/v3/webhooks",
            json!({"display_name": "Receiver", "endpoint_url": url, "event_types": ["messages"]}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let d = a.data();
    (
        d["id"].as_str().unwrap().to_owned(),
        d["signing_secret"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn test_event_is_delivered_signed() {
    let api = Api::new();
    let mut rx = receiver().await;
    let (id, secret) = create_webhook(&api, &format!("http://{}/hooks/sent", rx.addr)).await;

    let a = api
        .post(
            &format!("/v3/webhooks/{id}/test"),
            json!({"event_type": "message.delivered"}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.data()["success"], json!(true));
    assert!(a.data()["message"].as_str().unwrap().contains("delivered"));

    let got = rx.rx.recv().await.unwrap();
    assert_eq!(got.method, "POST");
    assert_eq!(got.path, "/hooks/sent");
    assert_eq!(got.header("content-type"), "application/json");
    assert_eq!(got.header("x-webhook-id"), id);
    assert_eq!(got.header("x-webhook-event-type"), "messages");
    let ts = got.header("x-webhook-timestamp").to_owned();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sent_at: u64 = ts.parse().unwrap();
    assert!(sent_at <= now && now - sent_at < 10);
    assert_eq!(
        got.header("x-webhook-signature"),
        expected_signature(&secret, &id, &ts, &got.body)
    );

    let payload: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(payload["field"], json!("messages"));
    assert_eq!(payload["payload"]["message_status"], json!("DELIVERED"));
    assert_eq!(payload["payload"]["channel"], json!("sms"));
    assert_eq!(payload["payload"]["message_id"].as_str().unwrap().len(), 36);

    // The attempt is in the webhook's event log and on the webhook.
    let events = api
        .get(&format!("/v3/webhooks/{id}/events?page=1&page_size=10"))
        .await;
    assert_eq!(events.status, 200);
    let e = &events.data()["events"][0];
    assert_eq!(e["event_type"], json!("message.delivered"));
    assert_eq!(e["delivery_status"], json!("delivered"));
    assert_eq!(e["http_status_code"], json!(200));
    assert_eq!(e["event_data"], payload);
    let w = api.get(&format!("/v3/webhooks/{id}")).await.data();
    assert!(w["last_successful_delivery_at"].is_string());
    assert_eq!(w["consecutive_failures"], json!(0));
}

#[tokio::test]
async fn rotated_secret_signs_the_next_delivery() {
    let api = Api::new();
    let mut rx = receiver().await;
    let (id, old) = create_webhook(&api, &format!("http://localhost:{}/h", rx.addr.port())).await;
    let rotated = api
        .post(&format!("/v3/webhooks/{id}/rotate-secret"), json!({}))
        .await
        .data()["signing_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = api
        .post(
            &format!("/v3/webhooks/{id}/test"),
            json!({"event_type": "templates"}),
        )
        .await;
    assert_eq!(a.data()["success"], json!(true), "{}", a.text);
    let got = rx.rx.recv().await.unwrap();
    assert_eq!(got.header("x-webhook-event-type"), "templates");
    let ts = got.header("x-webhook-timestamp");
    let sig = got.header("x-webhook-signature");
    assert_eq!(sig, expected_signature(&rotated, &id, ts, &got.body));
    assert_ne!(sig, expected_signature(&old, &id, ts, &got.body));
    let payload: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(payload["field"], json!("templates"));
}

#[tokio::test]
async fn failed_deliveries_are_reported() {
    let api = Api::new();
    let rx = receiver().await;
    rx.status.store(500, Ordering::SeqCst);
    let (id, _) = create_webhook(&api, &format!("http://{}/h", rx.addr)).await;
    let a = api
        .post(
            &format!("/v3/webhooks/{id}/test"),
            json!({"event_type": "messages"}),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.data()["success"], json!(false));
    assert!(a.data()["message"].as_str().unwrap().contains("500"));
    let w = api.get(&format!("/v3/webhooks/{id}")).await.data();
    assert_eq!(w["consecutive_failures"], json!(1));
    let events = api
        .get(&format!("/v3/webhooks/{id}/events?page=1&page_size=10"))
        .await;
    assert_eq!(
        events.data()["events"][0]["delivery_status"],
        json!("failed")
    );

    // Nothing listening.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (id, _) = create_webhook(&api, &format!("http://{closed}/h")).await;
    let a = api
        .post(
            &format!("/v3/webhooks/{id}/test"),
            json!({"event_type": "messages"}),
        )
        .await;
    assert_eq!(a.data()["success"], json!(false));
}

#[tokio::test]
async fn only_loopback_hosts_by_default() {
    let api = Api::new();
    // Refused before any connection is attempted.
    let (id, _) = create_webhook(&api, "https://hooks.example.com/sent").await;
    let a = api
        .post(
            &format!("/v3/webhooks/{id}/test"),
            json!({"event_type": "messages"}),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.data()["success"], json!(false));
    assert!(a.data()["message"].as_str().unwrap().contains("loopback"));
}

#[tokio::test]
async fn sandbox_and_missing_webhooks_deliver_nothing() {
    let api = Api::new();
    let mut rx = receiver().await;
    let (id, _) = create_webhook(&api, &format!("http://{}/h", rx.addr)).await;
    let a = api
        .post(
            &format!("/v3/webhooks/{id}/test"),
            json!({"event_type": "messages", "sandbox": true}),
        )
        .await;
    assert_eq!(a.header("x-sandbox").as_deref(), Some("true"));
    assert!(rx.rx.try_recv().is_err());

    let missing = api
        .post(
            "/v3/webhooks/6ba7b810-9dad-11d1-80b4-00c04fd430c8/test",
            json!({"event_type": "messages"}),
        )
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code(), "RESOURCE_008");
    let no_type = api
        .post(&format!("/v3/webhooks/{id}/test"), json!({}))
        .await;
    assert_eq!(no_type.status, 400);
    assert!(no_type.json()["error"]["details"]["event_type"].is_array());
}
