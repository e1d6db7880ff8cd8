// A send must name its recipients.
use sentdm_client::{Client, types::TemplateRef};

async fn run(client: Client) {
    let _ = client.messages().send(TemplateRef::by_name("welcome")).await;
}

fn main() {}
