//! Sends a templated message and reads its status back.
//!
//! ```sh
//! cargo run -p sentdm-client --example send_template
//! ```
//!
//! Without `SENT_DM_API_KEY` it runs against a mock of the API started in-process and creates
//! the template it sends. With `SENT_DM_API_KEY` it uses the real API and sends the template
//! named by `SENT_DM_TEMPLATE` to the number in `SENT_DM_TO`.

#[path = "support/mod.rs"]
mod support;

use sentdm_client::types::{TemplateBody, TemplateCategory, TemplateDefinition, TemplateRef};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::connect()?;
    let client = &target.client;

    let (template, to) = if target.mock.is_some() {
        let definition = TemplateDefinition::new(TemplateBody::new(
            "Hi {{name}}, your order {{order}} has been confirmed.",
        ));
        let created = client
            .templates()
            .create(
                "order_confirmation",
                TemplateCategory::Utility,
                "en_US",
                definition,
            )
            .await?;
        let id = created.id;
        println!("created template {id}");
        (TemplateRef::by_id(id), "+14155551234".to_string())
    } else {
        let name = std::env::var("SENT_DM_TEMPLATE")
            .map_err(|_| "set SENT_DM_TEMPLATE to a template name")?;
        let to =
            std::env::var("SENT_DM_TO").map_err(|_| "set SENT_DM_TO to an E.164 phone number")?;
        (TemplateRef::by_name(name), to)
    };

    let sent = client
        .messages()
        .send(
            [to],
            template.parameters([("name", "Ada"), ("order", "12345")]),
        )
        .await?;
    println!(
        "send accepted ({}), request {}, idempotency key {}",
        sent.status(),
        sent.request_id().unwrap_or("-"),
        sent.idempotency_key().unwrap_or("-"),
    );
    if let Some(limit) = sent.rate_limit() {
        println!(
            "rate limit: {:?} of {:?} left",
            limit.remaining, limit.limit
        );
    }

    for recipient in &sent.recipients {
        let (Some(id), Some(channel)) = (recipient.message_id, &recipient.channel) else {
            continue;
        };
        let message = client.messages().get(id).await?;
        println!(
            "message {id} to {} via {channel}: {}",
            recipient.to.as_deref().unwrap_or("?"),
            message.status,
        );
    }
    Ok(())
}
