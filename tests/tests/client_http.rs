//! The generated Sent.dm client over real HTTP on loopback: what it sends, what it decodes,
//! and what it refuses to send.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use sentdm_client::types::{Channel, TemplateRef, UserRole};
use sentdm_client::{Client, Error};
use serde_json::{Value, json};

const API_KEY: &str = "3f2b8c1e-0000-4000-8000-00000000a11c";

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone)]
struct Server {
    seen: Arc<Mutex<Vec<Seen>>>,
    reply: Arc<(StatusCode, Value)>,
}

async fn handle(
    State(server): State<Server>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    server.seen.lock().expect("lock").push(Seen {
        method,
        uri,
        headers,
        body,
    });
    let (status, body) = server.reply.as_ref();
    (
        *status,
        [("x-request-id", "req_loopback")],
        body.to_string(),
    )
}

/// Starts a server answering every request with `reply`; it stops when the test's runtime ends.
async fn serve(status: u16, reply: Value) -> (Client, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = Server {
        seen: seen.clone(),
        reply: Arc::new((StatusCode::from_u16(status).expect("status"), reply)),
    };
    let app = Router::new().fallback(handle).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(format!("http://{addr}"))
        .build()
        .expect("client");
    (client, seen)
}

fn envelope(data: Value) -> Value {
    json!({
        "success": true,
        "data": data,
        "error": null,
        "meta": { "request_id": "req_7X9zKp2jDw", "timestamp": "2026-04-08T15:54:52.132263+00:00", "version": "v3" }
    })
}

#[tokio::test]
async fn send_posts_the_documented_body_and_decodes_the_recipients() {
    let (client, seen) = serve(
        202,
        envelope(json!({
            "status": "QUEUED",
            "template_id": "7ba7b820-9dad-11d1-80b4-00c04fd430c8",
            "template_name": "order_confirmation",
            "recipients": [{ "message_id": "8ba7b830-9dad-11d1-80b4-00c04fd430c8", "to": "+14155551234", "channel": "sms", "body": "Hi" }]
        })),
    )
    .await;
    let template = TemplateRef::by_name("order_confirmation").parameters([("order", "12345")]);
    let sent = client
        .messages()
        .send(["+14155551234"], template)
        .channel([Channel::Sms, Channel::Whatsapp])
        .idempotency_key("order-12345")
        .await
        .expect("send succeeds");

    let recipients = &sent.recipients;
    assert_eq!(recipients.len(), 1);
    assert_eq!(recipients[0].channel, Some(Channel::Sms));
    assert_eq!(
        sent.status,
        Some(sentdm_client::types::MessageStatus::Queued)
    );
    assert_eq!(sent.request_id(), Some("req_7X9zKp2jDw"));
    assert_eq!(sent.status().as_u16(), 202);

    let seen = seen.lock().expect("lock");
    let req = &seen[0];
    assert_eq!(req.method, Method::POST);
    assert_eq!(req.uri.path(), "/v3/messages");
    assert_eq!(req.headers["x-api-key"], API_KEY);
    assert_eq!(req.headers["idempotency-key"], "order-12345");
    assert_eq!(req.headers["content-type"], "application/json");
    let body: Value = serde_json::from_slice(&req.body).expect("JSON body");
    assert_eq!(
        body,
        json!({
            "to": ["+14155551234"],
            "template": { "name": "order_confirmation", "parameters": { "order": "12345" } },
            "channel": ["sms", "whatsapp"]
        })
    );
}

#[tokio::test]
async fn invalid_values_are_rejected_before_any_request() {
    let (client, seen) = serve(200, envelope(json!({}))).await;
    let cases: Vec<(Error, &str)> = vec![
        (
            client
                .messages()
                .send(["4155551234"], TemplateRef::by_name("t"))
                .await
                .expect_err("not E.164"),
            "to[0]",
        ),
        (
            client
                .messages()
                .send(Vec::<String>::new(), TemplateRef::by_name("t"))
                .await
                .expect_err("no recipient"),
            "to",
        ),
        (
            client
                .messages()
                .send(["+14155551234"], TemplateRef::by_name("t"))
                .idempotency_key("has spaces")
                .await
                .expect_err("bad key"),
            "Idempotency-Key",
        ),
        (
            client
                .contacts()
                .list()
                .page_size(500)
                .await
                .expect_err("page size"),
            "page_size",
        ),
        (
            client
                .users()
                .invite("dev@example.com", UserRole::Unknown("owner".into()))
                .await
                .expect_err("role"),
            "role",
        ),
        (
            // A value set takes strings too; one outside the set is refused all the same.
            client
                .users()
                .invite("dev@example.com", "owner")
                .await
                .expect_err("role as text"),
            "role",
        ),
        (
            client
                .contacts()
                .list()
                .channel("carrier-pigeon")
                .await
                .expect_err("channel as text"),
            "channel",
        ),
        (
            client
                .webhooks()
                .create("Orders", "ftp://example.com/hook")
                .retry_count(9)
                .await
                .expect_err("url"),
            "endpoint_url",
        ),
    ];
    for (error, field) in cases {
        match &error {
            Error::InvalidRequest { field: f, .. } => assert_eq!(f, field, "{error}"),
            other => panic!("expected InvalidRequest for {field}, got {other:?}"),
        }
    }
    assert!(
        seen.lock().expect("lock").is_empty(),
        "nothing may reach the server"
    );
}

#[tokio::test]
async fn list_sends_the_default_page_and_filters() {
    let (client, seen) = serve(
        200,
        envelope(json!({ "contacts": [], "pagination": { "page": 1, "page_size": 20, "total_count": 0, "total_pages": 0, "has_more": false, "cursors": null } })),
    )
    .await;
    let profile = uuid::Uuid::parse_str("770e8400-e29b-41d4-a716-446655440002").expect("uuid");
    let page = client
        .contacts()
        .list()
        .channel(Channel::Whatsapp)
        .profile_id(profile)
        .await
        .expect("list");
    assert_eq!(page.pagination.as_ref().map(|p| p.has_more), Some(false));
    let seen = seen.lock().expect("lock");
    assert_eq!(
        seen[0].uri.query(),
        Some("page=1&page_size=20&channel=whatsapp")
    );
    assert_eq!(seen[0].headers["x-profile-id"], profile.to_string());
}

#[tokio::test]
async fn phone_numbers_in_paths_are_percent_encoded() {
    let (client, seen) = serve(
        200,
        envelope(json!({ "phone_number": "+12025551234", "is_valid": true })),
    )
    .await;
    let lookup = client
        .numbers()
        .lookup("+12025551234")
        .await
        .expect("lookup");
    assert_eq!(lookup.is_valid, Some(true));
    assert_eq!(
        seen.lock().expect("lock")[0].uri.path(),
        "/v3/numbers/lookup/%2B12025551234"
    );
}

#[tokio::test]
async fn error_envelopes_become_typed_errors() {
    let (client, _) = serve(
        400,
        json!({
            "success": false,
            "data": null,
            "error": {
                "code": "VALIDATION_004",
                "message": "Request validation failed",
                "details": { "to": ["'to' must contain at least one recipient"] },
                "doc_url": "https://docs.sent.dm/reference/api/error-catalog"
            },
            "meta": { "request_id": "req_bad", "timestamp": "2026-04-08T15:54:52.132297+00:00", "version": "v3" }
        }),
    )
    .await;
    let error = client
        .messages()
        .send(["+14155551234"], TemplateRef::by_name("t"))
        .await
        .expect_err("400");
    let api = error.as_api().expect("API error");
    assert_eq!(api.status().as_u16(), 400);
    assert_eq!(api.code(), Some("VALIDATION_004"));
    assert_eq!(
        sentdm_client::ErrorCode::from(api.code().unwrap_or_default()),
        sentdm_client::ErrorCode::Validation004
    );
    assert_eq!(
        api.details()["to"],
        ["'to' must contain at least one recipient"]
    );
    assert_eq!(error.request_id(), Some("req_bad"));
    assert!(!format!("{error:?}").contains(API_KEY));
}

#[tokio::test]
async fn delete_returns_unit_on_204() {
    let (client, seen) = serve(204, Value::Null).await;
    let id = uuid::Uuid::parse_str("6ba7b810-9dad-11d1-80b4-00c04fd430c8").expect("uuid");
    let deleted = client.contacts().delete(id).await.expect("deleted");
    assert_eq!(deleted.status().as_u16(), 204);
    let seen = seen.lock().expect("lock");
    assert_eq!(seen[0].method, Method::DELETE);
    assert_eq!(seen[0].uri.path(), format!("/v3/contacts/{id}"));
    assert!(seen[0].body.is_empty(), "no body unless sandbox is set");
}

#[test]
fn client_debug_never_shows_the_api_key() {
    let client = Client::new(API_KEY).expect("client");
    assert!(!format!("{client:?}").contains(API_KEY));
    let builder = Client::builder().api_key(API_KEY);
    assert!(!format!("{builder:?}").contains(API_KEY));
}

#[tokio::test]
async fn bodies_that_accept_other_members_take_them_through_extra() {
    let (client, seen) = serve(200, envelope(json!({}))).await;
    let id: sentdm_client::types::TemplateId =
        "7ba7b820-9dad-11d1-80b4-00c04fd430c8".parse().unwrap();
    // The docs describe a "submit for review" switch without naming its member.
    let _ = client
        .templates()
        .update(id)
        .name("order_confirmation")
        .extra("submit_for_review", true)
        .await;
    let seen = seen.lock().unwrap();
    let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(body["submit_for_review"], json!(true));
    assert_eq!(body["name"], json!("order_confirmation"));
}

#[tokio::test]
async fn raw_requests_keep_auth_idempotency_and_decoding() {
    let (client, seen) = serve(202, envelope(json!({"queued": 2}))).await;
    let response = client
        .request(
            sentdm_client::runtime::Method::POST,
            "/v3/experimental/batch",
        )
        .query("dry", "false")
        .json(&json!({"items": [1, 2]}))
        .await
        .unwrap();
    assert_eq!(response.data()["queued"], json!(2));
    assert_eq!(response.request_id(), Some("req_7X9zKp2jDw"));
    let key = response.idempotency_key().unwrap().to_owned();
    assert!(key.starts_with("sentdm-"), "{key}");
    {
        let seen = seen.lock().unwrap();
        let request = &seen[0];
        assert_eq!(request.method, Method::POST);
        assert_eq!(request.uri.path(), "/v3/experimental/batch");
        assert_eq!(request.uri.query(), Some("dry=false"));
        assert_eq!(request.headers["x-api-key"], API_KEY);
        assert_eq!(request.headers["idempotency-key"], key.as_str());
        assert_eq!(request.headers["content-type"], "application/json");
        assert_eq!(
            serde_json::from_slice::<Value>(&request.body).unwrap(),
            json!({"items": [1, 2]})
        );
    }
    // Decoded into a type of the caller's choosing; a GET carries no key.
    #[derive(serde::Deserialize)]
    struct Queued {
        queued: u32,
    }
    let typed = client
        .request(
            sentdm_client::runtime::Method::GET,
            "/v3/experimental/batch",
        )
        .send::<Queued>()
        .await
        .unwrap();
    assert_eq!(typed.queued, 2);
    assert_eq!(typed.idempotency_key(), None);
    // Methods the runtime does not send are refused before any I/O.
    let error = client
        .request(sentdm_client::runtime::Method::OPTIONS, "/v3/me")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn derived_clients_change_only_what_they_say() {
    let (client, seen) = serve(200, envelope(json!({"contacts": [], "pagination": null}))).await;
    let profile: sentdm_client::types::ProfileId =
        "770e8400-e29b-41d4-a716-446655440000".parse().unwrap();
    let scoped = client.with_profile(profile);
    let patient = client
        .with_options(
            &sentdm_client::RequestOptions::new()
                .timeout(std::time::Duration::from_secs(7))
                .header("x-trace", "on"),
        )
        .unwrap();
    scoped.contacts().list().await.unwrap();
    patient.contacts().list().await.unwrap();
    client.contacts().list().await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0].headers["x-profile-id"],
        "770e8400-e29b-41d4-a716-446655440000"
    );
    assert_eq!(seen[1].headers["x-trace"], "on");
    assert!(!seen[1].headers.contains_key("x-profile-id"));
    // The original client is left as it was.
    assert!(!seen[2].headers.contains_key("x-profile-id"));
    assert!(!seen[2].headers.contains_key("x-trace"));
    assert_eq!(
        patient.runtime().timeout(),
        std::time::Duration::from_secs(7)
    );
    assert!(
        client
            .with_options(&sentdm_client::RequestOptions::new().header("host", "x"))
            .is_err()
    );
}

#[tokio::test]
async fn a_guaranteed_member_missing_on_the_wire_is_a_decode_error() {
    // `id` is guaranteed by the data-models interface: its absence is not papered over.
    let (client, _) = serve(200, envelope(json!({"phone_number": "+14155551234"}))).await;
    let id: sentdm_client::types::ContactId =
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8".parse().unwrap();
    let error = client.contacts().get(id).await.unwrap_err();
    let decode = error.as_decode().expect("a decode error");
    assert_eq!(decode.path(), "data");
    assert!(decode.message().contains("missing field `id`"), "{decode}");
    assert_eq!(decode.request_id(), Some("req_7X9zKp2jDw"));
}
