//! A SendSeven webhook receiver on axum, over loopback HTTP: deliveries signed the documented way
//! reach the handler decoded; unsigned or tampered ones are answered 401 before it runs.

#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use sendseven_client::runtime::reqwest;
use sendseven_client::runtime::webhook::axum::WebhookPayload;
use sendseven_client::webhooks::{Json, SendSeven, Signer, Verifier};
use serde_json::Value;

const SECRET: &str = "sendseven-axum-secret";

#[derive(Clone)]
struct App {
    verifier: Verifier,
    received: Arc<Mutex<Vec<Value>>>,
}

impl axum::extract::FromRef<App> for Verifier {
    fn from_ref(app: &App) -> Verifier {
        app.verifier.clone()
    }
}

async fn receive(
    State(app): State<App>,
    webhook: WebhookPayload<SendSeven, Json<Value>>,
) -> &'static str {
    app.received.lock().unwrap().push(webhook.payload.0);
    "ok"
}

#[tokio::test]
async fn signed_deliveries_reach_the_handler_and_others_are_refused() {
    let app = App {
        verifier: Verifier::new(SECRET).unwrap(),
        received: Arc::default(),
    };
    let router = Router::new()
        .route("/webhooks/sendseven", post(receive))
        .with_state(app.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/webhooks/sendseven",
        listener.local_addr().unwrap()
    );
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let http = reqwest::Client::new();

    let body = br#"{"event":"message.received","data":{"text":"hi"}}"#;
    let signed = Signer::new(SECRET).unwrap().sign_now(None, body);
    let mut request = http.post(&url).body(body.to_vec());
    for (name, value) in signed.iter() {
        request = request.header(name, value);
    }
    assert_eq!(request.send().await.unwrap().status(), 200);

    let mut tampered = http.post(&url).body(br#"{"event":"forged"}"#.to_vec());
    for (name, value) in signed.iter() {
        tampered = tampered.header(name, value);
    }
    assert_eq!(tampered.send().await.unwrap().status(), 401);
    let unsigned = http.post(&url).body(body.to_vec()).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);

    let received = app.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["data"]["text"], "hi");
    server.abort();
}
