// Recipients are phone-number strings.
use sentdm_client::{Client, types::TemplateRef};

async fn run(client: Client) {
    let _ = client.messages().send([14155551234_u64], TemplateRef::by_name("welcome")).await;
}

fn main() {}
