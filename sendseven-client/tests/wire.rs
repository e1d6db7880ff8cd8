//! The SendSeven client over real HTTP against its mock: every operation, as it appears on the
//! wire (method, path, bearer token, tenant header, JSON body, multipart parts); errors; retries
//! that never send a message twice; webhook deliveries signed by an independent HMAC
//! implementation. (The documented examples are decoded in `tests/tests/examples.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use sendseven_client::prelude::*;
use sendseven_client::runtime::HeaderMap;
use sendseven_client::webhooks::{Json, Verifier, VerifyError};
use sendseven_mock::{Fault, MockServer, RecordedRequest};
use serde_json::{Value, json};
use sha2::Sha256;

const CONVERSATION: &str = "conv_wire";
const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F'];

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .api_token(server.api_token())
        .tenant_id(server.tenant_id())
        .build()
        .unwrap()
}

fn header<'a>(request: &'a RecordedRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Method, path (under the server's `/api/v1`) and both credentials, as the server saw them.
fn assert_sent(server: &MockServer, request: &RecordedRequest, method: &str, path: &str) {
    assert_eq!(request.method, method);
    assert_eq!(request.path, format!("/api/v1{path}"));
    assert_eq!(
        header(request, "authorization"),
        Some(format!("Bearer {}", server.api_token()).as_str())
    );
    assert_eq!(header(request, "x-tenant-id"), Some(server.tenant_id()));
}

#[tokio::test]
async fn uploads_send_the_file_as_its_multipart_part() {
    let server = MockServer::builder().seeded(false).start().unwrap();
    let uploaded = client(&server)
        .attachments()
        .upload(Upload::bytes("photo.jpg", JPEG))
        .await
        .unwrap();
    assert_eq!(uploaded.status().as_u16(), 201);
    assert_eq!(uploaded.filename, "photo.jpg");
    assert_eq!(uploaded.content_type, "image/jpeg");
    assert_eq!(uploaded.file_size, i64::try_from(JPEG.len()).unwrap());

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_sent(&server, &requests[0], "POST", "/attachments");
    let content_type = header(&requests[0], "content-type").unwrap();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let body = String::from_utf8_lossy(&requests[0].body).into_owned();
    assert!(
        body.contains(r#"Content-Disposition: form-data; name="file"; filename="photo.jpg""#),
        "{body}"
    );
    assert!(body.contains("Content-Type: image/jpeg"), "{body}");
    let stored = server.attachments();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, uploaded.id);
    assert_eq!(stored[0].bytes, Bytes::from_static(JPEG));
}

#[tokio::test]
async fn files_outside_the_documented_limits_never_leave_the_client() {
    let server = MockServer::start().unwrap();
    let client = client(&server);
    // Images are limited to 16 MiB.
    let big = Upload::bytes("big.png", vec![0_u8; 16 * 1024 * 1024 + 1]);
    let error = client.attachments().upload(big).await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    assert!(error.to_string().contains("16"), "{error}");
    // Not a documented format.
    let error = client
        .attachments()
        .upload(Upload::bytes("tool.exe", &b"MZ"[..]))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    // A name that does not carry its type's extension.
    let error = client
        .attachments()
        .upload(Upload::bytes("photo.png", JPEG).content_type("image/jpeg"))
        .await
        .unwrap_err();
    assert!(error.to_string().contains(".jpg"), "{error}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn text_and_media_messages_go_out_as_documented() {
    let server = MockServer::builder()
        .seeded(false)
        .conversation(CONVERSATION)
        .start()
        .unwrap();
    let client = client(&server);

    let text = client
        .messages()
        .send(TextMessageRequest::new(CONVERSATION, "Hello!"))
        .await
        .unwrap();
    assert_eq!(text.status().as_u16(), 201);
    assert_eq!(text.conversation_id, CONVERSATION);
    assert_eq!(text.message_type, MessageType::Text);
    assert_eq!(text.text.as_deref(), Some("Hello!"));
    assert_eq!(text.status, "pending");

    let photo = client
        .attachments()
        .upload(Upload::bytes("photo.jpg", JPEG))
        .await
        .unwrap();
    let media = client
        .messages()
        .send(
            MediaMessageRequest::new(CONVERSATION, MediaMessageType::Image, [photo.id.clone()])
                .text("A caption"),
        )
        .await
        .unwrap();
    assert_eq!(media.message_type, MessageType::Image);
    assert_eq!(media.attachments.len(), 1);
    assert_eq!(media.attachments[0].id, photo.id);

    let requests = server.requests();
    let sends: Vec<&RecordedRequest> = requests
        .iter()
        .filter(|r| r.path.ends_with("/messages"))
        .collect();
    assert_eq!(sends.len(), 2);
    for send in &sends {
        assert_sent(&server, send, "POST", "/messages");
        assert_eq!(header(send, "content-type"), Some("application/json"));
        // No idempotency key is documented, so none is sent.
        assert!(header(send, "idempotency-key").is_none());
    }
    let bodies: Vec<Value> = sends
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(
        bodies[0],
        json!({"conversation_id": CONVERSATION, "text": "Hello!", "message_type": "text"})
    );
    assert_eq!(
        bodies[1],
        json!({
            "conversation_id": CONVERSATION,
            "message_type": "image",
            "attachments": [photo.id],
            "text": "A caption",
        })
    );
}

#[tokio::test]
async fn api_errors_keep_status_and_detail() {
    let server = MockServer::builder().seeded(false).start().unwrap();
    let error = client(&server)
        .messages()
        .send(TextMessageRequest::new("conv_missing", "Hello?"))
        .await
        .unwrap_err();
    let api = error.as_api().unwrap();
    assert_eq!(api.status().as_u16(), 404);
    assert!(!api.message().is_empty());

    let stranger = Client::builder()
        .base_url(server.url())
        .api_token(format!("msgapi_{}", "0".repeat(64)))
        .tenant_id(server.tenant_id())
        .build()
        .unwrap();
    let error = stranger
        .messages()
        .send(TextMessageRequest::new(CONVERSATION, "Hi"))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(!error.to_string().contains("msgapi_0000"), "{error}");
}

#[tokio::test]
async fn a_send_the_service_may_have_processed_is_never_sent_again() {
    let server = MockServer::builder()
        .seeded(false)
        .conversation(CONVERSATION)
        .start()
        .unwrap();
    let client = client(&server);
    server
        .fault(Fault::status(503))
        .on("POST", "/messages")
        .times(1);
    let error = client
        .messages()
        .send(TextMessageRequest::new(CONVERSATION, "once"))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 1);

    // A 429 says nothing was processed: retried, and sent once.
    server
        .fault(Fault::status(429).header("retry-after", "0"))
        .on("POST", "/messages")
        .times(1);
    let sent = client
        .messages()
        .send(TextMessageRequest::new(CONVERSATION, "after a 429"))
        .await
        .unwrap();
    assert_eq!(sent.text.as_deref(), Some("after a 429"));
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn credentials_are_required_and_never_shown() {
    let missing = Client::builder().api_token("msgapi_x").build().unwrap_err();
    assert!(missing.to_string().contains("X-Tenant-ID"), "{missing}");
    let builder = Client::builder()
        .api_token("msgapi_secret_token")
        .tenant_id("tenant-secret");
    let debug = format!("{builder:?}");
    assert!(
        !debug.contains("msgapi_secret_token") && !debug.contains("tenant-secret"),
        "{debug}"
    );
}

const SECRET: &str = "sendseven-webhook-secret";

/// Headers signed the documented way, computed here with the `hmac` crate directly.
fn independently_signed(secret: &str, timestamp: i64, body: &[u8]) -> HeaderMap {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut headers = HeaderMap::new();
    headers.insert(
        "X-Sendseven-Signature",
        format!("sha256={hex}").parse().unwrap(),
    );
    headers.insert(
        "X-Sendseven-Timestamp",
        timestamp.to_string().parse().unwrap(),
    );
    headers
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

#[test]
fn deliveries_signed_as_documented_are_accepted() {
    let body = br#"{"event":"message.received","data":{"text":"hi"}}"#;
    let verifier = Verifier::new(SECRET).unwrap();
    let verified = verifier
        .verify_payload::<Json<Value>, _>(&independently_signed(SECRET, now(), body), body)
        .unwrap();
    assert_eq!(verified.payload.0["data"]["text"], "hi");
}

#[test]
fn tampered_expired_or_foreign_deliveries_are_rejected() {
    let body = br#"{"event":"message.received"}"#;
    let verifier = Verifier::new(SECRET).unwrap();
    let signed = independently_signed(SECRET, now(), body);

    let tampered = br#"{"event":"message.received","extra":1}"#;
    assert!(matches!(
        verifier.verify(&signed, tampered),
        Err(VerifyError::NoMatchingSignature(_))
    ));
    let foreign = independently_signed("another-secret", now(), body);
    assert!(matches!(
        verifier.verify(&foreign, body),
        Err(VerifyError::NoMatchingSignature(_))
    ));
    let old = now() - i64::try_from(Duration::from_secs(600).as_secs()).unwrap();
    assert!(matches!(
        verifier.verify(&independently_signed(SECRET, old, body), body),
        Err(VerifyError::TooOld { .. })
    ));
    let mut unsigned = signed.clone();
    unsigned.remove("X-Sendseven-Signature");
    assert!(matches!(
        verifier.verify(&unsigned, body),
        Err(VerifyError::MissingHeader(_))
    ));
    assert!(!format!("{verifier:?}").contains(SECRET));
}
