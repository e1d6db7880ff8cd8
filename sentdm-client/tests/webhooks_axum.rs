//! The axum extractors, served on loopback and called over TCP.

#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{FromRef, State};
use axum::routing::post;
use axum::{Json, Router};
use sentdm_client::types::{Channel, MessageStatus};
use sentdm_client::webhooks::axum::VerifiedWebhook;
use sentdm_client::webhooks::{Event, Signer, Verifier, WebhookEvent};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

const SECRET: &str = "whsec_a1b2c3d4e5f6g7h8i9j0";
const KEY_TEXT: &str = "a1b2c3d4e5f6g7h8i9j0";
const WEBHOOK_ID: &str = "d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8";
const BODY: &str = r#"{"field":"messages","payload":{"message_id":"8ba7b830-9dad-11d1-80b4-00c04fd430c8","message_status":"DELIVERED","channel":"sms"}}"#;

/// Application state holding the verifier among other things.
#[derive(Clone)]
struct AppState {
    verifier: Verifier,
    name: &'static str,
}

impl FromRef<AppState> for Verifier {
    fn from_ref(state: &AppState) -> Verifier {
        state.verifier.clone()
    }
}

async fn receive_event(State(state): State<AppState>, event: WebhookEvent) -> Json<Value> {
    let Event::Message(status) = event.event else {
        return Json(json!({"app": state.name, "kind": "other"}));
    };
    Json(json!({
        "app": state.name,
        "webhook_id": event.delivery.webhook_id,
        "timestamp": event.delivery.timestamp,
        "message_id": status.message_id,
        "delivered": status.message_status == Some(MessageStatus::Delivered),
        "sms": status.channel == Some(Channel::Sms),
    }))
}

async fn receive_raw(webhook: VerifiedWebhook) -> String {
    format!("{} {}", webhook.delivery.webhook_id, webhook.body.len())
}

/// Everything logged by this test binary, at debug level and above.
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || LogWriter(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        logs
    })
    .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn serve() -> SocketAddr {
    logs();
    let state = AppState {
        verifier: Verifier::new(SECRET).unwrap(),
        name: "test",
    };
    let app = Router::new()
        .route("/webhooks/sent", post(receive_event))
        .route("/webhooks/raw", post(receive_raw))
        .with_state(state);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

/// One HTTP/1.1 request over a fresh connection.
async fn post_to(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    Reply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

type Headers = Vec<(String, String)>;

fn signed_headers(body: &[u8]) -> Headers {
    Signer::new(SECRET)
        .unwrap()
        .sign_now(WEBHOOK_ID, body)
        .iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

fn borrowed(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn valid_delivery_is_decoded() {
    let addr = serve().await;
    let headers = signed_headers(BODY.as_bytes());
    let reply = post_to(addr, "/webhooks/sent", &borrowed(&headers), BODY.as_bytes()).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["app"], "test");
    assert_eq!(body["webhook_id"], WEBHOOK_ID);
    assert_eq!(body["message_id"], "8ba7b830-9dad-11d1-80b4-00c04fd430c8");
    assert_eq!(body["delivered"], true);
    assert_eq!(body["sms"], true);
    assert_eq!(body["timestamp"].to_string(), headers[1].1);

    // Header names in any case.
    let shouted: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_uppercase(), v.clone()))
        .collect();
    let reply = post_to(addr, "/webhooks/raw", &borrowed(&shouted), BODY.as_bytes()).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, format!("{WEBHOOK_ID} {}", BODY.len()));
}

#[tokio::test]
async fn invalid_deliveries_get_a_bare_401() {
    let addr = serve().await;
    let headers = signed_headers(BODY.as_bytes());
    let valid_signature = headers[2].1.clone();
    let expected_tag = valid_signature.trim_start_matches("v1,").to_owned();

    let tampered = BODY.replace("DELIVERED", "FAILED");
    let mut cases: Vec<(Headers, Vec<u8>)> = vec![
        (headers.clone(), tampered.into_bytes()),
        (headers[..2].to_vec(), BODY.as_bytes().to_vec()),
        (headers[1..].to_vec(), BODY.as_bytes().to_vec()),
    ];
    let mut wrong = headers.clone();
    wrong[2].1 = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=".to_owned();
    cases.push((wrong, BODY.as_bytes().to_vec()));
    let mut stale = headers.clone();
    stale[1].1 = "1614265330".to_owned();
    cases.push((stale, BODY.as_bytes().to_vec()));
    let mut malformed = headers.clone();
    malformed[2].1 = "not a signature".to_owned();
    cases.push((malformed, BODY.as_bytes().to_vec()));
    let other_secret = Signer::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        .unwrap()
        .sign_now(WEBHOOK_ID, BODY.as_bytes())
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    cases.push((other_secret, BODY.as_bytes().to_vec()));

    let mut bodies = Vec::new();
    for (headers, body) in &cases {
        for path in ["/webhooks/sent", "/webhooks/raw"] {
            let reply = post_to(addr, path, &borrowed(headers), body).await;
            assert_eq!(reply.status, 401, "{path}: {}", reply.body);
            assert!(!reply.body.contains(KEY_TEXT));
            assert!(!reply.body.contains(&expected_tag));
            assert!(!reply.head.contains(KEY_TEXT));
            assert!(!reply.head.contains(&expected_tag));
            bodies.push(reply.body);
        }
    }
    // The same generic body whatever the reason.
    bodies.dedup();
    assert_eq!(bodies, ["webhook signature verification failed"]);

    // The reasons are logged at debug level, without the secret or the expected signature.
    let logged = String::from_utf8(logs().lock().unwrap().clone()).unwrap();
    assert!(logged.contains("webhook delivery rejected"), "{logged}");
    assert!(logged.contains("no signature in the X-Webhook-Signature header matches"));
    assert!(logged.contains("the webhook delivery has no X-Webhook-ID header"));
    assert!(logged.contains("too old"));
    assert!(!logged.contains(KEY_TEXT));
    assert!(!logged.contains(&expected_tag));
}

#[tokio::test]
async fn authentic_body_that_is_not_an_event_gets_400() {
    let addr = serve().await;
    let body = br#"{"field":"messages","payload":"DELIVERED"}"#;
    let headers = signed_headers(body);
    let reply = post_to(addr, "/webhooks/sent", &borrowed(&headers), body).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body, "invalid webhook payload");
    // The raw extractor does not decode.
    let reply = post_to(addr, "/webhooks/raw", &borrowed(&headers), body).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn large_bodies() {
    let addr = serve().await;
    let mut body = vec![b' '; 1 << 20];
    body[0] = b'{';
    body[(1 << 20) - 1] = b'}';
    let headers = signed_headers(&body);
    let reply = post_to(addr, "/webhooks/raw", &borrowed(&headers), &body).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, format!("{WEBHOOK_ID} {}", 1 << 20));
    body[1 << 19] = b'x';
    let reply = post_to(addr, "/webhooks/raw", &borrowed(&headers), &body).await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn repeated_header_lines_are_read_as_lists() {
    let addr = serve().await;
    let headers = signed_headers(BODY.as_bytes());
    let (id, timestamp, signature) = (&headers[0], &headers[1], &headers[2]);
    let wrong = (
        signature.0.clone(),
        "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=".to_owned(),
    );

    // Every X-Webhook-Signature line counts: the valid one may come after others.
    let later_signature = vec![
        id.clone(),
        timestamp.clone(),
        wrong.clone(),
        signature.clone(),
    ];
    let reply = post_to(
        addr,
        "/webhooks/raw",
        &borrowed(&later_signature),
        BODY.as_bytes(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // Lines repeating the same id or timestamp are one value.
    let echoed = vec![
        id.clone(),
        id.clone(),
        timestamp.clone(),
        timestamp.clone(),
        signature.clone(),
    ];
    let reply = post_to(addr, "/webhooks/raw", &borrowed(&echoed), BODY.as_bytes()).await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // Differing ids or timestamps leave it unclear which was signed: refused, whichever
    // comes first.
    let other_id = (id.0.clone(), "msg_other".to_owned());
    let other_timestamp = (timestamp.0.clone(), "1614265330".to_owned());
    for case in [
        vec![
            id.clone(),
            other_id.clone(),
            timestamp.clone(),
            signature.clone(),
        ],
        vec![
            other_id.clone(),
            id.clone(),
            timestamp.clone(),
            signature.clone(),
        ],
        vec![
            id.clone(),
            timestamp.clone(),
            other_timestamp.clone(),
            signature.clone(),
        ],
    ] {
        let reply = post_to(addr, "/webhooks/raw", &borrowed(&case), BODY.as_bytes()).await;
        assert_eq!(reply.status, 401, "{case:?}");
    }
    let logged = String::from_utf8(logs().lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("the webhook delivery has several X-Webhook-ID headers that differ"),
        "{logged}"
    );
    assert!(
        logged.contains("the webhook delivery has several X-Webhook-Timestamp headers that differ"),
        "{logged}"
    );
}
