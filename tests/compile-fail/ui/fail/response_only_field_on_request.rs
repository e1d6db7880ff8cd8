// `id` and `signing_secret` are set by the server: requests have no setter for them, and
// response types cannot be built field by field outside the crate.
use sentdm_client::{Client, types::Webhook};

async fn run(client: Client, webhook: Webhook) {
    let id = sentdm_client::uuid::Uuid::nil();
    let _ = client.contacts().create("+14155551234").id(id).await;
    let _ = client.webhooks().create("Orders", "https://example.com/hook").signing_secret("whsec_x").await;
    let _ = Webhook { id, ..webhook };
}

fn main() {}
