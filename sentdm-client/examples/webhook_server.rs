//! A webhook receiver: verifies Sent.dm deliveries and prints their events.
//!
//! ```sh
//! SENT_DM_WEBHOOK_SECRET=whsec_... cargo run -p sentdm-client --example webhook_server --features axum
//! ```
//!
//! It listens on 127.0.0.1 (port 3000, or `PORT`) at `POST /webhooks/sent`, answers
//! `{"received": true}` to verified deliveries and 401 to anything else. On start it prints a
//! `curl` command that sends a correctly signed sample delivery. With `WEBHOOK_LOG=debug` it
//! logs why deliveries are rejected.

use std::net::{Ipv4Addr, SocketAddr};

use axum::routing::post;
use axum::{Json, Router};
use sentdm_client::webhooks::{self, Event, Signer, Verifier, WebhookEvent};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

async fn receive(delivery: WebhookEvent) -> Json<Value> {
    let when = delivery
        .delivery
        .datetime()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| delivery.delivery.timestamp.to_string());
    match &delivery.event {
        Event::Message(status) => println!(
            "[{when}] webhook {}: message {} is {} on {}",
            delivery.delivery.webhook_id,
            status
                .message_id
                .map_or_else(|| "?".to_owned(), |id| id.to_string()),
            status
                .message_status
                .as_ref()
                .map_or("?", |status| status.as_str()),
            status
                .channel
                .as_ref()
                .map_or("?", |channel| channel.as_str()),
        ),
        Event::Template(payload) => println!(
            "[{when}] webhook {}: template event {}",
            delivery.delivery.webhook_id,
            Value::Object(payload.clone())
        ),
        other => println!(
            "[{when}] webhook {}: {:?} event",
            delivery.delivery.webhook_id,
            other.kind()
        ),
    }
    Json(json!({ "received": true }))
}

fn sample_curl(secret: &str, addr: SocketAddr) -> Option<String> {
    let body = r#"{"field":"messages","payload":{"message_id":"8ba7b830-9dad-11d1-80b4-00c04fd430c8","message_status":"DELIVERED","channel":"sms"}}"#;
    let signer = Signer::new(secret.split_ascii_whitespace().last()?).ok()?;
    let headers = signer.sign_now("d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8", body.as_bytes());
    let mut command =
        format!("curl -i http://{addr}/webhooks/sent -H 'Content-Type: application/json'");
    for (name, value) in headers.iter() {
        command.push_str(&format!(" -H '{name}: {value}'"));
    }
    command.push_str(&format!(" --data '{body}'"));
    Some(command)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let level = match std::env::var("WEBHOOK_LOG").as_deref() {
        Ok("debug") => tracing::Level::DEBUG,
        _ => tracing::Level::INFO,
    };
    tracing_subscriber::fmt().with_max_level(level).init();

    let verifier = match Verifier::from_env() {
        Ok(verifier) => verifier,
        Err(err) => {
            eprintln!(
                "{err}: set {} (or {}) to the webhook's signing secret (whsec_...)",
                webhooks::SECRET_ENV,
                webhooks::SECRET_ENV_FALLBACK
            );
            std::process::exit(2);
        }
    };
    let port = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 3000,
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));

    let app = Router::new()
        .route("/webhooks/sent", post(receive))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}/webhooks/sent");
    let secret = std::env::var(webhooks::SECRET_ENV)
        .ok()
        .filter(|value| !value.trim().is_empty())
        .or_else(|| std::env::var(webhooks::SECRET_ENV_FALLBACK).ok());
    if let Some(command) = secret.and_then(|secret| sample_curl(&secret, addr)) {
        println!("try a signed sample delivery (valid for 5 minutes):\n  {command}");
    }
    axum::serve(listener, app).await?;
    Ok(())
}
