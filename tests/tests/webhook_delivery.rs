//! A webhook delivered end to end: created on the mock API with the client, triggered with the
//! client's `webhooks().test(..)`, signed by the mock (its own, independent implementation of
//! the documented scheme) and received by an axum endpoint on loopback that verifies the
//! signature and decodes the event with this crate's extractor.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use sentdm_client::Client;
use sentdm_client::types::{Channel, MessageStatus, WebhookEventKind};
use sentdm_client::webhooks::{Event, Verifier, WebhookEvent};
use sentdm_mock::MockServer;
use serde_json::{Value, json};

type Received = Arc<Mutex<Vec<WebhookEvent>>>;

#[derive(Clone)]
struct App {
    verifier: Verifier,
    received: Received,
}

impl axum::extract::FromRef<App> for Verifier {
    fn from_ref(app: &App) -> Verifier {
        app.verifier.clone()
    }
}

async fn receive(State(app): State<App>, delivery: WebhookEvent) -> Json<Value> {
    app.received.lock().unwrap().push(delivery);
    Json(json!({ "received": true }))
}

/// An endpoint on 127.0.0.1 that accepts only deliveries `verifier` accepts.
async fn receiver(verifier: Verifier) -> (String, Received) {
    let received = Received::default();
    let app = App {
        verifier,
        received: received.clone(),
    };
    let router = Router::new()
        .route("/hooks/sent", post(receive))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/sent", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, received)
}

/// A mock API and a client for it.
fn mock_and_client() -> (MockServer, Client) {
    let mock = MockServer::start().unwrap();
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .build()
        .unwrap();
    (mock, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_event_is_delivered_signed_verified_and_decoded() {
    let (_mock, client) = mock_and_client();

    // The secret is known only once the webhook exists, so the receiver starts in two steps:
    // create the webhook for a placeholder URL, then point it at a receiver holding its secret.
    let created = client
        .webhooks()
        .create("Delivery receipts", "http://127.0.0.1:9/placeholder")
        .event_types(vec![WebhookEventKind::Messages])
        .await
        .expect("webhook created");
    let id = created.id;
    let secret = created
        .signing_secret
        .clone()
        .expect("signing secret on create");
    assert!(secret.starts_with("whsec_"));
    let (url, received) = receiver(Verifier::new(&secret).expect("secret")).await;
    client
        .webhooks()
        .update(id)
        .endpoint_url(url)
        .await
        .expect("endpoint updated");

    let result = client
        .webhooks()
        .test(id, "messages")
        .await
        .expect("test call");
    assert_eq!(
        result.success,
        Some(true),
        "mock reports delivery: {:?}",
        result.message
    );

    let deliveries = received.lock().unwrap();
    assert_eq!(deliveries.len(), 1, "exactly one verified delivery");
    let delivery = &deliveries[0];
    assert_eq!(delivery.delivery.webhook_id, id.to_string());
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (delivery.delivery.timestamp - now).abs() < 60,
        "timestamp is current"
    );
    match &delivery.event {
        Event::Message(status) => {
            assert!(status.message_id.is_some());
            assert!(
                matches!(status.message_status, Some(MessageStatus::Delivered)),
                "{status:?}"
            );
            assert!(
                matches!(status.channel, Some(Channel::Sms | Channel::Whatsapp)),
                "{status:?}"
            );
        }
        other => panic!("expected a message event, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_with_another_secret_rejects_the_delivery() {
    let (_mock, client) = mock_and_client();
    let created = client
        .webhooks()
        .create("Receipts", "http://127.0.0.1:9/placeholder")
        .await
        .unwrap();
    let id = created.id;

    // A rotated secret: the receiver still holds the old one.
    let old = created.signing_secret.clone().unwrap();
    let rotated = client.webhooks().rotate_secret(id).await.unwrap();
    assert_ne!(rotated.signing_secret.as_deref(), Some(old.as_str()));
    let (url, received) = receiver(Verifier::new(&old).unwrap()).await;
    client
        .webhooks()
        .update(id)
        .endpoint_url(url)
        .await
        .unwrap();

    let result = client.webhooks().test(id, "messages").await.unwrap();
    assert_eq!(result.success, Some(false), "the receiver answered 401");
    assert!(received.lock().unwrap().is_empty());

    // During a rotation a receiver holds both secrets and accepts the delivery.
    let new = rotated.signing_secret.clone().unwrap();
    let both = Verifier::from_secrets([old.as_str(), new.as_str()]).unwrap();
    assert_eq!(both.secret_count(), 2);
    let (url, received) = receiver(both).await;
    client
        .webhooks()
        .update(id)
        .endpoint_url(url)
        .await
        .unwrap();
    let result = client.webhooks().test(id, "messages").await.unwrap();
    assert_eq!(result.success, Some(true), "{:?}", result.message);
    assert_eq!(received.lock().unwrap().len(), 1);
}
