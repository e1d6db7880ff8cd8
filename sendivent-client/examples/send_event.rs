//! Sends an event's notification to a contact, then looks at the contact and the deliveries,
//! against the embedded mock of the Sendivent API (no account, no network):
//!
//! ```sh
//! cargo run -p sendivent-client --example send_event
//! ```
//!
//! Against the real API, build the client with `Client::new("live_…")` (or a `test_…` key
//! for the sandbox): the key's prefix picks the server.

use sendivent_client::prelude::*;
use sendivent_mock::{Environment, MockServer};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::builder()
        .environment(Environment::Sandbox)
        .event("order.confirmed", "Order confirmed", &["email", "sms"])
        .integration("email", "sendgrid")
        .integration("sms", "twilio")
        .start()?;
    let client = Client::builder()
        .base_url(server.url())
        .api_key(server.api_key())
        .build()?;

    // One recipient by email; the send carries a generated X-Idempotency-Key, the same on
    // every retry.
    let sent = client
        .notifications()
        .send("order.confirmed", "ada@example.com")
        .await?;
    for delivery in &sent.deliveries {
        for (channel, id) in delivery {
            println!("delivery {id} on {channel}");
        }
    }
    for error in &sent.errors {
        println!("not sent: {:?} {:?}", error.code, error.message);
    }

    // Recipients can be contact objects too; this one gets SMS only.
    let contact = ContactFields::new().phone("+14155550123").name("Grace");
    let sms = client
        .notifications()
        .send_to_channel("order.confirmed", Channel::Sms, contact)
        .await?;
    println!("{} SMS delivery(ies)", sms.deliveries.len());

    let ada = client.contacts().get("ada@example.com").await?;
    println!(
        "contact {} <{}>",
        ada.uuid,
        ada.email.as_deref().unwrap_or("no email")
    );
    let deliveries = client.deliveries().list().event("order.confirmed").await?;
    println!("{} deliveries of order.confirmed in all", deliveries.total);
    Ok(())
}
