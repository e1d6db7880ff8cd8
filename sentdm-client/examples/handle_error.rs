//! Handles errors by what they are: invalid input caught before sending, API errors by their
//! catalog code, transient failures retried by the client.
//!
//! ```sh
//! cargo run -p sentdm-client --example handle_error
//! ```
//!
//! Without `SENT_DM_API_KEY` it runs against a mock of the API started in-process, which also
//! simulates an outage to show retries. With `SENT_DM_API_KEY` it only makes requests that change
//! nothing.

#[path = "support/mod.rs"]
mod support;

use sentdm_client::types::TemplateRef;
use sentdm_client::{Error, ErrorCode, ErrorCodeExt};
use sentdm_mock::Fault;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::connect()?;
    let client = &target.client;

    // 1. Invalid input never leaves the process.
    match client
        .messages()
        .send(["415-555-1234"], TemplateRef::by_name("welcome"))
        .await
    {
        Err(Error::InvalidRequest { field, message }) => {
            println!("rejected before sending: {field}: {message}")
        }
        other => println!("unexpected: {other:?}"),
    }

    // 2. API errors carry the catalog code, the message, the field details and the request id.
    let missing = uuid::Uuid::new_v4();
    match client.contacts().get(missing).await {
        Err(Error::Api(e)) if e.error_code() == ErrorCode::Resource001 => println!(
            "no contact {missing}: {} (HTTP {}, request {})",
            e.message(),
            e.status(),
            e.request_id().unwrap_or("-")
        ),
        Err(e) => println!("failed: {e}"),
        Ok(contact) => println!("found {:?}", contact.phone_number),
    }

    let Some(mock) = &target.mock else {
        return Ok(());
    };

    // 3. A duplicate is final (409 RESOURCE_007 is never retried)…
    client.contacts().create("+14155550100").await?;
    if let Err(e) = client.contacts().create("+14155550100").await {
        println!(
            "duplicate: {} ({:?}, retryable: {})",
            e,
            e.error_code(),
            e.is_retryable()
        );
    }

    // 4. …while an outage is retried with backoff and the same Idempotency-Key.
    mock.fault(Fault::status(503))
        .times(2)
        .on("POST", "/v3/contacts");
    let created = client.contacts().create("+14155550101").await?;
    println!(
        "created after the outage: {} (key {})",
        created.id,
        created.idempotency_key().unwrap_or("-")
    );
    let attempts = mock
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v3/contacts")
        .count();
    println!("{attempts} POST /v3/contacts requests reached the server in all");
    Ok(())
}
