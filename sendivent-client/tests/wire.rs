//! The Sendivent client over real HTTP against its mock: every operation at least once, as it
//! appears on the wire (method, path, bearer key, idempotency key, body); the key's prefix
//! picking the server; typed errors with the documented codes; offset pagination. (The
//! documented examples are decoded in `tests/tests/examples.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sendivent_client::prelude::*;
use sendivent_mock::{Environment, Fault, MockServer, RecordedRequest};
use serde_json::{Value, json};

fn server() -> MockServer {
    MockServer::builder()
        .environment(Environment::Sandbox)
        .seeded(false)
        .unlimited()
        .event("order.confirmed", "Order confirmed", &["email", "sms"])
        .integration("email", "sendgrid")
        .integration("sms", "twilio")
        .start()
        .unwrap()
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .api_key(server.api_key())
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

/// The last request: its method, path and bearer key; its JSON body, if any.
fn last(server: &MockServer, method: &str, path: &str) -> (RecordedRequest, Option<Value>) {
    let request = server.requests().pop().unwrap();
    assert_eq!(request.method, method, "{path}");
    assert_eq!(request.path, path);
    assert_eq!(
        header(&request, "authorization"),
        Some(format!("Bearer {}", server.api_key()).as_str())
    );
    let body = (!request.body.is_empty()).then(|| serde_json::from_slice(&request.body).unwrap());
    (request, body)
}

#[test]
fn the_key_prefix_picks_the_server() {
    let live = Client::new("live_abc").unwrap();
    assert_eq!(
        live.runtime().base_url().trim_end_matches('/'),
        "https://api.sendivent.com"
    );
    let test = Client::new("test_abc").unwrap();
    assert_eq!(
        test.runtime().base_url().trim_end_matches('/'),
        "https://api-sandbox.sendivent.com"
    );
    assert!(!format!("{live:?}").contains("live_abc"));
}

#[tokio::test]
async fn sends_carry_one_idempotency_key_and_a_union_of_recipients() {
    let server = server();
    let client = client(&server);

    let sent = client
        .notifications()
        .send("order.confirmed", "ada@example.com")
        .await
        .unwrap();
    assert!(sent.success);
    assert_eq!(sent.deliveries.len(), 1);
    let (request, body) = last(&server, "POST", "/v1/send/order.confirmed");
    assert_eq!(body.unwrap(), json!({"to": "ada@example.com"}));
    let key = header(&request, "x-idempotency-key").unwrap().to_owned();
    assert!(key.starts_with("sendivent-"), "{key}");

    let both = Recipients::List(vec![
        ContactFields::new().email("bob@example.com"),
        ContactFields::new()
            .phone("+14155550123")
            .external_id("u-7"),
    ]);
    let sent = client
        .notifications()
        .send_to_channel("order.confirmed", Channel::Sms, both)
        .idempotency_key("order-42-sms")
        .await
        .unwrap();
    let (request, body) = last(&server, "POST", "/v1/send/order.confirmed/sms");
    assert_eq!(header(&request, "x-idempotency-key"), Some("order-42-sms"));
    assert_eq!(
        body.unwrap(),
        json!({"to": [{"email": "bob@example.com"}, {"phone": "+14155550123", "externalId": "u-7"}]})
    );
    assert_eq!(sent.deliveries.len(), 1);
    assert_eq!(sent.errors.len(), 1, "{:?}", sent.errors);
}

#[tokio::test]
async fn a_retried_send_is_delivered_once() {
    let server = server();
    server
        .fault(Fault::reset_after_processing())
        .on("POST", "/v1/send/{event}")
        .times(1);
    let sent = client(&server)
        .notifications()
        .send("order.confirmed", "ada@example.com")
        .await
        .unwrap();
    assert_eq!(sent.deliveries.len(), 1);
    let sends = server.requests();
    assert_eq!(sends.len(), 2, "the reset attempt and its retry");
    assert_eq!(
        header(&sends[0], "x-idempotency-key"),
        header(&sends[1], "x-idempotency-key")
    );
    assert_eq!(server.send_count(), 1);
}

#[tokio::test]
async fn contacts_from_upsert_to_delete() {
    let server = server();
    let client = client(&server);

    let ada = client
        .contacts()
        .upsert()
        .email("ada@example.com")
        .name("Ada")
        .extra("plan", json!("pro"))
        .await
        .unwrap();
    let (_, body) = last(&server, "POST", "/v1/contacts");
    assert_eq!(
        body.unwrap(),
        json!({"email": "ada@example.com", "name": "Ada", "plan": "pro"})
    );
    let uuid = ada.uuid.clone();
    assert_eq!(ada.meta.get("plan"), Some(&json!("pro")));

    let got = client.contacts().get("ada@example.com").await.unwrap();
    // The identifier is one path segment: `@` is percent-encoded.
    last(&server, "GET", "/v1/contacts/ada%40example.com");
    assert_eq!(got.uuid, uuid);

    let updated = client
        .contacts()
        .update(uuid.clone())
        .name("Ada Lovelace")
        .await
        .unwrap();
    let (_, body) = last(&server, "PATCH", &format!("/v1/contacts/{uuid}"));
    assert_eq!(body.unwrap(), json!({"name": "Ada Lovelace"}));
    assert_eq!(updated.name.as_deref(), Some("Ada Lovelace"));

    client
        .contacts()
        .push_tokens()
        .add(uuid.clone(), "ExponentPushToken[abc]")
        .await
        .unwrap();
    let (_, body) = last(&server, "POST", &format!("/v1/contacts/{uuid}/push-tokens"));
    assert_eq!(body.unwrap(), json!({"token": "ExponentPushToken[abc]"}));
    // A DELETE with a body.
    client
        .contacts()
        .push_tokens()
        .remove(uuid.clone(), "ExponentPushToken[abc]")
        .await
        .unwrap();
    let (_, body) = last(
        &server,
        "DELETE",
        &format!("/v1/contacts/{uuid}/push-tokens"),
    );
    assert_eq!(body.unwrap(), json!({"token": "ExponentPushToken[abc]"}));

    let deleted = client.contacts().delete(uuid.clone()).await.unwrap();
    last(&server, "DELETE", &format!("/v1/contacts/{uuid}"));
    assert!(*deleted);

    let error = client.contacts().get(uuid).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.error_code(), Some(ErrorCode::NotFound));
}

#[tokio::test]
async fn lists_page_by_offset_and_limit() {
    let server = server();
    let client = client(&server);
    for n in 0..7 {
        client
            .contacts()
            .upsert()
            .email(format!("user{n}@example.com"))
            .await
            .unwrap();
    }
    let page = client
        .contacts()
        .list()
        .limit(3)
        .search("user")
        .await
        .unwrap();
    let (request, _) = last(&server, "GET", "/v1/contacts");
    assert_eq!(
        request.query.as_deref(),
        Some("limit=3&offset=0&search=user")
    );
    assert_eq!(page.contacts.len(), 3);
    assert_eq!(page.total, 7);

    let before = server.requests().len();
    let all: Vec<Contact> = client
        .contacts()
        .list()
        .limit(3)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 7);
    let offsets: Vec<Option<String>> = server.requests()[before..]
        .iter()
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(
        offsets,
        [
            Some("limit=3&offset=0".to_owned()),
            Some("limit=3&offset=3".to_owned()),
            Some("limit=3&offset=6".to_owned()),
        ]
    );
}

#[tokio::test]
async fn deliveries_events_and_integrations() {
    let server = server();
    let client = client(&server);
    let sent = client
        .notifications()
        .send("order.confirmed", "ada@example.com")
        .await
        .unwrap();
    let delivery: uuid::Uuid = sent.deliveries[0]["email"].parse().unwrap();

    let page = client
        .deliveries()
        .list()
        .event("order.confirmed")
        .channel(Channel::Email)
        .await
        .unwrap();
    let (request, _) = last(&server, "GET", "/v1/deliveries");
    assert_eq!(
        request.query.as_deref(),
        Some("limit=20&offset=0&event=order.confirmed&channel=email")
    );
    assert_eq!(page.total, 1);

    client.deliveries().trace(delivery).await.unwrap();
    last(&server, "GET", &format!("/v1/deliveries/{delivery}/trace"));

    let events = client.events().list().await.unwrap();
    last(&server, "GET", "/v1/events");
    assert!(
        events
            .events
            .iter()
            .any(|e| e.identifier == "order.confirmed")
    );
    client.events().get("order.confirmed").await.unwrap();
    last(&server, "GET", "/v1/events/order.confirmed");

    let integrations = client
        .integrations()
        .list()
        .channel(Channel::Sms)
        .await
        .unwrap();
    let (request, _) = last(&server, "GET", "/v1/integrations");
    assert_eq!(request.query.as_deref(), Some("channel=sms"));
    assert_eq!(integrations.integrations.len(), 1);
}

#[tokio::test]
async fn the_one_webhook_endpoint() {
    let server = server();
    let client = client(&server);
    let created = client
        .webhooks()
        .create("https://example.com/hooks/sendivent")
        .enabled_events([
            WebhookEventType::DeliverySent,
            WebhookEventType::DeliveryFailed,
        ])
        .await
        .unwrap();
    let (_, body) = last(&server, "POST", "/v1/webhooks");
    assert_eq!(
        body.unwrap(),
        json!({"url": "https://example.com/hooks/sendivent", "enabled_events": ["delivery.sent", "delivery.failed"]})
    );
    let uuid: uuid::Uuid = created.uuid.parse().unwrap();

    let again = client
        .webhooks()
        .create("https://example.com/other")
        .await
        .unwrap_err();
    assert_eq!(again.status().map(|s| s.as_u16()), Some(409));

    let got = client.webhooks().get().await.unwrap();
    last(&server, "GET", "/v1/webhooks");
    assert_eq!(got.url, created.url);

    client
        .webhooks()
        .update(uuid)
        .is_active(false)
        .await
        .unwrap();
    let (_, body) = last(&server, "PATCH", &format!("/v1/webhooks/{uuid}"));
    assert_eq!(body.unwrap(), json!({"is_active": false}));

    client.webhooks().delete(uuid).await.unwrap();
    last(&server, "DELETE", &format!("/v1/webhooks/{uuid}"));
}

#[tokio::test]
async fn a_key_of_the_other_environment_is_refused_with_its_code() {
    let server = server();
    let live = Client::builder()
        .base_url(server.url())
        .api_key("live_0123456789abcdef0123456789abcdef")
        .build()
        .unwrap();
    let error = live.events().list().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(error.error_code(), Some(ErrorCode::Unauthorized));
    assert!(!error.to_string().contains("live_0123"), "{error}");
}
